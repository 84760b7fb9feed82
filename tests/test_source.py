"""The export's layout: BOM, CRLF, wrapped titles, sections, dates; and where things are."""

from __future__ import annotations

import pytest

from tei_toolkit import import_text, normalize_source, read_tei, reading
from tei_toolkit.importer.source import parse, parse_date

from .helpers import export, tei_of, xp


@pytest.mark.parametrize("raw, iso", [
    ("June 19, 1954", "1954-06-19"), ("July 9, 1954", "1954-07-09"), ("Sept. 3, 1950", "1950-09-03"),
    ("June 1954", "1954-06"), ("1954", "1954"), ("February 29, 1952", "1952-02-29"),
    ("February, 1980", "1980-02"), ("19 June 1954", "1954-06-19"),
    ("June 1-3, 1954", "1954-06"),  # a range of days: the month is what is known
])
def test_dates(raw, iso):
    assert parse_date(raw) == iso


@pytest.mark.parametrize("raw", ["February 30, 1954", "Juin 19, 1954", "19 June", "soon",
                                 "19 June 20, 1954", "19 1954"])
def test_impossible_dates(raw):
    assert parse_date(raw) is None


@pytest.mark.parametrize("raw, when", [("Juin 19, 1954", "1954"), ("undated [1955]", "1955"),
                                       ("Undated", None)])
def test_a_date_that_cannot_be_read_is_a_warning_never_a_refusal(raw, when, tmp_path):
    """The year where one is there, else no ISO date; the date as written kept; the TEI
    valid and every export made."""
    from tei_toolkit import Validator, build_cmif, build_site, read_letter
    text = export(date=raw)
    result = import_text(text, "d.txt")
    assert [w.code for w in result.warnings] == ["date"]
    assert str(result.warnings[0].location) == "d.txt:1:3"
    root = read_tei(result.xml, "d.xml")
    dates = xp(root, "//t:creation/t:date")
    assert dates[0].text == raw and dates[0].get("when") == when
    assert reading(root, "source") == normalize_source(text)
    (tmp_path / "d.xml").write_bytes(result.xml)
    assert Validator().validate(tmp_path / "d.xml").ok()
    letter = read_letter(tmp_path / "d.xml")
    assert build_site([letter])
    cmif = build_cmif([letter], title="t", editor="e", publisher="p",
                      file_url="https://example.org/c.xml")
    assert cmif.letters == [letter] and b"<correspDesc" in cmif.xml


def test_bom_crlf_leading_blank_lines_and_trailing_spaces_are_layout_only():
    clean = export(title="Letter, A to B")
    messy = "\ufeff\r\n\r\n" + clean.replace("\n", "  \r\n")
    a, b = import_text(clean, "a.txt").xml, import_text(messy, "a.txt").xml
    assert a == b
    assert reading(read_tei(b, "b"), "source") == normalize_source(messy) == normalize_source(clean)


def test_wrapped_title_is_joined():
    text = export(title="Telegram, Zhou Enlai to Mao Zedong and Others,  \nRegarding Talks")
    doc = parse(text, "t.txt")
    assert doc.title.text == "Telegram, Zhou Enlai to Mao Zedong and Others, Regarding Talks"
    # positions still point into the wrapped lines
    assert doc.title.location(0).line == 3 and doc.title.location(0).column == 3
    assert doc.title.location(len("Telegram, Zhou Enlai to Mao Zedong and Others, ")).line == 4


def test_title_wrapped_over_three_lines():
    text = export(title="A very long title,  \nthat goes on,  \nand on")
    assert parse(text).title.text == "A very long title, that goes on, and on"


def test_sections_and_version_line():
    doc = parse(export(summary="S.", body="P1\n\nP2"), "x.txt")
    assert [s.heading for s in doc.sections] == ["Citation", "Summary", "Original Language"]
    assert doc.version.text == "Translation - English"
    assert [p.text for p in doc.body] == ["P1", "P2"]


def test_english_translation_version_line():
    root = tei_of(export(version="English Translation"))
    assert xp(root, "string(t:text/t:body/t:div/@n)") == "English Translation"


def test_missing_version_line_is_a_warning_and_round_trips():
    text = export(version=None, body="Just text.")
    result = import_text(text, "x.txt")
    assert [w.code for w in result.warnings] == ["no-version-line"]
    assert reading(read_tei(result.xml, "x"), "source") == normalize_source(text)


def test_optional_sections_absent():
    text = export(summary=None, language=None)
    result = import_text(text, "x.txt")
    root = read_tei(result.xml, "x")
    assert not xp(root, "//t:abstract")
    assert xp(root, "//t:langUsage/t:language/@ident") == ["en"]
    assert reading(root, "source") == normalize_source(text)


def test_credits_and_unknown_sections_are_kept():
    extra = "**Credits:**\n\nFunded by a foundation.\n\n**Keywords:**\n\nGeneva; Indochina"
    text = export(extra=extra)
    result = import_text(text, "x.txt")
    root = read_tei(result.xml, "x")
    assert xp(root, "string(//t:notesStmt/t:note[@type='credits'])") == "Funded by a foundation."
    assert xp(root, "string(//t:notesStmt/t:note[@n='Keywords'])") == "Geneva; Indochina"
    assert [w.code for w in result.warnings] == ["unknown-section"]
    assert reading(root, "source") == normalize_source(text)


def test_sections_out_of_order_are_warned_about():
    text = export(summary=None, language="Russian").replace(
        "**Contents:**", "**Credits:**\n\nLate credits.\n\n**Contents:**")
    result = import_text(text, "x.txt")
    assert "section-order" in [w.code for w in result.warnings]


@pytest.mark.parametrize("space", [" ", "\u2028", "\t"])
def test_white_space_inside_a_headings_bold_is_warned_about(space):
    """Found by the fuzzer: the heading was read without it and nothing said so."""
    text = export().replace("**Summary:**", f"**{space}Summary:**")
    result = import_text(text, "x.txt")
    assert [w.code for w in result.warnings] == ["heading-spacing"]
    assert str(result.warnings[0].location).startswith("x.txt:")
    assert reading(read_tei(result.xml, "x"), "source") == \
        normalize_source(text).replace(f"**{space}Summary:**", "**Summary:**")


def test_several_original_languages():
    root = tei_of(export(language="Russian, Chinese"))
    assert xp(root, "//t:langUsage/t:language/@ident") == ["ru", "zh", "en"]


def test_unknown_language_is_undetermined_and_warned_about():
    result = import_text(export(language="Klingon"), "x.txt")
    assert b'<language ident="und" n="original">Klingon</language>' in result.xml
    assert [w.code for w in result.warnings] == ["unknown-language"]


def test_extra_blank_lines_are_warned_about():
    text = export(body="P1\n\n\n\nP2")
    result = import_text(text, "x.txt")
    assert [(w.code, w.location.line) for w in result.warnings] == [("extra-blank-lines", 24)]


def test_old_archive_name_and_comma_inside_quotes():
    citation = ('"Letter, A to B," February 12, 1951, History and Public Policy Program Digital '
                "Archive, Liu Shaoqi wengao [Manuscripts], 88.  \n"
                "<https://digitalarchive.wilsoncenter.org/document/800003>")
    root = tei_of(export(title="Letter, A to B", citation=citation))
    bibl = xp(root, "//t:sourceDesc/t:bibl")[0]
    assert xp(bibl, "string(t:title)") == "Letter, A to B"
    assert xp(bibl, "string(t:publisher)") == "History and Public Policy Program Digital Archive"
    assert xp(bibl, "t:bibl[@type='source']/t:supplied/text()") == ["Manuscripts"]


def test_unparseable_citation_stays_text():
    citation = "Somewhere in an archive, no quotes at all."
    text = export(citation=citation)
    result = import_text(text, "x.txt")
    root = read_tei(result.xml, "x")
    assert xp(root, "string(//t:sourceDesc/t:bibl)") == citation
    assert reading(root, "source") == normalize_source(text)


def test_slug_url_gives_the_document_id():
    citation = '"T", June 19, 1954, Wilson Center Digital Archive.  \n<https://example.org/document/zhou-to-mao>'
    root = tei_of(export(title="T", citation=citation))
    assert root.get("{http://www.w3.org/XML/1998/namespace}id") == "wcda-zhou-to-mao"
    assert not xp(root, "//t:idno[@type='archive']")


def test_no_citation_is_a_warning():
    text = export(citation=False)
    result = import_text(text, "noid.txt")
    root = read_tei(result.xml, "x")
    assert "no-citation" in [w.code for w in result.warnings]
    assert root.get("{http://www.w3.org/XML/1998/namespace}id") == "wcda-noid"
    assert reading(root, "source") == normalize_source(text)


@pytest.mark.parametrize("title, sender, received", [
    ("Telegram, Zhou Enlai to Mao Zeong, Liu Shaoqi, and the CCP Central Committee",
     ["Zhou Enlai"], ["Mao Zedong", "Liu Shaoqi", "CCP Central Committee"]),
    ("Telegram, Zhou Enlai to Mao Zedong and Others,  \nRegarding Talks with the Vietnamese",
     ["Zhou Enlai"], ["Mao Zedong"]),
    ("Cable, Zhou Enlai to Mao Zeong, on the Meeting at Bern", ["Zhou Enlai"], ["Mao Zedong"]),
    # The bracket identifies the code name; the name stays as written (the register, issue 8,
    # will point it at Stalin).
    ("Ciphered Telegram No. 4410, Filippov [Stalin] to Mao Zedong", ["Filippov"], ["Mao Zedong"]),
    ("Cable from Zhou Enlai, 'Regarding the Talks'", ["Zhou Enlai"], []),
    ("Minutes of Conversation between Zhou Enlai and Mendès-France", [], []),
])
def test_correspondents_from_the_title(title, sender, received):
    root = tei_of(export(title=title))
    names = lambda kind: ["".join(e.itertext()) for e in xp(  # noqa: E731
        root, f"//t:correspAction[@type='{kind}']/*[self::t:persName or self::t:orgName]")]
    assert names("sent") == sender
    assert names("received") == received
