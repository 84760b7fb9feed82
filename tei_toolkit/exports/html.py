"""Letters -> a reading edition: one self-contained HTML page per document, an index, persons.

Built with lxml in Python, not XSLT: the readings (``readings.py``) already decide how every
bracket class reads, and the pages reuse that one home instead of restating it in a
stylesheet. Every page carries its own CSS and a few lines of plain JavaScript (the reading
switch, sorting and filtering the index); nothing is fetched, so the pages work from
``file://`` and offline, and they print without the switch.

The TEI is data, not trusted markup: every href goes through ``link_target`` (only http,
https, mailto and relative addresses become links; anything else is shown as text), and each
page carries a Content-Security-Policy that lets only its own CSS and script run (by hash), so
a script that got into a page anyway, or a ``javascript:`` link, does not run.

A document page: the header as a reader wants it (date, from/to with links to the persons
page and to authority files, source, archive link, summary, languages, how it was encoded);
the text in the corrected reading (corrections marked and the archive's form given in the
title and, for screen readers, in the text; supplements in square brackets; omissions as
[…]; identifications and other spellings in brackets; notes at their anchors; footnotes at the
end, linked both ways) and the archive's reading, one switch away.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from lxml import etree
from lxml.html import builder as E

from ..spans import ellipsis_mark, span_of
from ..xmlcore import TEI_NS, XML_ID, XML_NS, T
from .letters import Entry, Letter, Party
from .readings import inline_reading

_NS = {"t": TEI_NS}
_XML_LANG = f"{{{XML_NS}}}lang"

CSS = """
:root{--ink:#1d1d1b;--muted:#5b5b57;--accent:#7a2e1d;--paper:#fffdf8;--mark:#f4e7c5}
*{box-sizing:border-box}
body{margin:0;background:var(--paper);color:var(--ink);font:1.05rem/1.6 Georgia,"Times New Roman",serif;overflow-wrap:anywhere}
header,main,footer,nav{max-width:46rem;margin:0 auto;padding:0 1rem}
nav{padding-top:1rem;font-family:system-ui,sans-serif;font-size:.9rem}
a{color:var(--accent)} a:focus,button:focus,select:focus,th button:focus{outline:3px solid #1a5fb4;outline-offset:2px}
h1{font-size:1.5rem;line-height:1.3;margin:.6rem 0}
dl.meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem;font-family:system-ui,sans-serif;font-size:.92rem}
dl.meta dt{color:var(--muted)} dl.meta dd{margin:0;min-width:0}
dl.legend{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem;margin:.5rem 0 0}
dl.legend dd{margin:0;min-width:0} details.legend{font-family:system-ui,sans-serif;font-size:.92rem;margin:1rem 0}
details.legend summary{cursor:pointer;color:var(--accent)}
.switch{margin:1.2rem 0;font-family:system-ui,sans-serif}
.switch button{font:inherit;padding:.3rem .8rem;border:1px solid var(--accent);background:#fff;color:var(--accent);cursor:pointer}
.switch button[aria-pressed=true]{background:var(--accent);color:#fff}
.supplied{color:var(--muted)} .gloss{color:var(--muted);font-style:italic}
ins.corr{text-decoration:none;background:var(--mark);border-bottom:1px dotted var(--accent)}
.gap{color:var(--muted)} .closer{margin-top:1.5rem} .milestone{border:0;border-top:1px solid #ccc;margin:1.5rem 0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
ol.footnotes{font-size:.92rem;border-top:1px solid #ccc;padding:.5rem 0 0;list-style:none}
ol.footnotes .n{font-weight:bold;margin-right:.3rem}
table{border-collapse:collapse;width:100%;font-family:system-ui,sans-serif;font-size:.9rem}
th,td{text-align:left;vertical-align:top;padding:.35rem .4rem;border-bottom:1px solid #e2ddd0}
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;color:inherit}
main.index,header.index{max-width:70rem}
@media (max-width:40rem){dl.meta{grid-template-columns:minmax(0,1fr)} dl.meta dt{margin-top:.4rem}
 table thead{display:none} table tr{display:block;border-bottom:2px solid #ccc} table td{display:block;border:0}
 table td[data-label]::before{content:attr(data-label);display:block;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.04em}}
@media print{.switch,nav,script{display:none} [hidden]{display:none} body{background:#fff}}
"""

SWITCH_JS = """
function show(id){document.querySelectorAll('.switch button').forEach(function(o){
o.setAttribute('aria-pressed',o.dataset.reading===id?'true':'false')});
document.querySelectorAll('article.reading').forEach(function(a){a.hidden=a.id!==id});
document.querySelectorAll('[data-shows]').forEach(function(e){e.hidden=e.dataset.shows!==id});}
document.querySelectorAll('.switch button').forEach(function(b){b.addEventListener('click',function(){
show(b.dataset.reading);history.replaceState(null,'','#'+b.dataset.reading);});});
if(location.hash==='#archive'){show('archive');}
"""

INDEX_JS = """
var rows=Array.prototype.slice.call(document.querySelectorAll('tbody tr'));
document.querySelectorAll('th button').forEach(function(b,i){b.addEventListener('click',function(){
var asc=b.getAttribute('data-asc')!=='true';b.setAttribute('data-asc',asc);
rows.sort(function(x,y){var p=x.children[i].dataset.key||x.children[i].textContent,q=y.children[i].dataset.key||y.children[i].textContent;return asc?p.localeCompare(q):q.localeCompare(p)});
rows.forEach(function(r){r.parentNode.appendChild(r)});});});
var f=document.getElementById('person');f.addEventListener('change',function(){
rows.forEach(function(r){r.hidden=f.value!==''&&(' '+r.dataset.people+' ').indexOf(' '+f.value+' ')<0});});
"""


# -- links and the Content-Security-Policy ---------------------------------------------------

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# What a browser drops from a URL before reading its scheme (the WHATWG URL standard): C0
# controls and space at either end, tab and newlines anywhere ("java\tscript:" is javascript:).
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_TAB_AND_NEWLINES = str.maketrans("", "", "\t\n\r")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def link_target(url: str) -> str | None:
    """The href to write for ``url``, or None if it may not become a link: only http, https,
    mailto and relative addresses may, and only if what an HTML or percent decoding of them
    gives may too. Protocol-relative addresses (``//host``) may not."""
    # The browser decodes the page's HTML once (lxml escapes "&", so that gives the text back)
    # and never percent-decodes a scheme; but a copy of the href in other HTML, or a tool that
    # percent-decodes, would: "&#106;avascript:" and "%6Aavascript:" are refused too.
    forms = {url, html.unescape(url), unquote(url)}
    cleaned = [f.strip(_C0_AND_SPACE).translate(_TAB_AND_NEWLINES) for f in forms]
    if not all(_may_link(f) for f in cleaned):
        return None
    # As the browser reads it (ends and tabs gone); also what lxml can write (no controls).
    return url.strip(_C0_AND_SPACE).translate(_TAB_AND_NEWLINES)


def _may_link(url: str) -> bool:
    if not url or _CONTROL.search(url):  # never in a real address, and lxml cannot write it
        return False
    # "//host" and "\\host" (browsers read a backslash as a slash) leave the edition: on the
    # web for http(s), but from file://, where the edition is read, for a file on that host
    # (a Windows share).
    if re.match(r"[/\\]{2}", url):
        return False
    # A scheme is whatever comes before a ':' in the first segment; a relative address has none
    # ("notes:1" is refused rather than guessed at).
    head = re.split(r"[/?#]", url, maxsplit=1)[0]
    if ":" not in head:
        return True
    scheme = head.split(":", 1)[0]
    return scheme.lower() in LINK_SCHEMES


def _a(*content: Any, href: str, **attrs: str) -> etree._Element:
    """A link to ``href`` if ``link_target`` allows it, else the same content as text (with
    the address, where the content does not show it already); its id and class are kept."""
    target = link_target(href)
    if target is not None:
        return E.A(*content, href=target, **attrs)
    kept = {k: v for k, v in attrs.items() if k == "id"}
    kept["class"] = " ".join(filter(None, (attrs.get("class"), "unlinked")))
    shown = [] if list(content) == [href] else [f" ({href})"]
    return E.SPAN(*content, *shown, **kept)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() \
        + "'"


def content_security_policy(script: str = "", css: str = CSS) -> str:
    """The page's policy: nothing loads, and only the page's own CSS and script (by their
    hashes) run: no other inline script, no ``javascript:`` link, no event attribute."""
    scripts = _csp_hash(script) if script else "'none'"
    return (f"default-src 'none'; script-src {scripts}; style-src {_csp_hash(css)}; "
            "base-uri 'none'; form-action 'none'")


@dataclass
class Page:
    name: str  # file name
    html: bytes


def page_name(letter: Letter) -> str:
    return f"{letter.id}.html"


def page_href(letter: Letter) -> str:
    """The link to a document's page: "./" and its name percent-encoded, so that a page named
    by its file (the TEI has no xml:id), such as ``javascript:x.xml``, stays a relative address
    however it is read."""
    return "./" + quote(page_name(letter), safe="")


def build_site(letters: list[Letter]) -> list[Page]:
    """Every page of the edition: one per letter, index.html and persons.html."""
    pages = [Page(page_name(x), _document(x)) for x in letters]
    pages.append(Page("index.html", _index(letters)))
    pages.append(Page("persons.html", _persons(letters)))
    return pages


# -- pages -----------------------------------------------------------------------------------

def _html(title: str, body: list[Any], script: str = "") -> bytes:
    doc = E.HTML(
        E.HEAD(E.META(charset="utf-8"),
               # First in the head: the policy covers only what comes after it.
               E.META(**{"http-equiv": "Content-Security-Policy",
                         "content": content_security_policy(script)}),
               E.META(name="viewport", content="width=device-width, initial-scale=1"),
               E.TITLE(title), E.STYLE(CSS)),
        E.BODY(*body, *([E.SCRIPT(script)] if script else [])),
        lang="en")
    return b"<!DOCTYPE html>\n" + etree.tostring(doc, method="html", encoding="utf-8") + b"\n"


def _nav() -> etree._Element:
    return E.NAV(_a("All documents", href="index.html"), " · ",
                 _a("Persons, bodies and places", href="persons.html"), **{"aria-label": "Site"})


def _party_links(parties: list[Party]) -> list[Any]:
    out: list[Any] = []
    for i, p in enumerate(parties):
        if i:
            out.append(", ")
        if p.entry is None:
            out.append(p.text)
            continue
        out.append(_a(p.name, href=f"persons.html#{p.entry.id}"))
        if p.text != p.name:
            out.append(f" (written {p.text})")
        for authority, uri in p.entry.uris:
            out += [" ", _a(f"[{authority}]", href=uri, rel="external")]
    return out


def _document(letter: Letter) -> bytes:
    root = letter.root
    assert root is not None
    meta: list[Any] = [E.DT("Date"), E.DD(_time(letter))]
    for label, parties in (("From", letter.senders), ("To", letter.recipients),
                           ("Through", letter.transmitted),
                           ("Encloses a message from", letter.enclosed_from)):
        if parties:
            meta += [E.DT(label), E.DD(*_party_links(parties))]
    for action, label in (("sent", "Sent from"), ("received", "Received at")):
        if action in letter.places:
            meta += [E.DT(label), E.DD(*_party_links([letter.places[action]]))]
    if letter.citation:
        meta += [E.DT("Source"), E.DD(letter.citation)]
    if letter.url:
        meta += [E.DT("Archive"), E.DD(_a(letter.url, href=letter.url))]
    languages = root.xpath("t:teiHeader/t:profileDesc/t:langUsage/t:language",
                           namespaces=_NS)
    if languages:
        meta += [E.DT("Languages"), E.DD(", ".join(
            f"{''.join(x.itertext())} ({'original' if x.get('n') == 'original' else 'this text'})"
            for x in languages))]
    meta += [E.DT("Encoding"), E.DD(_encoding(root))]
    meta += _reviewed(root)
    title = root.find(f"{T('teiHeader')}/{T('fileDesc')}/{T('titleStmt')}/{T('title')}")
    header: list[Any] = [E.H1(*_both_readings(title)) if title is not None
                         else E.H1(letter.title), E.DL(*meta, **{"class": "meta"})]
    abstract = root.xpath("t:teiHeader/t:profileDesc/t:abstract/t:p", namespaces=_NS)
    if abstract:
        header.append(E.SECTION(E.H2("Summary"), *[E.P(*_both_readings(p)) for p in abstract],
                                **{"aria-label": "Summary"}))
    body = root.find(f"{T('text')}/{T('body')}/{T('div')}")
    corrected = _Corrected().article(body) if body is not None else E.ARTICLE()
    archive = _archive(body) if body is not None else E.ARTICLE()
    switch = E.DIV(E.BUTTON("Corrected reading", type="button", **{
        "aria-pressed": "true", "data-reading": "corrected"}), " ",
        E.BUTTON("Archive's reading", type="button", **{
            "aria-pressed": "false", "data-reading": "archive"}),
        role="group", **{"class": "switch", "aria-label": "Reading"})
    return _html(letter.title, [
        _nav(), E.HEADER(*header),
        E.MAIN(switch, _legend(), corrected, archive),
    ], SWITCH_JS)


def _time(letter: Letter) -> etree._Element:
    """The date as the export writes it; machine-readable where the importer read it."""
    return E.TIME(letter.date_text, datetime=letter.date) if letter.date \
        else E.SPAN(letter.date_text)


def _both_readings(el: etree._Element) -> list[Any]:
    """A header's words in both readings, as the text below shows them: the corrected one
    with the encoder's corrections marked, and the archive's own words (the switch shows
    one of them)."""
    return [E.SPAN(*_Corrected().inline(el), **{"data-shows": "corrected"}),
            E.SPAN(inline_reading(el, "source"), hidden="hidden", lang="en",
                   **{"data-shows": "archive"})]


def _reviewed(root: etree._Element) -> list[Any]:
    """Who reviewed the import's decisions, and when (revisionDesc), if anyone did."""
    out: list[Any] = []
    for change in root.xpath("t:teiHeader/t:revisionDesc/t:change[@who]", namespaces=_NS):
        ids = [w.lstrip("#") for w in (change.get("who") or "").split()]
        names = [" and ".join(" ".join("".join(n.itertext()).split()) for n in root.xpath(
            "t:teiHeader/t:fileDesc/t:titleStmt/t:respStmt[@xml:id=$id]/*[not(self::t:resp)]",
            namespaces=_NS, id=i)) for i in ids]
        said = " ".join("".join(change.itertext()).split())
        out += [E.DT("Reviewed"), E.DD(", ".join(filter(None, names)) or "an editor",
                                       " (", E.TIME(change.get("when", ""),
                                                    datetime=change.get("when", "")),
                                       f"): {said}")]
    return out


def _legend() -> etree._Element:
    """What the corrected reading's marks mean, each shown as the text shows it."""
    rows: list[Any] = []
    for sample, meaning in (
            (E.SPAN("[words]", **{"class": "supplied"}),
             "words the translator or the archive supplied for the sense"),
            (E.SPAN("[a note]", **{"class": "gloss"}),
             "a note in square brackets: who or what is meant, the original wording, an "
             "acronym's expansion, another spelling, a translated title, a translator's or "
             "editor's note"),
            (E.INS("word", **{"class": "corr"}),
             "corrected by the encoder from the lexicon: hover over it, or read on with a "
             "screen reader, for what the archive writes"),
            (E.SPAN("[…]", **{"class": "gap"}), "words the archive left out"),
            (_a("Name", href="persons.html", **{"class": "name"}),
             "a person, body or place of the register: the link goes to its entry")):
        rows += [E.DT(sample), E.DD(meaning)]
    return E.DETAILS(
        E.SUMMARY("How to read this page"),
        E.P("The corrected reading shows the archive's text with the encoder's corrections and "
            "marks every editorial intervention; the archive's reading shows the text exactly "
            "as the archive published it, brackets and all."),
        E.DL(*rows, **{"class": "legend"}), **{"class": "legend"})


def _encoding(root: etree._Element) -> str:
    decl = root.xpath("t:teiHeader/t:encodingDesc/t:editorialDecl/t:p", namespaces=_NS)
    first = " ".join("".join(decl[0].itertext()).split()) if decl else ""
    return (f"{first} Square brackets mark words the translator or the archive added; the "
            "corrected reading applies the encoder's corrections, which are highlighted.")


def _archive(div: etree._Element) -> etree._Element:
    """The archive's reading: the export's own text, paragraph by paragraph."""
    parts: list[Any] = []
    for child in div:
        if not isinstance(child.tag, str):
            continue
        if child.tag == T("milestone"):
            parts.append(E.HR(**{"class": "milestone"}))
            continue
        text = inline_reading(child, "source")
        if child.tag == T("note"):
            n = child.get("n", "")
            text = f"{n} {text}" if child.get("rend") == "flattened" else f"[{n}] {text}"
        lines = text.split("\n")
        content: list[Any] = []
        for i, line in enumerate(lines):
            if i:
                content.append(E.BR())
            content.append(line)
        parts.append(E.P(*content))
    return E.ARTICLE(*parts, id="archive", hidden="hidden", lang="en",
                     **{"class": "reading", "aria-label": "The archive's reading"})


class _Corrected:
    """The corrected reading as HTML, every editorial intervention marked."""

    def __init__(self) -> None:
        self.footnotes: list[etree._Element] = []

    def article(self, div: etree._Element) -> etree._Element:
        parts: list[Any] = []
        for child in div:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag == "milestone":
                parts.append(E.HR(**{"class": "milestone"}))
            elif tag == "head":
                parts.append(E.H2(*self.inline(child)))
            elif tag == "closer":
                parts.append(E.P(*self.inline(child), **{"class": "closer"}))
            elif tag == "note" and child.get("place") == "end":
                n = child.get("n", "")
                targets = (child.get("target") or "").split()
                number = _a(n, href=targets[0], **{"class": "n",
                                                    "aria-label": f"back to the text of note {n}"}) \
                    if targets else E.SPAN(n, **{"class": "n"})
                more = [_a("↩", href=t, **{"aria-label": f"back to the text of note {n}"})
                        for t in targets[1:]]
                self.footnotes.append(E.LI(number, " ", *self.inline(child), *more,
                                           id=child.get(XML_ID)
                                           or f"fn{n}"))
            else:
                parts.append(E.P(*self.inline(child)))
        if self.footnotes:
            parts.append(E.SECTION(E.H2("Notes"), E.OL(*self.footnotes,
                                                        **{"class": "footnotes"})))
        lang = div.get(_XML_LANG) or "en"
        return E.ARTICLE(*parts, id="corrected", lang=lang,
                         **{"class": "reading", "aria-label": "Corrected reading"})

    def inline(self, el: etree._Element) -> list[Any]:
        out: list[Any] = []
        if el.text:
            out.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                out += self.element(child)
            if child.tail:
                out.append(child.tail)
        return out

    def element(self, el: etree._Element) -> list[Any]:
        span = span_of(el)
        if span is not None:
            return self.span(span.shape, el)
        tag = etree.QName(el).localname
        if tag == "lb":
            return [E.BR()]
        if tag == "note" and el.get("place") == "inline":  # a kind the importer never writes
            return [E.SPAN("[", *self.inline(el), "]", **{"class": "gloss note",
                                                         "title": "note"})]
        if tag == "anchor":
            n = el.get("n") or ""
            xml_id = el.get(XML_ID) or ""
            note = xml_id.split("-a")[0] or f"fn{n}"
            return [E.SUP(_a(n, href=f"#{note}", id=xml_id,
                              **{"aria-label": f"note {n}"}))]
        if tag in ("persName", "orgName", "rs") and el.get("ref", "").startswith("#"):
            return [_a(*self.inline(el), href=f"persons.html{el.get('ref')}",
                        **{"class": "name"})]
        if tag in ("signed", "dateline"):
            return [E.SPAN(*self.inline(el), **{"class": tag})]
        return self.inline(el)

    def span(self, shape: str, el: etree._Element) -> list[Any]:
        """An editorial span, marked as its shape reads (spans.SHAPES)."""
        if shape == "supplied":
            return [E.SPAN("[", *self.inline(el), "]", **{"class": "supplied",
                                                         "title": "supplied by the editors"})]
        desc = el.find(T("desc"))
        if shape == "illegible" or (shape == "omission" and desc is not None):
            text = "".join(desc.itertext()) if desc is not None else "illegible"
            return [E.SPAN(f"[{text}]", **{"class": "gap"})]
        if shape == "double":
            return [E.SPAN("[[", *self.inline(el), "]]", **{
                "class": "gloss", "title": "an uncertain reading (the translator's double "
                                            "brackets)"})]
        if shape == "omission":
            mark = ellipsis_mark(el.get("rend") or "") or "…"
            return [E.SPAN("[…]", **{"class": "gap", "title": f"omission (the archive: {mark})"})]
        if shape == "pair":
            first, second = [c for c in el if isinstance(c.tag, str)][:2]
            return [*self.inline(first), " ",
                    E.SPAN("[", *self.inline(second), "]", **{"class": "gloss"})]
        if shape == "correction":
            return self.correction(el)
        if el.tag == T("title"):  # a translated title
            return [E.SPAN("[", *self.inline(el), "]", **{"class": "gloss"})]
        if el.get("place") != "inline":  # a footnote inside a paragraph: its text
            return self.inline(el)
        kind = el.get("type") or "note"
        foreign = el.find(T("foreign"))
        lang = foreign.get(_XML_LANG) if foreign is not None else None
        span = E.SPAN("[", *self.inline(el), "]", **{"class": f"gloss {kind}",
                                                     "title": kind.replace("-", " ")})
        if lang and lang != "und":
            span.set("lang", lang)
        return [span]

    def correction(self, el: etree._Element) -> list[Any]:
        """The encoder's correction, highlighted; the archive's form in its tooltip and for
        screen readers."""
        kids = {etree.QName(c).localname: c for c in el if isinstance(c.tag, str)}
        sic = kids.get("sic") if "sic" in kids else kids.get("orig")
        corr = kids.get("corr") if "corr" in kids else kids.get("reg")
        if sic is None or corr is None:
            return self.inline(el)
        was = "".join(sic.itertext())
        return [E.INS(*self.inline(corr), **{"class": "corr",
                                             "title": f"the archive writes: {was}"}),
                E.SPAN(f" (the archive writes: {was})", **{"class": "sr"})]


_COLUMNS = ("Date", "Title", "From", "To", "Summary")


def _index(letters: list[Letter]) -> bytes:
    people: dict[str, str] = {}
    rows = []
    for x in sorted(letters, key=lambda x: (x.date, x.id)):
        named = [p for p in (*x.senders, *x.recipients) if p.entry is not None]
        for p in named:
            assert p.entry is not None
            people[p.entry.id] = p.entry.name
        # data-label: on a phone the header row is hidden and each value is labelled.
        rows.append(E.TR(
            E.TD(_time(x), **{"data-key": x.date,
                                                           "data-label": _COLUMNS[0]}),
            E.TD(_a(x.title, href=page_href(x)), **{"data-label": _COLUMNS[1]}),
            E.TD(", ".join(p.name for p in x.senders) or "—", **{"data-label": _COLUMNS[2]}),
            E.TD(", ".join(p.name for p in x.recipients) or "—",
                 **{"data-label": _COLUMNS[3]}),
            E.TD(x.summary.split("\n\n")[0] if x.summary else "",
                 **{"data-label": _COLUMNS[4]}),
            **{"data-people": " ".join(p.entry.id for p in named if p.entry)}))
    options = [E.OPTION("everyone", value="")] + [
        E.OPTION(name, value=pid) for pid, name in sorted(people.items(), key=lambda i: i[1])]
    head = E.THEAD(E.TR(*[E.TH(E.BUTTON(label, type="button"), scope="col")
                          for label in _COLUMNS]))
    return _html("Documents", [
        _nav(),
        E.HEADER(E.H1(f"Documents ({len(letters)})"), E.P(
            E.LABEL("Show letters from or to ", **{"for": "person"}),
            E.SELECT(*options, id="person")), **{"class": "index"}),
        E.MAIN(E.TABLE(head, E.TBODY(*rows)), **{"class": "index"}),
    ], INDEX_JS)


def _persons(letters: list[Letter]) -> bytes:
    entries: dict[str, Entry] = {}
    named_in: dict[str, list[Letter]] = {}
    for x in letters:
        for entry in x.entries.values():
            entries.setdefault(entry.id, entry)
            named_in.setdefault(entry.id, []).append(x)
    items = []
    for entry in sorted(entries.values(), key=lambda e: e.name):
        life = f" ({entry.birth or '?'}–{entry.death or '?'})" if entry.birth or entry.death \
            else ""
        links: list[Any] = []
        for authority, uri in entry.uris:
            links += [" ", _a(authority, href=uri, rel="external")]
        docs = [E.LI(_a(x.title, href=page_href(x))) for x in named_in[entry.id]]
        items.append(E.SECTION(E.H2(entry.name + life, id=entry.id), *links,
                               E.UL(*docs)))
    return _html("Persons, bodies and places", [
        _nav(), E.HEADER(E.H1("Persons, bodies and places")), E.MAIN(*items)])
