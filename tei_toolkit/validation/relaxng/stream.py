"""A document validated as it is read (lxml's iterparse): the same derivatives, messages and
recovery as the tree walk, in memory that grows with the document's depth, not its size.
Each element is cleared once its end tag is checked (its tail kept until the next sibling
or the parent's end needs it), and its finished siblings are dropped.
"""

from __future__ import annotations

from typing import Callable, Iterable

from lxml import etree

from .patterns import NOT_ALLOWED, Pattern
from .schema import Grammar
from .validator import _WS, Issue, Validation


class _Frame:
    """An open element: its content's pattern so far (None: not checked, inside an element
    no pattern allows), its last element child, and whether it was refused (then its parent
    goes on as if it were not there)."""

    __slots__ = ("c", "el", "last", "refused")

    def __init__(self, c: Pattern | None, el: etree._Element, refused: bool) -> None:
        self.c = c
        self.el = el
        self.last: etree._Element | None = None
        self.refused = refused


def validate_events(grammar: Grammar, events: Iterable[tuple[str, etree._Element]],
                    seen: Callable[[etree._Element], None] | None = None,
                    keep_tree: bool = False) -> list[Issue]:
    """The RELAX NG errors of a document given as ("start", "end") events: iterparse's
    (comments and processing instructions removed by the parser: their text is joined), or,
    with ``keep_tree``, iterwalk's over a tree, which is then left as it is (text around
    comments joined here). ``seen`` is called with each element at its start tag."""
    from . import _deep_enough

    _deep_enough()
    v = Validation(grammar)
    v.keep_elements = keep_tree
    walk_events(v, events, seen, keep_tree)
    return v.finish()


def walk_events(v: Validation, events: Iterable[tuple[str, etree._Element]],
                seen: Callable[[etree._Element], None] | None = None, keep_tree: bool = False,
                inside: Pattern | None = None, attributes: bool = True) -> None:
    """The walk of :func:`validate_events`, its issues into ``v``. ``inside``: the root
    element was refused already, and its content is checked against this pattern (the
    recovery of the tree walk, without its recursion; ``attributes``: whether its
    attributes are checked against it)."""
    grammar = v.grammar
    P = v.p
    stack: list[_Frame] = []
    for event, el in events:
        if event == "start":
            if seen is not None:
                seen(el)
            if stack:
                top = stack[-1]
                if top.c is None:
                    stack.append(_Frame(None, el, False))
                    continue
                text = _before(el) if keep_tree else \
                    (top.el.text if top.last is None else top.last.tail)
                if text and text.strip(_WS):
                    top.c = v.text(top.c, top.el, text, top.last, el)
                p = top.c
            elif inside is not None:
                stack.append(_Frame(v.start_inside(inside, el, attributes), el, True))
                continue
            else:
                p = grammar.start
            stack.append(_open(v, p, el))
            continue
        frame = stack.pop()
        c = frame.c
        e: Pattern | None = None
        if c is not None:
            if frame.last is None:
                c = v.text_only(c, el, _inside(el) if keep_tree else el.text or "")
            else:
                text = _after(frame.last) if keep_tree else frame.last.tail
                if text and text.strip(_WS):
                    c = v.text(c, el, text, frame.last, None)
            e = c.d_end if c.d_end is not None else P.end_tag(c)
            if e.kind == NOT_ALLOWED and not frame.refused:
                e = v.incomplete(c, el)
        if not stack:
            break
        parent = stack[-1]
        if e is not None and not frame.refused and parent.c is not None:
            parent.c = e
        parent.last = el
        if keep_tree:
            continue
        # Done with it but its tail: the memory stays flat.
        el.clear(keep_tail=True)
        while el.getprevious() is not None:
            del parent.el[0]


def _before(el: etree._Element) -> str:
    """The text between ``el`` and the element before it (or its parent's start tag), the
    tails of comments and processing instructions in between joined."""
    parts = []
    node = el.getprevious()
    while node is not None and not isinstance(node.tag, str):
        parts.append(node.tail or "")
        node = node.getprevious()
    if node is not None:
        parts.append(node.tail or "")
    else:
        parent = el.getparent()
        parts.append(parent.text or "" if parent is not None else "")
    return "".join(reversed(parts))


def _after(last: etree._Element) -> str:
    """The text after the element ``last`` up to its parent's end tag."""
    parts = [last.tail or ""]
    node = last.getnext()
    while node is not None:
        parts.append(node.tail or "")
        node = node.getnext()
    return "".join(parts)


def _inside(el: etree._Element) -> str:
    """The text of an element with no element child (comments joined away)."""
    return "".join([el.text or ""] + [k.tail or "" for k in el])


def _open(v: Validation, p: Pattern, el: etree._Element) -> _Frame:
    """The start tag of ``el`` at ``p``: the frame for its content."""
    P = v.p
    tag: str = el.tag  # type: ignore[assignment]  # iterparse gives elements only
    d = P.start_tag_open(p, tag)
    if d.kind == NOT_ALLOWED:
        go_on, content, attributes = v.refuse(p, el, tag)
        if go_on is None:
            return _Frame(v.start_inside(content, el, attributes), el, True)
        d = go_on
    items = el.items()
    if items:
        d = v.attributes(d, el, tag, items)
    c = P.start_tag_close(d)
    if c.kind == NOT_ALLOWED:
        c = v.missing_attributes(d, el)
    return _Frame(c, el, False)
