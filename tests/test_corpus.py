"""The bundled corpus never drifts from the code, and every document in it is what it says."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tei_toolkit import import_file, normalize_source, read_tei, reading

from .conftest import CORPUS, ROOT, SHARED, corpus_sources, need, shared_samples
from .helpers import text_of, xp

SOURCES = corpus_sources()


def canonical(data: bytes) -> str:
    return etree.canonicalize(data.decode("utf-8"))


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_reimport_gives_the_committed_tei(src: Path, tmp_path: Path):
    golden = CORPUS / "tei" / (src.stem + ".xml")
    fresh = import_file(src).xml
    if canonical(fresh) != canonical(golden.read_bytes()):
        (tmp_path / golden.name).write_bytes(fresh)  # left beside the test for diffing
        pytest.fail(f"{golden} is stale: re-import gives {tmp_path / golden.name}; run "
                    "`tei import corpus/sources -d corpus/tei --force` if the change is intended")


def test_every_committed_tei_has_a_source():
    assert sorted(p.stem for p in (CORPUS / "tei").glob("*.xml")) == [p.stem for p in SOURCES]


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_source_reading_round_trips(src: Path):
    result = import_file(src)
    assert reading(read_tei(result.xml, str(src)), "source") == \
        normalize_source(src.read_text(encoding="utf-8"))


def test_the_bundled_lexicon_is_the_packaged_default():
    from tei_toolkit import default_lexicon
    from tei_toolkit.importer.lexicon import Lexicon
    bundled = Lexicon.load([CORPUS / "lexicon.tsv"])
    # One reviewed file: the corpus' lexicon is the package's, entry for entry (sic, corr,
    # type, note), not merely the same keys.
    assert (CORPUS / "lexicon.tsv").resolve() == (ROOT / "tei_toolkit" / "data" / "lexicon.tsv")
    def rows(lexicon):
        return {k: (e.sic, e.corr, e.type, e.note) for k, e in lexicon.entries.items()}
    assert rows(bundled) == rows(default_lexicon()) and len(bundled.entries) > 3
    required = {"Mao Zeong": "Mao Zedong", "Dien Binh Phu": "Dien Bien Phu",
                "long-rang": "long-range"}
    assert {k: bundled.entries[k].corr for k in required} == required


def test_corpus_holds_the_shared_seed_and_samples_unchanged():
    need((SHARED / "samples").is_dir(), "../shared/samples")
    shared = shared_samples() + sorted((SHARED / "seeds").glob("*.txt"))
    for p in shared:
        assert (CORPUS / "sources" / p.name).read_bytes() == p.read_bytes(), p.name


# What each sample exercises, checked on its TEI.
def _tei(name: str):
    src = CORPUS / "sources" / name
    result = import_file(src)
    return result, read_tei(result.xml, name)


def test_s01_wrapped_title_numbered_paragraphs_sentence_end_ellipsis():
    result, root = _tei("s01_telegram-numbered-paragraphs.txt")
    assert xp(root, "string(//t:titleStmt/t:title)") == \
        "Telegram, Zhou Enlai to Mao Zedong and Others, Regarding Talks with the Vietnamese Delegation"
    paras = xp(root, "//t:body/t:div/t:p")
    assert [text_of(p)[:3] for p in paras] == ["(1)", "(2)", "(3)"]
    assert xp(root, "//t:gap/@rend") == ["dots"]  # "[is necessary]....": a full stop, then "..."
    assert xp(root, "//t:correspAction[@type='received']/t:persName/text()") == ["Mao Zedong"]


def test_s02_codename_in_title_and_a_footnote():
    result, root = _tei("s02_ciphered-telegram-codename-footnote.txt")
    title = xp(root, "//t:titleStmt/t:title")[0]
    assert [text_of(n) for n in xp(title, "t:note[@type='identification']")] == ["Stalin"]
    # The code name keeps its text and points to the person it stands for.
    assert [(n.get("ref"), n.get("type"), text_of(n)) for n in xp(title, "t:persName")] == [
        ("#stalin", "codename", "Filippov"), ("#mao-zedong", None, "Mao Zedong")]
    assert xp(root, "//t:body//t:anchor/@xml:id") == ["fn1-a"]
    note = xp(root, "//t:body/t:div/t:note")[0]
    assert note.get("target") == "#fn1-a" and text_of(note) == "Underlined in the original."
    assert xp(root, "//t:langUsage/t:language[@n='original']/@ident") == ["ru"]
    assert "Nº 4410" in text_of(xp(root, "//t:body")[0])


def test_s03_no_summary_old_archive_name_line_breaks():
    result, root = _tei("s03_no-summary-old-citation.txt")
    assert not xp(root, "//t:abstract")
    assert xp(root, "string(//t:sourceDesc/t:bibl/t:publisher)") == \
        "History and Public Policy Program Digital Archive"
    assert xp(root, "//t:gap/@rend") == ["bracketed-spaced-dots"]
    assert len(xp(root, "//t:body//t:lb")) == 1


def test_s04_credits_english_translation_unicode_ellipsis():
    result, root = _tei("s04_minutes-dialogue-ellipsis.txt")
    assert xp(root, "string(//t:notesStmt/t:note[@type='credits'])").startswith("This document")
    assert xp(root, "string(//t:body/t:div/@n)") == "English Translation"
    assert xp(root, "//t:body//t:gap/@rend") == ["ellipsis", "spaced-dots"]  # ". . . .": stop + gap
    assert xp(root, "//t:abstract//t:reg/text()") == ["Mendès-France"]
    assert not xp(root, "//t:correspDesc")  # minutes of a conversation: no sender


def test_s05_translator_note_and_original_wording():
    result, root = _tei("s05_german-letter-translator-note.txt")
    note = xp(root, "//t:body//t:note[@type='translator']")[0]
    assert note.get("place") == "inline"
    assert xp(note, "string(t:label)") == "Translator’s note:"
    assert xp(root, "//t:body//t:note[@type='original']/t:foreign[@xml:lang='de']/text()") \
        == ["Regierungskommission"]
    assert xp(root, "//t:langUsage/t:language[@n='original']/@ident") == ["de"]


def test_s06_misspelled_names_everywhere_and_sic():
    result, root = _tei("s06_misspelled-names-sic.txt")
    assert len(xp(root, "//t:choice[t:sic='Mao Zeong']")) == 4  # title, citation, summary, body
    assert len(xp(root, "//t:choice[t:sic='Dien Binh Phu']")) == 2
    assert xp(root, "//t:body//t:sic[not(parent::t:choice)]/text()") == ["weeks"]
    assert xp(root, "//t:body//t:note[@type='sic']/text()") == ["sic"]
