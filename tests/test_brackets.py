"""What each square bracket means, as an editor reads it (../shared/samples/EXPECTED.md).

Every bracket of every sample is named here with its class; the TEI of each class is checked
on the documents, and the round trip stays exact.
"""

from __future__ import annotations

from collections import Counter

import pytest
from lxml import etree

from tei_toolkit import import_file, read_tei, reading
from tei_toolkit.importer.brackets import classify

from .conftest import SEED, SHARED, need

SUPPLEMENT, COMPLETION, IDENTIFICATION = "supplement", "completion", "identification"
ORIGINAL, EXPANSION, RESPELLING, TITLE = "original", "expansion", "respelling", "translated-title"
T = {"t": "http://www.tei-c.org/ns/1.0"}

EXPECTED = {
    "s01": [("We", SUPPLEMENT), ("side", SUPPLEMENT), ("is necessary", SUPPLEMENT),
            ("us", SUPPLEMENT)],
    "s02": [("Stalin", IDENTIFICATION)] * 3 + [("aviadivizii", ORIGINAL),
                                               ("of the divisions", SUPPLEMENT),
                                               ("STALIN", IDENTIFICATION)],
    "s03": [("Manuscripts of Liu Shaoqi", TITLE), ("between Mukden and Andong", SUPPLEMENT),
            ("1951", COMPLETION)],
    "s04": [("in Bern", SUPPLEMENT), ("The", SUPPLEMENT), (".", SUPPLEMENT)],
    "s05": [("Socialist Unity Party of Germany", EXPANSION),
            ("Regierungskommission", ORIGINAL)],
    "s06": [("had", SUPPLEMENT), ("of this", SUPPLEMENT)],
    "s07": [("Stalin", IDENTIFICATION)] * 3 + [
        ("Ministry of State Security", EXPANSION), ("Pyongyang", RESPELLING),
        ("Korean People's Army", EXPANSION), ("the Soviet ambassador", IDENTIFICATION),
        ("Razuvaev", IDENTIFICATION), ("Ministry of State Security", EXPANSION),
        ("March", COMPLETION), ("Pyongyang", RESPELLING), ("with all precautions", SUPPLEMENT),
        ("Korean People's Army", EXPANSION), ("nemedlenno pristupit' k otgruzke", ORIGINAL),
        ("railway", SUPPLEMENT), ("Pak Hon Yong", RESPELLING), ("Kim", COMPLETION)],
    "s08": [("Stalin", IDENTIFICATION)] * 3 + [("on an armistice", SUPPLEMENT)],
    "s09": [("Stalin", IDENTIFICATION)] * 4 + [("Chinese People's Volunteers", EXPANSION),
                                               ("volfram", ORIGINAL)],
    "s10": [("in full", SUPPLEMENT), ("N. Raghavan", IDENTIFICATION), ("huaqiao", ORIGINAL),
            # the commission's name completed; EXPECTED.md accepts a supplement too
            ("for Supervision and Control", SUPPLEMENT)],
    "s11": [],
    "s12": [("Mao Zedong's Manuscripts since the Founding of the People's Republic", TITLE),
            ("Liu", COMPLETION), ("celebrations", SUPPLEMENT), ("1949", COMPLETION)],
}


def _sample(name: str):
    found = sorted((SHARED / "samples").glob(f"{name}_*.txt"))
    need(bool(found), f"../shared/samples/{name}_*.txt")
    return found[0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_bracket_of_the_samples_has_the_editors_class(name):
    result = import_file(_sample(name))
    got = Counter((b.text, b.kind) for b in result.brackets)
    assert got == Counter(EXPECTED[name]), sorted(got.items())
    assert all(b.evidence for b in result.brackets)


def test_the_seed_keeps_its_nine_supplements():
    result = import_file(SEED)
    assert [b.kind for b in result.brackets] == [SUPPLEMENT] * 9
    assert result.counts.supplied == 9 and result.counts.gaps == 2


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_class_has_its_tei_and_the_round_trip_is_exact(name):
    source = _sample(name)
    result = import_file(source)
    root = etree.fromstring(result.xml)
    kinds = {k for _, k in EXPECTED[name]}
    body = root.find(".//t:text", T)
    if IDENTIFICATION in kinds:
        assert root.xpath(".//t:note[@type='identification'][@place='inline'][@resp]",
                          namespaces=T)
    if ORIGINAL in kinds:
        langs = root.xpath(".//t:note[@type='original']/t:foreign/@xml:lang", namespaces=T)
        assert langs and all(lang in ("ru-Latn", "de", "zh-Latn") for lang in langs), langs
    if EXPANSION in kinds:
        assert body.xpath(".//t:choice[t:abbr][t:expan[@resp]]", namespaces=T)
    if RESPELLING in kinds:
        assert body.xpath(".//t:choice[t:orig][t:reg[@resp]]", namespaces=T)
    if TITLE in kinds:
        assert root.xpath(".//t:sourceDesc//t:title[@type='translated'][@xml:lang='en']",
                          namespaces=T)
    if COMPLETION in kinds:
        assert root.xpath(".//t:supplied[@reason='completion']", namespaces=T)
    from tei_toolkit.exports.readings import normalize_source
    text = source.read_text(encoding="utf-8")
    assert reading(read_tei(result.xml, "x.xml"), "source") == normalize_source(text)


@pytest.mark.parametrize("before, inner, after, part, kind", [
    # made-up sentences in the patterns of real pages
    ("a talk with Ivanov ", "the Soviet consul", " about", "body", IDENTIFICATION),
    ("She ", "Petrova", " agreed", "body", IDENTIFICATION),
    ("the TASS ", "report", " says", "body", SUPPLEMENT),  # one English word: no expansion
    ("the VVS ", "Voenno-Vozdushnye Sily", " units", "body", EXPANSION),
    ("on 3 ", "April", ",", "body", COMPLETION),
    ("", "Zhang", " Wentian said", "body", COMPLETION),
    ("send the ", "dokumenty", " now", "body", ORIGINAL),
    ("send the ", "documents", " now", "body", SUPPLEMENT),
    ("Hanoi ", "Ha Noi", "", "body", RESPELLING),
    # given names supplied after an honorific complete the name; the honorific names nobody
    ("told Comrade ", "Ivan Petrovich", " Sokolov that", "body", COMPLETION),
    ("Cde. ", "Ivan", " Sokolov said", "body", COMPLETION),
    ("told Comrade ", "Sokolov", " that", "body", SUPPLEMENT),
    ("to ", "Foreign Minister", " Chen Yi", "body", SUPPLEMENT),  # an office: no completion
    # a body's English name, then its name (or abbreviation) in the original
    ("the Presidential Council ", "Elnöki Tanács", " agreed", "body", ORIGINAL),
    ("the Ministry of Foreign Affairs ", "Külügyminisztérium", " sent", "body", ORIGINAL),
    ("of the Central Committee ", "KB", ", led by", "body", ORIGINAL),
    ("the Union of Socialist Youth (USY) ", "Szocialista Ifjúsági Szövetség, SZISZ", " said",
     "body", ORIGINAL),
    # ... but persons after a body, or after a role, are not its name
    ("the Secretariat ", "Ivanov, Petrov", " met", "body", SUPPLEMENT),
    ("The Chairman ", "Liu Chang", " spoke", "body", IDENTIFICATION),
    # English words after a word English lacks say what it means: no other spelling
    ("members of the PolitSoviet ", "Political Council", " of the CC", "body",
     IDENTIFICATION),
])
def test_synthetic_brackets(before, inner, after, part, kind):
    assert classify(before, inner, after, part, language="ru-Latn").kind == kind


def test_explain_lists_every_bracket_for_review(tmp_path):
    import json
    import subprocess

    from .conftest import installed_tei
    sample = _sample("s07")
    proc = subprocess.run([installed_tei(), "import", str(sample), "-d", str(tmp_path / "out"),
                           "--explain", "-j", "2"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "] " in line and ": [" in line]
    assert len(lines) == len(EXPECTED["s07"])
    assert f"{sample}:12:49: [Ministry of State Security] expansion (phrase_after_acronym): " \
           "a phrase after the acronym MGB" in lines
    proc = subprocess.run([installed_tei(), "import", str(sample), "-d", str(tmp_path / "out"),
                           "--explain", "--json", "--force"], capture_output=True, text=True,
                          timeout=120)
    brackets = json.loads(proc.stdout)["files"][0]["brackets"]
    assert Counter((b["text"], b["class"]) for b in brackets) == Counter(EXPECTED["s07"])
    assert all(b["evidence"] and b["line"] and b["column"] for b in brackets)
    # Each names the rule that decided: one of the classifier's, or of the bracket reader's.
    from tei_toolkit.importer.brackets import RULES
    rules = {r.__name__.removeprefix("rule_") for r in RULES} | {"default", "no_words",
                                                                 "source_note"}
    assert {b["rule"] for b in brackets} <= rules and len({b["rule"] for b in brackets}) > 3


@pytest.mark.parametrize("inner", ["emphasis in the original", "underlined in the original",
                                   "handwritten", "stamp", "in English in the original",
                                   "italics added", "Approved for Release, March 2009"])
def test_a_bracket_describing_the_original_is_a_source_note(inner):
    from .helpers import export
    from tei_toolkit import import_text
    from tei_toolkit.exports.readings import normalize_source
    text = export(body=f"Only one member [{inner}] came, Ivanov said.")
    result = import_text(text, "x.txt")
    root = etree.fromstring(result.xml)
    notes = root.xpath("//t:body//t:note[@type='source'][@place='inline'][@resp]",
                       namespaces=T)
    assert ["".join(n.itertext()) for n in notes] == [inner]
    assert not root.xpath("//t:body//t:supplied", namespaces=T)
    assert [(b.text, b.kind) for b in result.brackets] == [(inner, "source")]
    for kind in ("source", "corrected"):  # both readings keep it in brackets
        assert f"member [{inner}] came" in reading(read_tei(result.xml, "x.xml"), kind)
    assert reading(read_tei(result.xml, "x.xml"), "source") == normalize_source(text)


def test_the_rest_of_a_registered_name_is_a_completion_and_the_whole_name_refers():
    from .helpers import body_xml, export
    from tei_toolkit import import_text
    text = export(body="Premier Zhou [Enlai] agreed, and Kim [Il Sung] left.")
    result = import_text(text, "x.txt")
    assert [(b.text, b.kind) for b in result.brackets] == [("Enlai", COMPLETION),
                                                           ("Il Sung", COMPLETION)]
    assert "register knows as 'Zhou Enlai'" in result.brackets[0].evidence
    xml = body_xml("Premier Zhou [Enlai] agreed, and Kim [Il Sung] left.")
    assert ('Premier <persName ref="#zhou-enlai">Zhou <supplied reason="completion" '
            'resp="#archive">Enlai</supplied></persName> agreed') in xml
    assert '<persName ref="#kim-il-sung">Kim <supplied' in xml
    from tei_toolkit.exports.readings import normalize_source
    assert reading(read_tei(result.xml, "x.xml"), "source") == normalize_source(text)
