"""Files in and out, shared by every command: input paths expanded once, outputs written
atomically and never over an existing file or an input unless asked."""

from __future__ import annotations

import glob
import os
import threading
from pathlib import Path
from typing import Iterable

from .errors import Location, MissingInput, OutputError, OutputExists

_GLOB_CHARS = frozenset("*?[")


def expand_paths(paths: Iterable[str | Path], suffix: str) -> list[Path]:
    """Files named by ``paths``: a file as it is, a directory's files ending in ``suffix``
    (recursively, sorted), a glob's matches (``**`` included). A file found twice (a
    directory and its sub-directory, a glob and a name) comes once, where first found.

    Raises MissingInput (exit 2) naming the path that does not exist or matches nothing.
    """
    out: list[Path] = []
    seen: set[str] = set()
    folders: dict[str, str] = {}
    for raw in paths:
        if not str(raw):
            # Path("") is the working folder: an empty argument (a list file's last newline)
            # would validate everything in it.
            raise MissingInput("an empty path names no file", Location("''"))
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*" + suffix) if f.is_file())
        elif p.exists():
            found = [p]
        elif _GLOB_CHARS & set(str(raw)):
            found = sorted(Path(m) for m in glob.glob(str(raw), recursive=True)
                           if Path(m).is_file())
            if not found:
                raise MissingInput("the pattern matches no file", Location(str(raw)))
        else:
            raise MissingInput("no such file or directory", Location(str(raw)))
        for f in found:
            key = _real(f, folders)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _real(f: Path, folders: dict[str, str]) -> str:
    """``os.path.realpath(f)``, with the real path of each folder found once (``folders``):
    a folder of thousands of files is not resolved again, component by component, for
    each of them."""
    if os.path.islink(f):
        return os.path.realpath(f)
    parent, name = os.path.split(f)  # as written: "link/.." is resolved by realpath
    real = folders.get(parent)
    if real is None:
        real = folders[parent] = os.path.realpath(parent)
    return os.path.join(real, name)


def expand_with_bases(paths: Iterable[str | Path], suffix: str) -> list[tuple[Path, Path]]:
    """As :func:`expand_paths`, each file with the folder its relative output path starts
    from: the directory it was found under, else its own parent."""
    out: list[tuple[Path, Path]] = []
    seen: set[str] = set()
    for raw in paths:
        p = Path(raw)
        base = p if p.is_dir() else None
        for f in expand_paths([raw], suffix):
            key = os.path.realpath(f)
            if key not in seen:
                seen.add(key)
                out.append((f, base if base is not None else f.parent))
    return out


# Temporary files being written, so an interrupt (Ctrl-C, SIGTERM) can remove them.
_PENDING: set[str] = set()
_PENDING_LOCK = threading.Lock()


def write_atomic(dest: Path, data: bytes, *, force: bool = False,
                 source: Path | Iterable[Path] | None = None) -> None:
    """Write ``data`` to ``dest`` through a temporary file, so no half-written file is ever
    seen; refuse to replace an existing file without ``force``, and an input (``source``)
    ever. A missing parent folder is created (the CLI says so)."""
    sources = [source] if isinstance(source, (str, Path)) else list(source or [])
    try:
        existing = os.stat(dest)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", Location(str(dest))) from None
    if existing is not None:
        if any(same_file(s, existing) for s in sources):
            raise OutputError("the output would overwrite the input", Location(str(dest)))
        if not force:
            raise OutputExists("the output file exists; use --force to replace it",
                              Location(str(dest)))
    parent = os.path.dirname(dest) or "."
    tmp = _temporary_name(str(dest), os.getpid(), threading.get_ident())
    with _PENDING_LOCK:
        _PENDING.add(tmp)  # before it exists: an interrupt from here on removes it
    try:
        try:
            os.makedirs(parent, exist_ok=True)
            # O_EXCL: never write through a file (or link) someone else put there.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror}", Location(str(dest))) from None
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if force:
            os.replace(tmp, dest)
            return
        try:
            os.link(tmp, dest)  # fails if dest appeared meanwhile: never clobber without --force
        except FileExistsError:
            raise OutputExists("the output file exists; use --force to replace it",
                              Location(str(dest))) from None
        except OSError:
            os.replace(tmp, dest)  # a file system without hard links
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", Location(str(dest))) from None
    finally:
        # The temporary file is normally gone (linked or replaced); where it was never made,
        # unlinking can fail with another error than ENOENT (EROFS on a read-only file
        # system), which must not hide the error being raised.
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _forget(tmp)


def _temporary_name(dest: str, pid: int, thread: int) -> str:
    parent, name = os.path.split(dest)
    return os.path.join(parent or ".", f".{name}.{pid}.{thread}.tmp")


def sweep_temporary(dests: Iterable[str | Path], pids: Iterable[int]) -> None:
    """Remove temporary files that processes ``pids`` (ended workers) left beside ``dests``."""
    prefixes = tuple(f".{pid}." for pid in pids)
    folders: dict[str, set[str]] = {}
    for d in dests:
        parent, name = os.path.split(str(d))
        folders.setdefault(parent or ".", set()).add(name)
    for folder, names in folders.items():
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in entries:
            if not (entry.startswith(".") and entry.endswith(".tmp")):
                continue
            for name in names:
                rest = entry[len(name) + 1:-len(".tmp")] if entry.startswith("." + name + ".") \
                    else None
                if rest is not None and ("." + rest + ".").startswith(prefixes):
                    try:
                        os.unlink(os.path.join(folder, entry))
                    except OSError:
                        pass
                    break


def _forget(tmp: str) -> None:
    with _PENDING_LOCK:
        _PENDING.discard(tmp)


def remove_pending() -> None:
    """Remove the temporary files of writes under way (called on an interrupt)."""
    with _PENDING_LOCK:
        pending = list(_PENDING)
        _PENDING.clear()
    for tmp in pending:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def same_file(a: str | Path, b: os.stat_result | str | Path) -> bool:
    """Are ``a`` and ``b`` (a path or a stat result) the same file on disk?"""
    try:
        st = os.stat(a)
        other = b if isinstance(b, os.stat_result) else os.stat(b)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (other.st_dev, other.st_ino)


def is_input(dest: Path, inputs: Iterable[Path]) -> bool:
    """Is ``dest`` one of ``inputs`` (the same file, or the same path before it exists)?"""
    real = os.path.realpath(dest)
    try:
        there: os.stat_result | None = os.stat(dest)
    except OSError:
        there = None  # not written yet: only its path can be an input's
    folders: dict[str, str] = {}
    return any(_real(i, folders) == real or (there is not None and same_file(i, there))
               for i in inputs)

