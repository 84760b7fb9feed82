"""libxml2's RELAX NG messages, rewritten to say what was expected where the schema tells.

libxml2 says "Expecting an element , got nothing" or "Invalid attribute when for element date";
with the schema at hand we can say which children or values would have been right.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..xmlcore import RELAXNG_NS, TEI_NS, XML_NS, safe_parser, tag_of

_R = f"{{{RELAXNG_NS}}}"
_MAX_LISTED = 12


@dataclass
class ContentModels:
    """Element name -> its content pattern, from a RELAX NG grammar, to answer "what may go here"."""

    elements: dict[str, list[etree._Element]] = field(default_factory=dict)
    defines: dict[str, etree._Element] = field(default_factory=dict)
    _attribute_names: dict[str, set[str]] = field(default_factory=dict, repr=False)
    # Every element the schema allows is named in this file: no include or externalRef, no
    # anyName or nsName. Only then can an element be said to be allowed nowhere.
    closed: bool = False

    @classmethod
    def load(cls, path: Path) -> "ContentModels":
        try:
            root = etree.parse(str(path), safe_parser(remove_comments=True, huge_tree=True)).getroot()
        except (OSError, etree.XMLSyntaxError):
            return cls()
        models = cls()
        models.defines = {d.get("name", ""): d for d in root.iter(_R + "define")}
        for el in root.iter(_R + "element"):
            name = el.get("name")
            if name:
                models.elements.setdefault(name.split(":")[-1], []).append(el)
        models.closed = not any(True for _ in root.iter(
            _R + "include", _R + "externalRef", _R + "anyName", _R + "nsName"))
        return models

    def nowhere(self, el: etree._Element) -> bool:
        """Is ``el`` an element the schema allows nowhere (by its name)?"""
        return self.closed and bool(self.elements) and isinstance(el.tag, str) and \
            etree.QName(el).localname not in self.elements

    def children(self, element: str, first_only: bool = False) -> list[str]:
        """Names of elements that may appear in ``element`` (or start its content); worked
        out once per element (a batch of invalid documents asks for the same ones)."""
        cache = self.__dict__.setdefault("_children", {})
        found = cache.get((element, first_only))
        if found is None:
            out: set[str] = set()
            for pattern in self.elements.get(element, []):
                self._names(list(pattern), out, first_only, set())
            found = cache[(element, first_only)] = sorted(out)
        return list(found)

    def attribute_values(self, element: str, attribute: str) -> tuple[list[str], str]:
        """(enumerated values, datatype description) the schema gives ``element/@attribute``."""
        values: list[str] = []
        types: list[str] = []
        for pattern in self.elements.get(element, []):
            for attr in self._attributes(pattern, set()):
                if attr.get("name") == attribute:
                    values += [v.text or "" for v in attr.iter(_R + "value")]
                    for d in attr.iter(_R + "data"):
                        types.append(_datatype(d))
        return sorted(set(values)), " or ".join(dict.fromkeys(t for t in types if t))

    def attribute_names(self, element: str) -> set[str]:
        # Asked once per problem: a page with a thousand foreign attributes asks a thousand
        # times. Shared between threads: the worst case computes one twice.
        known = self._attribute_names.get(element)
        if known is None:
            known = self._attribute_names[element] = {
                a.get("name", "") for p in self.elements.get(element, [])
                for a in self._attributes(p, set()) if a.get("name")}
        return known

    def _attributes(self, node: etree._Element, seen: set[str]) -> Iterator[etree._Element]:
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag == _R + "attribute":
                yield child
            elif child.tag == _R + "ref":
                name = child.get("name")
                if name not in seen and name in self.defines:
                    seen.add(name)
                    yield from self._attributes(self.defines[name], seen)
            elif child.tag != _R + "element":
                yield from self._attributes(child, seen)

    def _names(self, nodes: list[Any], out: set[str], first_only: bool, seen: set[str]) -> bool:
        """Collect element names; returns True if the sequence ``nodes`` can match nothing."""
        for node in nodes:
            if not isinstance(node.tag, str):
                continue
            nullable = self._name(node, out, first_only, seen)
            if first_only and not nullable:
                return False
        return True

    def _name(self, node: etree._Element, out: set[str], first_only: bool, seen: set[str]) -> bool:
        tag = tag_of(node)[len(_R):] if tag_of(node).startswith(_R) else ""
        if tag == "element":
            name = node.get("name")
            if name:
                out.add(name.split(":")[-1])
            return False
        if tag == "ref":
            name = node.get("name")
            if name in seen or name not in self.defines:
                return True
            seen.add(name)
            return self._names(list(self.defines[name]), out, first_only, seen)
        if tag == "choice":
            results = [self._names([c], out, first_only, seen) for c in node if isinstance(c.tag, str)]
            return any(results) if results else True
        if tag in ("zeroOrMore", "optional"):
            self._names(list(node), out, first_only, seen)
            return True
        if tag in ("group", "oneOrMore", "interleave", "mixed", "define"):
            return self._names(list(node), out, first_only, seen)
        return tag in ("empty", "attribute", "text", "notAllowed", "")


_BOUNDS = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=",
           "maxExclusive": "<", "minLength": "length >=", "maxLength": "length <=",
           "length": "length ="}


def _datatype(d: etree._Element) -> str:
    """A data pattern said in words: ``double from 0 to 1``, ``token matching [a-z]+``."""
    params = {p.get("name", ""): (p.text or "").strip() for p in d.iter(_R + "param")}
    kind = d.get("type", "")
    low = params.get("minInclusive")
    high = params.get("maxInclusive")
    if low is not None and high is not None:
        text = f"{kind} from {low} to {high}"
        params = {k: v for k, v in params.items() if k not in ("minInclusive", "maxInclusive")}
    else:
        text = kind
    extra = [f"{_BOUNDS[k]} {v}" for k, v in params.items() if k in _BOUNDS]
    if "pattern" in params:
        extra.append(f"matching {params['pattern']}")
    return text + (" " + ", ".join(extra) if extra else "")


def named(el: etree._Element | None, name: str) -> str:
    """``<name>``, with its namespace when it is not TEI's (nor none)."""
    ns = etree.QName(el).namespace if el is not None and isinstance(el.tag, str) else None
    return f"<{name}>" + (f" (namespace {ns})" if ns and ns != TEI_NS else "")


def _list(names: list[str]) -> str:
    shown = ", ".join(f"<{n}>" for n in names[:_MAX_LISTED])
    return shown + (f" (and {len(names) - _MAX_LISTED} more)" if len(names) > _MAX_LISTED else "")


def culprits(el: etree._Element | None, child: str) -> list[etree._Element]:
    """The elements "... has extra content: <child>" may mean: libxml2's path names the child
    itself or, for a prefixed name it cannot write, its parent."""
    if el is None or not isinstance(el.tag, str):
        return []
    if etree.QName(el).localname == child:
        return [el]
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == child]


def inside(el: etree._Element | None, child: str, models: ContentModels | None
           ) -> tuple[etree._Element, str] | None:
    """libxml2 says "Element P has extra content: C" when a child C that P allows fails inside
    (its alternatives all failed, so libxml2 never says why). Where C's own attributes show
    why (a name C does not take, a value outside its closed list), that child and that reason,
    as jing gives them; else None."""
    if models is None or child not in models.elements:
        return None
    for c in culprits(el, child):
        parent = c.getparent()
        if parent is None or child not in models.children(etree.QName(parent).localname):
            continue
        said = attribute_problem(c, models)
        if said is not None:
            return c, said
    return None


def attribute_problem(el: etree._Element, models: ContentModels) -> str | None:
    """What is wrong with ``el``'s attributes, where the schema says: a name its element
    does not take, or a value outside a closed list."""
    local = etree.QName(el).localname
    names = models.attribute_names(local)
    for key, value in el.attrib.items():
        q = etree.QName(key)
        if q.namespace not in (None, XML_NS):
            continue  # attributes of other namespaces: patterns this does not read
        shown = ("xml:" if q.namespace == XML_NS else "") + q.localname
        if shown not in names:
            return f"@{shown} is not allowed on <{local}>"
        values, datatype = models.attribute_values(local, shown)
        if values and not datatype and value not in values:
            return (f"@{shown} of <{local}> has an invalid value {value!r}; expected one of: "
                    + ", ".join(v or '""' for v in values[:_MAX_LISTED]))
    return None


def improve(message: str, el: etree._Element | None, models: ContentModels | None) -> str:
    """A message that says what was wrong and, where the schema tells, what was expected:
    libxml2's message rewritten by the first of ``_REWRITES`` whose pattern it matches."""
    message = " ".join(message.split())
    for pattern, rewrite in _REWRITES:
        m = pattern.fullmatch(message)
        if m:
            better = rewrite(m, el, models)
            if better is not None:
                return better
    return message


_Rewrite = Callable[[re.Match[str], "etree._Element | None", "ContentModels | None"],
                    "str | None"]


def _localname(el: etree._Element | None) -> str | None:
    return etree.QName(el).localname if el is not None and isinstance(el.tag, str) else None


def _incomplete(m: re.Match[str], el: etree._Element | None,
                models: ContentModels | None) -> str | None:
    local = _localname(el)
    if not local:
        return None
    expected = models.children(local, first_only=True) if models is not None else []
    if len(expected) == 1 and el is not None and len(el) == 0:
        return f"<{local}> is incomplete: the required child <{expected[0]}> is missing"
    return (f"<{local}> is incomplete: a required child element is missing"
            + (f"; its content may start with {_list(expected)}" if expected else ""))


def _not_expected(m: re.Match[str], el: etree._Element | None,
                  models: ContentModels | None) -> str | None:
    if el is None:
        return None
    name = m.group(1)
    parent = el.getparent()
    if parent is None:
        ns = etree.QName(el).namespace
        hint = ""
        if models and name in models.elements and ns != TEI_NS:
            hint = f" (its namespace is {ns or 'none'}; TEI's is {TEI_NS})"
        return f"<{name}> is not allowed as the root element here{hint}"
    what = named(el, name)
    foreign = what != f"<{name}>"
    where = etree.QName(parent).localname
    known = models is not None and where in models.elements
    allowed = models.children(where) if models is not None and known else []
    if name in allowed and not foreign:
        first = models.children(where, first_only=True) if models is not None and known \
            else []
        return (f"<{name}> is out of place inside <{where}>: an element is missing before "
                f"it, or the order is wrong" + (f"; <{where}> starts with {_list(first)}"
                                                if first else ""))
    return (f"{what} is not allowed here, inside <{where}>"
            + (f"; <{where}> may contain {_list(allowed)}" if allowed else
               f"; <{where}> may not contain elements" if known else ""))


def _wrong_namespace(m: re.Match[str], el: etree._Element | None,
                     models: ContentModels | None) -> str | None:
    actual = etree.QName(el).namespace if el is not None and isinstance(el.tag, str) else None
    return f"<{m.group(1)}> is in the namespace {actual or '(none)'}; expected {m.group(2)}"


def _invalid_attribute(m: re.Match[str], el: etree._Element | None,
                       models: ContentModels | None) -> str | None:
    attr, elem = m.group(1), m.group(2)
    shown, value = attr, None
    if el is not None:
        for key, v in el.attrib.items():
            q = etree.QName(key)
            if q.localname == attr:
                shown = ("xml:" if q.namespace == XML_NS else "") + attr
                value = v
                break
    if models and elem in models.elements and shown not in models.attribute_names(elem):
        return f"@{shown} is not allowed on <{elem}>"
    text = f"@{shown} of <{elem}>" + (f" has an invalid value {value!r}" if value is not None
                                      else " is not allowed")
    if models and value is not None:
        values, datatype = models.attribute_values(elem, shown)
        shown_values = ", ".join(v or '""' for v in values[:_MAX_LISTED])
        if values and not datatype:
            text += f"; expected one of: {shown_values}"
        elif datatype:
            text += f"; expected {datatype}" + (f" or one of: {shown_values}" if values else "")
    return text


def _failed(m: re.Match[str], el: etree._Element | None,
            models: ContentModels | None) -> str | None:
    said = attribute_problem(el, models) if m.group(2) == "attributes" and models \
        and el is not None and isinstance(el.tag, str) else None
    verb = "is" if m.group(2) == "content" else "are"
    return said or f"<{m.group(1)}>: its {m.group(2)} {verb} not valid"


_REWRITES: tuple[tuple[re.Pattern[str], _Rewrite], ...] = (
    (re.compile(r"Expecting an element , got nothing"), _incomplete),
    (re.compile(r"Did not expect element (\S+) there"), _not_expected),
    (re.compile(r"Element (\S+) has wrong namespace: expecting (\S+)"), _wrong_namespace),
    (re.compile(r"Expecting element (\S+), got (\S+)"),
     lambda m, el, models: f"expected <{m.group(1)}> here, found <{m.group(2)}>"),
    (re.compile(r"Element (\S+) has extra content: (\S+)"),
     lambda m, el, models: f"<{m.group(1)}> has content that is not allowed: <{m.group(2)}>"),
    (re.compile(r"Did not expect text in element (\S+) content"),
     lambda m, el, models: f"text is not allowed directly inside <{m.group(1)}>, only "
                           "elements"),
    (re.compile(r"Invalid attribute (\S+) for element (\S+)"), _invalid_attribute),
    (re.compile(r"Element (\S+) failed to validate (content|attributes)"), _failed),
)
