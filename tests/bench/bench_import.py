"""Import benchmark (not part of the test run): N seed-like documents, --jobs 1 and all cores.

    python tests/bench/bench_import.py [-n 4000] [--repeat 3] [--jobs-max N]
    python tests/bench/bench_import.py --memory [--sizes 1,8,32]

Prints documents/s and MB/s for the full `tei import` pipeline (read, convert, write each file
atomically) and for the conversion alone, beside the floors measured in the same run: lxml
parsing and serialising the same TEI outputs, and plainly creating and writing the output files
(on some disks file creation alone caps the pipeline). Ratios are against the lxml floor.

--memory instead converts single large exports (seed paragraphs, each made distinct) with the
installed `tei import` and prints each run's peak memory against the export's size, beside the
floor measured in the same run (lxml alone parsing the TEI written), then an export just over
the size limit, which must fail at once in little memory.

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


def large_export(size: int) -> bytes:
    """One export of about ``size`` bytes: the seed's header and its paragraphs again and
    again, each numbered so that no two are alike (no cache helps)."""
    text = SEED.read_text(encoding="utf-8")
    head, body = text.split("Translation - English\n\n", 1)
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    out = [head, "Translation - English\n\n"]
    total, i = sum(map(len, out)), 0
    while True:
        para = f"{paragraphs[i % len(paragraphs)]} ({i})\n\n"
        if total + len(para.encode("utf-8")) > size:
            break
        out.append(para)
        total += len(para.encode("utf-8"))
        i += 1
    return "".join(out).encode("utf-8")


# Runs `tei` in a fresh interpreter that reports its own high-water mark (VmHWM) as it exits:
# ru_maxrss of a child started from this process would include this process's memory, which
# a vfork()ed child shares until it execs.
_REPORTING_TEI = """import atexit, os, sys
def report():
    with open("/proc/self/status") as f:
        hwm = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
    with open(os.environ["BENCH_PEAK_FILE"], "w") as f:
        f.write(hwm)
atexit.register(report)
sys.argv = ["tei", *sys.argv[1:]]
from tei_toolkit.__main__ import main
main()
"""


def peak(argv: list[str], work: Path) -> tuple[int, float, int]:
    """(exit code, seconds, peak resident memory in bytes) of ``python -c ... ARGV``."""
    import subprocess
    report = work / "peak.txt"
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env={**os.environ, "BENCH_PEAK_FILE": str(report)})
    seconds = time.perf_counter() - start
    return proc.returncode, seconds, int(report.read_text()) * 1024


def memory(sizes_mb: list[float]) -> None:
    from tei_toolkit.importer.convert import MAX_SOURCE_BYTES
    work = Path(tempfile.mkdtemp(prefix="tei-bench-mem-"))
    tei = [sys.executable, "-c", _REPORTING_TEI]
    floor = [sys.executable, "-c", "import atexit, sys; exec(sys.argv.pop(1)); "
             "from lxml import etree; etree.parse(sys.argv[1], etree.XMLParser("
             "resolve_entities=False, no_network=True, huge_tree=True))",
             _REPORTING_TEI.split("atexit.register(report)")[0] + "atexit.register(report)"]
    try:
        print(f"tei_toolkit {__version__}, import pipeline "
              f"{'compiled with mypyc' if build() == 'mypyc' else 'pure Python'}; "
              f"size limit {MAX_SOURCE_BYTES >> 20} MB")
        code, _, base = peak([*tei, "import", str(SEED), "-o", str(work / "seed.xml")], work)
        assert code == 0
        print(f"tei import of the seed ({SEED.stat().st_size / 1024:.0f} KB): peak "
              f"{base / 2**20:.0f} MB, the base every run pays (word list, lexicon, register)")
        print(f"{'export':>10} {'seconds':>8} {'peak MB':>8} {'above base':>11} "
              f"{'floor MB':>9} {'x floor':>8}")
        for mb in sizes_mb:
            src, out = work / f"e{mb}.txt", work / f"e{mb}.xml"
            src.write_bytes(large_export(int(mb * 2**20)))
            size = src.stat().st_size
            code, seconds, rss = peak([*tei, "import", str(src), "-o", str(out)], work)
            assert code == 0, f"tei import failed on {mb} MB"
            _, _, floor_rss = peak([*floor, str(out)], work)
            print(f"{size / 2**20:8.1f}MB {seconds:8.1f} {rss / 2**20:8.0f} "
                  f"{(rss - base) / size:9.1f}x {floor_rss / 2**20:9.0f} "
                  f"{rss / floor_rss:7.1f}x")
            src.unlink()
            out.unlink()
        over = work / "over.txt"
        over.write_bytes(large_export(MAX_SOURCE_BYTES + 2**20))
        code, seconds, rss = peak([*tei, "import", str(over), "-o", str(work / "over.xml")],
                                  work)
        print(f"over the limit ({over.stat().st_size / 2**20:.0f} MB): exit {code} in "
              f"{seconds:.2f} s, peak {rss / 2**20:.0f} MB")
        assert code == 1 and not (work / "over.xml").exists()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=4000, help="documents (default 4000)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="in-memory rows: the fastest of this many runs, each over N documents "
                         "never converted before (default 3)")
    ap.add_argument("--jobs-max", type=int, default=default_jobs(), help="all cores")
    ap.add_argument("--memory", action="store_true",
                    help="peak memory of single large exports instead (see above)")
    ap.add_argument("--sizes", default="1,8,32", help="--memory: export sizes in MB")
    args = ap.parse_args()
    if args.memory:
        memory([float(x) for x in args.sizes.split(",")])
        return
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
