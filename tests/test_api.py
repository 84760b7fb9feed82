"""The public API: what `tei_toolkit` exports is a promise; changing it is a decision."""

import tei_toolkit

PUBLIC = {
    "READINGS", "FileReport", "Finding", "ImportResult", "Lexicon", "LexiconError", "Location",
    "OutputError", "Problem", "Profile", "ProfileError", "Register", "RegisterError",
    "SetupError", "SourceError",
    "TeiInputError", "TeiToolkitError", "Validator", "__version__", "default_lexicon",
    "expand_paths", "import_file", "import_text", "normalize_source", "plan_outputs",
    "read_tei", "reading", "write_atomic",
    # the schema cache (tei schemas fetch/add/list)
    "SchemaEntry", "add_schema", "cached_schemas", "fetch_schema",
    # hand-off (tei export --to cmif|html|csv|json)
    "Letter", "build_cmif", "build_site", "letters_csv", "letters_json", "read_letter",
}


def test_the_public_api_is_pinned():
    assert set(tei_toolkit.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(tei_toolkit, name) is not None, name


def test_every_public_callable_is_documented():
    for name in PUBLIC - {"READINGS", "__version__"}:
        assert (getattr(tei_toolkit, name).__doc__ or "").strip(), f"{name} has no docstring"
