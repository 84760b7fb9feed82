"""The import pipeline as installed (setup.py compiles it with mypyc) against the working
tree's interpreted Python: the same TEI, warnings, --explain and errors, document for document.

`python -m pytest` imports tei_toolkit from the working tree (interpreted); the installed
`tei` command runs the installed package, compiled when the build could compile it. Under
CI the installed pipeline must be compiled: the README's speed figures are for that build.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

from tei_toolkit import Profile, Register, default_lexicon
from tei_toolkit.importer import batch, output

from .conftest import SHARED, corpus_sources, installed_tei, need, shared_samples
from .fuzz import EXPORT_PIECES, mutate


def _version(exe: str) -> str:
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_installed_pipeline_is_compiled():
    need("compiled with mypyc" in _version(installed_tei()),
         "the compiled import pipeline (pip install . with a C compiler; see the README's "
         "Quick start)")


def _inputs(folder: Path) -> int:
    """The corpus, the samples and the seed; their headers crossed with each other's bodies;
    and mutated copies (brackets, ellipses, control characters, broken sections)."""
    sources = corpus_sources() + shared_samples() + sorted((SHARED / "seeds").glob("*.txt"))
    need(len(sources) > len(corpus_sources()), "../shared (samples and seeds)")
    texts = [p.read_text(encoding="utf-8") for p in sources]
    docs = list(texts)
    parts = [t.split("**Contents:**", 1) for t in texts if "**Contents:**" in t]
    docs += [head + "**Contents:**" + body for head, _ in parts[::2] for _, body in parts]
    rng = random.Random(2026)
    docs += [mutate(rng, rng.choice(texts), EXPORT_PIECES) for _ in range(300)]
    for i, doc in enumerate(docs):
        (folder / f"d{i:04d}.txt").write_bytes(doc.encode("utf-8", "surrogatepass"))
    return len(docs)


def test_compiled_and_interpreted_pipelines_write_the_same(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    count = _inputs(src)
    cli_out, py_out = tmp_path / "cli", tmp_path / "py"
    done = subprocess.run([installed_tei(), "import", str(src), "-d", str(cli_out), "--json",
                           "--explain", "--jobs", "2"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    results = batch.run(batch.plan_outputs([src], output_dir=py_out), default_lexicon(),
                        Profile.default(), register=Register.default(), jobs=1)
    expected = json.loads(output.summary_json(results, explain=True))
    got = json.loads(done.stdout.replace(str(cli_out), str(py_out)))
    assert len(got["files"]) == count == len(expected["files"])
    assert sum(f["ok"] for f in got["files"]) > count // 2  # most convert, some are refused
    for mine, theirs in zip(got["files"], expected["files"]):
        assert mine == theirs, mine["source"]
        if mine["ok"]:
            name = Path(mine["output"]).name
            assert (cli_out / name).read_bytes() == (py_out / name).read_bytes(), name
    assert got == expected


def test_written_out_inits_take_every_field_in_order():
    """Dataclasses that write their __init__ out (for mypyc) must still take their fields:
    a field added to the class but not to __init__ would be missing at run time, and
    pickling.reduce calls __init__ with the fields in order."""
    import dataclasses
    import importlib
    import inspect
    import pkgutil

    import tei_toolkit.importer

    checked = 0
    for info in pkgutil.iter_modules(tei_toolkit.importer.__path__):
        if info.name == "_forkserver":  # the fork server's set-up: it blocks SIGTERM
            continue
        module = importlib.import_module(f"tei_toolkit.importer.{info.name}")
        for cls in vars(module).values():
            if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)
                    and cls.__module__ == module.__name__
                    and cls.__init__.__code__.co_filename == module.__file__):
                continue
            if cls.__name__ == "Context":  # takes three; the rest start empty (its docstring)
                continue
            params = list(inspect.signature(cls.__init__).parameters)[1:]
            assert params == [f.name for f in dataclasses.fields(cls) if f.init], cls.__name__
            checked += 1
    assert checked >= 8
