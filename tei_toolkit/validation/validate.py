"""Validation as values: every problem a document has, with file, line, column and path.

Three entry points, as in xmlschema: :meth:`Validator.iter_problems` yields problems,
:meth:`Validator.validate` returns a :class:`FileReport`, :meth:`Validator.is_valid` answers yes
or no. Sources of problems: ``input`` (unreadable), ``well-formedness``, ``xml:id``,
``relaxng``, ``schematron``, ``pointer`` (a ``#id`` reference to nothing) and ``safety``
(entities, XInclude, remote schemas: never expanded or fetched).
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Generator, Iterable, Iterator

from lxml import etree

from . import jing, schemas
from ..errors import Location, SchemaError, SetupError
from ..files import expand_paths
from ..interrupts import child_started, forking_children
from ..xmlcore import (FAST_PARSER_OPTIONS, PARSER_OPTIONS, SCHEMATRON_NS, XI_NS, XML_ID,
                       has_doctype, tag_of)
from .compiled import SchemaStore, document_names, group_files, scan_files
from .document import Document, PointerCheck, StreamedPointers
from .engines import DEFAULT_ENGINE, EMBEDDED_MODES, engine_pair
from .problems import ERROR, WARNING, FileReport, Problem, severity_of
from .resolver import SchemaChoice, SchemaResolver
from .xinclude import Expander
from .relaxng.stream import validate_events

if TYPE_CHECKING:
    from . import embedded
    from .schematron import ConfinedSchematron
# Schematron (lxml's isoschematron, XSLT) is imported when a document is checked with it:
# `tei validate --no-schematron` starts without it.

# Problems that make a document invalid in RELAX NG terms, whichever engine finds them.
_RNG_SOURCES = ("well-formedness", "xml:id", "relaxng")
class Validator:
    """Validate TEI documents; safe to share between threads.

    ``schema``: a bundled schema name, a .rng file, or None for the document's own
    ``<?xml-model?>``, else tei_all when cached, else none (the report says "not checked").
    ``schematron``: a .sch file, None for the bundled editorial rules (TEI documents only),
    or False for none. ``xinclude``: process ``xi:include`` (see :mod:`.xinclude`). ``pointers``: check that
    ``#id`` pointers resolve. ``allow_read``: folders Schematron may read besides the schema's
    and the document's. ``skip_non_tei``: a document whose root is not TEI (neither in the TEI
    namespace nor named ``TEI`` or ``teiCorpus``), with no schema of its own and none given, is
    skipped (reported as such), not checked against a TEI schema: for hooks that see every
    XML file of a repository (``pom.xml``, a copied schema). ``engine``: the RELAX NG
    engine, our own by default, or ``"lxml"``, ``"jing"``, two as ``"A,B"`` (see
    :data:`.engines.ENGINES`); ``reduce`` and ``compile_limit`` serve libxml2's.

    A Validator holds no state about the files it validated: each call stands alone.
    """

    def __init__(self, schema: str | Path | None = None, schematron: str | Path | None | bool = None,
                 pointers: bool = True, reduce: bool = True, engine: str = DEFAULT_ENGINE,
                 allow_read: Iterable[str | Path] = (), skip_non_tei: bool = False,
                 embedded_schematron: str = "off", compile_limit: float | None = None,
                 xinclude: bool = True) -> None:
        # The engine whose report it is, and the one whose verdict is compared with it.
        self.engine, self.second = engine_pair(engine)
        self.engines = (self.engine,) if self.second is None else (self.engine, self.second)
        # RELAX NG in this process (lxml's or ours), and libxml2's grammar in use (lxml, or
        # jing alone, whose schema lxml checks first).
        self._here = any(e != "jing" for e in self.engines)
        self._lxml_used = "lxml" in self.engines or "derivative" not in self.engines
        if embedded_schematron not in EMBEDDED_MODES:
            raise ValueError(f"embedded_schematron must be one of {', '.join(EMBEDDED_MODES)}")
        # The Schematron embedded in the RELAX NG schema (ODD output): "auto" runs it where
        # the schema has some, "on" also warns where it has none, "off" never runs it.
        self.embedded = embedded_schematron
        if "jing" in self.engines:
            jing.command()  # fail now, not after the first file, when jing is missing
        self.pointers = pointers
        self.xinclude = xinclude
        self.allow_read = tuple(Path(p) for p in allow_read)
        self.schemas = SchemaResolver(schema, skip_non_tei)
        # A TEI document that declares no usable schema is checked against tei_all when the
        # schema cache has it (what a TEI user expects), else not checked.
        # The cache's index and XML catalogs, read once per Validator, not once per document.
        if schematron is False:
            self.schematron_path = None
        elif schematron is None:
            self.schematron_path = schemas.path(schemas.BUNDLED_SCHEMATRON["tei_toolkit"])
        else:
            self.schematron_path = Path(schematron)  # type: ignore[arg-type]  # True is not documented
            if not self.schematron_path.is_file():
                raise SchemaError("Schematron file not found", Location(str(schematron)),
                                  reason="unknown")
        self._local = threading.local()
        self.store = SchemaStore(reduce, compile_limit)
        # Check now what every document needs, so a broken schema fails before any file: a
        # grammar that can be reduced is parsed (compiling it whole would take seconds for
        # tei_all), any other is compiled.
        path = self.schemas.first.path
        if "derivative" in self.engines:
            self.store.derivative(path)
        if self._lxml_used and self.store.grammar(path) is None:
            self.store.relaxng(path, None)
        if self.schematron_path is not None:
            self._schematron(self.schematron_path)
        # Files our engine alone checks, with nothing that needs their tree (Schematron):
        # a file proven valid without one (pointers too) is not parsed into one (_proven).
        self._verdicts = (self.engines == ("derivative",) and self.schematron_path is None
                          and self.embedded == "off")

    def _relaxng(self, path: Path, names: tuple[frozenset[str], frozenset[str]],
                 batch: "_Batch | None" = None) -> etree.RelaxNG:
        """The schema at ``path`` compiled for documents with these element and attribute
        names."""
        if batch is not None:
            # One reduction and one compilation serve a whole group of the batch.
            names = batch.covering(names)
        return self.store.relaxng(path, names)

    def _schematron(self, path: Path, document_dir: Path | None = None) -> ConfinedSchematron:
        """The schema at ``path`` compiled for documents in ``document_dir``, whose files its
        includes may read as document() may (None: before any document)."""
        from .schematron import ConfinedSchematron

        cache = self._local.__dict__.setdefault("schematron", {})
        # A schema whose includes read nothing in the document's folder compiles the same for
        # every folder: one copy, under None. Only one that did is compiled per folder. A
        # refusal is never cached (it may not be one for another folder).
        folder = os.path.realpath(document_dir) if document_dir is not None else None
        sch: ConfinedSchematron | None = cache.get((path, None)) or cache.get((path, folder))
        if sch is None:
            sch = ConfinedSchematron(path, self.allow_read, document_dir=document_dir)
            cache[(path, folder if sch.needs_document_dir else None)] = sch
        return sch

    # -- the three entry points --------------------------------------------------------------
    def validate(self, path: str | Path, data: bytes | None = None) -> FileReport:
        """A report for one file (or for ``data`` read elsewhere, named ``path``)."""
        report = self._report(path, data, self._here, None)
        if "jing" in self.engines:
            self._run_jing([report], {str(path): data} if data is not None else {})
        return report

    def _report(self, path: str | Path, data: bytes | None, relaxng: bool,
                batch: "_Batch | None") -> FileReport:
        start = time.perf_counter()
        report = FileReport(str(path))
        found = list(self._problems(path, data, report, relaxng, batch))
        if report.compared is not None and "jing" not in self.engines:
            found += _disagreement(report, found, self.engine, *report.compared)
        # In line order whatever check found them (stable: one check's order is kept).
        # The document's own first, then each included file's (XInclude).
        report.problems = sorted(found, key=lambda p: (p.file != report.file, p.file, p.line,
                                                       p.column))
        report.seconds = time.perf_counter() - start
        return report

    def is_valid(self, path: str | Path, data: bytes | None = None, strict: bool = False) -> bool:
        return self.validate(path, data).ok(strict)

    def iter_problems(self, path: str | Path, data: bytes | None = None) -> Iterator[Problem]:
        """Every problem of one document, as the checks find them (RELAX NG by lxml)."""
        return self._problems(path, data, None, self._here, None)

    def _problems(self, path: str | Path, data: bytes | None, report: FileReport | None,
                  relaxng: bool, batch: "_Batch | None") -> Iterator[Problem]:
        """Every problem of one document, in the order of the checks: reading, parsing,
        safety, XInclude, the schema's choice, RELAX NG, pointers, Schematron."""
        name = str(path)
        if data is None and self._streams(path, relaxng):
            if (yield from self._streamed(Path(path), report)):
                return
        if data is None:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                if report is not None:
                    report.unreadable = True
                yield Problem(name, 0, 0, ERROR, "input", f"cannot read: {exc.strerror}")
                return
        if self._verdicts and (yield from self._proven(name, path, data, report)):
            return
        doc = Document(name, data)
        yield from doc.parse()
        if doc.tree is None:
            return
        yield from doc.safety(xinclude=self.xinclude)
        expanded = yield from self._expand(doc, path, report, batch)
        if expanded is None:
            return  # an include that cannot be read: not checked

        def usable(schema: Path) -> None:  # compiles it for this document, or raises
            if "derivative" in self.engines:
                self.store.derivative(schema)
            if self._lxml_used:
                self._relaxng(schema, document_names(doc.tree), batch)  # type: ignore[arg-type]

        resolved = self.schemas.for_document(doc, path, usable)
        yield from resolved.notes
        choice = resolved.choice
        if choice is None:
            yield from self._unchecked(doc, path, report, resolved.why_not)
            return
        if report is not None:
            report.schema = choice.label
            report.schema_path = choice.path
            report.defaulted = self.schemas.forced is None and choice is self.schemas.tei_all
        if relaxng:
            for engine in self.engines:
                if engine == "jing":
                    continue
                found = self._relaxng_problems(engine, doc, path, choice, expanded, batch)
                if engine == self.engine:
                    yield from found
                elif report is not None:  # the second engine's verdict, for the comparison
                    errors = [p for p in found if p.severity == ERROR]
                    report.compared = (engine, bool(errors), errors[0] if errors else None)
        if self.pointers:
            yield from doc.pointer_problems()
        if not (yield from self._schematron_problems(doc, path, choice)):
            return
        if self.embedded != "off":
            yield from self._embedded_problems(doc, path, choice.path, data)

    def _proven(self, name: str, path: str | Path, data: bytes, report: FileReport | None
                ) -> Generator[Problem, None, bool]:
        """True when our engine proves the file valid with no tree (see
        :meth:`~.relaxng.Schema.surely_valid`: nothing to report, so no tree is needed to
        say where); False, having said nothing, when its tree must be read: the file is
        invalid, or holds what only the tree path handles (a DOCTYPE, an XInclude, a note
        about its schema)."""
        if has_doctype(data):  # (an XInclude, the walk without a tree declines)
            return False
        if self.schemas.forced is not None:
            choice = self.schemas.forced
        else:
            head = _head_of(data)
            doc = Document(name, head) if head is not None else None
            if doc is None or list(doc.parse()) or doc.tree is None:
                return False
            resolved = self.schemas.for_document(doc, path, self._engine_ready)
            if resolved.choice is None or resolved.notes:
                return False
            choice = resolved.choice
        if not self.store.derivative(choice.path).surely_valid(
                data, PointerCheck() if self.pointers else None):
            return False
        if report is not None:
            report.schema = choice.label
            report.schema_path = choice.path
            report.defaulted = self.schemas.forced is None and choice is self.schemas.tei_all
        return True
        yield  # a generator, like the other checks

    def _engine_ready(self, schema: Path) -> None:
        """Our engine's grammar for ``schema``, read for a document (or SetupError)."""
        self.store.derivative(schema)

    def _streams(self, path: str | Path, relaxng: bool) -> bool:
        """Is this file read as a stream? Our engine, no Schematron, and a file of at least
        STREAM_MB megabytes: a tree of it would take several times its size in memory."""
        if not (relaxng and self.engines == ("derivative",) and self.schematron_path is None
                and self.embedded == "off"):
            return False
        try:
            return os.path.getsize(path) >= STREAM_MB * 1e6
        except OSError:
            return False

    def _streamed(self, path: Path, report: FileReport | None
                  ) -> Generator[Problem, None, bool]:
        """The file's problems, read as a stream: the schema is chosen from its prolog and
        root start tag; RELAX NG, xml:ids and pointers are checked in one pass. False when
        its start cannot be read that way (the caller then reads it whole)."""
        name = str(path)
        head = _head(path)
        if head is None:
            return False
        doc = Document(name, head)
        if list(doc.parse()) or doc.tree is None:
            return False
        yield from doc.safety(xinclude=True)

        resolved = self.schemas.for_document(doc, path, self._engine_ready)
        yield from resolved.notes
        choice = resolved.choice
        if choice is None:
            yield from self._unchecked(doc, path, report, resolved.why_not)
            return True
        if report is not None:
            report.schema = choice.label
            report.schema_path = choice.path
            report.defaulted = self.schemas.forced is None and choice is self.schemas.tei_all
        yield from self._stream_checks(path, head, choice, report)
        return True

    def _stream_checks(self, path: Path, head: bytes, choice: SchemaChoice,
                       report: FileReport | None) -> Iterator[Problem]:
        """RELAX NG, xml:ids and pointers in one pass over the file as it is read."""
        name = str(path)
        schema = self.store.derivative(choice.path)
        pointers = StreamedPointers(name) if self.pointers else None
        includes: list[int] = []

        def seen(el: etree._Element) -> None:
            if pointers is not None:
                pointers.seen(el)
            if el.tag == f"{{{XI_NS}}}include" and self.xinclude:
                includes.append(el.sourceline or 0)

        options = PARSER_OPTIONS if has_doctype(head) else FAST_PARSER_OPTIONS
        events = etree.iterparse(str(path), events=("start", "end"), remove_comments=True,
                                 remove_pis=True, **options)
        try:
            issues = validate_events(schema.grammar, events, seen)
        except etree.XMLSyntaxError as exc:
            line, column = exc.position if exc.position else (0, 0)
            yield Problem(name, line, column, ERROR, "well-formedness", exc.msg)
            return
        except OSError as exc:
            if report is not None:
                report.unreadable = True
            yield Problem(name, 0, 0, ERROR, "input", f"cannot read: {exc.strerror or exc}")
            return
        if includes:
            yield Problem(name, includes[0], 0, WARNING, "safety",
                          f"XInclude is not processed in a file of {STREAM_MB:g} MB or more "
                          "(it is validated as it is read, as written)")
        for issue in issues:
            if issue.kind == "id" and pointers is not None and issue.attribute == XML_ID:
                continue  # the pointer check says it, as for any other file
            yield Problem(name, issue.line, issue.column, ERROR, "relaxng", issue.message)
        if pointers is not None:
            yield from pointers.problems()

    def _expand(self, doc: "Document", path: str | Path, report: FileReport | None,
                batch: "_Batch | None") -> Generator[Problem, None, bool | None]:
        """Process the document's XIncludes: True when it had some, False when none, None
        when one cannot be read (the file is then not checked)."""
        assert doc.tree is not None
        if not (self.xinclude and doc.may_hold("include")
                and any(True for _ in doc.tree.iter(f"{{{XI_NS}}}include"))):
            return False
        # Included files may lie in the document's folder tree, in a folder the user named
        # (tei validate data/tei: data/tei/shared/header.xml), or under --allow-read.
        named = batch.folders if batch is not None else ()
        expansion = Expander(doc, Path(path).parent if doc.name != "-" else None,
                             self.allow_read + named).run()
        yield from expansion.problems
        if expansion.not_checked:
            if report is not None:
                report.not_checked = expansion.not_checked
            return None
        return True

    def _unchecked(self, doc: "Document", path: str | Path, report: FileReport | None,
                   why: str) -> Iterator[Problem]:
        """A document with no schema: not checked (``why``), or skipped (not TEI)."""
        assert doc.tree is not None
        if report is not None and why:
            report.not_checked = why
        elif report is not None:
            report.skipped = (f"not TEI (the root element is {tag_of(doc.tree.getroot())}) "
                              "and no schema is declared: skipped")
        if why:
            # No RELAX NG schema it asked for: not checked. A Schematron it asked for itself
            # (or --schematron) still runs; the project's editorial rules and the pointer
            # check, which belong to a TEI schema, do not.
            yield from self._schematron_problems(doc, path, None)

    def _relaxng_problems(self, engine: str, doc: "Document", path: str | Path,
                          choice: SchemaChoice, expanded: bool, batch: "_Batch | None"
                          ) -> list[Problem]:
        """The RELAX NG check by ``engine`` (ours, or lxml's with the schema reduced for the
        document's, or its group's, element and attribute names)."""
        assert doc.tree is not None
        if engine == "derivative":
            return list(self._derivative_problems(doc, choice))
        return list(self._lxml_problems(doc, path, choice, expanded, batch))

    def _lxml_problems(self, doc: "Document", path: str | Path, choice: SchemaChoice,
                       expanded: bool, batch: "_Batch | None") -> Iterator[Problem]:
        assert doc.tree is not None
        group = batch.groups.get(str(path)) if batch is not None else None
        if expanded:
            # Names the scan of its bytes did not show: its group's and the included files',
            # so that one reduction serves all documents including the same files.
            names = document_names(doc.tree)
            if group is not None:
                names = (names[0] | group[0], names[1] | group[1])
        else:
            names = group if group is not None else document_names(doc.tree)
        rng = self._relaxng(choice.path, names, batch)
        if choice.path in self.store.fallbacks:
            yield Problem(doc.name, 0, 0, WARNING, "relaxng", self.store.fallbacks[choice.path])
        if not rng.validate(doc.tree):
            if len(rng.error_log) == 0:
                # libxml2 can answer "invalid" with an empty log: never report that as valid.
                yield Problem(doc.name, 0, 0, ERROR, "relaxng",
                              "the document is not valid against the schema (the RELAX NG "
                              "engine gave no details)")
            yield from doc.relaxng_problems(rng.error_log, lambda: self.store.models(choice.path),
                                            doc.id_problems, self.pointers)

    def _derivative_problems(self, doc: "Document", choice: SchemaChoice) -> Iterator[Problem]:
        """Our own engine's errors, each on the element it is about. A duplicate xml:id is
        the xml:id check's to report (the pointer check's, the parser's, or here)."""
        assert doc.tree is not None
        schema = self.store.derivative(choice.path)
        for issue in schema.validate(doc.tree):
            if issue.kind == "id" and issue.attribute == XML_ID:
                # The xml:id check's: once, at the second one, whichever engine runs.
                if not (self.pointers or doc.id_problems or issue.element is None
                        or issue.message.startswith("first occurrence")):
                    yield doc.problem(issue.element, ERROR, "xml:id", f'duplicate xml:id '
                                      f'"{issue.element.get(XML_ID)}": every xml:id must be '
                                      "unique")
                continue
            if issue.element is not None and issue.line == (issue.element.sourceline or 0):
                yield doc.problem(issue.element, ERROR, "relaxng", issue.message)
            elif issue.element is not None:  # text: its own line, the element's path
                yield Problem(doc.name, issue.line, 0, ERROR, "relaxng", issue.message,
                              doc.xpath_of(issue.element))
            else:
                yield Problem(doc.name, issue.line, issue.column, ERROR, "relaxng",
                              issue.message)

    def _schematron_problems(self, doc: "Document", path: str | Path,
                             choice: SchemaChoice | None) -> Generator[Problem, None, bool]:
        """The Schematron check's problems; returns False when its schema is unusable."""
        sch_path = self._choose_schematron(doc, path, choice)
        if sch_path is None:
            return True
        try:
            sch = self._schematron(sch_path, Path(path).parent if doc.name != "-" else None)
        except SetupError as exc:
            # Where in the schema (or in a file it includes), when the error knows.
            at, name = exc.location, str(sch_path)
            if at is not None and at.line:
                name = str(at) if at.path == name else f"{name} ({at})"
            yield Problem(doc.name, 0, 0, ERROR, "schematron",
                          f"the Schematron schema {name} is unusable: {exc.message}")
            return False
        yield from _run_schematron(doc, path, sch, f"the Schematron schema {sch_path}")
        return True

    def _embedded_problems(self, doc: "Document", path: str | Path, rng: Path,
                           data: bytes) -> Iterator[Problem]:
        from . import embedded
        from .schematron import ConfinedSchematron

        try:
            found = embedded.extract(rng.resolve(), rng.stat().st_mtime, self.allow_read)
        except OSError:
            return
        for name, why in found.refused:
            yield Problem(doc.name, 0, 0, ERROR, "schematron",
                          f"the Schematron embedded in {rng.name}: {name} is not run: {why}")
        if found.left_out and embedded.saxon_available():
            yield from self._saxon_problems(doc, rng, found, data)
        if found.schema is None:
            if self.embedded == "on" and not found.left_out:
                yield Problem(doc.name, 0, 0, WARNING, "schematron",
                              f"{rng.name} has no embedded Schematron that can run here "
                              f"({found.patterns} patterns, {len(found.skipped)} need XPath 2)")
            return
        cache = self._local.__dict__.setdefault("embedded", {})
        engines = cache.get(rng)
        if engines is None:
            # Most patterns are evaluated with XPath directly (one selection per rule); the few
            # the evaluator cannot take exactly go through lxml's Schematron (XSLT).
            fast = embedded.Evaluator(found.schema)
            slow = ConfinedSchematron(rng, self.allow_read, fast.rest) if fast.rest else None
            engines = cache[rng] = (fast, slow)
        fast, slow = engines
        assert doc.tree is not None
        try:
            results = fast.run(doc.tree)
        except etree.XPathError as exc:
            yield Problem(doc.name, 0, 0, ERROR, "schematron",
                          f"the Schematron embedded in {rng.name} failed while running: {exc}")
            results = []
        for el, role, message in results:
            yield doc.problem(el, severity_of(role), "schematron", message)
        if slow is not None and fast.rest_applies(doc.tree):
            yield from _run_schematron(doc, path, slow, f"the Schematron embedded in {rng.name}")

    def _saxon_problems(self, doc: "Document", rng: Path, found: embedded.Embedded,
                        data: bytes) -> Iterator[Problem]:
        """The patterns that need XPath 2, with Saxon (the xpath2 extra)."""
        from . import embedded

        cache = self._local.__dict__.setdefault("saxon", {})
        rules = cache.get(rng)
        if rules is None:
            rules = cache[rng] = embedded.SaxonRules(found.left_out, found.ns)
        for name, why in rules.refused:
            yield Problem(doc.name, 0, 0, ERROR, "schematron",
                          f"the XPath 2 Schematron embedded in {rng.name}: {name} is not run: "
                          f"{why}")
        try:
            results = rules.run(data)
        except Exception as exc:  # Saxon's own errors have no common base class
            yield Problem(doc.name, 0, 0, ERROR, "schematron",
                          f"the XPath 2 Schematron embedded in {rng.name} failed while "
                          f"running with Saxon: {' '.join(str(exc).split())[:300]}")
            return
        assert doc.tree is not None
        by_line: dict[tuple[int, str], list[etree._Element]] = {}
        if results:
            for node in doc.tree.iter():
                if isinstance(node.tag, str):
                    by_line.setdefault((node.sourceline or 0, etree.QName(node).localname),
                                       []).append(node)
        for line, name, role, message in results:
            # Saxon counts the line where the start tag ends, lxml where it begins.
            el: etree._Element | None = None
            for k in range(line, max(line - 20, 0), -1):
                if (k, name) in by_line:
                    el = by_line[(k, name)][0]
                    break
            yield Problem(doc.name, el.sourceline or line if el is not None else line,
                          doc.column_of(el) if el is not None else 0,
                          severity_of(role), "schematron", message, doc.xpath_of(el) if el is not None else "")

    def _choose_schematron(self, doc: "Document", path: str | Path,
                           schema: SchemaChoice | None) -> Path | None:
        """--schematron FILE; else the document's local Schematron <?xml-model?>; else the
        bundled editorial rules, for TEI documents checked against the project schema."""
        if self.schematron_path is None:
            return None
        if self.schematron_path != self.default_sch:
            return self.schematron_path
        for _, href in doc.xml_models(SCHEMATRON_NS):
            local = Path(href)
            candidate = local if local.is_absolute() else Path(path).parent / local
            if "://" not in href and candidate.is_file():
                return candidate
        if doc.is_tei and schema is not None and schema.path == self.schemas.default.path:
            return self.default_sch
        return None

    @property
    def default_sch(self) -> Path:
        return schemas.path(schemas.BUNDLED_SCHEMATRON["tei_toolkit"])

    def validate_paths(self, paths: Iterable[str | Path], jobs: int | None = None,
                       folders: Iterable[str | Path] | None = None) -> Iterator[FileReport]:
        """Reports for many files, in order, validated by ``jobs`` threads. ``paths`` are
        expanded as on the command line (directories' *.xml, globs; each file once); a path
        that names nothing raises SetupError before any file is validated. ``folders``: the
        folders the user named (default: those among ``paths``), whose files an XInclude in
        a document under them may read."""
        paths = list(paths)
        files = expand_paths(paths, ".xml")
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(files) or 1))
        if folders is None:
            folders = [p for p in paths if str(p) and os.path.isdir(p)]
        # The names in the files group them for libxml2's reduced grammars; our own engine
        # needs no reduction, nor the scan.
        batch = _Batch.scan(files if self._lxml_used else [], jobs,
                            tuple(Path(p) for p in folders))
        if "lxml" in self.engines and files:
            # The batch's reduction, proven to compile in time before any thread starts.
            for names in batch.distinct:
                self.store.prepare(self.schemas.first.path, names)
        # jing: each file is parsed and checked here (well-formedness, safety, schema choice,
        # pointers, Schematron, and lxml's RELAX NG for "both"); jing then runs once per
        # schema over all the files.
        run = functools.partial(self._report, data=None, relaxng=self._here,
                                batch=batch)
        results: Iterator[FileReport]
        if jobs > 1 and "derivative" in self.engines and "jing" not in self.engines \
                and hasattr(os, "fork"):
            # Our engine runs in Python's thread (lxml's releases it): processes, forked
            # with the schema already read, share it until they write their own memos.
            yield from _forked(run, files, jobs)
            return
        if jobs == 1:
            results = map(run, files)
        else:
            from concurrent.futures import ThreadPoolExecutor  # (see _forked)

            pool = ThreadPoolExecutor(jobs)
            results = pool.map(run, files)  # keeps order; holds only results not yet consumed
        try:
            if "jing" not in self.engines:
                yield from results
            else:
                reports = list(results)
                self._run_jing(reports, {})
                yield from reports
        finally:
            if jobs > 1:
                pool.shutdown()

    def _run_jing(self, reports: list[FileReport], data: dict[str, bytes]) -> None:
        """Add jing's verdicts: its problems (jing's report), or a problem where jing and the
        engine compared with it disagree."""
        groups: dict[Path, list[FileReport]] = {}
        for r in reports:
            if r.schema_path is not None:  # None: not well-formed, or unreadable
                groups.setdefault(r.schema_path, []).append(r)
        for schema_path, group in groups.items():
            temp: list[str] = []
            names = []
            for r in group:
                if r.file in data:  # stdin: jing reads files
                    import tempfile  # (see _forked)

                    fd, name = tempfile.mkstemp(suffix=".xml")
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(data[r.file])
                    temp.append(name)
                    names.append(name)
                else:
                    names.append(r.file)
            try:
                found = jing.run(schema_path, names)
            finally:
                for name in temp:
                    os.unlink(name)
            for r, name in zip(group, names):
                jing_problems = [Problem(r.file, line, col, sev, "relaxng", f"{msg} (jing)")
                                 for line, col, sev, msg in found.get(name, [])]
                errors = [p for p in jing_problems if p.severity == ERROR]
                if self.engine == "jing":
                    r.problems = _merge(r.problems, jing_problems)
                    if r.compared is not None:
                        r.problems += _disagreement(r, r.problems, "jing", *r.compared)
                else:
                    r.problems += _disagreement(r, r.problems, self.engine, "jing",
                                                bool(errors), errors[0] if errors else None)


@dataclass(frozen=True)
class _Batch:
    """What one validate_paths call learnt about its files from a scan of their bytes: for
    each file whose scan is complete, the element and attribute names of its group (the
    whole batch, or a part of it when the batch uses too many names for one reduction to
    compile fast; see compiled.group_files), so one reduced schema serves a whole group. A
    file whose names turn out different gets its own. Local to the call: a reused Validator
    never applies it to a file edited since."""

    groups: dict[str, tuple[frozenset[str], frozenset[str]]]
    distinct: tuple[tuple[frozenset[str], frozenset[str]], ...]
    folders: tuple[Path, ...] = ()  # the folders the user named
    # Names met only once documents were read (XInclude): one growing set, so that each new
    # document most often fits the last reduction instead of needing one of its own.
    extra: list[tuple[frozenset[str], frozenset[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def covering(self, names: tuple[frozenset[str], frozenset[str]]
                 ) -> tuple[frozenset[str], frozenset[str]]:
        """The names of a reduction that serves a document with ``names``."""
        with self.lock:
            for g in (*self.distinct, *self.extra):
                if names[0] <= g[0] and names[1] <= g[1]:
                    return g
            if self.extra:
                last = self.extra[-1]
                names = (names[0] | last[0], names[1] | last[1])
            self.extra.append(names)
            return names

    @classmethod
    def scan(cls, files: list[Path], jobs: int, folders: tuple[Path, ...] = ()) -> "_Batch":
        groups = group_files(scan_files(files, jobs))
        return cls(groups, tuple(dict.fromkeys(groups.values())), folders)


# Files of this many megabytes or more are validated as they are read (our engine, no
# Schematron): memory then grows with the document's depth, not its size.
STREAM_MB = float(os.environ.get("TEI_TOOLKIT_STREAM_MB", "32"))


def _head(path: Path, limit: int = 1 << 20) -> bytes | None:
    """The file's prolog and root start tag, closed, as a document of its own (the schema is
    chosen from it); None when the root start tag is not within ``limit`` bytes."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit)
    except OSError:
        return None
    return _head_of(data)


def _head_of(data: bytes) -> bytes | None:
    """What :func:`_head` gives, from the file's first bytes (or all of them)."""
    # The prolog: declaration, comments, processing instructions, DOCTYPE, white space.
    pos = 0
    prolog = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>",
                        re.DOTALL)
    while True:
        m = prolog.match(data, pos)
        if not m:
            break
        pos = m.end()
    root = re.compile(rb"<([^\s/>!?]+)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>").match(data, pos)
    if root is None:
        return None
    if root.group(2):
        return data[:root.end()]
    return data[:root.end()] + b"</" + root.group(1) + b">"


_RUN: list[Callable[[Path], FileReport]] = []  # the forked workers' task (see _forked)


def _forked(run: Callable[[Path], FileReport], files: list[Path], jobs: int
            ) -> Iterator[FileReport]:
    """``run`` over ``files`` in ``jobs`` forked processes, in order. Children ignore Ctrl-C
    (this process ends them) and die with SIGTERM."""
    # Imported here, as the thread pool and tempfile are: `tei validate --jobs 1` does not
    # use them, and each costs milliseconds of every command's start.
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    _RUN[:] = [run]
    with forking_children():
        pool = ctx.Pool(jobs, initializer=child_started)
    try:
        # Runs of neighbouring files (a folder's documents share their markup, so what a
        # worker's derivative tables learnt from one serves the next), a few per worker so
        # that none waits long for the others at the end.
        chunk = max(1, min(64, len(files) // (jobs * 4)))
        yield from pool.imap(_run_one, files, chunksize=chunk)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
        _RUN.clear()


def _run_one(path: Path) -> FileReport:
    return _RUN[0](path)


def _run_schematron(doc: "Document", path: str | Path, sch: ConfinedSchematron, what: str
                    ) -> Iterator[Problem]:
    """One Schematron run's findings, and what stopped or confined it, as problems."""
    assert doc.tree is not None  # parsed: the caller returned early otherwise
    outcome = sch.run(doc.tree, Path(path).parent if doc.name != "-" else None)
    for url in outcome.refused:
        yield Problem(doc.name, 0, 0, ERROR, "schematron",
                      f"{what} tried to read {url}, outside the folders of the schema and the "
                      "document; refused (allow it with --allow-read DIR)")
    if outcome.error is not None:
        yield Problem(doc.name, 0, 0, ERROR, "schematron",
                      f"{what} failed while running: {outcome.error}")
    if outcome.report is not None:
        yield from doc.schematron_problems(outcome.report)


def _disagreement(r: FileReport, problems: list[Problem], engine: str, other: str,
                  other_invalid: bool, first: Problem | None) -> list[Problem]:
    """An error when ``other`` judged the file otherwise than ``engine``, whose report
    ``problems`` is: well-formedness and xml:id errors count for both, RELAX NG's for each
    its own (``other_invalid``, its first error ``first``)."""
    invalid = any(p.source in _RNG_SOURCES and p.severity == ERROR for p in problems)
    other_invalid = other_invalid or any(
        p.source in _RNG_SOURCES and p.source != "relaxng" and p.severity == ERROR
        for p in problems)
    if invalid == other_invalid:
        return []
    if first is None:  # placed at the report's own first error
        first = next((p for p in problems if p.source in _RNG_SOURCES and p.severity == ERROR),
                     None)
    words = {True: "invalid", False: "valid"}
    return [Problem(r.file, first.line if first else 0, first.column if first else 0, ERROR,
                    "engines", f"{engine} and {other} disagree: {engine} says {words[invalid]}, "
                    f"{other} says {words[other_invalid]}"
                    + (f" ({first.message})" if first and other_invalid else ""))]


def _merge(problems: list[Problem], more: list[Problem]) -> list[Problem]:
    """Add ``more`` in line order, leaving out jing's repeat of a well-formedness error."""
    if any(p.source == "well-formedness" for p in problems):
        return problems
    return sorted(problems + more, key=lambda p: (p.line, p.column))
