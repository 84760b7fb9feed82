"""Misspellings outside the lexicon: warned about from an English word list, drafted into
lexicon rows by `tei lexicon suggest`, and never on names, URLs or original wording."""

from __future__ import annotations

import subprocess

import pytest

from tei_toolkit import Lexicon, import_file, import_text

from .conftest import SEED, SHARED, installed_tei, need
from .helpers import export

# ../shared/samples/EXPECTED.md: which samples have misspellings outside the lexicon.
EXPECTED = {"s09": {"recieved", "goverment"}, "s11": {"recieved", "goverment", "Febuary"}}


def _samples():
    found = sorted((SHARED / "samples").glob("s*.txt"))
    need(bool(found), "../shared/samples")
    return found


def test_the_samples_warn_exactly_about_their_misspellings():
    for path in _samples():
        result = import_file(path)
        got = {w.suggestion[0] for w in result.warnings
               if w.code in ("misspelling", "near-miss") and w.suggestion}
        assert got == EXPECTED.get(path.name[:3], set()), path.name
    assert not [w for w in import_file(SEED).warnings if w.code == "misspelling"]


@pytest.mark.parametrize("body, warned", [
    ("The ministry has recieved the report.", ["recieved"]),
    ("Zhou Enlai and Pham Van Dong met in Hanoi.", []),                 # names
    ("See https://example.org/documnet/recieved-report for it.", []),   # a URL
    ("The [aviadivizii] and the [nemedlenno pristupit' k otgruzke].", []),  # original wording
    ("The [goverment] agreed.", ["goverment"]),                          # a supplement is English
    ("Before 1 Febuary and on Tusday.", ["Febuary", "Tusday"]),          # months and weekdays
    ("We recieved it; they recieved it.", ["recieved"]),                 # once per document
    # A hyphenated compound of words is a spelling of its own, not a slip (issue 24).
    ("Its code-name was set in the tea-house.", []),
    ("Its code-name was recieved in the tea-house.", ["recieved"]),
])
def test_misspelling_warnings(body, warned):
    result = import_text(export(body=body, language="Russian"), "x.txt")
    assert [w.suggestion[0] for w in result.warnings if w.code == "misspelling"] == warned


def test_lexicon_suggest_drafts_rows_that_the_importer_then_applies(tmp_path):
    src = tmp_path / "doc.txt"
    src.write_text(export(body="The goverment has recieved the Febuary report."),
                   encoding="utf-8")
    draft = tmp_path / "draft.tsv"
    proc = subprocess.run([installed_tei(), "lexicon", "suggest", str(tmp_path), "-o",
                           str(draft)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lexicon = Lexicon.load([draft])
    assert {(e.sic, e.corr, e.type) for e in lexicon.entries.values()} == {
        ("goverment", "government", "typo"), ("recieved", "received", "typo"),
        ("Febuary", "February", "typo")}
    assert "found at" in draft.read_text(encoding="utf-8")
    result = import_file(src, lexicon=lexicon)
    assert result.counts.corrections == 3
    assert not [w for w in result.warnings if w.code == "misspelling"]
    # never over an input
    proc = subprocess.run([installed_tei(), "lexicon", "suggest", str(src), "-o", str(src)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3 and "overwrite" in proc.stderr
