# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The validator's walk over an lxml tree in C: libxml2's nodes read directly (no element
proxies, no tag strings built twice), the derivatives found in a table of C pointers. It
does exactly what :meth:`tei_toolkit.validation.relaxng.validator.Validation.element` does,
whose methods it calls for everything off the hot path (a table miss, an error and its
message), so both give the same verdicts and the same messages.
"""

from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from libc.stdlib cimport calloc, free
from libc.string cimport memset
from lxml.includes cimport tree
from lxml.includes.tree cimport xmlNode, xmlAttr, xmlNs, const_xmlChar
from lxml.includes.etreepublic cimport (_Document, _Element, attributeValue, elementFactory,
                                        import_lxml__etree, namespacedNameFromNsName)

import_lxml__etree()

from sys import intern

cdef int TEXT = 2
# Elements nested deeper than this are walked without recursion (by the caller): a tree made
# with lxml's API may nest 100,000 deep, and the C stack would not hold it.
cdef int MAX_DEPTH = 2000


class TooDeep(Exception):
    """The tree nests deeper than MAX_DEPTH."""
cdef enum:
    SLOTS = 1024
    # The events a derivative is found for in the table: (pattern, name or NULL, event).
    OPEN = 0         # start tag (name: its tag)
    CLOSE = 1        # end of the start tag's attributes
    END = 2          # end tag
    NOTHING = 3      # no content at all
    TEXT_ANY = 4     # text, for a pattern that reaches no value pattern (any text alike)
    BLANK_ANY = 5    # white space only, likewise
    ATT_ANY = 6      # attribute (name) whatever its value
    ATT_VALUE = 7    # attribute (name): the one value pattern its value decides on
    ATT_NO = 8       # attribute (name) whose value does not match that value pattern
    ATT_YES = 9      # ... and whose value does
    TEXT_VALUE = 10  # text, for a pattern that reaches one value pattern: that pattern
    TEXT_NO = 11     # text that does not match it
    TEXT_YES = 12    # text that does
    MEMO_FIRST = 1 << 12
    MEMO_MOST = 1 << 18  # entries; past half of it the table is emptied and filled again


cdef struct TagSlot:
    const_xmlChar* name
    const_xmlChar* href
    PyObject* tag


cdef struct Entry:
    PyObject* p      # NULL: free
    PyObject* name
    PyObject* found
    int event


cdef class Memo:
    """(pattern, name, event) -> derivative, every key and value held (a pattern the
    grammar's own memos let go stays alive while this table points to it, and its
    derivatives stay true: patterns are compared by structure). Bounded by MEMO_MOST."""
    cdef Entry* entries
    cdef size_t size    # a power of two
    cdef size_t used

    def __cinit__(self):
        self.size = MEMO_FIRST
        self.entries = <Entry*>calloc(self.size, sizeof(Entry))
        if self.entries == NULL:
            raise MemoryError()
        self.used = 0

    def __dealloc__(self):
        self._drop(self.entries, self.size)
        free(self.entries)

    cdef void _drop(self, Entry* entries, size_t size):
        cdef size_t i
        for i in range(size):
            if entries[i].p != NULL:
                Py_XDECREF(entries[i].p)
                Py_XDECREF(entries[i].name)
                Py_XDECREF(entries[i].found)

    @staticmethod
    cdef inline size_t _hash(PyObject* p, PyObject* name, int event):
        cdef size_t h = (<size_t>p >> 4) * <size_t>0x9E3779B97F4A7C15
        h ^= (<size_t>name >> 4) * <size_t>0xC2B2AE3D27D4EB4F
        h ^= <size_t>event * <size_t>0x165667B19E3779F9
        return h ^ (h >> 29)

    cdef inline PyObject* get(self, PyObject* p, PyObject* name, int event):
        cdef size_t mask = self.size - 1
        cdef size_t i = Memo._hash(p, name, event) & mask
        cdef Entry* e
        while True:
            e = &self.entries[i]
            if e.p == NULL:
                return NULL
            if e.p == p and e.name == name and e.event == event:
                return e.found
            i = (i + 1) & mask

    cdef void put(self, object p, object name, int event, object found):
        cdef PyObject* n = <PyObject*>name if name is not None else NULL
        if 2 * (self.used + 1) > self.size:
            if self.size < MEMO_MOST:
                self._grow()
            else:
                self._drop(self.entries, self.size)
                memset(self.entries, 0, self.size * sizeof(Entry))
                self.used = 0
        self._place(<PyObject*>p, n, event, <PyObject*>found)
        Py_INCREF(p)
        if name is not None:
            Py_INCREF(name)
        Py_INCREF(found)
        self.used += 1

    cdef void _place(self, PyObject* p, PyObject* name, int event, PyObject* found):
        cdef size_t mask = self.size - 1
        cdef size_t i = Memo._hash(p, name, event) & mask
        while self.entries[i].p != NULL:
            i = (i + 1) & mask
        self.entries[i].p = p
        self.entries[i].name = name
        self.entries[i].event = event
        self.entries[i].found = found

    cdef void _grow(self):
        cdef Entry* old = self.entries
        cdef size_t old_size = self.size, i
        cdef Entry* bigger = <Entry*>calloc(2 * old_size, sizeof(Entry))
        if bigger == NULL:
            raise MemoryError()
        self.entries = bigger
        self.size = 2 * old_size
        for i in range(old_size):
            if old[i].p != NULL:
                self._place(old[i].p, old[i].name, old[i].event, old[i].found)
        free(old)


cdef inline bint _blank(const_xmlChar* s):
    """Only XML white space (or nothing)."""
    if s == NULL:
        return True
    while s[0] != 0:
        if s[0] != 32 and s[0] != 9 and s[0] != 10 and s[0] != 13:
            return False
        s += 1
    return True


cdef inline bint _is_text(xmlNode* n):
    return n.type == tree.XML_TEXT_NODE or n.type == tree.XML_CDATA_SECTION_NODE


cdef object _NO_CONTEXT = {}


cdef class Walker:
    cdef object v       # the Validation (Python): errors, IDs, contexts
    cdef object P       # its Patterns
    cdef Memo memo      # the grammar's table (kept on its Patterns between documents)
    cdef _Document doc
    cdef TagSlot slots[SLOTS]  # (name, namespace pointers) -> "{ns}local" (borrowed)
    cdef list keep             # the strings the table points to
    cdef frozenset id_names
    cdef bint context_dependent
    cdef object na      # the one notAllowed pattern: "is" tells
    cdef int depth      # elements open

    def __init__(self, validation, _Element root):
        self.v = validation
        self.P = validation.p
        memo = getattr(self.P, "c_memo", None)
        if memo is None:
            memo = Memo()
            self.P.c_memo = memo
        self.memo = memo
        self.doc = root._doc
        memset(self.slots, 0, sizeof(self.slots))
        self.keep = []
        self.id_names = validation.id_names
        self.context_dependent = self.P.context_dependent
        self.na = self.P.not_allowed

    def run(self, pattern, _Element root):
        """The pattern after the document; raises TooDeep (nothing else said) for a tree
        nested past MAX_DEPTH: the C stack is not the place for it."""
        self.depth = 0
        return self.element(pattern, root._c_node)

    cdef object tag_of(self, const_xmlChar* name, xmlNs* ns):
        # libxml2 interns names in the document's dictionary: one pointer per name, so the
        # "{ns}local" string is built once per (name, namespace) and found again by the two
        # pointers in a small open table (a collision just builds the string again). The
        # string itself is interned too, so that the derivative table may key on it.
        cdef const_xmlChar* href = ns.href if ns is not NULL else NULL
        cdef size_t h = ((<size_t>name >> 4) ^ (<size_t>href >> 3)) & (SLOTS - 1)
        cdef TagSlot* slot = &self.slots[h]
        if slot.name == name and slot.href == href and slot.tag != NULL:
            return <object>slot.tag
        tag = intern(namespacedNameFromNsName(href, name))
        if len(self.keep) > 4 * SLOTS:  # many names colliding: start the table again
            memset(self.slots, 0, sizeof(self.slots))
            self.keep = []
        self.keep.append(tag)  # the table borrows its strings from this list
        slot.name = name
        slot.href = href
        slot.tag = <PyObject*>tag
        return tag

    cdef object element(self, object p, xmlNode* node):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooDeep()
        e = self.enter(p, node)
        self.depth -= 1
        return e

    cdef object step(self, object p, int event):
        """The derivative for an event with no name (CLOSE, END), from the table or the
        grammar."""
        cdef PyObject* found = self.memo.get(<PyObject*>p, NULL, event)
        if found != NULL:
            return <object>found
        d = self.P.start_tag_close(p) if event == CLOSE else self.P.end_tag(p)
        self.memo.put(p, None, event, d)
        return d

    cdef object enter(self, object p, xmlNode* node):
        cdef PyObject* found
        tag = self.tag_of(node.name, node.ns)
        found = self.memo.get(<PyObject*>p, <PyObject*>tag, OPEN)
        if found != NULL:
            d = <object>found
        else:
            d = self.P.start_tag_open(p, tag)
            self.memo.put(p, tag, OPEN, d)
        if d is self.na:
            d = self.v.not_allowed(p, elementFactory(self.doc, node), tag)
            if d is None:
                return p
        if node.properties is not NULL:
            d = self.attributes(d, node, tag)
        c = self.step(d, CLOSE)
        if c is self.na:
            c = self.v.missing_attributes(d, elementFactory(self.doc, node))
        c = self.children(c, node)
        e = self.step(c, END)
        if e is self.na:
            e = self.v.incomplete(c, elementFactory(self.doc, node))
        return e

    cdef object context(self, xmlNode* node):
        if self.context_dependent:
            return self.v.context(elementFactory(self.doc, node))
        return _NO_CONTEXT

    cdef object attributes(self, object d, xmlNode* node, object tag):
        cdef xmlAttr* attr = node.properties
        cdef PyObject* found
        while attr is not NULL:
            name = self.tag_of(attr.name, attr.ns)
            value = None
            d2 = None
            if not self.context_dependent:
                found = self.memo.get(<PyObject*>d, <PyObject*>name, ATT_ANY)
                if found != NULL:
                    d2 = <object>found
                else:
                    found = self.memo.get(<PyObject*>d, <PyObject*>name, ATT_VALUE)
                    if found != NULL:
                        v = <object>found  # held before any Python runs (a thread may
                        value = attributeValue(node, attr)  # empty the table meanwhile)
                        d2 = self.by_value(d, name, v, value)
            if d2 is None:  # (no value read yet: only the table's value pattern reads it)
                value = attributeValue(node, attr)
                d2 = self.P.attribute_deriv(d, name, value, self.context(node))
                if not self.context_dependent:
                    values = d.att_values
                    self.remember(d, name, (<dict>values).get(name) if values is not None
                                  else None, d2, ATT_ANY, ATT_VALUE)
            if value is None and (d2 is self.na or name in self.id_names):
                value = attributeValue(node, attr)
            if d2 is self.na:
                d = self.v.attribute_not_allowed(d, elementFactory(self.doc, node), name, value)
            else:
                d = d2
                if name in self.id_names:
                    self.v.check_id(elementFactory(self.doc, node), tag, name, value)
            attr = attr.next
        return d

    cdef object by_value(self, object d, object name, object v, object value):
        """The derivative for an attribute (``name``) or a text (None) whose value decides
        only by the one value pattern ``v`` (its matches memoised on ``v``, as the grammar
        does)."""
        cdef PyObject* found
        cdef int event
        vm = v.d_values
        m = (<dict>vm).get(value) if vm is not None else None
        if m is None:
            m = self.P.value_match(v, value, _NO_CONTEXT)
        if name is None:
            event = TEXT_YES if m else TEXT_NO
        else:
            event = ATT_YES if m else ATT_NO
        found = self.memo.get(<PyObject*>d, <PyObject*>name if name is not None else NULL,
                              event)
        if found != NULL:
            return <object>found
        if name is None:
            d2 = self.P.text_deriv(d, value, _NO_CONTEXT)
        else:
            d2 = self.P.attribute_deriv(d, name, value, _NO_CONTEXT)
        self.memo.put(d, name, event, d2)
        return d2

    cdef object text_between(self, xmlNode* first, xmlNode* stop):
        """The text of the text nodes from ``first`` up to ``stop`` (comments, processing
        instructions and the like joined away)."""
        cdef xmlNode* n = first
        if n.next == stop or n.next == NULL:
            return (<bytes>n.content).decode("utf-8") if n.content != NULL else ""
        parts = []
        while n != NULL and n != stop:
            if _is_text(n) and n.content != NULL:
                parts.append((<bytes>n.content).decode("utf-8"))
            n = n.next
        return "".join(parts)

    cdef object children(self, object c, xmlNode* node):
        cdef xmlNode* k = node.children
        cdef xmlNode* first = NULL   # the first text node of the current run
        cdef xmlNode* last = NULL    # the element child before it
        cdef bint blank = True       # the run is white space only
        while k != NULL:
            if k.type == tree.XML_ELEMENT_NODE:
                if first != NULL and not blank:
                    c = self.text(c, node, first, k, last, k)
                first = NULL
                blank = True
                last = k
                c = self.element(c, k)
            elif _is_text(k):
                if first == NULL:
                    first = k
                if blank and not _blank(k.content):
                    blank = False
            k = k.next
        if last != NULL:
            if first != NULL and not blank:
                c = self.text(c, node, first, NULL, last, NULL)
            return c
        return self.text_only(c, node, first, blank)

    cdef object text_only(self, object c, xmlNode* node, xmlNode* first, bint blank):
        """Content with no element: text, or nothing (white space may also be no text at
        all)."""
        cdef PyObject* found
        cdef int event = NOTHING if first == NULL else (BLANK_ANY if blank else TEXT_ANY)
        if first != NULL and not blank:
            return self.text(c, node, first, NULL, NULL, NULL)
        if not self.context_dependent:
            found = self.memo.get(<PyObject*>c, NULL, event)
            if found != NULL:
                return <object>found
        cx = self.context(node)
        if first == NULL:
            d = self.P.nothing(c, cx)
            text = ""
        else:
            text = self.text_between(first, NULL)
            d = self.P.choice(c, self.P.text_deriv(c, text, cx))
        if d is self.na:
            return self.v.text_not_allowed(c, elementFactory(self.doc, node), text, None, None)
        if not self.context_dependent and (event == NOTHING or c.text_values == ()):
            self.memo.put(c, None, event, d)
        return d

    cdef object text(self, object c, xmlNode* node, xmlNode* first, xmlNode* stop,
                     xmlNode* after, xmlNode* before):
        """Text that is not white space only, from ``first`` up to ``stop``, between the
        element children ``after`` and ``before`` (NULL: the start, the end; both NULL:
        the element's only content)."""
        cdef PyObject* found
        text = None
        d = None
        if not self.context_dependent:
            found = self.memo.get(<PyObject*>c, NULL, TEXT_ANY)
            if found != NULL:
                d = <object>found
            else:
                found = self.memo.get(<PyObject*>c, NULL, TEXT_VALUE)
                if found != NULL:
                    v = <object>found  # held before any Python runs
                    text = self.text_between(first, stop)
                    d = self.by_value(c, None, v, text)
        if d is None:
            text = self.text_between(first, stop)
            d = self.P.text_deriv(c, text, self.context(node))
            if not self.context_dependent:
                self.remember(c, None, c.text_values, d, TEXT_ANY, TEXT_VALUE)
        if d is self.na:
            if text is None:
                text = self.text_between(first, stop)
            return self.v.text_not_allowed(
                c, elementFactory(self.doc, node), text,
                elementFactory(self.doc, after) if after != NULL else None,
                elementFactory(self.doc, before) if before != NULL else None)
        return d

    cdef void remember(self, object p, object name, object vs, object d, int any_event,
                       int value_event):
        """What the grammar found for an attribute (``name``) or a text (None) at ``p``: the
        value patterns that judge it (``vs``; None when the grammar's memos were just
        emptied). None, or only text: the derivative ``d`` is the same for any value; one: its
        match decides."""
        if vs is None:
            return
        if len(<tuple>vs) == 0 or (len(<tuple>vs) == 1 and (<tuple>vs)[0].kind == TEXT):
            self.memo.put(p, name, any_event, d)
        elif len(<tuple>vs) == 1:
            self.memo.put(p, name, value_event, (<tuple>vs)[0])
