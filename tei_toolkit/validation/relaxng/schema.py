"""A RELAX NG schema in XML syntax read, checked and simplified (the specification's sections
4 and 7) into interned patterns.

Reading (:class:`_Reader`) does sections 4.1-4.11 in one pass over each file: foreign elements
and attributes dropped, the syntax of every RELAX NG element checked, white space stripped,
``datatypeLibrary`` inherited within a file, ``externalRef`` and ``include`` read (local files
only, never twice on one path), ``name`` attributes made names, ``ns`` inherited and QNames
resolved, ``div`` flattened. Grammars are scopes whose ``start`` and ``define`` components are
combined (4.17) and whose references are resolved (4.18). Building the patterns
(:class:`_Builder`) does 4.12-4.15 and 4.19-4.21: ``optional``, ``zeroOrMore`` and ``mixed``
rewritten, references to non-element definitions expanded (a loop that passes through no
element is an error), ``notAllowed`` and ``empty`` simplified by the pattern constructors.
Section 7's restrictions are then checked on the simplified patterns (:func:`_restrictions`).
Every refusal is a :class:`SchemaIncorrect` naming file, line and the reason.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from pathlib import Path
from typing import Callable, Hashable, Iterator
from urllib.parse import urljoin, urlparse

from lxml import etree

from ...xmlcore import RELAXNG_NS, XML_NS, safe_parser, url2pathname
from .datatypes import Datatype, DatatypeError, datatype
from .names import NameClass, overlap
from .patterns import (ATTRIBUTE, CHOICE, DATA, ELEMENT, EMPTY, GROUP, INTERLEAVE,
                       LIST, NOT_ALLOWED, ONE_OR_MORE, STRUCTURE, TEXT, VALUE, Pattern,
                       Patterns, reached)

_R = f"{{{RELAXNG_NS}}}"
XMLNS_NS = "http://www.w3.org/2000/xmlns"

PATTERNS = {"element", "attribute", "group", "interleave", "choice", "optional", "zeroOrMore",
            "oneOrMore", "list", "mixed", "ref", "parentRef", "empty", "text", "value", "data",
            "notAllowed", "externalRef", "grammar"}
NAME_CLASSES = {"name", "anyName", "nsName", "choice"}
# The attributes each RELAX NG element may have besides ns and datatypeLibrary.
_ATTRIBUTES: dict[str, set[str]] = {
    "element": {"name"}, "attribute": {"name"}, "ref": {"name"}, "parentRef": {"name"},
    "define": {"name", "combine"}, "start": {"combine"}, "data": {"type"},
    "value": {"type"}, "param": {"name"}, "externalRef": {"href"}, "include": {"href"},
}
_KNOWN = PATTERNS | NAME_CLASSES | {"start", "define", "div", "include", "param", "except"}
# XML 1.0 names as jing reads them (the first editions' classes, Appendix B, by Unicode
# category): a letter or "_" first, then letters, digits, marks, ".", "-", "·".
_NAME_START = frozenset(("Ll", "Lu", "Lo", "Lt", "Nl"))
_NAME_CHAR = _NAME_START | {"Mc", "Me", "Mn", "Lm", "Nd"}
_WS = " \t\r\n"


class SchemaIncorrect(Exception):
    """The schema is not a correct RELAX NG schema: ``message`` says why, ``file``/``line``
    where (line 0: the schema as a whole)."""

    def __init__(self, message: str, file: str = "", line: int = 0,
                 reason: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        # "invalid" (not correct RELAX NG), "unreadable" (a file it names cannot be read),
        # "malformed" (a file it names is not well-formed XML)
        self.reason = reason

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else \
            (f"{self.file}: " if self.file else "")
        return f"{where}{self.message}"


_NODE_IDS = itertools.count(1)


class Node:
    """A pattern or name class as read: its kind, operands and what the kind needs."""

    __slots__ = ("kind", "children", "nc", "name", "scope", "dt", "value", "file", "line",
                 "node_id")

    def __init__(self, kind: str, file: str, line: int, children: list["Node"] | None = None
                 ) -> None:
        self.kind = kind
        self.children = children or []
        self.nc: NameClass | None = None
        self.name = ""
        self.scope: Scope | None = None
        self.dt: Datatype | None = None
        self.value: Hashable = None
        self.file = file
        self.line = line
        self.node_id = next(_NODE_IDS)


class Scope:
    """One ``grammar``: its combined start and definitions."""

    def __init__(self, parent: "Scope | None") -> None:
        self.parent = parent
        self.components: dict[str, list[tuple[str, Node, str, int]]] = {}  # name|"" -> [...]
        self.combined: dict[str, Node] = {}


def _ncname(value: str) -> bool:
    if not value or not (value[0] == "_" or unicodedata.category(value[0]) in _NAME_START):
        return False
    return all(c in "._-\u00b7" or unicodedata.category(c) in _NAME_CHAR for c in value[1:])


def _check_uri(value: str, where: tuple[str, int]) -> None:
    """``datatypeLibrary``: empty or an absolute URI without a fragment (RFC 2396: a scheme,
    then something)."""
    if value == "":
        return
    m = re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:(.+)\Z", value, re.DOTALL)
    if not m or "#" in value or re.search(r"[\s<>\"{}|\\^`]", value) or \
            re.search(r"%(?![0-9A-Fa-f]{2})", value):
        raise SchemaIncorrect(f'datatypeLibrary "{value}" is not an absolute URI', *where)


class _At:
    """A RELAX NG element being read, with what it inherits."""

    __slots__ = ("el", "local", "attrs", "file", "url", "ns", "dl", "scope", "where")

    def __init__(self, el: etree._Element, local: str, attrs: dict[str, str], file: str,
                 url: str, ns: str, dl: str, scope: Scope | None) -> None:
        self.el = el
        self.local = local
        self.attrs = attrs
        self.file = file
        self.url = url  # its base URL (xml:base applied)
        self.ns = ns
        self.dl = dl
        self.scope = scope
        self.where = (file, el.sourceline or 0)


class _Reader:
    """Sections 4.1-4.11 and 4.17-4.18: files read into Nodes, grammars into Scopes."""

    def __init__(self) -> None:
        self.loading: list[str] = []
        self.refs: list[Node] = []
        self.files: list[str] = []  # every file read, as a path
        self.scopes: list[tuple[Scope, str, int]] = []
        # Each value (of a datatype) as the schema first writes it: messages say it so.
        self.value_texts: dict[tuple[int, Hashable], str] = {}

    def load(self, url: str, what: str, where: tuple[str, int]) -> etree._Element:
        parts = urlparse(url)
        if parts.scheme not in ("", "file") or parts.netloc:
            raise SchemaIncorrect(f"{what} of {url!r}: a remote schema is never fetched",
                                  *where)
        if url in self.loading:
            raise SchemaIncorrect(f"{what} loop: {url!r} includes itself", *where)
        path = url2pathname(parts.path) if parts.scheme else url
        self.files.append(path)
        try:
            tree = etree.parse(path, safe_parser(remove_comments=True, huge_tree=True))
        except etree.XMLSyntaxError as exc:
            line = exc.position[0] if exc.position else 0
            what = "the schema" if what == "schema" else path
            raise SchemaIncorrect(f"{what} is not well-formed XML: {exc.msg}", path, line,
                                  "malformed") from None
        except OSError as exc:
            raise SchemaIncorrect(f"{what}: cannot read {path} ({exc.strerror or exc})",
                                  *where, "unreadable") from None
        return tree.getroot()

    # -- common checks -------------------------------------------------------------------------
    def _attributes(self, el: etree._Element, local: str, file: str) -> dict[str, str]:
        allowed = _ATTRIBUTES.get(local, set()) | {"ns", "datatypeLibrary"}
        attrs: dict[str, str] = {}
        for key, value in el.attrib.items():
            if key.startswith("{"):
                if key.startswith(_R):
                    raise SchemaIncorrect(f"attribute {key} not allowed on {local}", file,
                                          el.sourceline or 0)
                continue  # foreign: an annotation (4.1)
            if key not in allowed:
                raise SchemaIncorrect(f'attribute "{key}" not allowed on {local}', file,
                                      el.sourceline or 0)
            if key in ("name", "type", "combine"):
                value = value.strip(_WS)  # 4.2
            attrs[key] = value
        if "datatypeLibrary" in attrs:
            _check_uri(attrs["datatypeLibrary"], (file, el.sourceline or 0))
        return attrs

    def _children(self, el: etree._Element, file: str, text_ok: bool = False
                  ) -> list[etree._Element]:
        """The RELAX NG children (foreign ones dropped); text only where allowed."""
        out = []
        if not text_ok and el.text and el.text.strip(_WS):
            raise SchemaIncorrect(f"text not allowed in {etree.QName(el).localname}", file,
                                  el.sourceline or 0)
        for child in el:
            if not text_ok and child.tail and child.tail.strip(_WS):
                raise SchemaIncorrect(f"text not allowed in {etree.QName(el).localname}",
                                      file, child.sourceline or 0)
            if not isinstance(child.tag, str):
                continue
            if child.tag.startswith(_R):
                local = child.tag[len(_R):]
                if local not in _KNOWN:
                    raise SchemaIncorrect(f'unknown RELAX NG element "{local}"', file,
                                          child.sourceline or 0)
                out.append(child)
        return out

    @staticmethod
    def _text(el: etree._Element, file: str) -> str:
        if any(isinstance(c.tag, str) for c in el):
            raise SchemaIncorrect(f"{etree.QName(el).localname} may hold only text", file,
                                  el.sourceline or 0)
        return "".join(el.itertext())

    # -- patterns ------------------------------------------------------------------------------
    def pattern(self, el: etree._Element, file: str, url: str, ns: str, dl: str,
                scope: Scope | None) -> Node:
        """The pattern ``el`` (in ``file``, read from ``url``; ``ns`` and ``datatypeLibrary``
        inherited, ``scope`` the grammar around it) as a Node."""
        local = etree.QName(el).localname
        where = (file, el.sourceline or 0)
        if local not in PATTERNS:
            raise SchemaIncorrect(f"{local} is not a pattern", *where)
        attrs = self._attributes(el, local, file)
        at = _At(el, local, attrs, file, _base(el, url), attrs.get("ns", ns),
                 attrs.get("datatypeLibrary", dl), scope)
        if local in ("element", "attribute"):
            return self._named(at)
        if local in ("group", "interleave", "choice", "optional", "zeroOrMore", "oneOrMore",
                     "list", "mixed"):
            kids = self._children(el, file)
            if not kids:
                raise SchemaIncorrect(f"{local} has no pattern", *where)
            return Node(local, file, where[1], [self.pattern_in(k, at) for k in kids])
        if local in ("ref", "parentRef"):
            return self._ref(at)
        if local in ("empty", "text", "notAllowed"):
            if self._children(el, file):
                raise SchemaIncorrect(f"{local} may not have children", *where)
            return Node(local, file, where[1])
        if local == "value":
            return self._value(at)
        if local == "data":
            return self._data(at)
        if local == "externalRef":
            return self._external_ref(at)
        inner = Scope(scope)  # a grammar: a reference to its start
        self.scopes.append((inner, file, where[1]))
        self.grammar_content(el, file, at.url, at.ns, at.dl, inner, inner.components)
        node = Node("ref", file, where[1])
        node.scope = inner
        return node

    def pattern_in(self, el: etree._Element, at: "_At") -> Node:
        """A pattern inside the one ``at`` is about."""
        return self.pattern(el, at.file, at.url, at.ns, at.dl, at.scope)

    def _named(self, at: "_At") -> Node:
        """``element`` and ``attribute``: a name class and the content."""
        kids = self._children(at.el, at.file)
        if "name" in at.attrs:  # 4.8: an attribute's name is in no namespace unless ns says
            name_ns = at.attrs.get("ns", "") if at.local == "attribute" else at.ns
            nc = _qname_class(at.attrs["name"], at.el, name_ns, at.where)
        else:
            if not kids:
                raise SchemaIncorrect(f"{at.local} has no name class", *at.where)
            nc = self.name_class(kids[0], at.file, at.ns)
            kids = kids[1:]
        if at.local == "element":
            if not kids:
                raise SchemaIncorrect("element has no pattern", *at.where)
        elif len(kids) > 1:
            raise SchemaIncorrect("attribute has more than one pattern", *at.where)
        content = [self.pattern_in(k, at) for k in kids] or [Node("text", *at.where)]
        if at.local == "attribute" and (("", "xmlns") in set(nc.names()) or
                                        XMLNS_NS in set(nc.namespaces())):
            raise SchemaIncorrect("an attribute's name class names xmlns or its namespace "
                                  "(4.16)", *at.where)
        node = Node(at.local, at.file, at.where[1], content)
        node.nc = nc
        return node

    def _ref(self, at: "_At") -> Node:
        if self._children(at.el, at.file):
            raise SchemaIncorrect(f"{at.local} may not have children", *at.where)
        name = at.attrs.get("name")
        if name is None or not _ncname(name):
            raise SchemaIncorrect(f"{at.local} needs an NCName name", *at.where)
        scope = at.scope if at.local == "ref" else (at.scope.parent if at.scope else None)
        if scope is None:
            raise SchemaIncorrect(f'{at.local} "{name}" outside a grammar that could hold '
                                  "its definition", *at.where)
        node = Node("ref", at.file, at.where[1])
        node.name = name
        node.scope = scope
        self.refs.append(node)
        return node

    def _value(self, at: "_At") -> Node:
        type_ = at.attrs.get("type")
        library = at.dl if type_ is not None else ""  # 4.4: no type is the built-in token
        if type_ is None:
            type_ = "token"
        elif not _ncname(type_):
            raise SchemaIncorrect(f'type "{type_}" is not an NCName', *at.where)
        text = self._text(at.el, at.file)
        try:
            dt = datatype(library, type_, ())
        except DatatypeError as exc:
            raise SchemaIncorrect(str(exc), *at.where) from None
        value = dt.value(text, _context(at.el, at.ns))
        if value is None:
            raise SchemaIncorrect(f'"{text}" is not a value of {dt.describe()}', *at.where)
        node = Node("value", at.file, at.where[1])
        node.dt = dt
        node.value = value
        # As written first: what messages say the value must be (jing's choice too).
        node.name = self.value_texts.setdefault((id(dt), value), text)
        return node

    def _data(self, at: "_At") -> Node:
        type_ = at.attrs.get("type")
        if type_ is None or not _ncname(type_):
            raise SchemaIncorrect("data needs an NCName type", *at.where)
        kids = self._children(at.el, at.file)
        params: list[tuple[str, str]] = []
        except_: Node | None = None
        for i, k in enumerate(kids):
            kl = etree.QName(k).localname
            line = k.sourceline or 0
            if kl == "param" and except_ is None:
                pname = self._attributes(k, "param", at.file).get("name")
                if pname is None or not _ncname(pname):
                    raise SchemaIncorrect("param needs an NCName name", at.file, line)
                params.append((pname, self._text(k, at.file)))
            elif kl == "except" and i == len(kids) - 1:
                eattrs = self._attributes(k, "except", at.file)
                parts = self._children(k, at.file)
                if not parts:
                    raise SchemaIncorrect("except has no pattern", at.file, line)
                inner = _At(k, kl, eattrs, at.file, at.url, eattrs.get("ns", at.ns),
                            eattrs.get("datatypeLibrary", at.dl), at.scope)
                except_ = Node("choice", at.file, line, [self.pattern_in(p, inner)
                                                          for p in parts])
            else:
                raise SchemaIncorrect(f"{kl} not allowed in data", at.file, line)
        try:
            dt = datatype(at.dl, type_, params)
        except DatatypeError as exc:
            raise SchemaIncorrect(str(exc), *at.where) from None
        node = Node("data", at.file, at.where[1], [except_] if except_ is not None else [])
        node.dt = dt
        return node

    def _external_ref(self, at: "_At") -> Node:
        if self._children(at.el, at.file):
            raise SchemaIncorrect("externalRef may not have children", *at.where)
        href = at.attrs.get("href")
        if href is None:
            raise SchemaIncorrect("externalRef needs href", *at.where)
        other = self._href(href, at.url, "externalRef", at.where)
        root = self.load(other, "externalRef", at.where)
        self.loading.append(other)
        try:
            if not (isinstance(root.tag, str) and root.tag.startswith(_R)):
                raise SchemaIncorrect(f"externalRef {href!r}: not a RELAX NG pattern",
                                      *at.where)
            # 4.3 comes before 4.6: the other file's datatypeLibrary starts afresh; its ns
            # is the externalRef's unless it says otherwise (4.6, 4.9).
            return self.pattern(root, other, other, at.ns, "", at.scope)
        finally:
            self.loading.pop()

    def _href(self, href: str, url: str, what: str, where: tuple[str, int]) -> str:
        href = href.strip(_WS)
        if not href or "#" in href:
            raise SchemaIncorrect(f"{what} href {href!r} is not a file", *where)
        return urljoin(url, href)

    # -- grammars ------------------------------------------------------------------------------
    def grammar_content(self, el: etree._Element, file: str, url: str, ns: str, dl: str,
                        scope: Scope, into: dict[str, list[tuple[str, Node, str, int]]]
                        ) -> None:
        for child in self._children(el, file):
            local = etree.QName(child).localname
            line = child.sourceline or 0
            where = (file, line)
            attrs = self._attributes(child, local, file)
            cns = attrs.get("ns", ns)
            cdl = attrs.get("datatypeLibrary", dl)
            curl = _base(child, url)
            if local == "div":
                self.grammar_content(child, file, curl, cns, cdl, scope, into)
            elif local in ("start", "define"):
                combine = attrs.get("combine", "")
                if combine not in ("", "choice", "interleave"):
                    raise SchemaIncorrect(f'combine="{combine}" is neither choice nor '
                                          "interleave", *where)
                name = ""
                if local == "define":
                    name = attrs.get("name", "")
                    if not _ncname(name):
                        raise SchemaIncorrect("define needs an NCName name", *where)
                kids = self._children(child, file)
                if not kids or (local == "start" and len(kids) != 1):
                    raise SchemaIncorrect(f"{local} needs {'one pattern' if local == 'start' else 'a pattern'}", *where)
                body = [self.pattern(k, file, curl, cns, cdl, scope) for k in kids]
                node = body[0] if len(body) == 1 else Node("group", file, line, body)
                into.setdefault(name, []).append((combine, node, file, line))
            elif local == "include":
                self.include(child, attrs, file, curl, cns, cdl, scope, into)
            else:
                raise SchemaIncorrect(f"{local} not allowed in a grammar", *where)

    def include(self, el: etree._Element, attrs: dict[str, str], file: str, url: str, ns: str,
                dl: str, scope: Scope, into: dict[str, list[tuple[str, Node, str, int]]]
                ) -> None:
        where = (file, el.sourceline or 0)
        href = attrs.get("href")
        if href is None:
            raise SchemaIncorrect("include needs href", *where)
        target = self._href(href, url, "include", where)
        root = self.load(target, "include", where)
        if root.tag != _R + "grammar":
            raise SchemaIncorrect(f"include {href!r}: its root is not a grammar", *where)
        own: dict[str, list[tuple[str, Node, str, int]]] = {}
        for child in self._children(el, file):
            if etree.QName(child).localname == "include":
                raise SchemaIncorrect("include not allowed in include", file,
                                      child.sourceline or 0)
        self.grammar_content(el, file, url, ns, dl, scope, own)
        included: dict[str, list[tuple[str, Node, str, int]]] = {}
        self.loading.append(target)
        try:
            rattrs = self._attributes(root, "grammar", target)
            self.grammar_content(root, target, target, rattrs.get("ns", ns),
                                 rattrs.get("datatypeLibrary", ""), scope, included)
        finally:
            self.loading.pop()
        for name in own:
            if name not in included:
                what = "start" if name == "" else f'define "{name}"'
                raise SchemaIncorrect(f"include {href!r} overrides {what}, which it does not "
                                      "have", *where)
            del included[name]
        for source in (included, own):
            for name, items in source.items():
                into.setdefault(name, []).extend(items)

    # -- name classes --------------------------------------------------------------------------
    def name_class(self, el: etree._Element, file: str, ns: str,
                   in_except: str = "") -> NameClass:
        local = etree.QName(el).localname
        where = (file, el.sourceline or 0)
        if local not in NAME_CLASSES:
            raise SchemaIncorrect(f"{local} is not a name class", *where)
        attrs = self._attributes(el, local if local != "choice" else "nc-choice", file)
        if "name" in attrs or "type" in attrs:
            raise SchemaIncorrect(f"attribute not allowed on {local}", *where)
        ns = attrs.get("ns", ns)
        if local == "name":
            return _qname_class(self._text(el, file).strip(_WS), el, ns, where)
        if local == "choice":
            kids = self._children(el, file)
            if not kids:
                raise SchemaIncorrect("choice has no name class", *where)
            return _nc_choice([self.name_class(k, file, ns, in_except) for k in kids])
        if local == "anyName" and in_except:
            raise SchemaIncorrect(f"anyName not allowed in the except of {in_except}", *where)
        if local == "nsName" and in_except == "nsName":
            raise SchemaIncorrect("nsName not allowed in the except of nsName", *where)
        kids = self._children(el, file)
        except_: NameClass | None = None
        if kids:
            if len(kids) > 1 or etree.QName(kids[0]).localname != "except":
                raise SchemaIncorrect(f"{local} may hold only an except", *where)
            eattrs = self._attributes(kids[0], "except", file)
            parts = self._children(kids[0], file)
            if not parts:
                raise SchemaIncorrect("except has no name class", *where)
            ens = eattrs.get("ns", ns)
            except_ = _nc_choice([self.name_class(k, file, ens, local) for k in parts])
        if local == "nsName":
            return NameClass("nsName", ns=ns, left=except_)
        return NameClass("anyName", left=except_)


def _nc_choice(ncs: list[NameClass]) -> NameClass:
    """The choice of these name classes, as a balanced tree (its depth is the log of its
    width: a choice of thousands of names checks a name in a few steps of recursion)."""
    if len(ncs) == 1:
        return ncs[0]
    half = len(ncs) // 2
    return NameClass("choice", left=_nc_choice(ncs[:half]), right=_nc_choice(ncs[half:]))


def _base(el: etree._Element, url: str) -> str:
    b = el.get(f"{{{XML_NS}}}base")
    return urljoin(url, b) if b is not None else url


def _context(el: etree._Element, ns: str) -> dict[str | None, str]:
    """A value's context: its namespace declarations, with ``ns`` as the default (4.9)."""
    context: dict[str | None, str] = {k: v for k, v in el.nsmap.items() if k is not None}
    context[None] = ns
    context["xml"] = XML_NS
    return context


def _qname_class(qname: str, el: etree._Element, ns: str, where: tuple[str, int]) -> NameClass:
    prefix, _, local = qname.rpartition(":")
    if not _ncname(local) or (prefix and not _ncname(prefix)):
        raise SchemaIncorrect(f'"{qname}" is not a QName', *where)
    if prefix:
        if prefix == "xml":
            uri = XML_NS
        else:
            found = el.nsmap.get(prefix)
            if found is None:
                raise SchemaIncorrect(f'prefix "{prefix}" of "{qname}" is not declared',
                                      *where)
            uri = found
    else:
        uri = ns
    return NameClass("name", ns=uri, local=local)


_ATTRIBUTES["nc-choice"] = set()
_ATTRIBUTES["grammar"] = set()


class _Builder:
    """Sections 4.12-4.21: Nodes to interned patterns, definitions combined and expanded."""

    def __init__(self, patterns: Patterns) -> None:
        self.p = patterns
        self.elements: dict[int, Pattern] = {}
        self.defines: dict[tuple[int, str], Pattern] = {}
        self.expanding: set[tuple[int, str]] = set()
        self.pending: list[tuple[Pattern, Node]] = []

    def combined(self, scope: Scope, name: str, file: str, line: int) -> Node:
        node = scope.combined.get(name)
        if node is not None:
            return node
        items = scope.components.get(name)
        what = "start" if name == "" else f'define "{name}"'
        if not items:
            if name == "":
                raise SchemaIncorrect("a grammar has no start", file, line)
            raise SchemaIncorrect(f'reference to undefined pattern "{name}"', file, line)
        plain = [i for i in items if not i[0]]
        if len(plain) > 1:
            raise SchemaIncorrect(f"{what} is given more than once without combine",
                                  plain[1][2], plain[1][3])
        methods = {i[0] for i in items if i[0]}
        if len(methods) > 1:
            raise SchemaIncorrect(f"{what} is combined both by choice and by interleave",
                                  items[0][2], items[0][3])
        if len(items) == 1:
            node = items[0][1]
        else:
            node = Node(methods.pop(), items[0][2], items[0][3], [i[1] for i in items])
        scope.combined[name] = node
        return node

    def build(self, node: Node) -> Pattern:
        p = self.p
        kind = node.kind
        kids = node.children
        if kind == "element":
            el = self.elements.get(node.node_id)
            if el is None:
                assert node.nc is not None
                el = self.elements[node.node_id] = p.element(node.nc)
                el.file, el.line = node.file, node.line
                self.pending.append((el, node))
            return el
        if kind == "attribute":
            assert node.nc is not None
            return p.attribute(node.nc, self.build(kids[0]))
        if kind == "choice":
            return p.choices([self.build(k) for k in kids])
        if kind in ("group", "interleave"):
            return self.balanced(kind, [self.build(k) for k in kids])
        if kind in ("optional", "zeroOrMore", "oneOrMore", "list", "mixed"):
            inner = self.build(kids[0]) if len(kids) == 1 else \
                self.build(Node("group", node.file, node.line, kids))
            if kind == "optional":
                return p.choice(inner, p.empty)
            if kind == "zeroOrMore":
                return p.choice(p.one_or_more(inner), p.empty)
            if kind == "oneOrMore":
                return p.one_or_more(inner)
            if kind == "list":
                return p.list_of(inner)
            return p.interleave(inner, p.text)
        if kind == "ref":
            return self.ref(node)
        if kind == "empty":
            return p.empty
        if kind == "text":
            return p.text
        if kind == "notAllowed":
            return p.not_allowed
        if kind == "value":
            assert node.dt is not None
            q = p.value_pattern(node.dt, node.value)
            q.name = node.name
            return q
        assert kind == "data" and node.dt is not None, kind
        return p.data(node.dt, self.build(kids[0]) if kids else None)

    def balanced(self, kind: str, parts: list[Pattern]) -> Pattern:
        """A group or interleave of many patterns as a balanced tree (both are associative):
        its depth, and the derivatives' recursion, grow with the log of its width (4.12
        leaves the nesting open)."""
        if len(parts) == 1:
            return parts[0]
        half = len(parts) // 2
        left, right = self.balanced(kind, parts[:half]), self.balanced(kind, parts[half:])
        return self.p.group(left, right) if kind == "group" else self.p.interleave(left, right)

    def ref(self, node: Node) -> Pattern:
        """4.19: a reference is its definition, expanded; a loop that passes through no
        element is an error."""
        assert node.scope is not None
        key = (id(node.scope), node.name)
        done = self.defines.get(key)
        if done is not None:
            return done
        if key in self.expanding:
            raise SchemaIncorrect(f'"{node.name}" refers to itself without an element '
                                  "between", node.file, node.line)
        self.expanding.add(key)
        result = self.build(self.combined(node.scope, node.name, node.file, node.line))
        self.expanding.discard(key)
        self.defines[key] = result
        if result.kind == ELEMENT and not result.name:
            result.name = node.name
        return result

    def run(self, top: Node) -> Pattern:
        start = self.build(top)
        while self.pending:
            el, node = self.pending.pop()
            kids = node.children
            el.p1 = self.build(kids[0]) if len(kids) == 1 else \
                self.build(Node("group", node.file, node.line, kids))
        return start


# -- section 7 --------------------------------------------------------------------------------
_IN_ATTRIBUTE, _IN_ONE_OR_MORE, _IN_REPEATED_GROUP, _IN_LIST, _IN_EXCEPT, _IN_START = \
    1, 2, 4, 8, 16, 32
_EMPTY_CT, _COMPLEX_CT, _SIMPLE_CT = 0, 1, 2


def _restrictions(patterns: Patterns, start: Pattern) -> None:
    """Section 7 on the simplified schema: SchemaIncorrect at the first violation, placed at
    the element pattern it is in."""
    check = _Restrictions()
    check.walk(start, _IN_START)
    for el in patterns.elements:
        assert el.p1 is not None
        check.where = el
        check.walk(el.p1, 0)
        _content_type(el.p1, check.types, check.fail)


class _Restrictions:
    """7.1 (prohibited paths), 7.3 (attributes: no duplicates, infinite name classes
    repeated) and 7.4 (interleave), walking each element's content once per context."""

    def __init__(self) -> None:
        self.seen: set[tuple[int, int]] = set()
        self.where: Pattern | None = None
        self.types: dict[int, int] = {}
        self.classes: dict[int, list[NameClass]] = {}

    def fail(self, message: str) -> None:
        el = self.where
        raise SchemaIncorrect(message, el.file if el else "", el.line if el else 0)

    def forbid(self, flags: int, mask: int, message: str) -> None:
        if flags & mask:
            self.fail(message)

    def walk(self, q: Pattern, flags: int) -> None:
        key = (q.id, flags)
        if key in self.seen:
            return
        self.seen.add(key)
        kind = q.kind
        if kind == ATTRIBUTE:
            self.attribute(q, flags)
        elif kind == ELEMENT:
            self.forbid(flags, _IN_ATTRIBUTE, "an element inside an attribute")
            self.forbid(flags, _IN_LIST, "an element inside a list")
            self.forbid(flags, _IN_EXCEPT, "an element inside data/except")
        elif kind in (GROUP, INTERLEAVE):
            self.group(q, flags)
        elif kind == ONE_OR_MORE:
            assert q.p1 is not None
            self.forbid(flags, _IN_EXCEPT, "oneOrMore inside data/except")
            self.forbid(flags, _IN_START, "oneOrMore in start")
            self.walk(q.p1, flags | _IN_ONE_OR_MORE)
        elif kind == LIST:
            assert q.p1 is not None
            self.forbid(flags, _IN_LIST, "a list inside a list")
            self.forbid(flags, _IN_EXCEPT | _IN_START, "a list inside data/except or start")
            self.walk(q.p1, flags | _IN_LIST)
        elif kind == TEXT:
            self.forbid(flags, _IN_LIST | _IN_EXCEPT | _IN_START,
                        "text inside a list, data/except or start")
        elif kind == DATA:
            self.forbid(flags, _IN_START, "data in start")
            if q.p1 is not None:
                self.walk(q.p1, flags | _IN_EXCEPT)
        elif kind == VALUE:
            self.forbid(flags, _IN_START, "value in start")
        elif kind == EMPTY:
            self.forbid(flags, _IN_EXCEPT | _IN_START, "empty inside data/except or start")
        elif kind == CHOICE:
            for a in q.alts:
                self.walk(a, flags)

    def attribute(self, q: Pattern, flags: int) -> None:
        assert q.nc is not None and q.p1 is not None
        self.forbid(flags, _IN_ATTRIBUTE, "an attribute inside an attribute")
        self.forbid(flags, _IN_REPEATED_GROUP,
                    "an attribute in a group or interleave inside oneOrMore")
        self.forbid(flags, _IN_LIST, "an attribute inside a list")
        self.forbid(flags, _IN_EXCEPT, "an attribute inside data/except")
        self.forbid(flags, _IN_START, "an attribute in start")
        if q.nc.infinite() and not flags & _IN_ONE_OR_MORE:
            self.fail("an attribute with anyName or nsName outside oneOrMore")
        self.walk(q.p1, flags | _IN_ATTRIBUTE)

    def group(self, q: Pattern, flags: int) -> None:
        assert q.p1 is not None and q.p2 is not None
        self.forbid(flags, _IN_EXCEPT, "group or interleave inside data/except")
        self.forbid(flags, _IN_START, "group or interleave in start")
        if q.kind == INTERLEAVE:
            self.forbid(flags, _IN_LIST, "interleave inside a list")
        inner = flags | _IN_REPEATED_GROUP if flags & _IN_ONE_OR_MORE else flags
        self.walk(q.p1, inner)
        self.walk(q.p2, inner)
        if flags & (_IN_ATTRIBUTE | _IN_LIST | _IN_EXCEPT | _IN_START):
            return
        for n1 in self.attribute_classes(q.p1):
            for n2 in self.attribute_classes(q.p2):
                if _classes_overlap(n1, n2):
                    self.fail(f"duplicate attribute {n1.describe(True)}")
        if q.kind == INTERLEAVE:
            e1, t1 = _element_classes(q.p1)
            e2, t2 = _element_classes(q.p2)
            if t1 and t2:
                self.fail("text in both operands of interleave")
            for n1 in e1:
                for n2 in e2:
                    if _classes_overlap(n1, n2):
                        self.fail(f"element {n1.describe()} in both operands of interleave")

    def attribute_classes(self, q: Pattern) -> list[NameClass]:
        found = self.classes.get(q.id)
        if found is None:
            found = self.classes[q.id] = _attribute_classes(q)
        return found


def _id_compatibility(patterns: Patterns) -> None:
    """DTD compatibility's ID rules (section 4 of that specification), as jing checks them:
    a datatype with an ID-type (ID, IDREF, IDREFS) only as the whole content of an
    attribute, whose name class is one name, on an element whose name class lists names;
    and no attribute both ID-typed and not (or typed otherwise) for one element name."""
    typed: dict[tuple[tuple[str, str], tuple[str, str]], set[str]] = {}
    untyped_wild: list[tuple[NameClass, NameClass, Pattern]] = []
    for el in patterns.elements:
        assert el.nc is not None and el.p1 is not None
        for attribute, id_type in _attributes_of(el):
            assert attribute.nc is not None
            anc = attribute.nc
            if not id_type:
                if el.nc.infinite() or anc.infinite():
                    untyped_wild.append((el.nc, anc, el))
                else:
                    for e in el.nc.names():
                        for a in anc.names():
                            typed.setdefault((e, a), set()).add("")
                continue
            if el.nc.infinite():
                raise SchemaIncorrect('an "element" pattern containing an "attribute" '
                                      "pattern with a non-null ID-type must have a name class "
                                      'that contains only "choice" and "name" elements',
                                      el.file, el.line)
            if anc.kind != "name":
                raise SchemaIncorrect('an "attribute" pattern with a non-null ID-type must '
                                      'have a "name" element as its name class', el.file,
                                      el.line)
            for e in el.nc.names():
                typed.setdefault((e, (anc.ns, anc.local)), set()).add(id_type)
    for (e, a), kinds in typed.items():
        wild = any(enc.contains(*e) and anc.contains(*a) for enc, anc, _ in untyped_wild)
        if len(kinds) > 1 or (wild and kinds != {""}):
            where = next(el for el in patterns.elements
                         if el.nc is not None and el.nc.contains(*e))
            raise SchemaIncorrect(f'conflicting ID-types for attribute "{a[1]}" of element '
                                  f'"{e[1]}"', where.file, where.line)


def _attributes_of(el: Pattern) -> Iterator[tuple[Pattern, str]]:
    """The attribute patterns of an element's content with their ID-type ("" for none);
    SchemaIncorrect where an ID-typed datatype is anything but an attribute's content."""
    assert el.p1 is not None
    seen: set[int] = set()
    stack: list[tuple[Pattern, bool]] = [(el.p1, False)]
    while stack:
        q, direct = stack.pop()
        if q.kind == ELEMENT:
            continue
        key = q.id * 2 + direct
        if key in seen:
            continue
        seen.add(key)
        if q.kind == ATTRIBUTE:
            assert q.p1 is not None
            value = q.p1
            typed = value.kind in (DATA, VALUE) and value.dt is not None and value.dt.id_type
            yield q, value.dt.id_type if typed and value.dt is not None else ""
            stack.append((value, True))
            continue
        if q.kind in (DATA, VALUE) and q.dt is not None and q.dt.id_type and not direct:
            raise SchemaIncorrect('a "data" or "value" pattern with non-null ID-type must '
                                  'occur as the child of an "attribute" pattern', el.file,
                                  el.line)
        stack.extend((c, False) for c in q.alts)
        stack.extend((c, False) for c in (q.p1, q.p2) if c is not None)


def _reachable(start: Pattern) -> list[Pattern]:
    """The element patterns the start pattern reaches (4.19: the rest are dropped)."""
    return sorted((q for q in reached(start, lambda q: True) if q.kind == ELEMENT),
                  key=lambda q: q.id)


def _id_attributes(content: Pattern) -> dict[tuple[str, str], str]:
    """The attributes of an element's content whose value is an ID, IDREF or IDREFS datatype
    (a single name, a data or value pattern)."""
    found: dict[tuple[str, str], str] = {}
    for q in reached(content, lambda q: q.kind not in (ELEMENT, ATTRIBUTE)):
        if q.kind == ATTRIBUTE and q.nc is not None and q.p1 is not None:
            value = q.p1
            if q.nc.kind == "name" and value.kind in (DATA, VALUE) and value.dt is not None \
                    and value.dt.id_type:
                found[(q.nc.ns, q.nc.local)] = value.dt.id_type
    return found


def _classes_overlap(a: NameClass, b: NameClass) -> bool:
    if a.kind == "name" and b.kind == "name":
        return a.ns == b.ns and a.local == b.local
    return overlap(a, b) is not None


def _attribute_classes(p: Pattern) -> list[NameClass]:
    """The name classes of the attributes of a content (7.3)."""
    found: dict[tuple[object, ...], NameClass] = {}
    for q in reached(p, lambda q: q.kind in STRUCTURE):
        if q.kind == ATTRIBUTE and q.nc is not None:
            found.setdefault(q.nc.key, q.nc)
    return list(found.values())


def _element_classes(p: Pattern) -> tuple[list[NameClass], bool]:
    """The name classes of the elements of a content, and whether it has text (7.4)."""
    found: dict[tuple[object, ...], NameClass] = {}
    text = False
    for q in reached(p, lambda q: q.kind in STRUCTURE):
        if q.kind == ELEMENT and q.nc is not None:
            found.setdefault(q.nc.key, q.nc)
        text = text or q.kind == TEXT
    return list(found.values()), text


def _content_type(q: Pattern, memo: dict[int, int], fail: Callable[[str], None]) -> int:
    done = memo.get(q.id)
    if done is not None:
        return done
    kind = q.kind
    if kind in (EMPTY, ATTRIBUTE, NOT_ALLOWED):
        ct = _EMPTY_CT
    elif kind in (TEXT, ELEMENT):
        ct = _COMPLEX_CT
    elif kind in (DATA, VALUE, LIST):
        ct = _SIMPLE_CT
    elif kind == CHOICE:
        ct = max(_content_type(a, memo, fail) for a in q.alts)
    elif kind in (GROUP, INTERLEAVE):
        assert q.p1 is not None and q.p2 is not None
        c1 = _content_type(q.p1, memo, fail)
        c2 = _content_type(q.p2, memo, fail)
        if not _groupable(c1, c2):
            fail("text or data grouped with other content: no content type")
        ct = max(c1, c2)
    elif kind == ONE_OR_MORE:
        assert q.p1 is not None
        ct = _content_type(q.p1, memo, fail)
        if not _groupable(ct, ct):
            fail("data or a list repeated by oneOrMore: no content type")
    else:
        ct = _EMPTY_CT
    memo[q.id] = ct
    return ct


def _groupable(a: int, b: int) -> bool:
    return a == _EMPTY_CT or b == _EMPTY_CT or (a == _COMPLEX_CT and b == _COMPLEX_CT)


class Grammar:
    """A correct RELAX NG schema, simplified: its start pattern and pattern store."""

    def __init__(self, patterns: Patterns, start: Pattern, source: str,
                 id_typed: "list[tuple[NameClass, dict[tuple[str, str], str]]] | None" = None
                 ) -> None:
        self.patterns = patterns
        self.start = start
        self.source = source
        self.files: list[str] = [source]  # the files it was read from (cache validity)
        # DTD compatibility (ID, IDREF, IDREFS): the attributes typed so, by element (given
        # when the grammar is read back from the cache, which keeps them).
        self._id_types: dict[tuple[str, str], str] = {}
        if id_typed is None:
            id_typed = []
            for el in patterns.elements:
                assert el.nc is not None and el.p1 is not None
                typed = _id_attributes(el.p1)
                if typed:
                    id_typed.append((el.nc, typed))
        self.id_typed = id_typed
        self.id_attribute_names = frozenset(
            f"{{{ns}}}{local}" if ns else local for _, typed in id_typed for ns, local in typed)

    def id_type(self, tag: str, attribute: str) -> str:
        """"ID", "IDREF", "IDREFS" or "" for this attribute on this element."""
        key = (tag, attribute)
        found = self._id_types.get(key)
        if found is None:
            ens, _, elocal = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
            ans, _, alocal = attribute[1:].partition("}") if attribute[:1] == "{" \
                else ("", "", attribute)
            found = ""
            for nc, typed in self.id_typed:
                if nc.contains(ens, elocal) and typed.get((ans, alocal)):
                    found = typed[(ans, alocal)]
                    break
            self._id_types[key] = found
        return found

    def element_patterns(self, ns: str, local: str) -> Iterator[Pattern]:
        for el in self.patterns.elements:
            assert el.nc is not None
            if el.nc.contains(ns, local):
                yield el


def read(path: str | Path, root: etree._Element | None = None) -> Grammar:
    """The schema at ``path`` (XML syntax; or ``root``, the schema read from there already),
    checked and simplified; SchemaIncorrect when it is not a correct RELAX NG schema, or a
    file it names cannot be read."""
    path = str(path)
    url = Path(path).resolve().as_uri()
    reader = _Reader()
    if root is None:
        root = reader.load(url, "schema", (path, 0))
    if not (isinstance(root.tag, str) and root.tag.startswith(_R)):
        raise SchemaIncorrect("the root element is not a RELAX NG pattern", path,
                              root.sourceline or 0)
    reader.loading.append(url)
    top = reader.pattern(root, path, url, "", "", None)
    patterns = Patterns()
    builder = _Builder(patterns)
    # 4.17-4.18 for every grammar and reference, reachable or not.
    for scope, file, line in reader.scopes:
        builder.combined(scope, "", file, line)
        for name in scope.components:
            builder.combined(scope, name, file, line)
    for ref in reader.refs:
        assert ref.scope is not None
        builder.combined(ref.scope, ref.name, ref.file, ref.line)
    start = builder.run(top)
    patterns.elements = _reachable(start)
    _restrictions(patterns, start)
    _id_compatibility(patterns)
    patterns.freeze()
    grammar = Grammar(patterns, start, path)
    grammar.files = reader.files or [path]
    return grammar


__all__ = ["Grammar", "SchemaIncorrect", "read"]
