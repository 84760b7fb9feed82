"""One exception tree for the toolkit, and the exit codes the CLI maps it to.

Findings that do not stop a conversion (warnings) are values, see :class:`Finding`;
exceptions are for what does stop it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Exit codes, documented in the README and in `tei --help`.
EXIT_OK = 0
EXIT_FAILED = 1  # some input could not be converted (bad source, bad TEI)
EXIT_USAGE = 2  # bad command line (click's own code for usage errors)
EXIT_CANNOT_RUN = 3  # setup problem: bad lexicon or profile, output exists, unwritable path
EXIT_INTERNAL = 4  # a bug: an error the toolkit did not expect (never a traceback)
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM; temporary files are removed

# The width of a console that is no terminal (a log, a pipe): file names are not folded into
# 80 columns.
LOG_WIDTH = 160


def printable(text: str) -> str:
    """``text`` as valid Unicode, for reports and messages: the bytes of a file name that are
    not UTF-8 (which Python holds as surrogate escapes, ``os.fsdecode(b"\\xff")``) become
    ``\\xff``, as Python's ``backslashreplace`` writes them. Text without them is returned
    as it is."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no file name gives
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class Location:
    """Where something is: a file name and a 1-based line and column (0 = unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __post_init__(self) -> None:
        # libxml2 says -1 for "no line": that is unknown, never a line to print.
        if self.line < 0 or self.column < 0:
            object.__setattr__(self, "line", max(self.line, 0))
            object.__setattr__(self, "column", max(self.column, 0))

    def __str__(self) -> str:
        path = printable(self.path)
        if self.line and self.column:
            return f"{path}:{self.line}:{self.column}"
        if self.line:
            return f"{path}:{self.line}"
        return path


@dataclass(frozen=True)
class Finding:
    """A warning about a source: it was converted, but an editor should look here."""

    location: Location
    code: str
    message: str
    # (what the source says, what it may mean): a lexicon row to review (tei lexicon suggest)
    suggestion: tuple[str, str] | None = None

    def __str__(self) -> str:
        return f"{self.location}: warning: {self.message} [{self.code}]"


class TeiToolkitError(Exception):
    """Root of every error the toolkit raises on purpose."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is not None:
            return f"{self.location}: error: {self.message}"
        return f"error: {self.message}"


class SourceError(TeiToolkitError):
    """The export text cannot be converted (encoding, layout, brackets...)."""


class TeiInputError(TeiToolkitError):
    """A TEI file given to `export` cannot be read back."""


class SetupError(TeiToolkitError):
    """A lexicon, profile or output path is unusable; nothing can run."""

    exit_code = EXIT_CANNOT_RUN


class SchemaError(SetupError):
    """A schema (RELAX NG or Schematron) that cannot be used; nothing is validated with it.
    ``reason`` says why, for programs: one of ``SCHEMA_REASONS``."""

    def __init__(self, message: str, location: Location | None = None,
                 reason: str = "invalid") -> None:
        super().__init__(message, location)
        assert reason in SCHEMA_REASONS, reason
        self.reason = reason


# Why a schema cannot be used: no file or name of it; its file cannot be read; not
# well-formed XML; not a schema libxml2 or lxml can use; not compiled in time; an optional
# package it needs is missing; jing refused it; a download or the cache failed; a name or
# version that cannot be one, or no checksum pinned for it, or the wrong checksum.
SCHEMA_REASONS = ("unknown", "unreadable", "malformed", "invalid", "too-slow", "needs-package",
                  "jing", "download", "cache", "bad-name", "not-pinned", "checksum")


class MissingInput(SetupError):
    """A path given on the command line names nothing: a usage error (exit 2) in every
    command, as click reports a missing source of `import` and `export`."""

    exit_code = EXIT_USAGE


class LexiconError(SetupError):
    """The lexicon file is malformed."""


class RegisterError(SetupError):
    """The persons register file is malformed."""


class ProfileError(SetupError):
    """The profile file is malformed."""


class DecisionsError(SetupError):
    """A decisions file (``tei review``'s, edited by an editor) is malformed."""


class OutputError(SetupError):
    """An output cannot be written (exists without --force, would overwrite the input...)."""


class OutputExists(OutputError):
    """The output file exists, and neither --force nor --skip-existing was given: not a
    failure of the conversion (the output is there), a choice left to the user."""
