"""The reading edition and hostile addresses (issue 21, item 2): an address the TEI carries
into an href becomes a link only if it is http, https, mailto or relative; anything else is
shown as text. The Content-Security-Policy of each page is the second wall: only the page's
own CSS and script run."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
from pathlib import Path
from urllib.parse import quote, unquote

import lxml.html
import pytest
from lxml import etree

from tei_toolkit.exports import html as edition
from tei_toolkit.exports.html import build_site, link_target
from tei_toolkit.exports.letters import read_letter

from .browser import Browser
from .conftest import installed_tei
from .helpers import NS, export

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
PAYLOAD = "void(document.title='pwned')"  # void: the page stays; only the title tells

# Where the TEI carries an address into an href, and a hostile address for it. Each holds
# "pwned", so the test finds each one on the page, as a link or as text.
ARCHIVE = f"javascript://%0A{PAYLOAD}"  # the one tei import itself writes, from the export
FOOTNOTE = f"JaVaScRiPt:{PAYLOAD}"
FOOTNOTE_MORE = f"&#106;avascript:{PAYLOAD}"  # the browser decodes &#106; -> j, if unescaped
AUTHORITIES = {
    "GND": f"java\tscript:{PAYLOAD}",  # (letters.py strips an idno's ends)
    "VIAF": "data:text/html,<script>document.title='pwned'</script>",
    "LC": "vbscript:msgbox('pwned')",
    "WIKIDATA": "//pwned.example/Q1",
    "GEONAMES": f"javascript&colon;{PAYLOAD}",
}
FILE_STEM = f"javascript:{PAYLOAD}"  # a TEI without xml:id: its page is named by its file
DOC_ID = "wcda-hostile"  # the id tei import gives hostile.xml (no record number in its URL)
HOSTILE = [ARCHIVE, FOOTNOTE, FOOTNOTE_MORE, *AUTHORITIES.values()]
NAME_REF = "#javascript:void(0)"  # a name's ref: persons.html + it, a fragment, harmless


def browser_view(href: str) -> tuple[str, bool]:
    """(scheme, protocol-relative) of an href as the WHATWG URL standard reads it: C0 controls
    and spaces off the ends, tabs and newlines out, then a scheme if one starts it. Written
    apart from link_target, to check it."""
    u = href.strip("".join(map(chr, range(0x21)))).translate({9: None, 10: None, 13: None})
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", u)
    return (m.group(1).lower() if m else ""), bool(re.match(r"[/\\]{2}", u))


def tei(*args: str) -> None:
    proc = subprocess.run([installed_tei(), *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def hostile_tei(folder: Path) -> list[Path]:
    """Two documents that `tei import` wrote from a made-up export whose archive address is
    javascript:, then given hostile addresses everywhere else the TEI has one."""
    folder.mkdir(parents=True, exist_ok=True)
    citation = ('"Telegram, Gao Gang to Peng Dehuai", June 19, 1954, Wilson Center Digital '
                f"Archive, Some Book, p. 1.  \n<{ARCHIVE}>")
    src = folder / "hostile.txt"
    src.write_text(export(citation=citation, body="Gao Gang wrote.[1] More.\n\n[1] The note."),
                   encoding="utf-8")
    first = folder / "hostile.xml"
    tei("import", str(src), "-o", str(first))
    tree = etree.parse(str(first))
    root = tree.getroot()
    assert root.xpath("string(//t:publicationStmt/t:idno[@type='URI'])", namespaces=NS) \
        == ARCHIVE  # the importer carried it, as the defect says
    assert root.get(XML_ID) == DOC_ID
    note = root.xpath("//t:body//t:note[@place='end']", namespaces=NS)[0]
    note.set("target", f"{FOOTNOTE} {FOOTNOTE_MORE}")
    name = root.xpath("//t:body//t:persName", namespaces=NS)[0]
    name.set("ref", NAME_REF)  # read_letter checks only correspDesc's refs
    person = root.xpath("//t:standOff//t:person[@xml:id='gao-gang']", namespaces=NS)[0]
    for authority, uri in AUTHORITIES.items():
        idno = etree.SubElement(person, "{http://www.tei-c.org/ns/1.0}idno", type=authority)
        idno.text = uri
    tree.write(str(first), encoding="utf-8", xml_declaration=True)
    del root.attrib[XML_ID]
    second = folder / f"{FILE_STEM}.xml"
    tree.write(str(second), encoding="utf-8", xml_declaration=True)
    return [first, second]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    files = hostile_tei(base / "tei")
    site = base / "site"
    tei("export", *map(str, files), "--to", "html", "-d", str(site))
    return site


# -- the one function that decides ---------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://digitalarchive.wilsoncenter.org/document/121156",
    "http://d-nb.info/gnd/118642499", "HTTPS://EXAMPLE.ORG/", "mailto:archive@example.org",
    "MailTo:archive@example.org", "https://example.org/?a=1&b=2#x", "https:example.org",
    "persons.html#stalin", "#fn1", "wcda-121156.html", "./x.html", "../up/x.html",
    "/absolute/x.html", "./javascript%3Avoid%280%29.html",  # a page named javascript:void(0)
])
def test_safe_addresses_become_links_as_written(url):
    assert link_target(url) == url


@pytest.mark.parametrize("url, href", [
    (" https://example.org/ ", "https://example.org/"),  # a browser drops the spaces
    ("ht\ttps://example.org/", "https://example.org/"),   # ... and the tab: https
    ("\nmailto:a@example.org\r", "mailto:a@example.org"),
])
def test_what_the_browser_drops_is_dropped(url, href):
    assert link_target(url) == href


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "JAVASCRIPT:alert(1)",
    " javascript:alert(1)", " java\tscript:alert(1)", "java\nscript:alert(1)",
    "java\rscript:alert(1)", "\x01javascript:alert(1)", "\x00javascript:alert(1)",
    "\x1fjavascript:alert(1)", "javascript\x0b:alert(1)", "\x7fjavascript:alert(1)",
    "javascript://%0Aalert(1)", "javascript:alert(1)#https://example.org",
    "data:text/html,<script>alert(1)</script>", "DATA:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)", "VbScRiPt:msgbox(1)",
    # What an HTML or percent decoding gives counts too:
    "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "&#0000106avascript:alert(1)",
    "javascript&colon;alert(1)", "java&Tab;script:alert(1)", "java&NewLine;script:alert(1)",
    "&#1;javascript:alert(1)", "%6Aavascript:alert(1)", "javascript%3Aalert(1)",
    "%20javascript:alert(1)",
    # Protocol-relative: on file://, where the edition is read, another host's file share.
    "//evil.example/x", "\\\\evil.example\\share", "/\\evil.example", "\\/evil.example",
    " //evil.example", "\t//evil.example", "%2F%2Fevil.example",
    # Any other scheme, and look-alikes:
    "file:///etc/passwd", "ftp://example.org/", "about:blank", "blob:https://x/1",
    "chrome://settings", "feed:javascript:alert(1)", "notes:1",
    "\uff4aavascript:alert(1)", "\u00a0javascript:alert(1)", "java\u200bscript:alert(1)",
    "\\javascript:alert(1)", "", "   ", "\t",
    # A control character inside: never a real address (and lxml could not write it).
    "page\x01.html", "https://example.org/\x1b[0m",
])
def test_anything_else_is_not_a_link(url):
    assert link_target(url) is None


def test_every_href_is_built_by_the_one_function():
    """html.py makes an <a> in one place, ``_a``, which asks ``link_target``."""
    source = Path(edition.__file__).read_text(encoding="utf-8")
    assert source.count("E.A(") == 1 and source.count("link_target(href)") == 1
    a = source[source.index("def _a("):]
    a = a[:a.index("\ndef ")]
    assert "E.A(" in a and "link_target(href)" in a
    assert not re.search(r"""\.set\(\s*["']href|["']href["']\s*:""", source)


# -- every place an href is built, on hostile TEI ----------------------------------------------

@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory) -> dict[str, etree._Element]:
    letters = [read_letter(p) for p in hostile_tei(tmp_path_factory.mktemp("pages"))]
    return {p.name: lxml.html.fromstring(p.html) for p in build_site(letters)}


DOC, INDEX, PERSONS = f"{DOC_ID}.html", "index.html", "persons.html"
FILE_PAGE = "./javascript%3Avoid%28document.title%3D%27pwned%27%29.html"
# Each place html.py builds an href: the page, the element there, and either the href it must
# have (a link) or the text it must show (not a link). The first, hostile, fail before the fix;
# the others hold what must stay a link.
SITES = {
    "archive address": (DOC, "//dt[.='Archive']/following-sibling::dd[1]/*", None, ARCHIVE),
    "authority, document page": (DOC, "//dd/*[starts-with(., '[GND]')]", None,
                                 f"[GND] ({AUTHORITIES['GND']})"),
    "footnote number": (DOC, "//ol[@class='footnotes']/li/*[1]", None, f"1 ({FOOTNOTE})"),
    "footnote back-link": (DOC, "//ol[@class='footnotes']/li/*[last()]", None,
                           f"↩ ({FOOTNOTE_MORE})"),
    "authority, persons page": (PERSONS, "//section/*[starts-with(., 'VIAF')]", None,
                                f"VIAF ({AUTHORITIES['VIAF']})"),
    "document link, index": (INDEX, "//tbody//a[contains(@href, 'pwned')]", FILE_PAGE, None),
    "document link, persons page": (PERSONS, "//h2[@id='gao-gang']/following-sibling::ul[1]"
                                    "//a[contains(@href, 'pwned')]", FILE_PAGE, None),
    "name in the text": (DOC, "//article[@id='corrected']//*[@class='name']",
                         f"persons.html{NAME_REF}", None),
    "correspondent": (DOC, "(//dd/a[starts-with(@href, 'persons.html')])[1]",
                      "persons.html#gao-gang", None),
    "note anchor": (DOC, "//sup/a", "#fn1", None),
    "navigation": (DOC, "//nav/a[2]", "persons.html", None),
}


@pytest.mark.parametrize("site", sorted(SITES))
def test_each_place_an_href_is_built(hostile_pages, site):
    page, path, href, text = SITES[site]
    found = hostile_pages[page].xpath(path)
    assert len(found) == 1, path
    el = found[0]
    if href is not None:
        assert (el.tag, el.get("href")) == ("a", href)
        assert browser_view(href) == ("", False)
    else:
        assert el.tag == "span" and "unlinked" in el.get("class").split()
        assert el.get("href") is None and el.text_content() == text


def test_no_hostile_address_becomes_a_link_anywhere(tmp_path):
    letters = [read_letter(p) for p in hostile_tei(tmp_path / "tei")]
    pages = {p.name: lxml.html.fromstring(p.html) for p in build_site(letters)}
    assert sorted(pages) == sorted([f"{DOC_ID}.html", f"{FILE_STEM}.html", "index.html",
                                    "persons.html"])
    hrefs = [(name, a.get("href")) for name, page in pages.items()
             for a in page.iter("a") if a.get("href") is not None]
    for name, href in hrefs:  # what the browser reads (entities decoded by the parser)
        scheme, protocol_relative = browser_view(href)
        assert scheme in ("", "http", "https", "mailto") and not protocol_relative, (name, href)
    # ... and each hostile address is still there, as text, where its link would be:
    doc = pages[f"{DOC_ID}.html"]
    shown = " ".join(e.text_content() for e in doc.find_class("unlinked"))
    for address in HOSTILE:
        assert address in shown, address
    archive = doc.xpath("//dt[.='Archive']/following-sibling::dd[1]")[0]
    assert archive.text_content() == ARCHIVE and not archive.xpath(".//a")
    gnd = doc.xpath("//dd/span[contains(@class, 'unlinked')][starts-with(., '[GND]')]")[0]
    assert gnd.text_content() == f"[GND] ({AUTHORITIES['GND']})"
    number = doc.xpath("//ol[@class='footnotes']/li/*[1]")[0]
    assert number.tag == "span" and number.get("class") == "n unlinked"
    persons = pages["persons.html"]
    assert not persons.xpath("//a[@rel='external']")
    assert {s.text_content() for s in persons.find_class("unlinked")} >= {
        f"{k} ({v})" for k, v in AUTHORITIES.items()}
    # The page named by its file is still linked, as the relative address it is:
    index = pages["index.html"]
    links = [a.get("href") for a in index.xpath("//tbody//a")]
    assert sorted(links) == sorted([f"./{DOC_ID}.html", "./javascript%3Avoid%28document.title"
                                    "%3D%27pwned%27%29.html"])
    # The safe links are all still there: names, notes, navigation.
    assert doc.xpath("//a[@href='persons.html#gao-gang']")
    assert doc.xpath("//a[@href='index.html']") and doc.xpath("//a[@href='#fn1']")


def test_a_page_named_by_its_file_is_reached_by_its_link(hostile_site):
    index = lxml.html.fromstring((hostile_site / "index.html").read_bytes())
    hrefs = index.xpath("//tbody//a/@href")
    assert len(hrefs) == 2
    for href in hrefs:  # a relative address, and the file it names (percent-decoded) is there
        assert browser_view(href) == ("", False), href
        assert (hostile_site / unquote(href)).is_file(), href


# -- in a real browser -------------------------------------------------------------------------

CANDIDATES = """(function(){
  var found = Array.prototype.filter.call(document.querySelectorAll('a, .unlinked'), function(e){
    var href = e.getAttribute('href') || '';
    if (href.indexOf('./') === 0) return false;  // a document page (the index test's)
    return (href + e.textContent).indexOf('pwned') >= 0;});
  found.forEach(function(e, i){ e.setAttribute('data-test-target', i); });
  return found.map(function(e){ return e.tagName + ' ' + (e.getAttribute('href') || '') +
                                       ' ' + e.textContent; });})()"""


@pytest.mark.parametrize("page, least", [
    (f"{DOC_ID}.html", 3 + len(AUTHORITIES)),  # archive, two footnote links; From: authorities
    ("persons.html", len(AUTHORITIES)),
])
def test_clicking_a_hostile_link_runs_nothing(hostile_site, page, least):
    url = (hostile_site / page).resolve().as_uri()
    with Browser() as b:
        b.open(url)
        title = b.js("document.title")
        assert title and "pwned" not in title
        found = b.js(CANDIDATES)
        assert len(found) >= least, found
        for i, what in enumerate(found):
            b.click(f"[data-test-target='{i}']")
            b.settle(0.5)
            # The title is the page's own (no javascript: ran), the page is still there (no
            # data: or other page replaced it) and the browser is where it was.
            assert b.js("document.title") == title, what
            assert b.js("location.href") == url, what
            assert b.js("document.querySelectorAll('[data-test-target]').length") == \
                len(found), what


def test_the_index_link_to_a_page_named_javascript_opens_that_page(hostile_site):
    url = (hostile_site / "index.html").resolve().as_uri()
    with Browser() as b:
        b.open(url)
        found = b.js("Array.prototype.filter.call(document.querySelectorAll('tbody a'), "
                     "function(a){return a.getAttribute('href').indexOf('pwned') >= 0})"
                     ".map(function(a){a.id = 'named-by-file'; return a.getAttribute('href')})")
        assert len(found) == 1, found
        b.click("#named-by-file")
        b.settle(1.0)
        assert "pwned" not in b.js("document.title")
        assert b.js("location.href") == url.rsplit("/", 1)[0] + "/" + quote(
            f"{FILE_STEM}.html", safe="")
        assert b.js("document.querySelector('h1').innerText") == \
            "Telegram, Gao Gang to Peng Dehuai"


def inject(page: Path) -> Path:
    """The page with what a hostile TEI might get past the export: an inline script, an
    event attribute and a javascript: link."""
    html = page.read_text(encoding="utf-8")
    bad = ("<script>document.title='injected'</script>"
           "<img src='missing.png' onerror=\"document.title='injected'\">"
           "<p><a id='injected' href=\"javascript:void(document.title='injected')\">"
           "injected</a></p>")
    assert html.count("</body>") == 1
    out = page.with_name("injected-" + page.name)
    out.write_text(html.replace("</body>", bad + "</body>"), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("plain")
    src = base / "plain.txt"
    src.write_text(export(body="Some text.[1] More.\n\n[1] The note."), encoding="utf-8")
    tei("import", str(src), "-o", str(base / "plain.xml"))
    second = base / "second.txt"
    second.write_text(export(date="May 2, 1950", title="Letter, Peng Dehuai to Gao Gang",
                             citation='"Letter", May 2, 1950, Wilson Center Digital Archive, '
                             "Some Book, p. 2.  \n<https://example.org/document/456>"),
                      encoding="utf-8")
    tei("import", str(second), "-o", str(base / "second.xml"))
    site = base / "site"
    tei("export", str(base / "plain.xml"), str(base / "second.xml"), "--to", "html",
        "-d", str(site))
    return site


def test_the_policy_stops_an_injected_script_and_the_page_still_works(plain_site):
    doc = read_letter(plain_site.parent / "plain.xml")
    page = inject(plain_site / f"{doc.id}.html")
    with Browser() as b:
        b.open(page.resolve().as_uri())
        b.settle(0.5)
        assert b.js("document.title") == doc.title  # neither the script nor onerror ran
        b.click("#injected")
        b.settle(1.0)
        assert b.js("document.title") == doc.title  # nor the javascript: link
        # The page's own CSS applies and its own script runs: the reading switch.
        assert b.js("getComputedStyle(document.body).backgroundColor") == "rgb(255, 253, 248)"
        assert b.js("document.getElementById('archive').hidden") is True
        b.click("button[data-reading='archive']")
        b.settle(0.3)
        assert b.js("document.getElementById('archive').hidden") is False
        assert b.js("document.getElementById('corrected').hidden") is True
        assert b.js("location.hash") == "#archive"


def test_the_policy_lets_the_index_scripts_run(plain_site):
    page = inject(plain_site / "index.html")
    with Browser() as b:
        b.open(page.resolve().as_uri())
        b.settle(0.5)
        assert b.js("document.title") == "Documents"
        dates = "Array.prototype.map.call(document.querySelectorAll('tbody tr'), " \
                "function(r){return r.children[0].dataset.key})"
        b.click("thead th button", 0)   # sort by date, ascending ...
        b.settle(0.3)
        first = b.js(dates)
        b.click("thead th button", 0)   # ... and descending
        b.settle(0.3)
        assert b.js(dates) == list(reversed(first)) and first == sorted(first) and \
            len(set(first)) == 2
        assert b.js("document.title") == "Documents"


def test_each_policy_names_its_own_page_s_script_and_css(plain_site):
    for page in plain_site.glob("*.html"):
        if page.name.startswith("injected-"):
            continue
        raw = page.read_text(encoding="utf-8")
        policy = lxml.html.fromstring(raw).xpath(
            "//head/meta[@http-equiv='Content-Security-Policy']/@content")
        assert len(policy) == 1, page.name
        # First after the charset: the policy covers only what comes after it.
        assert re.search(r"<head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-"
                         r"Policy\"", raw), page.name
        directives = dict(d.strip().split(" ", 1) for d in policy[0].split(";"))
        assert directives["default-src"] == "'none'" and directives["base-uri"] == "'none'"

        def digest(text: str) -> str:
            return "'sha256-" + base64.b64encode(hashlib.sha256(
                text.encode("utf-8")).digest()).decode() + "'"
        scripts = re.findall(r"<script>(.*?)</script>", raw, re.S)
        styles = re.findall(r"<style>(.*?)</style>", raw, re.S)
        assert directives["script-src"] == (" ".join(map(digest, scripts)) or "'none'")
        assert directives["style-src"] == " ".join(map(digest, styles))
        assert "unsafe" not in policy[0]
