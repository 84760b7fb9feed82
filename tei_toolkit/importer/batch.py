"""Many sources at once: which output goes where, and converting them in parallel."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
from multiprocessing import resource_tracker
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from . import MAX_SOURCE_BYTES
from .convert import ImportResult, import_file
from ..errors import Location, OutputError, TeiToolkitError
from ..files import expand_with_bases, remove_pending, sweep_temporary
from ..interrupts import sigint_blocked
from .lexicon import Lexicon
from .profile import Profile
from .register import Register
from .review import Decisions

Plan = list[tuple[Path, Path | None]]


def plan_outputs(sources: Sequence[str | Path], output: Path | None = None,
                 output_dir: Path | None = None) -> Plan:
    """Where each source's TEI goes: None means stdout (one source, no -o or -d)."""
    found = expand_with_bases(sources, ".txt")
    if output is not None:
        if len(found) != 1:
            raise OutputError(f"-o takes one source, got {len(found)}; use -d DIR for several",
                              Location(str(output)))
        return [(found[0][0], output)]
    if output_dir is None and len(found) == 1 and not Path(sources[0]).is_dir():
        return [(found[0][0], None)]
    plan: Plan = []
    seen: dict[Path, Path] = {}
    for src, base in found:
        if output_dir is None:
            dest = src.with_suffix(".xml")
        else:
            dest = output_dir / src.relative_to(base).with_suffix(".xml")
        key = dest.resolve()
        if key in seen:
            raise OutputError(f"{src} and {seen[key]} would both be written to {dest}",
                              Location(str(dest)))
        seen[key] = src
        plan.append((src, dest))
    return plan


# Worker state: set once per process, so the lexicon is not pickled with every file.
_STATE: dict[str, Any] = {}


def _init(lexicon: Lexicon, profile: Profile, force: bool, skip_existing: bool = False,
          register: Register | None = None, max_bytes: int = MAX_SOURCE_BYTES,
          decisions: Decisions | None = None, keyed: bool = False) -> None:
    _STATE.update(lexicon=lexicon, profile=profile, force=force, skip_existing=skip_existing,
                  register=register, max_bytes=max_bytes, decisions=decisions, keyed=keyed)


def _init_worker(settings: bytes) -> None:
    """A worker's _init, from the pickled settings. Unpickled here, not by multiprocessing:
    a worker that failed to start would be replaced by another that fails, forever (the
    batch would hang); this one starts, and says why for each file instead."""
    try:
        _init(*pickle.loads(settings))
    except Exception as exc:
        _STATE["broken"] = TeiToolkitError(
            f"internal error: an import worker could not start: {type(exc).__name__}: {exc}")
    # Ctrl-C is the parent's to handle: it ends the pool, whose workers get SIGTERM and
    # leave at once, removing the temporary file of a write under way (no traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)
    if hasattr(signal, "pthread_sigmask"):  # blocked by the fork server (_forkserver.py)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def _leave(signum: int, frame: object) -> None:
    remove_pending()
    os._exit(128 + signum)


def _convert(item: tuple[Path, Path | None]) -> ImportResult:
    src, dest = item
    if "broken" in _STATE:
        error = _STATE["broken"]
        return ImportResult(str(src), str(dest) if dest else None,
                            error=TeiToolkitError(error.message, Location(str(src))))
    if dest is not None and _STATE["skip_existing"] and os.path.lexists(dest):
        return ImportResult(str(src), str(dest), skipped=True)
    try:
        result = import_file(src, dest, lexicon=_STATE["lexicon"], profile=_STATE["profile"],
                             register=_STATE["register"], force=_STATE["force"],
                             max_bytes=_STATE["max_bytes"], decisions=_STATE["decisions"],
                             keyed=_STATE["keyed"])
    except TeiToolkitError as exc:
        return ImportResult(str(src), str(dest) if dest else None, error=exc)
    except Exception as exc:  # a bug must not take the rest of the batch down
        return ImportResult(str(src), str(dest) if dest else None,
                            error=TeiToolkitError(f"internal error: {type(exc).__name__}: {exc}",
                                                  Location(str(src))))
    if dest is not None:
        result.xml = None  # written already; do not ship it back across processes
    return result


def _convert_in_worker(item: tuple[Path, Path | None]) -> tuple[str, str | None, bytes]:
    """_convert's result pickled by the worker itself: a result the batch cannot unpickle
    would kill the pool's result thread, and the batch would wait forever."""
    result = _convert(item)
    try:
        data = pickle.dumps(result)
    except Exception as exc:
        data = pickle.dumps(ImportResult(result.source, result.output, error=TeiToolkitError(
            f"internal error: the result cannot be sent back: {type(exc).__name__}: {exc}",
            Location(result.source))))
    return result.source, result.output, data


def _received(sent: tuple[str, str | None, bytes]) -> ImportResult:
    source, output, data = sent
    try:
        result: ImportResult = pickle.loads(data)
    except Exception as exc:
        return ImportResult(source, output, error=TeiToolkitError(
            f"internal error: a worker's result cannot be read: {type(exc).__name__}: {exc}",
            Location(source)))
    return result


@contextlib.contextmanager
def _safe_path() -> Iterator[None]:
    """Start the fork server without the working directory on its sys.path. It is started as
    `python -c`, whose sys.path begins with the working directory, and Python 3.11's fork
    server does not take the parent's sys.path: run in a folder holding a `tei_toolkit`
    directory (a checkout), the workers would import that, not the package the `tei` command
    runs (compiled or another version)."""
    before = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = before


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _end(pool: Any) -> list[int]:
    """``pool.terminate()`` and ``join()``, which could wait for ever after a SIGTERM to the
    whole process group: a worker that died waiting for a task held the task queue's read
    lock, and terminate() takes that lock to drain the queue. A live worker waiting there
    gets a task at once while the pool runs; a lock still held after two seconds is a dead
    worker's, and is released for it. The pids of every worker the pool had (the caller
    sweeps their temporary files)."""
    pids = {proc.pid for proc in pool._pool}
    lock = pool._inqueue._rlock
    lock.acquire(timeout=2)
    lock.release()  # ours, or a dead worker's: terminate() can take it now
    pool.terminate()
    pool.join()
    return sorted(pids | {proc.pid for proc in pool._pool})


def run(plan: Plan, lexicon: Lexicon, profile: Profile, *, register: Register | None = None,
        force: bool = False, skip_existing: bool = False, jobs: int | None = None,
        on_result: Callable[[ImportResult], None] | None = None,
        max_bytes: int = MAX_SOURCE_BYTES, decisions: Decisions | None = None,
        keyed: bool = False) -> list[ImportResult]:
    """Convert every planned source; a failure is recorded in its result, never raised.
    ``skip_existing``: an output that exists is left alone and its result marked skipped.
    ``max_bytes``: a larger source fails (see :func:`convert.import_file`). ``decisions``,
    ``keyed``: the editor's review (see :func:`convert.import_text`).

    Results come back in plan order; ``on_result`` sees each as it completes (for progress).
    Interrupted (KeyboardInterrupt), it stops the workers and removes their temporary files
    before the interrupt goes on.
    """
    jobs = min(jobs or default_jobs(), len(plan)) or 1
    results: dict[str, ImportResult] = {}
    settings = (lexicon, profile, force, skip_existing, register, max_bytes, decisions, keyed)
    for result in _results(plan, settings, jobs):
        results[result.source] = result
        if on_result is not None:
            on_result(result)
    return [results[str(src)] for src, _ in plan]


def _results(plan: Plan, settings: tuple[Any, ...], jobs: int) -> Iterator[ImportResult]:
    """``settings``: _init's arguments."""
    if jobs == 1:
        _init(*settings)
        yield from map(_convert, plan)
        return
    # Chunks big enough to amortise the inter-process hop, small enough to balance the load.
    chunk = max(1, min(64, len(plan) // (jobs * 8)))
    ctx = multiprocessing.get_context("forkserver" if hasattr(os, "fork") else "spawn")
    if hasattr(os, "fork"):
        ctx.set_forkserver_preload(["tei_toolkit.importer._forkserver"])
    pickled = pickle.dumps(settings)
    pool = None
    try:
        # The fork server and the workers never see Ctrl-C (no traceback of theirs): the
        # interrupt is this process's, which then ends the pool. multiprocessing's resource
        # tracker unblocks SIGINT once it has started itself, so it is started first.
        if hasattr(os, "fork"):
            resource_tracker.ensure_running()
        with _safe_path(), sigint_blocked():
            pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(pickled,))
        for sent in pool.imap_unordered(_convert_in_worker, plan, chunksize=chunk):
            yield _received(sent)
    except BaseException:
        if pool is not None:
            workers = _end(pool)
            # A worker killed mid-write cannot clean up after itself: its temporary files
            # are named after its pid, so remove them here.
            sweep_temporary([dest for _, dest in plan if dest is not None], workers)
        raise
    pool.close()
    pool.join()
