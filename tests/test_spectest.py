"""The RELAX NG test suite (385 cases, 580 instances): the verdicts of the spec.

Differences from the expected verdicts are allowed only where libxml2 itself cannot do better
(plain lxml gives the same wrong verdict, jing the right one); each is listed here and in the
README with its case number. Nothing tei_toolkit adds may change a verdict: its result equals
plain lxml's everywhere, and so does the reduced grammar, for every instance whose schema the
rewrites accept.
"""

from __future__ import annotations

import shutil

import pytest

from tei_toolkit.errors import SetupError
from tei_toolkit.validation.validate import Validator

from . import spectest
from .conftest import SHARED, need

SPECTEST = SHARED / "schemas" / "relaxng-spectest" / "spectest.xml"
# libxml2 (2.12, 2.14) limitations: case -> what it gets wrong.
LIBXML2 = {
    (56, "schema"): "accepts a datatypeLibrary that is not an absolute URI (\"foo:\")",
    (359, "schema"): "accepts an attribute name class that can match xmlns (nsName ns=\"\")",
    (378, "i2.xml"): "compares QName values as strings, not as (namespace, local name)",
    (378, "i4.xml"): "compares QName values as strings",
    (379, "i1.xml"): "compares QName values as strings",
    (379, "i3.xml"): "compares QName values as strings",
    (379, "i4.xml"): "compares QName values as strings",
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> list[spectest.Outcome]:
    need(SPECTEST.is_file(), f"{SPECTEST}")
    return spectest.run(SPECTEST, tmp_path_factory.mktemp("spectest"))


def test_the_whole_suite_runs(outcomes):
    schemas = [o for o in outcomes if o.item == "schema"]
    assert len(schemas) == 385
    assert sum(1 for o in schemas if o.expected) == 172
    assert len(outcomes) - len(schemas) == 580


def test_verdicts_are_the_specs_except_listed_libxml2_limitations(outcomes):
    wrong = {(o.case, o.item) for o in outcomes if o.ours != o.expected}
    assert wrong == set(LIBXML2)


def test_nothing_tei_toolkit_adds_changes_a_verdict(outcomes):
    assert [(o.case, o.item) for o in outcomes if o.ours != o.lxml] == []
    reduced = [o for o in outcomes if o.reduced is not None]
    assert len(reduced) > 500  # most instances go through the rewrites too
    assert [(o.case, o.item) for o in reduced if o.reduced != o.lxml] == []


def test_jing_gets_the_listed_cases_right(tmp_path):
    """The listed cases are libxml2's, not the spec's: jing gives the expected verdicts."""
    exe = shutil.which("jing")
    need(exe, "jing (apt-get install -y jing)")
    need(SPECTEST.is_file(), f"{SPECTEST}")
    cases = spectest.cases(SPECTEST)
    for number in sorted({n for n, _ in LIBXML2}):
        schema, correct, instances = spectest.write_case(cases[number - 1],
                                                         tmp_path / f"case{number}")
        jing_correct, verdicts = spectest.jing_verdicts(schema, [i for i, _ in instances])
        assert jing_correct == correct, number
        if correct:
            assert {p.name: v for p, v in verdicts.items()} == \
                {p.name: v for p, v in instances}, number


def test_tei_validate_is_right_where_libxml2_is_wrong(tmp_path):
    """Our engine is tei validate's default: the listed cases get the spec's verdicts."""
    need(SPECTEST.is_file(), f"{SPECTEST}")
    cases = spectest.cases(SPECTEST)
    for number in sorted({n for n, _ in LIBXML2}):
        schema, correct, instances = spectest.write_case(cases[number - 1],
                                                         tmp_path / f"case{number}")
        try:
            validator = Validator(schema, schematron=False, pointers=False)
        except SetupError:
            assert not correct, number
            continue
        assert correct, number
        assert {p.name: validator.validate(p).ok() for p, _ in instances} == \
            {p.name: v for p, v in instances}, number


def test_our_engine_gives_the_specs_verdict_on_every_case_and_instance(outcomes):
    """tei_toolkit's own engine (issue 20): no exceptions, libxml2's seven cases included."""
    judged = [o for o in outcomes if o.derivative is not None]
    assert len(judged) == 385 + 580
    assert [(o.case, o.item, o.derivative_detail) for o in judged
            if o.derivative != o.expected] == []
