"""tei_toolkit: import archival text exports into TEI P5, validate TEI, hand it off.

The command line (``tei``) is a thin layer over this API::

    from tei_toolkit import import_text, reading, read_tei, Validator
    result = import_text(open("doc.txt", "rb").read(), "doc.txt")
    print(result.xml.decode())
    print(reading(read_tei(result.xml, "doc.xml"), "corrected"))
    report = Validator().validate("doc.xml")   # a FileReport: .problems, .ok()

The editor's review (``tei review``, ``tei import --decisions``)::

    rows = import_text(data, "doc.txt", keyed=True).decisions   # every decision, keyed
    open("decisions.tsv", "w").write(decisions_tsv(rows))
    ruled = import_text(data, "doc.txt", decisions=Decisions.load(["decisions.tsv"], editor="A. Editor"))

Three wings: :mod:`tei_toolkit.importer` (text exports to TEI), :mod:`tei_toolkit.validation`
(RELAX NG, Schematron, pointers; reports) and :mod:`tei_toolkit.exports` (TEI to readings,
CMIF, a reading edition in HTML, a letters table).
Everything a user calls is re-exported here; ``tests/test_api.py`` pins the list.
"""

from __future__ import annotations

from ._version import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy knows the name)
if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from typing import Any

    from .errors import (DecisionsError, Finding, LexiconError, Location, OutputError,
                         ProfileError, RegisterError, SchemaError, SetupError, SourceError,
                         TeiInputError, TeiToolkitError)
    from .exports.handoff import EXPORTS, export
    from .exports.cmif import build_cmif
    from .exports.html import build_site
    from .exports.letters import Letter, read_letter
    from .exports import READINGS
    from .exports.readings import normalize_source, read_tei, reading
    from .exports.table import to_csv as letters_csv
    from .exports.table import to_json as letters_json
    from .files import expand_paths, write_atomic
    from .importer.batch import plan_outputs
    from .importer.convert import ImportResult, default_lexicon, import_file, import_text
    from .importer.lexicon import Lexicon
    from .importer.profile import Profile
    from .importer.register import Register
    from .importer.review import Decision, Decisions
    from .importer.review import to_tsv as decisions_tsv
    from .importer.review_page import build_pages as review_pages
    from .validation.problems import FileReport, Problem
    from .validation.registry import Entry as SchemaEntry
    from .validation.registry import add as add_schema
    from .validation.registry import entries as cached_schemas
    from .validation.registry import fetch as fetch_schema
    from .validation.validate import Validator

# Each public name is imported when first used (PEP 562), not with the package: `tei` can then
# start, and handle Ctrl-C, before lxml and the three wings are loaded, and a script that needs
# one function does not pay for all of them.
_LAZY: dict[str, tuple[str, str]] = {
    "Decision": (".importer.review", "Decision"),
    "Decisions": (".importer.review", "Decisions"),
    "DecisionsError": (".errors", "DecisionsError"),
    "FileReport": (".validation.problems", "FileReport"),
    "Finding": (".errors", "Finding"),
    "ImportResult": (".importer.convert", "ImportResult"),
    "Letter": (".exports.letters", "Letter"),
    "Lexicon": (".importer.lexicon", "Lexicon"),
    "LexiconError": (".errors", "LexiconError"),
    "Location": (".errors", "Location"),
    "OutputError": (".errors", "OutputError"),
    "Problem": (".validation.problems", "Problem"),
    "Profile": (".importer.profile", "Profile"),
    "ProfileError": (".errors", "ProfileError"),
    "READINGS": (".exports", "READINGS"),
    "Register": (".importer.register", "Register"),
    "RegisterError": (".errors", "RegisterError"),
    "SchemaEntry": (".validation.registry", "Entry"),
    "SchemaError": (".errors", "SchemaError"),
    "SetupError": (".errors", "SetupError"),
    "EXPORTS": (".exports.handoff", "EXPORTS"),
    "export": (".exports.handoff", "export"),
    "SourceError": (".errors", "SourceError"),
    "TeiInputError": (".errors", "TeiInputError"),
    "TeiToolkitError": (".errors", "TeiToolkitError"),
    "Validator": (".validation.validate", "Validator"),
    "add_schema": (".validation.registry", "add"),
    "build_cmif": (".exports.cmif", "build_cmif"),
    "build_site": (".exports.html", "build_site"),
    "cached_schemas": (".validation.registry", "entries"),
    "decisions_tsv": (".importer.review", "to_tsv"),
    "review_pages": (".importer.review_page", "build_pages"),
    "default_lexicon": (".importer.convert", "default_lexicon"),
    "expand_paths": (".files", "expand_paths"),
    "fetch_schema": (".validation.registry", "fetch"),
    "import_file": (".importer.convert", "import_file"),
    "import_text": (".importer.convert", "import_text"),
    "letters_csv": (".exports.table", "to_csv"),
    "letters_json": (".exports.table", "to_json"),
    "normalize_source": (".exports.readings", "normalize_source"),
    "plan_outputs": (".importer.batch", "plan_outputs"),
    "read_letter": (".exports.letters", "read_letter"),
    "read_tei": (".exports.readings", "read_tei"),
    "reading": (".exports.readings", "reading"),
    "write_atomic": (".files", "write_atomic"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    from importlib import import_module
    value = getattr(import_module(module, __name__), attr)
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "READINGS", "FileReport", "Letter", "build_cmif", "build_site", "letters_csv",
    "letters_json", "read_letter", "Finding", "ImportResult", "Lexicon", "LexiconError", "Location",
    "OutputError", "Problem", "Profile", "ProfileError", "Register", "RegisterError",
    "SchemaEntry", "SchemaError", "SetupError", "EXPORTS", "export",
    "SourceError", "TeiInputError", "TeiToolkitError", "Validator", "__version__",
    "add_schema", "cached_schemas", "default_lexicon", "expand_paths", "fetch_schema",
    "import_file", "import_text", "normalize_source", "plan_outputs", "read_tei", "reading",
    "write_atomic", "Decision", "Decisions", "DecisionsError", "decisions_tsv", "review_pages",
]
