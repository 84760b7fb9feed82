"""The lexicon file and the editorial profile: formats, errors, overrides."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tei_toolkit import LexiconError, Profile, ProfileError, default_lexicon, import_text
from tei_toolkit.importer.lexicon import Lexicon

from .helpers import export


def test_lexicon_columns_types_comments_and_bom():
    lex = Lexicon.parse("\ufeffcorr\tsic\tnote\ttype\n# a comment\n\nPeking\tPekin\tx\treg\n"
                        "Zhou Enlai\tZhou Enali\t\tname\n", "l.tsv")
    assert lex.entries["Pekin"].corr == "Peking" and lex.entries["Pekin"].is_regularisation
    assert lex.entries["Zhou Enali"].type == "name"
    assert lex.entries["Zhou Enali"].origin == "l.tsv:5"


@pytest.mark.parametrize("text, where, message", [
    ("", "l.tsv:1:1", "the lexicon is empty"),
    ("from\tto\n", "l.tsv:1:1", "missing corr, sic"),
    ("sic\tcorr\nMao Zeong\n", "l.tsv:2:1", "needs both"),
    ("sic\tcorr\nA\tA\n", "l.tsv:2:1", "the same"),
    ("sic\tcorr\ttype\nA\tB\tspelling\n", "l.tsv:2:3", "unknown type 'spelling'"),
    ("sic\tcorr\nA\tB\nA\tC\n", "l.tsv:3:1", "listed twice (first at l.tsv:2)"),
    ("sic\tcorr\nA\tB\x01\n", "l.tsv:2:2", "U+0001"),
])
def test_lexicon_errors_say_where(text, where, message):
    with pytest.raises(LexiconError) as err:
        Lexicon.parse(text, "l.tsv")
    assert str(err.value).startswith(where + ": error: ")
    assert message in str(err.value)


def test_later_lexicon_files_override_earlier_ones(tmp_path):
    a = tmp_path / "a.tsv"
    a.write_text("sic\tcorr\nX\tY\nP\tQ\n", encoding="utf-8")
    b = tmp_path / "b.tsv"
    b.write_text("sic\tcorr\nX\tZ\n", encoding="utf-8")
    lex = Lexicon.load([a, b])
    assert {k: e.corr for k, e in lex.entries.items()} == {"X": "Z", "P": "Q"}
    assert lex.sources == [str(a), str(b)]


def test_unreadable_lexicon(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"sic\tcorr\n\xff\n")
    with pytest.raises(LexiconError, match="not UTF-8"):
        Lexicon.load([bad])
    with pytest.raises(LexiconError, match="cannot read"):
        Lexicon.load([tmp_path / "missing.tsv"])


def test_longest_match_wins():
    lex = Lexicon.parse("sic\tcorr\nDien\tDIEN\nDien Binh Phu\tDien Bien Phu\n")
    result = import_text(export(body="At Dien Binh Phu and Dien."), "d.txt", lexicon=lex)
    xml = result.xml.decode()
    assert "<sic>Dien Binh Phu</sic>" in xml and "<sic>Dien</sic>" in xml


# Forms and texts from a few letters, so forms overlap, nest and sit inside words often.
_forms = st.text(alphabet="ab -é_", min_size=1, max_size=5).filter(lambda f: f.strip() == f != "")


@st.composite
def _lexicon_and_text(draw):
    forms = draw(st.lists(_forms, min_size=1, max_size=6, unique=True))
    # The text is made of the forms, their pieces and separators: matches that overlap, tie
    # or sit inside a word are the rule, not the exception.
    pieces = st.sampled_from(forms) | st.text(alphabet="ab -é_.1", max_size=3)
    return forms, "".join(draw(st.lists(pieces, max_size=8)))


@settings(max_examples=500, deadline=None)
@given(_lexicon_and_text())
def test_small_lexicon_matching_is_the_regex_matching(case):
    """A lexicon of up to 64 forms is matched with str.find on the forms the text holds; it
    must find exactly what the lexicon's regex finds (longest first, whole words only)."""
    forms, text = case
    rows = "".join(f"{f}\t{f}X\n" for f in forms)
    matcher = Lexicon.parse("sic\tcorr\n" + rows).matcher
    assert list(matcher.finditer(text)) == list(matcher._search(text))


def test_empty_lexicon_corrects_nothing():
    result = import_text(export(body="Mao Zeong"), "d.txt", lexicon=Lexicon())
    assert b"<choice>" not in result.xml and result.counts.corrections == 0


def test_default_profile_is_the_shipped_file():
    p = Profile.default()
    assert (p.name, p.id_prefix, p.supplied_reason, p.bare_ellipsis) == \
        ("wilson-center-default", "wcda", "clarity", "gap")
    assert p.lexicon_parts == {"title", "citation", "summary", "body"}


def test_profile_overrides_only_what_it_names(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text('id_prefix = "ed"\n[notes]\ntranslator = ["Anm. d. Übers."]\n'
                 '[lexicon]\napply_in = ["body"]\n', encoding="utf-8")
    p = Profile.load(f)
    assert p.id_prefix == "ed" and p.supplied_reason == "clarity"
    result = import_text(export(title="Letter, Mao Zeong to B",
                                body="Mao Zeong [Anm. d. Übers.: x]"), "d.txt", profile=p)
    xml = result.xml.decode()
    assert 'xml:id="ed-123"' in xml
    assert xml.count("<choice>") == 1  # the body only, not the title or citation
    assert '<note type="translator" place="inline" resp="#archive"><label>Anm. d. Übers.:</label>' in xml


@pytest.mark.parametrize("toml, message", [
    ("nme = 'x'\n", "unknown setting 'nme'"),
    ("[ellipsis]\nbare = 'sometimes'\n", "'ellipsis.bare' must be"),
    ("[supplied]\nreason = 'two words'\n", "must be one word"),
    ("id_prefix = '1abc'\n", "must start with a letter"),
    ("supplied = 3\n", "'supplied' must be a table"),
    ("[lexicon]\napply_in = ['footer']\n", "'lexicon.apply_in'"),
    ('encoder = "a\\u0001"\n', "XML cannot hold"),
])
def test_profile_errors(tmp_path, toml, message):
    f = tmp_path / "p.toml"
    f.write_text(toml, encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        Profile.load(f)
    assert message in str(err.value) and str(err.value).startswith(str(f))


def test_default_lexicon_holds_the_required_corrections():
    entries = default_lexicon().entries
    assert entries["Mao Zeong"].corr == "Mao Zedong"
    assert entries["Dien Binh Phu"].corr == "Dien Bien Phu"
    assert entries["long-rang"].corr == "long-range"
    assert entries["Mendes-France"].is_regularisation


def test_a_mirror_url_gets_the_archives_own_address_and_bad_settings_are_refused(tmp_path):
    from tei_toolkit import Profile, ProfileError
    p = Profile.default()
    assert p.archive_address("https://wilson-center-digital-archive.dvincitest.com/document/7") \
        == ("https://digitalarchive.wilsoncenter.org/document/7",
            "wilson-center-digital-archive.dvincitest.com")
    assert p.archive_address("https://example.org/document/7") == \
        ("https://example.org/document/7", None)
    assert p.archive_address("http://[broken/document/7") == ("http://[broken/document/7", None)
    bad = tmp_path / "p.toml"
    bad.write_text('[archive_url]\ncanonical = "ftp://x/{id}"\n', encoding="utf-8")
    import pytest
    with pytest.raises(ProfileError, match="archive_url.canonical"):
        Profile.load(bad)


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(["http://", "https://", "x+y.z://", "mailto:", "//", ""]),
       st.text(alphabet="ab:/?#[]@.-+1Hé%\t \u2100", max_size=16))
def test_the_cached_host_of_a_url_is_urllibs(scheme, rest):
    """archive_address() takes a URL's host apart once per scheme and authority; that must be the
    host urllib gives the whole URL (brackets, ports, user info, characters it strips)."""
    from urllib.parse import urlparse

    from tei_toolkit.importer.profile import url_host

    url = scheme + rest
    try:
        expected: str | None = urlparse(url).hostname or ""
    except ValueError:
        expected = None
    assert url_host(url) == expected
