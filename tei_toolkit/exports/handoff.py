"""The exports behind ``tei export``, as a registry: each format's name, help text, what it
writes (one file, or a folder of pages) and how it is made. The CLI, the API and the README
read this one table (a test checks that every format is offered and documented).

Every document is read before anything is written; nothing is written when a document
cannot be read, or when two documents would write one page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import Location, TeiInputError, TeiToolkitError
from ..files import write_atomic
from . import DEFAULT_LICENCE, READINGS

if TYPE_CHECKING:
    from ..importer.profile import Profile
    from .html import Page
    from .letters import Letter
# The formats' modules are imported when a format is made: the table below is what every
# `tei` command reads (--to's choices and help), and it should not load them all.


def _default_profile() -> Profile:
    from ..importer.profile import Profile

    return Profile.default()


@dataclass(frozen=True)
class ExportOptions:
    """What the formats may take beyond the documents (the CLI's options)."""

    profile: Profile = field(default_factory=_default_profile)
    reading: str = "source"  # text: "source" or "corrected"
    editor: str | None = None  # cmif: default, the profile's encoder
    licence: str = DEFAULT_LICENCE  # cmif
    file_url: str = "urn:stdout"  # cmif: where the file will be published
    title: str | None = None  # cmif


@dataclass
class Export:
    """An export made, not yet written: one file's bytes, or a folder's pages; and what to
    tell the user (documents left out, addresses changed) and a one-line summary."""

    data: bytes = b""
    pages: list[Page] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: str = ""


@dataclass(frozen=True)
class ExportFormat:
    name: str
    help: str  # what it is, in a few words (the CLI's --to help)
    folder: bool  # True: pages into a folder (-d); False: one file (-o) or stdout
    one_document: bool  # True: exactly one TEI file; False: files and folders
    make: Callable[[list[Path], ExportOptions], Export]


class ExportInputErrors(TeiInputError):
    """Documents that are not TEI written by ``tei import`` (each error), nothing made."""

    def __init__(self, errors: list[TeiToolkitError], total: int) -> None:
        super().__init__(f"nothing written: {len(errors)} of {total} files could not be read",
                         Location("tei export"))
        self.errors = errors


def read_all(files: list[Path]) -> tuple[list[Letter], list[TeiToolkitError]]:
    """Every file as a Letter, and the errors of those that are not TEI from tei import."""
    from .letters import read_letter

    letters: list[Letter] = []
    errors: list[TeiToolkitError] = []
    for path in files:
        try:
            letters.append(read_letter(path))
        except TeiToolkitError as exc:
            errors.append(exc)
    return letters, errors


def without_mirrors(letters: list[Letter], profile: Profile) -> tuple[list[Letter], list[str]]:
    """The letters with no test-mirror address (TEI from before the importer knew a mirror):
    a mirror's document address becomes the archive's, any other is left out; and a warning
    for each."""
    out: list[Letter] = []
    warnings: list[str] = []
    for letter in letters:
        if letter.url is not None:
            address, mirror = profile.archive_address(letter.url)
            if mirror is not None:
                warnings.append(
                    f"warning: {letter.path}: the URI {letter.url} is on a test mirror of the "
                    + (f"archive ({mirror}): {address} is exported instead" if address else
                       f"archive ({mirror}) and names no document there: it is left out"))
                letter = replace(letter, url=address)
        out.append(letter)
    return out, warnings


def check_page_names(letters: list[Letter]) -> None:
    from .html import page_name

    """Refuse two documents with one id: their pages would be one file."""
    first: dict[str, Letter] = {}
    for letter in letters:
        other = first.setdefault(page_name(letter), letter)
        if other is not letter:
            raise TeiInputError(f"the document id {letter.id} is also {other.path}'s: their "
                                f"pages would be one ({page_name(letter)}); export one of "
                                "them", Location(letter.path))


def _letters(files: list[Path], options: ExportOptions) -> tuple[list[Letter], list[str]]:
    letters, errors = read_all(files)
    if errors:
        raise ExportInputErrors(errors, len(files))
    return without_mirrors(letters, options.profile)


def _text(files: list[Path], options: ExportOptions) -> Export:
    [path] = files
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TeiInputError(f"cannot read: {exc.strerror}", Location(str(path))) from None
    from .readings import read_tei, reading

    text = reading(read_tei(data, str(path)), options.reading, str(path), options.profile)
    return Export(data=text.encode("utf-8"))


def _cmif(files: list[Path], options: ExportOptions) -> Export:
    from .cmif import build_cmif

    letters, notes = _letters(files, options)
    publisher = options.profile.archive
    result = build_cmif(letters, title=options.title or f"Letters from the {publisher}",
                        editor=options.editor or options.profile.encoder, publisher=publisher,
                        file_url=options.file_url, licence=options.licence)
    notes += [f"{letter.path}: skipped: {why}" for letter, why in result.skipped]
    return Export(data=result.xml, notes=notes,
                  summary=f"{len(result.letters)} letters in CMIF, {len(result.skipped)} "
                          "documents skipped")


def _html(files: list[Path], options: ExportOptions) -> Export:
    from .html import build_site

    letters, notes = _letters(files, options)
    check_page_names(letters)
    return Export(pages=build_site(letters), notes=notes)


def _table(form: str) -> Callable[[list[Path], ExportOptions], Export]:
    """A letters table: "csv" or "json" (the functions of .table, to_csv and to_json)."""
    def make(files: list[Path], options: ExportOptions) -> Export:
        from . import table

        write: Callable[[list[Letter]], bytes] = table.to_csv if form == "csv" \
            else table.to_json
        letters, notes = _letters(files, options)
        return Export(data=write(letters), notes=notes)
    return make


EXPORTS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("text", "one document in the archive's export format (--reading: "
                 f"{' or '.join(READINGS)})", folder=False, one_document=True, make=_text),
    ExportFormat("cmif", "one CMIF file for correspSearch", folder=False, one_document=False,
                 make=_cmif),
    ExportFormat("html", "a reading edition, a folder of pages (-d DIR)", folder=True,
                 one_document=False, make=_html),
    ExportFormat("csv", "a letters table (UTF-8 with a byte-order mark)", folder=False,
                 one_document=False, make=_table("csv")),
    ExportFormat("json", "a letters table as JSON", folder=False, one_document=False,
                 make=_table("json")),
)}


def export(to: str, files: list[Path], options: ExportOptions | None = None) -> Export:
    """The documents in ``files`` (TEI written by ``tei import``) exported as ``to`` (a name
    of ``EXPORTS``), in memory: write it with ``write_pages`` or as one file."""
    return EXPORTS[to].make(files, options or ExportOptions())


def write_pages(pages: list[Page], folder: Path, *, force: bool = False,
                sources: list[Path] | None = None) -> int:
    """Write pages into ``folder``; the number written. Every page is checked against
    existing files before any is written, so a refusal leaves the folder as it was."""
    if not force:
        for page in pages:
            target = folder / page.name
            if target.exists():
                write_atomic(target, page.html, force=False, source=sources)  # raises
    for page in pages:
        write_atomic(folder / page.name, page.html, force=force, source=sources)
    return len(pages)
