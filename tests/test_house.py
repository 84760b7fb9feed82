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
