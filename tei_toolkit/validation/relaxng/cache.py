"""Simplified grammars kept between runs, so a large schema (tei_all: a 2 MB grammar, 600
elements, hundreds of XML Schema regular expressions) is ready in a fraction of the time
reading and simplifying it takes.

An entry is named by the SHA-256 of the schema file, its absolute path (its includes are
relative to it), this module's format, the toolkit's version and the engine's own code, and
lists every other file the schema read (include, externalRef) with its digest:
a change to any of them makes the entry stale, and it is rebuilt. Entries live in the schema
cache (``<cache>/relaxng/``, see :func:`tei_toolkit.validation.registry.cache_dir`), which only
the user writes; one that cannot be read or written costs time, never a verdict. The
patterns are stored as a flat list (no recursion however deep the grammar).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from ..._version import __version__
from .names import NameClass
from .patterns import ELEMENT, EMPTY, NOT_ALLOWED, TEXT, Pattern, Patterns
from .schema import Grammar, read

FORMAT = 2  # 2: the ID-typed attributes kept with the grammar


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _folder() -> Path:
    from ..registry import cache_dir

    return cache_dir() / "relaxng"


def load(path: str | Path) -> Grammar:
    """The grammar at ``path``: from the cache when an entry for these exact files is there,
    else read (and the entry written)."""
    try:
        main = Path(path).read_bytes()
    except OSError:
        return read(path)  # read() says why, as a SchemaIncorrect
    # Where the schema is matters as much as what it says: its includes are relative. And
    # the engine that wrote the entry must be this one, to the byte (its patterns and
    # datatypes are stored as objects).
    where = str(Path(path).resolve())
    name = _digest(main + f"\0{where}\0{FORMAT}\0{__version__}\0{_engine()}".encode())
    entry = _folder() / f"{name}.pickle"
    try:
        with open(entry, "rb") as fh:
            deps, payload = pickle.load(fh)
        if all(_digest(Path(p).read_bytes()) == d for p, d in deps):
            return restore(payload, str(path))
    except Exception:  # no entry, a stale or broken one: read the schema again
        pass
    grammar = read(path)
    try:
        deps = [(p, _digest(Path(p).read_bytes())) for p in grammar.files
                if Path(p).resolve() != Path(path).resolve()]
        data = pickle.dumps((deps, dump(grammar)), protocol=pickle.HIGHEST_PROTOCOL)
        import tempfile  # (here: a start-up cost for every command otherwise)

        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, entry)
    except Exception:  # a cache that cannot be written makes later runs slower, no more
        pass
    return grammar


_ENGINE: list[str] = []


def _engine() -> str:
    """A digest of the engine's own code (the modules whose objects an entry holds)."""
    if not _ENGINE:
        from . import datatypes, names, patterns, schema

        h = hashlib.sha256()
        for module in (datatypes, names, patterns, schema):
            try:
                h.update(Path(module.__file__ or "").read_bytes())
            except OSError:
                h.update(repr(module).encode())
        _ENGINE.append(h.hexdigest())
    return _ENGINE[0]


def dump(grammar: Grammar) -> tuple[Any, ...]:
    """The grammar as a flat record: each pattern once, operands by id."""
    patterns: dict[int, Pattern] = {}
    stack = [grammar.start] + list(grammar.patterns.elements)
    while stack:
        q = stack.pop()
        if q.id in patterns:
            continue
        patterns[q.id] = q
        stack.extend(q.alts)
        for c in (q.p1, q.p2):
            if c is not None:
                stack.append(c)
    records = [(q.id, q.kind, q.p1.id if q.p1 is not None else -1,
                q.p2.id if q.p2 is not None else -1, q.nc, q.dt, q.value,
                tuple(a.id for a in q.alts), q.name, q.line, q.file)
               for q in sorted(patterns.values(), key=lambda q: q.id)]
    P = grammar.patterns
    return (records, grammar.start.id, [e.id for e in P.elements], P.context_dependent,
            grammar.files, grammar.id_typed)


def restore(payload: tuple[Any, ...], source: str) -> Grammar:
    records, start, elements, context_dependent, files, id_typed = payload
    P = Patterns()
    made: dict[int, Pattern] = {}
    singletons = {EMPTY: P.empty, NOT_ALLOWED: P.not_allowed, TEXT: P.text}
    # In the order they were made: a pattern's operands were made before it, but for an
    # element's content (set once all are made), so each is whole when it is made.
    for pid, kind, p1, p2, nc, dt, value, alts, name, line, file in records:
        if kind in singletons:
            made[pid] = singletons[kind]
            continue
        first = made[p1] if p1 >= 0 and kind != ELEMENT else None
        q = Pattern(kind, pid, first, made[p2] if p2 >= 0 else None, nc, dt, value,
                    tuple(made[a] for a in alts))
        q.name, q.line, q.file = name, line, file
        made[pid] = q
        if kind != ELEMENT:
            P.adopt(q)
    for pid, kind, p1, *_ in records:
        if kind == ELEMENT:
            made[pid].p1 = made[p1]
    P._next = max(made) + 1
    P.elements = [made[e] for e in elements]
    P.context_dependent = context_dependent
    P.freeze()
    grammar = Grammar(P, made[start], source, id_typed)
    grammar.files = list(files)
    return grammar


__all__ = ["load", "dump", "restore", "NameClass"]
