"""`tei validate`: the project schema, editorial Schematron, pointers, reports for CI."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from tei_toolkit import import_file
from tei_toolkit.cli import main
from tei_toolkit.validation.validate import Validator

from .conftest import CORPUS, ROOT, TEI_ALL, corpus_sources, installed_tei

DATA = Path(__file__).parent / "data" / "validate"
VALID = sorted((DATA / "valid").glob("*.xml"))
MANIFEST = list(csv.DictReader(
    (DATA / "invalid" / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines(), delimiter="\t"))
LETTER = DATA / "valid" / "letter.xml"
TOOLKIT_MODEL = ('<?xml-model href="tei_toolkit.rng" type="application/xml" '
                 'schematypens="http://relaxng.org/ns/structure/1.0"?>')


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input)


# -- verdicts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", VALID + sorted((CORPUS / "tei").glob("*.xml")), ids=lambda p: p.name)
def test_valid_documents_have_no_problems(validator, path):
    report = validator.validate(path)
    assert report.problems == [], [str(p) for p in report.problems]
    assert report.schema == "tei_toolkit"


def test_fresh_importer_outputs_have_no_problems(validator, tmp_path):
    for src in corpus_sources():
        out = tmp_path / (src.stem + ".xml")
        import_file(src, out)
        assert validator.validate(out).problems == []


@pytest.fixture(scope="module")
def libxml2() -> Validator:
    return Validator(engine="lxml")


@pytest.mark.parametrize("engine", ["derivative", "lxml"])
@pytest.mark.parametrize("row", MANIFEST, ids=lambda r: r["file"])
def test_each_invalid_document_fails_with_the_expected_problem(validator, libxml2, row, engine):
    """Our engine (the default) says a RELAX NG problem in jing's words; libxml2's messages
    are rebuilt into sentences of our own."""
    report = (validator if engine == "derivative" else libxml2).validate(
        DATA / "invalid" / row["file"])
    assert not report.ok()
    found = [p for p in report.errors if p.source == row["source"]]
    assert found, [str(p) for p in report.problems]
    fragment = row["message fragment" if engine == "derivative" else "lxml fragment"]
    assert any(fragment in p.message for p in found), [p.message for p in found]
    for p in report.problems:
        assert p.line > 0 and p.column > 0, str(p)  # never libxml2's column 0


def test_every_invalid_file_is_in_the_manifest():
    assert sorted(p.name for p in (DATA / "invalid").glob("*.xml")) == \
        sorted(r["file"] for r in MANIFEST)


def test_columns_point_at_the_start_tag(validator):
    path = DATA / "invalid" / "unknown-element.xml"
    (p,) = validator.validate(path).errors
    line = path.read_text(encoding="utf-8").split("\n")[p.line - 1]
    assert line[p.column - 1:].startswith("<sparkle")
    assert p.path == "/TEI/text/body/div/p[1]/sparkle"


def test_messages_say_what_was_expected(validator, libxml2):
    message = next(p.message for p in validator.validate(
        DATA / "invalid" / "choice-one-child.xml").errors if p.source == "relaxng")
    assert message.startswith('element "choice" incomplete; expected element ') and \
        '"expan"' in message
    message = next(p.message for p in libxml2.validate(
        DATA / "invalid" / "choice-one-child.xml").errors if p.source == "relaxng")
    assert "Expecting an element , got nothing" not in message
    assert "<choice> is incomplete" in message and "<expan>" in message


def test_schematron_warnings_are_warnings(validator, tmp_path):
    doc = tmp_path / "w.xml"
    doc.write_text(LETTER.read_text(encoding="utf-8").replace(
        '<gap reason="illegible" quantity="2" unit="words"/>', '<gap quantity="2" unit="words"/>'),
        encoding="utf-8")
    report = validator.validate(doc)
    assert [(p.severity, p.source) for p in report.problems] == [("warning", "schematron")]
    assert report.ok() and not report.ok(strict=True)


# -- the subset property: the project schema is a strict subset of TEI P5 ------------------------

def test_valid_documents_are_valid_tei_all(jing):
    ok, report = jing.validate(VALID + sorted((CORPUS / "tei").glob("*.xml")))
    assert ok, report


def test_invalid_documents_fail_both_schemas(jing):
    for row in MANIFEST:
        ok, _ = jing.validate([DATA / "invalid" / row["file"]])
        assert ok == (row["tei_all"] == "valid"), row["file"]


def test_the_committed_schema_is_tei_all_reduced(tei_all):
    from tei_toolkit.validation.schemas import build_project_schema
    committed = (ROOT / "schemas" / "tei_toolkit.rng").read_bytes()
    assert build_project_schema(TEI_ALL) == committed, \
        "schemas/tei_toolkit.rng is stale: run python schemas/build.py ../shared/schemas/tei_all.rng"


# -- choosing the schema -------------------------------------------------------------------------

def _with_model(tmp_path: Path, href: str, body: str | None = None) -> Path:
    # The letter names the project schema; this one names another instead.
    text = LETTER.read_text(encoding="utf-8").replace(TOOLKIT_MODEL, "", 1)
    pi = f'<?xml-model href="{href}" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
    doc = tmp_path / "doc.xml"
    doc.write_text(text.replace("<TEI ", pi + "<TEI ", 1) if body is None else body, encoding="utf-8")
    return doc


def test_local_xml_model_is_honoured(tmp_path):
    (tmp_path / "only-p.rng").write_text(
        '<element name="TEI" ns="http://www.tei-c.org/ns/1.0" '
        'xmlns="http://relaxng.org/ns/structure/1.0"><empty/></element>', encoding="utf-8")
    doc = _with_model(tmp_path, "only-p.rng")
    report = Validator(schematron=False).validate(doc)
    assert report.schema == "only-p.rng"
    assert any(p.source == "relaxng" for p in report.errors)


def test_remote_xml_model_is_never_fetched(tmp_path):
    """Not fetched, and with no tei_all in the cache not checked (never judged by the
    project schema it did not ask for): the reason names the fix."""
    doc = _with_model(tmp_path, "https://example.org/schemas/project.rng")
    report = Validator().validate(doc)
    assert (report.schema, report.problems) == ("", [])
    assert "never fetched" in report.not_checked and "XML catalog" in report.not_checked
    # A published TEI schema not in the cache: the reason says how to get it.
    doc = _with_model(tmp_path, "https://tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng")
    report = Validator().validate(doc)
    assert report.status == "not checked"
    assert "tei schemas fetch tei_all" in report.not_checked


def test_missing_local_xml_model_is_not_checked_with_the_reason(tmp_path):
    doc = _with_model(tmp_path, "nowhere/custom.rng")
    report = Validator().validate(doc)
    assert report.status == "not checked"
    assert "asks for nowhere/custom.rng, which is not found" in report.not_checked


def test_bundled_schema_by_name_and_schema_option(tmp_path):
    result = run("validate", str(LETTER), "--schema", "tei_toolkit", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["files"][0]["schema"] == "tei_toolkit"
    result = run("validate", str(LETTER), "--schema", "no-such-schema")
    assert result.exit_code == 3 and "no schema of that name" in result.stderr


# -- the command ---------------------------------------------------------------------------------

def test_text_format_lines_and_summary():
    result = run("validate", str(DATA / "invalid"), "--no-schematron")
    assert result.exit_code == 1
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert any(re.match(r'.*unknown-element\.xml:78:\d+: error: element "sparkle" not allowed '
                        "anywhere", line) for line in lines)
    assert "invalid" in result.stdout and "errors" in result.stdout


def test_json_format():
    result = run("validate", str(LETTER), str(DATA / "invalid" / "bad-when.xml"), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"problems", "files", "summary"}
    (problem,) = data["problems"]
    assert set(problem) == {"file", "line", "column", "severity", "source", "message", "path"}
    assert problem["source"] == "relaxng" and problem["line"] == 54
    assert data["summary"]["files"] == 2 and data["summary"]["invalid"] == 1


def test_junit_format_one_case_per_file(tmp_path):
    out = tmp_path / "junit.xml"
    result = run("validate", str(DATA / "invalid"), str(LETTER), "--format", "junit",
                 "--output", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    root = etree.parse(str(out)).getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == len(MANIFEST) + 1
    assert int(root.find("testsuite").get("failures")) == len(MANIFEST)
    assert sum(1 for c in cases if c.find("failure") is not None) == len(MANIFEST)


def test_github_format_lines():
    result = run("validate", str(DATA / "invalid"), "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(re.fullmatch(
        r"::(error|warning) file=[^,]+(,line=\d+)?(,col=\d+)?,title=tei validate \(\S+\)::.+", line)
        for line in lines), lines[:3]


def test_exit_codes(tmp_path):
    assert run("validate", str(LETTER)).exit_code == 0
    assert run("validate", str(DATA / "invalid" / "bad-when.xml")).exit_code == 1
    warn = tmp_path / "warn.xml"
    warn.write_text(LETTER.read_text(encoding="utf-8").replace('<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="letter-1"', '<TEI xmlns="http://www.tei-c.org/ns/1.0"'), encoding="utf-8")
    assert run("validate", str(warn)).exit_code == 0
    assert run("validate", str(warn), "--strict").exit_code == 1
    assert run("validate", str(LETTER), "--format", "yaml").exit_code == 2
    assert run("validate", str(tmp_path / "missing.xml")).exit_code == 2
    broken = tmp_path / "broken.rng"
    broken.write_text("<grammar xmlns='http://relaxng.org/ns/structure/1.0'><start><ref name='x'/></start></grammar>")
    result = run("validate", str(LETTER), "--schema", str(broken))
    assert result.exit_code == 3 and "not a correct RELAX NG schema: reference to undefined " \
        'pattern "x"' in result.stderr
    result = run("validate", str(LETTER), "--schema", str(broken), "--engine", "lxml")
    assert result.exit_code == 3 and "not a usable RELAX NG schema" in result.stderr
    unreadable = tmp_path / "secret.xml"
    unreadable.write_text("<x/>")
    unreadable.chmod(0)
    if not _can_read(unreadable):  # not as root: root reads anything
        result = run("validate", str(unreadable))
        assert result.exit_code == 3 and "cannot read" in result.stdout
    # A file that exists and that even root cannot read (Linux: /proc/self/mem at offset 0).
    assert Path("/proc/self/mem").is_file() and not _can_read(Path("/proc/self/mem"))
    result = run("validate", "/proc/self/mem")
    assert result.exit_code == 3 and "/proc/self/mem: error: cannot read" in result.stdout


def _can_read(p: Path) -> bool:
    try:
        p.read_bytes()
        return True
    except OSError:
        return False


def test_stdin_and_globs(tmp_path):
    result = run("validate", "-", "--format", "json", input=LETTER.read_bytes())
    assert result.exit_code == 0 and json.loads(result.stdout)["files"][0]["file"] == "-"
    result = run("validate", str(DATA / "invalid" / "bad-*.xml"), "--format", "json")
    assert json.loads(result.stdout)["summary"]["files"] == 3
    assert run("validate", str(tmp_path / "*.nothing")).exit_code == 2


def test_custom_and_no_schematron(tmp_path):
    sch = tmp_path / "rules.sch"
    sch.write_text('<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt">'
                   '<ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/><pattern><rule context="tei:p">'
                   '<report test="true()" role="warning">a paragraph</report></rule></pattern></schema>')
    result = run("validate", str(LETTER), "--schematron", str(sch), "--format", "json")
    warnings = json.loads(result.stdout)["problems"]
    assert warnings and {w["message"] for w in warnings} == {"a paragraph"}
    result = run("validate", str(DATA / "invalid" / "supplied-without-reason.xml"), "--no-schematron")
    assert result.exit_code == 0


def test_threads_keep_each_files_problems_apart(tmp_path):
    """lxml keeps a validator's error log on the validator: threads must not share one."""
    files = []
    for i in range(24):
        row = MANIFEST[i % len(MANIFEST)]
        p = tmp_path / f"{i:02d}-{row['file']}"
        shutil.copy(DATA / "invalid" / row["file"], p)
        files.append(p)
        ok = tmp_path / f"{i:02d}-ok.xml"
        shutil.copy(LETTER, ok)
        files.append(ok)
    v = Validator()
    one = [[(q.line, q.message) for q in r.problems] for r in v.validate_paths(files, jobs=1)]
    two = [[(q.line, q.message) for q in r.problems] for r in v.validate_paths(files, jobs=2)]
    assert one == two


def test_installed_command_validates_without_the_repository(tmp_path):
    """The schemas ship inside the package: run the installed `tei` far from the checkout."""
    tei = installed_tei()
    doc = tmp_path / "letter.xml"
    shutil.copy(LETTER, doc)
    bad = tmp_path / "bad.xml"
    shutil.copy(DATA / "invalid" / "unknown-element.xml", bad)
    proc = subprocess.run([tei, "validate", ".", "--format", "json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["summary"]["valid"] == 1 and data["summary"]["invalid"] == 1


def test_pointer_schemes(tmp_path):
    doc = tmp_path / "ptr.xml"
    doc.write_text(LETTER.read_text(encoding="utf-8").replace(
        '<ptr target="#n2"/>', '<ptr target="#range(n2,nope) #xpath(//p) #n2"/>'), encoding="utf-8")
    report = Validator().validate(doc)
    assert [p.message for p in report.errors] == [
        '@target points to #range(n2,nope), but no element has xml:id="nope"']
    assert Validator(pointers=False).validate(doc).problems == []


def test_duplicate_xml_id_is_reported_once_with_or_without_the_pointer_check():
    path = DATA / "invalid" / "duplicate-xml-id.xml"
    for pointers in (True, False):
        report = Validator(pointers=pointers).validate(path)
        assert [(p.source, p.line) for p in report.errors] == [("xml:id", 80)], \
            [str(p) for p in report.problems]
        assert 'duplicate xml:id "n2"' in report.errors[0].message
