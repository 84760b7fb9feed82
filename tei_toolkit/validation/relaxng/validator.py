"""A document validated by derivatives: one walk over an lxml tree, each element's events
(start tag, attributes, end of the start tag, text, end tag) taken as derivatives of the
current pattern. An event the pattern does not allow is reported with what was allowed there,
and validation goes on as jing's does, with no cascade: an element not allowed is validated
against the schema's patterns for its name and then passed over, an attribute not allowed is
ignored, a missing required attribute or child is reported once and taken as present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from lxml import etree

from .names import NameClass
from .patterns import DATA, LIST, NOT_ALLOWED, VALUE, Context, Pattern, Patterns, xml_words
from .schema import Grammar

def _walker() -> "type[Walker] | None":
    """The walk in C (built with Cython where a compiler was at hand), or None: the walk in
    Python, with the same verdicts and messages."""
    try:
        from ._walk import Walker
    except ImportError:  # the pure-Python install
        return None
    return Walker


if TYPE_CHECKING:
    from ._walk import Walker

_Walker = _walker()

_WS = " \t\r\n"
_NO_CONTEXT: dict[str | None, str] = {}


@dataclass(frozen=True)
class Issue:
    """One RELAX NG error: where (1-based line, column 0 when unknown) and jing's words."""

    line: int
    column: int
    message: str
    # "id" for a duplicate ID or a reference to no ID (DTD compatibility), else "".
    kind: str = ""
    attribute: str = ""  # the attribute an "id" issue is about ({ns}local)
    # The element it is about (for its column and path); not part of the issue's value.
    element: etree._Element | None = field(default=None, compare=False, repr=False)


def _qname(el: etree._Element) -> str:
    """The name as the document writes it (prefix:local)."""
    tag = el.tag
    assert isinstance(tag, str)
    local = tag.rpartition("}")[2]
    prefix = el.prefix
    return f"{prefix}:{local}" if prefix else local


def _split(tag: str) -> tuple[str, str]:
    if tag[:1] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


_SHOWN = 12  # names a message lists before it says how many more there are


def _names(classes: Iterable[NameClass], el: etree._Element, attribute: bool = False,
           all_of: bool = False) -> str:
    """What may come, in jing's words: 'element "b" or "c"', 'attribute "q:z"', 'any
    element in namespace "urn:y"'; names as the document would write them at ``el`` (its
    prefixes and default namespace; a namespace it does not declare gets a prefix or the
    default, and a note says so: '"t" (with xmlns="urn:e")'); past a dozen names, how many
    more. ``all_of``: what must come, 'elements "b" and "c"'."""
    default = "" if attribute else (el.nsmap.get(None) or "")
    prefixes = {uri: prefix for prefix, uri in el.nsmap.items() if prefix}
    prefixes["http://www.w3.org/XML/1998/namespace"] = "xml"
    leaves = [leaf for nc in classes for leaf in nc.leaves()]
    named = [leaf for leaf in leaves if leaf.kind == "name"]
    declared = _declared(
        sorted({leaf.ns for leaf in named if leaf.ns != default and leaf.ns not in prefixes}),
        attribute or bool(default) or any(leaf.ns == "" for leaf in named))
    prefixes.update({ns: prefix for ns, prefix in declared.items() if prefix})
    names: set[str] = set()
    for leaf in named:
        if leaf.ns == default or declared.get(leaf.ns) == "":
            names.add(f'"{leaf.local}"')
        else:
            names.add(f'"{prefixes[leaf.ns]}:{leaf.local}"')
    wild = {leaf.describe(attribute) for leaf in leaves if leaf.kind != "name"}
    what = "attribute" if attribute else "element"
    shown = sorted(names)
    if all_of:
        if len(shown) > 1:
            what += "s"
        listed = ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else \
            "".join(shown)
    elif len(shown) > _SHOWN:
        listed = ", ".join(shown[:_SHOWN]) + f" or one of {len(shown) - _SHOWN} more"
    else:
        listed = _or(shown) if shown else ""
    parts = ([f"{what} {listed}"] if listed else []) + sorted(wild)
    return " or ".join(parts) + _note(declared)


def _declared(unknown: list[str], bare_taken: bool) -> dict[str, str]:
    """Namespaces a message must declare to write its names, as jing does: one of them as the
    default namespace ("") when unprefixed names are free for it, else "ns"; several as
    "ns1", "ns2"..."""
    if len(unknown) == 1:
        return {unknown[0]: "ns" if bare_taken else ""}
    return {ns: f"ns{i}" for i, ns in enumerate(unknown, 1)}


def _note(declared: dict[str, str]) -> str:
    """' (with xmlns:ns1="a" xmlns:ns2="b")' for the namespaces a message declared."""
    if not declared:
        return ""
    return " (with " + " ".join(f'xmlns{":" + p if p else ""}="{ns}"'
                                for ns, p in declared.items()) + ")"


def _or(items: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _must_be(P: Patterns, values: list[Pattern], text: str, cx: Context,
             described: bool = True) -> str:
    """What a value must be, in jing's words: 'must be equal to "b" or "i"', 'must be an
    integer greater than or equal to 1' (the datatype's reason for this text), several as jing
    joins them ('must be an integer or must be equal to "abc"'). A value pattern whose
    datatype does not take the text at all gives the datatype's reason, not its value; the
    values are said as the schema writes them. ``described``: a datatype that has no reason
    for this text is named all the same."""
    reasons: list[str] = []
    equal: set[str] = set()
    qnames: set[tuple[str, str]] = set()
    for v in values:
        if v.dt is None:
            continue
        if v.kind == VALUE and v.dt.value(text, cx) is not None:
            if isinstance(v.value, tuple) and v.dt.name == "QName":
                qnames.add(v.value)
            else:
                equal.add(f'"{v.name or v.value}"')
        elif v.kind in (VALUE, DATA):
            why = v.dt.reason(text, cx)
            if why or described:
                reasons.append(why if why and why.startswith("must be ")
                               else f"must be {why or v.dt.describe()}")
    lists = [v for v in values if v.kind == LIST]
    if lists:
        reasons.append(_list_said(P, lists[0], text, cx))
    parts = [part for part in dict.fromkeys(reasons) if part]
    if equal:
        parts.append(f"must be equal to {_or(sorted(equal))}")
    if qnames:
        parts.append(_qnames_said(sorted(qnames), cx))
    return _or(parts) if parts else ""


def _list_said(P: Patterns, v: Pattern, text: str, cx: Context) -> str:
    """What is wrong with a list, as jing says it: 'token "a:" invalid; must be a URI', or
    'missing token; must be a boolean' (what the next token must be); nothing more when a
    token comes after the list's end."""
    assert v.p1 is not None
    d = v.p1
    for word in xml_words(text):
        after = P.text_deriv(d, word, cx)
        if after.kind == NOT_ALLOWED:
            nexts = P.next_values(d)
            if not nexts:
                return ""
            must = _must_be(P, nexts, word, cx)
            return f'token "{word}" invalid' + (f"; {must}" if must else "")
        d = after
    if d.nullable:
        return ""
    # What the next token must be, when the datatype has something to say of no token at
    # all (a pattern facet); else jing says nothing more, nor do we.
    must = _must_be(P, P.next_values(d), "", cx, described=False)
    return f"missing token; {must}" if must else ""


def _qnames_said(qnames: list[tuple[str, str]], cx: Context) -> str:
    """QName values as jing says them, with the document's prefixes where it has one for
    the namespace: 'must be a QName equal to "b:thing"', or '"thing" (with xmlns="urn:x")'."""
    prefixes = {uri: prefix for prefix, uri in cx.items() if prefix}
    default = cx.get(None, "")
    declared = _declared(
        sorted({ns for ns, _ in qnames if ns and ns not in prefixes and ns != default}),
        bool(default) or any(ns == "" for ns, _ in qnames))
    prefixes.update({ns: prefix for ns, prefix in declared.items() if prefix})
    said = [f'"{local}"' if not ns or ns == default or declared.get(ns) == ""
            else f'"{prefixes[ns]}:{local}"' for ns, local in qnames]
    return f"must be a QName equal to {_or(sorted(said))}" + _note(declared)


# The Python walk recurses per element; deeper trees are walked by their events.
_RECURSIVE_DEPTH = 2000


def _depth_at_least(root: etree._Element, limit: int) -> bool:
    """Does the tree nest ``limit`` elements deep (found without recursion)?"""
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth >= limit:
            return True
    return False


class Validation:
    """One document against one grammar."""

    def __init__(self, grammar: Grammar) -> None:
        self.grammar = grammar
        self.p: Patterns = grammar.patterns
        self.issues: list[Issue] = []
        self.id_names = grammar.id_attribute_names
        # ID -> where it was first given (an element, or its line when streaming); whether
        # its first occurrence was said (jing says it once, beside the first duplicate).
        self.ids: dict[str, tuple[etree._Element | int, list[bool]]] = {}
        self.idrefs: list[tuple[str, etree._Element | int, str]] = []
        # Streaming: issues keep lines, not elements (an element kept alive keeps memory).
        self.keep_elements = True

    def run(self, root: etree._Element) -> list[Issue]:
        if _Walker is not None:
            from ._walk import TooDeep

            try:
                _Walker(self, root).run(self.grammar.start, root)
            except TooDeep:
                return self.iteratively(root)
        elif _depth_at_least(root, _RECURSIVE_DEPTH):
            return self.iteratively(root)
        else:
            self.element(self.grammar.start, root)
        return self.finish()

    def iteratively(self, root: etree._Element) -> list[Issue]:
        """A tree too deep to walk by recursion, walked by its events (as a stream is,
        but leaving the tree as it is)."""
        from .stream import validate_events

        return validate_events(self.grammar, etree.iterwalk(root, events=("start", "end")),
                               keep_tree=True)

    def finish(self) -> list[Issue]:
        """The issues, with the IDREFs that name no ID (known only at the end)."""
        for value, where, name in self.idrefs:
            if value not in self.ids:
                el = where if isinstance(where, etree._Element) else None
                line = where if isinstance(where, int) else (where.sourceline or 0)
                self.issues.append(Issue(line, 0, f'IDREF "{value}" without matching ID',
                                         "id", name, el))
        return self.issues

    def check_id(self, el: etree._Element, tag: str, name: str, value: str) -> None:
        """DTD compatibility: an ID unique in the document, an IDREF naming one."""
        kind = self.grammar.id_type(tag, name)
        if kind == "ID":
            value = value.strip(_WS)
            where: etree._Element | int = el if self.keep_elements else (el.sourceline or 0)
            first = self.ids.get(value)
            if first is None:
                self.ids[value] = (where, [False])
                return
            self.issues.append(Issue(el.sourceline or 0, 0,
                                     f'ID "{value}" has already been defined', "id", name,
                                     el if self.keep_elements else None))
            there, said = first
            if not said[0]:
                said[0] = True
                at = there if isinstance(there, etree._Element) else None
                self.issues.append(Issue(there if isinstance(there, int)
                                         else (there.sourceline or 0), 0,
                                         f'first occurrence of ID "{value}"', "id", name, at))
        elif kind:
            where = el if self.keep_elements else (el.sourceline or 0)
            self.idrefs.extend((v, where, name) for v in xml_words(value))

    def report(self, el: etree._Element, message: str) -> None:
        self.issues.append(Issue(el.sourceline or 0, 0, message,
                                 element=el if self.keep_elements else None))

    def element(self, p: Pattern, el: etree._Element) -> Pattern:
        P = self.p
        tag: str = el.tag  # type: ignore[assignment]  # only elements come here
        memo = p.d_open
        d = memo.get(tag) if memo is not None else None
        if d is None:
            d = P.start_tag_open(p, tag)
        if d.kind == NOT_ALLOWED:
            go_on = self.not_allowed(p, el, tag)
            if go_on is None:
                return p
            d = go_on
        items = el.items()
        if items:
            d = self.attributes(d, el, tag, items)
        c = d.d_close
        if c is None:
            c = P.start_tag_close(d)
        if c.kind == NOT_ALLOWED:
            c = self.missing_attributes(d, el)
        c = self.children(c, el)
        e = c.d_end
        if e is None:
            e = P.end_tag(c)
        if e.kind == NOT_ALLOWED:
            e = self.incomplete(c, el)
        return e

    def missing_attributes(self, d: Pattern, el: etree._Element) -> Pattern:
        """Report the required attributes the start tag lacks; go on as if it had them."""
        missing = self.p.attributes(d, True)
        self.report(el, f'element "{_qname(el)}" missing required '
                        f"{_names(missing, el, True) or 'attribute (one of several)'}")
        return self.p.close_forgiving(d)

    def incomplete(self, c: Pattern, el: etree._Element) -> Pattern:
        """Report what the content lacks at the end tag; go on after the element."""
        elements, text, _ = self.p.expected(c)
        required = self.p.required(c)
        what = _names(elements, el)
        if text and not what:
            what = "text"
        self.report(el, f'element "{_qname(el)}" incomplete; '
                    + (f"missing required {_names(required, el, all_of=True)}" if required
                       else f"expected {what or 'more content'}"))
        return self.p.end_forgiving(c)

    def attributes(self, d: Pattern, el: etree._Element, tag: str,
                   items: list[tuple[str, str]]) -> Pattern:
        P = self.p
        cx = self.context(el) if P.context_dependent else _NO_CONTEXT
        for name, value in items:
            d2 = P.attribute_deriv(d, name, value, cx)
            if d2.kind == NOT_ALLOWED:
                d = self.attribute_not_allowed(d, el, name, value)
                continue
            d = d2
            if name in self.id_names:
                self.check_id(el, tag, name, value)
        return d

    def children(self, c: Pattern, el: etree._Element) -> Pattern:
        """The content: elements in turn, text between them (comments and processing
        instructions joined away; white space between elements ignored)."""
        text = el.text
        last: etree._Element | None = None  # the element child before the text
        for k in el:
            if k.tag.__class__ is str:
                if text and text.strip(_WS):
                    c = self.text(c, el, text, last, k)
                last = k
                c = self.element(c, k)
                text = k.tail
            else:
                tail = k.tail
                if tail:
                    text = (text or "") + tail
        if last is not None:
            if text and text.strip(_WS):
                c = self.text(c, el, text, last, None)
            return c
        return self.text_only(c, el, text or "")

    def text_only(self, c: Pattern, el: etree._Element, text: str) -> Pattern:
        """Content with no element: text, or nothing ("" or white space may also be no text
        at all)."""
        P = self.p
        cx = self.context(el) if P.context_dependent else _NO_CONTEXT
        if not text:
            d = P.nothing(c, cx)
        else:
            d = P.text_deriv(c, text, cx)
            if not text.strip(_WS):
                d = P.choice(c, d)
        if d.kind == NOT_ALLOWED:
            return self.text_not_allowed(c, el, text, None, None)
        return d

    def text(self, c: Pattern, el: etree._Element, text: str, after: etree._Element | None,
             before: etree._Element | None) -> Pattern:
        """Non-blank text in ``el`` between the element children ``after`` and ``before``
        (None: the start, the end)."""
        P = self.p
        d = P.text_deriv(c, text, self.context(el) if P.context_dependent else _NO_CONTEXT)
        if d.kind == NOT_ALLOWED:
            return self.text_not_allowed(c, el, text, after, before)
        return d

    @staticmethod
    def context(el: etree._Element) -> Context:
        nsmap = dict(el.nsmap)
        nsmap["xml"] = "http://www.w3.org/XML/1998/namespace"
        if None not in nsmap:
            nsmap[None] = ""
        return nsmap

    # -- errors ------------------------------------------------------------------------------
    def not_allowed(self, p: Pattern, el: etree._Element, tag: str) -> Pattern | None:
        """Report an element the pattern does not allow. The start tag's derivative to go
        on with when it is allowed later in this content (as if what was missing before it
        were there), else None: it is passed over, its content checked here."""
        go_on, content, attributes = self.refuse(p, el, tag)
        if go_on is not None:
            return go_on
        # Walked by its events: a refused subtree may be of any depth.
        from .stream import walk_events

        walk_events(self, etree.iterwalk(el, events=("start", "end")), keep_tree=True,
                    inside=content, attributes=attributes)
        return None

    def refuse(self, p: Pattern, el: etree._Element, tag: str
               ) -> tuple[Pattern | None, Pattern, bool]:
        """Report the element, in jing's words and with its recovery: (the derivative to go
        on with, or None; the content to check it against instead; whether its attributes
        are checked). Not allowed *yet*: go on as if what was missing were there. Allowed
        elsewhere: its content against the patterns for its name. Allowed nowhere: its
        content against any element's pattern, its attributes not at all."""
        ns, local = _split(tag)
        P = self.p
        elements, text, end = P.expected(p)
        choices = []
        if end:
            choices.append("the element end-tag")
        if text:
            choices.append("text")
        if elements:
            choices.append(_names(elements, el))
        anywhere = list(self.grammar.element_patterns(ns, local))
        go_on: Pattern | None = None
        if not anywhere:
            where = "anywhere"
        else:
            go_on = P.start_tag_open(P.relaxed(p), tag)
            where = "yet" if go_on.kind != NOT_ALLOWED else "here"
        required = P.required(p) if where == "yet" else []
        if required:
            said = f"; missing required {_names(required, el, all_of=True)}"
        else:
            said = f"; expected {_or(choices)}" if choices else ""
        self.report(el, f'element "{_qname(el)}" not allowed {where}{said}')
        if where == "yet":
            return go_on, P.not_allowed, True
        if not anywhere:
            return None, P.anything(), False
        return None, P.choices([P.after(a.p1, P.empty) for a in anywhere
                                if a.p1 is not None]), True

    def start_inside(self, content: Pattern, el: etree._Element, attributes: bool = True
                     ) -> Pattern:
        """The start tag of an element not allowed where it is, against ``content``
        (its attributes unchecked when ``attributes`` is false)."""
        P = self.p
        d = content
        cx = self.context(el)
        for name, value in el.items() if attributes else ():
            d2 = P.attribute_deriv(d, name, value, cx)
            if d2.kind == NOT_ALLOWED:
                d = self.attribute_not_allowed(d, el, name, value)
                continue
            d = d2
        c = P.start_tag_close(d)
        if c.kind == NOT_ALLOWED:
            c = P.close_forgiving(d)
        return c

    def attribute_not_allowed(self, d: Pattern, el: etree._Element, name: str, value: str
                              ) -> Pattern:
        """Report the attribute; go on as if it were absent, or, when only its value is
        wrong, as if its value were right (jing's recovery: one error, not two)."""
        ns, local = _split(name)
        allowed = self.p.attributes(d, False)
        qname = name.rpartition("}")[2]
        if ns:
            prefix = next((k for k, v in el.nsmap.items() if v == ns and k), None)
            if ns == "http://www.w3.org/XML/1998/namespace":
                prefix = "xml"
            qname = f"{prefix}:{qname}" if prefix else name
        if any(nc.contains(ns, local) for nc in allowed):
            must = _must_be(self.p, self.p.value_patterns(d, ns, local), value,
                            self.context(el))
            self.report(el, f'value of attribute "{qname}" is invalid'
                        + (f"; {must}" if must else ""))
            return self.p.attribute_forgiving(d, ns, local)
        self.report(el, f'attribute "{qname}" not allowed here; expected '
                    f"{_names(allowed, el, True)}" if allowed
                    else f'found attribute "{qname}", but no attributes allowed here')
        return d

    def text_not_allowed(self, c: Pattern, el: etree._Element, text: str,
                         after: etree._Element | None, before: etree._Element | None
                         ) -> Pattern:
        """Report text the pattern does not take; what to go on with: as if the value
        were right (a wrong value), or as if there were no text (text where none may be)."""
        elements, text_ok, end = self.p.expected(c)
        if text_ok:
            must = _must_be(self.p, self.p.value_patterns(c, "", None), text,
                            self.context(el))
            self.report(el, f'character content of element "{_qname(el)}" invalid'
                        + (f"; {must}" if must else ""))
            return self.p.text_forgiving(c)
        choices = []
        if end:
            choices.append("the element end-tag")
        if elements:
            choices.append(_names(elements, el))
        # The text's line: counted back from the element after it, or on from the one
        # before it (or from the start tag); lxml knows elements' lines only.
        stripped = text.rstrip(_WS)
        if before is not None:
            line = (before.sourceline or 0) - text[len(stripped):].count("\n")
        else:
            line = ((after if after is not None else el).sourceline or 0) + \
                text[:len(text) - len(text.lstrip(_WS))].count("\n")
        self.issues.append(Issue(max(line, 0), 0, "text not allowed here"
                                 + (f"; expected {_or(choices)}" if choices else ""),
                                 element=el if self.keep_elements else None))
        return c


def validate(grammar: Grammar, root: etree._Element) -> list[Issue]:
    """The RELAX NG errors of the document whose root element is ``root``."""
    return Validation(grammar).run(root)
