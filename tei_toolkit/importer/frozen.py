"""Pickling the frozen dataclasses that travel to the import workers (tei import --jobs N)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any


def reduce(obj: Any) -> tuple[Any, tuple[Any, ...]]:
    """``obj`` rebuilt by calling its class with its field values. Compiled with mypyc (see
    setup.py), a frozen dataclass has no __dict__ for pickle to fill and refuses its fields
    being set one by one, so pickle's default fails; every field must be an __init__
    argument, in order."""
    return type(obj), tuple(getattr(obj, f.name) for f in fields(obj))
