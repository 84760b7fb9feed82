"""Validation benchmark (not part of the test run): the TEI benchmark corpus against tei_all.

    python tests/bench/bench_validate.py [--corpus ../shared/bench/tei] [--schema ../shared/schemas/tei_all.rng]

Every timing is a cold run of a fresh process (`tei validate ... --no-schematron --no-pointers`,
so the work matches jing's: RELAX NG only), with --jobs 1 and all cores,
beside jing on the same files in the same run. Prints wall time, MB/s and the ratio to jing,
and the files on which the verdicts differ.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def tei_command() -> list[str]:
    exe = shutil.which("tei") or str(Path(sys.executable).parent / "tei")
    return [exe] if Path(exe).exists() else [sys.executable, "-m", "tei_toolkit"]


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=SHARED / "bench" / "tei")
    ap.add_argument("--schema", type=Path, default=SHARED / "schemas" / "tei_all.rng")
    ap.add_argument("--cold-runs", type=int, default=5)
    args = ap.parse_args()
    jing = shutil.which("jing")
    if not jing or not args.schema.is_file() or not args.corpus.is_dir():
        sys.exit("needs jing, the schema and the corpus (see --help)")
    files = sorted(str(p) for p in args.corpus.rglob("*.xml"))
    mb = sum(os.path.getsize(f) for f in files) / 1e6
    tei = tei_command()
    cores = os.cpu_count() or 1
    print(f"{len(files)} files, {mb:.1f} MB, schema {args.schema.name}, {cores} cores")

    # Cold start: one small document, median of several fresh processes.
    small = min(files, key=os.path.getsize)
    cold_tei = statistics.median(timed([*tei, "validate", small, "--schema", str(args.schema),
                                        "--no-schematron", "--no-pointers", "--format", "json"])[0]
                                 for _ in range(args.cold_runs))
    cold_jing = statistics.median(timed([jing, str(args.schema), small])[0]
                                  for _ in range(args.cold_runs))

    t_jing, proc = timed([jing, str(args.schema), *files])
    jing_bad = {line.split(":", 1)[0] for line in proc.stdout.splitlines() if ":" in line}
    rows = [("jing", t_jing)]
    disagreements: set[str] = set()
    for jobs in sorted({1, cores}):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            t, proc = timed([*tei, "validate", *files, "--schema", str(args.schema),
                             "--no-schematron", "--no-pointers", "--format", "json",
                             "--output", out.name,
                             "--jobs", str(jobs)])
            report = json.loads(Path(out.name).read_text(encoding="utf-8"))
        ours_bad = {f["file"] for f in report["files"] if not f["valid"]}
        disagreements |= ours_bad ^ jing_bad
        rows.append((f"tei validate --jobs {jobs}", t))

    print(f"\ncold start (one small file, median of {args.cold_runs}): tei {cold_tei:.2f} s, "
          f"jing {cold_jing:.2f} s, ratio {cold_tei / cold_jing:.2f}x jing's time")
    print(f"\n{'':28} {'wall s':>8} {'MB/s':>8} {'time vs jing':>13}")
    for label, t in rows:
        print(f"{label:28} {t:8.2f} {mb / t:8.1f} {t / t_jing:12.2f}x")
    print(f"\nverdicts differing from jing: {len(disagreements)}")
    for f in sorted(disagreements)[:20]:
        print("  " + f)


if __name__ == "__main__":
    main()
