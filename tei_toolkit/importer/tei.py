"""Source document + editorial spans -> TEI P5 XML.

The XML is written as text, not built as an lxml tree: the structure is fixed, every piece
of source text is escaped on the way out, and writing strings is several times faster than
creating elements one by one. The tests parse every output and validate it with jing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from .._version import __version__
from .citation import Citation, parse_citation
from .correspondents import Unreadable, addressees_in, read_correspondents
from ..errors import Finding, Location, SourceError
from .languages import SEPARATOR, split_languages
from .lexicon import Lexicon
from .brackets import EXPANSION, ORIGINAL, TRANSLATED_TITLE
from .markup import (Anchor, Choice, Context, Counts, Explained, Flag, Gap, Gloss, Marked,
                     Named, Note, Pair, Supplied, parse_inline, wanted)
from .register import Person, Register
from .review import BRACKET, CORRESPONDENT, Decision, Decisions, said
from .review import key as review_key
from .profile import Profile
from .source import MONTH_NAMES, SourceDocument, Text
from ..spans import BY_NAME, Span
from ..xmlcore import TEI_NS, as_uri, attr, esc

STRUCTURAL = "Citation", "Summary", "Original Language"
_FOOTNOTE = re.compile(r"\[([0-9]{1,3})\] ")
# xml:id characters: ASCII only, so the id is a name for every XML parser (libxml2's name
# tables refuse many letters outside the BMP that Python's \w accepts).
_NCNAME_BAD = re.compile(r"[^A-Za-z0-9._-]")


# The bundled schemas; `tei validate` finds them by these names (see tei_toolkit.validate).
XML_MODELS = (
    '<?xml-model href="tei_toolkit.rng" type="application/xml" '
    'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
    '<?xml-model href="tei_toolkit.sch" type="application/xml" '
    'schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
)


def _attrs(pairs: tuple[Any, ...]) -> str:
    return "".join(f' {k}="{attr(v)}"' for k, v in pairs if v is not None)


def _el(tag: str, content: str = "", *pairs: tuple[str, str | None]) -> str:
    a = _attrs(pairs)
    return f"<{tag}{a}>{content}</{tag}>" if content else f"<{tag}{a}/>"


@dataclass
class Built:
    xml: bytes
    doc_id: str
    counts: Counts
    warnings: list[Finding] = field(default_factory=list)
    brackets: list[Explained] = field(default_factory=list)
    # Every decision the importer made, keyed for review (when asked for: review.py).
    decisions: list[Decision] = field(default_factory=list)
    ruled: list[str] = field(default_factory=list)  # the editor's decisions that found items
    review: tuple[int, int] | None = None  # with decisions: (decisions reviewed, made)


def build(doc: SourceDocument, lexicon: Lexicon, profile: Profile,
          register: Register | None = None, decisions: Decisions | None = None,
          keyed: bool = False) -> Built:
    """The TEI document for ``doc``; ``decisions``: the editor's, which overrule the
    importer's; ``keyed``: list every decision made (Built.decisions), keyed for review.
    Raises SourceError for a footnote given twice."""
    return _Builder(doc, lexicon, profile, register, decisions, keyed).build()


# How a profile's encoder says that an editor has not reviewed the import (yet).
_REVIEW_PENDING = re.compile(r"\s*\(not yet reviewed by an editor\)")


class _Builder:
    """One document's TEI, written part by part in document order into ``out``."""

    def __init__(self, doc: SourceDocument, lexicon: Lexicon, profile: Profile,
                 register: Register | None = None, decisions: Decisions | None = None,
                 keyed: bool = False) -> None:
        self.doc, self.lexicon, self.profile = doc, lexicon, profile
        self.footnotes, self.body = _split_footnotes(doc.body)
        # Flattened footnotes ("rains.1" ... "1 The rainy season ..."), when they pair up.
        self.flat: dict[int, list[tuple[int, str]]] = {}
        if not self.footnotes:
            self.footnotes, self.body, self.flat = _flattened_footnotes(doc.body)
        matcher = lexicon.matcher if len(lexicon) else None
        self.ctx = Context(profile, matcher, frozenset(n for n, _ in self.footnotes))
        self.warnings = list(doc.warnings)
        self.ctx.language = original_language(doc)
        self.ctx.register = register.index if register is not None and len(register) else None
        self.register_sources = tuple(register.sources) if register is not None else ()
        # A bound method, not a closure: compiled, a closure here would hold the builder, and
        # the builder and its context would need the cycle collector to be freed.
        self.ctx.lexicon_reg = matcher.regular if matcher is not None else None
        citation_text = _section_text(doc, "Citation")
        self.citation = parse_citation(citation_text) if citation_text is not None else None
        if self.citation is None:
            self.warn(doc.title.location(), "no-citation",
                      "no **Citation:** section; sourceDesc says so")
        # The address we publish for the export's URL: never a test mirror's.
        self.address = self._address(self.citation)
        self.e = _Inline(profile, "#translator" if self.citation and self.citation.translators
                         else "#archive")
        self.doc_id = _doc_id(profile, self.citation, doc.path)
        self.ctx.doc_id = self.doc_id
        self.ctx.decisions = decisions
        self.decided = self.ctx.decided
        # Keys for review, where asked for or where the editor's decisions are about this
        # document (the others are imported as they would be without them).
        self.ctx.keyed = keyed or decisions is not None
        self.ctx.listing = keyed
        if decisions is not None:
            self.ctx.ruled_texts = decisions.texts.get(self.doc_id, frozenset())
            self.ctx.ruled_whats = frozenset(what for what, _ in self.ctx.ruled_texts)
            decisions.found = []
        self.title_nodes = parse_inline(doc.title, self.ctx, "title")
        self.out: list[str] = []
        self.line = _lines(self.out)

    def warn(self, where: Location, code: str, message: str) -> None:
        self.warnings.append(Finding(where, code, message))

    def _address(self, citation: Citation | None) -> str | None:
        url = citation.first("url") if citation is not None else None
        if citation is None or url is None:
            return None
        address, mirror = self.profile.archive_address(url.value)
        if mirror is not None:
            where = citation.text.location(url.start)
            if address is not None:
                self.warn(where, "mirror-url", f"the URL is on a test mirror of the archive "
                          f"({mirror}); the TEI gives the archive's own address, {address}")
            else:
                self.warn(where, "mirror-url", f"the URL is on a test mirror of the archive "
                          f"({mirror}) and names no document there (a node number is not a "
                          "document number): the TEI publishes no address for it; put the "
                          "archive's …/document/ URL in the citation")
        return address

    def build(self) -> Built:
        self.out.append("<?xml version='1.0' encoding='UTF-8'?>\n")
        self.out.append(XML_MODELS)
        self.out.append(f'<TEI xmlns="{TEI_NS}" xml:id="{attr(self.doc_id)}" xml:lang="en">')
        self.line(1, "<teiHeader>")
        self.file_desc()
        register = self.ctx.register
        self.out.append(_encoding_desc(self.profile, tuple(self.lexicon.sources),
                                       len(self.lexicon), self.register_sources,
                                       register.people if register else 0))
        self.profile_desc()
        revision_at = len(self.out)
        self.line(1, "</teiHeader>")
        self.stand_off_at = len(self.out)  # the entries named are known once all is written
        self.text()
        self.out.insert(self.stand_off_at, _stand_off(self.ctx.used.values()))
        if self.ctx.reviewed:
            self.review_state(revision_at)
        self.out.append("\n</TEI>\n")
        for n, para in self.footnotes:
            if not self.ctx.anchors.get(n):
                self.warn(para.location(), "footnote-without-marker",
                          f"footnote [{n}] has no marker [{n}] in the text")
        self.warnings.extend(self.ctx.warnings)
        decided = self.decisions() if self.ctx.listing else []
        ruled = list(self.ctx.decisions.found) if self.ctx.decisions is not None else []
        review = (len(self.ctx.reviewed), self.ctx.items) if self.ctx.decisions is not None \
            else None
        return Built("".join(self.out).encode("utf-8"), self.doc_id, self.ctx.counts,
                     self.warnings, self.ctx.explained, decided, ruled, review)

    # -- teiHeader/fileDesc --------------------------------------------------------------------

    def decisions(self) -> list[Decision]:
        """Every decision made, in document order, with the editor's word on it."""
        decided = [Decision(b.key, b.location.path, b.location.line, b.location.column,
                            BRACKET, b.text, b.kind, "", b.evidence, b.certain)
                   for b in self.ctx.explained if b.key] + self.decided
        decided.sort(key=lambda d: (d.line, d.column))  # document order (stable)
        for d in decided:
            status, ruling = self.ctx.reviewed.get(d.key, ("", None))
            if ruling is not None:
                d.status, d.reviewer, d.date = status, ruling.reviewer, ruling.date
                d.importer = ruling.importer if status == "changed" else \
                    said(d.decision, d.target)
            else:
                d.importer = said(d.decision, d.target)
        return decided

    def review_state(self, revision_at: int) -> None:
        """What the editor's review of this document says in its header: who reviewed it
        and when (titleStmt/respStmt, revisionDesc), and whether all of it
        (publicationStmt/authority)."""
        reviewed = self.ctx.reviewed.values()
        total = self.ctx.items
        done = len(self.ctx.reviewed)
        changed = sum(1 for status, _ in reviewed if status == "changed")
        editors = sorted({r.reviewer or "an editor not named in the decisions"
                          for _, r in reviewed})
        when = max(r.date for _, r in reviewed)
        who = " and ".join(editors)
        counts = f"{done - changed} accepted, {changed} changed"
        if done >= total:
            change = f"Every decision of the import reviewed: {counts}."
            encoder = _REVIEW_PENDING.sub("", self.profile.encoder)
            authority = who
        else:
            change = (f"{done} of {total} decisions of the import reviewed ({counts}); the "
                      "others as the import made them.")
            encoder = _REVIEW_PENDING.sub(f" ({done} of {total} decisions reviewed by an "
                                          "editor)", self.profile.encoder)
            authority = f"{encoder}; reviewed in part by {who}"
        pad = "\n" + "  " * 2
        self.out.insert(revision_at, f"{pad}<revisionDesc>{pad}  " + _el(
            "change", esc(change), ("who", "#editor"), ("when", when)) + f"{pad}</revisionDesc>")
        self.out[self.authority_at] = "\n" + "  " * 4 + _el("authority", esc(authority))
        self.out[self.encoder_at + 2] = "\n" + "  " * 5 + _el("name", esc(encoder))
        lines: list[str] = []
        _resp(_lines(lines), 4, "editor", "review of the import's decisions", "persName",
              editors[0])
        lines[2:3] = ["\n" + "  " * 5 + _el("persName", esc(e)) for e in editors]
        self.out.insert(self.encoder_at + 4, "".join(lines))

    def file_desc(self) -> None:
        line, profile, citation, e = self.line, self.profile, self.citation, self.e
        line(2, "<fileDesc>")
        line(3, "<titleStmt>")
        line(4, _el("title", e.xml(self.title_nodes)))
        self.encoder_at = len(self.out)  # the editor's review changes these lines
        _resp(line, 4, "encoder", "TEI encoding and lexicon corrections", "name",
              profile.encoder)
        _resp(line, 4, "archive", "publication of the English translation and its editorial "
              "brackets", "orgName", (citation and citation.archive) or profile.archive)
        line(3, "</titleStmt>")

        line(3, "<publicationStmt>")
        self.authority_at = len(self.out)
        line(4, _el("authority", esc(profile.encoder)))
        if citation and citation.url:
            record, _ = citation.record_id()
            if self.address is not None:
                line(4, _el("idno", esc(self.address), ("type", "URI")))
            if record:
                line(4, _el("idno", esc(record), ("type", "archive")))
        line(3, "</publicationStmt>")
        self.notes_stmt()
        line(3, "<sourceDesc>")
        if citation is not None:
            line(4, _bibl(e, citation, self.ctx, self.address))
        else:
            line(4, "<p>The export has no citation of its source.</p>")
        line(3, "</sourceDesc>")
        line(2, "</fileDesc>")

    def notes_stmt(self) -> None:
        """Sections with no structural place of their own (Credits, unknown headings, repeats)."""
        seen: set[str] = set()
        notes = []
        for section in self.doc.sections:
            if section.heading in STRUCTURAL and section.heading not in seen:
                seen.add(section.heading)
                continue
            notes.append(section)
            if section.heading != "Credits":
                self.warn(Location(self.doc.path, section.line, 1), "unknown-section",
                          f"section **{section.heading}:** has no place of its own in TEI; "
                          "kept in notesStmt/note")
        _check_order(self.doc, notes, self.warnings)
        if notes:
            self.line(3, "<notesStmt>")
            for section in notes:
                kind = "credits" if section.heading == "Credits" else "export-section"
                self.line(4, _el("note", _paragraphs(self.e, section.paragraphs, self.ctx,
                                                     "other"),
                                 ("type", kind), ("n", section.heading)))
            self.line(3, "</notesStmt>")

    # -- teiHeader/profileDesc -----------------------------------------------------------------

    def profile_desc(self) -> None:
        line, doc = self.line, self.doc
        line(2, "<profileDesc>")
        line(3, "<creation>" + _el("date", esc(doc.date.text), ("when", doc.when or None))
             + "</creation>")
        self.lang_usage()
        summary = doc.section("Summary")
        if summary is not None:
            line(3, "<abstract>")
            for para in summary.paragraphs:
                line(4, _el("p", self.e.xml(parse_inline(para, self.ctx, "summary"))))
            if not summary.paragraphs:
                line(4, _el("p", ""))
            line(3, "</abstract>")
        _corresp_desc(self.e, line, self.title_nodes, doc.when, self.warn,
                      doc.title.location(), self.ctx, _stated_places(self.body, self.ctx),
                      _opening_rows(self.body), self.decided)
        line(2, "</profileDesc>")

    def lang_usage(self) -> None:
        line = self.line
        line(3, "<langUsage>")
        section = self.doc.section("Original Language")
        if section is not None and not section.paragraphs:
            self.warn(Location(self.doc.path, section.line, 1), "empty-section",
                      "the Original Language section is empty; the TEI does not keep the "
                      "heading")
        if section is not None and section.paragraphs:
            text = section.paragraphs[0]
            languages = split_languages(text.text)
            listed = SEPARATOR.join(n for n, _ in languages)
            if listed != text.text or len(section.paragraphs) > 1:
                self.warn(text.location(), "language-list",
                          f"original languages {text.text!r} are listed as {listed!r}")
            for name, code in languages:
                if code is None:
                    self.warn(text.location(), "unknown-language",
                              f"no ISO 639 code known for {name!r}; encoded as 'und'")
                line(4, _el("language", esc(name), ("ident", code or "und"),
                            ("n", "original")))
        line(4, _el("language", "English", ("ident", "en")))
        line(3, "</langUsage>")

    # -- text ----------------------------------------------------------------------------------

    def _closer(self, para: Text) -> str:
        """A signature block: its first line <signed>, date lines <dateline>, others text."""
        out = []
        pos = 0
        for k, row in enumerate(para.text.split("\n")):
            content = self.e.xml(parse_inline(para, self.ctx, "body", pos, pos + len(row)))
            if k == 0:
                out.append(_el("signed", content))
            elif _DATE_LINE.fullmatch(row.strip()):
                out.append("<lb/>" + _el("dateline", content))
            else:
                out.append("<lb/>" + content)
            pos += len(row) + 1
        return "".join(out)

    def _body_nodes(self, i: int, para: Text) -> list[Any]:
        """A body paragraph's nodes, with its flattened footnote markers as anchors."""
        markers = self.flat.get(i)
        if not markers:
            return parse_inline(para, self.ctx, "body")
        nodes: list[Any] = []
        pos = 0
        for at, n in markers:
            nodes += parse_inline(para, self.ctx, "body", pos, at)
            self.ctx.anchors[n] = self.ctx.anchors.get(n, 0) + 1
            nodes.append(Anchor(n, self.ctx.anchors[n], flattened=True))
            pos = at + len(n)
        return nodes + parse_inline(para, self.ctx, "body", pos)

    def text(self) -> None:
        line, ctx, e = self.line, self.ctx, self.e
        line(1, "<text>")
        line(2, "<body>")
        version = self.doc.version.text if self.doc.version else None
        line(3, "<div" + _attrs((("type", "translation"), ("xml:lang", "en"),
                                   ("n", version))) + ">")
        shapes = _body_shapes(self.body, self.doc.title.text)
        for i, (kind, para, n) in enumerate(self.body):
            shape = shapes.get(i)
            if shape == "rule":
                line(4, _el("milestone", "", ("unit", "section"),
                            ("rend", f"underscores{len(para.text)}")))
                continue
            if shape == "head":
                line(4, _el("head", e.xml(self._body_nodes(i, para))))
                continue
            if shape == "closer":
                line(4, _el("closer", self._closer(para)))
                continue
            if kind == "p":
                line(4, _el("p", e.xml(self._body_nodes(i, para))))
                continue
            count = ctx.anchors.get(n, 0)
            targets = " ".join(f"#{_anchor_id(n, k)}" for k in range(1, count + 1)) or None
            flat = bool(self.flat)
            content = e.xml(parse_inline(para, ctx, "body", len(n) + (1 if flat else 3)))
            line(4, _el("note", content, ("n", n), ("place", "end"), ("xml:id", f"fn{n}"),
                        ("target", targets), ("rend", "flattened" if flat else None)))
            ctx.counts.notes += 1
        line(3, "</div>")
        line(2, "</body>")
        line(1, "</text>")


# -- pieces -------------------------------------------------------------------------------------

# Languages written in another script, whose words in an English export are transliterated.
_NON_LATIN = frozenset("ru uk be bg sr mk zh ja ko ar fa he el ka hy mn km lo th".split())


def original_language(doc: SourceDocument) -> str | None:
    """The first original language's code for original wording: ``ru-Latn`` for Russian
    (transliterated in an English export), ``de`` for German; None when unknown."""
    section = doc.section("Original Language")
    if section is None or not section.paragraphs:
        return None
    for _, code in split_languages(section.paragraphs[0].text):
        if code and code != "en":
            return f"{code}-Latn" if code in _NON_LATIN else code
    return None



def _lines(out: list[str]) -> Callable[[int, str], None]:
    def line(level: int, s: str) -> None:
        out.append("\n" + "  " * level + s)
    return line


def _resp(line: Callable[[int, str], None], level: int, xml_id: str, resp: str, name_tag: str, name: str) -> None:
    line(level, f'<respStmt xml:id="{xml_id}">')
    line(level + 1, _el("resp", esc(resp)))
    line(level + 1, _el(name_tag, esc(name)))
    line(level, "</respStmt>")


_ENCODING_DESCS: dict[tuple[Any, ...], str] = {}
_PROFILES_DESCRIBED: list[Profile] = []  # the profiles whose ids key _ENCODING_DESCS


def _encoding_desc(profile: Profile, sources: tuple[str, ...], size: int,
                   register_sources: tuple[str, ...] = (), register_size: int = 0) -> str:
    """encodingDesc for a profile, lexicon and register: written once, reused for every
    document."""
    # The profile by identity (hashing it hashes every setting, per document); the cache
    # keeps it alive, so its id is not reused.
    key = (id(profile), sources, size, register_sources, register_size)
    cached = _ENCODING_DESCS.get(key)
    if cached is None:
        out: list[str] = []
        line = _lines(out)
        line(2, "<encodingDesc>")
        line(3, "<appInfo>")
        line(4, f'<application ident="tei_toolkit" version="{attr(__version__)}">')
        line(5, "<label>tei_toolkit</label>")
        line(5, "<desc>Imported from a plain-text archive export by tei_toolkit.</desc>")
        line(4, "</application>")
        line(3, "</appInfo>")
        line(3, "<editorialDecl>")
        for tag, prose in profile.statements(list(sources), size, register_sources,
                                             register_size):
            if tag == "p":
                line(4, _el("p", _prose(prose)))
            else:
                line(4, f"<{tag}>")
                line(5, _el("p", _prose(prose)))
                line(4, f"</{tag}>")
        line(3, "</editorialDecl>")
        line(2, "</encodingDesc>")
        cached = _ENCODING_DESCS[key] = "".join(out)
        _PROFILES_DESCRIBED.append(profile)
    return cached


_PROSE_MARK = re.compile(r"\{(\w+)\}|@(\w+)")


def _prose(prose: str) -> str:
    """Prose where {name} is an element name (<gi>) and @name an attribute (<att>)."""
    return _PROSE_MARK.sub(
        lambda m: f"<gi>{m[1]}</gi>" if m[1] else f"<att>{m[2]}</att>", esc(prose))


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


def _split_footnotes(paragraphs: list[Text]) -> tuple[list[tuple[str, Text]], list[Any]]:
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


_RULE = re.compile(r"_{3,}")
_MONTH_NAMES = "|".join(MONTH_NAMES)
_DATE_LINE = re.compile(
    rf"\d{{1,2}}\.[IVX]{{1,4}}\.\d{{2,4}}|\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}"
    rf"|\[?\d{{1,2}}\]? \[?(?:{_MONTH_NAMES})\]? \[?\d{{4}}\]?"
    rf"|(?:{_MONTH_NAMES}) \d{{1,2}}, \d{{4}}")
_CAPITALS_NAME = re.compile(r"(?:[A-Z]\. ?)*[A-Z][A-Z'’-]+(?: [A-Z][A-Z'’-]+){0,3}")


def _body_shapes(body: list[Any], title: str) -> dict[int, str]:
    """Body paragraphs with a structure of their own, only where it is unambiguous:
    "head" (the first paragraph repeats the title), "rule" (a line of underscores), "closer"
    (the last paragraph, a short signature block: after a rule, or a name in capitals first)."""
    shapes: dict[int, str] = {}
    paras = [(i, para) for i, (kind, para, _) in enumerate(body) if kind == "p"]
    if not paras:
        return shapes
    first_i, first = paras[0]
    title_words = title.split()
    # Split no further than the title has words: the first paragraph is mostly long prose.
    if first.text.split(maxsplit=len(title_words)) == title_words and len(paras) > 1:
        shapes[first_i] = "head"
    for i, para in paras:
        if _RULE.fullmatch(para.text):
            shapes[i] = "rule"
    last_i, last = paras[-1]
    rows = last.text.split("\n")
    first_row = rows[0].strip()
    short = len(rows) <= 4 and all(0 < len(r.strip()) <= 40 for r in rows)
    after_rule = last_i > 0 and shapes.get(last_i - 1) == "rule"
    signature = bool(_CAPITALS_NAME.fullmatch(first_row)) or (
        after_rule and not first_row.endswith((".", ",", ":", ";", "?", "!")))
    if last_i not in shapes and len(paras) > 1 and short and signature:
        shapes[last_i] = "closer"
    return shapes


_FLAT_NOTE = re.compile(r"([0-9]{1,2}) (?=\S)")


def _flattened_footnotes(paragraphs: list[Text]
                         ) -> tuple[list[tuple[str, Text]], list[Any], dict[int, list[tuple[int, str]]]]:
    """Footnotes the export flattened: final paragraphs "1 Text", "2 Text" (numbered from 1,
    in order) and, for each, exactly one marker glued to a word or a full stop in the body
    before them ("rains.1"), outside square brackets. Anything less pairs nothing: the
    paragraphs stay as they are."""
    plain_body = [("p", p, "") for p in paragraphs]
    # The last run of paragraphs "N text"; a rule line or a signature may follow it.
    end = len(paragraphs)
    while end > 1 and not _FLAT_NOTE.match(paragraphs[end - 1].text):
        end -= 1
    cut = end
    while cut > 1 and _FLAT_NOTE.match(paragraphs[cut - 1].text):
        cut -= 1
    if end - cut < 1 or cut == end or any(len(p.text) > 80 for p in paragraphs[end:]):
        return [], plain_body, {}
    notes = [(_FLAT_NOTE.match(p.text).group(1), p) for p in paragraphs[cut:end]]  # type: ignore[union-attr]
    if [n for n, _ in notes] != [str(i) for i in range(1, len(notes) + 1)]:
        return [], plain_body, {}
    markers: dict[int, list[tuple[int, str]]] = {}
    for n, _ in notes:
        found = [(i, m.start(1)) for i, p in enumerate(paragraphs[:cut])
                 for m in re.finditer(rf"(?<=[^\W\d_]|[.,;:!?”’\"')])({n})(?![\w])", p.text)
                 if p.text.count("[", 0, m.start()) == p.text.count("]", 0, m.start())]
        if len(found) != 1:
            return [], plain_body, {}
        i, at = found[0]
        markers.setdefault(i, []).append((at, n))
    for spots in markers.values():
        spots.sort()
    body = ([("p", p, "") for p in paragraphs[:cut]] + [("note", p, n) for n, p in notes]
            + [("p", p, "") for p in paragraphs[end:]])
    return notes, body, markers


def _doc_id(profile: Profile, citation: Citation | None, path: str) -> str:
    record, slug = citation.record_id() if citation else (None, None)
    if record is None and slug is None:
        slug = re.sub(r"\.[^.]*$", "", path.replace("\\", "/").rsplit("/", 1)[-1])
    return f"{profile.id_prefix}-{record or _NCNAME_BAD.sub('-', slug or 'document')}"




def _anchor_id(n: str, k: int) -> str:
    return f"fn{n}-a" if k == 1 else f"fn{n}-a{k}"


def _check_order(doc: SourceDocument, notes: list[Any], warnings: list[Finding]) -> None:
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


def _paragraphs(e: "_Inline", paragraphs: list[Text], ctx: Context, part: str) -> str:
    return "".join(_el("p", e.xml(parse_inline(p, ctx, part))) for p in paragraphs) or "<p/>"


def _bibl(e: "_Inline", citation: Citation, ctx: Context, address: str | None) -> str:
    """The citation, every character of it; its URL links ``address`` (the archive's own
    address for a mirror's), or nothing when there is none to publish."""
    t = citation.text
    translator = citation.first("translator")
    out: list[str] = []
    for part in citation.parts:
        kind = part.kind
        if kind == "text":
            out.append(e.xml(parse_inline(t, ctx, "citation", part.start, part.end)))
        elif kind == "lb":
            out.append("<lb/>")
        elif kind == "title":
            out.append(_el("title", e.xml(parse_inline(t, ctx, "citation", part.start, part.end))))
        elif kind == "date":
            out.append(_el("date", esc(t.text[part.start:part.end]), ("when", part.value)))
        elif kind == "publisher":
            out.append(_el("publisher", esc(t.text[part.start:part.end])))
        elif kind == "url":
            out.append(_el("ref", esc(part.value), ("target", as_uri(address)))
                       if address is not None else esc(part.value))
        elif kind == "source":
            if translator is None:
                content = e.xml(parse_inline(t, ctx, "citation", part.start, part.end))
            else:
                content = (
                    e.xml(parse_inline(t, ctx, "citation", part.start, translator.start))
                    + '<respStmt xml:id="translator">' + _el("resp", esc(translator.value))
                    + "".join(_el("persName", esc(name)) for name in translator.names)
                    + "</respStmt>"
                    + e.xml(parse_inline(t, ctx, "citation", translator.end, part.end)))
            out.append(_el("bibl", content, ("type", "source")))
    return _el("bibl", "".join(out))


_PLACE_TO = re.compile(r"(?P<place>[A-Z][A-Za-z'’ -]{1,40}?)\s*[,-]\s+TO\b", re.I)
_PLACE_DATED = re.compile(rf"(?P<place>[A-Z][A-Za-z'’ -]{{1,40}}?),\s+(?:\d{{1,2}}\s+(?:"
                          rf"{_MONTH_NAMES})|(?:{_MONTH_NAMES})\s+\d{{1,2}})", re.I)
_PLACE_FROM = re.compile(r"From:?\s+(?P<place>[A-Z][A-Za-z'’ -]{1,40}?)\.?$", re.I)


def _opening_rows(body: list[Any]) -> list[str]:
    """The lines of the short paragraphs a letter opens with (up to the first long one),
    where it names whom it is to."""
    rows: list[str] = []
    for kind, para, _ in body[:12]:
        if kind != "p":
            continue
        if len(para.text) > 200 and rows:
            break  # the letter's text has begun
        rows.extend(para.text.split("\n", 8)[:8])
    return rows


def _stated_places(body: list[Any], ctx: Context) -> dict[str, Person]:
    """Places the first lines of a telegram state: "PHENIAN, TO COMRADE …" (where it was
    received), "From Pyongyang" (where it was sent); only places the register knows."""
    index = ctx.register
    found: dict[str, Person] = {}
    if index is None:
        return found
    last = [(k, p, n) for k, p, n in body if k == "p"][-1:]
    for kind, para, _ in body[:3] + last:
        if kind != "p":
            continue
        for row in para.text.split("\n", 3)[:3]:
            # A dateline, "Moscow, 3 March 1951", in the last paragraph.
            m = _PLACE_DATED.match(row.strip()) if para is last[0][1] else None
            hit = index.lookup(m["place"]) if m else None
            if hit is not None and hit[0].kind == "place":
                found.setdefault("sent", hit[0])
            for action, pattern in (("received", _PLACE_TO), ("sent", _PLACE_FROM)):
                if pattern is _PLACE_FROM and row.strip()[:4].lower() != "from":
                    continue  # what the regex (case-insensitive) needs first, said cheaply
                m = pattern.match(row.strip())
                hit = index.lookup(m["place"]) if m else None
                if hit is not None and hit[0].kind == "place" and action not in found:
                    found[action] = hit[0]
    return found


def _corresp_desc(e: "_Inline", line: Callable[[int, str], None], title_nodes: list[Any],
                  when: str, warn: Callable[..., None], where: Location,
                  ctx: Context, places: dict[str, Person], rows: list[str],
                  decided: list[Decision]) -> None:
    """correspDesc from the title's correspondents (and the addressee the letter's first
    ``rows`` name, when the title names none), as the editor's decisions have them;
    nothing (and a warning) when the title has a letter's shape but cannot be read with
    confidence."""
    in_body = False
    try:
        found = read_correspondents(plain_title(title_nodes))
        if found is not None and found.sender and not found.addressees:
            # "Letter from X" whose first line reads "To Comrade Y": Y received it.
            found = replace(found, addressees=addressees_in(rows))
            in_body = bool(found.addressees)
    except Unreadable as exc:
        warn(where, "correspondents", f"the title's correspondents cannot be read with "
             f"confidence ({exc}); no correspDesc written")
        return
    if found is None:
        return
    # Names the title itself refers to an entry ("Flippov [Stalin]": by its identification).
    referred = {plain_title(n.children): n.ref for n in title_nodes
                if isinstance(n, Named) and n.tag}
    actions: dict[str, list[str]] = {"sent": [], "transmitted": [], "received": []}
    for kind, people in (("sent", found.sender), ("transmitted", found.through),
                         ("received", found.addressees)):
        for person in people:
            evidence = "the letter's first lines name the addressee" if in_body and \
                kind == "received" else "the title names the correspondents"
            action, el = _correspondent(e, person, kind, ctx, warn, where, referred, decided,
                                        evidence)
            if action:
                actions[action].append(el)
    if not any(actions.values()) and not found.enclosed_from:
        return
    line(3, "<correspDesc>")
    for kind, names in actions.items():
        if not names and (kind != "sent" or not when):  # the date sent stays, whoever sent it
            continue
        line(4, f'<correspAction type="{kind}">')
        for el in names:
            line(5, el)
        place = places.get(kind)
        if place is not None:
            ctx.used.setdefault(place.id, place)
            line(5, _el("placeName", esc(place.name), ("ref", f"#{place.id}")))
        if kind == "sent":
            if when:  # a date the export gives that the importer could not read: none
                line(5, _el("date", "", ("when", when)))
        line(4, "</correspAction>")
    if found.enclosed_from:
        line(4, _el("note", "It contains a message from "
                    + ", ".join(_name_el(e, p, ctx, warn, where, referred)
                                for p in found.enclosed_from) + ".",
                    ("type", "enclosure")))
    line(3, "</correspDesc>")


def _correspondent(e: "_Inline", person: Any, kind: str, ctx: Context,
                   warn: Callable[..., None], where: Location, referred: dict[str, str],
                   decided: list[Decision], evidence: str) -> tuple[str, str]:
    """One correspondent: the correspAction it belongs to (none: empty) and its name's
    element, as the importer reads it or the editor decided; the decision listed for
    review."""
    ref, el = _name_ref(e, person, ctx, warn, where, referred)
    if not ctx.keyed:
        return kind, el
    ctx.items += 1
    if not wanted(ctx, CORRESPONDENT, person.name):
        return kind, el
    key = review_key(ctx.doc_id, CORRESPONDENT, person.name, "", "", ctx.keys_seen)
    ruling = ctx.decisions.find(key) if ctx.decisions is not None else None
    decision, action = _ACTION_NAMES[kind], kind
    verdict = ruling.verdict(decision, ref or "") if ruling is not None else ""
    if ruling is not None and verdict:
        same = (ruling.decision, ruling.target) == (decision, ref or "")
        ctx.reviewed[key] = (verdict, ruling)
        decision, action = ruling.decision, _ACTIONS.get(ruling.decision, "")
        evidence = f"editor's decision ({ruling.cite})"
        if not same:  # the editor's: @resp says so
            ref, el = _name_ref(e, person, ctx, warn, where, referred, ruling.target)
    if ctx.listing:
        decided.append(Decision(key, where.path, where.line, where.column, CORRESPONDENT,
                                person.name, decision, ref or "", evidence))
    return action, el


# correspAction's types and the decisions an editor writes for them.
_ACTION_NAMES = {"sent": "sent", "transmitted": "via", "received": "received"}
_ACTIONS = {v: k for k, v in _ACTION_NAMES.items()}


def _name_el(e: "_Inline", person: Any, ctx: Context, warn: Callable[..., None],
             where: Location, referred: dict[str, str] | None = None) -> str:
    return _name_ref(e, person, ctx, warn, where, referred)[1]


def _name_ref(e: "_Inline", person: Any, ctx: Context, warn: Callable[..., None],
              where: Location, referred: dict[str, str] | None = None,
              ruled: str | None = None) -> tuple[str | None, str]:
    """A correspondent's name as the title writes it, with @ref to the register entry (or to
    the one the title's identification of it names, or the editor's: ``ruled``, an id, or
    empty for none); and that entry's id."""
    content = e.xml(_bracketed(person.name))
    tag = "orgName" if person.is_org else "persName"
    index = ctx.register
    if ruled is not None:  # the editor's: @resp says so
        entry = index.entries.get(ruled) if index is not None else None
        if entry is None:
            return None, _el(tag, content, ("resp", "#editor"))
        ctx.used.setdefault(entry.id, entry)
        return entry.id, _el(entry.tag, content, ("ref", f"#{entry.id}"), ("resp", "#editor"))
    if index is None:
        return None, _el(tag, content)
    plain = person.name.replace("[", "").replace("]", "")
    found = index.lookup(plain)
    ref = (referred or {}).get(plain)
    if found is None and ref in ctx.used:  # "Flippov [Stalin]": its identification's entry
        found = (ctx.used[ref], "name")
    if found is None and person.identified:  # "Sokolov (Stalin)"; not "Embassy (Moscow)"
        found = index.lookup(person.identified)
        found = (found[0], "name") if found is not None and found[0].kind != "place" else None
    if found is None:
        warn(where, "unregistered", f"correspondent {plain!r} is not in the persons register: "
             "no @ref (add a row to persons.tsv, or pass --register FILE)")
        return None, _el(tag, content)
    entry, how = found
    ctx.used.setdefault(entry.id, entry)
    return entry.id, _el(entry.tag, content, ("ref", f"#{entry.id}"),
                         ("type", "codename" if how == "code name" else None))


def _stand_off(people: Iterable[Person]) -> str:
    """standOff/listPerson and listOrg: the register entries the document names."""
    people = tuple(people)
    # Keyed by the entries' identities (hashing an entry hashes every field): the cache holds
    # the entries themselves, so no id in a key can be reused by another object.
    key = tuple(map(id, people))
    cached = _STAND_OFFS.get(key)
    if cached is None:
        if len(_STAND_OFFS) > 4096:
            _STAND_OFFS.clear()
        cached = _STAND_OFFS[key] = (people, _stand_off_uncached(people))
    return cached[1]


_STAND_OFFS: dict[tuple[int, ...], tuple[tuple[Person, ...], str]] = {}


def _stand_off_uncached(people: tuple[Person, ...]) -> str:
    lists: dict[str, list[Person]] = {"person": [], "org": [], "place": []}
    for p in people:
        lists[p.kind].append(p)
    if not any(lists.values()):
        return ""
    out: list[str] = []
    line = _lines(out)
    line(1, "<standOff>")
    for kind, list_tag in (("person", "listPerson"), ("place", "listPlace"), ("org", "listOrg")):
        if not lists[kind]:
            continue
        line(2, f"<{list_tag}>")
        for p in lists[kind]:
            line(3, f'<{kind} xml:id="{attr(p.id)}">')
            line(4, _el(p.tag, esc(p.name), ("type", "preferred")))
            for form in p.variants:
                line(4, _el(p.tag, esc(form), ("type", "variant")))
            for form in p.code_names:
                line(4, _el(p.tag, esc(form), ("type", "codename")))
            if kind == "person" and p.birth:
                line(4, _el("birth", "", ("when", p.birth)))
            if kind == "person" and p.death:
                line(4, _el("death", "", ("when", p.death)))
            if kind == "place" and p.geo:
                line(4, "<location>" + _el("geo", esc(p.geo)) + "</location>")
            for authority, uri in p.uris():
                line(4, _el("idno", esc(uri), ("type", authority.upper())))
            if p.note:
                line(4, _el("note", esc(p.note)))
            if p.source:
                line(4, _el("note", esc(p.source), ("type", "source")))
            line(3, f"</{kind}>")
        line(2, f"</{list_tag}>")
    line(1, "</standOff>")
    return "".join(out)


def plain_title(nodes: list[Any]) -> str:
    """The title with corrections applied and supplements still in brackets."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Choice):
            out.append(node.entry.corr)
        elif isinstance(node, Supplied):
            out.append("[" + plain_title(node.children) + "]")
        elif isinstance(node, Marked | Named):
            out.append(plain_title(node.children))
        elif isinstance(node, Pair):
            out.append(node.name)  # the name as written; the bracket is a gloss on it
        # Gloss (identification, original wording): not part of the name.
    return "".join(out)


def _bracketed(name: str) -> list[Any]:
    out: list[Any] = []
    for i, piece in enumerate(re.split(r"\[([^\]]*)\]", name)):
        if i % 2:
            out.append(Supplied([piece]))
        elif piece:
            out.append(piece)
    return out


class _Inline:
    """Inline nodes -> TEI markup, keeping every character."""

    def __init__(self, profile: Profile, resp_translator: str) -> None:
        self.supplied = f' reason="{attr(profile.supplied_reason)}" resp="{resp_translator}"'
        self.completion = f' reason="completion" resp="{resp_translator}"'
        self.resp = resp_translator

    def _resp(self, editor: bool) -> str:
        """Who supplied a bracket's words; and the editor, who decided what they are."""
        return f"{self.resp} #editor" if editor else self.resp

    def xml(self, nodes: list[Any]) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(esc(node).replace("\n", "<lb/>"))
            else:
                out.append(self.element(node))
        return "".join(out)

    def element(self, node: object) -> str:
        if isinstance(node, Supplied):
            cert = f' cert="{node.cert}"' if node.cert else ""
            content = self.xml(node.children)
            a = self.completion if node.reason == "completion" else self.supplied
            if node.editor:
                a = a.replace(f'resp="{self.resp}"', f'resp="{self.resp} #editor"')
            return (f"<supplied{a}{cert}>{content}</supplied>" if content
                    else f"<supplied{a}{cert}/>")
        if isinstance(node, Gloss):  # a bracket class whose span has its name
            content = self.xml(node.children)
            if node.kind == ORIGINAL:
                content = _el("foreign", content, ("xml:lang", node.lang or "und"))
            if node.kind == TRANSLATED_TITLE:
                return _span(BY_NAME[node.kind], content, ("xml:lang", "en"),
                             ("resp", "#editor" if node.editor else None))
            return _span(BY_NAME[node.kind], content, ("resp", self._resp(node.editor)))
        if isinstance(node, Pair):
            span = EXPANDED if node.kind == EXPANSION else RESPELT
            first, second = ("abbr", "expan") if node.kind == EXPANSION else ("orig", "reg")
            return _span(span, _el(first, esc(node.name))
                         + _el(second, self.xml(node.children),
                               ("resp", self._resp(node.editor))))
        if isinstance(node, Gap):
            pairs = (("reason", node.reason), ("quantity", _str(node.quantity)),
                     ("unit", node.unit), ("extent", node.extent), ("rend", node.rend))
            return _el("gap", _el("desc", esc(node.desc)) if node.desc is not None else "", *pairs)
        if isinstance(node, Choice):
            entry = node.entry
            if entry.is_regularisation:
                return _span(REGULARISED, _el("orig", esc(node.text))
                             + _el("reg", esc(entry.corr), ("resp", "#encoder")))
            return _span(CORRECTED, _el("sic", esc(node.text))
                         + _el("corr", esc(entry.corr), ("resp", "#encoder"),
                               ("type", entry.type)))
        if isinstance(node, Note):
            resp = self.resp if node.type == "translator" else "#archive"
            return _span(BY_NAME[f"{node.type}-note"],
                         _el("label", esc(node.label)) + self.xml(node.children),
                         ("resp", resp))
        if isinstance(node, Flag):
            return _span(BY_NAME[_FLAGS[node.type]], esc(node.text) if node.children is None
                         else self.xml(node.children), ("resp", self._resp(node.editor)))
        if isinstance(node, Named):
            if not node.tag:  # a name the editor unlinked
                return self.xml(node.children)
            return _el(node.tag, self.xml(node.children), ("ref", f"#{node.ref}"),
                       ("type", node.type), ("resp", "#editor" if node.editor else None))
        if isinstance(node, Marked):
            if node.double:
                return _span(BY_NAME["uncertain"], self.xml(node.children), ("cert", "low"),
                             ("resp", self.resp))
            if node.tag == "unclear":
                return _el("unclear", self.xml(node.children), ("cert", "low"), ("resp", self.resp))
            return _el(node.tag, self.xml(node.children))
        if isinstance(node, Anchor):
            return _el("anchor", "", ("type", "footnote"), ("n", node.n),
                       ("xml:id", _anchor_id(node.n, node.k)),
                       ("rend", "flattened" if node.flattened else None))
        raise TypeError(f"no TEI encoding for {node!r}")  # pragma: no cover - programming error


def _span(span: Span, content: str, *more: tuple[str, str | None]) -> str:
    """An editorial span's element (spans.SPANS): its tag, its fixed attributes, ``more``."""
    return _el(span.tag, content, *span.attrs(*more))


EXPANDED, RESPELT = BY_NAME["expansion"], BY_NAME["respelling"]
CORRECTED, REGULARISED = BY_NAME["correction"], BY_NAME["regularisation"]
_FLAGS = {"sic": "sic", "query": "query", "source": "source-note", "summary": "summary"}


def _str(value: object) -> str | None:
    return None if value is None else str(value)
