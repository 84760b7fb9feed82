"""Shared fixtures: the repository's corpus, ../shared, and jing as the validity oracle."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
TEI_ALL = SHARED / "schemas" / "tei_all.rng"
SEED = CORPUS / "sources" / "000_b00edda5464e9fe3.txt"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

os.environ.setdefault("TERM", "dumb")  # rich adds no escapes to what the CLI tests read
# The schema cache (tei schemas fetch/add) of the tests is their own, empty at the start: the
# verdicts never depend on what the developer has cached. Subprocesses inherit it.
_CACHE = tempfile.mkdtemp(prefix="tei-toolkit-test-cache-")
os.environ["TEI_TOOLKIT_CACHE"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)
os.environ.pop("XML_CATALOG_FILES", None)


def corpus_sources() -> list[Path]:
    return sorted((CORPUS / "sources").glob("*.txt"))


def shared_samples() -> list[Path]:
    return sorted((SHARED / "samples").glob("*.txt"))


class Jing:
    """Debian's jing against ../shared/schemas/tei_all.rng: the independent oracle."""

    def __init__(self, exe: str) -> None:
        self.exe = exe

    def verdicts(self, files: list[Path], schema: Path = TEI_ALL) -> dict[Path, bool]:
        """Each file's verdict, from one jing run (a JVM start per file would take minutes).
        jing stops at a file that is not well-formed, so those are left out of the run; after
        any other fatal error (an XInclude jing cannot resolve) the batch's verdicts are not
        trusted and each file is run alone."""
        from lxml import etree

        verdicts: dict[Path, bool] = {}
        for f in files:
            try:
                etree.parse(str(f), etree.XMLParser(resolve_entities=False, no_network=True))
            except etree.XMLSyntaxError:
                verdicts[f] = False
        rest = [f for f in files if f not in verdicts]
        runs = [rest]
        while runs:
            batch = runs.pop()
            if not batch:
                continue
            proc = subprocess.run([self.exe, str(schema), *map(str, batch)],
                                  capture_output=True, text=True, timeout=600)
            if len(batch) > 1 and ": fatal: " in proc.stdout:
                runs.extend([f] for f in batch)
                continue
            bad = {line.split(":", 1)[0] for line in proc.stdout.splitlines() if ": " in line}
            verdicts.update({f: str(f.resolve()) not in bad and str(f) not in bad
                             for f in batch})
        return verdicts

    def validate(self, files: list[Path]) -> tuple[bool, str]:
        proc = subprocess.run([self.exe, str(TEI_ALL), *map(str, files)],
                              capture_output=True, text=True, timeout=600)
        # Debian's wrapper warns about optional jars on stderr; the verdict is on stdout.
        return proc.returncode == 0 and not proc.stdout.strip(), proc.stdout


def need(ok: object, what: str) -> None:
    """Skip a test that needs ``what`` where it is missing; under CI=true, fail instead: CI
    must never pass by skipping what it is there to check."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test, but {what} is missing")
    pytest.skip(f"needs {what}")


@pytest.fixture(scope="session")
def tei_all() -> Path:
    need(TEI_ALL.is_file(), f"{TEI_ALL}")
    return TEI_ALL


@pytest.fixture(scope="session")
def jing(tei_all: Path) -> Jing:
    exe = shutil.which("jing")
    need(exe, "jing (apt-get install -y jing)")
    return Jing(exe)  # type: ignore[arg-type]


def installed_tei() -> str:
    """The installed `tei` program (needed: the tests run what users run)."""
    import sys
    exe = shutil.which("tei") or str(Path(sys.executable).parent / "tei")
    need(Path(exe).exists(), "the installed tei command (pip install .)")
    return exe


@pytest.fixture
def schema_cache(tmp_path, monkeypatch) -> Path:
    """A fresh, empty schema cache for one test (subprocesses inherit it)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TEI_TOOLKIT_CACHE", str(cache))
    return cache


@pytest.fixture(scope="session")
def cache_with_tei_all(tmp_path_factory, tei_all) -> Path:
    """A schema cache holding tei_all, added with the installed `tei` as an offline machine
    would (`tei schemas add`); pass it as TEI_TOOLKIT_CACHE to subprocesses."""
    cache = tmp_path_factory.mktemp("cache")
    proc = subprocess.run([installed_tei(), "schemas", "add", str(tei_all)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "TEI_TOOLKIT_CACHE": str(cache)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("tei_all@4.12.0 ")
    return cache
