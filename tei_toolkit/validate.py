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
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import urlparse

from lxml import etree
from lxml.isoschematron import Schematron

from . import jing, schemas
from .errors import Location, SetupError
from .compiled import (FAST_PARSER_OPTIONS, PARSER_OPTIONS, SchemaStore, document_names,
                       has_doctype, scan_files)
from .messages import ContentModels, improve

ERROR, WARNING = "error", "warning"
ENGINES = ("lxml", "jing", "both")  # also in cli.py
# Problems that make a document invalid in RELAX NG terms, whichever engine finds them.
_RNG_SOURCES = ("well-formedness", "xml:id", "relaxng")
XI_NS = "http://www.w3.org/2001/XInclude"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
# Attributes that hold TEI pointers (teidata.pointer), space-separated.
POINTER_ATTRIBUTES = ("ref", "target", "resp", "corresp", "source", "who", "ana", "sameAs",
                      "copyOf", "next", "prev", "synch", "hand", "decls", "facs", "scribeRef",
                      "scriptRef", "select", "spanTo", "wit", "from", "to")
_SVRL = "{http://purl.oclc.org/dsdl/svrl}"
# Elements with a pointer attribute holding a local reference: found by libxml2, not Python.
_POINTER_XPATH = "//*[" + " or ".join(f"contains(@{a}, '#')" for a in POINTER_ATTRIBUTES) + "]"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    severity: str  # "error" or "warning"
    source: str
    message: str
    path: str = ""

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message} [{self.source}]"


@dataclass
class FileReport:
    file: str
    problems: list[Problem] = field(default_factory=list)
    schema: str = ""
    seconds: float = 0.0
    schema_path: Path | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)


@dataclass(frozen=True)
class SchemaChoice:
    """Which RELAX NG schema a document is checked against, and why."""

    path: Path
    label: str


class Validator:
    """Validate TEI documents; safe to share between threads.

    ``schema``: a bundled schema name, a .rng file, or None for the document's own local
    ``<?xml-model?>`` or else the project schema. ``schematron``: a .sch file, None for the
    bundled editorial rules (TEI documents only), or False for none. ``pointers``: check that
    ``#id`` pointers resolve.
    """

    def __init__(self, schema: str | Path | None = None, schematron: str | Path | None | bool = None,
                 pointers: bool = True, reduce: bool = True, engine: str = "lxml") -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}")
        self.engine = engine
        if engine != "lxml":
            jing.command()  # fail now, not after the first file, when jing is missing
        self.pointers = pointers
        self.forced = _schema_choice(schema) if schema is not None else None
        self.default = SchemaChoice(schemas.path(schemas.BUNDLED["tei_toolkit"]), "tei_toolkit")
        if schematron is False:
            self.schematron_path = None
        elif schematron is None:
            self.schematron_path = schemas.path(schemas.BUNDLED_SCHEMATRON["tei_toolkit"])
        else:
            self.schematron_path = Path(schematron)
            if not self.schematron_path.is_file():
                raise SetupError("Schematron file not found", Location(str(schematron)))
        self._local = threading.local()
        self.store = SchemaStore(reduce)
        self.names_hint: tuple[frozenset[str], frozenset[str]] | None = None
        self._scanned: frozenset[str] = frozenset()
        # Check now what every document needs, so a broken schema fails before any file: a
        # grammar that can be reduced is parsed (compiling it whole would take seconds for
        # tei_all), any other is compiled.
        path = (self.forced or self.default).path
        if self.store.grammar(path) is None:
            self.store.relaxng(path, None)
        if self.schematron_path is not None:
            self._schematron(self.schematron_path)

    def _relaxng(self, path: Path, names: tuple[frozenset[str], frozenset[str]]
                 ) -> etree.RelaxNG:
        """The schema at ``path`` compiled for documents with these element and attribute
        names."""
        hint = self.names_hint
        if hint is not None and names[0] <= hint[0] and names[1] <= hint[1]:
            names = hint  # one reduction and one compilation serve the whole batch
        return self.store.relaxng(path, names)

    def _schematron(self, path: Path) -> Schematron:
        cache = self._local.__dict__.setdefault("schematron", {})
        sch = cache.get(path)
        if sch is None:
            sch = cache[path] = _compile_schematron(path)
        return sch

    # -- the three entry points --------------------------------------------------------------
    def validate(self, path: str | Path, data: bytes | None = None) -> FileReport:
        """A report for one file (or for ``data`` read elsewhere, named ``path``)."""
        start = time.perf_counter()
        report = FileReport(str(path))
        report.problems = list(self.iter_problems(path, data, report))
        report.seconds = time.perf_counter() - start
        if self.engine != "lxml":
            self._run_jing([report], {str(path): data} if data is not None else {})
        return report

    def is_valid(self, path: str | Path, data: bytes | None = None, strict: bool = False) -> bool:
        return self.validate(path, data).ok(strict)

    def iter_problems(self, path: str | Path, data: bytes | None = None,
                      report: FileReport | None = None, relaxng: bool | None = None
                      ) -> Iterator[Problem]:
        """Every problem of one document; ``relaxng=False`` leaves RELAX NG out (for jing)."""
        if relaxng is None:
            relaxng = self.engine != "jing"
        name = str(path)
        if data is None:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                yield Problem(name, 0, 0, ERROR, "input", f"cannot read: {exc.strerror}")
                return
        doc = _Document(name, data)
        yield from doc.parse()
        if doc.tree is None:
            return
        yield from doc.safety()
        choice, notes = self._choose_schema(doc, path)
        yield from notes
        if report is not None:
            report.schema = choice.label
            report.schema_path = choice.path
        rng = None
        if relaxng:
            scanned = str(path) in self._scanned and self.names_hint is not None
            names = self.names_hint if scanned else document_names(doc.tree)
            rng = self._relaxng(choice.path, names)
        if rng is not None and not rng.validate(doc.tree):
            yield from doc.relaxng_problems(rng.error_log, lambda: self.store.models(choice.path),
                                            doc.id_problems, self.pointers)
        if self.pointers:
            yield from doc.pointer_problems()
        sch_path = self._choose_schematron(doc, path, choice)
        if sch_path is not None:
            sch = self._schematron(sch_path)
            sch.validate(doc.tree)
            yield from doc.schematron_problems(sch.validation_report)

    def _choose_schematron(self, doc: "_Document", path: str | Path,
                           schema: SchemaChoice) -> Path | None:
        """--schematron FILE; else the document's local Schematron <?xml-model?>; else the
        bundled editorial rules, for TEI documents checked against the project schema."""
        if self.schematron_path is None:
            return None
        if self.schematron_path != self.default_sch:
            return self.schematron_path
        for _, href in doc.xml_models(schemas.SCHEMATRON_NS):
            local = Path(href)
            candidate = local if local.is_absolute() else Path(path).parent / local
            if "://" not in href and candidate.is_file():
                return candidate
        if doc.is_tei and schema.path == self.default.path:
            return self.default_sch
        return None

    @property
    def default_sch(self) -> Path:
        return schemas.path(schemas.BUNDLED_SCHEMATRON["tei_toolkit"])

    def _choose_schema(self, doc: "_Document", path: str | Path) -> tuple[SchemaChoice, list[Problem]]:
        if self.forced is not None:
            return self.forced, []
        notes: list[Problem] = []
        for pi, href in doc.xml_models():
            line = pi.sourceline or 0
            if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", href) and not href.lower().startswith("file:"):
                notes.append(Problem(doc.name, line, 1, WARNING, "safety",
                                     f"<?xml-model?> points to a remote schema ({href}); it is "
                                     "never fetched: validating against the project schema"))
                continue
            local = Path(urlparse(href).path if href.lower().startswith("file:") else href)
            base = Path(path).parent if doc.name != "-" else Path.cwd()
            candidate = local if local.is_absolute() else base / local
            if candidate.is_file():
                if candidate.suffix == ".rnc":
                    return _schema_choice(candidate), notes
                try:
                    self._relaxng(candidate, document_names(doc.tree))  # type: ignore[arg-type]
                except SetupError as exc:
                    notes.append(Problem(doc.name, line, 1, ERROR, "input",
                                         f"the schema in <?xml-model?> is unusable: {exc.message}"))
                    continue
                return SchemaChoice(candidate, str(href)), notes
            stem = local.name.rsplit(".", 1)[0]
            if stem in schemas.BUNDLED and local.suffix == ".rng":
                return _schema_choice(stem), notes
            notes.append(Problem(doc.name, line, 1, WARNING, "input",
                                 f"<?xml-model?> schema {href} not found; validating against "
                                 "the project schema"))
        return self.default, notes

    def validate_paths(self, paths: Iterable[str | Path], jobs: int | None = None
                       ) -> Iterator[FileReport]:
        """Reports for many files, in the given order, validated by ``jobs`` threads."""
        files = list(paths)
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(files) or 1))
        self.prepare(files, jobs)
        if self.engine == "lxml":
            run = self.validate
        else:
            # Each file is parsed and checked here (well-formedness, safety, schema choice,
            # pointers, Schematron, and lxml's RELAX NG for "both"); jing then runs once per
            # schema over all the files.
            run = functools.partial(self._validate_part, relaxng=self.engine == "both")
        if jobs == 1:
            results = map(run, files)
        else:
            pool = ThreadPoolExecutor(jobs)
            results = pool.map(run, files)  # keeps order; holds only results not yet consumed
        try:
            if self.engine == "lxml":
                yield from results
            else:
                reports = list(results)
                self._run_jing(reports, {})
                yield from reports
        finally:
            if jobs > 1:
                pool.shutdown()

    def _validate_part(self, path: str | Path, relaxng: bool) -> FileReport:
        start = time.perf_counter()
        report = FileReport(str(path))
        report.problems = list(self.iter_problems(path, None, report, relaxng))
        report.seconds = time.perf_counter() - start
        return report

    def _run_jing(self, reports: list[FileReport], data: dict[str, bytes]) -> None:
        """Add jing's verdicts: its problems (engine jing), or a problem where the two engines
        disagree (engine both)."""
        groups: dict[Path, list[FileReport]] = {}
        for r in reports:
            if r.schema_path is not None:  # None: not well-formed, or unreadable
                groups.setdefault(r.schema_path, []).append(r)
        for schema_path, group in groups.items():
            temp: list[str] = []
            names = []
            for r in group:
                if r.file in data:  # stdin: jing reads files
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
                if self.engine == "jing":
                    r.problems = _merge(r.problems, jing_problems)
                    continue
                lxml_invalid = any(p.source in _RNG_SOURCES and p.severity == ERROR
                                   for p in r.problems)
                jing_invalid = any(p.severity == ERROR for p in jing_problems)
                if lxml_invalid != jing_invalid:
                    first = jing_problems[0] if jing_problems else None
                    r.problems.append(Problem(
                        r.file, first.line if first else 0, first.column if first else 0, ERROR,
                        "engines",
                        f"lxml and jing disagree: lxml says {'invalid' if lxml_invalid else 'valid'}, "
                        f"jing says {'invalid' if jing_invalid else 'valid'}"
                        + (f" ({first.message})" if first else "")))


    def prepare(self, files: list, jobs: int = 1) -> None:
        """Learn the element names a batch uses (from a scan of its bytes), so one reduced
        schema serves every file; a file whose names turn out different gets its own."""
        names, attributes, scanned = scan_files(files, jobs)
        self.names_hint = (frozenset(names), frozenset(attributes))
        # For these files the scan is a superset of their element names: no need to walk
        # their trees to know that the batch's schema fits them.
        self._scanned = frozenset(scanned)


def _merge(problems: list[Problem], more: list[Problem]) -> list[Problem]:
    """Add ``more`` in line order, leaving out jing's repeat of a well-formedness error."""
    if any(p.source == "well-formedness" for p in problems):
        return problems
    return sorted(problems + more, key=lambda p: (p.line, p.column))


def _schema_choice(schema: str | Path) -> SchemaChoice:
    name = str(schema)
    if name in schemas.BUNDLED:
        return SchemaChoice(schemas.path(schemas.BUNDLED[name]), name)
    p = Path(schema)
    if not p.is_file():
        known = ", ".join(sorted(schemas.BUNDLED))
        raise SetupError(f"no such schema file, and not a bundled schema ({known})", Location(name))
    return SchemaChoice(p, name)


_PARSER_OPTIONS = PARSER_OPTIONS


def _compile_schematron(path: Path) -> Schematron:
    try:
        tree = etree.parse(str(path), etree.XMLParser(**_PARSER_OPTIONS))
        return Schematron(tree, store_report=True, error_finder=Schematron.ASSERTS_AND_REPORTS)
    except OSError as exc:
        raise SetupError(f"cannot read the Schematron schema: {exc}", Location(str(path))) from None
    except (etree.XMLSyntaxError, etree.SchematronParseError, etree.XSLTError) as exc:
        raise SetupError(f"not a usable Schematron schema: {exc}", Location(str(path))) from None


class _Document:
    """One document being validated: its bytes, tree and the positions of its elements."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.data = data
        self.tree: etree._ElementTree | None = None
        self.id_problems = False
        self._lines: list[str] | None = None
        self._by_line: dict[int, list[etree._Element]] | None = None

    @property
    def is_tei(self) -> bool:
        return self.tree is not None and self.tree.getroot().tag.startswith(
            "{" + schemas.TEI_NS + "}")

    # -- parsing -------------------------------------------------------------------------------
    def parse(self) -> Iterator[Problem]:
        options = _PARSER_OPTIONS if has_doctype(self.data) else FAST_PARSER_OPTIONS
        parser = etree.XMLParser(**options)
        try:
            self.tree = etree.ElementTree(etree.fromstring(self.data, parser))
            return
        except etree.XMLSyntaxError as exc:
            errors = list(parser.error_log) or [exc]
        except ValueError as exc:  # e.g. a str with an encoding declaration; not for bytes
            yield Problem(self.name, 0, 0, ERROR, "well-formedness", str(exc))
            return
        ids = [e for e in errors if _is_id_error(e)]
        if ids and len(ids) == len(errors):
            # lxml refuses duplicate or malformed xml:id while parsing; they are validity
            # problems like any other, so parse again leniently and go on.
            self.id_problems = True
            for e in ids:
                yield Problem(self.name, e.line, e.column or 1, ERROR, "xml:id", _id_message(e))
            recover = etree.XMLParser(recover=True, **options)
            root = etree.fromstring(self.data, recover)
            if root is not None:
                self.tree = etree.ElementTree(root)
            return
        seen = set()
        for e in errors:
            line = getattr(e, "line", 0) or (exc.position[0] if hasattr(exc, "position") else 0)
            column = getattr(e, "column", 0)
            message = _wf_message(getattr(e, "message", str(e)))
            if (line, message) in seen:
                continue
            seen.add((line, message))
            yield Problem(self.name, line, column, ERROR, "well-formedness", message)

    def safety(self) -> Iterator[Problem]:
        assert self.tree is not None
        info = self.tree.docinfo
        if info.system_url and re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", info.system_url):
            yield Problem(self.name, 1, 1, WARNING, "safety",
                          f"the DOCTYPE points to a remote DTD ({info.system_url}); it is never "
                          "loaded")
        for node in self.tree.iter(etree.Entity):
            yield Problem(self.name, node.sourceline or 0, 0, ERROR, "safety",
                          f"entity reference {node.text} is not expanded (entities are off: "
                          "they can read local files or explode in size)",
                          self.xpath_of(node.getparent()))
        for inc in self.tree.iter(f"{{{XI_NS}}}include"):
            yield Problem(self.name, inc.sourceline or 0, self.column_of(inc), ERROR, "safety",
                          f"XInclude of {inc.get('href')!r} is not processed (XInclude is off); "
                          "include the content itself", self.xpath_of(inc))

    def xml_models(self, kind: str = schemas.RELAXNG_NS
                   ) -> Iterator[tuple[etree._ProcessingInstruction, str]]:
        """The <?xml-model?> processing instructions (of a schema ``kind``) before the root."""
        assert self.tree is not None
        node = self.tree.getroot().getprevious()
        found = []
        while node is not None:
            if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-model":
                href = node.get("href")
                declared = node.get("schematypens") or ""
                suffixes = (".rng", ".rnc") if kind == schemas.RELAXNG_NS else (".sch",)
                if href and (declared == kind or not declared and href.endswith(suffixes)):
                    found.append((node, href))
            node = node.getprevious()
        return iter(reversed(found))

    # -- positions ---------------------------------------------------------------------------
    def column_of(self, el: etree._Element) -> int:
        """The column of ``el``'s start tag (libxml2 reports column 0 for validity errors)."""
        line = el.sourceline
        if not line or not isinstance(el.tag, str):
            return 0
        if self._lines is None:
            self._lines = self.data.decode(self.tree.docinfo.encoding or "utf-8",  # type: ignore[union-attr]
                                           "replace").split("\n")
            self._by_line = {}
            for e in self.tree.iter():  # type: ignore[union-attr]
                if isinstance(e.tag, str):
                    self._by_line.setdefault(e.sourceline or 0, []).append(e)
        text = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        local = etree.QName(el).localname
        same = [e for e in self._by_line.get(line, []) if etree.QName(e).localname == local]  # type: ignore[union-attr]
        k = same.index(el) if el in same else 0
        starts = [m.start() for m in re.finditer(rf"<(?:[\w.-]+:)?{re.escape(local)}(?=[\s/>])", text)]
        return starts[k] + 1 if k < len(starts) else 1

    def xpath_of(self, el: etree._Element | None) -> str:
        """A readable path: /TEI/text/body/div/p[3] (positions among same-named siblings)."""
        if el is None or not isinstance(el.tag, str):
            return ""
        steps = []
        while el is not None:
            local = etree.QName(el).localname
            parent = el.getparent()
            if parent is None:
                steps.append(local)
                break
            same = [c for c in parent if isinstance(c.tag, str) and c.tag == el.tag]
            steps.append(local if len(same) == 1 else f"{local}[{same.index(el) + 1}]")
            el = parent
        return "/" + "/".join(reversed(steps))

    def _element_at(self, libxml_path: str | None) -> etree._Element | None:
        if not libxml_path or self.tree is None:
            return None
        try:
            found = self.tree.xpath(libxml_path)
        except etree.XPathError:
            return None
        return found[0] if found and isinstance(found[0], etree._Element) else None

    # -- findings ----------------------------------------------------------------------------
    def _is_duplicate_id(self, el: etree._Element) -> bool:
        value = el.get(XML_ID)
        return value is not None and len(self.tree.xpath(  # type: ignore[union-attr]
            "//*[@xml:id = $v]", v=value)) > 1

    def relaxng_problems(self, log, models: Callable[[], ContentModels | None],
                         id_problems: bool = False, pointers: bool = True) -> Iterator[Problem]:
        entries = list(log)
        # libxml2 repeats itself: a summary for every ancestor ("failed to validate content"),
        # and "has extra content: X" beside "Did not expect element X there".
        specific = [e for e in entries if "failed to validate" not in e.message]
        unexpected = {(e.path, e.message.split()[4]) for e in specific
                      if e.message.startswith("Did not expect element ")}
        kept = []
        for e in specific or entries:
            m = re.match(r"Element \S+ has extra content: (\S+)", e.message)
            if m and (e.path, m.group(1)) in unexpected:
                continue
            if re.match(r"Invalid attribute id for element", e.message):
                el = self._element_at(e.path)
                if id_problems or (el is not None and self._is_duplicate_id(el)):
                    if id_problems or pointers:
                        continue  # reported as an xml:id problem already
                    yield Problem(self.name, el.sourceline or e.line, self.column_of(el), ERROR,
                                  "xml:id", f"duplicate xml:id \"{el.get(XML_ID)}\": every "
                                  "xml:id must be unique", self.xpath_of(el))
                    continue
            kept.append(e)
        content_models = models() if kept else None
        for e in kept:
            el = self._element_at(e.path)
            message = improve(e.message, el, content_models)
            line = (el.sourceline if el is not None else None) or e.line
            column = self.column_of(el) if el is not None else e.column
            yield Problem(self.name, line, column, ERROR, "relaxng", message, self.xpath_of(el))

    def pointer_problems(self) -> Iterator[Problem]:
        """Duplicate xml:ids, and #id pointers that name no xml:id."""
        assert self.tree is not None
        seen: dict[str, etree._Element] = {}
        for el in self.tree.xpath("//*[@xml:id]"):
            value = el.get(XML_ID)
            if value in seen and not self.id_problems:
                yield Problem(self.name, el.sourceline or 0, self.column_of(el), ERROR, "xml:id",
                              f"duplicate xml:id \"{value}\" (first on line "
                              f"{seen[value].sourceline}): every xml:id must be unique",
                              self.xpath_of(el))
            seen.setdefault(value, el)
        for el in self.tree.xpath(_POINTER_XPATH):
            for attr in POINTER_ATTRIBUTES:
                value = el.get(attr)
                if not value or "#" not in value:
                    continue
                for token in value.split():
                    for target in _local_ids(token):
                        if target not in seen:
                            yield Problem(self.name, el.sourceline or 0, self.column_of(el),
                                          ERROR, "pointer", f"@{attr} points to {token}, but no "
                                          f"element has xml:id=\"{target}\"", self.xpath_of(el))

    def schematron_problems(self, report: etree._ElementTree) -> Iterator[Problem]:
        for node in report.getroot():
            if node.tag not in (_SVRL + "failed-assert", _SVRL + "successful-report"):
                continue
            el = self._element_at(node.get("location"))
            text = " ".join("".join(node.findtext(_SVRL + "text") or "").split())
            severity = WARNING if (node.get("role") or "").lower() in ("warning", "warn", "info") \
                else ERROR
            yield Problem(self.name, (el.sourceline if el is not None else 0) or 0,
                          self.column_of(el) if el is not None else 0, severity, "schematron",
                          text, self.xpath_of(el))


_NCNAME = re.compile(r"[^\W\d][\w.-]*")
_RANGE = re.compile(r"range\(([^,()\s]+),([^,()\s]+)\)")


def _local_ids(token: str) -> list[str]:
    """The xml:ids a pointer token refers to: "#a" -> ["a"]; "#range(a,b)" -> ["a", "b"].
    Other TEI pointer schemes (xpath(), string-range(), ...) are not checked."""
    if not token.startswith("#"):
        return []
    rest = token[1:]
    if _NCNAME.fullmatch(rest):
        return [rest]
    m = _RANGE.fullmatch(rest)
    return [i for i in m.groups() if _NCNAME.fullmatch(i)] if m else []


def _is_id_error(e) -> bool:
    msg = getattr(e, "message", "")
    return "ID " in msg and "already defined" in msg or "xml:id" in msg


def _id_message(e) -> str:
    m = re.search(r"ID (\S+) already defined", e.message)
    if m:
        return f"duplicate xml:id \"{m.group(1)}\": every xml:id must be unique in a document"
    return "malformed xml:id: " + e.message.strip()


def _wf_message(message: str) -> str:
    message = " ".join(message.split())
    if "Excessive depth" in message or "Maximum depth" in message:
        return ("elements are nested too deeply (over 256 levels); refused as a probable "
                "denial-of-service document")
    if "Detected an entity reference loop" in message or "amplification" in message:
        return "entity expansion refused: " + message
    return message
