"""RELAX NG grammars reduced to the names documents use, without changing any verdict.

A document whose elements all have names in a set E is valid against a grammar exactly when it
is valid against the grammar with every ``element`` pattern for a name outside E replaced by
``notAllowed`` (or given ``empty`` content: a stub): such a pattern can never match in that
document. The replacement is then simplified away with RELAX NG's own rules for
``notAllowed`` (a ``choice`` loses the branch; a ``group``, ``interleave``, ``oneOrMore``,
``element``, ``attribute``, ``list`` or ``mixed`` holding it becomes ``notAllowed``; an
``optional`` or ``zeroOrMore`` of it becomes ``empty``), through references, to a fixed point;
unreachable definitions are dropped. Likewise an optional attribute no element of the
documents has can only match its absent case (:func:`prune_attributes`), and TEI's
``(B+, X*)+`` is the same language as ``B, (B | X)*`` (:func:`linearize`). Each rewrite is an
equivalence on those documents; the result is smaller, libxml2 compiles it in milliseconds
instead of seconds, and validates with it in linear time.

The project's own schema (``schemas/tei_toolkit.rng``) is tei_all reduced to the elements a
documentary edition of correspondence needs (:meth:`Grammar.reduce`), which makes it a subset
of TEI P5 by construction: TEI's content models and attribute datatypes, restricted.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from functools import cached_property
from typing import Any, Callable, Iterable
from urllib.parse import urljoin, urlparse

from lxml import etree

from ..xmlcore import RELAXNG_NS, base_url, safe_parser, tag_of, url2pathname

_R = f"{{{RELAXNG_NS}}}"
NA, EMPTY, OTHER = 0, 1, 2
# Pattern elements whose children form an implicit group.
_GROUPING = {"group", "interleave", "oneOrMore", "zeroOrMore", "optional", "mixed", "list",
             "define", "start"}

Name = tuple[str, str]  # (namespace URI, local name)


class Grammar:
    """A single-file RELAX NG grammar in XML syntax (no include or externalRef)."""

    def __init__(self, tree: etree._ElementTree) -> None:
        root = tree.getroot()
        if root.tag != _R + "grammar":
            raise ValueError("not a RELAX NG grammar (root element is not rng:grammar)")
        self.tree = _strip_foreign(copy.deepcopy(tree))
        self.root = self.tree.getroot()
        _check_simple(self.root)
        self.defines = {d.get("name", ""): d for d in self.root.iterchildren(_R + "define")}

    @classmethod
    def parse(cls, source: str | bytes) -> "Grammar":
        parser = safe_parser(remove_comments=True, huge_tree=True)
        if isinstance(source, bytes):
            return cls(etree.ElementTree(etree.fromstring(source, parser)))
        return cls(etree.parse(source, parser))

    def element_names(self) -> set[Name]:
        """Every element name the grammar names explicitly."""
        out = set()
        for el in self.root.iter(_R + "element"):
            name = _element_name(el)
            if name is not None:
                out.add(name)
        return out

    def reduce(self, names: Iterable[Name]) -> etree._ElementTree:
        """The grammar restricted to elements named in ``names``: every other element pattern
        becomes ``notAllowed``. A subset of the original language (this is how the project
        schema is made), and the same verdicts for documents that use only ``names``."""
        keep = frozenset(names)
        return self._reduce(lambda name: name in keep)

    def reduce_local(self, local_names: Iterable[str],
                     attributes: Iterable[str] | None = None) -> etree._ElementTree:
        """The grammar for validating documents whose element local names are all in
        ``local_names``, with exactly the original verdicts on them.

        An element pattern for any other name can never match in such a document, whatever
        its content, so it may be removed (``notAllowed``) or kept as a stub with ``empty``
        content. Elements that a kept element requires (``<title>`` in ``<titleStmt>``),
        and the root elements, become stubs: the parent's content model then still names
        them, and libxml2 still says what is missing. All others are removed.
        """
        keep = frozenset(local_names)
        stubs = set(self._start_names())
        memo: dict[str, Any] = {}
        for name in keep:
            for el in self._by_local.get(name, ()):
                stubs |= self._required(el, keep, memo,
                                        skip=0 if el.get("name") is not None else 1)
        stubs -= keep
        tree = self._reduce(lambda n: n[1] in keep or (n[1] in stubs and "stub"))
        if attributes is not None:
            prune_attributes(tree.getroot(), frozenset(attributes))
        return tree

    @cached_property
    def _by_local(self) -> dict[str, list[etree._Element]]:
        index: dict[str, list[etree._Element]] = {}
        for el in self.root.iter(_R + "element"):
            name = _element_name(el)
            if name is not None:
                index.setdefault(name[1], []).append(el)
        return index

    def _start_names(self) -> set[str]:
        out: set[str] = set()
        for start in self.root.iterchildren(_R + "start"):
            for node in start.iter(_R + "ref", _R + "element"):
                if node.tag == _R + "element":
                    name = _element_name(node)
                    if name:
                        out.add(name[1])
                else:
                    body = self.defines.get(node.get("name", ""))
                    el = body.find(_R + "element") if body is not None else None
                    name = _element_name(el) if el is not None else None
                    if name:
                        out.add(name[1])
        return out

    def _required(self, node: etree._Element, keep: frozenset[str], memo: dict[str, Any],
                  skip: int = 0) -> set[str]:
        """Element names to keep as stubs so that ``node``'s content (its children after
        ``skip``, as a group) can still match: those it must contain, and for a required
        choice none of whose branches the kept names can satisfy, the first branch's."""
        out: set[str] = set()
        for child in list(node)[skip:]:
            if isinstance(child.tag, str):
                out |= self._required_pattern(child, keep, memo)
        return out

    def _required_pattern(self, node: etree._Element, keep: frozenset[str], memo: dict[str, Any]
                          ) -> set[str]:
        tag = tag_of(node)[len(_R):] if tag_of(node).startswith(_R) else ""
        if tag == "element":
            name = _element_name(node)
            return {name[1]} if name else set()
        if tag == "ref":
            ref = node.get("name", "")
            if ref not in memo:
                memo[ref] = set()  # a cycle contributes nothing
                body = self.defines.get(ref)
                memo[ref] = self._required(body, keep, memo) if body is not None else set()
            required: set[str] = memo[ref]
            return required
        if tag == "choice":
            branches = [self._required_pattern(c, keep, memo) for c in node
                        if isinstance(c.tag, str) and c.tag != _R + "notAllowed"]
            if not branches or any(not b or b <= keep for b in branches):
                return set()  # a branch needs nothing, or only what is kept
            # Stubbing every branch's candidates would bloat big choices (and slow libxml2
            # down); one branch is enough to keep the parent, and the message, alive.
            return branches[0]
        if tag in ("group", "interleave", "oneOrMore", "mixed"):
            return self._required(node, keep, memo)
        return set()

    def _reduce(self, keep: Callable[[Name], Any]) -> etree._ElementTree:
        """``keep(name)``: True keeps an element pattern, "stub" empties its content, False
        replaces it by notAllowed; then simplify to a fixed point."""
        tree = copy.deepcopy(self.tree)
        root = tree.getroot()
        defines = {d.get("name", ""): d for d in root.iterchildren(_R + "define")}
        state: dict[str, int] = {}
        users: dict[str, set[str]] = defaultdict(set)
        for name, d in defines.items():
            for ref in d.iter(_R + "ref"):
                users[ref.get("name", "")].add(name)

        def ref_state(name: str) -> int:
            return state.get(name, OTHER)

        simplifier = _Simplifier(keep, ref_state)
        work = list(defines)
        queued = set(work)
        while work:
            name = work.pop()
            queued.discard(name)
            before = state.get(name, OTHER)
            after = simplifier.children(defines[name])
            if after == NA:
                for child in list(defines[name]):
                    defines[name].remove(child)
                etree.SubElement(defines[name], _R + "notAllowed")
            state[name] = after
            if after != before and after == NA:
                for user in users[name]:
                    if user not in queued:
                        work.append(user)
                        queued.add(user)
        for start in root.iterchildren(_R + "start"):
            simplifier.children(start)
        _drop_unreachable(root)
        linearize(root)
        unwrap_singletons(root)
        return tree


class _Simplifier:
    def __init__(self, keep: Callable[[Name], Any], ref_state: Any) -> None:
        self.keep = keep
        self.ref_state = ref_state

    def children(self, node: etree._Element, skip: int = 0) -> int:
        """The state of the implicit group of ``node``'s pattern children (after ``skip``).

        ``empty`` children are then dropped from the group (group(p, empty) = p): besides
        being noise, libxml2 mis-validates some sequences holding an ``empty``.
        """
        result = EMPTY
        for child in list(node)[skip:]:
            if not isinstance(child.tag, str):
                continue
            s = self.pattern(child)
            if s == NA:
                return NA
            if s == OTHER:
                result = OTHER
        if node.tag != _R + "attribute":
            patterns = [c for c in list(node)[skip:] if isinstance(c.tag, str)]
            empties = [c for c in patterns if c.tag == _R + "empty"]
            if empties and len(empties) < len(patterns):
                for c in empties:
                    node.remove(c)
        return result

    def pattern(self, node: etree._Element) -> int:
        tag = tag_of(node)[len(_R):] if tag_of(node).startswith(_R) else None
        if tag is None or tag in ("text", "value", "data", "parentRef", "grammar"):
            return OTHER
        if tag == "notAllowed":
            return NA
        if tag == "empty":
            return EMPTY
        if tag == "ref":
            if self.ref_state(node.get("name")) == NA:
                return _replace(node, "notAllowed", NA)
            return OTHER
        if tag in ("element", "attribute"):
            if tag == "element":
                name = _element_name(node)
                verdict = self.keep(name) if name is not None else True
                if not verdict:
                    return _replace(node, "notAllowed", NA)
                if verdict == "stub":
                    skip = 0 if node.get("name") is not None else 1
                    for child in list(node)[skip:]:
                        node.remove(child)
                    etree.SubElement(node, _R + "empty")
                    return OTHER
            s = self.children(node, 0 if node.get("name") is not None else 1)
            return _replace(node, "notAllowed", NA) if s == NA else OTHER
        if tag == "choice":
            states = []
            i = 0
            while i < len(node):
                child = node[i]
                if not isinstance(child.tag, str):
                    i += 1
                    continue
                s = self.pattern(child)
                if s == NA:
                    del node[i]  # the notAllowed that replaced the branch stands at i
                else:
                    states.append(s)
                    i += 1
            if not states:
                return _replace(node, "notAllowed", NA)
            return EMPTY if all(s == EMPTY for s in states) else OTHER
        if tag in _GROUPING:
            s = self.children(node)
            if s == NA:
                if tag in ("zeroOrMore", "optional"):
                    return _replace(node, "empty", EMPTY)
                return _replace(node, "notAllowed", NA)
            if tag in ("mixed", "list"):
                return OTHER
            return s
        return OTHER


def _replace(node: etree._Element, tag: str, state: int) -> int:
    parent = node.getparent()
    if parent is not None:
        new = etree.Element(_R + tag)
        new.tail = node.tail
        parent.replace(node, new)
    return state


def prune_attributes(root: etree._Element, present: frozenset[str]) -> None:
    """Drop optional attributes that no document has: ``optional(attribute X)`` with X (by
    local name) absent from every element can only match its absent case, so it is ``empty``.

    Then drop the empties that leaves (group(p, empty) = p, references to definitions that
    became empty, optional(empty) = empty) to a fixed point. With TEI's dozens of optional
    global attributes on every element, this halves libxml2's validation time; an ``empty``
    left in a group would double it instead.
    """
    for opt in list(root.iter(_R + "optional")):
        kids = [c for c in opt if isinstance(c.tag, str)]
        if len(kids) == 1 and kids[0].tag == _R + "attribute" and kids[0].get("name"):
            if kids[0].get("name", "").rsplit(":", 1)[-1] not in present:
                _swap(opt, etree.Element(_R + "empty"))
    _drop_empties(root)
    unwrap_singletons(root)


def simplify_whole(root: etree._Element) -> int:
    """The rewrites of RELAX NG simplification that keep libxml2 from looping, on any whole
    grammar: annotations (elements of other namespaces) dropped (4.1), ``empty`` dropped
    from a ``group`` or ``interleave`` that holds more (4.20), then one-child ``group``,
    ``interleave`` and ``choice`` unwrapped (4.12, :func:`unwrap_singletons`). Each leaves
    the language as it is. Returns the number of rewrites."""
    count = 0
    for el in list(root.iter()):
        parent = el.getparent()
        # Not in name, value or param: there an element is an error (section 3), kept for
        # libxml2 to refuse.
        if isinstance(el.tag, str) and not el.tag.startswith(_R) and parent is not None \
                and parent.tag in _ANNOTATABLE:
            _remove(el)
            count += 1
    for node in list(root.iter(_R + "group", _R + "interleave")):
        kids = [c for c in node if isinstance(c.tag, str)]
        empties = [c for c in kids if c.tag == _R + "empty"]
        if empties and len(empties) < len(kids):
            for c in empties:
                _remove(c)
                count += 1
    return count + unwrap_singletons(root)


_ANNOTATABLE = frozenset(_R + t for t in (
    "grammar", "start", "define", "div", "include", "element", "attribute", "group",
    "interleave", "choice", "optional", "zeroOrMore", "oneOrMore", "list", "mixed", "ref",
    "parentRef", "empty", "text", "data", "notAllowed", "externalRef", "except", "anyName",
    "nsName"))


def _remove(el: etree._Element) -> None:
    """Remove ``el``, keeping its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        before = el.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def unwrap_singletons(root: etree._Element) -> int:
    """Replace every ``group``, ``interleave`` and ``choice`` holding one pattern by that
    pattern (RELAX NG simplification, section 4.12). Returns the number of rewrites.

    Not cosmetic: libxml2 (2.12, 2.14) never finishes compiling an element whose content is a
    one-child ``group`` around a repetition that refers back to the element, followed by an
    attribute: ``element L { group(oneOrMore(choice(L, m))), attribute type? }``. Dropping
    the empties and removed branches of TEI's content models leaves exactly such groups (the
    reduced ``listBibl``, ``msItem``, ``msPart``), so every reduction ends here.
    """
    count = 0
    for node in list(root.iter(_R + "group", _R + "interleave", _R + "choice")):
        parent = node.getparent()
        if parent is None:
            continue
        kids = [c for c in node if isinstance(c.tag, str)]
        if len(kids) == 1 and tag_of(kids[0]).startswith(_R):
            _swap(node, kids[0])
            count += 1
    return count


def _drop_empties(root: etree._Element) -> None:
    def patterns(node: etree._Element) -> list[etree._Element]:
        kids = [c for c in node if isinstance(c.tag, str)]
        if node.tag in (_R + "element", _R + "attribute") and node.get("name") is None:
            kids = kids[1:]  # the name class
        return kids

    keep_as_is = {_R + t for t in ("attribute", "choice", "list", "data", "value", "except",
                                   "name", "anyName", "nsName")}
    changed = True
    while changed:
        changed = False
        defines = {d.get("name", ""): d for d in root.iterchildren(_R + "define")}
        empty = {n for n, d in defines.items()
                 if all(c.tag == _R + "empty" for c in patterns(d))}
        for ref in list(root.iter(_R + "ref")):
            if ref.get("name") in empty:
                _swap(ref, etree.Element(_R + "empty"))
                changed = True
        for node in list(root.iter()):
            if not isinstance(node.tag, str) or node.tag in keep_as_is or node.getparent() is None \
                    and node.tag != _R + "grammar":
                continue
            kids = patterns(node)
            empties = [c for c in kids if c.tag == _R + "empty"]
            if empties and len(empties) < len(kids):
                for c in empties:
                    node.remove(c)
                changed = True
            elif kids and len(empties) == len(kids) and node.tag in (
                    _R + "optional", _R + "zeroOrMore", _R + "oneOrMore", _R + "group",
                    _R + "interleave"):
                _swap(node, etree.Element(_R + "empty"))
                changed = True
            elif len(empties) == len(kids) > 1:
                for c in empties[1:]:
                    node.remove(c)
                changed = True


def linearize(root: etree._Element) -> int:
    """Rewrite repetitions libxml2 validates in cubic time into equivalent linear forms.

    TEI's list containers (listBibl, listPerson, ...) say ``(B+, X*)+``: one or more runs of
    entries, each followed by optional relations. That language is exactly ``B, (B | X)*``
    (it starts with a B, then any mix), which libxml2 matches in linear time. After a
    reduction removes X, ``(B+)+`` is left, which is ``B+``. Returns the number of rewrites.
    """
    count = 0
    for node in list(root.iter(_R + "oneOrMore")):
        if node.getparent() is None:
            continue
        kids = [c for c in node if isinstance(c.tag, str)]
        if len(kids) == 1 and kids[0].tag == _R + "oneOrMore":
            _swap(node, kids[0])
            count += 1
        elif (len(kids) == 2 and kids[0].tag == _R + "oneOrMore"
              and kids[1].tag == _R + "zeroOrMore"):
            b = [c for c in kids[0] if isinstance(c.tag, str)]
            x = [c for c in kids[1] if isinstance(c.tag, str)]
            if len(b) != 1 or len(x) != 1:
                continue
            group = etree.Element(_R + "group")
            group.append(copy.deepcopy(b[0]))
            choice = etree.SubElement(etree.SubElement(group, _R + "zeroOrMore"), _R + "choice")
            choice.append(b[0])
            choice.append(x[0])
            _swap(node, group)
            count += 1
    return count


def _swap(old: etree._Element, new: etree._Element) -> None:
    """Put ``new`` where ``old`` stands, keeping inherited ns/datatypeLibrary settings."""
    for attr in ("ns", "datatypeLibrary"):
        value = old.get(attr)
        if value is not None and new.get(attr) is None:
            new.set(attr, value)
    new.tail = old.tail
    parent = old.getparent()
    assert parent is not None  # a pattern inside a grammar always has a parent
    parent.replace(old, new)


def _element_name(el: etree._Element) -> Name | None:
    """(namespace, local name) of an element pattern with a plain name, else None."""
    raw = el.get("name")
    if raw is None:
        first = next((c for c in el if isinstance(c.tag, str)), None)
        if first is None or first.tag != _R + "name":
            return None
        raw, holder = (first.text or "").strip(), first
    else:
        holder = el
    if ":" in raw:
        prefix, local = raw.split(":", 1)
        return holder.nsmap.get(prefix) or "", local
    ns = next((a.get("ns", "") for a in [holder, *holder.iterancestors()] if a.get("ns") is not None), "")
    return ns, raw


# Patterns that a rewrite may remove while keeping their children: an inherited ``ns`` or
# ``datatypeLibrary`` on them would be lost.
_WRAPPERS = frozenset(_R + t for t in ("group", "interleave", "choice", "oneOrMore",
                                       "zeroOrMore", "optional", "mixed", "list"))
_NAMED = frozenset(_R + t for t in ("define", "ref", "element", "attribute"))


def _check_simple(root: etree._Element) -> None:
    """Raise ValueError unless the grammar is in the form every rewrite here assumes, which
    is what RELAX NG simplification would give anyway: one file (no ``include``,
    ``externalRef``), no ``div``, ``combine``, ``parentRef`` or nested ``grammar``; one
    ``start`` with one pattern; each definition once, each reference defined; names without
    surrounding whitespace; ``ns`` and ``datatypeLibrary`` never on a pattern a rewrite may
    dissolve. Any other grammar is compiled as it stands."""
    starts = root.findall(_R + "start")
    if len(starts) != 1 or len([c for c in starts[0] if isinstance(c.tag, str)]) != 1:
        raise ValueError("not exactly one start with one pattern")
    names: set[str] = set()
    for d in root.iterchildren():
        if d.tag == _R + "define":
            if d.get("name") in names:
                raise ValueError(f"define {d.get('name')} twice")
            names.add(d.get("name", ""))
        elif d.tag != _R + "start":
            raise ValueError(f"{tag_of(d)} at the top of the grammar")
    for el in root.iter():
        tag = el.tag
        if tag in (_R + "include", _R + "externalRef", _R + "div", _R + "parentRef") or (
                tag == _R + "grammar" and el is not root):
            raise ValueError(f"{tag_of(el)} in the grammar")
        if el.get("combine") is not None:
            raise ValueError("combine in the grammar")
        if tag in _NAMED:
            name = el.get("name")
            if name is not None and name != name.strip():
                raise ValueError("a name with surrounding whitespace")
            if tag == _R + "ref" and name not in names:
                raise ValueError(f"reference to undefined {name}")
        if tag in _WRAPPERS and (el.get("ns") is not None
                                 or el.get("datatypeLibrary") is not None):
            raise ValueError(f"ns or datatypeLibrary on {tag_of(el)}")


def _strip_foreign(tree: etree._ElementTree) -> etree._ElementTree:
    """Drop annotations (documentation, embedded Schematron): they do not affect validity."""
    root = tree.getroot()
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or not el.tag.startswith(_R):
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
    for el in root.iter():
        if isinstance(el.tag, str) and len(el):
            el.text = None if el.text is None or not el.text.strip() else el.text
    return tree


def _drop_unreachable(root: etree._Element) -> None:
    defines = {d.get("name", ""): d for d in root.iterchildren(_R + "define")}
    seen: set[str] = set()
    todo = [ref.get("name", "") for start in root.iterchildren(_R + "start")
            for ref in start.iter(_R + "ref")]
    while todo:
        name = todo.pop()
        if name in seen or name not in defines:
            continue
        seen.add(name)
        todo.extend(ref.get("name", "") for ref in defines[name].iter(_R + "ref"))
    for name, d in defines.items():
        if name not in seen:
            root.remove(d)


def inline(tree: etree._ElementTree, base_url: str) -> etree._ElementTree:
    """``tree`` (a whole schema read from ``base_url``) as one file: every ``externalRef``
    replaced by the pattern it names and every ``include`` by a ``div`` holding the included
    grammar, less the ``start`` and ``define`` components the include overrides (RELAX NG
    simplification 4.5-4.7, as libxml2 and jing do it). ``datatypeLibrary`` is made explicit
    on each ``data`` and typed ``value`` of every file first (4.3 comes before 4.7), so a file
    keeps its own libraries wherever it lands; ``ns`` is inherited from the new place, as
    the specification says. Only local files are read; a remote href, a missing file or an
    include loop raises ValueError naming it."""
    root = copy.deepcopy(tree.getroot())
    _explicit_libraries(root)
    return etree.ElementTree(_inline_in(root, base_url, [base_url]))


def _explicit_libraries(root: etree._Element) -> None:
    for el in root.iter(_R + "data", _R + "value"):
        if el.get("datatypeLibrary") is not None or (el.tag == _R + "value"
                                                      and el.get("type") is None):
            continue
        node = el.getparent()
        library = ""
        while node is not None:
            if node.get("datatypeLibrary") is not None:
                library = node.get("datatypeLibrary", "")
                break
            node = node.getparent()
        el.set("datatypeLibrary", library)


def _inline_in(root: etree._Element, url: str, stack: list[str]) -> etree._Element:
    """``root`` with its includes and externalRefs inlined; a new root when it was one."""
    for ref in list(root.iter(_R + "externalRef", _R + "include")):
        href = ref.get("href", "").strip()
        target = urljoin(base_url(ref, url), href)
        parts = urlparse(target)
        if parts.scheme not in ("", "file") or parts.netloc:
            raise ValueError(f"{tag_of(ref)[len(_R):]} of {href!r}: a remote schema is never "
                             "fetched")
        if "#" in href or not href:
            raise ValueError(f"{tag_of(ref)[len(_R):]} href {href!r} is not a file")
        if target in stack:
            raise ValueError(f"{tag_of(ref)[len(_R):]} loop: {href!r} includes itself")
        try:
            other = etree.parse(url2pathname(parts.path),
                                safe_parser(remove_comments=True, huge_tree=True)).getroot()
        except (OSError, etree.XMLSyntaxError) as exc:
            raise ValueError(f"{tag_of(ref)[len(_R):]} of {href!r}: cannot read it ({exc})"
                             ) from None
        _explicit_libraries(other)
        other = _inline_in(other, target, stack + [target])
        parent = ref.getparent()
        if ref.tag == _R + "externalRef":
            if other.get("ns") is None and ref.get("ns") is not None:
                other.set("ns", ref.get("ns", ""))
            if parent is None:  # the schema is an externalRef
                root = other
                continue
            other.tail = ref.tail
            parent.replace(ref, other)
            continue
        if parent is None:
            raise ValueError("an include outside a grammar")
        if other.tag != _R + "grammar":
            raise ValueError(f"include of {href!r}: its root is not rng:grammar")
        overrides_start = any(True for _ in _components(ref, "start"))
        overridden = {d.get("name", "") for d in _components(ref, "define")}
        # 4.7: what an include overrides, the included grammar must have.
        if overrides_start and not any(True for _ in _components(other, "start")):
            raise ValueError(f"include of {href!r} overrides start, which it does not have")
        missing = overridden - {d.get("name", "") for d in _components(other, "define")}
        if missing:
            raise ValueError(f"include of {href!r} overrides {', '.join(sorted(missing))}, "
                             "which it does not define")
        for component in list(_components(other, "start", "define")):
            if component.tag == _R + "start" and overrides_start or \
                    component.tag == _R + "define" and component.get("name") in overridden:
                component.getparent().remove(component)  # type: ignore[union-attr]
        if other.get("ns") is None and ref.get("ns") is not None:
            other.set("ns", ref.get("ns", ""))
        other.tag = _R + "div"
        div = etree.Element(_R + "div", {k: v for k, v in ref.attrib.items() if k != "href"})
        div.append(other)
        for child in list(ref):
            div.append(child)
        div.tail = ref.tail
        parent.replace(ref, div)
    return root


def _components(container: etree._Element, *kinds: str) -> Iterable[etree._Element]:
    """The grammar components of these kinds directly in ``container`` or in its divs."""
    for child in container:
        if child.tag == _R + "div":
            yield from _components(child, *kinds)
        elif isinstance(child.tag, str) and child.tag[len(_R):] in kinds \
                and child.tag.startswith(_R):
            yield child
