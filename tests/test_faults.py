"""Fault injection: what the environment does to a run (a read-only folder, an interrupt, a
file name that is not UTF-8, a server that trickles, a huge input). Each test failed on the
code before its fix (issue 21)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import CORPUS, installed_tei, need

SOURCE = CORPUS / "sources" / "s01_telegram-numbered-paragraphs.txt"


def _run_with_read_only(folder: Path, argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run ``argv`` with ``folder`` read-only, as a user would meet it. As root (CI), mode bits
    do not stop writes, so the folder is bind-mounted read-only in a mount namespace of the
    command's own (the file system then answers EROFS); otherwise its mode is 0555 (EACCES)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)
        finally:
            folder.chmod(0o755)
    unshare = shutil.which("unshare")
    need(unshare, "unshare (util-linux), to mount a folder read-only as root")
    script = (f"mount --bind {shlex.quote(str(folder))} {shlex.quote(str(folder))} && "
              f"mount -o remount,bind,ro {shlex.quote(str(folder))} && exec "
              + " ".join(map(shlex.quote, argv)))
    proc = subprocess.run([unshare, "-m", "sh", "-c", script], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    need("mount:" not in proc.stderr and "unshare:" not in proc.stderr,
         f"a read-only bind mount ({proc.stderr.strip()})")
    return proc


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("faults")
    shutil.copy(SOURCE, folder / "a.txt")
    proc = subprocess.run([installed_tei(), "import", "a.txt", "-o", "a.xml"], cwd=folder,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return folder


# Every command that writes a file, with the path it writes in the read-only folder "out".
WRITERS = [
    ("validate", ["validate", "a.xml", "--no-schematron", "--output", "out/report.txt"],
     "out/report.txt"),
    ("validate-json", ["validate", "a.xml", "--format", "json", "--output", "out/r.json"],
     "out/r.json"),
    ("export-csv", ["export", "a.xml", "--to", "csv", "-o", "out/letters.csv"],
     "out/letters.csv"),
    ("export-text", ["export", "a.xml", "-o", "out/a.txt"], "out/a.txt"),
    ("export-cmif", ["export", "a.xml", "--to", "cmif", "-o", "out/cmif.xml"], "out/cmif.xml"),
    ("export-html", ["export", "a.xml", "--to", "html", "-d", "out"], "out/"),
    ("profile", ["profile", "show", "-o", "out/p.toml"], "out/p.toml"),
    ("lexicon", ["lexicon", "suggest", "a.txt", "-o", "out/l.tsv"], "out/l.tsv"),
    ("import-o", ["import", "a.txt", "-o", "out/b.xml"], "out/b.xml"),
    ("import-d", ["import", "a.txt", "-d", "out"], "out/a.xml"),
    ("schemas-copy", ["schemas", "copy", "out"], "out/tei_toolkit.rng"),
]


@pytest.mark.parametrize("argv, names", [w[1:] for w in WRITERS], ids=[w[0] for w in WRITERS])
def test_an_unwritable_output_is_exit_3_with_one_line_naming_it(work, tmp_path, argv, names):
    out = work / "out"
    out.mkdir(exist_ok=True)
    for f in out.iterdir():
        f.unlink()
    proc = _run_with_read_only(out, [installed_tei(), *argv], work)
    assert proc.returncode == 3, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, proc.stderr
    assert errors[0].startswith(names) and "cannot write" in errors[0], errors
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("argv", [["import", "a.txt", "-o", "full/a.xml"],
                                  ["import", "a.txt", "-d", "full"],
                                  ["export", "a.xml", "--to", "html", "-d", "full"],
                                  ["validate", "a.xml", "--format", "junit", "--output",
                                   "full/report.xml"]],
                         ids=["import-o", "import-d", "export-html", "validate"])
def test_a_full_disk_is_exit_3_and_leaves_no_partial_file(work, argv):
    """A real full file system: a tmpfs of 4 KB, mounted in a namespace of the command's own
    (root only; CI runs as root)."""
    need(os.geteuid() == 0 and shutil.which("unshare"), "root and unshare, to mount a tmpfs")
    full = work / "full"
    full.mkdir(exist_ok=True)
    script = (f"mount -t tmpfs -o size=4k tmpfs {shlex.quote(str(full))} && "
              f"head -c 3000 /dev/zero > {shlex.quote(str(full))}/filler && "
              f"{' '.join(map(shlex.quote, [installed_tei(), *argv]))}; code=$?; "
              f"ls -A {shlex.quote(str(full))}; exit $code")
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=work, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "No space left on device" in errors[0], proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout.split() == ["filler"]  # what the folder held: no partial file


def test_an_unwritable_schema_cache_is_exit_3(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    schema = tmp_path / "mine.rng"
    schema.write_text('<element name="doc" xmlns="http://relaxng.org/ns/structure/1.0">'
                      "<empty/></element>")
    env_tei = ["env", f"TEI_TOOLKIT_CACHE={cache}", installed_tei()]
    proc = _run_with_read_only(cache, [*env_tei, "schemas", "add", str(schema)], tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert list(cache.iterdir()) == []


# External parameter entities (item 4) -----------------------------------------------------------
_HEADER = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
           "<title>t</title></titleStmt><publicationStmt><p>p</p></publicationStmt>"
           "<sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
           "<text><body><p>a</p></body></text></TEI>\n")


@pytest.mark.parametrize("subset, reported", [
    ('<!ENTITY % x SYSTEM "ent.dtd">\n %x;', "%x; (ent.dtd)"),
    ('<!ENTITY  %  ext-1  PUBLIC "-//A//B" "sub/ent.dtd" >', "%ext-1; (sub/ent.dtd)"),
    ('<!ENTITY % in "<!ENTITY y \'z\'>">', None),  # internal: nothing to load
    ('<!ENTITY g SYSTEM "ent.dtd">', None),  # a general entity, never referenced
])
def test_an_external_parameter_entity_is_reported_not_passed(tmp_path, subset, reported):
    (tmp_path / "ent.dtd").write_text('<!ENTITY secret "FROM-DTD">')
    doc = tmp_path / "doc.xml"
    doc.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE TEI [{subset}]>\n{_HEADER}')
    proc = subprocess.run([installed_tei(), "validate", str(doc), "--schema", "tei_toolkit",
                           "--no-schematron", "--format", "json"], capture_output=True,
                          text=True, timeout=120)
    problems = json.loads(proc.stdout)["problems"]
    safety = [p for p in problems if p["source"] == "safety"]
    if reported is None:
        assert safety == [] and proc.returncode == 0, proc.stdout
        return
    assert proc.returncode == 1
    assert len(safety) == 1 and safety[0]["severity"] == "error", safety
    assert f"external parameter entity {reported} is not loaded" in safety[0]["message"]
    assert (safety[0]["line"], safety[0]["column"]) == (2, 16)
    assert "FROM-DTD" not in proc.stdout


# A file past libxml2's XPath node-set limit (item 5) ------------------------------------------
def test_pointers_are_checked_in_a_file_of_more_than_ten_million_nodes():
    """libxml2 refuses an XPath node-set of over 10,000,000 nodes: ``//@xml:id`` on such a
    file (1.8 M paragraphs, as `tei import` writes from a 200 MB export) was an internal
    error. The cheapest file over the limit: 10.1 M processing instructions (nodes like any
    other for the node-set, 5 bytes each)."""
    from tei_toolkit.validation.document import Document

    data = (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body>\n<p xml:id="a">\n'
            b'<ref target="#a"/>\n<ref target="#a #b"/>\n<p xml:id="a"/>\n'
            + b"<?a?>" * 10_100_000 + b"</p></body></text></TEI>\n")
    doc = Document("big.xml", data)
    assert list(doc.parse()) == []
    found = [(p.line, p.source, p.message) for p in doc.pointer_problems()]
    del doc, data
    assert found == [
        (5, "xml:id", 'duplicate xml:id "a" (first on line 2): every xml:id must be unique'),
        (4, "pointer", '@target points to #b, but no element has xml:id="b"')], found


# Ctrl-C at any moment (item 7) ------------------------------------------------------------------
def _interpreter_start() -> float:
    """How long the interpreter takes to start and reach the `tei` entry point here: before
    that, a Ctrl-C is Python's own (site, the console script), which no program can handle."""
    import sys
    import time
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", "import tei_toolkit.__main__"], check=True)
    return time.monotonic() - start


@pytest.mark.parametrize("command", ["import", "validate"])
def test_ctrl_c_at_any_moment_prints_no_traceback(tmp_path, command):
    """The SIGINT reaches the whole process group, as from a terminal: the command while it
    loads its modules, its fork server and workers while they start, the batch under way."""
    import signal
    import time

    from .test_hardening import _default_sigint

    sources = tmp_path / "src"
    sources.mkdir()
    for i in range(40):
        shutil.copy(SOURCE, sources / f"d{i:02d}.txt")
    tei_dir = tmp_path / "tei"
    subprocess.run([installed_tei(), "import", str(sources), "-d", str(tei_dir)], check=True,
                   capture_output=True, timeout=120)
    argv = ([installed_tei(), "import", str(sources), "-d", str(tmp_path / "out"), "--force",
             "-j", "2"] if command == "import"
            else [installed_tei(), "validate", str(tei_dir), "-j", "2"])
    start = _interpreter_start()
    for delay in (0.02, 0.08, 0.15, 0.25, 0.4, 0.6):
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, start_new_session=True, preexec_fn=_default_sigint)
        time.sleep(start + delay)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"tei {command} hung after a SIGINT at {start + delay:.2f} s")
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, (delay, err)
        # 130 when interrupted; a SIGINT after the work is done may end the interpreter
        # itself (-2, which a shell shows as 130 too), or come after the exit (0).
        assert proc.returncode in (0, 130, -signal.SIGINT), (delay, proc.returncode, err)
        assert not [p for p in tmp_path.rglob("*.tmp")], delay


# File names that are not UTF-8 (item 8) ---------------------------------------------------------
@pytest.fixture(scope="module")
def undecodable(tmp_path_factory) -> Path:
    """A folder holding a valid TEI file and a broken one, both named with bytes that are not
    UTF-8 (legal on Linux), and their two sources."""
    folder = tmp_path_factory.mktemp("names")
    raw = os.fsencode(folder)
    src = raw + b"/src"
    os.mkdir(src)
    shutil.copy(SOURCE, src + b"/ok\xff.txt")
    with open(src + b"/bad\xfe.txt", "wb") as f:
        f.write(b"not an export\n")
    subprocess.run([installed_tei(), "import", os.fsdecode(src), "-d",
                    os.fsdecode(raw + b"/tei")], capture_output=True, timeout=120)
    with open(raw + b"/tei/broken\xfa.xml", "wb") as f:
        f.write(b"<TEI>\n")
    return folder


def _decoded(data: bytes) -> str:
    text = data.decode("utf-8")  # fails on invalid UTF-8
    assert "\\udc" not in text, text  # no surrogate escape spelled out either
    return text


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "github"])
def test_a_name_that_is_not_utf8_is_escaped_in_every_report_format(undecodable, fmt):
    proc = subprocess.run([installed_tei(), "validate", str(undecodable / "tei"),
                           "--no-schematron", "--format", fmt], capture_output=True,
                          timeout=120)
    assert proc.returncode == 1, proc.stderr
    out, err = _decoded(proc.stdout), _decoded(proc.stderr)
    assert "internal error" not in err and "Traceback" not in err
    if fmt == "json":
        names = {f["file"].rsplit("/", 1)[-1] for f in json.loads(out)["files"]}
        assert names == {"ok\\xff.xml", "broken\\xfa.xml"}
    elif fmt == "junit":
        from lxml import etree
        cases = etree.fromstring(proc.stdout).iter("testcase")
        assert {c.get("name").rsplit("/", 1)[-1] for c in cases} == {"ok\\xff.xml",
                                                                     "broken\\xfa.xml"}
    elif fmt == "github":
        assert "broken\\xfa.xml,line=2" in out
    else:
        assert "broken\\xfa.xml:2:" in out


def test_a_name_that_is_not_utf8_is_escaped_in_the_import_summary(undecodable):
    proc = subprocess.run([installed_tei(), "import", str(undecodable / "src"), "-d",
                           str(undecodable / "again"), "--json"], capture_output=True,
                          timeout=120)
    assert proc.returncode == 1
    files = json.loads(_decoded(proc.stdout))["files"]
    assert sorted(f["source"].rsplit("/", 1)[-1] for f in files) == ["bad\\xfe.txt",
                                                                     "ok\\xff.txt"]
    assert "bad\\xfe.txt:1:1: error:" in _decoded(proc.stderr)
    proc = subprocess.run([installed_tei(), "import", str(undecodable / "src"), "-d",
                           str(undecodable / "again"), "--skip-existing"],
                          capture_output=True, timeout=120)
    assert "ok\\xff.txt" in _decoded(proc.stderr)  # the summary table


# An export too large to convert in bounded memory (item 10) -------------------------------------
def test_an_export_over_the_size_limit_fails_at_once_with_one_line(tmp_path):
    from tei_toolkit.importer import MAX_SOURCE_BYTES

    big = tmp_path / "big.txt"
    with open(big, "wb") as f:  # the size is all that matters: it is never read
        f.write(SOURCE.read_bytes())
        f.truncate(MAX_SOURCE_BYTES + 1)
    small = tmp_path / "small.txt"
    shutil.copy(SOURCE, small)
    proc = subprocess.run([installed_tei(), "import", str(big), str(small), "-d",
                           str(tmp_path / "out"), "--json"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert errors == [f"{big}: error: the export is 32.0 MB, over the importer's limit of "
                      "32 MB (--max-size MB raises it; a conversion needs about 12 times the "
                      "export's size in memory)"], proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["small.xml"]
    # The limit is an option; the API takes it too, and measures text as UTF-8.
    proc = subprocess.run([installed_tei(), "import", str(small), "-o", str(tmp_path / "s.xml"),
                           "--max-size", "1"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    from tei_toolkit import SourceError, import_text
    text = SOURCE.read_text(encoding="utf-8")
    size = len(text.encode("utf-8"))
    with pytest.raises(SourceError, match="over the importer's limit"):
        import_text(text, "s.txt", max_bytes=size - 1)
    assert import_text(text, "s.txt", max_bytes=size).xml


def test_many_problems_in_a_minified_file_are_reported_in_linear_time(tmp_path):
    """Positions were found per problem by listing the parent's children and scanning the
    whole line: 3,000 dangling pointers on one line took 25 s, 30,000 would take hours. The
    generous timeout only catches that, it measures nothing."""
    n = 30_000
    doc = tmp_path / "minified.xml"
    doc.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div>'
                   + "".join(f'<p><ref target="#x{i}"/></p><lb/>' for i in range(n))
                   + "</div></body></text></TEI>", encoding="utf-8")
    proc = subprocess.run([installed_tei(), "validate", str(doc), "--schema", "tei_toolkit",
                           "--no-schematron", "--format", "json"], capture_output=True,
                          text=True, timeout=300)
    problems = [p for p in json.loads(proc.stdout)["problems"] if p["source"] == "pointer"]
    assert len(problems) == n
    # Columns and paths as an independent count gives them.
    text = doc.read_text(encoding="utf-8")
    starts = [i + 1 for i in range(len(text)) if text.startswith("<ref ", i)]
    for k in (0, 1, 63, 64, 65, 4_999, n - 1):
        assert problems[k]["column"] == starts[k]
        assert problems[k]["path"] == f"/TEI/text/body/div/p[{k + 1}]/ref"
