"""The import pipeline: export text -> TEI bytes, and TEI written safely to disk."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import (Finding, Location, OutputExists, SourceError,
                      TeiToolkitError)
from ..files import write_atomic
from . import MAX_SOURCE_BYTES
from .lexicon import Lexicon
from .markup import Counts, Explained
from .profile import Profile
from .register import Register
from .review import Decision, Decisions
from .source import parse
from .tei import build


@dataclass
class ImportResult:
    """What one conversion produced. ``error`` is set, and ``xml`` None, when it failed;
    ``skipped`` when its output existed and the batch was told to keep such outputs."""

    source: str
    output: str | None = None
    doc_id: str | None = None
    xml: bytes | None = None
    counts: Counts = field(default_factory=Counts)
    warnings: list[Finding] = field(default_factory=list)
    error: TeiToolkitError | None = None
    skipped: bool = False
    # Every square bracket with its class and the evidence for it (tei import --explain).
    brackets: list[Explained] = field(default_factory=list)
    # With review keys (import_text(keyed=True), or decisions): every decision made, and
    # the keys of the editor's decisions that found their items.
    decisions: list[Decision] = field(default_factory=list)
    ruled: list[str] = field(default_factory=list)
    review: tuple[int, int] | None = None  # with decisions: (decisions reviewed, made)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def exists(self) -> bool:
        """Not converted because its output exists (no --force, no --skip-existing)."""
        return isinstance(self.error, OutputExists)




def default_lexicon() -> Lexicon:
    """The reviewed lexicon that ships with the toolkit (``corpus/lexicon.tsv``)."""
    text = resources.files("tei_toolkit").joinpath("data/lexicon.tsv").read_text("utf-8")
    return Lexicon.parse(text, "lexicon.tsv")


def import_text(data: bytes | str, path: str = "<string>", lexicon: Lexicon | None = None,
                profile: Profile | None = None, register: Register | None = None,
                max_bytes: int = MAX_SOURCE_BYTES, decisions: Decisions | None = None,
                keyed: bool = False) -> ImportResult:
    """Convert one export. Raises SourceError when the text cannot be converted, or is
    longer than ``max_bytes`` (as UTF-8). ``decisions``: the editor's (review.Decisions),
    which overrule the importer's; ``keyed``: list every decision made in
    ``result.decisions``, keyed for review (as ``tei review`` does).

    >>> result = import_text(open("seed.txt", "rb").read(), "seed.txt")  # doctest: +SKIP
    >>> result.xml[:38]                                                  # doctest: +SKIP
    b"<?xml version='1.0' encoding='UTF-8'?>"
    """
    size = len(data)
    if not isinstance(data, bytes) and size * 4 > max_bytes:  # UTF-8: 1 to 4 bytes a character
        size = len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise _too_large(path, size, max_bytes)
    lexicon = default_lexicon() if lexicon is None else lexicon
    profile = Profile.default() if profile is None else profile
    register = Register.default() if register is None else register
    doc = parse(data, path)
    built = build(doc, lexicon, profile, register, decisions, keyed)
    return ImportResult(path, None, built.doc_id, built.xml, built.counts, built.warnings,
                        brackets=built.brackets, decisions=built.decisions, ruled=built.ruled,
                        review=built.review)


def import_file(source: str | Path, output: str | Path | None = None, *,
                lexicon: Lexicon | None = None, profile: Profile | None = None,
                register: Register | None = None, force: bool = False,
                max_bytes: int = MAX_SOURCE_BYTES, decisions: Decisions | None = None,
                keyed: bool = False) -> ImportResult:
    """Convert ``source``; write the TEI to ``output`` (atomically) when given. A source
    over ``max_bytes`` fails before it is read."""
    source = Path(source)
    if output is not None and not force and os.path.lexists(output):
        # Fail before the work, not after it: a rerun without --force costs a stat per file.
        # write_atomic checks again, for outputs that appear while converting.
        raise OutputExists("the output file exists; use --force to replace it, or "
                          "--skip-existing to keep it", Location(str(output)))
    try:
        size = os.stat(source).st_size
        if size > max_bytes:
            raise _too_large(str(source), size, max_bytes)
        data = source.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", Location(str(source))) from None
    result = import_text(data, str(source), lexicon, profile, register, max_bytes, decisions,
                         keyed)
    if output is not None:
        write_atomic(Path(output), result.xml or b"", force=force, source=source)
        result.output = str(output)
    return result


def _too_large(path: str, size: int, max_bytes: int) -> SourceError:
    return SourceError(f"the export is {size / 2**20:.1f} MB, over the importer's limit of "
                       f"{max_bytes / 2**20:g} MB (--max-size MB raises it; a conversion "
                       "needs about 12 times the export's size in memory)", Location(path))
