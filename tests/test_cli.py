"""The `tei` command, through click's CliRunner and as the installed program."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import click
from click.testing import CliRunner
from lxml import etree

from tei_toolkit import Profile, __version__, normalize_source
from tei_toolkit.cli import main

from .conftest import CORPUS, ROOT, SEED, installed_tei
from .helpers import export

README = (ROOT / "README.md").read_text(encoding="utf-8")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def _leaf_commands(group, prefix=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _leaf_commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


def test_every_command_has_help_and_is_in_the_readme():
    readme_codes = set(re.findall(r"^\| (\d+) \|", README, re.M))
    helps = {}
    for words, command in _leaf_commands(main):
        result = run(*words, "--help")
        assert result.exit_code == 0
        assert "Exit codes:" in result.stdout, words
        helps[words] = result.stdout
        codes = set(re.findall(r"^ +(\d+)  ", result.stdout.split("Exit codes:")[1], re.M))
        assert {"0", "2", "4", "130"} <= codes and codes <= readme_codes, (words, codes)
        name = " ".join(words)
        assert f"tei {name}" in README, f"`tei {name}` is not documented in the README"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"{opt} of `tei {name}` is not in the README"
    # Each command states its own outcomes, not another's.
    assert "some source could not be converted" in helps[("import",)]
    for other in (("export",), ("schemas", "copy"), ("schemas", "fetch"), ("validate",),
                  ("profile", "show")):
        assert "some source could not be converted" not in helps[other], other
    assert "errors found" in helps[("validate",)]


def test_profile_show_prints_the_default_profile_that_loads(tmp_path):
    result = run("profile", "show")
    assert result.exit_code == 0
    from tei_toolkit.importer.profile import default_text
    assert result.stdout == default_text() and "[" in result.stdout
    out = tmp_path / "new" / "mine.toml"
    result = run("profile", "show", "-o", str(out))
    assert result.exit_code == 0 and f"creating folder {out.parent}" in result.stderr
    assert Profile.load(out).note_labels == Profile.default().note_labels
    assert run("profile", "show", "-o", str(out)).exit_code == 3  # exists, no --force


def test_single_source_to_stdout_warnings_to_stderr(tmp_path):
    src = tmp_path / "doc.txt"
    src.write_text(export(body="The advsers said"), encoding="utf-8")
    result = run("import", str(src))
    assert result.exit_code == 0
    root = etree.fromstring(result.stdout_bytes)
    assert root.tag == "{http://www.tei-c.org/ns/1.0}TEI"
    assert result.stderr.strip() == (
        f"{src}:22:5: warning: 'advsers' may be a misspelling of 'advisers'; add it to the "
        "lexicon if it is [near-miss]")


def test_output_file_and_export_round_trip(tmp_path):
    out = tmp_path / "seed.xml"
    assert run("import", str(SEED), "-o", str(out)).exit_code == 0
    result = run("export", str(out), "--to", "text", "--reading", "source")
    assert result.exit_code == 0
    assert result.stdout == normalize_source(SEED.read_text(encoding="utf-8"))
    corrected = tmp_path / "seed.reading.txt"
    assert run("export", str(out), "--reading", "corrected", "-o", str(corrected)).exit_code == 0
    assert "Mao Zedong" in corrected.read_text(encoding="utf-8")


def test_batch_summary_table_and_json(tmp_path):
    out = tmp_path / "out"
    result = run("import", str(CORPUS / "sources"), "-d", str(out), "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    n = len(list((CORPUS / "sources").glob("*.txt")))
    assert f"{n} files" in result.stderr and "supplied" in result.stderr
    assert len(list(out.glob("*.xml"))) == n
    result = run("import", str(CORPUS / "sources"), "-d", str(out), "--force", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    warnings = sum(len(f["warnings"]) for f in data["files"])
    assert data["summary"] == {"files": n, "converted": n, "skipped": 0, "failed": 0, "exist": 0,
                               "warnings": warnings}
    seed = next(f for f in data["files"] if f["source"].endswith(SEED.name))
    assert (seed["supplied"], seed["gaps"], seed["id"]) == (9, 2, "wcda-121156")


def test_json_needs_an_output(tmp_path):
    result = run("import", str(SEED), "--json")
    assert result.exit_code == 2 and "--json needs -o or -d" in result.stderr


def test_o_and_d_together_is_a_usage_error(tmp_path):
    result = run("import", str(SEED), "-o", str(tmp_path / "a"), "-d", str(tmp_path / "b"))
    assert result.exit_code == 2


def test_o_with_several_sources(tmp_path):
    result = run("import", str(CORPUS / "sources"), "-o", str(tmp_path / "a.xml"))
    assert result.exit_code == 3 and "-o takes one source" in result.stderr


def test_extra_lexicon_overrides_and_adds(tmp_path):
    lex = tmp_path / "more.tsv"
    lex.write_text("sic\tcorr\ttype\nMao Zeong\tMAO ZEDONG\tname\nBidault\tBidault (Georges)\tname\n",
                   encoding="utf-8")
    result = run("import", str(SEED), "--lexicon", str(lex))
    assert result.exit_code == 0
    xml = result.stdout
    assert "<corr resp=\"#encoder\" type=\"name\">MAO ZEDONG</corr>" in xml
    assert "<sic>Bidault</sic>" in xml
    assert "lexicon of 10 entries (lexicon.tsv, more.tsv)" in xml
    result = run("import", str(SEED), "--no-default-lexicon", "--lexicon", str(lex))
    assert "<sic>Dien Binh Phu</sic>" not in result.stdout


def test_profile_changes_the_encoding_and_says_so(tmp_path):
    prof = tmp_path / "mine.toml"
    prof.write_text('name = "mine"\n[ellipsis]\nbare = "text"\n[supplied]\nreason = "sense"\n',
                    encoding="utf-8")
    result = run("import", str(SEED), "--profile", str(prof))
    assert result.exit_code == 0
    assert 'reason="sense"' in result.stdout and "<gap" not in result.stdout
    assert '"mine" (mine.toml)' in result.stdout
    assert "bare ellipses are kept as punctuation" in result.stdout


# The installed program, as a user runs it.
@pytest.fixture
def tei() -> str:
    return installed_tei()


def test_installed_tei_imports_the_corpus(tmp_path, tei):
    proc = subprocess.run([tei, "import", str(CORPUS / "sources"), "-d", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.stem for p in tmp_path.glob("*.xml")) == \
        sorted(p.stem for p in (CORPUS / "sources").glob("*.txt"))
    assert "\x1b[" not in proc.stderr  # no terminal escapes when not on a terminal


def test_installed_tei_bad_file_exit_code_and_one_line(tmp_path, tei):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"**June 19, 1954**\n\n**T**\n\n**Contents:**\n\nx \x07y\n")
    proc = subprocess.run([tei, "import", str(bad), "-o", str(tmp_path / "bad.xml")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{bad}:7:3: error: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr and not (tmp_path / "bad.xml").exists()


def test_python_dash_m_and_pipe_to_export(tmp_path, tei):
    proc = subprocess.run([sys.executable, "-m", "tei_toolkit", "import", str(SEED)],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0
    xml = tmp_path / "seed.xml"
    xml.write_bytes(proc.stdout)
    proc = subprocess.run([tei, "export", str(xml)], capture_output=True, timeout=60)
    assert proc.stdout.decode("utf-8") == normalize_source(SEED.read_text(encoding="utf-8"))


def test_readme_quick_start_is_what_ci_runs():
    commands = re.findall(r"^```(?:sh|bash)\n(.*?)\n```", README, re.S | re.M)
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_summary_table_folds_clean_files_in_big_batches():
    from rich.console import Console

    from tei_toolkit.importer.convert import ImportResult
    from tei_toolkit.errors import Finding, Location
    from tei_toolkit.importer.output import TABLE_ROWS, summary_table

    results = [ImportResult(f"in/doc{i:03d}.txt") for i in range(TABLE_ROWS + 10)]
    results[3].warnings.append(Finding(Location("in/doc003.txt", 1, 1), "x", "look here"))
    console = Console(record=True, width=200, file=__import__("io").StringIO())
    summary_table(console, results)
    text = console.export_text()
    assert "doc003.txt" in text and "doc004.txt" not in text
    assert f"({TABLE_ROWS + 9} more files, no warnings)" in text
    assert f"{TABLE_ROWS + 10} files" in text


def test_schemas_command_copies_the_bundled_schemas(tmp_path):
    from tei_toolkit.validation.validate import Validator

    out = tmp_path / "tei"
    assert run("import", str(SEED), "-d", str(out)).exit_code == 0
    result = run("schemas", "copy", str(out))
    assert result.exit_code == 0
    assert (out / "tei_toolkit.rng").read_bytes() == (ROOT / "schemas" / "tei_toolkit.rng").read_bytes()
    assert (out / "tei_toolkit.sch").is_file()
    report = Validator().validate(out / (SEED.stem + ".xml"))
    assert report.schema == "tei_toolkit.rng" and report.problems == []  # the local copy
    assert run("schemas", "copy", str(out)).exit_code == 3  # exists: not replaced without --force
    assert run("schemas", "copy", str(out), "--force").exit_code == 0


def test_progress_bar_only_on_a_terminal():
    import io

    from rich.console import Console

    from tei_toolkit.importer.convert import ImportResult
    from tei_toolkit.importer.output import progress

    for terminal in (True, False):
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=terminal, width=80)
        with progress(console, 3, "importing") as advance:
            for i in range(3):
                advance(ImportResult(f"{i}.txt"))
        assert ("3/3" in buffer.getvalue() or "importing" in buffer.getvalue()) == terminal


def test_pre_commit_hook_runs_tei_validate_on_xml():
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: tei-validate" in hooks
    assert "entry: tei validate" in hooks and "types: [xml]" in hooks
    assert "tei = \"tei_toolkit.__main__:main\"" in (ROOT / "pyproject.toml").read_text()


def test_a_second_import_into_the_same_folder_says_the_outputs_exist_not_failed(tmp_path):
    """Issue 24: the outputs are there; nothing failed. Exit 3 (output exists) as documented,
    a table that says "exist", and the way out."""
    sources = sorted((CORPUS / "sources").glob("*.txt"))[:3]
    out = tmp_path / "tei"
    args = [installed_tei(), "import", *map(str, sources), "-d", str(out)]
    assert subprocess.run(args, capture_output=True, timeout=300).returncode == 0
    again = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert again.returncode == 3
    assert "3 exist" in again.stderr and "failed" not in again.stderr.lower()
    assert "use --force to replace them, or --skip-existing to keep them" in again.stderr
    as_json = subprocess.run([*args, "--json"], capture_output=True, text=True, timeout=300)
    summary = json.loads(as_json.stdout)["summary"]
    assert (summary["failed"], summary["exist"], summary["converted"]) == (0, 3, 0)


def test_every_registered_format_is_offered_by_the_cli_and_documented():
    """One table each (exports.handoff.EXPORTS, validation.engines): the CLI's choices and
    the README's synopses are made from them, or agree with them."""
    from tei_toolkit.exports.handoff import EXPORTS
    from tei_toolkit.validation.engines import ENGINES, REPORT_FORMATS

    def choices(command: str) -> dict[str, list[str]]:
        # A choice, or (--engine, which also takes two engines as A,B) its metavar.
        return {p.name or "": list(p.type.choices) if isinstance(p.type, click.Choice)
                else (p.metavar or "").split("|") for p in main.commands[command].params
                if isinstance(p.type, click.Choice) or p.name == "engine"}

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command, option, table in (("export", "to", EXPORTS), ("validate", "engine", ENGINES),
                                   ("validate", "fmt", REPORT_FORMATS)):
        assert choices(command)[option] == list(table), (command, option)
        flag = {"fmt": "--format"}.get(option, f"--{option}")
        assert f"[{flag} {'|'.join(table)}]" in readme, flag
        help_text = next(p.help or "" for p in main.commands[command].params
                         if p.name == option)
        assert all(name in help_text for name in table), (flag, help_text)
    for fmt in EXPORTS.values():  # each export format has its own paragraph or example
        assert f"--to {fmt.name}" in readme, fmt.name
