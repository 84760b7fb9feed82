"""Compact-syntax schemas, when the optional rnc2rng package is installed."""

import pytest

from tei_toolkit.validate import Validator

from .test_validate import LETTER

pytest.importorskip("rnc2rng")


def test_rnc_schema(tmp_path):
    rnc = tmp_path / "only.rnc"
    rnc.write_text('default namespace = "http://www.tei-c.org/ns/1.0"\nstart = element TEI { empty }\n')
    report = Validator(rnc, schematron=False).validate(LETTER)
    assert report.schema == str(rnc)
    assert [p.message for p in report.errors] == ["<teiHeader> is not allowed here, inside <TEI>"]
