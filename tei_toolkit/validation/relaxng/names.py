"""RELAX NG name classes: which (namespace, local name) pairs an element or attribute pattern
matches, and whether two name classes share a name (section 7.3 and 7.4 need that)."""

from __future__ import annotations

from typing import Iterator

Name = tuple[str, str]  # (namespace URI, local name)


class NameClass:
    """A name class: ``name``, ``nsName`` (with ``except``), ``anyName`` (with ``except``) or
    a ``choice`` of two."""

    __slots__ = ("kind", "ns", "local", "left", "right", "key")

    def __init__(self, kind: str, ns: str = "", local: str = "",
                 left: "NameClass | None" = None, right: "NameClass | None" = None) -> None:
        self.kind = kind  # "name", "nsName", "anyName", "choice"
        self.ns = ns
        self.local = local
        self.left = left    # the except (nsName, anyName) or the first choice
        self.right = right  # the second choice
        self.key: tuple[object, ...] = (kind, ns, local, left.key if left else None,
                                        right.key if right else None)

    def contains(self, ns: str, local: str) -> bool:
        kind = self.kind
        if kind == "name":
            return self.local == local and self.ns == ns
        if kind == "nsName":
            return self.ns == ns and (self.left is None or not self.left.contains(ns, local))
        if kind == "anyName":
            return self.left is None or not self.left.contains(ns, local)
        assert self.left is not None and self.right is not None
        return self.left.contains(ns, local) or self.right.contains(ns, local)

    def infinite(self) -> bool:
        """Has an ``anyName`` or ``nsName`` (matches names not listed)."""
        if self.kind in ("anyName", "nsName"):
            return True
        if self.kind == "choice":
            assert self.left is not None and self.right is not None
            return self.left.infinite() or self.right.infinite()
        return False

    def names(self) -> Iterator[Name]:
        """The names it lists (in names, excepts and choices)."""
        if self.kind == "name":
            yield (self.ns, self.local)
        for nc in (self.left, self.right):
            if nc is not None:
                yield from nc.names()

    def namespaces(self) -> Iterator[str]:
        """The namespaces it mentions (names and nsNames)."""
        if self.kind in ("name", "nsName"):
            yield self.ns
        for nc in (self.left, self.right):
            if nc is not None:
                yield from nc.namespaces()

    def leaves(self) -> Iterator["NameClass"]:
        """The name classes a choice is made of (itself when it is none)."""
        stack = [self]
        while stack:
            nc = stack.pop()
            if nc.kind == "choice":
                assert nc.left is not None and nc.right is not None
                stack += [nc.right, nc.left]
            else:
                yield nc

    def describe(self, attribute: bool = False) -> str:
        """For messages: ``"p"``, ``"tei:p"``-like Clark names, or "any element"."""
        if self.kind == "name":
            return f'"{clark(self.ns, self.local)}"'
        if self.kind == "choice":
            return " or ".join(nc.describe(attribute) for nc in self.leaves())
        what = "attribute" if attribute else "element"
        if self.kind == "nsName":
            return f'any {what} in namespace "{self.ns}"' if self.ns else \
                f"any {what} in no namespace"
        return f"any {what}"


def clark(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}" if ns else local


def overlap(a: NameClass, b: NameClass) -> Name | None:
    """A name both classes contain, or None. Every name that could tell them apart is a name
    either lists, or a name in a namespace either mentions with a local name neither lists,
    or a name in a namespace neither mentions: trying those is exact."""
    fresh = "\u0000"  # no XML name has it: a local name (or namespace) nobody lists
    namespaces = set(a.namespaces()) | set(b.namespaces()) | {fresh}
    candidates = set(a.names()) | set(b.names())
    candidates |= {(ns, fresh) for ns in namespaces}
    for ns, local in sorted(candidates):
        if a.contains(ns, local) and b.contains(ns, local):
            return (ns, local)
    return None
