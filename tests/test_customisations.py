"""Project customisations of TEI: registered by name, validated on the fast path with jing's
verdicts, their own constraints (deleted elements, closed values, a project namespace,
embedded Schematron) held.

The customisations are CMIF's (real: correspSearch's ODD output, in ../shared) and ones
derived from tei_all at test time the way real ODDs shape theirs (tests/customisations.py
says which projects show each operation; their schemas may not be copied here). The
benchmark measures the real ones of other projects (README, Benchmarks)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tei_toolkit import Validator

from . import customisations, tei_instances
from .conftest import SHARED, installed_tei, need

CMIF = SHARED / "schemas" / "cmif" / "cmi-customization.rng"
HEADER = ('<TEI xmlns="http://www.tei-c.org/ns/1.0" xmlns:p="{ns}"><teiHeader><fileDesc>'
          "<titleStmt><title>T</title></titleStmt><publicationStmt><p>x</p></publicationStmt>"
          "<sourceDesc><p>x</p></sourceDesc></fileDesc>{profile}</teiHeader>\n<text><body>\n")


@pytest.fixture(scope="module")
def schemas(tmp_path_factory, tei_all) -> dict[str, Path]:
    """The customisations as files: ``project`` (every operation, names prefixed ``tei_``),
    ``prefixed`` (all of tei_all, EpiDoc's naming) and ``cmif``."""
    need(CMIF.is_file(), str(CMIF))
    out = tmp_path_factory.mktemp("customisations")
    paths = {"cmif": CMIF}
    for name, kw in {"project": dict(prefix="tei_", keep=customisations.LETTERS,
                                     closed=("letter", "chapter", "section"),
                                     project_element=True, schematron=True),
                     "prefixed": dict(prefix="tei_")}.items():
        paths[name] = out / f"{name}.rng"
        paths[name].write_bytes(customisations.derive(tei_all, **kw))  # type: ignore[arg-type]
    return paths


@pytest.fixture(scope="module")
def cache(tmp_path_factory, schemas) -> dict[str, str]:
    """A schema cache holding each customisation under its name, added with the installed
    `tei` as the README's recipe says (`tei schemas add my.rng --name myproject`)."""
    env = {**os.environ, "TEI_TOOLKIT_CACHE": str(tmp_path_factory.mktemp("cache"))}
    for name, path in schemas.items():
        proc = subprocess.run([installed_tei(), "schemas", "add", str(path), "--name", name],
                              capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"{name}@"), proc.stdout
    return env


def validate(env: dict, files: list[Path], *options: str) -> tuple[int, dict]:
    proc = subprocess.run([installed_tei(), "validate", *map(str, files), "--format", "json",
                           "--no-schematron", "--no-pointers", *options],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.mark.parametrize("name", ["project", "prefixed", "cmif"])
def test_every_element_of_a_customisation_gets_jings_verdict(tmp_path, schemas, cache, jing,
                                                             name):
    """One document per element the customisation defines (and an invalid twin of each),
    validated by name: the verdicts are jing's, on the reduced grammar, never the fallback."""
    files = tei_instances.write(schemas[name], tmp_path, twins=True)
    files += [f.with_name(f.stem + "-invalid.xml") for f in files]
    assert len(files) >= {"project": 180, "prefixed": 1160, "cmif": 50}[name]
    _, out = validate(cache, files, "--schema", name)
    ours = {Path(f["file"]): f["valid"] for f in out["files"]}
    assert {f["schema"].split("@")[0] for f in out["files"]} == {name}
    assert not [p for p in out["problems"] if "whole schema instead" in p["message"]]
    theirs = jing.verdicts(files, schema=schemas[name])
    assert {f: ours[f] for f in files} == theirs
    assert sum(theirs.values()) == len(files) // 2  # the twins, and only they, are invalid


def test_the_fast_path_reduces_customisations_as_it_reduces_tei_all(schemas, cache,
                                                                     monkeypatch):
    monkeypatch.setenv("TEI_TOOLKIT_CACHE", cache["TEI_TOOLKIT_CACHE"])  # where they are added
    for name in ("project", "prefixed", "cmif"):
        v = Validator(schemas[name], schematron=False, pointers=False)
        assert v.store.grammar(Path(schemas[name])) is not None, name  # reducible


def _doc(tmp_path: Path, name: str, body: str, profile: str = "") -> Path:
    path = tmp_path / name
    head = HEADER.format(ns=customisations.PROJECT_NS, profile=profile)
    path.write_text(head + body + "\n</body></text></TEI>\n", encoding="utf-8")
    return path


LETTER = '<div type="letter"><p>Dear friend,</p><closer><signed>A.</signed></closer></div>'
PROJECT_DOCS = {  # name: (body, profileDesc, valid by RELAX NG, a word of the message)
    "letter": (LETTER, '<profileDesc><p:size key="short"/></profileDesc>', True, ""),
    "closed-value": (LETTER.replace("letter", "novel", 1), "", False,
                     'value of attribute "type" is invalid; must be equal to "chapter", '
                     '"letter" or "section"'),
    "project-element-value": (LETTER, '<profileDesc><p:size key="huge"/></profileDesc>',
                              False, 'value of attribute "key" is invalid; must be equal to '
                              '"long", "medium" or "short"'),
    "deleted-element": ("<div><sp><p>Who?</p></sp></div>", "", False,
                        'element "sp" not allowed anywhere'),
    "no-closer": ('<div type="letter"><p>Dear friend,</p></div>', "", True, ""),
}


@pytest.mark.parametrize("name", sorted(PROJECT_DOCS))
def test_a_project_customisation_holds_its_own_constraints(tmp_path, schemas, cache, jing,
                                                           name):
    body, profile, valid, word = PROJECT_DOCS[name]
    path = _doc(tmp_path, f"{name}.xml", body, profile)
    assert jing.verdicts([path], schema=schemas["project"]) == {path: valid}
    code, out = validate(cache, [path], "--schema", "project")
    assert (code, out["files"][0]["valid"]) == (0 if valid else 1, valid), out
    if not valid:
        errors = [p for p in out["problems"] if p["severity"] == "error"]
        assert errors and all(p["line"] >= 1 and p["column"] >= 1 for p in errors)
        assert any(word in p["message"] for p in errors), [p["message"] for p in errors]


def test_a_project_rule_in_the_schema_runs_with_line_column_and_message(tmp_path, cache):
    missing = _doc(tmp_path, "no-closer.xml", '<p>x</p>\n<div type="letter"><p>Hi</p></div>')
    kept = _doc(tmp_path, "letter.xml", LETTER)
    proc = subprocess.run([installed_tei(), "validate", str(missing), str(kept), "--format",
                           "json", "--schema", "project", "--embedded-schematron", "on"],
                          capture_output=True, text=True, timeout=300, env=cache)
    code, out = proc.returncode, json.loads(proc.stdout)
    found = [p for p in out["problems"] if p["source"] == "schematron"]
    assert code == 1 and len(found) == 1, out["problems"]
    assert Path(found[0]["file"]).name == "no-closer.xml"
    assert (found[0]["line"], found[0]["column"]) == (4, 1)
    assert found[0]["message"] == "A letter (div type='letter') ends with a closer."
    assert validate(cache, [missing], "--schema", "project")[0] == 0  # RELAX NG alone


def test_an_odd_shaped_customisation_in_two_files_compiles_with_jings_verdicts(
        tmp_path, tei_all, jing, schema_cache):
    """Issue 26's sample of real project schemas: one-child groups and annotations on every
    element, as ODD output has them, one of them in the shape libxml2 never finishes
    compiling, in one file and split into a main file and an included module. Given as a
    file, never added: each compiles within the limit, and every verdict is jing's."""
    data = customisations.derive(tei_all, keep=customisations.LETTERS, odd_groups=True,
                                 project_element=True)
    one = tmp_path / "odd.rng"
    one.write_bytes(data)
    customisations.split(data, tmp_path / "main.rng", tmp_path / "module.rng")
    files = tei_instances.write(one, tmp_path / "docs", twins=True)
    files += [f.with_name(f.stem + "-invalid.xml") for f in files]
    files.append(_doc(tmp_path, "part.xml", "<p>x</p>", '<profileDesc><p:part n="1"><p:part>'
                      "<p>a</p></p:part><p>b</p></p:part></profileDesc>"))
    files.append(_doc(tmp_path, "part-empty.xml", "<p>x</p>",
                      "<profileDesc><p:part/></profileDesc>"))
    assert len(files) > 150
    theirs = jing.verdicts(files, schema=one)
    assert theirs[files[-2]] and not theirs[files[-1]]
    for schema in (one, tmp_path / "main.rng"):
        _, out = validate({**os.environ}, files, "--schema", str(schema), "--compile-limit", "60")
        assert {Path(f["file"]): f["valid"] for f in out["files"]} == theirs, schema.name
