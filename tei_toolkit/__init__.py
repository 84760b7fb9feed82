"""tei_toolkit: import archival text exports into TEI P5, validate TEI, hand it off.

The command line (``tei``) is a thin layer over this API::

    from tei_toolkit import import_text, reading, read_tei, Validator
    result = import_text(open("doc.txt", "rb").read(), "doc.txt")
    print(result.xml.decode())
    print(reading(read_tei(result.xml, "doc.xml"), "corrected"))
    report = Validator().validate("doc.xml")   # a FileReport: .problems, .ok()

Three wings: :mod:`tei_toolkit.importer` (text exports to TEI), :mod:`tei_toolkit.validation`
(RELAX NG, Schematron, pointers; reports) and :mod:`tei_toolkit.exports` (TEI to readings,
CMIF, a reading edition in HTML, a letters table).
Everything a user calls is re-exported here; ``tests/test_api.py`` pins the list.
"""

from ._version import __version__
from .errors import (Finding, LexiconError, Location, OutputError, ProfileError, RegisterError,
                     SetupError, SourceError, TeiInputError, TeiToolkitError)
from .exports.cmif import build_cmif
from .exports.html import build_site
from .exports.letters import Letter, read_letter
from .exports.readings import READINGS, normalize_source, read_tei, reading
from .exports.table import to_csv as letters_csv
from .exports.table import to_json as letters_json
from .files import expand_paths, write_atomic
from .importer.batch import plan_outputs
from .importer.convert import ImportResult, default_lexicon, import_file, import_text
from .importer.lexicon import Lexicon
from .importer.profile import Profile
from .importer.register import Register
from .validation.problems import FileReport, Problem
from .validation.registry import Entry as SchemaEntry
from .validation.registry import add as add_schema
from .validation.registry import entries as cached_schemas
from .validation.registry import fetch as fetch_schema
from .validation.validate import Validator

__all__ = [
    "READINGS", "FileReport", "Letter", "build_cmif", "build_site", "letters_csv",
    "letters_json", "read_letter", "Finding", "ImportResult", "Lexicon", "LexiconError", "Location",
    "OutputError", "Problem", "Profile", "ProfileError", "Register", "RegisterError",
    "SchemaEntry", "SetupError",
    "SourceError", "TeiInputError", "TeiToolkitError", "Validator", "__version__",
    "add_schema", "cached_schemas", "default_lexicon", "expand_paths", "fetch_schema",
    "import_file", "import_text", "normalize_source", "plan_outputs", "read_tei", "reading",
    "write_atomic",
]
