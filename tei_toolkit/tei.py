"""Source document + editorial spans -> a TEI P5 tree, and its serialisation."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from lxml import etree

from . import __version__
from .citation import Citation, parse_citation
from .correspondents import read_correspondents
from .errors import Finding, Location, SourceError
from .languages import SEPARATOR, split_languages
from .lexicon import Lexicon
from .markup import (Anchor, Choice, Context, Counts, Flag, Gap, Marked, Note, Supplied,
                     parse_inline)
from .profile import Profile
from .source import SourceDocument, Text

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STRUCTURAL = "Citation", "Summary", "Original Language"
_FOOTNOTE = re.compile(r"\[([0-9]{1,3})\] ")
_NCNAME_BAD = re.compile(r"[^\w.-]", re.UNICODE)


def T(tag: str) -> str:
    return f"{{{TEI_NS}}}{tag}"


@dataclass
class Built:
    root: etree._Element
    doc_id: str
    counts: Counts
    warnings: list[Finding] = field(default_factory=list)


def build(doc: SourceDocument, lexicon: Lexicon, profile: Profile) -> Built:
    """The TEI document for ``doc``. Raises SourceError from inline parsing."""
    footnotes, body = _split_footnotes(doc.body)
    ctx = Context(profile, lexicon.matcher if len(lexicon) else None,
                  frozenset(n for n, _ in footnotes))
    warnings = list(doc.warnings)

    citation_text = _section_text(doc, "Citation")
    citation = parse_citation(citation_text) if citation_text is not None else None
    if citation is None:
        warnings.append(Finding(doc.title.location(), "no-citation",
                                "no **Citation:** section; sourceDesc says so"))
    resp_translator = "#translator" if citation and citation.translators else "#archive"
    e = _Emitter(profile, resp_translator)

    title_nodes = parse_inline(doc.title, ctx, "title")
    doc_id = _doc_id(profile, citation, doc.path)

    root = etree.Element(T("TEI"), nsmap={None: TEI_NS})
    root.set(XML_ID, doc_id)
    root.set(XML_LANG, "en")
    header = etree.SubElement(root, T("teiHeader"))
    file_desc = etree.SubElement(header, T("fileDesc"))

    title_stmt = etree.SubElement(file_desc, T("titleStmt"))
    e.emit(etree.SubElement(title_stmt, T("title")), title_nodes)
    _resp(title_stmt, "encoder", "TEI encoding and lexicon corrections", "name", profile.encoder)
    _resp(title_stmt, "archive", "publication of the English translation and its editorial "
          "brackets", "orgName", (citation and citation.archive) or profile.archive)

    pub = etree.SubElement(file_desc, T("publicationStmt"))
    _sub(pub, "authority", profile.encoder)
    if citation and citation.url:
        _sub(pub, "idno", citation.url, type="URI")
        record, _ = citation.record_id()
        if record:
            _sub(pub, "idno", record, type="archive")

    # Sections with no structural place of their own (Credits, unknown headings, repeats).
    seen: set[str] = set()
    notes = []
    for section in doc.sections:
        if section.heading in STRUCTURAL and section.heading not in seen:
            seen.add(section.heading)
            continue
        notes.append(section)
        if section.heading != "Credits":
            warnings.append(Finding(
                Location(doc.path, section.line, 1), "unknown-section",
                f"section **{section.heading}:** has no place of its own in TEI; kept in "
                "notesStmt/note"))
    _check_order(doc, notes, warnings)
    if notes:
        notes_stmt = etree.SubElement(file_desc, T("notesStmt"))
        for section in notes:
            note = _sub(notes_stmt, "note", None, type="credits" if section.heading == "Credits"
                        else "export-section", n=section.heading)
            _paragraphs(e, note, section.paragraphs, ctx, "other")

    source_desc = etree.SubElement(file_desc, T("sourceDesc"))
    if citation is not None:
        _bibl(e, source_desc, citation, ctx, doc.title)
    else:
        _sub(source_desc, "p", "The export has no citation of its source.")

    header.append(_encoding_desc(profile, tuple(lexicon.sources), len(lexicon)))

    profile_desc = etree.SubElement(header, T("profileDesc"))
    creation = etree.SubElement(profile_desc, T("creation"))
    _sub(creation, "date", doc.date.text, when=doc.when)
    lang_usage = etree.SubElement(profile_desc, T("langUsage"))
    lang_section = doc.section("Original Language")
    if lang_section is not None and lang_section.paragraphs:
        lang_text = lang_section.paragraphs[0]
        languages = split_languages(lang_text.text)
        if SEPARATOR.join(n for n, _ in languages) != lang_text.text or len(lang_section.paragraphs) > 1:
            warnings.append(Finding(lang_text.location(), "language-list",
                                    f"original languages {lang_text.text!r} are listed as "
                                    f"{SEPARATOR.join(n for n, _ in languages)!r}"))
        for name, code in languages:
            if code is None:
                warnings.append(Finding(lang_text.location(), "unknown-language",
                                        f"no ISO 639 code known for {name!r}; encoded as 'und'"))
            _sub(lang_usage, "language", name, ident=code or "und", n="original")
    _sub(lang_usage, "language", "English", ident="en")
    summary = doc.section("Summary")
    if summary is not None:
        abstract = etree.SubElement(profile_desc, T("abstract"))
        _paragraphs(e, abstract, summary.paragraphs, ctx, "summary")
    _corresp_desc(e, profile_desc, title_nodes, doc.when)

    div = etree.SubElement(etree.SubElement(etree.SubElement(root, T("text")), T("body")),
                           T("div"), type="translation")
    div.set(XML_LANG, "en")
    if doc.version is not None:
        div.set("n", doc.version.text)
    for kind, para, n in body:
        if kind == "p":
            e.emit(etree.SubElement(div, T("p")), parse_inline(para, ctx, "body"))
        else:
            note = etree.SubElement(div, T("note"), n=n, place="end")
            note.set(XML_ID, f"fn{n}")
            count = ctx.anchors.get(n, 0)
            if count:
                note.set("target", " ".join(f"#{_anchor_id(n, k)}" for k in range(1, count + 1)))
            e.emit(note, parse_inline(para, ctx, "body", len(n) + 3))
            ctx.counts.notes += 1
    for n, para in footnotes:
        if not ctx.anchors.get(n):
            warnings.append(Finding(para.location(), "footnote-without-marker",
                                    f"footnote [{n}] has no marker [{n}] in the text"))
    warnings.extend(ctx.warnings)
    _indent(root)
    return Built(root, doc_id, ctx.counts, warnings)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


# -- pieces -------------------------------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, text: str | None, **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, T(tag), attrib)
    if text is not None:
        el.text = text
    return el


_ENCODING_DESCS: dict[tuple, etree._Element] = {}


def _encoding_desc(profile: Profile, sources: tuple[str, ...], size: int) -> etree._Element:
    """encodingDesc for a profile and lexicon: built once, copied for every document."""
    key = (profile, sources, size)
    cached = _ENCODING_DESCS.get(key)
    if cached is None:
        enc = etree.Element(T("encodingDesc"))
        app = etree.SubElement(etree.SubElement(enc, T("appInfo")), T("application"),
                               ident="tei_toolkit", version=__version__)
        _sub(app, "label", "tei_toolkit")
        _sub(app, "desc", "Imported from a plain-text archive export by tei_toolkit.")
        decl = etree.SubElement(enc, T("editorialDecl"))
        for tag, prose in profile.statements(list(sources), size):
            parent = decl if tag == "p" else etree.SubElement(decl, T(tag))
            _prose(etree.SubElement(parent, T("p")), prose)
        cached = _ENCODING_DESCS[key] = enc
    return copy.deepcopy(cached)


_PROSE_MARK = re.compile(r"\{(\w+)\}|@(\w+)")


def _prose(p: etree._Element, prose: str) -> None:
    """Prose where {name} is an element name (<gi>) and @name an attribute (<att>)."""
    last = None
    pos = 0
    for m in _PROSE_MARK.finditer(prose):
        _text(p, last, prose[pos:m.start()])
        last = _sub(p, "gi" if m[1] else "att", m[1] or m[2])
        pos = m.end()
    _text(p, last, prose[pos:])


def _resp(parent: etree._Element, xml_id: str, resp: str, name_tag: str, name: str) -> None:
    stmt = etree.SubElement(parent, T("respStmt"))
    stmt.set(XML_ID, xml_id)
    _sub(stmt, "resp", resp)
    _sub(stmt, name_tag, name)


def _section_text(doc: SourceDocument, heading: str) -> Text | None:
    """A section's paragraphs as one Text, a blank line between paragraphs."""
    section = doc.section(heading)
    if section is None:
        return None
    numbered: list[tuple[int, str]] = []
    for para in section.paragraphs:
        if numbered:
            numbered.append((numbered[-1][0] + 1, ""))
        numbered.extend(zip(para.lines, para.text.split("\n")))
    return Text.join(doc.path, numbered)


def _split_footnotes(paragraphs: list[Text]) -> tuple[list[tuple[str, Text]], list]:
    """The trailing paragraphs that start with '[N] ' are footnotes."""
    cut = len(paragraphs)
    while cut > 1 and _FOOTNOTE.match(paragraphs[cut - 1].text):
        cut -= 1
    footnotes = [(_FOOTNOTE.match(p.text).group(1), p) for p in paragraphs[cut:]]  # type: ignore[union-attr]
    seen: set[str] = set()
    for n, p in footnotes:
        if n in seen:
            raise SourceError(f"footnote [{n}] is given twice", p.location())
        seen.add(n)
    body = [("p", p, "") for p in paragraphs[:cut]] + [("note", p, n) for n, p in footnotes]
    return footnotes, body


def _doc_id(profile: Profile, citation: Citation | None, path: str) -> str:
    record, slug = citation.record_id() if citation else (None, None)
    if record is None and slug is None:
        slug = re.sub(r"\.[^.]*$", "", path.replace("\\", "/").rsplit("/", 1)[-1])
    return f"{profile.id_prefix}-{record or _NCNAME_BAD.sub('-', slug or 'document')}"


def _anchor_id(n: str, k: int) -> str:
    return f"fn{n}-a" if k == 1 else f"fn{n}-a{k}"


def _paragraphs(e: "_Emitter", parent: etree._Element, paragraphs: list[Text], ctx: Context,
                part: str) -> None:
    if not paragraphs:
        etree.SubElement(parent, T("p"))
    for para in paragraphs:
        e.emit(etree.SubElement(parent, T("p")), parse_inline(para, ctx, part))


def _check_order(doc: SourceDocument, notes: list, warnings: list[Finding]) -> None:
    """Warn when the export reading will not put the sections back in the source's order."""
    expected = [h for h in ("Citation", "Summary") if doc.section(h)]
    expected += [s.heading for s in notes]
    expected += ["Original Language"] if doc.section("Original Language") else []
    actual = [s.heading for s in doc.sections]
    if actual != expected:
        warnings.append(Finding(
            Location(doc.path, doc.sections[0].line, 1), "section-order",
            f"sections appear as {', '.join(actual)}; the export reading writes them as "
            f"{', '.join(expected)}"))


def _bibl(e: "_Emitter", parent: etree._Element, citation: Citation, ctx: Context,
          title: Text) -> None:
    bibl = etree.SubElement(parent, T("bibl"))
    t = citation.text
    translator = citation.first("translator")
    for part in citation.parts:
        if part.kind == "text":
            e.emit(bibl, parse_inline(t, ctx, "citation", part.start, part.end))
        elif part.kind == "lb":
            etree.SubElement(bibl, T("lb"))
        elif part.kind == "title":
            el = etree.SubElement(bibl, T("title"))
            e.emit(el, parse_inline(t, ctx, "citation", part.start, part.end))
        elif part.kind == "date":
            _sub(bibl, "date", t.text[part.start:part.end], when=part.value)
        elif part.kind == "publisher":
            _sub(bibl, "publisher", t.text[part.start:part.end])
        elif part.kind == "url":
            _sub(bibl, "ref", part.value, target=part.value)
        elif part.kind == "source":
            src = etree.SubElement(bibl, T("bibl"), type="source")
            if translator is None:
                e.emit(src, parse_inline(t, ctx, "citation", part.start, part.end))
                continue
            e.emit(src, parse_inline(t, ctx, "citation", part.start, translator.start))
            stmt = etree.SubElement(src, T("respStmt"))
            stmt.set(XML_ID, "translator")
            _sub(stmt, "resp", translator.value)
            for name in translator.names:
                _sub(stmt, "persName", name)
            stmt.tail = None
            e.emit(src, parse_inline(t, ctx, "citation", translator.end, part.end))


def _corresp_desc(e: "_Emitter", parent: etree._Element, title_nodes: list, when: str) -> None:
    found = read_correspondents(plain_title(title_nodes))
    if found is None:
        return
    desc = etree.SubElement(parent, T("correspDesc"))
    for kind, people in (("sent", found.sender), ("received", found.addressees)):
        if not people:
            continue
        action = etree.SubElement(desc, T("correspAction"), type=kind)
        for person in people:
            el = etree.SubElement(action, T("orgName" if person.is_org else "persName"))
            e.emit(el, _bracketed(person.name))
        if kind == "sent":
            etree.SubElement(action, T("date"), when=when)


def plain_title(nodes: list) -> str:
    """The title with corrections applied and supplements still in brackets."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Choice):
            out.append(node.entry.corr)
        elif isinstance(node, Supplied):
            out.append("[" + plain_title(node.children) + "]")
        elif isinstance(node, Marked):
            out.append(plain_title(node.children))
    return "".join(out)


def _bracketed(name: str) -> list:
    out: list = []
    for i, piece in enumerate(re.split(r"\[([^\]]*)\]", name)):
        if i % 2:
            out.append(Supplied([piece]))
        elif piece:
            out.append(piece)
    return out


class _Emitter:
    """Appends inline nodes to an element as TEI, keeping every character."""

    def __init__(self, profile: Profile, resp_translator: str) -> None:
        self.reason = profile.supplied_reason
        self.resp = resp_translator

    def emit(self, parent: etree._Element, nodes: list) -> None:
        last = parent[-1] if len(parent) else None
        for node in nodes:
            if isinstance(node, str):
                lines = node.split("\n")
                last = _text(parent, last, lines[0])
                for line in lines[1:]:
                    last = etree.SubElement(parent, T("lb"))
                    last = _text(parent, last, line)
                continue
            el = self.element(parent, node)
            last = el

    def element(self, parent: etree._Element, node: object) -> etree._Element:
        if isinstance(node, Supplied):
            el = etree.SubElement(parent, T("supplied"), reason=self.reason, resp=self.resp)
            if node.cert:
                el.set("cert", node.cert)
            self.emit(el, node.children)
        elif isinstance(node, Gap):
            el = etree.SubElement(parent, T("gap"), reason=node.reason)
            for attr in ("quantity", "unit", "extent", "rend"):
                value = getattr(node, attr)
                if value is not None:
                    el.set(attr, str(value))
            if node.desc is not None:
                _sub(el, "desc", node.desc)
        elif isinstance(node, Choice):
            el = etree.SubElement(parent, T("choice"))
            entry = node.entry
            if entry.is_regularisation:
                _sub(el, "orig", node.text)
                _sub(el, "reg", entry.corr, resp="#encoder")
            else:
                _sub(el, "sic", node.text)
                _sub(el, "corr", entry.corr, resp="#encoder", type=entry.type)
        elif isinstance(node, Note):
            resp = self.resp if node.type == "translator" else "#archive"
            el = etree.SubElement(parent, T("note"), type=node.type, place="inline", resp=resp)
            label = _sub(el, "label", node.label)
            label.tail = None
            self.emit(el, node.children)
        elif isinstance(node, Flag):
            el = _sub(parent, "note", node.text, type=node.type, place="inline", resp=self.resp)
        elif isinstance(node, Marked):
            el = etree.SubElement(parent, T(node.tag))
            if node.tag == "unclear":
                el.set("cert", "low")
                el.set("resp", self.resp)
            self.emit(el, node.children)
        elif isinstance(node, Anchor):
            el = etree.SubElement(parent, T("anchor"), type="footnote", n=node.n)
            el.set(XML_ID, _anchor_id(node.n, node.k))
        else:  # pragma: no cover - a new node type without an encoding is a programming error
            raise TypeError(f"no TEI encoding for {node!r}")
        return el


def _text(parent: etree._Element, last: etree._Element | None, s: str) -> etree._Element | None:
    if s:
        if last is None:
            parent.text = (parent.text or "") + s
        else:
            last.tail = (last.tail or "") + s
    return last


# Elements whose content is elements only: safe to indent. Everything else is mixed content,
# where added whitespace would change the text.
_INDENT = {T(n) for n in (
    "TEI teiHeader fileDesc titleStmt respStmt publicationStmt notesStmt sourceDesc "
    "encodingDesc appInfo application editorialDecl correction normalization interpretation "
    "profileDesc langUsage abstract correspDesc correspAction text body div"
).split()}


def _indent(el: etree._Element, level: int = 0) -> None:
    if el.tag not in _INDENT or not len(el) or (el.text and el.text.strip()):
        return
    if any(child.tail and child.tail.strip() for child in el):
        return
    inner = "\n" + "  " * (level + 1)
    el.text = inner
    for child in el:
        child.tail = inner
        _indent(child, level + 1)
    el[-1].tail = "\n" + "  " * level
