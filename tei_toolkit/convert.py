"""The import pipeline: export text -> TEI bytes, and TEI written safely to disk."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import Finding, Location, OutputError, SourceError, TeiToolkitError
from .lexicon import Lexicon
from .markup import Counts
from .profile import Profile
from .source import parse
from .tei import build, serialize


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
    try:
        xml = serialize(built.root)
    except ValueError as exc:  # lxml refuses characters XML cannot hold
        raise SourceError(f"cannot be written as XML: {exc}", Location(path)) from None
    return ImportResult(path, None, built.doc_id, xml, built.counts, built.warnings)


def import_file(source: str | Path, output: str | Path | None = None, *,
                lexicon: Lexicon | None = None, profile: Profile | None = None,
                force: bool = False) -> ImportResult:
    """Convert ``source``; write the TEI to ``output`` (atomically) when given."""
    source = Path(source)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", Location(str(source))) from None
    result = import_text(data, str(source), lexicon, profile)
    if output is not None:
        write_atomic(Path(output), result.xml or b"", force=force, source=source)
        result.output = str(output)
    return result


_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomic(dest: Path, data: bytes, *, force: bool = False, source: Path | None = None) -> None:
    """Write ``data`` to ``dest`` through a temporary file, so no half-written file is ever
    seen; refuse to replace an existing file without ``force``, and the source ever."""
    if source is not None and _same_file(source, dest):
        raise OutputError("the output would overwrite the input", Location(str(dest)))
    if dest.exists() and not force:
        raise OutputError("the output file exists; use --force to replace it", Location(str(dest)))
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", Location(str(dest))) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)
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
        if os.path.lexists(tmp):
            os.unlink(tmp)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False
