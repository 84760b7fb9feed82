"""Regression tests for what a security review and a first-time user found (one per finding;
each failed on the code before its fix)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from tei_toolkit import SetupError, Validator, expand_paths
from tei_toolkit.cli import main
from tei_toolkit.validation.document import Document
from tei_toolkit.validation.rng import Grammar
from tei_toolkit.xmlcore import has_doctype

from .conftest import CORPUS, ROOT, SEED, installed_tei, need
from .test_validate import LETTER

TEI_NS = "http://www.tei-c.org/ns/1.0"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# 1. The DOCTYPE sniff --------------------------------------------------------------------------
@pytest.mark.parametrize("prolog, expected", [
    (b"<?xml version='1.0'?>\n<TEI/>", False),
    (b"<!-- <a -->\n<!DOCTYPE TEI SYSTEM 'x.dtd'>\n<TEI/>", True),
    (b"<?pi <a ?>\n<!DOCTYPE TEI SYSTEM 'x.dtd'>\n<TEI/>", True),
    (b"<!-- a comment --><?xml-model href='a.rng'?>\n<TEI/>", False),
    (b"\xef\xbb\xbf<TEI/>", False),
    (b"<!-- never closed <TEI/>", True),
    (b"   <!DOCTYPE TEI>\n<TEI/>", True),
    (b"\xff\xfe<\x00T\x00", True),
])
def test_doctype_sniff_reads_the_prolog_as_xml(prolog, expected):
    assert has_doctype(prolog) is expected


def _dtd_document(folder: Path, dtd_name: str) -> Path:
    doc = folder / "doc.xml"
    doc.write_text(f'<?xml version="1.0"?>\n<!-- <a -->\n<!DOCTYPE TEI SYSTEM "{dtd_name}">\n'
                   f'<TEI xmlns="{TEI_NS}"><p>&x;</p></TEI>\n', encoding="utf-8")
    return doc


def test_a_local_dtd_behind_a_comment_is_never_read(tmp_path):
    (tmp_path / "secret.dtd").write_text('<!ENTITY x "DTD-SECRET">\n')
    doc = _dtd_document(tmp_path, "secret.dtd")
    d = Document(str(doc), doc.read_bytes())
    list(d.parse())
    assert d.tree is not None and d.tree.docinfo.externalDTD is None  # the DTD was not loaded
    result = run("validate", str(doc), "--format", "json")
    assert "DTD-SECRET" not in result.output
    assert any("entity reference &x; is not expanded" in p["message"]
               for p in json.loads(result.stdout)["problems"])


def test_a_fifo_as_dtd_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "fifo.dtd")
    doc = _dtd_document(tmp_path, "fifo.dtd")
    proc = subprocess.run([installed_tei(), "validate", str(doc)], capture_output=True,
                          text=True, timeout=60)  # reading the FIFO would block for ever
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


# 2. Schematron named by a document ----------------------------------------------------------------
def _leaky(folder: Path, select: str) -> Path:
    (folder / "leak.sch").write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt">'
        '<pattern><rule context="/*"><report test="true()">read: '
        f'<value-of select="{select}"/></report></rule></pattern></schema>', encoding="utf-8")
    doc = folder / "doc.xml"
    doc.write_text('<?xml-model href="leak.sch" '
                   'schematypens="http://purl.oclc.org/dsdl/schematron"?>\n'
                   f'<TEI xmlns="{TEI_NS}"/>\n', encoding="utf-8")
    return doc


def test_a_documents_schematron_cannot_read_files_elsewhere(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.xml").write_text("<s>OUTSIDE-SECRET</s>")
    project = tmp_path / "project"
    project.mkdir()
    doc = _leaky(project, f"document('file://{elsewhere / 'secret.xml'}')")
    result = run("validate", str(doc), "--format", "json", "--no-pointers")
    assert "OUTSIDE-SECRET" not in result.output
    messages = [p["message"] for p in json.loads(result.stdout)["problems"]]
    assert any("outside the folders of the schema and the document; refused" in m
               for m in messages), messages
    assert result.exit_code == 1
    # Allowed on request, and files beside the schema are always readable.
    result = run("validate", str(doc), "--format", "json", "--allow-read", str(elsewhere))
    assert "OUTSIDE-SECRET" in result.output
    (project / "lookup.xml").write_text("<s>BESIDE</s>")
    doc = _leaky(project, "document('lookup.xml')")
    assert "BESIDE" in run("validate", str(doc), "--format", "json").output


def test_a_schematron_run_time_error_is_a_problem_not_a_crash(tmp_path):
    doc = _leaky(tmp_path, "document('http://127.0.0.1:9/x.xml')")  # network is off
    result = run("validate", str(doc), "--format", "json")
    assert result.exit_code == 1, result.output
    problems = json.loads(result.stdout)["problems"]
    assert any(p["source"] == "schematron" and "failed while running" in p["message"]
               for p in problems), problems


def test_a_schematron_reading_a_missing_allowed_file_is_a_problem_not_a_crash(tmp_path):
    doc = _leaky(tmp_path, "document('missing.xml')")  # allowed (beside the schema), absent
    result = run("validate", str(doc), "--format", "json")
    assert result.exit_code == 1, result.output
    problems = json.loads(result.stdout)["problems"]
    assert any(p["source"] == "schematron" and "failed while running" in p["message"]
               and "missing.xml" in p["message"] for p in problems), problems


# 3. Report text is never markup ------------------------------------------------------------------
def test_file_names_with_brackets_print_as_they_are(tmp_path):
    folder = tmp_path / "q[" / "x"
    folder.mkdir(parents=True)
    doc = folder / "[red]y.xml"
    doc.write_text(f'<TEI xmlns="{TEI_NS}"><oops/></TEI>')
    result = run("validate", str(doc), "--schema", "tei_toolkit")
    assert result.exit_code == 1, result.output
    assert f"{doc}:1:" in result.stdout and "[relaxng]" in result.stdout


# 4. The report never replaces a document -----------------------------------------------------------
def test_validate_output_cannot_be_one_of_the_inputs(tmp_path):
    doc = tmp_path / "doc.xml"
    shutil.copy(LETTER, doc)
    before = doc.read_bytes()
    (tmp_path.parent / f"{tmp_path.name}-link").symlink_to(tmp_path)  # the folder again
    os.link(doc, tmp_path / "doc.json")  # the document under another name
    for output in (str(doc), str(tmp_path / "." / "doc.xml"),
                   str(tmp_path.parent / f"{tmp_path.name}-link" / "doc.xml"),
                   str(tmp_path / "doc.json")):
        result = run("validate", str(tmp_path), "--output", output)
        assert result.exit_code == 3 and "would overwrite a document" in result.stderr
    assert doc.read_bytes() == before


# 5. A Validator holds no batch state --------------------------------------------------------------
def test_a_reused_validator_sees_a_file_edited_after_its_batch(tmp_path):
    doc = tmp_path / "doc.xml"
    shutil.copy(LETTER, doc)
    v = Validator(schematron=False)
    assert all(r.ok() for r in v.validate_paths([doc]))
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace("<p>", "<p><hi rend=\"italic\">new</hi> ", 1), encoding="utf-8")
    report = v.validate(doc)
    assert report.problems == [], [str(p) for p in report.problems]


# 6. The include guard -----------------------------------------------------------------------
def test_a_childless_include_is_refused_without_a_warning():
    tree = etree.ElementTree(etree.fromstring(
        b'<grammar xmlns="http://relaxng.org/ns/structure/1.0"><include href="x.rng"/>'
        b'<start><element name="a"><empty/></element></start></grammar>'))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="include"):
            Grammar(tree)


# 7. One path expansion --------------------------------------------------------------------------
def test_a_file_named_twice_is_converted_once(tmp_path):
    sub = tmp_path / "d" / "sub"
    sub.mkdir(parents=True)
    shutil.copy(SEED, sub / "a.txt")
    result = run("import", str(tmp_path / "d"), str(sub), str(sub / "a.txt"), "-d",
                 str(tmp_path / "out"), "--json")
    assert result.exit_code == 0, result.stderr
    files = json.loads(result.stdout)["files"]
    assert [Path(f["output"]).relative_to(tmp_path / "out") for f in files] == \
        [Path("sub/a.xml")]


def test_validate_paths_expands_directories_and_globs_as_the_cli_does(tmp_path):
    shutil.copy(LETTER, tmp_path / "a.xml")
    (tmp_path / "deep").mkdir()
    shutil.copy(LETTER, tmp_path / "deep" / "b.xml")
    v = Validator(schematron=False)
    by_dir = [r.file for r in v.validate_paths([tmp_path])]
    by_glob = [r.file for r in v.validate_paths([f"{tmp_path}/**/*.xml", tmp_path / "a.xml"])]
    assert sorted(by_dir) == sorted(by_glob) == [str(tmp_path / "a.xml"),
                                                  str(tmp_path / "deep" / "b.xml")]
    assert all(r.ok() for r in v.validate_paths([tmp_path]))
    with pytest.raises(SetupError, match="no such file"):
        expand_paths([tmp_path / "missing.xml"], ".xml")


def test_a_file_named_twice_through_links_comes_once(tmp_path):
    # "Once" is by the file's real path: a symbolic link to a folder, "link/..", a link to
    # the file itself all name one file; two folders' files of one name are two.
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "a.xml").write_text("<a/>")
    (tmp_path / "real" / "sub" / "a.xml").write_text("<a/>")
    (tmp_path / "link").symlink_to(tmp_path / "real" / "sub")
    (tmp_path / "alias.xml").symlink_to(tmp_path / "real" / "a.xml")
    found = expand_paths([tmp_path / "real", tmp_path / "link" / ".." / "a.xml",
                          tmp_path / "alias.xml", tmp_path / "link" / "a.xml"], ".xml")
    assert found == [tmp_path / "real" / "a.xml", tmp_path / "real" / "sub" / "a.xml"]


# 8. An interrupted batch leaves no temporary files ------------------------------------------------
def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_interrupting_a_batch_leaves_no_temporary_files(tmp_path):
    sources = tmp_path / "src"
    sources.mkdir()
    text = SEED.read_bytes()
    for i in range(4000):
        (sources / f"d{i:05d}.txt").write_bytes(text)
    out = tmp_path / "out"
    for sig in (signal.SIGINT, signal.SIGTERM):
        shutil.rmtree(out, ignore_errors=True)
        # Ctrl-C as a terminal delivers it: to a program whose SIGINT is not ignored. (A test
        # run started in the background of a non-interactive shell has it ignored, and every
        # program it starts inherits that.)
        proc = subprocess.Popen([installed_tei(), "import", str(sources), "-d", str(out),
                                 "--jobs", "2"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True,
                                preexec_fn=_default_sigint)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(out.glob("*.xml"))) < 50:
            time.sleep(0.02)
        os.killpg(proc.pid, sig)  # Ctrl-C reaches the whole process group
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # leave no stuck processes behind
            proc.communicate()
            pytest.fail(f"tei import hung after {sig.name}")
        assert proc.returncode == 130, err
        assert b"Traceback" not in err
        leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
        assert leftovers == []
        assert all(p.stat().st_size > 0 for p in out.glob("*.xml"))


# 8b. Workers run the package the command runs, and a worker that cannot start hangs nothing ------
def test_workers_do_not_import_a_tei_toolkit_from_the_working_directory(tmp_path):
    """Python 3.11's fork server puts the working directory first on its sys.path: run in a
    checkout, the workers imported the checkout, not the installed (compiled) package."""
    decoy = tmp_path / "tei_toolkit"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('the decoy was imported')\n")
    for i in range(4):
        shutil.copy(SEED, tmp_path / f"d{i}.txt")
    done = subprocess.run([installed_tei(), "import", ".", "-d", "out", "--jobs", "2",
                           "--json"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert len(json.loads(done.stdout)["files"]) == 4


def _unpicklable() -> None:
    raise RuntimeError("settings that do not unpickle")


def test_a_worker_that_cannot_start_fails_each_file_instead_of_hanging(tmp_path):
    script = f"""
import sys
from pathlib import Path
sys.path[:0] = [{str(ROOT)!r}]
from tei_toolkit import Profile, Register, default_lexicon
from tei_toolkit.importer import batch
from tests import test_hardening

class Broken(Register):
    def __reduce__(self):
        return test_hardening._unpicklable, ()

plan = batch.plan_outputs([{str(CORPUS / "sources")!r}], output_dir=Path({str(tmp_path / "out")!r}))
results = batch.run(plan, default_lexicon(), Profile.default(), register=Broken(), jobs=2)
print(len(results), sum(r.ok for r in results))
print(results[0].error)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    counts, error = done.stdout.splitlines()
    count, ok = counts.split()
    assert int(count) == len(list((CORPUS / "sources").glob("*.txt"))) and ok == "0"
    assert "internal error: an import worker could not start: RuntimeError: settings that " \
        "do not unpickle" in error and "corpus/sources/" in error


def test_a_result_the_batch_cannot_read_is_an_error_not_a_hang():
    """Results cross back pickled by the worker and unpickled by the batch, which turns a
    result it cannot read into that file's error (multiprocessing would lose its result
    thread and wait forever)."""
    from tei_toolkit.importer import batch
    from tei_toolkit.importer.convert import ImportResult

    result = batch._received(("a.txt", "a.xml", b"not a pickle"))
    assert not result.ok and result.source == "a.txt" and result.output == "a.xml"
    assert str(result.error).startswith("a.txt: error: internal error: a worker's result "
                                        "cannot be read: UnpicklingError")
    from tei_toolkit import Profile, Register, default_lexicon

    batch._init(default_lexicon(), Profile.default(), False, False, Register.default())
    sent = batch._convert_in_worker((SEED, None))
    assert sent[:2] == (str(SEED), None)
    assert isinstance(batch._received(sent), ImportResult) and batch._received(sent).ok


# 9. Finishing an interrupted batch ----------------------------------------------------------------
def test_skip_existing_finishes_a_batch(tmp_path):
    out = tmp_path / "out"
    assert run("import", str(CORPUS / "sources"), "-d", str(out)).exit_code == 0
    first = sorted(out.glob("*.xml"))
    first[0].unlink()
    result = run("import", str(CORPUS / "sources"), "-d", str(out))
    assert result.exit_code == 3 and "--skip-existing" in result.stderr
    first[0].unlink()  # that run wrote the missing one and failed on the rest
    result = run("import", str(CORPUS / "sources"), "-d", str(out), "--skip-existing", "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert (summary["converted"], summary["skipped"]) == (1, len(first) - 1)
    assert sorted(out.glob("*.xml")) == first
    assert run("import", str(SEED), "-d", str(out), "--force", "--skip-existing").exit_code == 2


# 10. The pre-commit hook ---------------------------------------------------------------------------
def test_non_tei_xml_is_skipped_unless_strict(tmp_path):
    (tmp_path / "pom.xml").write_text("<project><modelVersion>4</modelVersion></project>")
    shutil.copy(ROOT / "schemas" / "tei_toolkit.rng", tmp_path / "tei_toolkit.rng.xml")
    shutil.copy(LETTER, tmp_path / "letter.xml")
    result = run("validate", str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.stdout
    data = json.loads(result.stdout)
    assert data["summary"]["skipped"] == 2 and data["summary"]["valid"] == 1
    # --strict: the non-TEI files are checked too, and with no schema of theirs (and no
    # tei_all) that fails: a strict run wants every file checked.
    assert run("validate", str(tmp_path), "--strict").exit_code == 1
    wrong_ns = tmp_path / "wrong.xml"  # meant to be TEI: not skipped; without tei_all,
    wrong_ns.write_text("<TEI xmlns='http://example.org/'/>")  # not checked either
    result = run("validate", str(wrong_ns), "--format", "json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["files"][0]["status"] == "not checked"
    assert run("validate", str(wrong_ns), "--schema", "tei_toolkit").exit_code == 1


def test_the_pre_commit_hook_really_runs(tmp_path):
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    need(Path(pre_commit).exists(), "pre-commit (the test extra installs it)")
    need(shutil.which("git"), "git")
    repo = tmp_path / "edition"
    repo.mkdir()
    # TEI_TOOLKIT_PURE: the hook validates; compiling the import pipeline into its
    # environment (setup.py) would add a minute to this test and nothing it checks.
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "TEI_TOOLKIT_PURE": "1"}
    shutil.copy(LETTER, repo / "letter.xml")
    (repo / "pom.xml").write_text("<project><modelVersion>4</modelVersion></project>")
    shutil.copy(ROOT / "schemas" / "tei_toolkit.rng", repo / "tei_toolkit.rng")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)

    def hook() -> subprocess.CompletedProcess:
        return subprocess.run([pre_commit, "try-repo", str(ROOT), "tei-validate", "--all-files"],
                              cwd=repo, capture_output=True, text=True, env=env, timeout=600)

    proc = hook()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = (repo / "letter.xml").read_text(encoding="utf-8").replace("<p>", "<p><sparkle/>", 1)
    (repo / "letter.xml").write_text(bad, encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    proc = hook()
    assert proc.returncode == 1 and 'element "sparkle" not allowed anywhere' in proc.stdout, proc.stdout


# 11. Messages -----------------------------------------------------------------------------------
def test_export_of_non_tei_names_the_file(tmp_path):
    other = tmp_path / "random.xml"
    other.write_text("<catalog/>")
    result = run("export", str(other))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{other}:1: error: the root element is 'catalog'")


def test_a_bad_schema_never_reports_a_negative_line(tmp_path):
    schema = tmp_path / "notschema.rng"
    schema.write_text("<notarelaxnggrammar/>")
    result = run("validate", str(LETTER), "--schema", str(schema))
    assert result.exit_code == 3 and str(schema) in result.stderr
    assert ":-1" not in result.stderr and "-1:" not in result.stderr


def test_problems_come_in_line_and_column_order(tmp_path):
    doc = tmp_path / "doc.xml"
    text = LETTER.read_text(encoding="utf-8")
    # A pointer problem early, a RELAX NG problem late, a duplicate id in between.
    text = text.replace("<p>", '<p><ref target="#nowhere">x</ref>', 1)
    text = text.replace("</body>", "<sparkle/></body>")
    doc.write_text(text, encoding="utf-8")
    report = Validator().validate(doc)
    keys = [(p.line, p.column) for p in report.problems]
    assert len({p.source for p in report.problems}) >= 2 and keys == sorted(keys)


# 13. Output folders --------------------------------------------------------------------------------
def test_a_missing_output_folder_is_created_and_said(tmp_path):
    out = tmp_path / "a" / "b" / "seed.xml"
    result = run("import", str(SEED), "-o", str(out))
    assert result.exit_code == 0 and out.is_file()
    assert f"creating folder {out.parent}" in result.stderr
    report = tmp_path / "reports" / "r.json"
    result = run("validate", str(LETTER), "--format", "json", "--output", str(report))
    assert result.exit_code == 0 and json.loads(report.read_text())["summary"]["files"] == 1
    assert f"creating folder {report.parent}" in result.stderr


def test_scan_workers_do_not_inherit_the_commands_sigterm_handler(tmp_path):
    """The CLI's SIGTERM handler raises KeyboardInterrupt; a forked scan worker that inherited
    it could catch Pool.terminate()'s SIGTERM where it waits for a task and live on, and the
    pool's join then waited for ever (seen once under load: `tei validate` hung). Workers
    start with SIGTERM at its default action."""
    script = tmp_path / "probe.py"
    script.write_text(
        "import multiprocessing, signal, sys\n"
        "from tei_toolkit.interrupts import child_started, forking_children\n"
        "def raise_(*a):\n    raise KeyboardInterrupt\n"
        "signal.signal(signal.SIGTERM, raise_)\n"
        "def caught(pid):\n"
        "    for line in open(f'/proc/{pid}/status'):\n"
        "        if line.startswith('SigCgt:'):\n"
        "            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))\n"
        "with forking_children():\n"
        "    pool = multiprocessing.get_context('fork').Pool(2, initializer=child_started)\n"
        "pool.map(abs, range(10))\n"
        "workers = [p.pid for p in pool._pool]\n"
        "print(caught(multiprocessing.current_process().pid), [caught(w) for w in workers])\n"
        "pool.terminate()\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "[False,", "False]"]
