"""Pickling the dataclasses that travel between the batch and its workers (--jobs N)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any


def reduce(obj: Any) -> tuple[Any, tuple[Any, ...]]:
    """``obj`` rebuilt by calling its class with its field values. Compiled with mypyc (see
    setup.py), a dataclass has no __dict__ for pickle to fill: a frozen one refuses its fields
    being set one by one, and one with its own __init__ is called with no arguments. Every
    field must be an __init__ argument, in order."""
    return type(obj), tuple(getattr(obj, f.name) for f in fields(obj))
