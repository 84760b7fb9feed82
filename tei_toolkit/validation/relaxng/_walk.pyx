# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The validator's walk over an lxml tree in C: libxml2's nodes read directly (no element
proxies, no tag strings built twice), the derivatives found in a table of C pointers. It
does exactly what :meth:`tei_toolkit.validation.relaxng.validator.Validation.element` does,
whose methods it calls for everything off the hot path (a table miss, an error and its
message), so both give the same verdicts and the same messages.

:class:`Verdict` takes the same derivatives from expat's events, with no tree at all, and
only says whether a document is valid: anything else is the tree walk's to say.
"""

from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.pycapsule cimport PyCapsule_Import
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memcmp, memcpy, memset, strchr, strcmp, strlen
from lxml.includes cimport tree
from lxml.includes.tree cimport xmlNode, xmlAttr, xmlNs, const_xmlChar
from lxml.includes.etreepublic cimport (_Document, _Element, attributeValue, elementFactory,
                                        import_lxml__etree, namespacedNameFromNsName)

import_lxml__etree()

from sys import intern

from .patterns import (DATA as _DATA, LIST as _LIST, ONE_OR_MORE as _ONE_OR_MORE,
                       TEXT as _TEXT, _values_only)

cdef int TEXT = _TEXT
cdef int DATA = _DATA
cdef int LIST = _LIST
cdef int ONE_OR_MORE = _ONE_OR_MORE
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
        self.memo = _memo_of(self.P)
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
        return _step(self.memo, self.P, p, event)

    cdef object enter(self, object p, xmlNode* node):
        cdef PyObject* found
        tag = self.tag_of(node.name, node.ns)
        d = _open(self.memo, self.P, p, tag)
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
        return _by_value(self.memo, self.P, d, name, v, value)

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
        cdef bint decides = False
        text = None
        d = None
        if not self.context_dependent:
            d = _text_known(self.memo, c, &decides)
            if decides:
                text = self.text_between(first, stop)
                d = self.by_value(c, None, d, text)
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
        _remember(self.memo, p, name, vs, d, any_event, value_event)


cdef Memo _memo_of(object P):
    """The grammar's table (kept on its Patterns between documents and walks)."""
    memo = getattr(P, "c_memo", None)
    if memo is None:
        memo = Memo()
        P.c_memo = memo
    return memo


cdef object _step(Memo memo, object P, object p, int event):
    """The derivative for an event with no name (CLOSE, END), from the table or the
    grammar."""
    cdef PyObject* found = memo.get(<PyObject*>p, NULL, event)
    if found != NULL:
        return <object>found
    d = P.start_tag_close(p) if event == CLOSE else P.end_tag(p)
    memo.put(p, None, event, d)
    return d


cdef object _open(Memo memo, object P, object p, object tag):
    """The derivative for a start tag (``tag``: "{ns}local", interned)."""
    cdef PyObject* found = memo.get(<PyObject*>p, <PyObject*>tag, OPEN)
    if found != NULL:
        return <object>found
    d = P.start_tag_open(p, tag)
    memo.put(p, tag, OPEN, d)
    return d


cdef object _text_known(Memo memo, object c, bint* decides):
    """What the table knows of a text at ``c``: the derivative whatever the text, or (with
    ``decides`` set) the one value pattern the text's value decides by; None: nothing yet.
    (Held as an object before any Python runs: a thread may empty the table meanwhile.)"""
    cdef PyObject* found = memo.get(<PyObject*>c, NULL, TEXT_ANY)
    if found != NULL:
        return <object>found
    found = memo.get(<PyObject*>c, NULL, TEXT_VALUE)
    if found != NULL:
        decides[0] = True
        return <object>found
    return None


cdef object _by_value(Memo memo, object P, object d, object name, object v, object value):
    """The derivative for an attribute (``name``) or a text (None) whose value decides
    only by the one value pattern ``v`` (its matches memoised on ``v``, as the grammar
    does)."""
    cdef PyObject* found
    cdef int event
    vm = v.d_values
    m = (<dict>vm).get(value) if vm is not None else None
    if m is None:
        # An ID's value is new every time: the commonest names are told here at once.
        if _is_ncname(v) and _ascii_ncname(value):
            m = True
        else:
            item = _list_item(v)
            m = P.value_match(v, value, _NO_CONTEXT) if item is None \
                else _words_match(P, item, value)
    if name is None:
        event = TEXT_YES if m else TEXT_NO
    else:
        event = ATT_YES if m else ATT_NO
    found = memo.get(<PyObject*>d, <PyObject*>name if name is not None else NULL, event)
    if found != NULL:
        return <object>found
    if name is None:
        d2 = P.text_deriv(d, value, _NO_CONTEXT)
    else:
        d2 = P.attribute_deriv(d, name, value, _NO_CONTEXT)
    memo.put(d, name, event, d2)
    return d2


cdef void _remember(Memo memo, object p, object name, object vs, object d, int any_event,
                    int value_event):
    """What the grammar found for an attribute (``name``) or a text (None) at ``p``: the
    value patterns that judge it (``vs``; None when the grammar's memos were just
    emptied). None, or only text: the derivative ``d`` is the same for any value; one: its
    match decides."""
    if vs is None:
        return
    if len(<tuple>vs) == 0 or (len(<tuple>vs) == 1 and _takes_any((<tuple>vs)[0])):
        memo.put(p, name, any_event, d)
    elif len(<tuple>vs) == 1:
        memo.put(p, name, value_event, (<tuple>vs)[0])


# -- the verdict without a tree: expat's events ---------------------------------------------
# Python's own expat (pyexpat) lends its functions through a capsule (the one ElementTree's C
# accelerator uses): expat reports start tags, end tags and text to C functions here, and no
# tree is built. The layout is pyexpat.h's struct PyExpat_CAPI, fields only ever appended.

ctypedef void* XML_Parser
ctypedef void (*StartHandler)(void*, const char*, const char**) noexcept
ctypedef void (*EndHandler)(void*, const char*) noexcept
ctypedef void (*TextHandler)(void*, const char*, int) noexcept
ctypedef void (*DoctypeHandler)(void*, const char*, const char*, const char*, int) noexcept

cdef struct ExpatCAPI:
    char* magic
    int size
    int MAJOR_VERSION
    int MINOR_VERSION
    int MICRO_VERSION
    void* ErrorString
    void* GetErrorCode
    void* GetErrorColumnNumber
    void* GetErrorLineNumber
    int (*Parse)(XML_Parser, const char*, int, int) noexcept
    XML_Parser (*ParserCreate_MM)(const char*, const void*, const char*) noexcept
    void (*ParserFree)(XML_Parser) noexcept
    void (*SetCharacterDataHandler)(XML_Parser, TextHandler) noexcept
    void* SetCommentHandler
    void* SetDefaultHandlerExpand
    void (*SetElementHandler)(XML_Parser, StartHandler, EndHandler) noexcept
    void* SetNamespaceDeclHandler
    void* SetProcessingInstructionHandler
    void* SetUnknownEncodingHandler
    void (*SetUserData)(XML_Parser, void*) noexcept
    void (*SetStartDoctypeDeclHandler)(XML_Parser, DoctypeHandler) noexcept

cdef ExpatCAPI* _expat = NULL
cdef str _XI = "{http://www.w3.org/2001/XInclude}"
cdef str _XML_ID = intern("{http://www.w3.org/XML/1998/namespace}id")


cdef bint _expat_ready() noexcept:
    global _expat
    cdef ExpatCAPI* api
    if _expat != NULL:
        return True
    try:
        import pyexpat  # noqa: F401 (the capsule is made when the module is)
        api = <ExpatCAPI*>PyCapsule_Import("pyexpat.expat_CAPI", 0)
    except Exception:
        return False
    if api == NULL or strcmp(api.magic, b"pyexpat.expat_CAPI 1.1") != 0 \
            or <size_t>api.size < sizeof(ExpatCAPI):
        return False
    _expat = api
    return True


cdef enum:
    NAME_SLOTS = 4096
    # Beyond these libxml2 (lxml's parser, without huge_tree) refuses a document that expat
    # takes: past them the tree is left to decide.
    DEEPEST = 200
    LONGEST = 1_000_000


cdef struct NameSlot:
    size_t hash
    size_t length
    char* name     # expat's "uri}local" or "local", a copy; NULL: free
    PyObject* tag  # "{uri}local", interned (held in Verdict.keep)
    bint xinclude  # in XInclude's namespace


cdef inline size_t _hash_name(const char* s, size_t* n) noexcept:
    """A hash of a NUL-terminated name, eight bytes at a time; its length into ``n``."""
    cdef size_t length = strlen(s)
    cdef size_t h = length * <size_t>0x9E3779B97F4A7C15
    cdef size_t i = 0
    cdef size_t w
    while i + 8 <= length:
        memcpy(&w, s + i, 8)
        h = (h ^ w) * <size_t>0xC2B2AE3D27D4EB4F
        h ^= h >> 31
        i += 8
    w = 0
    memcpy(&w, s + i, length - i)
    h = (h ^ w) * <size_t>0x165667B19E3779F9
    n[0] = length
    return h ^ (h >> 32)


cdef void _on_start(void* data, const char* name, const char** atts) noexcept:
    cdef Verdict v = <Verdict>data
    try:
        v.start(name, atts)
    except BaseException as exc:
        v.fail()
        v.error = exc


cdef void _on_end(void* data, const char* name) noexcept:
    cdef Verdict v = <Verdict>data
    try:
        v.end()
    except BaseException as exc:
        v.fail()
        v.error = exc


cdef void _on_text(void* data, const char* s, int n) noexcept:
    cdef Verdict v = <Verdict>data
    v.text_in(s, n)


cdef void _on_doctype(void* data, const char* a, const char* b, const char* c,
                      int d) noexcept:
    (<Verdict>data).fail()


cdef class Verdict:
    """Is a document valid? Found from expat's events, with no tree, by the same derivatives
    and tables as the tree walk: True when it is valid (and well-formed to expat), False at
    the first thing the walk would report, or anything the tree should rather decide (a
    DOCTYPE, an XInclude, nesting or text past libxml2's limits, IDs used twice or never
    defined, an error in the grammar's code; with a pointer check, an xml:id given twice or
    a pointer to none). False says nothing more: the caller then walks the tree for the
    messages. For grammars whose datatypes need no namespace context."""
    cdef object P
    cdef Memo memo
    cdef object na
    cdef object start_pattern
    cdef object grammar
    cdef frozenset id_names
    cdef dict id_kinds     # (tag, attribute) -> the grammar's ID type
    cdef set ids
    cdef list idrefs
    # With a pointer check (see valid()): its attribute names, the xml:ids, the values of
    # those attributes that hold a "#".
    cdef object pointers
    cdef frozenset pointer_names
    cdef set xml_ids
    cdef set pointed  # (each value once: TEI says who="#x" at every speech)
    cdef XML_Parser parser
    cdef bint failed
    cdef object error  # what the grammar's code raised in a handler, if anything
    # The open elements: their content's pattern so far (held) and whether they have an
    # element child yet.
    cdef PyObject** pats
    cdef char* has_child
    cdef int depth
    cdef int room
    # The text since the last tag: its bytes, whether there was any, whether all blank.
    cdef char* buf
    cdef size_t blen
    cdef size_t bcap
    cdef bint any_text
    cdef bint blank
    cdef NameSlot names[NAME_SLOTS]
    cdef list keep
    cdef bint xinclude  # the name tag() gave last is in XInclude's namespace

    def __cinit__(self):
        self.pats = NULL
        self.has_child = NULL
        self.buf = NULL
        memset(self.names, 0, sizeof(self.names))

    def __init__(self, grammar):
        self.grammar = grammar
        self.P = grammar.patterns
        self.memo = _memo_of(self.P)
        self.na = self.P.not_allowed
        self.start_pattern = grammar.start
        self.id_names = grammar.id_attribute_names
        self.id_kinds = {}
        self.keep = []
        self.room = 64
        self.pats = <PyObject**>calloc(self.room, sizeof(PyObject*))
        self.has_child = <char*>calloc(self.room, 1)
        self.bcap = 4096
        self.buf = <char*>malloc(self.bcap)
        if self.pats == NULL or self.has_child == NULL or self.buf == NULL:
            raise MemoryError()

    def __dealloc__(self):
        cdef int i
        for i in range(NAME_SLOTS):
            free(self.names[i].name)
        free(self.pats)
        free(self.has_child)
        free(self.buf)

    def valid(self, bytes data, pointers=None):
        """True: the document (``data``, its bytes) is valid; False: walk its tree.
        ``pointers``: a pointer check too (its ``names``, the attributes that hold pointers,
        and ``resolve(values, xml_ids)``): valid only with unique xml:ids and every pointer
        resolved."""
        if self.P.context_dependent or not _expat_ready() or len(data) > 0x7FFFFFFF:
            return False
        self.failed = False
        self.error = None
        self.depth = 0
        self.blen = 0
        self.any_text = False
        self.blank = True
        self.ids = set()
        self.idrefs = []
        self.pointers = pointers
        self.pointer_names = pointers.names if pointers is not None else frozenset()
        self.xml_ids = set()
        self.pointed = set()
        self.parser = _expat.ParserCreate_MM(NULL, NULL, b"}")
        if self.parser == NULL:
            return False
        try:
            _expat.SetUserData(self.parser, <void*>self)
            _expat.SetElementHandler(self.parser, _on_start, _on_end)
            _expat.SetCharacterDataHandler(self.parser, _on_text)
            _expat.SetStartDoctypeDeclHandler(self.parser, _on_doctype)
            ok = _expat.Parse(self.parser, data, <int>len(data), 1) == 1
        finally:
            _expat.ParserFree(self.parser)
            self.parser = NULL
            self.release()
        if self.error is not None and not isinstance(self.error, Exception):
            raise self.error  # Ctrl-C and the like are not the tree's to judge
        if not ok or self.failed:
            return False
        ids = self.ids
        if not all(ref in ids for ref in self.idrefs):
            return False
        return self.pointers is None or bool(self.pointers.resolve(self.pointed, self.xml_ids))

    cdef void release(self):
        while self.depth > 0:
            self.depth -= 1
            Py_XDECREF(self.pats[self.depth])
            self.pats[self.depth] = NULL

    cdef void fail(self) noexcept:
        """Stop judging: the tree will tell (expat reads on to the end, unheard)."""
        self.failed = True
        if self.parser != NULL:
            _expat.SetElementHandler(self.parser, NULL, NULL)
            _expat.SetCharacterDataHandler(self.parser, NULL)

    cdef void text_in(self, const char* s, int n) noexcept:
        cdef size_t need = self.blen + <size_t>n
        cdef char* bigger
        cdef int i
        if n <= 0 or self.failed:
            return
        if need > LONGEST:
            self.fail()
            return
        if need > self.bcap:
            bigger = <char*>realloc(self.buf, 2 * need)
            if bigger == NULL:
                self.fail()
                return
            self.buf = bigger
            self.bcap = 2 * need
        memcpy(self.buf + self.blen, s, n)
        self.blen = need
        self.any_text = True
        if self.blank:
            for i in range(n):
                if s[i] != 32 and s[i] != 9 and s[i] != 10 and s[i] != 13:
                    self.blank = False
                    break

    cdef inline void text_gone(self) noexcept:
        self.blen = 0
        self.any_text = False
        self.blank = True

    cdef object tag(self, const char* name):
        """expat's "uri}local" (or "local") as the tree's tag, "{uri}local" (interned)."""
        cdef size_t n
        cdef size_t h = _hash_name(name, &n)
        cdef NameSlot* slot = &self.names[h & (NAME_SLOTS - 1)]
        if slot.hash == h and slot.length == n and slot.name != NULL \
                and memcmp(slot.name, name, n) == 0:
            self.xinclude = slot.xinclude
            return <object>slot.tag
        if n > 1000:
            return None  # longer than lxml takes names, give or take: the tree decides
        text = PyUnicode_DecodeUTF8(name, n, NULL)
        tag = intern("{" + text if "}" in text else text)
        copy = <char*>malloc(n + 1)
        if copy == NULL:
            raise MemoryError()
        memcpy(copy, name, n + 1)
        free(slot.name)
        slot.name = copy
        slot.hash = h
        slot.length = n
        self.keep.append(tag)
        if len(self.keep) > 4 * NAME_SLOTS:  # many names colliding: hold only the table's
            self.keep = [<object>self.names[i].tag for i in range(NAME_SLOTS)
                         if self.names[i].name != NULL and self.names[i].tag != NULL
                         and self.names[i].name != copy]
            self.keep.append(tag)
        slot.tag = <PyObject*>tag
        slot.xinclude = self.xinclude = tag.startswith(_XI)
        return tag

    cdef object run_text(self):
        return PyUnicode_DecodeUTF8(self.buf, self.blen, NULL)

    cdef int push(self, object c) except -1:
        cdef PyObject** more
        cdef char* flags
        if self.depth == self.room:
            more = <PyObject**>realloc(self.pats, 2 * self.room * sizeof(PyObject*))
            if more == NULL:
                raise MemoryError()
            self.pats = more
            flags = <char*>realloc(self.has_child, 2 * self.room)
            if flags == NULL:
                raise MemoryError()
            self.has_child = flags
            self.room *= 2
        Py_INCREF(c)
        self.pats[self.depth] = <PyObject*>c
        self.has_child[self.depth] = 0
        self.depth += 1
        return 0

    cdef void set_top(self, object c):
        Py_INCREF(c)
        Py_XDECREF(self.pats[self.depth - 1])
        self.pats[self.depth - 1] = <PyObject*>c

    cdef int start(self, const char* name, const char** atts) except -1:
        cdef int i = 0
        if self.depth >= DEEPEST:
            self.fail()
            return 0
        tag = self.tag(name)
        if tag is None or self.xinclude:  # an include is the tree's to process or refuse
            self.fail()
            return 0
        if self.depth > 0:
            if self.any_text and not self.blank:
                c = self.text(<object>self.pats[self.depth - 1])
                if c is None:
                    return 0
                self.set_top(c)
            self.has_child[self.depth - 1] = 1
            p = <object>self.pats[self.depth - 1]
        else:
            p = self.start_pattern
        self.text_gone()
        d = _open(self.memo, self.P, p, tag)
        while d is not self.na and atts[i] != NULL:
            d = self.attribute(d, tag, atts[i], atts[i + 1])
            if d is None:
                return 0
            i += 2
        if d is not self.na:
            d = _step(self.memo, self.P, d, CLOSE)
        if d is self.na:
            self.fail()
            return 0
        return self.push(d)

    cdef int end(self) except -1:
        c = <object>self.pats[self.depth - 1]
        if self.has_child[self.depth - 1]:
            if self.any_text and not self.blank:
                c = self.text(c)
        else:
            c = self.text_only(c)
        self.text_gone()
        if c is None:
            return 0
        e = _step(self.memo, self.P, c, END)
        if e is self.na:
            self.fail()
            return 0
        self.depth -= 1
        Py_XDECREF(self.pats[self.depth])
        self.pats[self.depth] = NULL
        if self.depth > 0:
            self.set_top(e)
        return 0

    cdef object attribute(self, object d, object tag, const char* raw_name,
                          const char* raw):
        """The derivative after one attribute, or None (the walk would report it)."""
        cdef PyObject* found
        name = self.tag(raw_name)
        if name is None or strlen(raw) > LONGEST:
            self.fail()
            return None
        value = None
        found = self.memo.get(<PyObject*>d, <PyObject*>name, ATT_ANY)
        if found != NULL:
            d2 = <object>found
        else:
            found = self.memo.get(<PyObject*>d, <PyObject*>name, ATT_VALUE)
            value = PyUnicode_DecodeUTF8(raw, strlen(raw), NULL)
            if found != NULL:
                d2 = _by_value(self.memo, self.P, d, name, <object>found, value)
            else:
                d2 = self.P.attribute_deriv(d, name, value, _NO_CONTEXT)
                values = d.att_values
                _remember(self.memo, d, name, (<dict>values).get(name)
                          if values is not None else None, d2, ATT_ANY, ATT_VALUE)
        if d2 is self.na:
            self.fail()
            return None
        if name in self.id_names:
            if value is None:
                value = PyUnicode_DecodeUTF8(raw, strlen(raw), NULL)
            if not self.id_value(tag, name, value):
                self.fail()
                return None
        if self.pointers is not None and not self.pointer(name, raw, value):
            self.fail()
            return None
        return d2

    cdef bint pointer(self, object name, const char* raw, object value):
        """The pointer check's part: False for an xml:id given before."""
        if name is _XML_ID:
            if value is None:
                value = PyUnicode_DecodeUTF8(raw, strlen(raw), NULL)
            if value in self.xml_ids:
                return False
            self.xml_ids.add(value)
        elif name in self.pointer_names and strchr(raw, 35) != NULL:  # "#"
            self.pointed.add(value if value is not None
                             else PyUnicode_DecodeUTF8(raw, strlen(raw), NULL))
        return True

    cdef bint id_value(self, object tag, object name, object value):
        """DTD compatibility: False for an ID given before (IDREFs are checked at the end)."""
        key = (tag, name)
        kind = self.id_kinds.get(key)
        if kind is None:
            kind = self.id_kinds[key] = self.grammar.id_type(tag, name)
        if kind == "ID":
            value = value.strip(" \t\r\n")
            if value in self.ids:
                return False
            self.ids.add(value)
        elif kind:
            self.idrefs.extend(value.split())
        return True

    cdef object text(self, object c):
        """The derivative after the text run (not white space only), or None."""
        cdef bint decides = False
        d = _text_known(self.memo, c, &decides)
        if decides:
            d = _by_value(self.memo, self.P, c, None, d, self.run_text())
        elif d is None:
            d = self.P.text_deriv(c, self.run_text(), _NO_CONTEXT)
            _remember(self.memo, c, None, c.text_values, d, TEXT_ANY, TEXT_VALUE)
        if d is self.na:
            self.fail()
            return None
        return d

    cdef object text_only(self, object c):
        """Content with no element: text, white space, or nothing; None when refused."""
        cdef PyObject* found
        cdef int event = NOTHING if not self.any_text else (BLANK_ANY if self.blank
                                                            else TEXT_ANY)
        if event == TEXT_ANY:
            return self.text(c)
        found = self.memo.get(<PyObject*>c, NULL, event)
        if found != NULL:
            return <object>found
        if event == NOTHING:
            d = self.P.nothing(c, _NO_CONTEXT)
        else:
            d = self.P.choice(c, self.P.text_deriv(c, self.run_text(), _NO_CONTEXT))
        if d is self.na:
            self.fail()
            return None
        if event == NOTHING or c.text_values == ():
            self.memo.put(c, None, event, d)
        return d


cdef bint _takes_any(object v):
    """Does the value pattern ``v`` match every text (text, or a string datatype with no
    facet): then it decides nothing."""
    if v.kind == TEXT:
        return True
    return v.kind == DATA and v.p1 is None and v.dt is not None and v.dt.takes_any()


cdef dict _ncnames = {}  # value pattern -> whether it is a plain name without colons


cdef bint _is_ncname(object v):
    found = _ncnames.get(v)
    if found is None:
        found = _ncnames[v] = (v.kind == DATA and v.p1 is None and v.dt is not None
                               and v.dt.is_ncname())
    return found


cdef bint _ascii_ncname(str s):
    """Is ``s`` a name without colons written in ASCII ([A-Za-z_][A-Za-z0-9._-]*)? False
    says nothing: the datatype decides."""
    cdef Py_ssize_t i, n = len(s)
    cdef Py_UCS4 c
    if n == 0 or not s.isascii():
        return False
    for i in range(n):
        c = s[i]
        if (c >= 97 and c <= 122) or (c >= 65 and c <= 90) or c == 95:
            continue
        if i > 0 and ((c >= 48 and c <= 57) or c == 46 or c == 45):
            continue
        return False
    return True


cdef dict _list_items = {}  # list pattern -> its item (list { item+ } of values), else False


cdef object _list_item(object v):
    """The item of ``v`` when it is a list of words each matching one value pattern (a
    list of pointers, of tokens), else None."""
    found = _list_items.get(v)
    if found is None:
        d = v.p1 if v.kind == LIST else None
        found = _list_items[v] = d.p1 if d is not None and d.kind == ONE_OR_MORE and \
            d.p1 is not None and _values_only(d.p1) else False
    return found if found is not False else None


cdef bint _words_match(object P, object item, str s) except -1:
    """Is ``s`` one or more words (split at XML white space), each matching ``item``? As
    the grammar's value_match says, each word memoised on ``item``, without a Python call
    for a word met before."""
    cdef Py_ssize_t i = 0, n = len(s), start
    cdef Py_UCS4 c
    cdef bint words = False
    while i < n:
        c = s[i]
        if c == 32 or c == 9 or c == 10 or c == 13:
            i += 1
            continue
        start = i
        while i < n:
            c = s[i]
            if c == 32 or c == 9 or c == 10 or c == 13:
                break
            i += 1
        word = s[start:i]
        words = True
        memo = item.d_values
        found = (<dict>memo).get(word) if memo is not None else None
        if found is None:
            found = P.value_match(item, word, _NO_CONTEXT)
        if not found:
            return False
    return words
