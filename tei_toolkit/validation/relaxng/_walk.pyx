# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The validator's walk over an lxml tree in C: libxml2's nodes read directly (no element
proxies, no tag strings built twice), the derivative memos looked up inline. It does exactly
what :meth:`tei_toolkit.validation.relaxng.validator.Validation.element` does, whose methods
it calls for everything off the hot path (a memo miss, an error and its message), so both
give the same verdicts and the same messages.
"""

from cpython.object cimport PyObject
from libc.string cimport memset
from lxml.includes cimport tree
from lxml.includes.tree cimport xmlNode, xmlAttr, xmlNs, const_xmlChar
from lxml.includes.etreepublic cimport (_Document, _Element, attributeValue, elementFactory,
                                        import_lxml__etree, namespacedNameFromNsName)

import_lxml__etree()

cdef int TEXT = 2
# Elements nested deeper than this are walked without recursion (by the caller): a tree made
# with lxml's API may nest 100,000 deep, and the C stack would not hold it.
cdef int MAX_DEPTH = 2000


class TooDeep(Exception):
    """The tree nests deeper than MAX_DEPTH."""
cdef enum:
    SLOTS = 1024


cdef struct TagSlot:
    const_xmlChar* name
    const_xmlChar* href
    PyObject* tag
cdef tuple _TRUE = (True,)
cdef tuple _FALSE = (False,)


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


cdef class Walker:
    cdef object v       # the Validation (Python): errors, IDs, contexts
    cdef object P       # its Patterns
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
        # pointers in a small open table (a collision just builds the string again).
        cdef const_xmlChar* href = ns.href if ns is not NULL else NULL
        cdef size_t h = ((<size_t>name >> 4) ^ (<size_t>href >> 3)) & (SLOTS - 1)
        cdef TagSlot* slot = &self.slots[h]
        if slot.name == name and slot.href == href and slot.tag != NULL:
            return <object>slot.tag
        tag = namespacedNameFromNsName(href, name)
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

    cdef object enter(self, object p, xmlNode* node):
        cdef object P = self.P
        cdef xmlAttr* attr
        tag = self.tag_of(node.name, node.ns)
        memo = p.d_open
        d = (<dict>memo).get(tag) if memo is not None else None
        if d is None:
            d = P.start_tag_open(p, tag)
        if d is self.na:
            d = self.v.not_allowed(p, elementFactory(self.doc, node), tag)
            if d is None:
                return p
        attr = node.properties
        if attr is not NULL:
            d = self.attributes(d, node, tag)
        c = d.d_close
        if c is None:
            c = P.start_tag_close(d)
        if c is self.na:
            c = self.v.missing_attributes(d, elementFactory(self.doc, node))
        c = self.children(c, node)
        e = c.d_end
        if e is None:
            e = P.end_tag(c)
        if e is self.na:
            e = self.v.incomplete(c, elementFactory(self.doc, node))
        return e

    cdef object attributes(self, object d, xmlNode* node, object tag):
        cdef object P = self.P
        cdef xmlAttr* attr = node.properties
        cx = self.v.context(elementFactory(self.doc, node)) if self.context_dependent else {}
        while attr is not NULL:
            name = self.tag_of(attr.name, attr.ns)
            value = attributeValue(node, attr)
            d2 = None
            values = d.att_values
            memo = d.d_att
            if values is not None and memo is not None:
                vs = (<dict>values).get(name)
                by_value = (<dict>memo).get(name)
                if vs is not None and by_value is not None and len(<tuple>vs) == 1:
                    v = (<tuple>vs)[0]
                    if v.kind == TEXT:
                        m = True
                    else:
                        vm = v.d_values
                        m = (<dict>vm).get(value) if vm is not None else None
                        if m is None:
                            m = P.value_match(v, value, cx)
                    d2 = (<dict>by_value).get(_TRUE if m else _FALSE)
            if d2 is None:
                d2 = P.attribute_deriv(d, name, value, cx)
            if d2 is self.na:
                d = self.v.attribute_not_allowed(d, elementFactory(self.doc, node), name, value)
            else:
                d = d2
                if name in self.id_names:
                    self.v.check_id(elementFactory(self.doc, node), tag, name, value)
            attr = attr.next
        return d

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
        cdef object P = self.P
        cdef xmlNode* k = node.children
        cdef xmlNode* first = NULL   # the first text node of the current run
        cdef xmlNode* last = NULL    # the element child before it
        cdef bint blank = True       # the run is white space only
        while k != NULL:
            if k.type == tree.XML_ELEMENT_NODE:
                if first != NULL and not blank:
                    c = self.text(c, node, self.text_between(first, k), last, k)
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
                c = self.text(c, node, self.text_between(first, NULL), last, NULL)
            return c
        # Text only, or nothing: white space may also be no text at all.
        cx = self.v.context(elementFactory(self.doc, node)) if self.context_dependent else {}
        if first == NULL:
            d = c.d_nothing
            if d is None:
                d = P.nothing(c, cx)
            text = ""
        else:
            text = self.text_between(first, NULL)
            d = self.text_deriv(c, text, cx)
            if blank:
                d = P.choice(c, d)
        if d is self.na:
            self.v.text_not_allowed(c, elementFactory(self.doc, node), text, None, None)
            return c
        return d

    cdef object text_deriv(self, object c, object text, object cx):
        values = c.text_values
        if values is not None and len(<tuple>values) == 0:
            memo = c.d_text
            if memo is not None:
                d = (<dict>memo).get(())
                if d is not None:
                    return d
        return self.P.text_deriv(c, text, cx)

    cdef object text(self, object c, xmlNode* node, object text, xmlNode* after,
                     xmlNode* before):
        cx = self.v.context(elementFactory(self.doc, node)) if self.context_dependent else {}
        d = self.text_deriv(c, text, cx)
        if d is self.na:
            self.v.text_not_allowed(
                c, elementFactory(self.doc, node), text,
                elementFactory(self.doc, after) if after != NULL else None,
                elementFactory(self.doc, before) if before != NULL else None)
            return c
        return d
