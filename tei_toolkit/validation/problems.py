"""Validation problems as values, and the report of one file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location

ERROR, WARNING = "error", "warning"


def severity_of(role: str | None) -> str:
    """A Schematron rule's @role as a problem's severity: warning, warn and info are
    warnings; anything else (error, fatal, none) is an error."""
    return WARNING if (role or "").lower() in ("warning", "warn", "info") else ERROR


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    severity: str  # "error" or "warning"
    source: str
    message: str
    path: str = ""

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message} [{self.source}]"


@dataclass
class FileReport:
    """What one file's validation found. ``skipped`` says why a file was not checked (a
    non-TEI file seen by a repository-wide hook); ``schema`` names what it was checked
    against."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    schema: str = ""
    seconds: float = 0.0
    schema_path: Path | None = None
    skipped: str = ""
    # Why a file that should be checked could not be (no schema it asked for, nor tei_all; an
    # XInclude that cannot be read): never "valid", never "invalid".
    not_checked: str = ""
    defaulted: bool = False  # no --schema and no usable <?xml-model?>: tei_all was used
    unreadable: bool = False  # the file itself could not be read (its problem says why)
    # --engine A,B: B's verdict (its name, invalid?, its first error), A's report compared with
    # it once both are known.
    compared: tuple[str, bool, Problem | None] | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def ok(self, strict: bool = False) -> bool:
        """No errors (and, ``strict``, no warnings, and checked). A file not checked has no
        errors: ask :attr:`checked` too."""
        return not self.errors and not (strict and (self.warnings or self.not_checked))

    @property
    def checked(self) -> bool:
        return not self.skipped and not self.not_checked

    @property
    def status(self) -> str:
        """valid, invalid, not checked or skipped (ok() without strictness)."""
        if self.skipped:
            return "skipped"
        if self.not_checked:
            return "not checked" if not self.errors else "invalid"
        return "valid" if self.ok() else "invalid"
