"""Every document the importer writes is valid TEI P5 according to jing and tei_all.rng."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tei_toolkit import Profile, import_file, import_text

from .conftest import corpus_sources, shared_samples
from .helpers import export
from .strategies import Generated, documents


def test_corpus_and_samples_are_valid(jing, tmp_path: Path):
    sources = corpus_sources() + shared_samples()
    files = []
    for i, src in enumerate(sources):
        out = tmp_path / f"{i:02d}-{src.stem}.xml"
        import_file(src, out)
        files.append(out)
    ok, report = jing.validate(files)
    assert ok, report


def test_committed_corpus_tei_is_valid(jing):
    from .conftest import CORPUS
    ok, report = jing.validate(sorted((CORPUS / "tei").glob("*.xml")))
    assert ok, report


def test_every_kind_of_markup_and_a_custom_profile_are_valid(jing, tmp_path: Path):
    body = ("a [b] c [...] d... e [illegible] f [2 words illegible] three weeks [sic] [Liu][?] "
            "Zhou[?] [Translator's note: x] [Note: y] Mao Zeong Mendes-France[1] [] "
            "x\ny\n\n[1] Footnote.")
    citation = ('"T", June 19, 1954, Wilson Center Digital Archive, f. 1. Translated for CWIHP '
                "by A. B. Name and Other Person.  \n<https://example.org/document/1>")
    extra = "**Credits:**\n\nFunded.\n\n**Keywords:**\n\nk"
    profile_file = tmp_path / "p.toml"
    profile_file.write_text('name = "mine"\nid_prefix = "x"\n[ellipsis]\nbare = "text"\n'
                            '[supplied]\nreason = "sense"\n', encoding="utf-8")
    files = []
    for i, profile in enumerate([Profile.default(), Profile.load(profile_file)]):
        for j, text in enumerate([
            export(body=body, citation=citation, extra=extra, language="Russian, Klingon"),
            export(body="x", citation=False, summary=None, language=None, version=None),
        ]):
            out = tmp_path / f"{i}-{j}.xml"
            out.write_bytes(import_text(text, "d.txt", profile=profile).xml)
            files.append(out)
    ok, report = jing.validate(files)
    assert ok, report


def test_generated_documents_are_valid(jing, tmp_path: Path):
    outputs: list[bytes] = []

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(documents())
    def collect(doc: Generated) -> None:
        outputs.append(import_text(doc.raw, "generated.txt").xml)

    collect()
    files = []
    for i, xml in enumerate(outputs):
        path = tmp_path / f"g{i:04d}.xml"
        path.write_bytes(xml)
        files.append(path)
    ok, report = jing.validate(files)
    assert ok, report[:3000]
    # ... and against the project schema, its Schematron rules and the pointer check
    from tei_toolkit.validation.validate import Validator
    for report in Validator().validate_paths(files, jobs=2):
        assert report.errors == [], [str(p) for p in report.errors][:5]


def test_the_oracle_rejects_what_is_not_tei(jing, tmp_path: Path):
    """The validity tests above can fail: jing rejects an importer output broken in one place."""
    good = import_text(export(), "d.txt").xml
    bad = tmp_path / "bad.xml"
    bad.write_bytes(good.replace(b"<p>Some text.</p>", b"<p>Some <foo/>text.</p>"))
    ok, report = jing.validate([bad])
    assert not ok and "foo" in report
