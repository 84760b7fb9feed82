"""Review benchmark (not part of the test run): importing N documents with an editor's
decisions file against importing them without it, in the same run.

    python tests/bench/bench_review.py [-n 2000] [--rows 10000] [--repeat 3]

The documents are seed-like (bench_import.seed_like); the decisions file has ROWS rows, from
`tei review`'s own rows of those documents, spread over all of them (every fifth changed in
one cell, every fifth accepted, the rest as written). Prints
documents/s for the conversion alone (one process, in memory) in three ways: plain, keyed
(what `tei review` does) and with the decisions, and the ratios against plain; then the
installed `tei import DIR -d OUT --jobs 1` (read, convert, write) with and without
`--decisions`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import seed_like  # noqa: E402

from tei_toolkit import Decisions, __version__, decisions_tsv, import_text  # noqa: E402
from tei_toolkit._version import build  # noqa: E402

OTHER = {"supplement": "identification", "identification": "supplement",
         "completion": "supplement", "expansion": "supplement", "respelling": "identification",
         "original": "supplement", "sent": "received", "received": "sent", "via": "received"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    docs = seed_like(args.n)
    per_doc = -(-args.rows // args.n)  # spread over every document: each is keyed
    rows = [d for i, data in enumerate(docs)
            for d in import_text(data, f"doc{i}.txt", keyed=True).decisions[:per_doc]]
    rows = rows[:args.rows]
    for i, row in enumerate(rows):  # as an editor leaves them: a few changed (one cell),
        if i % 5 == 0 and row.decision in OTHER:  # some accepted, most as written
            row.decision = OTHER[row.decision]
        elif i % 5 == 1:
            row.status, row.reviewer, row.date = "ok", "A. Editor", "2026-12-01"
    table = Path(tempfile.mkdtemp(prefix="tei-bench-review-")) / "decisions.tsv"
    table.write_text(decisions_tsv(rows), encoding="utf-8")
    start = time.perf_counter()
    decisions = Decisions.load([table])
    load = time.perf_counter() - start
    print(f"tei_toolkit {__version__} ({build()}); {len(docs)} documents, {len(rows)} decision "
          f"rows (loaded in {load:.2f} s)")

    def plain() -> None:
        for i, data in enumerate(docs):
            import_text(data, f"doc{i}.txt")

    def keyed() -> None:
        for i, data in enumerate(docs):
            import_text(data, f"doc{i}.txt", keyed=True)

    def decided() -> None:
        for i, data in enumerate(docs):
            import_text(data, f"doc{i}.txt", decisions=decisions)

    plain()  # warm the caches (word lists, register index)
    best: dict[str, float] = {}
    for _ in range(args.repeat):  # interleaved, so that a slower stretch of the machine
        for name, fn in (("plain", plain), ("keyed", keyed), ("decisions", decided)):
            start = time.perf_counter()  # weighs on all three alike
            fn()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    for name, seconds in best.items():
        print(f"{name:>10}: {len(docs) / seconds:8.0f} docs/s  {seconds:6.2f} s  "
              f"x{seconds / best['plain']:.3f} of plain")
    folder = table.parent / "exports"
    folder.mkdir()
    for i, data in enumerate(docs):
        (folder / f"doc{i:05d}.txt").write_bytes(data)
    tei = str(Path(sys.executable).parent / "tei")
    runs = {"tei import": [tei, "import", str(folder), "-d", str(table.parent / "out"),
                           "--force", "--jobs", "1"]}
    runs["tei import --decisions"] = runs["tei import"] + ["--decisions", str(table)]
    whole: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, argv in runs.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            whole[name] = min(whole.get(name, float("inf")), time.perf_counter() - start)
    for name, seconds in whole.items():
        print(f"{name:>24}: {len(docs) / seconds:8.0f} docs/s  {seconds:6.2f} s  "
              f"x{seconds / whole['tei import']:.3f}")


if __name__ == "__main__":
    main()
