"""TEI written by the importer -> text again: the source reading and the corrected reading.

The source reading gives back the export (after the layout normalisation stated in
``editorialDecl``) character for character; the corrected reading applies the corrections,
drops the brackets of supplied text and renders omissions plainly, and renders the other
bracket classes as the profile's ``[reading]`` section says: identifications and other
spellings in brackets after the words, an acronym's expansion once (or every time), original
wording bracketed (or dropped).
"""

from __future__ import annotations

import re

from lxml import etree

from ..errors import Location, TeiInputError
from ..spans import ellipsis_mark, span_of
from ..importer.profile import Profile
from ..importer.source import closes_title
from ..xmlcore import T
from ..xmlcore import TEI_NS, safe_parser, tag_of
from . import READINGS

_NS = {"t": TEI_NS}


def reading(root: etree._Element, which: str = "source", path: str = "<tei>",
            profile: Profile | None = None) -> str:
    """The export text of a TEI document written by ``tei import``; ``profile`` (default: the
    default profile) says how the corrected reading renders original wording and expansions."""
    if which not in READINGS:
        raise ValueError(f"unknown reading {which!r}")
    if root.tag != T("TEI"):
        raise TeiInputError(f"the root element is {root.tag!r}, not a TEI document",
                            Location(path, root.sourceline or 0))
    r = _Renderer(which == "corrected", path, profile or Profile.default())
    date = _one(root, "t:teiHeader/t:profileDesc/t:creation/t:date", path, "creation date")
    title = _one(root, "t:teiHeader/t:fileDesc/t:titleStmt/t:title", path, "title")
    blocks = [f"**{r.inline(date)}**", f"**{r.inline(title)}**"]

    source_desc = _one(root, "t:teiHeader/t:fileDesc/t:sourceDesc", path, "sourceDesc")
    bibl = source_desc.find(T("bibl"))
    if bibl is not None:
        blocks += ["**Citation:**", r.inline(bibl)]
    abstract = root.find(f"{T('teiHeader')}/{T('profileDesc')}/{T('abstract')}")
    if abstract is not None:
        blocks += ["**Summary:**", r.paragraphs(abstract)]
    for note in root.iterfind(f"{T('teiHeader')}/{T('fileDesc')}/{T('notesStmt')}/{T('note')}"):
        blocks += [f"**{note.get('n') or 'Notes'}:**", r.paragraphs(note)]
    languages = root.xpath("t:teiHeader/t:profileDesc/t:langUsage/t:language[@n='original']",
                           namespaces=_NS)
    if languages:
        blocks += ["**Original Language:**", ", ".join(r.inline(x) for x in languages)]
    blocks.append("**Contents:**")
    div = _one(root, "t:text/t:body/t:div", path, "body div")
    heading = div.get("n")
    if heading:
        blocks.append(heading)
    for child in div:
        if child.tag in (T("p"), T("head"), T("closer")):
            blocks.append(r.inline(child))
        elif child.tag == T("milestone"):
            m = re.fullmatch(r"underscores(\d+)", child.get("rend") or "")
            blocks.append("_" * int(m.group(1)) if m else "")
        elif child.tag == T("note"):
            n = child.get("n")
            blocks.append(f"{n} {r.inline(child)}" if child.get("rend") == "flattened"
                          else f"[{n}] {r.inline(child)}")
    return "\n\n".join(b for b in blocks if b) + "\n"


def inline_reading(el: etree._Element, which: str = "corrected",
                   profile: Profile | None = None) -> str:
    """One element's reading (a title, a citation, a paragraph), as ``reading`` gives it."""
    return _Renderer(which == "corrected", "<tei>", profile or Profile.default()).inline(el)


def _one(root: etree._Element, xpath: str, path: str, what: str) -> etree._Element:
    found = root.xpath(xpath, namespaces=_NS)
    if not found:
        raise TeiInputError(
            f"no {what} ({xpath.replace('t:', '')}): only TEI written by 'tei import' can be "
            "exported as text", Location(path))
    first: etree._Element = found[0]
    return first


class _Renderer:
    def __init__(self, corrected: bool, path: str, profile: Profile) -> None:
        self.corrected = corrected
        self.path = path
        self.drop_original = corrected and profile.reading_original == "dropped"
        self.expand_once = corrected and profile.reading_expansions == "first"
        self.expanded: set[str] = set()  # acronyms whose expansion the reader has seen

    def paragraphs(self, el: etree._Element) -> str:
        return "\n\n".join(self.inline(p) for p in el.iterfind(T("p")))

    def inline(self, el: etree._Element) -> str:
        out: list[str] = []
        self._content(el, out)
        return "".join(out)

    def _content(self, el: etree._Element, out: list[str]) -> None:
        if el.text:
            out.append(el.text)
        for child in el:
            if isinstance(child.tag, str):
                self._element(child, out)
            if child.tail:
                out.append(child.tail)

    def _element(self, el: etree._Element, out: list[str]) -> None:
        span = span_of(el)
        if span is not None:
            self._span(span.shape, el, out)
            return
        tag = etree.QName(el).localname if tag_of(el).startswith("{") else tag_of(el)
        if tag == "lb":
            out.append("\n")
        elif tag == "note":  # a note of another kind than the importer writes
            if el.get("place") == "inline":
                out.append(f"[{self.inline(el)}]")
            else:
                self._content(el, out)
        elif tag == "anchor":
            if el.get("n"):
                out.append(el.get("n", "") if el.get("rend") == "flattened"
                           else f"[{el.get('n')}]")
        elif tag == "choice":
            self._choice(el, out)
        elif tag == "respStmt":
            resp = el.find(T("resp"))
            names = [self.inline(c) for c in el if c.tag != T("resp") and isinstance(c.tag, str)]
            parts = [self.inline(resp)] if resp is not None else []
            if names:
                parts.append(" and ".join(names))
            out.append(" ".join(parts))
        elif tag == "desc":
            pass
        else:
            self._content(el, out)

    def _span(self, shape: str, el: etree._Element, out: list[str]) -> None:
        """An editorial span, as its shape reads (spans.SHAPES)."""
        if shape == "supplied":
            out.append(self.inline(el) if self.corrected else f"[{self.inline(el)}]")
        elif shape in ("omission", "illegible"):
            out.append(self._gap(el))
        elif shape == "original" and self.drop_original:
            # "without delay [nemedlenno ...], and": the space before goes with it.
            if out and out[-1].endswith(" "):
                out[-1] = out[-1][:-1]
        elif shape in ("gloss", "original"):
            out.append(f"[{self.inline(el)}]")
        elif shape == "pair":
            self._pair(el, out)
        elif shape == "double":
            out.append(f"[[{self.inline(el)}]]")
        elif shape == "correction":
            self._choice(el, out)
        else:  # a footnote: its text (its number is the body's to write)
            self._content(el, out)

    def _pair(self, el: etree._Element, out: list[str]) -> None:
        """NAME [other form]: an expansion or another spelling, kept whole in both
        readings; an acronym is expanded where the reader first meets the expansion."""
        parts = [self.inline(c) for c in el if isinstance(c.tag, str)]
        if len(parts) != 2:
            out.append("".join(parts))
        elif self.expand_once and el.find(T("abbr")) is not None:
            out.append(parts[0] if parts[0] in self.expanded else f"{parts[0]} [{parts[1]}]")
            self.expanded.add(parts[0])
        else:
            out.append(f"{parts[0]} [{parts[1]}]")

    def _choice(self, el: etree._Element, out: list[str]) -> None:
        """A correction: the archive's form in the source reading, the encoder's in the
        corrected one."""
        keep = ("corr", "reg") if self.corrected else ("sic", "orig")
        for child in el:
            if isinstance(child.tag, str) and etree.QName(child).localname in keep:
                self._content(child, out)
                break

    def _gap(self, el: etree._Element) -> str:
        desc = el.find(T("desc"))
        if el.get("reason") == "illegible" or desc is not None:
            text = self.inline(desc) if desc is not None else "illegible"
            return f"[[{text}]]" if el.get("rend") == "double-brackets" else f"[{text}]"
        mark = ellipsis_mark(el.get("rend") or "")
        if self.corrected:
            return "[…]" if mark is None or mark.startswith("[") else "…"
        return mark if mark is not None else "[...]"


def normalize_source(text: str) -> str:
    """An export with the layout normalisation the round trip promises: BOM dropped, LF line
    ends, whitespace at line ends removed, blank lines at the start and end removed, a wrapped
    title joined into one line, one final newline."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    # The title: the bold block after the date, up to the line that closes the bold.
    i = next((k for k in range(1, len(lines)) if lines[k]), None)
    if i is not None and lines[i].startswith("**"):
        j = i
        while j < len(lines) and lines[j] and \
                not closes_title(lines[j] if j > i else lines[j][2:], first_line=j == i):
            j += 1
        if j < len(lines) and j > i and lines[j]:
            joined = " ".join([lines[i]] + [x.strip(" \t") for x in lines[i + 1 : j + 1]])
            lines[i : j + 1] = [joined]
    return "\n".join(lines) + "\n"


def read_tei(data: bytes, path: str) -> etree._Element:
    """Parse TEI safely: no entities expanded, no DTD, no network."""
    parser = safe_parser()
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (0, 0)
        msg = re.sub(r", line \d+, column \d+$", "", exc.msg or str(exc))
        raise TeiInputError(f"not well-formed XML: {msg}", Location(path, line, col)) from None
