"""The reference document: what the issue asks of its TEI, element by element."""

from __future__ import annotations

import pytest

from lxml import etree

from tei_toolkit import Profile, __version__, import_file, normalize_source, read_tei, reading

from .conftest import SEED
from .helpers import text_of, xp


@pytest.fixture(scope="module")
def seed():
    result = import_file(SEED)
    return result, read_tei(result.xml, str(SEED))


def test_counts_match_the_issue(seed):
    result, root = seed
    assert len(xp(root, "//t:text//t:supplied")) == 9
    assert len(xp(root, "//t:text//t:gap[@reason='omitted']")) == 2
    assert result.counts.supplied == 9 and result.counts.gaps == 2
    # The one warning: its URL is on a test mirror (the TEI gives the archive's address).
    assert [(w.code, w.location.line) for w in result.warnings] == [("mirror-url", 11)]


def test_root_identity_and_language(seed):
    _, root = seed
    assert root.tag == "{http://www.tei-c.org/ns/1.0}TEI"
    assert root.get("{http://www.w3.org/XML/1998/namespace}id") == "wcda-121156"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


@pytest.mark.parametrize("where", [
    "t:teiHeader/t:fileDesc/t:titleStmt/t:title",
    "t:teiHeader/t:fileDesc/t:sourceDesc/t:bibl/t:title",
    "t:teiHeader/t:profileDesc/t:abstract/t:p",
])
def test_mao_zeong_corrected_in_title_citation_and_summary(seed, where):
    _, root = seed
    choice = xp(root, where + "//t:choice")  # inside persName: Mao Zedong is registered
    assert [text_of(c) for c in xp(choice[0], "t:sic")] == ["Mao Zeong"]
    assert [text_of(c) for c in xp(choice[0], "t:corr")] == ["Mao Zedong"]


def test_body_corrections(seed):
    _, root = seed
    pairs = [(text_of(c.find("{*}sic")), text_of(c.find("{*}corr")))
             for c in xp(root, "//t:body//t:choice[t:sic]")]
    assert pairs == [("long-rang", "long-range"), ("Dien Binh Phu", "Dien Bien Phu")]
    reg = xp(root, "//t:body//t:choice[t:orig]")
    assert [(text_of(r[0]), text_of(r[1])) for r in reg] == [("Mendes-France", "Mendès-France")]


def test_title_is_unwrapped(seed):
    _, root = seed
    title = xp(root, "string(t:teiHeader/t:fileDesc/t:titleStmt/t:title)")
    assert title == ("Telegram, Zhou Enlai to Mao ZeongMao Zedong, Liu Shaoqi, and the CCP "
                     "Central Committee")


def test_publication_statement(seed):
    _, root = seed
    pub = xp(root, "t:teiHeader/t:fileDesc/t:publicationStmt")[0]
    assert xp(pub, "string(t:authority)") == Profile.default().encoder != ""
    assert [etree.QName(c).localname for c in pub] == ["authority", "idno", "idno"]
    # The export names a mirror; the archive's own address goes here (the citation keeps
    # the export's URL, below).
    assert xp(pub, "string(t:idno[@type='URI'])") == \
        "https://digitalarchive.wilsoncenter.org/document/121156"
    assert xp(pub, "string(t:idno[@type='archive'])") == "121156"


def test_citation_taken_apart(seed):
    _, root = seed
    bibl = xp(root, "t:teiHeader/t:fileDesc/t:sourceDesc/t:bibl")[0]
    assert xp(bibl, "t:date/@when") == ["1954-06-19"]
    assert xp(bibl, "string(t:publisher)") == "Wilson Center Digital Archive"
    assert xp(bibl, "string(t:bibl[@type='source'])").startswith("Zhou Enlai nianpu, 1949-1976")
    assert xp(bibl, "t:ref/@target") == [
        "https://digitalarchive.wilsoncenter.org/document/121156"]  # links the archive


def test_profile_desc(seed):
    _, root = seed
    pd = xp(root, "t:teiHeader/t:profileDesc")[0]
    assert xp(pd, "t:creation/t:date/@when") == ["1954-06-19"]
    assert xp(pd, "t:langUsage/t:language/@ident") == ["zh", "en"]
    sent = xp(pd, "t:correspDesc/t:correspAction[@type='sent']/t:persName/text()")
    assert sent == ["Zhou Enlai"]
    received = xp(pd, "t:correspDesc/t:correspAction[@type='received']/*")
    assert [(etree_local(e), text_of(e)) for e in received] == [
        ("persName", "Mao Zedong"), ("persName", "Liu Shaoqi"), ("orgName", "CCP Central Committee")]


def etree_local(el) -> str:
    return el.tag.split("}")[1]


def test_encoding_desc_states_the_profile(seed):
    _, root = seed
    app = xp(root, "//t:encodingDesc/t:appInfo/t:application")[0]
    assert app.get("ident") == "tei_toolkit" and app.get("version") == __version__
    decl = text_of(xp(root, "//t:encodingDesc/t:editorialDecl")[0])
    for fact in ('"clarity"', '"omitted"', '"illegible"', "[sic]", "lexicon of 9 entries",
                 "lexicon.tsv", "wilson-center-default"):
        assert fact in decl


def test_body_structure(seed):
    _, root = seed
    div = xp(root, "t:text/t:body/t:div")[0]
    assert div.get("type") == "translation"
    assert div.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert len(xp(div, "t:p")) == 6
    supplied = xp(div, "//t:supplied")
    assert {s.get("reason") for s in supplied} == {"clarity"}
    assert {s.get("resp") for s in supplied} == {"#archive"}
    assert xp(root, "//t:respStmt[@xml:id='archive']")


def test_source_reading_reproduces_the_seed(seed):
    _, root = seed
    assert reading(root, "source") == normalize_source(SEED.read_text(encoding="utf-8"))


def test_corrected_reading(seed):
    _, root = seed
    text = reading(root, "corrected")
    assert "Mao Zedong" in text and "Mao Zeong" not in text
    assert "Dien Bien Phu" in text and "long-range interests" in text
    assert "[they are]" not in text and "and they are not prepared" in text
    assert "clear to the Vietnamese…" in text
