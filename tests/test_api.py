"""The public API: what `tei_toolkit` exports is a promise; changing it is a decision."""

import tei_toolkit

PUBLIC = {
    "READINGS", "FileReport", "Finding", "ImportResult", "Lexicon", "LexiconError", "Location",
    "OutputError", "Problem", "Profile", "ProfileError", "Register", "RegisterError",
    "SetupError", "SchemaError", "SourceError",
    "TeiInputError", "TeiToolkitError", "Validator", "__version__", "default_lexicon",
    "expand_paths", "import_file", "import_text", "normalize_source", "plan_outputs",
    "read_tei", "reading", "write_atomic",
    # the schema cache (tei schemas fetch/add/list)
    "SchemaEntry", "add_schema", "cached_schemas", "fetch_schema",
    # hand-off (tei export --to cmif|html|csv|json): the formats, one call, the parts
    "EXPORTS", "export", "Letter", "build_cmif", "build_site", "letters_csv", "letters_json", "read_letter",
    # the editor's review (tei review, tei import --decisions)
    "Decision", "Decisions", "DecisionsError", "decisions_tsv", "review_pages",
}


def test_the_public_api_is_pinned():
    assert set(tei_toolkit.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(tei_toolkit, name) is not None, name


def test_every_public_callable_is_documented():
    for name in PUBLIC - {"READINGS", "EXPORTS", "__version__"}:
        assert (getattr(tei_toolkit, name).__doc__ or "").strip(), f"{name} has no docstring"


def test_each_lazy_name_is_the_one_its_type_checking_import_names():
    """The package imports its public names when first used (``_LAZY``), and declares them
    to type checkers in ``if TYPE_CHECKING:`` imports: the two lists must say the same."""
    import ast
    import inspect

    declared = {}
    tree = ast.parse(inspect.getsource(tei_toolkit))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                if isinstance(imp, ast.ImportFrom) and imp.level == 1:
                    for alias in imp.names:
                        declared[alias.asname or alias.name] = ("." + (imp.module or ""),
                                                                alias.name)
    assert declared == tei_toolkit._LAZY
    assert set(declared) == PUBLIC - {"__version__"}


# What the CLI uses beyond the public API, deliberately, and why: presentation (tables,
# progress, report formats), the parallel batch, the schema cache's administration, and the
# constants that are the CLI's defaults.
CLI_PRIVATE = {
    "__version__": "the --version line", "build": "the --version line says which build runs",
    "walk": "the --version line says which walk the RELAX NG engine has",
    "MAX_SOURCE_BYTES": "--max-size's default", "DEFAULT_LICENCE": "--licence's default",
    "EMBEDDED_MODES": "--embedded-schematron's choices", "ENGINES": "--engine's choices",
    "DEFAULT_ENGINE": "--engine's default",
    "engine_pair": "--engine's check (a usage error, before any schema is read)",
    "REPORT_FORMATS": "--format's choices", "SCHEMA_COMPILE_LIMIT": "--compile-limit's default",
    "DEFAULT_DEADLINE": "tei schemas fetch --deadline's default",
    "MAX_DOWNLOAD": "tei schemas fetch --max-size's default",
    "EXIT_CANNOT_RUN": "exit codes", "EXIT_FAILED": "exit codes", "EXIT_INTERNAL": "exit codes",
    "EXIT_INTERRUPTED": "exit codes", "EXIT_OK": "exit codes", "EXIT_USAGE": "exit codes",
    "is_input": "a report never overwrites a document", "remove_pending": "clean-up on Ctrl-C",
    "batch": "the parallel batch behind tei import (the API imports one document at a time)",
    "output": "tei import's tables, progress bar and JSON summary",
    "report": "tei validate's report formats", "registry": "tei schemas' administration",
    "schemas": "the bundled schemas' files, for tei schemas copy/list",
    "handoff": "tei export's registry (its export() is public as tei_toolkit.export)",
    "uncitable": "tei import's warning about register sources", "check": "tei register check",
    "folded": "tei register check's folding", "suggest": "tei lexicon suggest",
    "default_text": "tei profile show", "stderr_console": "the spinner of tei schemas",
    "import_file": "public as tei_toolkit.import_file",
    "reviewed": "tei review --decisions: the rows keep the editor's status",
}


def test_the_cli_uses_the_public_api_or_what_is_listed_as_private():
    import ast

    from .conftest import ROOT
    tree = ast.parse((ROOT / "tei_toolkit" / "cli.py").read_text(encoding="utf-8"))
    used = {a.asname or a.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1 for a in node.names}
    public = set(tei_toolkit.__all__)
    assert used - public - set(CLI_PRIVATE) == set()
    assert set(CLI_PRIVATE) - used == set()  # the list stays true
