"""The Schematron embedded in a RELAX NG schema, as Oxygen runs it with the grammar.

ODD processors put each constraint's ``sch:pattern`` (and the ``sch:ns`` declarations) into
the RELAX NG annotations; tei_all.rng carries 93 patterns. They are gathered here into one
ISO Schematron schema. TEI writes them for XPath 2 (the ``xslt2`` query binding) while lxml
runs XPath 1: a pattern whose expressions are XPath 1 (``matches()`` aside, which becomes
EXSLT's ``re:test()``) runs; any other is left out, whole, and listed with what it uses, so
the report never rests on a rule run wrongly.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..xmlcore import SCHEMATRON_NS, safe_parser
from ..errors import SetupError
from .schematron import ConfinedSchematron, xpath2_use

_S = f"{{{SCHEMATRON_NS}}}"
MODES = ("auto", "on", "off")


@dataclass
class Embedded:
    """The runnable part of a schema's embedded Schematron, and what was left out."""

    schema: etree._ElementTree | None  # None when nothing can run
    patterns: int = 0                  # embedded in the schema
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (pattern, what it uses)

    @property
    def ran(self) -> int:
        return self.patterns - len(self.skipped)


@lru_cache(maxsize=16)
def extract(rng: Path, mtime: float = 0.0) -> Embedded:
    """The embedded Schematron of the RELAX NG schema at ``rng`` (``mtime`` keys the cache)."""
    try:
        root = etree.parse(str(rng), safe_parser()).getroot()
    except (OSError, etree.XMLSyntaxError):
        return Embedded(None)
    patterns = list(root.iter(_S + "pattern"))
    if not patterns:
        return Embedded(None)
    schema = etree.Element(_S + "schema", nsmap={"sch": SCHEMATRON_NS},
                           queryBinding="xslt2")
    prefixes: set[str] = set()
    for ns in root.iter(_S + "ns"):
        if ns.get("prefix") not in prefixes:
            prefixes.add(ns.get("prefix", ""))
            schema.append(etree.Element(_S + "ns", prefix=ns.get("prefix", ""),
                                        uri=ns.get("uri", "")))
    if "tei" not in prefixes:
        schema.append(etree.Element(_S + "ns", prefix="tei", uri="http://www.tei-c.org/ns/1.0"))
    found = Embedded(None, len(patterns))
    for k, pattern in enumerate(patterns, start=1):
        name = pattern.get("id") or _describe(pattern, k)
        uses = next((u for u in map(xpath2_use, pattern.iter(_S + "*")) if u), None)
        if uses is not None:
            found.skipped.append((name, uses))
            continue
        kept = copy.deepcopy(pattern)
        kept.tail = None
        schema.append(kept)
    if found.ran and not _compiles(schema, rng):
        # Something lxml cannot take (an unbound prefix, a construct the check above did not
        # see): find the patterns one by one and leave those out.
        for kept in schema.findall(_S + "pattern"):
            trial = copy.deepcopy(schema)
            for other in trial.findall(_S + "pattern"):
                trial.remove(other)
            trial.append(copy.deepcopy(kept))
            if not _compiles(trial, rng):
                found.skipped.append((kept.get("id") or "a pattern", "what lxml cannot compile"))
                schema.remove(kept)
    if found.ran:
        found.schema = etree.ElementTree(schema)
    return found


def _compiles(schema: etree._Element, rng: Path) -> bool:
    try:
        ConfinedSchematron(rng, (), etree.ElementTree(copy.deepcopy(schema)))
    except SetupError:
        return False
    return True


def _describe(pattern: etree._Element, k: int) -> str:
    rule = pattern.find(_S + "rule")
    context = " ".join((rule.get("context") or "").split()) if rule is not None else ""
    return f"pattern {k} ({context})" if context else f"pattern {k}"
