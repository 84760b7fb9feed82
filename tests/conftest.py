"""Shared fixtures: the repository's corpus, ../shared, and jing as the validity oracle."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
TEI_ALL = SHARED / "schemas" / "tei_all.rng"
SEED = CORPUS / "sources" / "000_b00edda5464e9fe3.txt"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

os.environ.setdefault("TERM", "dumb")  # rich adds no escapes to what the CLI tests read


def corpus_sources() -> list[Path]:
    return sorted((CORPUS / "sources").glob("*.txt"))


def shared_samples() -> list[Path]:
    return sorted((SHARED / "samples").glob("*.txt"))


class Jing:
    """Debian's jing against ../shared/schemas/tei_all.rng: the independent oracle."""

    def __init__(self, exe: str) -> None:
        self.exe = exe

    def verdicts(self, files: list[Path]) -> dict[Path, bool]:
        """Each file's verdict, from one jing run (a JVM start per file would take minutes).
        jing stops at a file that is not well-formed, so those are left out of the run."""
        from lxml import etree

        verdicts: dict[Path, bool] = {}
        for f in files:
            try:
                etree.parse(str(f), etree.XMLParser(resolve_entities=False, no_network=True))
            except etree.XMLSyntaxError:
                verdicts[f] = False
        rest = [f for f in files if f not in verdicts]
        proc = subprocess.run([self.exe, str(TEI_ALL), *map(str, rest)],
                              capture_output=True, text=True, timeout=600)
        bad = {line.split(":", 1)[0] for line in proc.stdout.splitlines() if ": " in line}
        verdicts.update({f: str(f.resolve()) not in bad and str(f) not in bad for f in rest})
        return verdicts

    def validate(self, files: list[Path]) -> tuple[bool, str]:
        proc = subprocess.run([self.exe, str(TEI_ALL), *map(str, files)],
                              capture_output=True, text=True, timeout=600)
        # Debian's wrapper warns about optional jars on stderr; the verdict is on stdout.
        return proc.returncode == 0 and not proc.stdout.strip(), proc.stdout


@pytest.fixture(scope="session")
def jing() -> Jing:
    exe = shutil.which("jing")
    missing = [what for what, ok in (("jing (apt-get install -y jing)", exe),
                                      (f"{TEI_ALL}", TEI_ALL.is_file())) if not ok]
    if missing:
        if IN_CI:
            pytest.fail("CI must check validity against tei_all, but this is missing: "
                        + ", ".join(missing))
        pytest.skip("validity against tei_all needs " + " and ".join(missing))
    return Jing(exe)  # type: ignore[arg-type]
