"""RELAX NG grammars reduced to a set of element names, without changing any verdict.

A document whose elements all have names in a set E is valid against a grammar exactly when it
is valid against the grammar with every ``element`` pattern for a name outside E replaced by
``notAllowed``: such a pattern can never match in that document. The replacement is then
simplified away with RELAX NG's own rules for ``notAllowed`` (a ``choice`` loses the branch; a
``group``, ``interleave``, ``oneOrMore``, ``element``, ``attribute``, ``list`` or ``mixed``
holding it becomes ``notAllowed``; an ``optional`` or ``zeroOrMore`` of it becomes ``empty``),
through references, to a fixed point; unreachable definitions are dropped. Each rewrite is an
equivalence, so the reduced grammar gives the same verdict on every such document; it is
smaller, and libxml2 compiles it in a fraction of the time.

The project's own schema (``schemas/tei_toolkit.rng``) is tei_all reduced this way to the
elements a documentary edition of correspondence needs, which makes it a subset of TEI P5 by
construction: TEI's content models and attribute datatypes, restricted.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Iterable

from lxml import etree

RNG_NS = "http://relaxng.org/ns/structure/1.0"
_R = f"{{{RNG_NS}}}"
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
        if any(root.iter(_R + "include", _R + "externalRef")):
            raise ValueError("grammars with include or externalRef cannot be reduced")
        self.tree = _strip_foreign(copy.deepcopy(tree))
        self.root = self.tree.getroot()
        self.defines = {d.get("name"): d for d in self.root.iterchildren(_R + "define")}

    @classmethod
    def parse(cls, source: str | bytes) -> "Grammar":
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 remove_comments=True, huge_tree=True)
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
        """The grammar for documents whose elements all have one of ``names``."""
        keep = frozenset(names)
        tree = copy.deepcopy(self.tree)
        root = tree.getroot()
        defines = {d.get("name"): d for d in root.iterchildren(_R + "define")}
        state: dict[str, int] = {}
        users: dict[str, set[str]] = defaultdict(set)
        for name, d in defines.items():
            for ref in d.iter(_R + "ref"):
                users[ref.get("name")].add(name)

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
        return tree


class _Simplifier:
    def __init__(self, keep: frozenset[Name], ref_state) -> None:
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
        tag = node.tag[len(_R):] if node.tag.startswith(_R) else None
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
                if name is not None and name not in self.keep:
                    return _replace(node, "notAllowed", NA)
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
        return holder.nsmap.get(prefix, ""), local
    ns = next((a.get("ns") for a in [holder, *holder.iterancestors()] if a.get("ns") is not None), "")
    return ns, raw


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
    defines = {d.get("name"): d for d in root.iterchildren(_R + "define")}
    seen: set[str] = set()
    todo = [ref.get("name") for start in root.iterchildren(_R + "start")
            for ref in start.iter(_R + "ref")]
    while todo:
        name = todo.pop()
        if name in seen or name not in defines:
            continue
        seen.add(name)
        todo.extend(ref.get("name") for ref in defines[name].iter(_R + "ref"))
    for name, d in defines.items():
        if name not in seen:
            root.remove(d)
