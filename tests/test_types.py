"""The package type-checks (mypy --strict, with types-lxml): run here so CI runs it."""

import importlib.util
import subprocess
import sys

from .conftest import ROOT, need


def test_mypy_finds_no_errors():
    need(importlib.util.find_spec("mypy"), "mypy (the test extra installs it)")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr

