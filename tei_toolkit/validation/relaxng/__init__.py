"""RELAX NG by derivatives (James Clark, "An algorithm for RELAX NG validation"), on lxml.

A schema is read and simplified as the specification's section 4 says, refused with the
reason of its section 7 when incorrect, and turned into interned patterns; a document is then
validated by taking the derivative of the current pattern for every event (start tag,
attribute, end of attributes, text, end tag), memoised per (pattern, event): over lxml's
tree (:meth:`Schema.validate`, the errors in jing's words), or over expat's events with no
tree (:meth:`Schema.surely_valid`, a verdict only).

- :mod:`.datatypes`: the datatype libraries RELAX NG uses (its built-in one, XML Schema's,
  the DTD compatibility one).
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Protocol

from lxml import etree

from . import cache
from .schema import Grammar, SchemaIncorrect, read
from .validator import Issue, validate


# Patterns nest as deep as a schema's markup (libxml2 reads up to 2,048 levels, and
# externalRef chains files): the derivatives recurse that deep. Python's default limit
# (1,000) is raised once, process-wide; Python-to-Python calls take no C stack for it.
_DEPTH = 50_000


def _deep_enough() -> None:
    if sys.getrecursionlimit() < _DEPTH:
        sys.setrecursionlimit(_DEPTH)


class PointerCheck(Protocol):
    """A pointer check a verdict without a tree makes too: the (unprefixed) attributes that
    hold pointers, and whether the values of those that hold a "#" all name an xml:id."""

    names: frozenset[str]

    def resolve(self, values: set[str], xml_ids: set[str]) -> bool: ...


class Schema:
    """A RELAX NG schema ready to validate documents (interned patterns, memoised
    derivatives: the second document is faster than the first)."""

    def __init__(self, grammar: Grammar) -> None:
        self.grammar = grammar
        self._local = threading.local()  # each thread's Verdict (see surely_valid)

    def validate(self, root: etree._Element | etree._ElementTree) -> list[Issue]:
        """The document's RELAX NG errors, in document order; [] when it is valid."""
        if isinstance(root, etree._ElementTree):
            root = root.getroot()
        _deep_enough()
        return validate(self.grammar, root)


    def surely_valid(self, data: bytes, pointers: PointerCheck | None = None) -> bool:
        """True when the document whose bytes are ``data`` is well-formed and valid, found
        with no tree: expat's events (Python's own expat) drive the same derivatives in C.
        False when that cannot be said: the document is invalid, or is one the tree should
        judge (a DOCTYPE, depth or text past libxml2's limits, no compiled walk, a grammar
        with datatypes that need namespaces); :meth:`validate` on its tree then says why.
        ``pointers``: valid also means unique xml:ids and every pointer resolved."""
        verdict = getattr(self._local, "verdict", None)
        if verdict is None:
            try:
                from ._walk import Verdict
            except ImportError:  # the pure-Python install
                return False
            verdict = self._local.verdict = Verdict(self.grammar)
        _deep_enough()
        return bool(verdict.valid(data, pointers))


def load(path: str | Path, root: etree._Element | None = None, cached: bool = True
         ) -> Schema:
    """The schema at ``path`` (XML syntax; ``root``: its root element, already read);
    SchemaIncorrect when it is not a correct RELAX NG schema. ``cached``: kept between runs
    in the schema cache (:mod:`.cache`), read again whenever any of its files changed."""
    _deep_enough()
    try:
        if root is None and cached:
            return Schema(cache.load(path))
        return Schema(read(path, root))
    except RecursionError:
        raise SchemaIncorrect(f"the schema nests its patterns more than {_DEPTH // 10:,} "
                              "levels deep: this engine does not follow it", str(path)
                              ) from None


__all__ = ["Issue", "PointerCheck", "Schema", "SchemaIncorrect", "load"]
