"""Bracket shapes of real pages the importer had not met (issue 22), in made-up text of the
same patterns: every one is read, none refuses the page, the TEI is valid (project schema and
tei_all) and the source reading gives the export back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tei_toolkit import Validator, import_text, read_tei, reading

from .helpers import body_xml, export

S = 'reason="clarity" resp="#archive"'
C = 'reason="completion" resp="#archive"'
SOURCE = 'type="source" place="inline" resp="#archive"'

SHAPES = [
    # The translator's double brackets: an uncertain reading, or words that cannot be read.
    ("Signed [[A. B. Petrov]]",
     'Signed <unclear rend="double-brackets" cert="low" resp="#archive">A. B. Petrov</unclear>'),
    ("[[three words illegible]]", '<gap reason="illegible" rend="double-brackets"><desc>three '
     "words illegible</desc></gap>"),
    # Glued to a word: completes it (the fragments are no misspellings).
    ("The D[eputy] M[inister] came.",
     f"The D<supplied {C}>eputy</supplied> M<supplied {C}>inister</supplied> came."),
    ("It was [19]57.", f"It was <supplied {C}>19</supplied>57."),
    ("the Pol[itical] Dep[artment]",
     f"the Pol<supplied {C}>itical</supplied> Dep<supplied {C}>artment</supplied>"),
    # Dates.
    ("on the 12th [of May]", f"on the 12th <supplied {C}>of May</supplied>"),
    ("in March [of] 1958", f"in March <supplied {C}>of</supplied> 1958"),
    ("on 3-7 May, [1961] in Sofia", f"on 3-7 May, <supplied {C}>1961</supplied> in Sofia"),
    # sic, with a full stop or an exclamation mark.
    ("he wrote [sic.] it", 'he <sic>wrote</sic> <note type="sic" place="inline" '
     'resp="#archive">sic.</note> it'),
    ("a word [!] here", 'a <sic>word</sic> <note type="sic" place="inline" '
     'resp="#archive">!</note> here'),
    # What the document shows: a note, not words of the text.
    ("[round stamp of the ministry: No. 0451]",
     f"<note {SOURCE}>round stamp of the ministry: No. 0451</note>"),
    ("[Signature]", f"<note {SOURCE}>Signature</note>"),
    ("Approved [added by hand].", f"Approved <note {SOURCE}>added by hand</note>."),
    # Words that say words are missing or cannot be read: a gap, its description kept.
    ("[two pages omitted]", '<gap reason="omitted"><desc>two pages omitted</desc></gap>'),
    ("[part of the sentence missing]",
     '<gap reason="omitted"><desc>part of the sentence missing</desc></gap>'),
    ("[illegible name]", '<gap reason="illegible"><desc>illegible name</desc></gap>'),
    # A footnote marker whose note the excerpt does not hold.
    ("as we said [3].", 'as we said <anchor type="footnote" n="3" xml:id="fn3-a"/>.'),
    # A nationality before a body is no part of a name; a role and a given name before a
    # family name complete it.
    ("The [Soviet] Presidium met.", f"The <supplied {S}>Soviet</supplied> Presidium met."),
    ("[Deputy Minister Jan] Nowak came.",
     f"<supplied {C}>Deputy Minister Jan</supplied> Nowak came."),
    # A sic with the editors' comment; a reference to where the original is kept; a registry
    # note; "[signed]" after a name, but not as a word of a sentence.
    ("He wrote 1952 [sic – should be 1951] here", 'He wrote <sic>1952</sic> <note '
     'type="sic" place="inline" resp="#archive">sic – should be 1951</note> here'),
    ("[AVPRF, f. 0100, op. 46, d. 12, l. 3]",
     f"<note {SOURCE}>AVPRF, f. 0100, op. 46, d. 12, l. 3</note>"),
    ("[Received: 12 May 1961]", f"<note {SOURCE}>Received: 12 May 1961</note>"),
    ("Ivanov [signed]", f"Ivanov <note {SOURCE}>signed</note>"),
    ("the treaty was [signed] in May", f"the treaty was <supplied {S}>signed</supplied> in May"),
    ("the letter was [received] then", f"the letter was <supplied {S}>received</supplied> then"),
    # A whole paragraph in brackets: the editors' summary of what is left out.
    ("[The rest of the letter lists the delegates of the conference.]",
     '<note type="summary" place="inline" resp="#archive">The rest of the letter lists the '
     "delegates of the conference.</note>"),
    # A role after a name in capitals is who it is, not an acronym's letters; an acronym
    # with a possessive keeps its expansion.
    ("VOROBYEV [Soviet ambassador in Prague] said", 'VOROBYEV <note type="identification" '
     'place="inline" resp="#archive">Soviet ambassador in Prague</note> said'),
    # "i.e." says what the words before mean; a given name after an East Asian family name
    # completes the name.
    ("the country [i.e. the Soviet Union] said", 'the country <note type="identification" '
     'place="inline" resp="#archive">i.e. the Soviet Union</note> said'),
    ("Comrade Pak [Chang-ok] spoke", f"Comrade Pak <supplied {C}>Chang-ok</supplied> spoke"),
    ("Nguyen [Duy Trinh] wrote", f"Nguyen <supplied {C}>Duy Trinh</supplied> wrote"),
    ("the CPSU's [Communist Party of the Soviet Union] line", 'the <choice rend="bracketed">'
     "<abbr>CPSU's</abbr><expan resp=\"#archive\">Communist Party of the Soviet Union</expan>"
     "</choice> line"),
]
# Shapes the second untouched sample showed (made-up text in the same patterns).
SHAPES += [
    # Given names, initials and patronymics complete a name; so do the names initials stand
    # for.
    ("a letter from [N. S.] Khrushchev", f"a letter from <supplied {C}>N. S.</supplied> "
     '<persName ref="#khrushchev">Khrushchev</persName>'),
    ("then [Nikolai S.] Patolichev came", f"then <supplied {C}>Nikolai S.</supplied> "
     "Patolichev came"),
    ("Ivan Ivanovich [Petrov] said", f"Ivan Ivanovich <supplied {C}>Petrov</supplied> said"),
    ("Tsedenbal Yu. [Yumjaagiin] said", f"Tsedenbal Yu. <supplied {C}>Yumjaagiin</supplied> said"),
    # The rest of a body's name.
    ("the Communist Party [of Czechoslovakia] said",
     f"the Communist Party <supplied {C}>of Czechoslovakia</supplied> said"),
    ("the Korean Workers' [Party] said", f"the Korean Workers' <supplied {C}>Party</supplied> said"),
    # Another spelling with letters English lacks; a name after a pronoun or a code name in
    # quotes says who is meant.
    ("the city of Lodz [Łódź] was", 'the city of <choice rend="bracketed"><orig>Lodz</orig>'
     '<reg resp="#archive">Łódź</reg></choice> was'),
    ("the latter [Kim Il Sung] said", 'the <rs ref="#kim-il-sung">latter</rs> <note '
     'type="identification" place="inline" resp="#archive"><persName ref="#kim-il-sung">Kim '
     "Il Sung</persName></note> said"),
    ('agent "Fyn" [Kim Il Sung] came', 'agent "Fyn" <note type="identification" '
     'place="inline" resp="#archive"><persName ref="#kim-il-sung">Kim Il Sung</persName>'
     "</note> came"),
    # An acronym with small letters, and a word shortened with a full stop, spelled out.
    ("the MfS [Ministry for State Security] knew", 'the <orgName ref="#mfs"><choice '
     'rend="bracketed"><abbr>MfS</abbr><expan resp="#archive">Ministry for State Security'
     "</expan></choice></orgName> knew"),
    ("the Sov. Amb. [Ambassador] said", 'the Sov. <choice rend="bracketed"><abbr>Amb.</abbr>'
     '<expan resp="#archive">Ambassador</expan></choice> said'),
    # A classification, a copy count, a block of lines of its own: on the original document.
    ("[Top Secret]", f"<note {SOURCE}>Top Secret</note>"),
    ("[Copy No. 3]", f"<note {SOURCE}>Copy No. 3</note>"),
    ("[Ministry of Foreign Affairs\nNo. 0412/g\n3 May 1958]",
     f"<note {SOURCE}>Ministry of Foreign Affairs\nNo. 0412/g\n3 May 1958</note>"),
    # ... but not words of a sentence.
    ("a [secret] meeting", f"a <supplied {S}>secret</supplied> meeting"),
    ("He said [that\nit was] late.", f"He said <supplied {S}>that<lb/>it was</supplied> late."),
    ("Mr. [John] Smith came", f"Mr. <supplied {C}>John</supplied> Smith came"),
]
# Shapes both untouched samples showed after that (made-up text in the same patterns).
IDENT = 'type="identification" place="inline" resp="#archive"'
SHAPES += [
    # A name starts its line: the line before ends no part of it.
    ("the Chairman\nRYU Dong-ha [Ryu Tong Ha] said", 'the Chairman<lb/><choice '
     'rend="bracketed"><orig>RYU Dong-ha</orig><reg resp="#archive">Ryu Tong Ha</reg></choice>'
     " said"),
    # A word in capitals is no acronym of the person's name after it; "alias of" identifies.
    ("code name CEDAR [Ivo Lang] came", f"code name CEDAR <note {IDENT}>Ivo Lang</note> came"),
    ("Cde. Alek [alias of Jan Sokol] came", f"Cde. Alek <note {IDENT}>alias of Jan Sokol</note>"
     " came"),
    # A pronoun, then a description of what it stands for.
    ("because it [the MV Aurora] sank", f"because it <note {IDENT}>the MV Aurora</note> sank"),
    # Two bodies' names alike only in "Party" are no two spellings.
    ("the Lilac Party [Rural Workers' Party] met", f"the Lilac Party <note {IDENT}>Rural "
     "Workers' Party</note> met"),
    # A given name after a family name not on the list, the original being Chinese; an
    # honorific before it.
    ("Mr. Ueda [Kenji] came", f"Mr. Ueda <supplied {C}>Kenji</supplied> came"),
    # A place's other name, before the word for its unit.
    ("the Lyon [Lione] Provincial Board", 'the <choice rend="bracketed"><orig>Lyon</orig><reg '
     'resp="#archive">Lione</reg></choice> Provincial Board'),
    # English words joined by a hyphen are English; the original's word after English words.
    ("a [long-range] plan", f"a <supplied {S}>long-range</supplied> plan"),
    ("the Night Cable [Noapte] said", 'the Night Cable <note type="original" place="inline" '
     'resp="#archive"><foreign xml:lang="zh-Latn">Noapte</foreign></note> said'),
    # Brackets inside a note on the original are read as everywhere.
    ("[Margin note: seen [Z.] 4 May [illegible initials]]", f"<note {SOURCE}>Margin note: seen "
     f'<supplied {S}>Z.</supplied> 4 May <gap reason="illegible"><desc>illegible initials'
     "</desc></gap></note>"),
    # What the editors did not do, what the original marks, a signature's abbreviation; a gap
    # whose words come first; a paragraph that is one short bracketed sentence.
    ("The annex [not reproduced] follows.", f"The annex <note {SOURCE}>not reproduced</note> "
     "follows."),
    ("a slip [spelling slip circled] here", f"a slip <note {SOURCE}>spelling slip circled"
     "</note> here"),
    ("signed [sig.]", f"signed <note {SOURCE}>sig.</note>"),
    ("[missing line end]", '<gap reason="omitted"><desc>missing line end</desc></gap>'),
    ("[Harvest.]", '<note type="summary" place="inline" resp="#archive">Harvest.</note>'),
]


@pytest.mark.parametrize("body, expected", SHAPES)
def test_each_shape_is_read_for_what_it_means(body, expected):
    assert body_xml(body) == f"<p>{expected}</p>"


def test_fragments_of_a_completed_word_are_no_misspellings():
    result = import_text(export(body="The D[eputy] M[inister] of the Pol[itical] Dep[artment]."),
                         "d.txt")
    assert [w.code for w in result.warnings] == []


def test_a_draft_in_the_title_describes_the_document():
    root = read_tei(import_text(export(title="Telegram, Gao Gang to Peng Dehuai [Draft]"),
                                "d.txt").xml, "d.xml")
    assert root.xpath("//t:titleStmt/t:title/t:note[@type='source']/text()",
                      namespaces={"t": "http://www.tei-c.org/ns/1.0"}) == ["Draft"]


def test_every_shape_is_valid_and_gives_the_export_back(tmp_path: Path, jing):
    body = "\n\n".join(b for b, _ in SHAPES) + ("\n\nA stamp [faded: 0451\n\nno. 7] and "
                                                 "[Trans. note: 3-7 May, [1961].] end.")
    text = export(body=body)
    result = import_text(text, "d.txt")
    out = tmp_path / "d.xml"
    out.write_bytes(result.xml)
    report = Validator().validate(out)
    assert report.ok(), report.problems
    ok, report = jing.validate([out])
    assert ok, report
    from tei_toolkit import normalize_source
    assert reading(read_tei(result.xml, "d.xml"), "source") == normalize_source(text)


@pytest.mark.parametrize("line, names", [
    ("To Comrade Stalin", ["Stalin"]),
    ("PYONGYANG, TO COMRADE STALIN.", ["STALIN"]),
    ("Dear Comrades Stalin and Mao Zedong,", ["Stalin", "Mao Zedong"]),
    ("To Moscow", []),
    ("Dear friends,", []),
])
def test_a_letter_names_its_addressee_in_its_first_line(line, names):
    """A title naming only the sender ("Letter from X"): the first line "To Comrade Y" says
    who received it; a place or a greeting names nobody."""
    root = read_tei(import_text(export(title="Letter from Kim Il Sung",
                                       body=f"{line}\n\nWe write to you."), "d.txt").xml,
                    "d.xml")
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    received = root.xpath("//t:correspAction[@type='received']/t:persName", namespaces=ns)
    assert [n.text for n in received] == names
    assert [n.get("ref") for n in received] == ["#" + n.lower().replace(" ", "-")
                                                 for n in names]
    assert root.xpath("//t:correspAction[@type='sent']/t:persName/@ref",
                      namespaces=ns) == ["#kim-il-sung"]
