"""Import benchmark (not part of the test run): N seed-like documents, --jobs 1 and all cores.

    python tests/bench/bench_import.py [-n 4000] [--repeat 3] [--jobs-max N]

Prints documents/s and MB/s for the full `tei import` pipeline (read, convert, write each file
atomically) and for the conversion alone, beside the floors measured in the same run: lxml
parsing and serialising the same TEI outputs, and plainly creating and writing the output files
(on some disks file creation alone caps the pipeline). Ratios are against the lxml floor.

It measures the installed package, as `tei` runs it: compiled with mypyc by `pip install .`
(see setup.py), pure Python in an editable install or with TEI_TOOLKIT_PURE=1; the first line
says which.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]

from tei_toolkit import Profile, __version__, default_lexicon, import_text  # noqa: E402
from tei_toolkit._version import build  # noqa: E402
from tei_toolkit.importer.batch import default_jobs, plan_outputs, run  # noqa: E402

SEED = ROOT / "corpus" / "sources" / "000_b00edda5464e9fe3.txt"


def seed_like(n: int, first_id: int = 200000) -> list[bytes]:
    """N documents shaped like the seed: same sections, shuffled paragraphs, distinct ids."""
    text = SEED.read_text(encoding="utf-8")
    head, body = text.split("Translation - English\n\n", 1)
    paragraphs = body.split("\n\n")
    rng = random.Random(first_id)
    out = []
    for i in range(n):
        rng.shuffle(paragraphs)
        doc = head.replace("/121156", f"/{first_id + i}") + "Translation - English\n\n" + \
            "\n\n".join(paragraphs)
        out.append(doc.encode("utf-8"))
    return out


def make_corpus(n: int, folder: Path) -> int:
    size = 0
    for i, data in enumerate(seed_like(n)):
        (folder / f"doc{i:05d}.txt").write_bytes(data)
        size += len(data)
    return size


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=4000, help="documents (default 4000)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="in-memory rows: the fastest of this many runs, each over N documents "
                         "never converted before (default 3)")
    ap.add_argument("--jobs-max", type=int, default=default_jobs(), help="all cores")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tei-bench-"))
    try:
        src = work / "src"
        src.mkdir()
        size = make_corpus(args.n, src)
        lexicon, profile = default_lexicon(), Profile.default()
        files = sorted(src.glob("*.txt"))
        datas = [f.read_bytes() for f in files]
        outputs: list[bytes] = []

        # Warm up caches the way a long batch would (lexicon matcher, encodingDesc).
        import_text(datas[0], "warm.txt", lexicon, profile)
        # In memory, the fastest of --repeat runs (the others were disturbed: this is a
        # shared machine); each run converts documents with ids no run has seen, so what a
        # new document costs (its URL, its id) is paid every time.
        t_convert = timed(lambda: outputs.extend(
            import_text(d, f"{i}.txt", lexicon, profile).xml for i, d in enumerate(datas)))
        for r in range(1, args.repeat):
            fresh = seed_like(args.n, 200000 + r * args.n)
            t_convert = min(t_convert, timed(lambda: [
                import_text(d, f"{i}.txt", lexicon, profile) for i, d in enumerate(fresh)]))
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        t_floor = min(timed(lambda: [etree.tostring(etree.fromstring(x, parser),
                                                    encoding="UTF-8") for x in outputs])
                      for _ in range(args.repeat))
        floor_dir = work / "floor"
        floor_dir.mkdir()

        def write_plain() -> None:
            for i, x in enumerate(outputs):
                with open(floor_dir / f"{i}.xml", "wb") as f:
                    f.write(x)

        t_write = timed(write_plain)
        rows = [("floor: lxml parse + serialise the TEI", t_floor),
                ("floor: create and write the TEI files", t_write),
                ("convert in memory (import_text), 1 core", t_convert)]
        for jobs in sorted({1, args.jobs_max}):
            out = work / f"out{jobs}"
            plan = plan_outputs([src], output_dir=out)
            results: list = []
            t = timed(lambda: results.extend(run(plan, lexicon, profile, jobs=jobs)))
            assert all(r.ok for r in results), [str(r.error) for r in results if not r.ok][:3]
            rows.append((f"tei import -d (read, convert, write), --jobs {jobs}", t))

        mb = size / 1e6
        kind = "compiled with mypyc" if build() == "mypyc" else "pure Python"
        print(f"tei_toolkit {__version__}, import pipeline {kind}")
        print(f"{args.n} seed-like documents, {mb:.1f} MB of source, {os.cpu_count()} cores, "
              f"Python {sys.version.split()[0]}")
        print(f"{'':48} {'docs/s':>9} {'MB/s':>7} {'vs floor':>9}")
        for label, t in rows:
            print(f"{label:48} {args.n / t:9.0f} {mb / t:7.2f} {t_floor / t:8.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
