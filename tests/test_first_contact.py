"""First contact (issue 24, item 1): a file is judged only by the schema it asks for, or by
tei_all, or not at all; never by the importer's subset because nothing else was at hand.

Other projects' TEI (../shared/bench/tei: DraCor plays that name a remote schema, HSG
volumes that name none; every one valid for jing against tei_all) on a fresh machine, with
an empty schema cache, then with tei_all added.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from .conftest import CORPUS, SHARED, installed_tei, need

BENCH = SHARED / "bench" / "tei"


def tei(*args: str, env: dict | None = None, cwd: Path | None = None):
    return subprocess.run([installed_tei(), "validate", *args], capture_output=True,
                          text=True, timeout=600, env={**os.environ, **(env or {})}, cwd=cwd)


@pytest.fixture(scope="module")
def bench() -> Path:
    need(BENCH.is_dir(), str(BENCH))
    return BENCH


def test_with_an_empty_cache_foreign_tei_is_not_checked_never_invalid(bench, schema_cache):
    proc = tei(str(bench), "--format", "json")
    assert proc.returncode == 3, proc.stderr  # nothing could be checked
    out = json.loads(proc.stdout)
    assert len(out["files"]) == 464
    assert {f["status"] for f in out["files"]} == {"not checked"}
    assert not [p for p in out["problems"] if p["severity"] == "error"]
    causes = out["summary"]["not checked because"]
    assert sum(causes.values()) == 464 and len(causes) == 2
    assert all("tei schemas fetch tei_all" in cause for cause in causes)
    # The text report: a line per cause, not per file.
    text = tei(str(bench)).stdout.splitlines()
    assert len(text) < 15 and sum(" files not checked: " in line for line in text) == 2


def test_with_tei_all_cached_every_error_is_a_real_one(bench, cache_with_tei_all):
    env = {"TEI_TOOLKIT_CACHE": str(cache_with_tei_all)}
    proc = tei(str(bench), "--format", "json", env=env)
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out["summary"]["valid"] == 463
    [error] = [p for p in out["problems"] if p["severity"] == "error"]
    assert error["source"] == "pointer"  # the one real dangling pointer
    # 382 identical warnings (a remote schema never fetched) fold into one line.
    text = tei(str(bench), env=env).stdout.splitlines()
    assert len(text) < 20, text
    assert any("the same warning for 381 more file(s)" in line for line in text)
    quiet = tei(str(bench), "--quiet", env=env).stdout
    assert "warning:" not in quiet and "error:" in quiet


def test_the_importers_output_is_checked_against_the_schema_it_names(schema_cache):
    files = sorted((CORPUS / "tei").glob("*.xml"))
    proc = tei(*map(str, files), "--format", "json")
    assert proc.returncode == 0, proc.stdout[-2000:]
    out = json.loads(proc.stdout)
    assert {f["schema"] for f in out["files"]} == {"tei_toolkit"}
    assert {f["status"] for f in out["files"]} == {"valid"}


def test_not_checked_in_each_report_format(tmp_path, schema_cache):
    letter = sorted((CORPUS / "tei").glob("*.xml"))[0]
    checked = tmp_path / "checked.xml"
    shutil.copy(letter, checked)
    unchecked = tmp_path / "foreign.xml"
    unchecked.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/></TEI>')
    # One checked and valid, one not checked: the verdict is the checked file's.
    proc = tei(str(checked), str(unchecked), "--format", "json", "--no-schematron")
    assert proc.returncode == 0
    statuses = {Path(f["file"]).name: f["status"] for f in json.loads(proc.stdout)["files"]}
    assert statuses == {"checked.xml": "valid", "foreign.xml": "not checked"}
    junit = etree.fromstring(tei(str(unchecked), "--format", "junit").stdout.encode())
    [case] = junit.iter("testcase")
    assert case.find("skipped") is not None and case.find("failure") is None
    assert "not checked" in case.find("skipped").get("message")
    github = tei(str(unchecked), "--format", "github").stdout
    assert github.startswith("::notice file=") and "not checked" in github
