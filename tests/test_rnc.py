"""Compact-syntax schemas, when the optional rnc2rng package is installed."""

import pytest

from tei_toolkit.validation.validate import Validator

from .conftest import need
from .test_validate import LETTER



@pytest.fixture(autouse=True)
def _rnc2rng() -> None:
    import importlib.util
    need(importlib.util.find_spec("rnc2rng"), "rnc2rng (the test extra installs it)")


def test_rnc_schema(tmp_path):
    rnc = tmp_path / "only.rnc"
    rnc.write_text('default namespace = "http://www.tei-c.org/ns/1.0"\nstart = element TEI { empty }\n')
    report = Validator(rnc, schematron=False).validate(LETTER)
    assert report.schema == str(rnc)
    # As jing says it: the attributes, and each child of TEI (not what is inside them).
    assert [p.message for p in report.errors] == [
        'found attribute "xml:id", but no attributes allowed here',
        'found attribute "xml:lang", but no attributes allowed here'] + [
        f'element "{name}" not allowed anywhere; expected the element end-tag'
        for name in ("teiHeader", "standOff", "text")]
    report = Validator(rnc, schematron=False, engine="lxml").validate(LETTER)
    assert [p.message for p in report.errors] == ["<teiHeader> is not allowed here, inside <TEI>"]


def test_broken_rnc_schema_is_a_setup_error(tmp_path):
    from click.testing import CliRunner

    from tei_toolkit.cli import main

    rnc = tmp_path / "broken.rnc"
    rnc.write_text("start = element TEI { \n")
    result = CliRunner().invoke(main, ["validate", str(LETTER), "--schema", str(rnc)])
    assert result.exit_code == 3
    assert str(rnc) in result.stderr and "Traceback" not in result.output
