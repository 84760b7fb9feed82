"""The hand-off exports behind ``tei export --to cmif|html|csv|json``: read every document
first, then write; nothing is written when a document cannot be read."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import Location, TeiInputError, TeiToolkitError
from ..files import write_atomic
from ..importer.profile import Profile
from .cmif import CmifResult, build_cmif
from .html import build_site, page_name
from .letters import Letter, read_letter
from .table import to_csv, to_json

EXPORT_FORMATS = ("text", "cmif", "html", "csv", "json")


def read_all(files: list[Path]) -> tuple[list[Letter], list[TeiToolkitError]]:
    """Every file as a Letter, and the errors of those that are not TEI from tei import."""
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
                    f"{letter.path}: the URI {letter.url} is on a test mirror of the archive "
                    + (f"({mirror}): {address} is exported instead" if address else
                       f"({mirror}) and names no document there: it is left out"))
                letter = replace(letter, url=address)
        out.append(letter)
    return out, warnings


def cmif(letters: list[Letter], *, editor: str, publisher: str, file_url: str, licence: str,
         title: str | None = None) -> CmifResult:
    return build_cmif(letters, title=title or f"Letters from the {publisher}", editor=editor,
                      publisher=publisher, file_url=file_url, licence=licence)


def table(letters: list[Letter], kind: str) -> bytes:
    return to_csv(letters) if kind == "csv" else to_json(letters)


def check_page_names(letters: list[Letter]) -> None:
    """Refuse two documents with one id: their pages would be one file."""
    first: dict[str, Letter] = {}
    for letter in letters:
        other = first.setdefault(page_name(letter), letter)
        if other is not letter:
            raise TeiInputError(f"the document id {letter.id} is also {other.path}'s: their "
                                f"pages would be one ({page_name(letter)}); export one of "
                                "them", Location(letter.path))


def html(letters: list[Letter], folder: Path, *, force: bool = False,
         sources: list[Path] | None = None) -> int:
    """Write the edition's pages into ``folder``; the number written. Every page is checked
    against existing files before any is written, so a refusal leaves the folder as it was;
    two documents with one id (one page name) are refused before anything is written."""
    check_page_names(letters)
    pages = build_site(letters)
    if not force:
        for page in pages:
            target = folder / page.name
            if target.exists():
                write_atomic(target, page.html, force=False, source=sources)  # raises
    for page in pages:
        write_atomic(folder / page.name, page.html, force=force, source=sources)
    return len(pages)
