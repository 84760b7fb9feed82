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
