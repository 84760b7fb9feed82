"""The tab-separated files an editor keeps in a spreadsheet (the lexicon, the registers):
reading them, and the rows they hold, with one-line errors naming file, line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..errors import Location, SetupError
from .source import xml_unsafe


def read(path: str | Path, error: type[SetupError]) -> str:
    """The file's text; ``error`` (LexiconError, RegisterError) when it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 (byte {exc.start})", Location(str(path))) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", Location(str(path))) from None


def rows(text: str, path: str, error: type[SetupError]) -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped cells) of each line that is neither blank nor a # comment; a
    character XML cannot hold is an ``error`` at its line and column."""
    for n, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in raw.split("\t")]
        for col, cell in enumerate(cells, start=1):
            bad = xml_unsafe(cell)
            if bad is not None:
                raise error(f"character U+{ord(bad):04X} is not allowed in XML",
                            Location(path, n, col))
        yield n, cells


def header(cells: list[str], required: tuple[str, ...], path: str, line: int,
           error: type[SetupError]) -> list[str]:
    """The header row's column names, lower case; ``error`` when a required one is missing."""
    names = [c.lower() for c in cells]
    missing = sorted(set(required) - set(names))
    if missing:
        columns = ", ".join(required[:-1]) + " and " + required[-1]
        raise error(f"the header must name the columns {columns} (tab-separated); missing "
                    f"{', '.join(missing)}", Location(path, line, 1))
    return names
