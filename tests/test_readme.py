"""The README is a tested document (issue 24, item 5): every fenced shell and Python block,
run in order from a copy of the repository after the quick start, works as written; every
inline `tei …` command names only commands, options and choices that exist; the showcase is
the corpus's TEI, not a pasted copy.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tei_toolkit.cli import main

from .conftest import ROOT, SHARED, installed_tei, need
from .helpers import copy_checkout
from .readme import README, SHOWCASE_SOURCE, Block, blocks, inline_commands, showcase, \
    showcase_block

TEXT = README.read_text(encoding="utf-8")
QUICK_START = TEXT.split("## Quick start", 1)[1].split("\n## ", 1)[0]
AFTER_QUICK_START = TEXT.split(QUICK_START, 1)[1]
# A command may end in "# exits N": the exit code the README says it gives.
_EXITS = re.compile(r"#\s*exits (\d+)\b")


def test_the_showcase_is_the_corpus_tei_as_imported():
    """`python -m tests.readme --write` rewrites it after an importer change."""
    assert showcase_block(TEXT).text == showcase(SHOWCASE_SOURCE.read_bytes()).rstrip("\n")


def test_the_quick_start_is_two_commands():
    first, second = [b.text for b in blocks(QUICK_START)]
    assert "pip install ." in first and "tei import corpus/sources" in first
    assert "pip install '.[test]'" in second and second.endswith("python -m pytest")
    assert Path(ROOT / ".ci" / "run").read_text().count("python -m pytest") >= 1


def test_the_readme_has_a_table_of_contents_that_resolves():
    toc = TEXT.split("## Contents", 1)[1].split("\n## ", 1)[0]
    anchors = re.findall(r"\]\(#([\w-]+)\)", toc)
    headings = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
                for h in re.findall(r"^#{2,3} (.+)$", TEXT, re.M)}
    assert len(anchors) >= 8 and set(anchors) <= headings, set(anchors) - headings


def commands(block: Block) -> list[str]:
    """The commands of a shell block: lines joined at a trailing backslash, comments and
    blank lines left out."""
    out: list[str] = []
    pending = ""
    for line in block.text.splitlines():
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line.strip() and not line.lstrip().startswith("#"):
            out.append(line)
    return out


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A copy of the repository with ../shared beside it, after the quick start's import
    (the install itself is the test run's own: the installed `tei`)."""
    need(SHARED.is_dir(), str(SHARED))
    base = tmp_path_factory.mktemp("readme")
    repo = base / "repo"
    copy_checkout(ROOT, repo)
    (base / "shared").symlink_to(SHARED.resolve())
    env = {**os.environ, "PATH": f"{Path(installed_tei()).parent}{os.pathsep}{os.environ['PATH']}",
           "TEI_TOOLKIT_CACHE": str(base / "cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("TEI_TOOLKIT_SCHEMA_TIMEOUT", None)
    first = blocks(QUICK_START)[0].text
    after_install = first.split("pip install .", 1)[1].lstrip(" &")
    proc = subprocess.run(after_install, shell=True, cwd=repo, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return repo, env


def test_every_block_runs_as_written_in_order(clone):
    repo, env = clone
    failures: list[str] = []
    ran = 0
    for block in blocks(AFTER_QUICK_START):
        line = TEXT.count("\n", 0, TEXT.index(block.text)) if block.text else block.line
        if block.lang == "sh":
            for command in commands(block):
                m = _EXITS.search(command)
                expected = int(m[1]) if m else 0
                proc = subprocess.run(["bash", "-c", command], cwd=repo, env=env,
                                      capture_output=True, text=True, timeout=900)
                ran += 1
                if proc.returncode != expected:
                    failures.append(f"README.md:{line}: `{command}` exited {proc.returncode}, "
                                    f"not {expected}: {proc.stderr.strip()[-500:]}")
        elif block.lang == "python":
            proc = subprocess.run([sys.executable, "-c", block.text], cwd=repo, env=env,
                                  capture_output=True, text=True, timeout=900)
            ran += 1
            if proc.returncode != 0:
                failures.append(f"README.md:{line}: python block: {proc.stderr.strip()[-800:]}")
    assert not failures, "\n".join(failures)
    assert ran >= 20


def _command(words: list[str]) -> tuple[click.Command, list[str]]:
    """The click command `tei WORDS…` names, and the words after its name."""
    command: click.Command = main
    rest = words[1:]
    while isinstance(command, click.Group) and rest and rest[0] in command.commands:
        command, rest = command.commands[rest[0]], rest[1:]
    return command, rest


def test_every_inline_command_names_what_exists():
    """Synopses and examples in the prose (`tei validate … --schema tei_all`): each command,
    option and choice value exists (placeholders in capitals, alternatives in | and optional
    parts in brackets are read as such)."""
    problems: list[str] = []
    found = inline_commands(TEXT, "tei")
    assert len(found) > 40
    for text in found:
        words = shlex.split(re.sub(r"[\[\]]", " ", text).replace("|", " "))
        command, rest = _command(words)
        if command is main and rest and not rest[0].startswith("-"):
            problems.append(f"{text}: no command {rest[0]!r}")
            continue
        options = {name: p for p in command.params if isinstance(p, click.Option)
                   for name in (*p.opts, *p.secondary_opts)}
        options["--help"] = options["-h"] = None  # type: ignore[assignment]
        for i, word in enumerate(rest):
            if not word.startswith("-") or word in ("-", "--"):
                continue
            for name in word.split("=", 1)[0].split("/"):
                if name not in options:
                    problems.append(f"{text}: {command.name} has no option {name}")
                    continue
                param = options[name]
                value = word.split("=", 1)[1] if "=" in word else (
                    rest[i + 1] if i + 1 < len(rest) else "")
                if param is not None and isinstance(param.type, click.Choice) and value \
                        and not value.isupper() and value not in param.type.choices:
                    problems.append(f"{text}: {value!r} is no choice of {name}")
                # A schema named as a file is one the reader has: ours, or ../shared's (the
                # developers'), or a placeholder (SCHEMA.rng); a name (tei_all) is a name.
                if name in ("--schema", "--schematron") and re.search(r"\.(rng|rnc|sch)$",
                                                                      value):
                    stem = Path(value).stem
                    if not (stem.isupper() or (ROOT / value).is_file()):
                        problems.append(f"{text}: no file {value} (a schema name, or a "
                                        "file the reader has?)")
    assert not problems, "\n".join(problems)


def test_every_inline_script_exists_and_takes_its_options():
    problems: list[str] = []
    for text in inline_commands(TEXT, "python"):
        words = shlex.split(re.sub(r"[\[\]]", " ", text).replace("|", " "))
        if words[1] == "-m":
            if not words[2].startswith("tests."):
                continue  # python -m pytest, pip, venv: not ours
            script = ROOT / (words[2].replace(".", "/") + ".py")
            rest = words[3:]
        else:
            script, rest = ROOT / words[1], words[2:]
        if not script.is_file():
            problems.append(f"{text}: no {script.relative_to(ROOT)}")
            continue
        source = script.read_text(encoding="utf-8")
        problems += [f"{text}: {script.name} takes no {w}" for w in rest
                     if w.startswith("--") and f'"{w.split("=")[0]}"' not in source]
    assert not problems, "\n".join(problems)


def test_the_development_map_is_true_to_the_tree():
    """Every module of the package is in the README's Development map, under its folder."""
    development = TEXT.split("## Development", 1)[1]
    package = ROOT / "tei_toolkit"
    sections = re.split(r"\n  - `(\w+)/`: ", development.split("\n- `setup.py`", 1)[0])
    top, folders = sections[0], dict(zip(sections[1::2], sections[2::2]))
    assert set(folders) == {p.name for p in package.iterdir()
                            if p.is_dir() and (p / "__init__.py").is_file()}
    missing = [f"{p.parent.name}/{p.name}" for p in sorted(package.rglob("*.py"))
               if p.name != "__init__.py" or p.parent == package
               if f"`{p.name}`" not in (top if p.parent == package else
                                        folders[p.relative_to(package).parts[0]])]
    assert not missing, missing
