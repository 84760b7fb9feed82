"""Ctrl-C and child processes: a terminal sends SIGINT to the whole foreground process group,
so every worker, fork server and scanner the tool starts would get it too and print its own
traceback. Children are therefore started with SIGINT blocked (the mask is inherited through
fork and exec, and Python leaves it as it finds it): only the tool's own process is
interrupted, and it ends its children (SIGTERM) and cleans up."""

from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def sigint_blocked() -> Iterator[None]:
    """Block SIGINT in this thread while the block runs, so processes started in it inherit
    the block. A SIGINT that arrives meanwhile is delivered when the block ends (as a
    KeyboardInterrupt), so start children inside a ``try`` that ends them."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no process groups to share SIGINT
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextmanager
def forking_children() -> Iterator[None]:
    """While the block forks children: SIGINT blocked (as in ``sigint_blocked``), and SIGTERM
    blocked with its default action, so that no child inherits this process's SIGTERM
    handler (which raises KeyboardInterrupt: a pool worker that catches it where it waits can
    never be ended by ``Pool.terminate()``, and the pool's join waits for ever). Each child
    must call ``child_started`` first: it unblocks SIGTERM, which then ends it. A SIGTERM this
    process gets meanwhile is its handler's when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    old_handler = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old_handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


def child_started() -> None:
    """The first call of a child forked in ``forking_children``: SIGTERM ends it."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
