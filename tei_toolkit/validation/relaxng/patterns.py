"""Interned RELAX NG patterns and their derivatives (Clark's algorithm).

A pattern stands for a set of sequences of events; the derivative of a pattern for an event is
the pattern for what may follow. Patterns are interned (one object per structure), so a
derivative is memoised on the pattern itself: after warm-up, a start tag is a dictionary
lookup. ``after(p, q)`` is Clark's pattern for "p, then the end tag, then q".

Attribute values and text matter to a derivative only through the value patterns (``data``,
``value``, ``list``) they meet; the memo is keyed by which of those the value matches, not by
the value, so a document's thousands of distinct ``xml:id`` values share one entry. Every memo
is bounded (:data:`MEMO_LIMIT` entries in all): past it, all are cleared and built again.
"""

from __future__ import annotations

import re
from typing import Callable, Hashable, Iterator, Mapping, Sequence

from .datatypes import Datatype
from .names import NameClass

EMPTY, NOT_ALLOWED, TEXT, CHOICE, INTERLEAVE, GROUP, ONE_OR_MORE, LIST, DATA, VALUE, \
    ATTRIBUTE, ELEMENT, AFTER = range(13)
KIND_NAMES = ("empty", "notAllowed", "text", "choice", "interleave", "group", "oneOrMore",
              "list", "data", "value", "attribute", "element", "after")

Context = Mapping[str | None, str]
MEMO_LIMIT = 1_000_000
_VALUE_MEMO_LIMIT = 20_000  # per value pattern; the grammar bounds their number


class Pattern:
    """One interned pattern. ``p1``/``p2``: operands (for ``element``, ``p1`` is the content;
    for ``data``, ``p1`` is the except or None); ``alts``: a choice's alternatives."""

    __slots__ = ("kind", "id", "p1", "p2", "nc", "dt", "value", "alts", "nullable",
                 "d_open", "d_att", "d_close", "d_text", "d_end", "d_nothing", "d_values", "atts",
                 "att_values",
                 "text_values", "open_index",
                 "name", "line", "file")

    def __init__(self, kind: int, id: int, p1: "Pattern | None" = None,
                 p2: "Pattern | None" = None, nc: NameClass | None = None,
                 dt: Datatype | None = None, value: Hashable = None,
                 alts: tuple["Pattern", ...] = ()) -> None:
        self.kind = kind
        self.id = id
        self.p1 = p1
        self.p2 = p2
        self.nc = nc
        self.dt = dt
        self.value = value
        self.alts = alts
        if kind in (EMPTY, TEXT):
            self.nullable = True
        elif kind == CHOICE:
            self.nullable = any(a.nullable for a in alts)
        elif kind in (GROUP, INTERLEAVE):
            self.nullable = p1 is not None and p2 is not None and p1.nullable and p2.nullable
        elif kind == ONE_OR_MORE:
            self.nullable = p1 is not None and p1.nullable
        else:
            self.nullable = False
        # Memos: start tag -> derivative; attribute (tag, matches) -> derivative; the rest one
        # slot each. The value patterns an attribute or text meets, by tag / once.
        self.d_open: dict[str, Pattern] | None = None
        # attribute name -> which of its value patterns the value matches -> derivative
        self.d_att: dict[str, dict[tuple[bool, ...], Pattern]] | None = None
        self.d_close: Pattern | None = None
        self.d_text: dict[tuple[bool, ...], Pattern] | None = None
        self.d_end: Pattern | None = None
        self.d_nothing: Pattern | None = None  # content with no text and no element at all
        self.d_values: dict[str, bool] | None = None  # value -> matches (value patterns)
        self.atts: tuple[Pattern, ...] | None = None  # the attribute patterns it has
        self.att_values: dict[str, tuple[Pattern, ...]] | None = None
        self.text_values: tuple[Pattern, ...] | None = None
        # A wide choice's alternatives by the one element name they start with, and the
        # others (found once: a start tag then looks at the few that can take it).
        self.open_index: tuple[dict[tuple[str, str], tuple[Pattern, ...]],
                               tuple[Pattern, ...]] | None = None
        # An element pattern's define name and place in the schema; a value pattern's value
        # as the schema writes it (messages).
        self.name = ""
        self.line = 0
        self.file = ""

    def __repr__(self) -> str:
        return f"<{KIND_NAMES[self.kind]} #{self.id}>"


class Patterns:
    """The patterns of one schema: interning, derivatives, memo bounds."""

    def __init__(self) -> None:
        self._interned: dict[tuple[object, ...], Pattern] = {}
        self._next = 0
        self.empty = self._make(EMPTY)
        self.not_allowed = self._make(NOT_ALLOWED)
        self.text = self._make(TEXT)
        self._permanent = 0
        self._memo_size = 0
        self._after_memo: dict[tuple[int, int, int], Pattern] = {}
        self._relaxed: dict[int, Pattern] = {}
        self._anything: Pattern | None = None
        self.elements: list[Pattern] = []
        self.context_dependent = False

    # -- construction --------------------------------------------------------------------------
    def _make(self, kind: int, p1: Pattern | None = None, p2: Pattern | None = None,
              nc: NameClass | None = None, dt: Datatype | None = None, value: Hashable = None,
              alts: tuple[Pattern, ...] = ()) -> Pattern:
        p = Pattern(kind, self._next, p1, p2, nc, dt, value, alts)
        self._next += 1
        return p

    def _intern(self, key: tuple[object, ...], kind: int, p1: Pattern | None = None,
                p2: Pattern | None = None, nc: NameClass | None = None,
                dt: Datatype | None = None, value: Hashable = None,
                alts: tuple[Pattern, ...] = ()) -> Pattern:
        p = self._interned.get(key)
        if p is None:
            p = self._interned[key] = self._make(kind, p1, p2, nc, dt, value, alts)
        return p

    def freeze(self) -> None:
        """The schema's own patterns are built: what is interned later may be dropped."""
        self._permanent = len(self._interned)
        self._permanent_keys = set(self._interned)

    def adopt(self, p: Pattern) -> None:
        """Intern a pattern made elsewhere (read back from the grammar cache) under the key
        the constructor of its kind uses."""
        kind = p.kind
        if kind == CHOICE:
            key: tuple[object, ...] = (CHOICE, *[a.id for a in p.alts])
        elif kind == ATTRIBUTE:
            assert p.nc is not None and p.p1 is not None
            key = (ATTRIBUTE, p.nc.key, p.p1.id)
        elif kind == DATA:
            key = (DATA, id(p.dt), p.p1.id if p.p1 is not None else None)
        elif kind == VALUE:
            key = (VALUE, id(p.dt), p.value)
        elif kind in (ONE_OR_MORE, LIST):
            assert p.p1 is not None
            key = (kind, p.p1.id)
        else:
            assert p.p1 is not None and p.p2 is not None
            key = (kind, p.p1.id, p.p2.id)
        self._interned[key] = p

    def choice(self, a: Pattern, b: Pattern) -> Pattern:
        if a is b or b.kind == NOT_ALLOWED:
            return a
        if a.kind == NOT_ALLOWED:
            return b
        return self.choices((a, b))

    def choices(self, patterns: Sequence[Pattern]) -> Pattern:
        """The choice of these patterns: alternatives flattened, each once, notAllowed
        dropped, in a canonical order (so that equal choices are one pattern)."""
        alts: dict[int, Pattern] = {}
        for p in patterns:
            kind = p.kind
            if kind == CHOICE:
                for q in p.alts:
                    alts[q.id] = q
            elif kind != NOT_ALLOWED:
                alts[p.id] = p
        if len(alts) <= 1:
            return next(iter(alts.values())) if alts else self.not_allowed
        ids = sorted(alts)
        key = (CHOICE, *ids)
        found = self._interned.get(key)
        if found is not None:
            return found
        return self._intern(key, CHOICE, alts=tuple([alts[i] for i in ids]))

    def group(self, a: Pattern, b: Pattern) -> Pattern:
        return self._sequence(GROUP, a, b)

    def interleave(self, a: Pattern, b: Pattern) -> Pattern:
        return self._sequence(INTERLEAVE, a, b)

    def _sequence(self, kind: int, a: Pattern, b: Pattern) -> Pattern:
        """group or interleave: notAllowed absorbs, empty vanishes (4.20, 4.21)."""
        if a.kind == NOT_ALLOWED or b.kind == NOT_ALLOWED:
            return self.not_allowed
        if a.kind == EMPTY:
            return b
        if b.kind == EMPTY:
            return a
        return self._intern((kind, a.id, b.id), kind, a, b)

    def after(self, a: Pattern, b: Pattern) -> Pattern:
        if a.kind == NOT_ALLOWED or b.kind == NOT_ALLOWED:
            return self.not_allowed
        return self._intern((AFTER, a.id, b.id), AFTER, a, b)

    def one_or_more(self, p: Pattern) -> Pattern:
        if p.kind in (NOT_ALLOWED, EMPTY):
            return p
        return self._intern((ONE_OR_MORE, p.id), ONE_OR_MORE, p)

    def list_of(self, p: Pattern) -> Pattern:
        if p.kind == NOT_ALLOWED:
            return p
        return self._intern((LIST, p.id), LIST, p)

    def attribute(self, nc: NameClass, p: Pattern) -> Pattern:
        if p.kind == NOT_ALLOWED:
            return p
        return self._intern((ATTRIBUTE, nc.key, p.id), ATTRIBUTE, p, nc=nc)

    def data(self, dt: Datatype, except_: Pattern | None) -> Pattern:
        if except_ is not None and except_.kind == NOT_ALLOWED:
            except_ = None
        if dt.context_dependent:
            self.context_dependent = True
        return self._intern((DATA, id(dt), except_.id if except_ else None), DATA, except_,
                            dt=dt)

    def value_pattern(self, dt: Datatype, value: Hashable) -> Pattern:
        if dt.context_dependent:
            self.context_dependent = True
        return self._intern((VALUE, id(dt), value), VALUE, dt=dt, value=value)

    def element(self, nc: NameClass) -> Pattern:
        """A new element pattern; its content (``p1``) is set by the caller."""
        p = self._make(ELEMENT, None, None, nc)
        self.elements.append(p)
        return p

    # -- memo bounds ---------------------------------------------------------------------------
    def _grew(self, n: int = 1) -> None:
        self._memo_size += n
        if self._memo_size > MEMO_LIMIT or len(self._interned) > self._permanent + MEMO_LIMIT:
            self.clear()

    def clear(self) -> None:
        """Forget every derivative and every pattern made by one (the schema's stay)."""
        for p in list(self._interned.values()) + self.elements + \
                [self.empty, self.not_allowed, self.text]:
            p.d_open = p.d_att = p.d_text = None
            p.d_close = p.d_end = p.d_nothing = None
            p.att_values = None
            p.text_values = None
            p.d_values = None
            p.atts = None
        keep: set[tuple[object, ...]] = getattr(self, "_permanent_keys", set())
        self._interned = {k: v for k, v in self._interned.items() if k in keep}
        self._after_memo.clear()
        self._relaxed.clear()
        self._anything = None
        self._memo_size = 0

    # -- values --------------------------------------------------------------------------------
    def value_match(self, p: Pattern, s: str, cx: Context) -> bool:
        """Does the text ``s`` match ``p`` (an attribute's value or an element's text)?"""
        if p.kind == TEXT:
            return True
        memo = p.d_values
        if memo is not None:
            cached = memo.get(s)
            if cached is not None:
                return cached
        dt = p.dt
        if p.kind == DATA and p.p1 is None and dt is not None:
            result = dt.allows(s, cx)  # the commonest case, without two calls between
        else:
            result = self._matches(p, s, cx)
        if not self.context_dependent:
            if memo is None or len(memo) >= _VALUE_MEMO_LIMIT:
                memo = p.d_values = {}
            memo[s] = result
        return result

    def _matches(self, p: Pattern, s: str, cx: Context) -> bool:
        """valueMatch: ``s`` as a whole matches ``p``. Directly for the shapes attribute
        values and text content mostly have (data, value, list, choices of them), else by
        the text derivative."""
        kind = p.kind
        if kind in (DATA, VALUE, LIST):
            return self._data_match(p, s, cx)
        if kind == TEXT:
            return True
        if kind == EMPTY:
            return not s.strip(" \t\r\n")
        if kind == CHOICE:
            return any(self._matches(a, s, cx) for a in p.alts)
        if kind == NOT_ALLOWED:
            return False
        d = self.text_deriv(p, s, cx)
        return d.nullable or (p.nullable and not s.strip(" \t\r\n"))

    def _data_match(self, p: Pattern, s: str, cx: Context) -> bool:
        kind = p.kind
        if kind == DATA:
            assert p.dt is not None
            if not p.dt.allows(s, cx):
                return False
            return p.p1 is None or not self._data_match_any(p.p1, s, cx)
        if kind == VALUE:
            assert p.dt is not None
            return p.dt.value(s, cx) == p.value
        assert kind == LIST and p.p1 is not None
        d = p.p1
        if d.kind == ONE_OR_MORE and d.p1 is not None and _values_only(d.p1):
            # list { x+ } with x data or values (a list of pointers, of tokens): each word
            # matches x, memoised by word as attribute values are.
            words = xml_words(s)
            item = d.p1
            return bool(words) and all(self.value_match(item, w, cx) for w in words)
        for word in xml_words(s):
            d = self.text_deriv(d, word, cx)
            if d.kind == NOT_ALLOWED:
                return False
        return d.nullable

    def _data_match_any(self, p: Pattern, s: str, cx: Context) -> bool:
        """Does ``s`` match the except pattern ``p`` (data, value, list or choices)?"""
        return self.text_deriv(p, s, cx).nullable

    def _text_values(self, p: Pattern) -> tuple[Pattern, ...]:
        """The value patterns (data, value, list) a text event can reach in ``p``."""
        if p.text_values is None:
            found: dict[int, Pattern] = {}
            self._collect_values(p, found, None)
            p.text_values = tuple(found.values())
        return p.text_values

    def _collect_values(self, p: Pattern, found: dict[int, Pattern],
                        attribute: tuple[str, str] | None) -> None:
        """Text: the data/value/list patterns a text derivative meets. Attribute (ns, local):
        the content patterns of the attribute patterns of that name."""
        kind = p.kind
        if kind in (DATA, VALUE, LIST):
            if attribute is None:
                found[p.id] = p
        elif kind == CHOICE:
            for a in p.alts:
                if a.kind != ELEMENT:  # (as everywhere below: an element holds none)
                    self._collect_values(a, found, attribute)
        elif kind in (GROUP, INTERLEAVE):
            assert p.p1 is not None and p.p2 is not None
            self._collect_values(p.p1, found, attribute)
            self._collect_values(p.p2, found, attribute)
        elif kind in (ONE_OR_MORE, AFTER):
            assert p.p1 is not None
            self._collect_values(p.p1, found, attribute)
        elif kind == ATTRIBUTE and attribute is not None:
            assert p.nc is not None and p.p1 is not None
            if p.nc.contains(*attribute):
                found[p.p1.id] = p.p1

    # -- derivatives ---------------------------------------------------------------------------
    def start_tag_open(self, p: Pattern, tag: str,
                       name: tuple[str, str] | None = None) -> Pattern:
        """``name``: the tag as (namespace, local name), when the caller has it."""
        memo = p.d_open
        if memo is None:
            memo = p.d_open = {}
        else:
            d = memo.get(tag)
            if d is not None:
                return d
        d = self._open(p, tag, name or split(tag))
        memo[tag] = d
        self._grew()
        return d

    def _open(self, p: Pattern, tag: str, name: tuple[str, str]) -> Pattern:
        kind = p.kind
        if kind == CHOICE:
            alts = p.alts
            if len(alts) >= _WIDE:
                index = p.open_index
                if index is None:
                    index = p.open_index = _open_index(alts)
                alts = index[0].get(name, ()) + index[1]
            return self.choices([self.start_tag_open(a, tag, name) for a in alts])
        if kind == ELEMENT:
            assert p.nc is not None and p.p1 is not None
            return self.after(p.p1, self.empty) if p.nc.contains(*name) \
                else self.not_allowed
        if kind == INTERLEAVE:
            assert p.p1 is not None and p.p2 is not None
            return self.choice(
                self.apply_after(0, p.p2, self.start_tag_open(p.p1, tag, name)),
                self.apply_after(1, p.p1, self.start_tag_open(p.p2, tag, name)))
        if kind == ONE_OR_MORE:
            assert p.p1 is not None
            return self.apply_after(2, self.choice(p, self.empty),
                                    self.start_tag_open(p.p1, tag, name))
        if kind == GROUP:
            assert p.p1 is not None and p.p2 is not None
            x = self.apply_after(2, p.p2, self.start_tag_open(p.p1, tag, name))
            return self.choice(x, self.start_tag_open(p.p2, tag, name)) \
                if p.p1.nullable else x
        if kind == AFTER:
            assert p.p1 is not None and p.p2 is not None
            return self.apply_after(3, p.p2, self.start_tag_open(p.p1, tag, name))
        return self.not_allowed

    def apply_after(self, op: int, q: Pattern, p: Pattern) -> Pattern:
        """``p`` with every ``after(x, y)`` in it made ``after(x, f(y))``; f by ``op``:
        0 interleave(y, q), 1 interleave(q, y), 2 group(y, q), 3 after(y, q)."""
        kind = p.kind
        if kind == NOT_ALLOWED:
            return p
        key = (op, q.id, p.id)
        d = self._after_memo.get(key)
        if d is not None:
            return d
        if kind == AFTER:
            assert p.p1 is not None and p.p2 is not None
            y = p.p2
            if op == 0:
                fy = self.interleave(y, q)
            elif op == 1:
                fy = self.interleave(q, y)
            elif op == 2:
                fy = self.group(y, q)
            else:
                fy = self.after(y, q)
            d = self.after(p.p1, fy)
        elif kind == CHOICE:
            d = self.choices([self.apply_after(op, q, a) for a in p.alts])
        else:
            d = self.not_allowed
        self._after_memo[key] = d
        self._grew()
        return d

    def attribute_deriv(self, p: Pattern, tag: str, value: str, cx: Context) -> Pattern:
        values = p.att_values
        if values is None:
            values = p.att_values = {}
        vs = values.get(tag)
        if vs is None:
            ns, local = split(tag)
            found: dict[int, Pattern] = {}
            for a in self.attribute_patterns(p):
                assert a.nc is not None and a.p1 is not None
                if a.nc.contains(ns, local):
                    found[a.p1.id] = a.p1
            vs = values[tag] = tuple(found.values())
        if len(vs) == 1:
            matches: tuple[bool, ...] = (self.value_match(vs[0], value, cx),)
        else:
            matches = tuple([self.value_match(v, value, cx) for v in vs])
        memo = p.d_att
        if memo is None:
            memo = p.d_att = {}
        by_value = memo.get(tag)
        if by_value is None:
            by_value = memo[tag] = {}
        else:
            d = by_value.get(matches)
            if d is not None:
                return d
        if not vs:  # no attribute of this name here: nothing to walk
            d = self.not_allowed
        else:
            verdicts = {v.id: m for v, m in zip(vs, matches)}
            ns, local = split(tag)
            d = self._att(p, ns, local, verdicts)
        by_value[matches] = d
        self._grew()
        return d

    def attribute_patterns(self, p: Pattern) -> tuple[Pattern, ...]:
        """The attribute patterns of the start tag at ``p``, each once (memoised on every
        operand: a derivative shares most of them with the pattern it came from)."""
        found = p.atts
        if found is not None:
            return found
        kind = p.kind
        if kind == ATTRIBUTE:
            found = (p,)
        elif kind == CHOICE:
            found = self._union([self.attribute_patterns(a) for a in p.alts])
        elif kind in (GROUP, INTERLEAVE):
            assert p.p1 is not None and p.p2 is not None
            found = self._union([self.attribute_patterns(p.p1),
                                 self.attribute_patterns(p.p2)])
        elif kind in (ONE_OR_MORE, AFTER):
            assert p.p1 is not None
            found = self.attribute_patterns(p.p1)
        else:
            found = ()
        p.atts = found
        return found

    @staticmethod
    def _union(parts: list[tuple[Pattern, ...]]) -> tuple[Pattern, ...]:
        nonempty = [t for t in parts if t]
        if len(nonempty) <= 1:
            return nonempty[0] if nonempty else ()
        return tuple({a.id: a for t in nonempty for a in t}.values())

    def attribute_forgiving(self, p: Pattern, ns: str, local: str) -> Pattern:
        """The derivative for an attribute of this name whatever its value: the recovery
        after a value that is wrong."""
        found: dict[int, Pattern] = {}
        self._collect_values(p, found, (ns, local))
        return self._att(p, ns, local, {i: True for i in found})

    def _att(self, p: Pattern, ns: str, local: str, verdicts: dict[int, bool]) -> Pattern:
        kind = p.kind
        if kind == AFTER:
            assert p.p1 is not None and p.p2 is not None
            return self.after(self._att(p.p1, ns, local, verdicts), p.p2)
        if kind == CHOICE:
            return self.choices([self._att(a, ns, local, verdicts) for a in p.alts
                                 if a.kind != ELEMENT])
        if kind == GROUP:
            assert p.p1 is not None and p.p2 is not None
            return self.choice(self.group(self._att(p.p1, ns, local, verdicts), p.p2),
                               self.group(p.p1, self._att(p.p2, ns, local, verdicts)))
        if kind == INTERLEAVE:
            assert p.p1 is not None and p.p2 is not None
            return self.choice(self.interleave(self._att(p.p1, ns, local, verdicts), p.p2),
                               self.interleave(p.p1, self._att(p.p2, ns, local, verdicts)))
        if kind == ONE_OR_MORE:
            assert p.p1 is not None
            return self.group(self._att(p.p1, ns, local, verdicts),
                              self.choice(p, self.empty))
        if kind == ATTRIBUTE:
            assert p.nc is not None and p.p1 is not None
            if p.nc.contains(ns, local) and verdicts.get(p.p1.id, False):
                return self.empty
        return self.not_allowed

    def start_tag_close(self, p: Pattern) -> Pattern:
        d = p.d_close
        if d is None:
            d = p.d_close = self._close(p, False)
            self._grew()
        return d

    def close_forgiving(self, p: Pattern) -> Pattern:
        """The start tag's end with every attribute still expected taken as absent but
        allowed: how validation goes on after a missing required attribute."""
        return self._close(p, True)

    def _close(self, p: Pattern, forgive: bool) -> Pattern:
        # Operands through the memo (start_tag_close): a start tag's pattern shares most of
        # its parts with the ones before it.
        close = self._close_forgiving if forgive else self.start_tag_close
        kind = p.kind
        if kind == AFTER:
            assert p.p1 is not None and p.p2 is not None
            return self.after(close(p.p1), p.p2)
        if kind == CHOICE:
            return self.choices([close(a) for a in p.alts])
        if kind == GROUP:
            assert p.p1 is not None and p.p2 is not None
            return self.group(close(p.p1), close(p.p2))
        if kind == INTERLEAVE:
            assert p.p1 is not None and p.p2 is not None
            return self.interleave(close(p.p1), close(p.p2))
        if kind == ONE_OR_MORE:
            assert p.p1 is not None
            return self.one_or_more(close(p.p1))
        if kind == ATTRIBUTE:
            return self.empty if forgive else self.not_allowed
        return p

    def _close_forgiving(self, p: Pattern) -> Pattern:
        return self._close(p, True)

    def text_deriv(self, p: Pattern, s: str, cx: Context) -> Pattern:
        vs = self._text_values(p)
        if not vs:
            matches: tuple[bool, ...] = ()
        else:
            matches = tuple(self._data_match(v, s, cx) for v in vs)
        memo = p.d_text
        if memo is None:
            memo = p.d_text = {}
        else:
            d = memo.get(matches)
            if d is not None:
                return d
        d = self._text(p, {v.id: m for v, m in zip(vs, matches)})
        memo[matches] = d
        self._grew()
        return d

    def _text(self, p: Pattern, verdicts: dict[int, bool]) -> Pattern:
        kind = p.kind
        if kind == CHOICE:
            return self.choices([self._text(a, verdicts) for a in p.alts
                                 if a.kind != ELEMENT])
        if kind == INTERLEAVE:
            assert p.p1 is not None and p.p2 is not None
            return self.choice(self.interleave(self._text(p.p1, verdicts), p.p2),
                               self.interleave(p.p1, self._text(p.p2, verdicts)))
        if kind == GROUP:
            assert p.p1 is not None and p.p2 is not None
            x = self.group(self._text(p.p1, verdicts), p.p2)
            return self.choice(x, self._text(p.p2, verdicts)) if p.p1.nullable else x
        if kind == AFTER:
            assert p.p1 is not None and p.p2 is not None
            return self.after(self._text(p.p1, verdicts), p.p2)
        if kind == ONE_OR_MORE:
            assert p.p1 is not None
            return self.group(self._text(p.p1, verdicts), self.choice(p, self.empty))
        if kind == TEXT:
            return p
        if kind in (DATA, VALUE, LIST):
            return self.empty if verdicts.get(p.id, False) else self.not_allowed
        return self.not_allowed

    def text_forgiving(self, p: Pattern) -> Pattern:
        """The derivative for a text whatever its value: the recovery after a value that is
        wrong (its element is then complete, as for jing)."""
        return self._text(p, {v.id: True for v in self._text_values(p)})

    def nothing(self, p: Pattern, cx: Context) -> Pattern:
        """The derivative for content that is nothing at all (``<a/>``, ``<a></a>``): as for
        an empty text, which may also be no text (Clark's childrenDeriv of [])."""
        d = p.d_nothing
        if d is None:
            d = self.choice(p, self.text_deriv(p, "", cx))
            if not self.context_dependent:
                p.d_nothing = d
                self._grew()
        return d

    def end_tag(self, p: Pattern) -> Pattern:
        d = p.d_end
        if d is None:
            d = p.d_end = self._end(p)
            self._grew()
        return d

    def _end(self, p: Pattern) -> Pattern:
        if p.kind == CHOICE:
            return self.choices([self._end(a) for a in p.alts])
        if p.kind == AFTER:
            assert p.p1 is not None and p.p2 is not None
            return p.p2 if p.p1.nullable else self.not_allowed
        return self.not_allowed

    def end_forgiving(self, p: Pattern) -> Pattern:
        """What follows the end tag whatever the content lacked: the recovery after an
        incomplete element."""
        if p.kind == CHOICE:
            return self.choices([self.end_forgiving(a) for a in p.alts])
        if p.kind == AFTER:
            assert p.p2 is not None
            return p.p2
        return self.not_allowed

    # -- recovery ----------------------------------------------------------------------------
    def relaxed(self, p: Pattern) -> Pattern:
        """``p`` with everything the current element's content still requires made optional
        (its continuation after the end tag left as it is): where an element "not allowed
        yet" is allowed, as if what was missing before it were there (jing's recovery)."""
        done = self._relaxed.get(p.id)
        if done is not None:
            return done
        kind = p.kind
        if kind in (ELEMENT, ATTRIBUTE, DATA, VALUE, LIST):
            r = self.choice(p, self.empty)
        elif kind == AFTER:
            assert p.p1 is not None and p.p2 is not None
            r = self.after(self.relaxed(p.p1), p.p2)
        elif kind == CHOICE:
            r = self.choices([self.relaxed(a) for a in p.alts])
        elif kind == GROUP:
            assert p.p1 is not None and p.p2 is not None
            r = self.group(self.relaxed(p.p1), self.relaxed(p.p2))
        elif kind == INTERLEAVE:
            assert p.p1 is not None and p.p2 is not None
            r = self.interleave(self.relaxed(p.p1), self.relaxed(p.p2))
        elif kind == ONE_OR_MORE:
            assert p.p1 is not None
            r = self.one_or_more(self.relaxed(p.p1))
        else:
            r = p
        self._relaxed[p.id] = r
        self._grew()
        return r

    def anything(self) -> Pattern:
        """Content of any text and elements: how jing checks the content of an element
        allowed nowhere. An element the schema has patterns for is checked against them;
        any other is taken as it is, its attributes unchecked and its content again as this
        (jing says nothing of it: one error for the element allowed nowhere, not one more
        for each element inside it)."""
        if self._anything is None:
            known = [e.nc for e in self.elements if e.nc is not None]
            # Not among the schema's elements: an element pattern of this Patterns' own,
            # outside the schema's list (messages and recovery never name it).
            other = self._make(ELEMENT, nc=NameClass("anyName", left=_either(known)))
            content = self.choice(self.one_or_more(self.choices(
                [self.text, *self.elements, other])), self.empty)
            other.p1 = self.group(self.choice(self.one_or_more(self.attribute(
                NameClass("anyName"), self.text)), self.empty), content)
            self._anything = self.after(content, self.empty)
        return self._anything

    # -- what was expected (messages) ----------------------------------------------------------
    def required(self, p: Pattern) -> list[NameClass]:
        """The element names content at ``p`` must still have that may come next (jing's
        "missing required element"): those every way to complete the content has (both
        parts of a group or interleave, all alternatives of a choice), among the next
        possible ones."""
        memo: dict[int, dict[tuple[object, ...], NameClass]] = {}

        def must(q: Pattern) -> dict[tuple[object, ...], NameClass]:
            found = memo.get(q.id)
            if found is not None:
                return found
            kind = q.kind
            found = {}
            if kind == ELEMENT:
                assert q.nc is not None
                if q.nc.kind == "name":
                    found = {q.nc.key: q.nc}
            elif kind == CHOICE:
                each = [must(a) for a in q.alts]
                found = {k: v for k, v in each[0].items() if all(k in e for e in each[1:])}
            elif kind in (GROUP, INTERLEAVE):
                assert q.p1 is not None and q.p2 is not None
                found = {**must(q.p1), **must(q.p2)}
            elif kind in (ONE_OR_MORE, AFTER):  # an after: this element's content only
                assert q.p1 is not None
                found = must(q.p1)
            memo[q.id] = found
            return found

        needed = must(p)
        return [nc for nc in self.expected(p)[0] if nc.key in needed]

    def expected(self, p: Pattern) -> tuple[list[NameClass], bool, bool]:
        """At ``p`` (inside a start tag's content): the element name classes that may come
        next, whether text may, and whether the end tag may."""
        elements: dict[tuple[object, ...], NameClass] = {}
        text = end = False
        for q in _firsts(p):
            if q.kind == ELEMENT:
                assert q.nc is not None
                elements.setdefault(q.nc.key, q.nc)
            elif q.kind == AFTER:
                end = True
            else:
                text = True
        return list(elements.values()), text, end


    def value_patterns(self, p: Pattern, ns: str, local: str | None) -> list[Pattern]:
        """The value patterns (data, value, list) an attribute of this name (None: the text)
        would be checked against at ``p``."""
        found: dict[int, Pattern] = {}
        self._collect_values(p, found, None if local is None else (ns, local))
        out: list[Pattern] = []
        for q in found.values():
            if local is not None:  # an attribute's content: its value patterns
                inner: dict[int, Pattern] = {}
                self._collect_values(q, inner, None)
                out.extend(inner.values())
            else:
                out.append(q)
        return out

    def next_values(self, p: Pattern) -> list[Pattern]:
        """The data and value patterns the next token of a list may match at ``p``."""
        return [q for q in _firsts(p) if q.kind in (DATA, VALUE, LIST)]

    def attributes(self, p: Pattern, required: bool) -> list[NameClass]:
        """The attribute name classes at ``p`` (in a start tag): all, or only those that must
        still come (the start tag cannot end without them)."""
        found: dict[tuple[object, ...], NameClass] = {}
        if not required:  # all of them: the memoised attribute patterns say
            for a in self.attribute_patterns(p):
                assert a.nc is not None
                found.setdefault(a.nc.key, a.nc)
            return list(found.values())

        def walk(q: Pattern) -> None:
            kind = q.kind
            if kind == ATTRIBUTE:
                assert q.nc is not None
                found.setdefault(q.nc.key, q.nc)
            elif kind == CHOICE:
                if required and any(self.start_tag_close(a).kind != NOT_ALLOWED
                                    for a in q.alts):
                    return
                for a in q.alts:
                    walk(a)
            elif kind in (GROUP, INTERLEAVE):
                assert q.p1 is not None and q.p2 is not None
                walk(q.p1)
                walk(q.p2)
            elif kind in (ONE_OR_MORE, AFTER):
                assert q.p1 is not None
                walk(q.p1)

        walk(p)
        return list(found.values())


_XML_SPACE = re.compile("[ \t\r\n]+")


_WIDE = 8  # a choice of this many alternatives or more is indexed by element name


def _open_index(alts: tuple[Pattern, ...]) -> tuple[dict[tuple[str, str], tuple[Pattern, ...]],
                                                    tuple[Pattern, ...]]:
    """The alternatives that are elements of one name, by that name; the others."""
    named: dict[tuple[str, str], list[Pattern]] = {}
    others: list[Pattern] = []
    for a in alts:
        if a.kind == ELEMENT and a.nc is not None and a.nc.kind == "name":
            named.setdefault((a.nc.ns, a.nc.local), []).append(a)
        else:
            others.append(a)
    return {k: tuple(v) for k, v in named.items()}, tuple(others)


def _firsts(p: Pattern) -> Iterator[Pattern]:
    """What may come next at ``p``: the element, text and value patterns (each once), and an
    after whose content may end (the end tag may come)."""
    for q in reached(p, lambda q: q.kind in STRUCTURE or q.kind == AFTER, first_only=True):
        if q.kind in (ELEMENT, TEXT, DATA, VALUE, LIST):
            yield q
        elif q.kind == AFTER and q.p1 is not None and q.p1.nullable:
            yield q


def _either(classes: list[NameClass]) -> NameClass | None:
    """The choice of ``classes`` (None for none), as a balanced tree: a schema's hundreds of
    names are matched at a depth of ten, not hundreds."""
    if not classes:
        return None
    if len(classes) == 1:
        return classes[0]
    half = len(classes) // 2
    left, right = _either(classes[:half]), _either(classes[half:])
    return NameClass("choice", left=left, right=right)


def _values_only(p: Pattern) -> bool:
    """A data or value pattern, or a choice of them: a word matches it or not."""
    if p.kind == CHOICE:
        return all(a.kind in (DATA, VALUE) for a in p.alts)
    return p.kind in (DATA, VALUE)


def xml_words(s: str) -> list[str]:
    """``s`` split at XML white space (space, tab, CR, LF) only: a no-break space or an
    ideographic space is part of a word, as in every XML list type."""
    return [w for w in _XML_SPACE.split(s) if w]


def reached(start: Pattern, into: Callable[[Pattern], bool],
            first_only: bool = False) -> Iterator[Pattern]:
    """Every pattern ``start`` reaches through its operands, each once; the operands of a
    pattern are followed only where ``into`` says so (an AFTER: its first one only).
    ``first_only``: a group's second operand only where its first may be empty (what may
    come next)."""
    seen: set[int] = set()
    stack = [start]
    while stack:
        q = stack.pop()
        if q.id in seen:
            continue
        seen.add(q.id)
        yield q
        if not into(q):
            continue
        if q.kind == AFTER or (first_only and q.kind == GROUP and q.p1 is not None
                               and not q.p1.nullable):
            assert q.p1 is not None
            stack.append(q.p1)
            continue
        stack.extend(q.alts)
        stack.extend(c for c in (q.p1, q.p2) if c is not None)


# The operators a start tag's content is made of (not through elements, attributes, data).
STRUCTURE = frozenset((CHOICE, GROUP, INTERLEAVE, ONE_OR_MORE))


def split(tag: str) -> tuple[str, str]:
    """lxml's ``{ns}local`` as (ns, local)."""
    if tag[:1] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag
