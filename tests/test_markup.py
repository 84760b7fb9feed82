"""Inline editorial markup: every bracket kind the export uses, encoded as TEI."""

from __future__ import annotations

import pytest

from tei_toolkit import import_text, read_tei, reading
from tei_toolkit.spans import ellipsis_mark, ellipsis_rend

from .helpers import body_xml, export

S = 'reason="clarity" resp="#archive"'
C = 'reason="completion" resp="#archive"'
IDENT = 'type="identification" place="inline" resp="#archive"'


@pytest.mark.parametrize("body, expected", [
    ("a [b] c", f"<p>a <supplied {S}>b</supplied> c</p>"),
    # Names the persons register knows are tagged with @ref (see test_register.py).
    ("[Liu] Shaoqi", f'<p><persName ref="#liu-shaoqi"><supplied {C}>Liu</supplied> Shaoqi'
                     "</persName></p>"),
    ("Filippov [Stalin]", '<p><persName ref="#stalin" type="codename">Filippov</persName> '
                          f'<note {IDENT}><persName ref="#stalin">Stalin</persName></note></p>'),
    ("[Li] Xiaoming", f"<p><supplied {C}>Li</supplied> Xiaoming</p>"),
    ("spirit[.]", f"<p>spirit<supplied {S}>.</supplied></p>"),
    ("[conference’s] x", f"<p><supplied {S}>conference’s</supplied> x</p>"),
])
def test_supplied(body, expected):
    assert body_xml(body) == expected


@pytest.mark.parametrize("mark, rend", [
    ("[...]", "bracketed-dots"), ("[…]", "bracketed-ellipsis"),
    ("[. . .]", "bracketed-spaced-dots"), ("...", "dots"), ("....", "dots4"),
    ("…", "ellipsis"), (". . .", "spaced-dots"), (". . . .", "spaced-dots4"),
])
def test_every_ellipsis_form_is_a_gap_that_remembers_its_form(mark, rend):
    assert body_xml(f"a {mark} b") == f'<p>a <gap reason="omitted" rend="{rend}"/> b</p>'
    assert ellipsis_rend(mark) == rend
    assert ellipsis_mark(rend) == mark


@pytest.mark.parametrize("text, expected", [
    ("the delegation....", '<p>the delegation.<gap reason="omitted" rend="dots"/></p>'),
    ("the sides. . . . Then", '<p>the sides. <gap reason="omitted" rend="spaced-dots"/> Then</p>'),
    ("[is necessary]....", '<p><supplied reason="clarity" resp="#archive">is necessary'
                           '</supplied>.<gap reason="omitted" rend="dots"/></p>'),
    ("so: .... and", '<p>so: <gap reason="omitted" rend="dots4"/> and</p>'),
])
def test_a_full_stop_before_an_ellipsis_stays_text(text, expected):
    assert body_xml(text) == expected


def test_unknown_rend_has_no_mark():
    assert ellipsis_mark("sparkles") is None


@pytest.mark.parametrize("note, attrs", [
    ("illegible", ""),
    ("1 word illegible", ' quantity="1" unit="words"'),
    ("two words illegible", ' quantity="2" unit="words"'),
    ("3 lines illegible", ' quantity="3" unit="lines"'),
    ("illegible word", ' quantity="1" unit="words"'),
    ("several words illegible", ' unit="words" extent="several words"'),
])
def test_illegible_passages(note, attrs):
    assert body_xml(f"x [{note}] y") == \
        f'<p>x <gap reason="illegible"{attrs}><desc>{note}</desc></gap> y</p>'


def test_sic_flag_marks_the_word_before_it():
    assert body_xml("three weeks [sic].") == (
        '<p>three <sic>weeks</sic> <note type="sic" place="inline" resp="#archive">sic</note>.</p>')


def test_sic_flag_after_punctuation_marks_nothing():
    assert body_xml("weeks. [sic]") == \
        '<p>weeks. <note type="sic" place="inline" resp="#archive">sic</note></p>'


def test_query_flag_after_a_supplement_lowers_its_certainty():
    assert body_xml("[Liu][?] Shaoqi") == (
        f'<p><supplied {S} cert="low">Liu</supplied>'
        '<note type="query" place="inline" resp="#archive">?</note> Shaoqi</p>')


def test_query_flag_after_a_word_marks_it_unclear():
    assert body_xml("Zhou[?] x") == (
        '<p><unclear cert="low" resp="#archive">Zhou</unclear>'
        '<note type="query" place="inline" resp="#archive">?</note> x</p>')


@pytest.mark.parametrize("label, kind", [
    ("Translator's note:", "translator"), ("Translator’s note:", "translator"),
    ("Editor's note:", "editor"), ("Note:", "editor"),
])
def test_labelled_notes(label, kind):
    resp = "#archive"
    assert body_xml(f"x [{label} see above] y") == (
        f'<p>x <note type="{kind}" place="inline" resp="{resp}"><label>{label}</label> see above'
        "</note> y</p>")


def test_translator_note_points_to_the_named_translator():
    citation = ('"T", June 19, 1954, Wilson Center Digital Archive, AVP RF, f. 1. Translated for '
                "CWIHP by Gary Goldberg.  \n<https://digitalarchive.wilsoncenter.org/document/9>")
    result = import_text(export(title="T", citation=citation,
                                body="[Translator's note: x] [y]"), "d.txt")
    xml = result.xml.decode()
    assert '<note type="translator" place="inline" resp="#translator">' in xml
    assert 'resp="#translator">y</supplied>' in xml
    assert ('<respStmt xml:id="translator"><resp>Translated for CWIHP by</resp>'
            "<persName>Gary Goldberg</persName></respStmt>") in xml


@pytest.mark.parametrize("phrase, names", [
    # the phrasings real citations use (names made up)
    ("Obtained and translated for NKIDP by Balázs Kovács", ["Balázs Kovács"]),
    ("Translated from the Russian by Ivan Petrov and Anna Smith", ["Ivan Petrov", "Anna Smith"]),
])
def test_other_translator_phrases_name_the_translator(phrase, names):
    citation = ('"T", June 19, 1954, Wilson Center Digital Archive, MOL, 12. doboz. '
                f"{phrase}.  \n<https://digitalarchive.wilsoncenter.org/document/9>")
    xml = import_text(export(title="T", citation=citation, body="[y]"), "d.txt").xml.decode()
    resp = phrase.rsplit(" by ", 1)[0] + " by"
    assert (f'<respStmt xml:id="translator"><resp>{resp}</resp>'
            + "".join(f"<persName>{n}</persName>" for n in names) + "</respStmt>") in xml
    assert 'resp="#translator">y</supplied>' in xml


def test_footnote_marker_and_note_are_tied():
    assert body_xml("A[1] b [1].\n\n[1] Note one.") == (
        '<p>A<anchor type="footnote" n="1" xml:id="fn1-a"/> b '
        '<anchor type="footnote" n="1" xml:id="fn1-a2"/>.</p>\n'
        '<note n="1" place="end" xml:id="fn1" target="#fn1-a #fn1-a2">Note one.</note>')


def test_bracketed_number_without_a_note_is_a_marker_and_warned_about():
    """A footnote marker stays a marker when its note is not in the export (an excerpt)."""
    result = import_text(export(body="x [12] y and [1949]"), "d.txt")
    assert '<anchor type="footnote" n="12" xml:id="fn12-a"/>' in result.xml.decode()
    assert f"<supplied {S}>1949</supplied>" in result.xml.decode()
    assert [w.code for w in result.warnings] == ["lone-footnote-marker"]


def test_note_without_a_marker_is_kept_and_warned_about():
    result = import_text(export(body="x\n\n[2] Orphan."), "d.txt")
    assert '<note n="2" place="end" xml:id="fn2">Orphan.</note>' in result.xml.decode()
    assert [w.code for w in result.warnings] == ["footnote-without-marker"]


def test_line_breaks_inside_a_paragraph():
    assert body_xml("Liu Xiaoming\n12 February [1951]") == \
        f"<p>Liu Xiaoming<lb/>12 February <supplied {C}>1951</supplied></p>"


@pytest.mark.parametrize("text", ['<b> & "q" \'s >', "&amp; <!-- x --> <?pi?>", "(Stalin) 1 < 2"])
def test_markup_characters_are_text(text):
    xml = body_xml(text)
    from lxml import etree
    assert "".join(etree.fromstring(xml).itertext()) == text


def test_corrections_are_whole_words_and_longest_first():
    xml = body_xml("Mao Zeong, Mao Zeongs, XMao Zeong, Dien Binh Phu.")
    assert xml.count("<choice>") == 2
    assert "<sic>Dien Binh Phu</sic>" in xml


def test_regularisation_uses_orig_and_reg():
    assert body_xml("Mendes-France said") == (
        '<p><persName ref="#mendes-france"><choice><orig>Mendes-France</orig>'
        '<reg resp="#encoder">Mendès-France</reg></choice></persName> said</p>')


def test_corrections_inside_supplied_text():
    assert body_xml("[Mao Zeong]") == (
        f'<p><supplied {S}><persName ref="#mao-zedong"><choice><sic>Mao Zeong</sic>'
        '<corr resp="#encoder" type="name">Mao Zedong</corr></choice></persName></supplied></p>')


@pytest.mark.parametrize("body, where, message, xml", [
    ("a ] b", [(22, 3)], "']' without a matching '['", "a ] b"),
    ("first\nsecond [never closed", [(23, 8)], "'[' is never closed", "first<lb/>second [never closed"),
    ("x ]]> y", [(22, 3), (22, 4)], "']' without a matching '['", "x ]]&gt; y"),
    ("[Stamp: 5-11 June 1959] 08123gs] x", [(22, 32)], "']' without", None),
])
def test_an_unmatched_bracket_is_text_with_a_warning_never_a_refusal(body, where, message, xml):
    """An export is never refused for its brackets: the half a pair lacks is kept as text,
    each with a warning at its line and column; every complete pair is still read."""
    result = import_text(export(body=body), "doc.txt")
    found = [w for w in result.warnings if w.code == "unmatched-bracket"]
    assert [(w.location.line, w.location.column) for w in found] == where
    assert all(message in w.message for w in found[:1])
    if xml is not None:
        assert body_xml(body) == f"<p>{xml}</p>"
    root = read_tei(result.xml, "doc.xml")
    assert reading(root, "source").endswith(body + "\n")


def test_a_bracket_inside_a_bracket_is_read_by_the_outer_one():
    assert body_xml("a [b [c] d] e") == (f"<p>a <supplied {S}>b <supplied {S}>c</supplied> d"
                                         "</supplied> e</p>")
    note = body_xml("[Trans. note: it met on 3-7 May, [1961] in Sofia.]")
    assert f"May, <supplied {C}>1961</supplied> in Sofia.</note>" in note


def test_near_miss_of_a_corrected_name_is_warned_with_its_position():
    result = import_text(export(body="After Dien Bian Phu and Dien Bien Phu and Zhou Enlia."),
                         "doc.txt")
    near = [w for w in result.warnings if w.code == "near-miss"]
    # "Dien Bian Phu" is itself in the lexicon, so it is corrected, not warned about.
    assert [(w.location.line, w.location.column) for w in near] == [(22, 43)]
    assert "'Zhou Enlia'" in near[0].message and "'Zhou Enlai'" in near[0].message


def test_near_miss_of_a_single_word():
    result = import_text(export(body="the advsers said"), "doc.txt")
    assert [w.message for w in result.warnings if w.code == "near-miss"] == [
        "'advsers' may be a misspelling of 'advisers'; add it to the lexicon if it is"]


def test_near_misses_can_be_switched_off(tmp_path):
    from tei_toolkit import Profile
    path = tmp_path / "p.toml"
    path.write_text("[lexicon]\nnear_misses = false\n", encoding="utf-8")
    result = import_text(export(body="the advsers said"), "doc.txt", profile=Profile.load(path))
    assert result.warnings == []
