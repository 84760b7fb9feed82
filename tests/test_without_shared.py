"""Without ../shared the tests that need it skip, each saying what it needs; under CI=true
they fail instead (conftest.need). Run on a copy of the repository with no ../shared beside
it: the tests that use ../shared (found by reading the test files: whatever names SHARED,
TEI_ALL or the samples, directly or through a fixture) skip or pass, and none fails."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT
from .helpers import copy_checkout

_BASE = {"SHARED", "TEI_ALL", "shared_samples"}


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | \
        {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def _dependents(path: Path, known: set[str]) -> tuple[set[str], set[str]]:
    """(module names bound from ../shared, functions using ../shared) of a test module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    consts = {t.id for node in tree.body if isinstance(node, ast.Assign)
              and _names(node.value) & known for t in node.targets if isinstance(t, ast.Name)}
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    found: set[str] = set()
    grew = True
    while grew:
        grew = False
        for f in funcs:
            uses = _names(f) | {a.arg for a in f.args.args}
            for decorator in f.decorator_list:
                uses |= _names(decorator)
            if f.name not in found and uses & (known | consts | found):
                found.add(f.name)
                grew = True
    return consts, found


def shared_users() -> list[str]:
    consts, fixtures = _dependents(ROOT / "tests" / "conftest.py", set(_BASE))
    known = _BASE | consts | fixtures
    out: list[str] = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        out += [f"tests/{path.name}::{name}" for name in sorted(_dependents(path, known)[1])
                if name.startswith("test_")]
    return out


def test_without_shared_the_tests_that_need_it_skip_with_the_reason(tmp_path):
    selected = shared_users()
    assert len(selected) > 40
    repo = tmp_path / "repo"  # no tmp_path / "shared"
    copy_checkout(ROOT, repo)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           *selected], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=1200)
    summary = proc.stdout.strip().splitlines()[-1]
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert " failed" not in summary and " error" not in summary, summary
    skips = [line for line in proc.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skips, summary
    for line in skips:
        assert re.search(r"needs .*shared|got empty parameter set", line), line
    # Under CI the same tests fail, never skip (conftest.need).
    env["CI"] = "true"
    one = next(s for s in selected if "test_corpus_holds_the_shared" in s)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", one],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "CI must run this test" in proc.stdout, proc.stdout
