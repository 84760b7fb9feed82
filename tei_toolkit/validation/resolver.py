"""Which RELAX NG schema a document is checked against: the one resolver for a schema given
by name or file (``--schema``: a bundled schema, a file, a name in the schema cache) and for
what a document asks for (its ``<?xml-model?>``: an XML catalog mapping, a published TEI
schema's URL found in the cache, a local file, a bundled schema's name), with tei_all from
the cache as the one fallback. A remote schema is never fetched. A schema that cannot be
used is a :class:`SchemaError` with a machine-readable ``reason``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from lxml import etree

from ..errors import Location, SchemaError, SetupError
from . import catalog, registry, schemas
from .document import Document
from .problems import ERROR, WARNING, Problem

# A root with one of these names is meant to be TEI, whatever its namespace: always checked.
TEI_ROOTS = frozenset({"TEI", "teiCorpus"})


@dataclass(frozen=True)
class SchemaChoice:
    """Which RELAX NG schema a document is checked against, and why."""

    path: Path
    label: str


@dataclass
class Resolution:
    """The schema for one document (None: not checked, or skipped), the notes on schemas it
    declared and that were not used, and, without a schema, why: "" to skip a file that is
    not TEI, else why it is not checked."""

    choice: SchemaChoice | None
    notes: list[Problem] = field(default_factory=list)
    why_not: str = ""


class SchemaResolver:
    """The schemas a Validator may use, resolved once: ``forced`` (``--schema``), tei_all
    from the cache, the bundled default; and each document's own, on request."""

    def __init__(self, schema: str | Path | None = None, skip_non_tei: bool = False) -> None:
        # The cache's index and XML catalogs, read once, not once per document.
        self.cached = registry.entries()
        self.catalog = functools.lru_cache(maxsize=1024)(catalog.resolve)
        tei_all = registry.find("tei_all", self.cached)
        self.tei_all = SchemaChoice(Path(tei_all.file), tei_all.label) if tei_all else None
        self.default = SchemaChoice(schemas.path(schemas.BUNDLED["tei_toolkit"]), "tei_toolkit")
        self.forced = named(schema) if schema is not None else None
        self.skip_non_tei = skip_non_tei

    @property
    def first(self) -> SchemaChoice:
        """What every document will likely need: checked before any is validated."""
        return self.forced or self.tei_all or self.default

    def for_document(self, doc: Document, path: str | Path,
                     usable: Callable[[Path], None]) -> Resolution:
        """The schema for ``doc`` (read from ``path``); ``usable(file)`` raises SetupError
        for a local schema that cannot be used, which is then passed over with a note.

        In order: --schema; the first usable RELAX NG ``<?xml-model?>``; else tei_all from
        the cache. A file is never judged by a schema it did not ask for other than tei_all
        (which every clean customisation's documents satisfy): without tei_all it is not
        checked."""
        if self.forced is not None:
            return Resolution(self.forced)
        notes: list[Problem] = []
        asked: list[str] = []  # what the file asked for and could not have, for the reason
        base = Path(path).parent if doc.name != "-" else Path.cwd()
        fallback = self.tei_all.label if self.tei_all is not None else None
        for pi, href in doc.xml_models():
            choice = self._declared(doc, pi.sourceline or 0, href, base, fallback, usable,
                                    notes, asked)
            if choice is not None:
                return Resolution(choice, notes)
        if self.skip_non_tei and not doc.is_tei and not notes and not asked and \
                doc.tree is not None and \
                etree.QName(doc.tree.getroot()).localname not in TEI_ROOTS:
            return Resolution(None)
        if self.tei_all is not None:
            return Resolution(self.tei_all, notes)
        why = "; ".join(asked) if asked else "declares no schema"
        return Resolution(None, notes, f"not checked: {why}, and tei_all is not in the schema "
                          "cache (tei schemas fetch tei_all; offline: tei schemas add "
                          "tei_all.rng)")

    def _declared(self, doc: Document, line: int, href: str, base: Path,
                  fallback: str | None, usable: Callable[[Path], None], notes: list[Problem],
                  asked: list[str]) -> SchemaChoice | None:
        """The schema one ``<?xml-model?>`` names, if it can be had; else None, with a note
        (when tei_all will be used instead) and what was asked for."""
        candidate = self.catalog(href)
        label = f"{href} (by XML catalog: {candidate})" if candidate else str(href)
        if candidate is None and is_remote(href):
            return self._remote(doc, line, href, fallback, notes, asked)
        if candidate is None:
            local = Path(urlparse(href).path if href.lower().startswith("file:") else href)
            candidate = local if local.is_absolute() else base / local
        if candidate.is_file():
            if candidate.suffix != ".rnc":
                try:
                    usable(candidate)
                except SetupError as exc:
                    notes.append(Problem(doc.name, line, 1, ERROR, "input",
                                         f"the schema in <?xml-model?> is unusable: "
                                         f"{exc.message}"))
                    asked.append(f"asks for {href}, which is unusable")
                    return None
            return SchemaChoice(candidate, label)
        stem = candidate.name.rsplit(".", 1)[0]
        if stem in schemas.BUNDLED and candidate.suffix == ".rng":
            return named(stem)
        asked.append(f"asks for {href}, which is not found")
        if fallback:
            notes.append(Problem(doc.name, line, 1, WARNING, "input",
                                 f"<?xml-model?> schema {href} not found; validating "
                                 f"against {fallback}"))
        return None

    def _remote(self, doc: Document, line: int, href: str, fallback: str | None,
                notes: list[Problem], asked: list[str]) -> SchemaChoice | None:
        """A remote schema is never fetched: a published one found in the cache is used,
        any other is noted as asked for and not had."""
        entry, spec = registry.for_url(href, self.cached)
        if entry is not None:
            return SchemaChoice(Path(entry.file), f"{entry.label} ({href})")
        if spec is not None:
            fix = f"tei schemas fetch {spec.replace('@', ' --version ')}"
            asked.append(f"asks for {spec}, which is not in the schema cache ({fix})")
            if fallback:
                notes.append(Problem(doc.name, line, 1, WARNING, "input",
                                     f"<?xml-model?> names the published schema {spec}, "
                                     f"which is not in the schema cache (get it with: {fix}); "
                                     f"validating against {fallback}"))
            return None
        asked.append(f"asks for {href}, which is remote and never fetched (map it to a local "
                     "copy with an XML catalog, XML_CATALOG_FILES)")
        if fallback:
            notes.append(Problem(doc.name, line, 1, WARNING, "safety",
                                 f"<?xml-model?> points to a remote schema ({href}); it is "
                                 f"never fetched: validating against {fallback} (map it to a "
                                 "local copy with an XML catalog, XML_CATALOG_FILES)"))
        return None


def named(schema: str | Path) -> SchemaChoice:
    """--schema: a bundled schema's name, a file, or a name in the schema cache
    (``tei_all``, ``tei_all@4.12.0``)."""
    name = str(schema)
    if name in schemas.BUNDLED:
        return SchemaChoice(schemas.path(schemas.BUNDLED[name]), name)
    p = Path(schema)
    if p.is_file():
        return SchemaChoice(p, name)
    entry = registry.find(name) if "/" not in name and "\\" not in name else None
    if entry is not None:
        return SchemaChoice(Path(entry.file), entry.label)
    known = ", ".join(sorted(schemas.BUNDLED) + sorted({e.label for e in registry.entries()}))
    hint = ""
    if name.partition("@")[0] in registry.PUBLISHED:
        spec = name.replace("@", " --version ")
        hint = f"; get it with: tei schemas fetch {spec} (or tei schemas add FILE)"
    raise SchemaError(f"no such schema file, and no schema of that name (known: {known}){hint}",
                      Location(name), reason="unknown")


def is_remote(href: str) -> bool:
    return bool(re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", href)) and \
        not href.lower().startswith("file:")
