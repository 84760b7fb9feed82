"""Correspondents from titles, by a grammar (../shared/FORMAT.md, "Titles and correspondents").

The titles are made up in the patterns of real pages; the samples are checked against
../shared/samples/EXPECTED.md.
"""

from __future__ import annotations

import pytest
from lxml import etree

from tei_toolkit import import_file, import_text
from tei_toolkit.importer.correspondents import Unreadable, read_correspondents

from .conftest import SHARED, need
from .helpers import export

T = {"t": "http://www.tei-c.org/ns/1.0"}


def names(people) -> list[str]:
    return [p.name for p in people]


@pytest.mark.parametrize("title, sent, received, through, enclosed", [
    ("Telegram, Ivanov to Petrov for Chen Yi, 3 May 1952 (excerpt)",
     ["Ivanov"], ["Chen Yi"], ["Petrov"], []),
    ("Ciphered Telegram No. 101, Ivanov to Comrade Petrov, containing a Message from Chen Yi",
     ["Ivanov"], ["Petrov"], [], ["Chen Yi"]),
    ("Telegram, Kim Il Sung to Chen Yi and Others, Regarding the Armistice Talks",
     ["Kim Il Sung"], ["Chen Yi"], [], []),
    ("Letter, Ivanov to the CPSU Central Committee and Petrov, on the Harvest",
     ["Ivanov"], ["CPSU Central Committee", "Petrov"], [], []),
    ("Cable, Chen Yi to Ivanov, 21 December 1949", ["Chen Yi"], ["Ivanov"], [], []),
    ("Cable, Chen Yi to Ivanov, December 21, 1949", ["Chen Yi"], ["Ivanov"], [], []),
    # patterns met on real pages the samples do not show (names made up)
    ("Ciphered Telegram No. 12, Ivanov to Petrov, for Cde. Chen Yi",
     ["Ivanov"], ["Chen Yi"], ["Petrov"], []),
    ("Ciphered Telegram, Ivanov to Chen Yi and Wang Li (via Petrov)",
     ["Ivanov"], ["Chen Yi", "Wang Li"], ["Petrov"], []),
    ("Ciphered Telegram No. 7, Ivanov to Chen Yi via Petrov", ["Ivanov"], ["Chen Yi"],
     ["Petrov"], []),
    ("Telegram from Chen Yi to I.V. Ivanov, transmitting 3 May 1951 Message from Wang Li to "
     "Petrov with Message from Sidorov", ["Chen Yi"], ["I.V. Ivanov"], [],
     ["Wang Li", "Sidorov"]),  # Wang Li's message, and Sidorov's with it
    ("Hand delivered note, Chen Yi to Ivanov, conveying telegram From Wang Li to Chen Yi",
     ["Chen Yi"], ["Ivanov"], [], ["Wang Li"]),
    # the archive's own supplement names the route, on either side
    ("Cable, Ivanov to Chen Yi [via Petrov]", ["Ivanov"], ["Chen Yi"], ["Petrov"], []),
    ("Cable, Ivanov [via Sidorov] to Chen Yi [via Petrov]", ["Ivanov"], ["Chen Yi"],
     ["Sidorov", "Petrov"], []),
    # an identification in parentheses, as in brackets: the name as written is the name
    ("Hand-delivered letter, Sokolov (Ivanov) to Chen Yi", ["Sokolov"], ["Chen Yi"], [], []),
    # an office before the name: the person is the name; a body's name keeps its words
    ("Telegram from Soviet Defense Minister A.B. Sokolov to Ivanov", ["A.B. Sokolov"],
     ["Ivanov"], [], []),
    ("Telegram, Ivanov to Secretary General Petrov", ["Ivanov"], ["Petrov"], [], []),
    ("Letter, Ivanov to General Staff", ["Ivanov"], ["General Staff"], [], []),
    ("Report, Hungarian Legation in North Korea to the Hungarian Foreign Ministry",
     ["Hungarian Legation in North Korea"], ["Hungarian Foreign Ministry"], [], []),
    # "Ambassador to the USA" is an office, not an addressee; "(1)" numbers the title;
    # "Re:" and a quoted phrase are subjects
    ("Telegram from Soviet Ambassador to the USA Sokolov to USSR Foreign Ministry (1)",
     ["Sokolov"], ["USSR Foreign Ministry"], [], []),
    ("Ciphered Telegram, Ivanov to Petrov, Re: Meeting Between Two Delegations", ["Ivanov"],
     ["Petrov"], [], []),
    ("Letter from Ivanov to Petrov, Marked 'Final Version'", ["Ivanov"], ["Petrov"], [], []),
    ("Letter, Ivanov to Chen Yi, O'Brien", ["Ivanov"], ["Chen Yi", "O'Brien"], [], []),
    # no genre: a sender with no English word in it; an excerpt of a letter is the letter's
    ("A.B. Sokolov to the CPSU CC", ["A.B. Sokolov"], ["CPSU CC"], [], []),
    ("Ivanov and Petrov to Chen Yi, 3 May 1950", ["Ivanov", "Petrov"], ["Chen Yi"], [], []),
    ("Excerpt from a Letter from Ivanov to Petrov", ["Ivanov"], ["Petrov"], [], []),
    # "Letter of A to B"; a subject after a dash; "Governor" is an office
    ("Letter of Governor Wang Li to Cdes. Ivanov and Petrov", ["Wang Li"],
     ["Ivanov", "Petrov"], [], []),
    ("Telegram from Ivanov to Petrov - The Delegation's Visit to the City", ["Ivanov"],
     ["Petrov"], [], []),
    # a subject after a comma with no keyword before it
    ("Cable, Petrov to Ivanov, Plans for the Delegation's Visit to Moscow", ["Petrov"],
     ["Ivanov"], [], []),
    # patterns of pages nobody here had seen (issue 22; names made up): a person where he was,
    # an office alone before the name, a report that names its sender only
    ("Telegram from Soviet Envoy Ivanov in Ulaanbaatar to Petrov", ["Ivanov"], ["Petrov"],
     [], []),
    ("Letter from Chargé d'Affaires Sokolov to Chen Yi", ["Sokolov"], ["Chen Yi"], [], []),
    ("Report from the Embassy in Berlin", ["Embassy in Berlin"], [], [], []),
    ("Report from Ambassador Ivanov, 'On the Harvest'", ["Ivanov"], [], [], []),
    ("Information from Trade Representative Ivanov", ["Ivanov"], [], [], []),
    ("Report of Ambassador Ivanov to Petrov", ["Ivanov"], ["Petrov"], [], []),
    # a subject with no comma before it, a time, weekday, classification or number after the
    # names, a dash before "From X to Y", an office "to" another office, an enclosure whose
    # writer is not named
    ("Letter of Ivanov to the Hungarian Ministry About His Talks in Sofia", ["Ivanov"],
     ["Hungarian Ministry"], [], []),
    ("Telegram from Ivanov to Petrov, 09:15 a.m., Monday", ["Ivanov"], ["Petrov"], [], []),
    ("Telegram from Ivanov to Petrov, TOP SECRET, No. 12.345", ["Ivanov"], ["Petrov"], [], []),
    ("Cipher Telegram No. 12/IV - From Ivanov to Petrov", ["Ivanov"], ["Petrov"], [], []),
    ("Cable No. 9, Foreign Minister Ivanov to Ambassador Petrov", ["Ivanov"], ["Petrov"], [],
     []),
    ("Letter from Ivanov to Petrov and Chen Yi Containing a Record of the Talks", ["Ivanov"],
     ["Petrov", "Chen Yi"], [], []),
])
def test_titles_of_letters(title, sent, received, through, enclosed):
    found = read_correspondents(title)
    assert found is not None
    assert (names(found.sender), names(found.addressees), names(found.through),
            names(found.enclosed_from)) == (sent, received, through, enclosed)


@pytest.mark.parametrize("title", [
    "Minutes of Conversation between Chen Yi and Ivanov",
    "Memorandum of Conversation between Chen Yi and Ivanov",
    "Draft Joint Communiqué of the Two Governments",
    "Record of a Meeting, 4 April 1953",
    "Excerpt from a Conversation between Chen Yi and Ivanov",
    "Chen Yi Talking to Ivanov",       # no genre, and an English word: no sender
    "Reply to Chen Yi",
    "Directive to Ivanov",
])
def test_documents_that_are_not_letters_name_no_correspondents(title):
    assert read_correspondents(title) is None


def test_a_title_that_cannot_be_read_gives_no_correspondents_and_a_warning():
    with pytest.raises(Unreadable):
        read_correspondents("Letter, Ivanov to 19 December discussions of the plan")
    doc = export(title="Letter, Ivanov to 19 December discussions of the plan")
    result = import_text(doc, "x.txt")
    root = etree.fromstring(result.xml)
    assert not root.xpath("//t:correspDesc", namespaces=T)
    assert [w.code for w in result.warnings] == ["correspondents"]


SAMPLES = {  # from EXPECTED.md: names as the title writes them (code names kept)
    "s01": (["Zhou Enlai"], ["Mao Zedong"], [], []),
    "s02": (["Filippov"], ["Mao Zedong"], [], []),
    "s03": (["Liu Shaoqi"], ["Gao Gang"], [], []),
    "s04": None,
    "s05": (["Erich Honecker"], ["Leonid Brezhnev"], [], []),
    "s06": (["Zhou Enlai"], ["Mao Zedong"], [], []),
    "s07": (["Feng Xi"], ["Kim Il Sung"], [], []),
    "s08": (["Filippov"], ["Zhou Enlai"], ["Zakharov"], []),
    "s09": (["Panyushkin"], ["Filippov"], [], ["Liu Shaoqi"]),
    "s10": None,
    "s11": (["Vyshinsky"], ["Shtykov"], [], []),
    "s12": (["Mao Zedong"], ["Liu Shaoqi"], [], []),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_samples_correspondents(name):
    found = sorted((SHARED / "samples").glob(f"{name}_*.txt"))
    need(bool(found), f"../shared/samples/{name}")
    root = etree.fromstring(import_file(found[0]).xml)

    def action(kind: str) -> list[str]:
        return ["".join(e.itertext()) for e in root.xpath(
            f"//t:correspAction[@type='{kind}']/*[self::t:persName or self::t:orgName]",
            namespaces=T)]
    enclosed = ["".join(e.itertext()) for e in root.xpath(
        "//t:correspDesc/t:note[@type='enclosure']/t:persName", namespaces=T)]
    got = (action("sent"), action("received"), action("transmitted"), enclosed)
    if SAMPLES[name] is None:
        assert not root.xpath("//t:correspDesc", namespaces=T)
    else:
        assert got == SAMPLES[name]


@pytest.mark.parametrize("title, sender", [
    ("Telegram from Sokolov [Stalin] to Mao Zedong", "Sokolov"),    # a code name, identified
    ("Telegram from Filipov [Stalin] to Mao Zedong", "Filipov"),    # a misspelt one
    ("Hand-delivered letter, Sokolov (Stalin) to Mao Zedong", "Sokolov"),
])
def test_a_name_the_register_lacks_refers_to_whom_its_identification_names(title, sender):
    result = import_text(export(title=title), "x.txt")
    root = etree.fromstring(result.xml)
    sent = root.xpath("//t:correspAction[@type='sent']/t:persName", namespaces=T)
    assert [("".join(p.itertext()), p.get("ref")) for p in sent] == [(sender, "#stalin")]
    assert not [w for w in result.warnings if w.code in ("unregistered", "correspondents")]
    if "[" in title:  # the identified words in the title refer too; the code name stays text
        named = root.xpath("//t:titleStmt/t:title/t:persName[@ref='#stalin']", namespaces=T)
        assert ["".join(p.itertext()) for p in named] == [sender]


def test_an_identification_after_an_honorific_names_only_the_name():
    result = import_text(export(title="Telegram from Comrade Sokolov [Stalin] to Mao Zedong"),
                         "x.txt")
    root = etree.fromstring(result.xml)
    title = root.xpath("//t:titleStmt/t:title", namespaces=T)[0]
    assert [("".join(p.itertext()), p.get("ref")) for p in title.xpath(
        "t:persName", namespaces=T)][:1] == [("Sokolov", "#stalin")]
    assert "".join(title.itertext()).startswith("Telegram from Comrade Sokolov")


@pytest.mark.parametrize("rows, addressees", [
    (["To Comrade Petrov"], ["Petrov"]),
    (["[To the] Harbour Board:"], ["Harbour Board"]),
    (["To: [Ivo] LANG2, URGENT"], ["Ivo LANG"]),
    (["to Cde. Ivo Lang", "to Cde. Ana Costa", "We write to you."], ["Ivo Lang", "Ana Costa"]),
    (["To Moscow"], []),
    (["Dear friends,"], []),
])
def test_a_letters_first_lines_name_its_addressees(rows, addressees):
    """Supplied words, a footnote marker glued to a name and a priority are no part of the
    name; consecutive address lines name several; a place or a greeting names nobody."""
    from tei_toolkit.importer.correspondents import addressees_in
    assert names(addressees_in(rows)) == addressees
