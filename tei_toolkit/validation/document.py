"""One document under validation: safe parsing, positions libxml2 does not give, and the
problems found in it (well-formedness, safety, RELAX NG messages, pointers, Schematron)."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any, Callable, Iterator

from lxml import etree

from ..xmlcore import (RELAXNG_NS, SVRL_NS, TEI_NS, XI_NS, XML_ID, has_doctype, parser_for,
                       tag_of)
from .messages import ContentModels, culprits, improve, inside, named
from .problems import ERROR, WARNING, Problem, severity_of

# Attributes that hold TEI pointers (teidata.pointer), space-separated.
POINTER_ATTRIBUTES = ("ref", "target", "resp", "corresp", "source", "who", "ana", "sameAs",
                      "copyOf", "next", "prev", "synch", "hand", "decls", "facs", "scribeRef",
                      "scriptRef", "select", "spanTo", "wit", "from", "to")
_SVRL = f"{{{SVRL_NS}}}"
_POINTER_SET = frozenset(POINTER_ATTRIBUTES)


# A namespace declaration whose value holds a character reference (which may spell any URI).
_NS_CHAR_REF = re.compile(rb"xmlns[^=>]*=\s*(?:\"[^\"]*&#|'[^']*&#)")
# A start tag's name (a prefix and a local name), to find the columns of elements on a line.
_START_TAG = re.compile(r"<([^\s/>!?][^\s/>]*)")


class Document:
    """One document being validated: its bytes, tree and the positions of its elements."""

    def __init__(self, name: str, data: bytes,
                 origins: "dict[etree._Element, Document] | None" = None) -> None:
        self.name = name
        self.data = data
        self.tree: etree._ElementTree | None = None
        # Elements written in another file (XInclude): the top element of each included
        # subtree -> the Document of that file, shared by every Document of one expansion.
        self.origins: dict[etree._Element, Document] = origins if origins is not None else {}
        self.index_root: etree._Element | None = None  # an included file's top element
        self.nested = False  # other files were included into this one
        self._id_counts: Counter[str | None] | None = None
        self.id_problems = False
        self._lines: list[str] | None = None
        self._by_line: dict[int, list[etree._Element]] | None = None
        self._columns: dict[tuple[int, str], tuple[dict[etree._Element, int], list[int]]] = {}
        # Wide parents' children indexed by position among their namesakes (xpath_of).
        self._positions: dict[etree._Element,
                              tuple[dict[etree._Element, int], Counter[object]]] = {}

    @property
    def is_tei(self) -> bool:
        return self.tree is not None and tag_of(self.tree.getroot()).startswith(
            "{" + TEI_NS + "}")

    # -- parsing -------------------------------------------------------------------------------
    def parse(self) -> Iterator[Problem]:
        parser = parser_for(self.data)
        try:
            self.tree = etree.ElementTree(etree.fromstring(self.data, parser))
            return
        except etree.XMLSyntaxError as exc:
            errors: list[etree._LogEntry | etree.XMLSyntaxError] = list(parser.error_log) or [exc]
            fallback_line = exc.position[0] if exc.position else 0
        except ValueError as exc:  # e.g. a str with an encoding declaration; not for bytes
            yield Problem(self.name, 0, 0, ERROR, "well-formedness", str(exc))
            return
        ids = [e for e in errors if _is_id_error(e)]
        if ids and len(ids) == len(errors):
            # lxml refuses duplicate or malformed xml:id while parsing; they are validity
            # problems like any other, so parse again leniently and go on.
            self.id_problems = True
            for e in ids:
                yield Problem(self.name, getattr(e, "line", 0), getattr(e, "column", 0) or 1,
                              ERROR, "xml:id", _id_message(e))
            recover = parser_for(self.data, recover=True)
            root = etree.fromstring(self.data, recover)
            if root is not None:
                self.tree = etree.ElementTree(root)
            return
        seen = set()
        for e in errors:
            line = getattr(e, "line", 0) or fallback_line
            column = getattr(e, "column", 0)
            message = _wf_message(getattr(e, "message", str(e)))
            if (line, message) in seen:
                continue
            seen.add((line, message))
            yield Problem(self.name, line, column, ERROR, "well-formedness", message)

    def safety(self, xinclude: bool = False) -> Iterator[Problem]:
        """Entities, remote DTDs and, unless ``xinclude`` (they are processed), includes."""
        assert self.tree is not None
        info = self.tree.docinfo
        if info.system_url and re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", info.system_url):
            yield Problem(self.name, 1, 1, WARNING, "safety",
                          f"the DOCTYPE points to a remote DTD ({info.system_url}); it is never "
                          "loaded")
        yield from self._parameter_entities()
        for node in self.tree.iter(etree.Entity) if self.may_hold("entity") else ():
            yield Problem(self.name, node.sourceline or 0, 0, ERROR, "safety",
                          f"entity reference {node.text} is not expanded (entities are off: "
                          "they can read local files or explode in size)",
                          self.xpath_of(node.getparent()))
        if xinclude or not self.may_hold("include"):
            return
        for inc in self.tree.iter(f"{{{XI_NS}}}include"):
            yield Problem(self.name, inc.sourceline or 0, self.column_of(inc), ERROR, "safety",
                          f"XInclude of {inc.get('href')!r} is not processed (--no-xinclude)",
                          self.xpath_of(inc))

    def may_hold(self, what: str) -> bool:
        """Can the document hold an entity reference ("entity") or an XInclude ("include")?
        No when its bytes say so for sure, which spares a walk over the whole tree: without a
        DOCTYPE no entity is declared (and an undeclared one is not well-formed), and an
        XInclude needs its namespace's name written out, or a namespace declaration with a
        character reference that may spell it (a DOCTYPE could declare it too: then the tree
        is searched)."""
        if has_doctype(self.data):
            return True
        if what == "entity":
            return False
        return XI_NS.encode() in self.data or _NS_CHAR_REF.search(self.data) is not None

    def _parameter_entities(self) -> Iterator[Problem]:
        """External parameter entities of the internal subset (``<!ENTITY % x SYSTEM "...">
        %x;``): never loaded, so the declarations they would bring are missing; an error as
        an entity reference in the text is. lxml lists them among the DTD's entities but does
        not say which are parameter entities: the declaration itself tells."""
        assert self.tree is not None
        dtd = self.tree.docinfo.internalDTD
        if dtd is None:
            return
        external = {e.name: e.system_url for e in dtd.iterentities() if e.system_url}
        if not external:
            return
        text = self.data.decode(self.tree.docinfo.encoding or "utf-8", errors="replace")
        for m in _PARAMETER_ENTITY.finditer(text):
            name = m.group(1)
            if name in external:
                line = text.count("\n", 0, m.start()) + 1
                column = m.start() - text.rfind("\n", 0, m.start())
                yield Problem(self.name, line, column, ERROR, "safety",
                              f"external parameter entity %{name}; ({external[name]}) is not "
                              "loaded (entities are off: they can read local files or explode "
                              "in size), so the declarations it holds are missing")

    def xml_models(self, kind: str = RELAXNG_NS
                   ) -> Iterator[tuple[etree._ProcessingInstruction, str]]:
        """The <?xml-model?> processing instructions (of a schema ``kind``) before the root."""
        assert self.tree is not None
        node = self.tree.getroot().getprevious()
        found: list[tuple[etree._ProcessingInstruction, str]] = []
        while node is not None:
            if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-model":
                href = node.get("href")
                declared = node.get("schematypens") or ""
                suffixes = (".rng", ".rnc") if kind == RELAXNG_NS else (".sch",)
                if href and (declared == kind or not declared and href.endswith(suffixes)):
                    found.append((node, href))
            node = node.getprevious()
        return iter(reversed(found))

    # -- positions ---------------------------------------------------------------------------
    def owner(self, el: etree._Element) -> "Document":
        """The Document ``el`` was written in: this one, or an included file's."""
        if self.origins:
            node: etree._Element | None = el
            while node is not None:
                found = self.origins.get(node)
                if found is not None:
                    return found
                node = node.getparent()
        return self

    def problem(self, el: etree._Element, severity: str, source: str, message: str
                ) -> Problem:
        """A problem at ``el``: in the file, at the line and column, where it was written."""
        doc = self.owner(el)
        return Problem(doc.name, el.sourceline or 0, doc.column_of(el), severity, source,
                       message, self.xpath_of(el))

    def _elements(self) -> Iterator[etree._Element]:
        """This file's elements: its tree's (or its included subtree's) without what was
        included into it from other files."""
        root = self.index_root if self.index_root is not None else (
            self.tree.getroot() if self.tree is not None else None)
        if root is None:
            return
        if not self.nested:
            yield from root.iter(etree.Element)
            return
        stack = [root]
        while stack:
            el = stack.pop()
            if el is not root and el in self.origins:
                continue
            yield el
            stack.extend(reversed([c for c in el if isinstance(c.tag, str)]))

    def index(self) -> None:
        """Index this file's lines and elements now (before some of them are moved into
        another document's tree)."""
        if self._lines is None:
            self._lines = self.data.decode(self.tree.docinfo.encoding or "utf-8",  # type: ignore[union-attr]
                                           "replace").split("\n")
            self._by_line = {}
            for e in self._elements():
                self._by_line.setdefault(e.sourceline or 0, []).append(e)

    def column_of(self, el: etree._Element) -> int:
        """The column of ``el``'s start tag (libxml2 reports column 0 for validity errors)."""
        line = el.sourceline
        if not line or not isinstance(el.tag, str):
            return 0
        self.index()
        assert self._lines is not None and self._by_line is not None
        local = etree.QName(el).localname
        # Once per line and name: a minified file has all its elements, and problems, on one.
        known = self._columns.get((line, local))
        if known is None:
            text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
            same = [e for e in self._by_line.get(line, [])
                    if etree.QName(e).localname == local]
            starts = [m.start() for m in _START_TAG.finditer(text)
                      if m.group(1).rpartition(":")[2] == local]
            known = self._columns[(line, local)] = ({e: k for k, e in enumerate(same)}, starts)
        k = known[0].get(el, 0)
        return known[1][k] + 1 if k < len(known[1]) else 1

    def xpath_of(self, el: etree._Element | None) -> str:
        """A readable path: /TEI/text/body/div/p[3] (positions among same-named siblings)."""
        if el is None or not isinstance(el.tag, str):
            return ""
        steps = []
        while el is not None:
            local = etree.QName(el).localname
            parent = el.getparent()
            if parent is None:
                steps.append(local)
                break
            position, same = self._position(el, parent)
            steps.append(local if same == 1 else f"{local}[{position}]")
            el = parent
        return "/" + "/".join(reversed(steps))

    def _position(self, el: etree._Element, parent: etree._Element) -> tuple[int, int]:
        """``el``'s 1-based position among its siblings of the same name, and their number.
        A parent with many children is indexed once: a problem on each of a million
        paragraphs would otherwise list the million siblings a million times."""
        known = self._positions.get(parent)
        if known is None:
            first = list(itertools.islice(parent, _WIDE + 1))  # len(parent) counts them all
            if len(first) <= _WIDE:
                same = [c for c in first if c.tag == el.tag]
                return same.index(el) + 1, len(same)
            totals: Counter[object] = Counter()
            index: dict[etree._Element, int] = {}
            for child in parent:
                totals[child.tag] += 1
                index[child] = totals[child.tag]
            known = self._positions[parent] = (index, totals)
        return known[0][el], known[1][el.tag]

    def _element_at(self, libxml_path: str | None) -> etree._Element | None:
        if not libxml_path or self.tree is None:
            return None
        try:
            found = self.tree.xpath(libxml_path)
        except etree.XPathError:
            return None
        return found[0] if found and isinstance(found[0], etree._Element) else None

    def _element_on_line(self, line: int, message: str) -> etree._Element | None:
        """The element a message names, found by line: libxml2's path cannot be evaluated
        when it holds prefixes of other namespaces (``/TEI/.../x:foo``)."""
        m = re.search(r"(?:element|Element) (\S+)", message)
        if not m or not line or self.tree is None:
            return None
        local = m.group(1).rsplit(":", 1)[-1]
        for el in self.tree.iter():
            if isinstance(el.tag, str) and el.sourceline == line \
                    and etree.QName(el).localname == local:
                return el
        return None

    # -- findings ----------------------------------------------------------------------------
    def _is_duplicate_id(self, el: etree._Element) -> bool:
        value = el.get(XML_ID)
        if value is None:
            return False
        if self._id_counts is None:
            self._id_counts = Counter(e.get(XML_ID) for e in
                                      self.tree.iter(etree.Element))  # type: ignore[union-attr]
        return self._id_counts[value] > 1

    def relaxng_problems(self, log: Any, models: Callable[[], ContentModels | None],
                         id_problems: bool = False, pointers: bool = True) -> Iterator[Problem]:
        """libxml2's RELAX NG errors as problems: its repetitions dropped, each placed on the
        element it is about, in words that say what was expected."""
        kept: list[Any] = []
        yield from self._kept_errors(list(log), kept, id_problems, pointers)
        content_models = models() if kept else None
        located = [self._located(e, content_models) for e in kept]
        if content_models is not None and content_models.closed:
            located = self._nowhere(located, kept, content_models)
        # "A has extra content: B" says no more than an error found inside that B.
        below = {id(a) for _, el, _, _ in located if el is not None for a in el.iterancestors()}
        said = set()
        for e, el, message, culprit in located:
            if any(id(c) in below for c in culprit) or (id(el), message) in said:
                continue
            said.add((id(el), message))
            if el is not None and el.sourceline:
                yield self.problem(el, ERROR, "relaxng", message)
            else:
                yield Problem(self.name, e.line, e.column, ERROR, "relaxng", message,
                              self.xpath_of(el))

    def _kept_errors(self, entries: list[Any], kept: list[Any], id_problems: bool,
                     pointers: bool) -> Iterator[Problem]:
        """The errors worth reporting, into ``kept``: libxml2 repeats itself (a summary for
        every ancestor, "failed to validate content"; "has extra content: X" beside "Did not
        expect element X there"), and a duplicate xml:id is the xml:id check's to report."""
        specific = [e for e in entries if "failed to validate" not in e.message]
        unexpected = {(e.path, e.message.split()[4]) for e in specific
                      if e.message.startswith("Did not expect element ")}
        for e in specific or entries:
            m = re.match(r"Element \S+ has extra content: (\S+)", e.message)
            if m and (e.path, m.group(1)) in unexpected:
                continue
            if re.match(r"Invalid attribute id for element", e.message):
                el = self._element_at(e.path)
                if id_problems or (el is not None and self._is_duplicate_id(el)):
                    if id_problems or pointers or el is None:
                        continue  # reported as an xml:id problem already
                    yield self.problem(el, ERROR, "xml:id", f"duplicate xml:id "
                                       f"\"{el.get(XML_ID)}\": every xml:id must be unique")
                    continue
            kept.append(e)

    def _located(self, e: Any, content_models: ContentModels | None) -> tuple[Any, ...]:
        """(error, the element it is about, its message in words, the culprits inside)."""
        el = self._element_at(e.path)
        if el is None:
            el = self._element_on_line(e.line, e.message)
        message = improve(e.message, el, content_models)
        m = re.match(r"Element \S+ has extra content: (\S+)$", e.message)
        found = inside(el, m.group(1), content_models) if m else None
        if found is not None:
            el, message = found
        return e, el, message, culprits(el, m.group(1)) if m and found is None else []

    def _nowhere(self, located: list[Any], kept: list[Any], content_models: ContentModels) -> list[Any]:
        """An element the schema allows nowhere (jing: "not allowed anywhere") is the problem
        wherever it is: each is named, and what libxml2 said of the elements around it (it
        can blame a correct ancestor, the <div> inside <text>) is left out."""
        assert self.tree is not None
        nowhere = [el for el in self.tree.iter(etree.Element) if content_models.nowhere(el)]
        # Not what lies inside one (jing does not look inside either).
        outer = set(nowhere)
        nowhere = [el for el in nowhere if not any(a in outer for a in el.iterancestors())]
        if not nowhere:
            return located
        around = {a for n in nowhere for a in n.iterancestors()}
        located = [x for x in located if x[1] is None or x[1] not in around
                   and not content_models.nowhere(x[1])]
        first = kept[0] if kept else None
        return located + [(first, el, f"{named(el, etree.QName(el).localname)} is not "
                           "allowed anywhere in this schema" + _found_in(el), [])
                          for el in nowhere]

    def pointer_problems(self) -> Iterator[Problem]:
        """Duplicate xml:ids, and #id pointers that name no xml:id.

        One walk over the elements collects both: an XPath such as ``//@xml:id`` builds a
        node-set of every node, which libxml2 refuses past ten million nodes (a 300 MB file),
        and the walk is as fast on ordinary files.
        """
        assert self.tree is not None
        first: dict[str, etree._Element] = {}  # xml:id -> its first element
        duplicates: list[tuple[str, etree._Element]] = []
        candidates: list[tuple[str, str, etree._Element]] = []
        for el in self.tree.iter(etree.Element):
            for attr, value in el.items():
                if attr == XML_ID:
                    if value in first:
                        duplicates.append((value, el))
                    else:
                        first[value] = el
                elif "#" in value and attr in _POINTER_SET:
                    candidates.append((attr, value, el))
        if not self.id_problems:
            for value, el in duplicates:
                yield self.problem(el, ERROR, "xml:id", f"duplicate xml:id \"{value}\" "
                                   f"(first {self._where(first[value], el)}): every xml:id "
                                   "must be unique")
        for attr, value, el in candidates:
            for token in value.split():
                for target in _local_ids(token):
                    if target not in first:
                        yield self.problem(el, ERROR, "pointer", f"@{attr} points to "
                                           f"{token}, but no element has xml:id=\"{target}\"")

    def _where(self, el: etree._Element, beside: etree._Element) -> str:
        """"on line N", or "in FILE on line N" when ``el`` was written in another file than
        ``beside``."""
        doc = self.owner(el)
        return f"on line {el.sourceline or 0}" if doc is self.owner(beside) else \
            f"in {doc.name} on line {el.sourceline or 0}"

    def schematron_problems(self, report: etree._ElementTree) -> Iterator[Problem]:
        for node in report.getroot():
            if node.tag not in (_SVRL + "failed-assert", _SVRL + "successful-report"):
                continue
            el = self._element_at(node.get("location"))
            text = " ".join("".join(node.findtext(_SVRL + "text") or "").split())
            severity = severity_of(node.get("role"))
            if el is not None:
                yield self.problem(el, severity, "schematron", text)
            else:
                yield Problem(self.name, 0, 0, severity, "schematron", text)


_WIDE = 64  # children, beyond which a parent's are indexed once (Document._position)
_PARAMETER_ENTITY = re.compile(r"<!ENTITY\s+%\s+([^\s%;\"'<>]+)\s+(?:SYSTEM|PUBLIC)\b")
_NCNAME = re.compile(r"[^\W\d][\w.-]*")
_RANGE = re.compile(r"range\(([^,()\s]+),([^,()\s]+)\)")


def _found_in(el: etree._Element) -> str:
    parent = el.getparent()
    return f" (found inside <{etree.QName(parent).localname}>)" if parent is not None else ""


class PointerCheck:
    """:meth:`Document.pointer_problems`'s rules for a document read without a tree (see
    :meth:`~.relaxng.Schema.surely_valid`): the attributes that hold pointers, and whether
    the pointers found (each value of theirs with a "#") all name an xml:id."""

    names = _POINTER_SET

    @staticmethod
    def resolve(values: set[str], xml_ids: set[str]) -> bool:
        return all(target in xml_ids for value in values for token in value.split()
                   for target in _local_ids(token))


class StreamedPointers:
    """:meth:`Document.pointer_problems` for a document read as a stream: xml:ids and ``#id``
    pointers gathered element by element. A pointer to an xml:id already seen is settled at
    once; only those to ids not yet seen are kept (by target, with their lines) until the id
    comes or the document ends, so memory does not grow with the number of pointers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.first: dict[str, int] = {}
        self.duplicates: list[tuple[str, int]] = []
        self.pending: dict[str, list[tuple[str, str, int]]] = {}

    def seen(self, el: etree._Element) -> None:
        for attr, value in el.items():
            if attr == XML_ID:
                if value in self.first:
                    self.duplicates.append((value, el.sourceline or 0))
                else:
                    self.first[value] = el.sourceline or 0
                    self.pending.pop(value, None)
            elif "#" in value and attr in _POINTER_SET:
                for token in value.split():
                    for target in _local_ids(token):
                        if target not in self.first:
                            self.pending.setdefault(target, []).append(
                                (attr, token, el.sourceline or 0))

    def problems(self) -> Iterator[Problem]:
        for value, line in self.duplicates:
            yield Problem(self.name, line, 0, ERROR, "xml:id", f"duplicate xml:id \"{value}\" "
                          f"(first on line {self.first[value]}): every xml:id must be unique")
        for target, where in self.pending.items():
            for attr, token, line in where:
                yield Problem(self.name, line, 0, ERROR, "pointer", f"@{attr} points to "
                              f"{token}, but no element has xml:id=\"{target}\"")


def _local_ids(token: str) -> list[str]:
    """The xml:ids a pointer token refers to: "#a" -> ["a"]; "#range(a,b)" -> ["a", "b"].
    Other TEI pointer schemes (xpath(), string-range(), ...) are not checked."""
    if not token.startswith("#"):
        return []
    rest = token[1:]
    if _NCNAME.fullmatch(rest):
        return [rest]
    m = _RANGE.fullmatch(rest)
    return [i for i in m.groups() if _NCNAME.fullmatch(i)] if m else []


def _is_id_error(e: Any) -> bool:
    msg = getattr(e, "message", "")
    return "ID " in msg and "already defined" in msg or "xml:id" in msg


def _id_message(e: Any) -> str:
    m = re.search(r"ID (\S+) already defined", e.message)
    if m:
        return f"duplicate xml:id \"{m.group(1)}\": every xml:id must be unique in a document"
    return "malformed xml:id: " + str(e.message).strip()


def _wf_message(message: str) -> str:
    message = " ".join(message.split())
    if "Excessive depth" in message or "Maximum depth" in message:
        return ("elements are nested too deeply (over 256 levels); refused as a probable "
                "denial-of-service document")
    if "Detected an entity reference loop" in message or "amplification" in message:
        return "entity expansion refused: " + message
    return message
