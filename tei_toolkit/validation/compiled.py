"""Compiled RELAX NG schemas: reduced to the documents' element names, one per thread.

Compiling tei_all in libxml2 takes about 6 s; the same grammar reduced to the elements the
documents at hand use (see :mod:`tei_toolkit.rng`) compiles in milliseconds and validates
faster, with the same verdicts. Reduced grammars are shared between threads; compiled ones are
not (lxml keeps a validator's error log on the validator object).
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import signal
import sys
import threading
import time
from typing import Any
from collections import OrderedDict
from pathlib import Path

from lxml import etree

from ..errors import Location, SchemaError
from ..interrupts import child_started, forking_children
from ..xmlcore import RELAXNG_NS, safe_parser
from . import registry, schemas
from .relaxng import Schema as RelaxngSchema, SchemaIncorrect, load as load_relaxng
from .messages import ContentModels
from .rng import Grammar, inline, simplify_whole

# Start tags in raw bytes: a cheap over-approximation of a document's element names. A name
# is every byte up to a delimiter, so non-ASCII names are caught whole.
_START_TAG = re.compile(rb"<([^\s/>!?<=\"']+)")
_DECLARED_ENCODING = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_CACHE = 32

Names = frozenset[str]


# Attribute names, found backwards: in the reversed bytes `name="` reads `="eman`, and a
# pattern that starts with a literal is searched for at memchr speed.
_ATTRIBUTE_REVERSED = re.compile(rb"=\s*([^\s\"'<>=/]+)")


def _ascii_compatible(data: bytes) -> bytes | None:
    """``data`` as UTF-8 (UTF-16 with a BOM is converted), or None when a byte scan could
    get a name wrong: no BOM and NUL bytes (UTF-16 or UTF-32), or another declared encoding
    (in ISO-8859-1, a name's bytes are not its UTF-8)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:512]:
        return None
    m = _DECLARED_ENCODING.match(data.removeprefix(b"\xef\xbb\xbf"))
    if m and m.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        return None
    return data


def _local(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rsplit(":", 1)[-1]


def scan_attributes(data: bytes) -> set[str] | None:
    """Local names of every attribute in ``data`` (a superset, as for scan_names)."""
    text = _ascii_compatible(data)
    if text is None:
        return None
    return {_local(m[::-1]) for m in set(_ATTRIBUTE_REVERSED.findall(text[::-1]))}


def scan_names(data: bytes) -> set[str] | None:
    """Local names of every start tag in ``data``: a superset of the document's element
    names (comments and CDATA may add some). None when the bytes are not in an
    ASCII-compatible encoding, so a scan could miss one.
    """
    text = _ascii_compatible(data)
    if text is None:
        return None
    return {_local(m) for m in set(_START_TAG.findall(text))}


def scan_files(files: list[Any], jobs: int = 1) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """(element names, attribute names) of every file whose scan is complete.

    A large batch is scanned by ``jobs`` forked processes: the regex holds the GIL, and on a
    batch of 80 MB the scan is a tenth of the run. Forking is used only while this process
    has a single thread (forking a threaded process can deadlock the child).
    """
    sizes = []
    for f in files:
        try:
            sizes.append(os.path.getsize(f))
        except OSError:
            sizes.append(0)
    if jobs > 1 and sum(sizes) > _PARALLEL_SCAN_BYTES and hasattr(os, "fork") \
            and threading.active_count() == 1:
        import multiprocessing  # (here: a start-up cost for every command otherwise)

        chunks = [files[i::jobs] for i in range(jobs)]
        ctx = multiprocessing.get_context("fork")
        pool = None
        try:
            # Ctrl-C is this process's to handle (no worker tracebacks), and SIGTERM ends a
            # worker (terminate() below), whatever handler this process has.
            with forking_children():
                pool = ctx.Pool(jobs, initializer=child_started)
            parts = pool.map(_scan_chunk, chunks)
        finally:
            if pool is not None:
                pool.terminate()
    else:
        parts = [_scan_chunk(files)]
    out: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for part in parts:
        out.update(part)
    return out


_PARALLEL_SCAN_BYTES = 16 << 20


def _scan_chunk(files: list[Any]) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    out = {}
    for f in files:
        try:
            with open(f, "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        found = scan_names(data)
        if found is not None:
            out[str(f)] = (frozenset(found), frozenset(scan_attributes(data) or ()))
    return out


# libxml2's compile time grows steeply with the grammar: tei_all reduced to 200 elements
# compiles in 0.1 s, to 300 in 0.3 s, to 400 in 1.2 s, whole (588) in 6 s. A batch whose
# files use more names than this between them is split into groups that each stay under it
# (one document for each of tei_all's elements, 1,168 files: 12 s in one group, 1.7 s in
# groups of 150; 250 gave 2.6 s, 200 1.9 s).
GROUP_NAMES = 150


def group_files(scanned: dict[str, tuple[frozenset[str], frozenset[str]]],
                limit: int = GROUP_NAMES) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each file's group's (element names, attribute names): one group for the whole batch
    when its files use at most ``limit`` element names between them, else groups made first
    fit, in path order (files of one folder tend to share their names)."""
    union = frozenset().union(*(n for n, _ in scanned.values())) if scanned else frozenset()
    if len(union) <= limit:
        attributes = frozenset().union(*(a for _, a in scanned.values())) if scanned \
            else frozenset()
        return {f: (union, attributes) for f in scanned}
    groups: list[tuple[set[str], set[str], list[str]]] = []
    for f in sorted(scanned):
        names, attributes = scanned[f]
        for g_names, g_attributes, members in groups:
            if len(g_names | names) <= limit:
                g_names |= names
                g_attributes |= attributes
                members.append(f)
                break
        else:
            groups.append((set(names), set(attributes), [f]))
    out = {}
    for g_names, g_attributes, members in groups:
        key = (frozenset(g_names), frozenset(g_attributes))
        for f in members:
            out[f] = key
    return out


def document_names(tree: etree._ElementTree) -> tuple[frozenset[str], frozenset[str]]:
    """(element local names, attribute local names) of a parsed document."""
    tags: set[str] = set()
    attributes: set[str] = set()
    for el in tree.iter():
        if isinstance(el.tag, str):
            tags.add(el.tag)
            if el.attrib:
                attributes.update(el.attrib.keys())
    return (frozenset(t.rsplit("}", 1)[-1] for t in tags),
            frozenset(a.rsplit("}", 1)[-1] for a in attributes))


class SchemaStore:
    """Parsed, reduced and compiled schemas, shared by the threads of one Validator.

    A grammar is reduced only when that provably keeps every verdict: its form is one the
    rewrites assume (:func:`tei_toolkit.validation.rng._check_simple`) and it is known to be a
    correct grammar (a bundled schema, a pinned TEI release, or a schema registered with
    ``tei schemas add``/``fetch``, which compiled it whole). A reduction of an incorrect
    grammar could drop the very part that makes it incorrect. Every other schema is compiled
    as it stands, which for small grammars costs nothing.

    Compiling a reduced grammar is bounded: it is first compiled in a child process with a
    time limit (:data:`COMPILE_LIMIT` seconds); past it, the whole grammar is used instead
    and :attr:`fallbacks` says so. No known grammar needs this since the one-child groups
    that made libxml2 loop are unwrapped; it is the net under what is not known.
    """

    def __init__(self, reduce: bool = True, compile_limit: float | None = None) -> None:
        self.reduce = reduce
        # Seconds a whole schema that is not yet proven may take to compile (see _compile).
        self.compile_limit = SCHEMA_COMPILE_LIMIT if compile_limit is None else compile_limit
        self._lock = threading.Lock()
        self._grammars: dict[Path, Grammar | None] = {}
        self._reduced: OrderedDict[tuple[Any, ...], etree._ElementTree] = OrderedDict()
        self._safe: dict[str, bool] = {}
        self.fallbacks: dict[Path, str] = {}
        self._models: dict[Path, ContentModels] = {}
        self._derivative: dict[Path, RelaxngSchema] = {}
        self._local = threading.local()

    def grammar(self, path: Path) -> Grammar | None:
        """The parsed grammar when it may be reduced, else None; raises SetupError when it
        cannot be read at all."""
        with self._lock:
            if path in self._grammars:
                return self._grammars[path]
        grammar = None
        if self.reduce and path.suffix != ".rnc":
            tree = _parse_schema(path)
            if not _proven(path):
                prove(path, tree, self.compile_limit)
            if _proven(path):
                try:
                    grammar = Grammar(tree)
                except ValueError:
                    grammar = None
        with self._lock:
            self._grammars[path] = grammar
        return grammar

    def relaxng(self, path: Path, names: tuple[Names, Names] | None) -> etree.RelaxNG:
        """A compiled validator for documents whose element and attribute local names are
        among ``names`` (None: the whole grammar)."""
        grammar = self.grammar(path)
        key = (path, names if grammar is not None and path not in self.fallbacks else None)
        cache: OrderedDict[Any, Any] = self._local.__dict__.setdefault("compiled", OrderedDict())
        rng: etree.RelaxNG | None = cache.get(key)
        if rng is not None:
            cache.move_to_end(key)
            return rng
        if key[1] is None:
            rng = _compile(path, None, self.compile_limit)
        else:
            tree = self._reduce(path, grammar, key[1])  # type: ignore[arg-type]
            if self.compiles_in_time(tree):
                rng = _compile(path, tree)
            else:
                with self._lock:
                    self.fallbacks[path] = (
                        f"the schema reduced to these documents' names did not compile within "
                        f"{COMPILE_LIMIT:g} s; validated with the whole schema instead")
                key = (path, None)
                rng = cache.get(key) or _compile(path, None, self.compile_limit)
        cache[key] = rng
        if len(cache) > _CACHE:
            cache.popitem(last=False)
        return rng

    def prepare(self, path: Path, names: tuple[Names, Names]) -> None:
        """Reduce and prove the grammar for a batch now, in the calling thread: before a
        thread pool starts, the proof can run in a forked child instead of a new
        interpreter."""
        grammar = self.grammar(path)
        if grammar is not None and path not in self.fallbacks:
            self.compiles_in_time(self._reduce(path, grammar, names))

    def compiles_in_time(self, tree: etree._ElementTree) -> bool:
        data = etree.tostring(tree)
        key = hashlib.sha256(data).hexdigest()
        with self._lock:
            known = self._safe.get(key)
        if known is None:
            known = compiles_within(data, COMPILE_LIMIT)
            with self._lock:
                self._safe[key] = known
        return known

    def _reduce(self, path: Path, grammar: Grammar, names: tuple[Names, Names]
                ) -> etree._ElementTree:
        key = (path, names)
        # Under the lock: reductions are rare (one per batch), and two threads walking one
        # lxml tree at once is best avoided.
        with self._lock:
            tree = self._reduced.get(key)
            if tree is None:
                tree = self._reduced[key] = grammar.reduce_local(names[0], names[1])
                if len(self._reduced) > _CACHE:
                    self._reduced.popitem(last=False)
            else:
                self._reduced.move_to_end(key)
            return tree

    def derivative(self, path: Path) -> RelaxngSchema:
        """The schema at ``path`` for our own engine (read once per Validator); SchemaError
        when it is not a correct RELAX NG schema or cannot be read."""
        with self._lock:
            found = self._derivative.get(path)
        if found is None:
            found = _derivative_schema(path)
            with self._lock:
                self._derivative[path] = found
        return found

    def models(self, path: Path) -> ContentModels:
        """Content models of the whole grammar, for messages (loaded when first needed)."""
        with self._lock:
            models = self._models.get(path)
        if models is None:
            models = ContentModels.load(path)
            with self._lock:
                self._models[path] = models
        return models


COMPILE_LIMIT = float(os.environ.get("TEI_TOOLKIT_COMPILE_LIMIT", "5"))
# A whole schema not yet proven (a project's customisation given as a file, `tei schemas
# add`): tei_all whole takes 6-11 s here; past this, the schema is refused, never a hang.
SCHEMA_COMPILE_LIMIT = 60.0
_COMPILE_CHILD = ("import sys\nfrom lxml import etree\n"
                  "etree.RelaxNG(etree.fromstring(sys.stdin.buffer.read(), "
                  "base_url=sys.argv[1] or None))\n")


def compiles_within(data: bytes, limit: float, base_url: str | None = None) -> bool:
    """Does libxml2 compile this grammar (or refuse it) within ``limit`` seconds? A grammar
    libxml2 refuses counts as in time: compiling it here then reports why."""
    return compile_in_child(data, limit, base_url) is not None


def compile_in_child(data: bytes, limit: float, base_url: str | None = None) -> bool | None:
    """Compile this grammar in a child process, killed at ``limit`` seconds: True when it
    compiled, False when libxml2 refused it, None when it ran out of time. A C loop cannot be
    interrupted in-process, and while it waits this process still takes Ctrl-C and SIGTERM
    (the child is killed). A forked child when this process has one thread (milliseconds),
    else a new interpreter. ``base_url``: where the grammar's relative includes are found."""
    if hasattr(os, "fork") and threading.active_count() == 1:
        parent = os.getpid()
        pid = 0
        try:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child; coverage does not follow it
                code = 1
                try:
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    _die_with(parent)
                    etree.RelaxNG(etree.fromstring(data, base_url=base_url))
                    code = 0
                finally:
                    os._exit(code)
            deadline = time.monotonic() + limit
            delay = 0.0005
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    pid = 0
                    return os.waitstatus_to_exitcode(status) == 0
                if time.monotonic() >= deadline:
                    return None
                time.sleep(delay)
                delay = min(delay * 2, 0.02)
        finally:
            if pid:  # out of time, or interrupted while waiting
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
    import subprocess  # (here: a start-up cost for every command otherwise)

    try:
        proc = subprocess.run([sys.executable, "-c", _COMPILE_CHILD, base_url or ""],
                              input=data, timeout=limit, capture_output=True, check=False)
    except subprocess.TimeoutExpired:
        return None
    return proc.returncode == 0


def _die_with(parent: int) -> None:
    """In a child: be killed when ``parent`` ends, however it ends (Linux; elsewhere the
    parent's clean-up alone), so a compile that would loop for ever never outlives it."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it ended before the request took effect
        os._exit(0)


def normalise(tree: etree._ElementTree, base_url: str | None = None) -> etree._ElementTree:
    """``tree`` (a whole schema) with its annotations dropped, ``empty`` dropped from groups
    and one-child groups unwrapped (:func:`rng.simplify_whole`): RELAX NG simplification
    makes the same rewrites, so no verdict changes, and libxml2 loops for ever compiling
    some grammars without them. A grammar with includes is first made one file
    (:func:`rng.inline`, simplification 4.5-4.7) from ``base_url``, its place, so the traps
    in included files are unwrapped too; without a place it is left as it is. In place for
    a one-file grammar; the result is the grammar to use."""
    root = tree.getroot()
    if has_includes(root):
        if base_url is None:
            return tree
        url = base_url if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]+:", base_url) \
            else Path(base_url).resolve().as_uri()
        try:
            tree = inline(tree, url)
        except ValueError as exc:
            raise SchemaError(f"the schema cannot be read whole: {exc}",
                              Location(base_url), reason="unreadable") from None
        root = tree.getroot()
    simplify_whole(root)
    return tree


def has_includes(root: etree._Element) -> bool:
    return any(True for _ in root.iter(f"{{{RELAXNG_NS}}}include",
                                       f"{{{RELAXNG_NS}}}externalRef"))


def bounded(tree: etree._ElementTree, shown: str, limit: float, base_url: str | None
            ) -> tuple[etree._ElementTree, bool]:
    """Normalise a whole schema, then compile it once in a child within ``limit`` seconds:
    after that it is safe to compile in this process. The normalised grammar (the one to
    compile), and True when it compiled, False when libxml2 refused it (compiling it here
    says why); SetupError naming the schema when it does not compile in time."""
    tree = normalise(tree, base_url)
    compiled = compile_in_child(etree.tostring(tree), limit, base_url)
    if compiled is None:
        raise SchemaError(f"the schema did not compile within {limit:g} s (libxml2's RELAX NG "
                          "compiler can loop for ever on some grammars); raise the limit with "
                          "--compile-limit SECONDS", Location(shown), reason="too-slow")
    return tree, compiled


def prove(path: Path, tree: etree._ElementTree, limit: float) -> None:
    """Prove a one-file schema given as a file now (compiled whole in a child, within
    ``limit``), so that this very run may reduce it: a project's customisation is then as
    fast the first time as after ``tei schemas add``. Remembered by its content; a schema
    with includes is not (its digest does not cover what it reads), nor one libxml2
    refuses (compiling it whole then says why)."""
    if has_includes(tree.getroot()):
        return
    if bounded(copy.deepcopy(tree), str(path), limit, str(path.resolve()))[1]:
        registry.remember_proof(registry.digest(path))


def _proven(path: Path) -> bool:
    """Is the schema at ``path`` known to be a correct grammar (so reductions keep its
    verdicts)? Bundled schemas, pinned releases and registered schemas are."""
    try:
        if path.resolve().parent == schemas.path("tei_toolkit.rng").resolve().parent:
            return True
        return registry.proven(registry.digest(path))
    except OSError:
        return False


def _parse_schema(path: Path) -> etree._ElementTree:
    try:
        return etree.parse(str(path), safe_parser())
    except OSError as exc:
        raise SchemaError(f"cannot read the schema: {exc}", Location(str(path)),
                          reason="unreadable") from None
    except etree.XMLSyntaxError as exc:
        line, col = exc.position
        raise SchemaError(f"the schema is not well-formed XML: {exc.msg}",
                          Location(str(path), line, col), reason="malformed") from None


def _derivative_schema(path: Path) -> RelaxngSchema:
    """Our own engine's schema: a .rnc converted to the XML syntax first, as for libxml2."""
    try:
        if path.suffix == ".rnc":
            return load_relaxng(path, _rnc_tree(path).getroot())
        return load_relaxng(path)
    except SchemaIncorrect as exc:
        said = exc.message if exc.reason != "invalid" else \
            f"not a correct RELAX NG schema: {exc.message}"
        raise SchemaError(said, Location(exc.file or str(path), exc.line),
                          reason=exc.reason) from None


def _rnc_tree(path: Path) -> etree._ElementTree:
    """A compact-syntax schema in the XML syntax (rnc2rng, as lxml's from_rnc_string)."""
    try:
        import rnc2rng  # type: ignore[import-untyped]

        xml = rnc2rng.dumps(rnc2rng.loads(path.read_text(encoding="utf-8")))
        return etree.ElementTree(etree.fromstring(xml.encode("utf-8"),
                                                  safe_parser(huge_tree=True)))
    except ImportError:
        raise SchemaError("compact-syntax schemas need the rnc2rng package "
                          "(pip install 'tei_toolkit[rnc]')", Location(str(path)),
                          reason="needs-package") from None
    except OSError as exc:
        raise SchemaError(f"cannot read the schema: {exc}", Location(str(path)),
                          reason="unreadable") from None
    except Exception as exc:  # rnc2rng's own syntax errors have no common base class
        raise SchemaError(f"not a usable compact-syntax schema: {exc}",
                          Location(str(path)), reason="invalid") from None


def _compile(path: Path, tree: etree._ElementTree | None,
             limit: float = SCHEMA_COMPILE_LIMIT) -> etree.RelaxNG:
    """``tree``, a reduction already proven to compile in time; None: the whole schema at
    ``path``, made safe and proven first (:func:`bounded`) unless it is a known one."""
    try:
        if tree is not None:
            return etree.RelaxNG(tree)
        if path.suffix == ".rnc":
            # Converted to the XML syntax (as lxml's from_rnc_string does), then made safe
            # and bounded like any other schema: the compact syntax has the same traps.
            whole, _ = bounded(_rnc_tree(path), str(path), limit, str(path.resolve()))
            return etree.RelaxNG(whole)
        whole = _parse_schema(path)
        one_file = not has_includes(whole.getroot())
        if _proven(path):
            return etree.RelaxNG(normalise(whole, str(path.resolve())))
        whole, _ = bounded(whole, str(path), limit, str(path.resolve()))
        rng = etree.RelaxNG(whole)
        if one_file:
            registry.remember_proof(registry.digest(path))  # its digest says all it reads
        return rng
    except etree.RelaxNGParseError as exc:
        first = exc.error_log[0] if len(exc.error_log) else None
        where = Location(str(path), first.line, first.column) if first else Location(str(path))
        raise SchemaError(f"not a usable RELAX NG schema: {first.message if first else exc}",
                          where, reason="invalid") from None
