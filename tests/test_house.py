"""The house rules the code can check (issue 18): small functions, and the few long ones
named with the reason they are long."""

from __future__ import annotations

import ast

from .conftest import ROOT

LIMIT = 60
# Functions allowed to be longer, and why: prose and data read best whole.
LONG = {
    "importer/profile.py:statements": "the editorialDecl's prose, one statement per convention",
}


def test_no_function_is_over_60_lines_without_a_reason():
    package = ROOT / "tei_toolkit"
    long = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > LIMIT:
                    long[f"{path.relative_to(package).as_posix()}:{node.name}"] = lines
    assert set(long) == set(LONG), long


def test_each_span_written_is_read_back_as_itself():
    """spans.SPANS is the one declaration: what the writer makes of a span's declaration is
    recognised as that span, and only as it."""
    from lxml import etree

    from tei_toolkit.spans import SPANS, span_of
    from tei_toolkit.xmlcore import TEI_NS, attr

    for span in SPANS:
        attrs = "".join(f' {k}="{attr(v)}"' for k, v in span.attrs(("resp", "#archive")))
        child = f"<{span.child}>a</{span.child}><x>b</x>" if span.child else "words"
        el = etree.fromstring(f'<{span.tag} xmlns="{TEI_NS}" '
                              f'xmlns:xml="http://www.w3.org/XML/1998/namespace"{attrs}>'
                              f"{child}</{span.tag}>")
        assert span_of(el) is span, span.name


def test_the_exports_do_not_read_the_importers_tei_writer():
    """Generic XML helpers live in xmlcore, the spans in spans.py: exports/ imports neither
    importer/tei.py nor its markup."""
    for path in (ROOT / "tei_toolkit" / "exports").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "importer.tei " not in text and "importer.tei import" not in text, path.name
        assert "importer.markup" not in text, path.name
