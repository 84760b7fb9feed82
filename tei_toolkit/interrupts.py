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
