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
                    seen: Callable[[etree._Element], None] | None = None) -> list[Issue]:
    """The RELAX NG errors of a document given as iterparse's ("start", "end") events
    (comments and processing instructions removed by the parser: their text is joined).
    ``seen`` is called with each element at its start tag (its attributes are there)."""
    from . import _deep_enough

    _deep_enough()
    v = Validation(grammar)
    v.keep_elements = False
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
                text = top.el.text if top.last is None else top.last.tail
                if text and text.strip(_WS):
                    top.c = v.text(top.c, top.el, text, top.last, el)
                p = top.c
            else:
                p = grammar.start
            stack.append(_open(v, p, el))
            continue
        frame = stack.pop()
        c = frame.c
        e: Pattern | None = None
        if c is not None:
            if frame.last is None:
                c = v.text_only(c, el, el.text or "")
            else:
                text = frame.last.tail
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
        # Done with it but its tail: the memory stays flat.
        el.clear(keep_tail=True)
        while el.getprevious() is not None:
            del parent.el[0]
    return v.finish()


def _open(v: Validation, p: Pattern, el: etree._Element) -> _Frame:
    """The start tag of ``el`` at ``p``: the frame for its content."""
    P = v.p
    tag: str = el.tag  # type: ignore[assignment]  # iterparse gives elements only
    d = P.start_tag_open(p, tag)
    if d.kind == NOT_ALLOWED:
        content = v.refuse(p, el, tag)
        return _Frame(v.start_inside(content, el) if content is not None else None, el, True)
    items = el.items()
    if items:
        d = v.attributes(d, el, tag, items)
    c = P.start_tag_close(d)
    if c.kind == NOT_ALLOWED:
        c = v.missing_attributes(d, el)
    return _Frame(c, el, False)
