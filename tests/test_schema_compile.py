"""Every project's own schema compiles, or is refused within a limit: never a hang (issue 26).

libxml2's RELAX NG compiler loops for ever on some grammars: an element whose content is a
one-child group around a repetition that refers back to the element, followed by an
attribute. Real ODD output has such groups; RELAX NG simplification unwraps them (4.12), and
so does the toolkit before libxml2 sees a schema. What it cannot rewrite (a trap inside an
included file, which libxml2 reads itself) is compiled first in a child, within a limit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tei_toolkit.errors import SetupError

from .conftest import installed_tei

RNG = "http://relaxng.org/ns/structure/1.0"
TRAP_DEFINES = """
  <define name="L">
    <element name="L">
      <group>
        <oneOrMore><choice><ref name="L"/><ref name="m"/></choice></oneOrMore>
      </group>
      <optional><attribute name="type"/></optional>
    </element>
  </define>
  <define name="m"><element name="m"><empty/></element></define>"""


@pytest.fixture
def trap(tmp_path) -> Path:
    """A folder with the trap as one file (trap.rng), the trap in an included file
    (outer.rng includes inner.rng), a valid and an invalid document."""
    (tmp_path / "trap.rng").write_text(
        f'<grammar xmlns="{RNG}"><start><ref name="L"/></start>{TRAP_DEFINES}</grammar>')
    (tmp_path / "inner.rng").write_text(f'<grammar xmlns="{RNG}">{TRAP_DEFINES}</grammar>')
    (tmp_path / "outer.rng").write_text(
        f'<grammar xmlns="{RNG}"><include href="inner.rng"/>'
        '<start><ref name="L"/></start></grammar>')
    (tmp_path / "good.xml").write_text('<L type="x"><m/><L><m/></L></L>\n')
    (tmp_path / "bad.xml").write_text('<L><x/></L>\n')
    return tmp_path


def tei(*args: str, env: dict | None = None, timeout: float = 120):
    return subprocess.run([installed_tei(), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_a_schema_whose_one_child_groups_hung_libxml2_compiles(trap, schema_cache):
    for doc, code in (("good.xml", 0), ("bad.xml", 1)):
        proc = tei("validate", str(trap / doc), "--schema", str(trap / "trap.rng"),
                   "--no-schematron", "--format", "json")
        assert proc.returncode == code, proc.stderr
    proc = tei("schemas", "add", str(trap / "trap.rng"), "--name", "trap")
    assert proc.returncode == 0, proc.stderr
    for doc, code in (("good.xml", 0), ("bad.xml", 1)):
        proc = tei("validate", str(trap / doc), "--schema", "trap", "--no-schematron")
        assert proc.returncode == code, proc.stderr


TRAP_VARIANTS = {
    # A group around the repetition and an annotation (ODD output documents its patterns).
    "annotated": '<group><a:documentation xmlns:a="http://relaxng.org/ns/compatibility/'
                 'annotations/1.0">x</a:documentation>{rep}</group>',
    # A group around the repetition and empty (simplification 4.20 drops the empty).
    "with empty": "<group>{rep}<empty/></group>",
}


@pytest.mark.parametrize("shape", sorted(TRAP_VARIANTS))
def test_other_shapes_of_the_trap_are_rewritten_too(trap, schema_cache, shape):
    """Both hang libxml2 as they stand (tried with a 5 s limit); rewritten, they compile."""
    rep = '<oneOrMore><choice><ref name="L"/><ref name="m"/></choice></oneOrMore>'
    schema = trap / "variant.rng"
    schema.write_text(
        f'<grammar xmlns="{RNG}"><start><ref name="L"/></start><define name="L">'
        f'<element name="L">{TRAP_VARIANTS[shape].format(rep=rep)}'
        '<optional><attribute name="type"/></optional></element></define>'
        '<define name="m"><element name="m"><empty/></element></define></grammar>')
    from tei_toolkit.validation.compiled import compiles_within
    assert compiles_within(schema.read_bytes(), 3.0) is False  # the trap, as written
    for doc, code in (("good.xml", 0), ("bad.xml", 1)):
        proc = tei("validate", str(trap / doc), "--schema", str(schema), "--no-schematron",
                   "--compile-limit", "20")
        assert proc.returncode == code, proc.stderr


def test_a_compact_syntax_schema_is_compiled_the_same_bounded_way(trap, schema_cache):
    import importlib.util

    from .conftest import need
    need(importlib.util.find_spec("rnc2rng"), "rnc2rng (the test extra installs it)")
    (trap / "trap.rnc").write_text(
        "start = L\nL = element L { (L | m)+, attribute type { text }? }\n"
        "m = element m { empty }\n")
    for doc, code in (("good.xml", 0), ("bad.xml", 1)):
        proc = tei("validate", str(trap / doc), "--schema", str(trap / "trap.rnc"),
                   "--no-schematron", "--compile-limit", "20")
        assert proc.returncode == code, proc.stderr


def test_the_verdicts_on_the_unwrapped_schema_are_jings(trap, jing):
    for doc, code in (("good.xml", 0), ("bad.xml", 1)):
        ours = tei("validate", str(trap / doc), "--schema", str(trap / "trap.rng"),
                   "--no-schematron").returncode
        theirs = subprocess.run([jing.exe, str(trap / "trap.rng"), str(trap / doc)],
                                capture_output=True, text=True, timeout=120).returncode
        assert ours == theirs == code, doc


def test_a_trap_in_an_included_file_is_unwrapped_too(trap, schema_cache):
    """A grammar with includes is made one file first (simplification 4.5-4.7), so the trap
    in inner.rng is rewritten like one in the main file; tei schemas add keeps that one file,
    which works when the included file is gone."""
    for doc, code in (("good.xml", 0), ("bad.xml", 1)):
        proc = tei("validate", str(trap / doc), "--schema", str(trap / "outer.rng"),
                   "--no-schematron", "--compile-limit", "20")
        assert proc.returncode == code, proc.stderr
    assert tei("schemas", "add", str(trap / "outer.rng"), "--name", "outer").returncode == 0
    (trap / "inner.rng").unlink()
    for doc, code in (("good.xml", 0), ("bad.xml", 1)):
        proc = tei("validate", str(trap / doc), "--schema", "outer", "--no-schematron")
        assert proc.returncode == code, proc.stderr


@pytest.fixture(scope="session")
def slow_schema(tmp_path_factory, tei_all) -> Path:
    """tei_all as a project's own file (one byte more, so not the pinned release): compiled
    whole, it takes libxml2 6-11 s here, longer than the limits below."""
    path = tmp_path_factory.mktemp("slow") / "project.rng"
    path.write_bytes(tei_all.read_bytes() + b"<!-- a project's copy -->\n")
    return path


@pytest.mark.parametrize("command", ["validate", "schemas add"])
def test_a_schema_that_does_not_compile_in_time_is_refused_in_one_line(trap, slow_schema,
                                                                       schema_cache, command):
    # (libxml2's engine: ours compiles nothing, and validates the file at once, below.)
    args = (["validate", str(trap / "good.xml"), "--schema", str(slow_schema),
             "--no-schematron", "--engine", "lxml"] if command == "validate"
            else ["schemas", "add", str(slow_schema)])
    start = time.monotonic()
    proc = tei(*args, "--compile-limit", "1")
    assert time.monotonic() - start < 60
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.strip() == (
        f"{slow_schema}: error: the schema did not compile within 1 s (libxml2's "
        "RELAX NG compiler can loop for ever on some grammars); raise the limit with "
        "--compile-limit SECONDS")
    if command == "validate":
        start = time.monotonic()
        proc = tei(*args[:-2], "--compile-limit", "1")
        assert proc.returncode in (0, 1) and time.monotonic() - start < 30, proc.stderr
        assert "did not compile" not in proc.stderr  # judged: a verdict, not a refusal


def _processes_naming(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _blocked() -> None:
    """Start as a fork server's children would: both signals blocked (an inherited mask)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


@pytest.mark.parametrize("mask", ["as from a shell", "inherited blocked"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_a_compile_at_once(trap, slow_schema, schema_cache, sig, mask):
    from .test_hardening import _default_sigint

    proc = subprocess.Popen([installed_tei(), "validate", str(trap / "good.xml"), "--schema",
                             str(slow_schema), "--no-schematron", "--engine", "lxml"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint if mask == "as from a shell"
                            else _blocked)
    time.sleep(2)
    proc.send_signal(sig)  # as `timeout -s TERM` does: to the command alone
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()  # the compiling child dies with it (and would hold the pipes otherwise)
        proc.communicate(timeout=30)
        pytest.fail(f"{sig.name} did not end a compile")
    assert proc.returncode == 130, err
    assert err.strip() == "interrupted" and "Traceback" not in err
    time.sleep(0.2)
    assert _processes_naming(str(slow_schema)) == []  # the compiling child is gone


def test_the_limit_holds_in_a_process_with_threads_and_keeps_the_includes(trap):
    """With threads running, the child is a new interpreter (forking a threaded process can
    deadlock): it must find the included file from the schema's own place."""
    from lxml import etree

    from tei_toolkit.validation.compiled import compiles_within

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        data = (trap / "outer.rng").read_bytes()
        base = str(trap / "outer.rng")
        assert compiles_within(data, 1.0, base) is False
        (trap / "inner.rng").write_text(
            f'<grammar xmlns="{RNG}"><define name="L"><element name="L"><empty/></element>'
            "</define></grammar>")
        assert compiles_within(data, 30.0, base) is True
        etree.RelaxNG(etree.fromstring(data, base_url=base))  # what the child compiled
    finally:
        stop.set()
        thread.join()


def test_a_schema_given_as_a_file_is_proven_once_keyed_on_its_content(trap, schema_cache):
    """libxml2's engine: the child's compile is paid once per schema content: later runs
    (and other copies of the same file) skip it and may use the fast path; an edited file is
    proven anew."""
    import hashlib

    schema = trap / "trap.rng"
    marker = schema_cache / "proven" / hashlib.sha256(schema.read_bytes()).hexdigest()
    assert not marker.exists()
    assert tei("validate", str(trap / "good.xml"), "--schema", str(schema),
               "--no-schematron", "--engine", "lxml").returncode == 0
    assert marker.is_file()
    # Proven: validated without the child (its limit could not be met), same verdicts.
    for doc, code in (("good.xml", 0), ("bad.xml", 1)):
        proc = tei("validate", str(trap / doc), "--schema", str(schema), "--no-schematron",
                   "--compile-limit", "0.1", "--engine", "lxml")
        assert proc.returncode == code, proc.stderr
    # A schema with includes is not keyed on its own bytes alone: never remembered.
    (trap / "inner.rng").write_text(
        f'<grammar xmlns="{RNG}"><define name="L"><element name="L"><empty/></element>'
        "</define></grammar>")
    assert tei("validate", str(trap / "good.xml"), "--schema", str(trap / "outer.rng"),
               "--no-schematron", "--engine", "lxml").returncode == 1
    outer = hashlib.sha256((trap / "outer.rng").read_bytes()).hexdigest()
    assert not (schema_cache / "proven" / outer).exists()


def test_a_customisation_given_as_a_file_is_reduced_from_its_first_run(trap, schema_cache):
    """First contact with a project's schema: it is proven whole in a child, then reduced to
    the documents' names in the same run (not compiled whole in this process as well, which
    also makes libxml2 validate several times slower on large customisations)."""
    from tei_toolkit.validation.validate import Validator

    validator = Validator(trap / "trap.rng", schematron=False)
    assert validator.store.grammar(trap / "trap.rng") is not None
    reports = list(validator.validate_paths([trap / "good.xml", trap / "bad.xml"], jobs=1))
    assert [r.ok() for r in reports] == [True, False]
    # The proof is kept for later runs; and a refused schema is never remembered as proven.
    assert len(list((schema_cache / "proven").iterdir())) == 1
    (trap / "refused.rng").write_text(f'<grammar xmlns="{RNG}"><start><ref name="nowhere"/>'
                                      "</start></grammar>")
    with pytest.raises(SetupError):
        Validator(trap / "refused.rng", schematron=False)
    assert len(list((schema_cache / "proven").iterdir())) == 1
