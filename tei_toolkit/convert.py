"""The import pipeline: export text -> TEI bytes, and TEI written safely to disk."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import Finding, Location, OutputError, SourceError, TeiToolkitError
from .lexicon import Lexicon
from .markup import Counts
from .profile import Profile
from .source import parse
from .tei import build


@dataclass
class ImportResult:
    """What one conversion produced. ``error`` is set, and ``xml`` None, when it failed."""

    source: str
    output: str | None = None
    doc_id: str | None = None
    xml: bytes | None = None
    counts: Counts = field(default_factory=Counts)
    warnings: list[Finding] = field(default_factory=list)
    error: TeiToolkitError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def default_lexicon() -> Lexicon:
    """The reviewed lexicon that ships with the toolkit (``corpus/lexicon.tsv``)."""
    text = resources.files("tei_toolkit").joinpath("data/lexicon.tsv").read_text("utf-8")
    return Lexicon.parse(text, "lexicon.tsv")


def import_text(data: bytes | str, path: str = "<string>", lexicon: Lexicon | None = None,
                profile: Profile | None = None) -> ImportResult:
    """Convert one export. Raises SourceError when the text cannot be converted.

    >>> result = import_text(open("seed.txt", "rb").read(), "seed.txt")  # doctest: +SKIP
    >>> result.xml[:38]                                                  # doctest: +SKIP
    b"<?xml version='1.0' encoding='UTF-8'?>"
    """
    lexicon = default_lexicon() if lexicon is None else lexicon
    profile = Profile.default() if profile is None else profile
    doc = parse(data, path)
    built = build(doc, lexicon, profile)
    return ImportResult(path, None, built.doc_id, built.xml, built.counts, built.warnings)


def import_file(source: str | Path, output: str | Path | None = None, *,
                lexicon: Lexicon | None = None, profile: Profile | None = None,
                force: bool = False) -> ImportResult:
    """Convert ``source``; write the TEI to ``output`` (atomically) when given."""
    source = Path(source)
    if output is not None and not force and os.path.lexists(output):
        # Fail before the work, not after it: a rerun without --force costs a stat per file.
        # write_atomic checks again, for outputs that appear while converting.
        raise OutputError("the output file exists; use --force to replace it",
                          Location(str(output)))
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", Location(str(source))) from None
    result = import_text(data, str(source), lexicon, profile)
    if output is not None:
        write_atomic(Path(output), result.xml or b"", force=force, source=source)
        result.output = str(output)
    return result


_MADE_DIRS: set[str] = set()


def write_atomic(dest: Path, data: bytes, *, force: bool = False, source: Path | None = None) -> None:
    """Write ``data`` to ``dest`` through a temporary file, so no half-written file is ever
    seen; refuse to replace an existing file without ``force``, and the source ever."""
    try:
        existing = os.stat(dest)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", Location(str(dest))) from None
    if existing is not None:
        if source is not None and _same_file(source, existing):
            raise OutputError("the output would overwrite the input", Location(str(dest)))
        if not force:
            raise OutputError("the output file exists; use --force to replace it",
                              Location(str(dest)))
    parent = os.path.dirname(dest) or "."
    tmp = os.path.join(parent, f".{os.path.basename(dest)}.{os.getpid()}.tmp")
    try:
        if parent not in _MADE_DIRS:
            os.makedirs(parent, exist_ok=True)
            _MADE_DIRS.add(parent)
        # O_EXCL: never write through a file (or link) someone else put there.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", Location(str(dest))) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if force:
            os.replace(tmp, dest)
            return
        try:
            os.link(tmp, dest)  # fails if dest appeared meanwhile: never clobber without --force
        except FileExistsError:
            raise OutputError("the output file exists; use --force to replace it",
                              Location(str(dest))) from None
        except OSError:
            os.replace(tmp, dest)  # a file system without hard links
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", Location(str(dest))) from None
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def _same_file(source: Path, dest: os.stat_result) -> bool:
    try:
        st = os.stat(source)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (dest.st_dev, dest.st_ino)
