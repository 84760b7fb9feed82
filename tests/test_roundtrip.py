"""Nothing lost: generated exports come back character for character, and the importer
only ever raises its own errors."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tei_toolkit import TeiToolkitError, import_text, normalize_source, read_tei, reading

from .strategies import Generated, documents

TEI = "{http://www.tei-c.org/ns/1.0}"
SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(documents())
def test_source_reading_gives_the_export_back(doc: Generated):
    assert normalize_source(doc.raw) == doc.clean
    result = import_text(doc.raw.encode("utf-8"), "generated.txt")
    root = read_tei(result.xml, "generated.xml")
    assert reading(root, "source") == doc.clean


@SETTINGS
@given(documents())
def test_corrected_reading_drops_supplied_brackets_and_applies_corrections(doc: Generated):
    result = import_text(doc.raw, "generated.txt")
    root = read_tei(result.xml, "generated.xml")
    source, corrected = reading(root, "source"), reading(root, "corrected")
    # correspDesc repeats names from the title; it is metadata, not part of the export text
    supplied = root.xpath("//t:supplied[not(ancestor::t:correspDesc)]",
                          namespaces={"t": TEI[1:-1]})
    # An acronym's expansion is given once (the default profile's reading.expansions).
    abbrs = ["".join(a.itertext()) for a in root.xpath(
        "//t:choice[@rend='bracketed']/t:abbr[not(ancestor::t:correspDesc)]",
        namespaces={"t": TEI[1:-1]})]
    repeats = len(abbrs) - len(set(abbrs))
    assert corrected.count("[") == source.count("[") - len(supplied) - repeats
    for choice in root.iter(f"{TEI}choice"):
        if choice.get("rend") == "bracketed":  # NAME [other form]: both parts are kept
            assert "".join(choice[0].itertext()) in corrected
        elif not any(a.tag == f"{TEI}choice" for a in choice.iterancestors()):
            assert "".join(choice[1].itertext()) in corrected
    assert corrected.count("**") == source.count("**")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary(),
                 documents().map(lambda d: d.raw[: len(d.raw) // 2]),
                 st.tuples(documents(), st.text(max_size=5), st.integers(0, 10**4)).map(
                     lambda t: t[0].raw[: t[2] % (len(t[0].raw) + 1)] + t[1]
                     + t[0].raw[t[2] % (len(t[0].raw) + 1):])))
@example(b"\xef\xbb\xbf")
@example("**June 19, 1954**\n\n**T**\n\n**Contents:**\n\n[")
def test_any_input_gives_tei_or_a_toolkit_error(data):
    try:
        result = import_text(data, "fuzz.txt")
    except TeiToolkitError as exc:
        assert exc.location is not None and exc.location.path == "fuzz.txt"
        assert "\n" not in str(exc)
        return
    read_tei(result.xml, "fuzz.xml")  # well-formed
