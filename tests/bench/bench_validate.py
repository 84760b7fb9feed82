"""Validation benchmark (not part of the test run): a TEI corpus against tei_all.

    python tests/bench/bench_validate.py [--corpus DIR]... [--schema ../shared/schemas/tei_all.rng]
    python tests/bench/bench_validate.py --per-file --corpus TEI/P5/Test
    python tests/bench/bench_validate.py --large 300
    python tests/bench/bench_validate.py --linear

Every timing is the median of --repeat cold runs (default 3) of a fresh process (`tei
validate ... --no-schematron --no-pointers`, so the work matches jing's: RELAX NG only), for
each engine (--engines, default libxml2's and our own), with --jobs 1 and all cores, with no
--schema at all after `tei schemas add` (a temporary cache: what a fresh clone gets), and
with the pointer check on (the default engine, all cores; its verdicts not compared), beside
jing on the same files in the same run and the parse-only floor (lxml parsing every
file in one process). Prints wall time, MB/s and the ratio to jing, and the files on which
the verdicts differ. --per-file times every file alone, tei and jing, and lists the files
where tei is slower (TEI's own test files, P5/Test in the TEI sources: github.com/TEIC/TEI).

--large MB writes one TEI file of that size (the seed's TEI with its body repeated, its notes'
xml:ids and the pointers to them made distinct in each copy) and validates it whole, pointers included, with
`tei validate` and jing: seconds, peak memory and both verdicts.

Corpora: ../shared/bench/tei (464 files); manuscript descriptions and one document per TEI
element come from `python -m tests.tei_instances ../shared/schemas/tei_all.rng --out DIR`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
    ap.add_argument("--corpus", type=Path, action="append")
    ap.add_argument("--per-file", action="store_true")
    ap.add_argument("--schema", type=Path, default=SHARED / "schemas" / "tei_all.rng")
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each corpus row; its median is shown (default: %(default)s)")
    ap.add_argument("--large", type=float, metavar="MB",
                    help="one generated TEI file of this size instead (see above)")
    ap.add_argument("--linear", action="store_true",
                    help="time lists of 1,000 to 64,000 entries and a grammar of nested "
                         "one-child groups: the time per entry must stay flat")
    ap.add_argument("--engines", default="lxml,derivative",
                    help="the RELAX NG engines to time, comma-separated (default: %(default)s)")
    args = ap.parse_args()
    jing = shutil.which("jing")
    if args.linear:
        return linear(args.schema, jing, args.engines.split(","))
    if args.large:
        if not jing or not args.schema.is_file():
            sys.exit("needs jing and the schema (see --help)")
        return large(args.large, args.schema, jing, args.engines.split(","))
    corpora = args.corpus or [SHARED / "bench" / "tei"]
    if not jing or not args.schema.is_file() or not all(c.is_dir() for c in corpora):
        sys.exit("needs jing, the schema and the corpus (see --help)")
    files = sorted(str(p) for c in corpora for p in c.rglob("*.xml"))
    if args.per_file:
        return per_file(files, args.schema, jing)
    mb = sum(os.path.getsize(f) for f in files) / 1e6
    tei = tei_command()
    cores = os.cpu_count() or 1
    print(f"{len(files)} files, {mb:.1f} MB, schema {args.schema.name}, {cores} cores")

    engines = args.engines.split(",")
    # Cold start: one small document, median of several fresh processes (the schema read
    # once first, as a cache holds it after any run).
    small = min(files, key=os.path.getsize)
    cold: dict[str, float] = {}
    for engine in engines:
        one = [*tei, "validate", small, "--schema", str(args.schema), "--no-schematron",
               "--no-pointers", "--format", "json", "--engine", engine]
        timed(one)
        cold[engine] = statistics.median(timed(one)[0] for _ in range(args.cold_runs))
    cold_jing = statistics.median(timed([jing, str(args.schema), small])[0]
                                  for _ in range(args.cold_runs))

    # Each row's command runs --repeat times, the rows taking turns (so that a slow moment
    # of the machine falls on all of them alike); a row's time is its median.
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as fresh, \
            tempfile.TemporaryDirectory() as outs:
        # As the README's recipe has it: `tei schemas add SCHEMA --name NAME` once, then
        # `--schema NAME`; and no --schema at all, tei_all from a cache that holds only it
        # (what a fresh clone gets after `tei schemas add`). Temporary caches: the run does
        # not depend on what this machine's cache holds.
        env = {**os.environ, "TEI_TOOLKIT_CACHE": cache}
        fresh_env = {**os.environ, "TEI_TOOLKIT_CACHE": fresh}
        timed_env([*tei, "schemas", "add", str(args.schema), "--name", "bench"], env)
        t_add = timed_env([*tei, "schemas", "add", str(args.schema), "--name", "tei_all"],
                          fresh_env)[0]
        runs: list[tuple[str, list[str], dict[str, str] | None, Path | None]] = [
            ("jing", [jing, str(args.schema), *files], None, None)]
        for engine in engines:
            for jobs in sorted({1, cores}):
                out = Path(outs) / f"{engine}-{jobs}.json"
                runs.append((f"tei validate --engine {engine} --jobs {jobs}",
                             [*tei, "validate", *files, "--schema", "bench", "--no-schematron",
                              "--no-pointers", "--format", "json", "--output", str(out),
                              "--jobs", str(jobs), "--engine", engine], env, out))
        out = Path(outs) / "default.json"
        runs.append(("tei validate (no --schema)",
                     [*tei, "validate", *files, "--no-schematron", "--no-pointers", "--format",
                      "json", "--output", str(out)], fresh_env, out))
        # The pointer check too (the default engine): more work than jing's, so its verdicts
        # are not compared.
        runs.append((f"tei validate --jobs {cores}, pointers checked",
                     [*tei, "validate", *files, "--schema", "bench", "--no-schematron",
                      "--jobs", str(cores), "--format", "json", "--output",
                      str(Path(outs) / "pointers.json")], env, None))
        runs.append(("parse-only floor (lxml)", [
            sys.executable, "-c", "import sys\nfrom lxml import etree\n"
            "p = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)\n"
            "for f in sys.argv[1:]:\n    etree.parse(f, p)\n", *files], None, None))
        times: dict[str, list[float]] = {label: [] for label, *_ in runs}
        jing_out = ""
        disagreements: set[str] = set()
        for rep in range(args.repeat):
            for label, cmd, run_env, report_file in runs:
                t, proc = timed_env(cmd, run_env) if run_env else timed(cmd)
                times[label].append(t)
                if rep or label == "parse-only floor (lxml)" or "pointers" in label:
                    continue
                if report_file is None:
                    jing_out = proc.stdout
                    continue
                jing_bad = {line.split(":", 1)[0] for line in jing_out.splitlines()
                            if ":" in line}
                report = json.loads(report_file.read_text(encoding="utf-8"))
                ours_bad = {f["file"] for f in report["files"] if not f["valid"]}
                disagreements |= {f"{f} ({label})" for f in ours_bad ^ jing_bad}
    rows = [(label, statistics.median(ts)) for label, ts in times.items()]
    t_jing = rows[0][1]
    floor = rows[-1][1]
    print(f"\ncold start (one small file, median of {args.cold_runs}): jing {cold_jing:.2f} s; "
          + "; ".join(f"tei --engine {e} {t:.2f} s ({t / cold_jing:.2f}x jing's time)"
                      for e, t in cold.items()))
    print(f"\n{'':40} {'wall s':>8} {'MB/s':>8} {'vs jing':>8} {'vs floor':>9}")
    for label, t in rows:
        print(f"{label:40} {t:8.2f} {mb / t:8.1f} {t / t_jing:7.2f}x {t / floor:8.2f}x")
    print(f"(tei schemas add, once: {t_add:.2f} s; compiles the whole schema as its proof)")
    print(f"\nverdicts differing from jing: {len(disagreements)}")
    for f in sorted(disagreements)[:20]:
        print("  " + f)


def timed_env(cmd: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, proc


def large_tei(size: int, dest: Path) -> None:
    """A valid TEI file of about ``size`` bytes (the seed's TEI, its body again and again),
    written as it is made."""
    from lxml import etree

    from tei_toolkit import import_file
    seed = ROOT / "corpus" / "sources" / "000_b00edda5464e9fe3.txt"
    root = etree.fromstring(import_file(seed).xml)
    body = root.find(".//{http://www.tei-c.org/ns/1.0}body")
    assert body is not None
    head, _, tail = etree.tostring(root, encoding="unicode").partition("<body>")
    div = etree.tostring(body[0], encoding="unicode").replace(
        ' xmlns="http://www.tei-c.org/ns/1.0"', "")
    # The ids the body defines (notes) are made distinct in each copy, with the pointers to
    # them; pointers to the header's ids (the archive, the register) stay as they are.
    own = re.findall(r'xml:id="([^"]+)"', div)
    mention = re.compile(r'(xml:id="|#)(' + "|".join(map(re.escape, own)) + r')\b') if own \
        else None
    with open(dest, "w", encoding="utf-8") as out:
        out.write(head + "<body>")
        written, i = len(head), 0
        while written < size:
            chunk = mention.sub(lambda m: f"{m.group(1)}c{i}-{m.group(2)}", div) if mention \
                else div
            out.write(chunk + "\n")
            written += len(chunk) + 1
            i += 1
        out.write("</body>" + tail.split("</body>", 1)[1])


def large(mb: float, schema: Path, jing: str, engines: list[str]) -> None:
    tei = tei_command()
    with tempfile.TemporaryDirectory() as work:
        doc = Path(work) / "large.xml"
        large_tei(int(mb * 1e6), doc)
        size = doc.stat().st_size
        print(f"one TEI file of {size / 1e6:.0f} MB, schema {schema.name}")
        for engine in engines:
            t_tei, proc, rss_tei = _with_peak([*tei, "validate", str(doc), "--schema",
                                               str(schema), "--no-schematron", "--format",
                                               "json", "--engine", engine])
            verdict = (json.loads(proc.stdout)["files"][0]["valid"] if proc.stdout.strip()
                       else f"none ({proc.stderr.strip()[-200:]})")
            print(f"tei validate --engine {engine:10} (pointers included): {t_tei:7.1f} s, "
                  f"peak {rss_tei / 2**20:6.0f} MB, valid: {verdict}")
        t_jing, jproc, rss_jing = _with_peak([jing, str(schema), str(doc)])
        print(f"jing:{'':49} {t_jing:7.1f} s, peak {rss_jing / 2**20:6.0f} MB,"
              f" valid: {jproc.returncode == 0 and not jproc.stdout.strip()}")


def _with_peak(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess, int]:
    """Seconds, the result and the peak resident memory (bytes) of ``cmd``, sampled from
    /proc every 50 ms (ru_maxrss of a vfork()ed child would include this process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    top = 0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        top = max(top, int(line.split()[1]) * 1024)
        except OSError:
            pass
        time.sleep(0.05)
    out, err = proc.communicate()
    return (time.perf_counter() - start,
            subprocess.CompletedProcess(cmd, proc.returncode, out, err), top)


def linear(schema: Path, jing: str | None, engines: list[str]) -> None:
    """Seconds per entry of a TEI <list> of N items (tei_all), and of a document against a
    grammar whose content model nests 300 one-child groups, for growing N."""
    tei = tei_command()
    rng = "http://relaxng.org/ns/structure/1.0"
    with tempfile.TemporaryDirectory() as work:
        nested = Path(work) / "nested.rng"
        nested.write_text(f'<grammar xmlns="{rng}"><start><element name="list"><oneOrMore>'
                          + "<group>" * 300 + '<element name="item"><text/></element>'
                          + "</group>" * 300 + "</oneOrMore></element></start></grammar>")
        print(f"{'':34} " + " ".join(f"{n:>10,}" for n in (4000, 16000, 64000))
              + "   (microseconds per entry beyond the first 1,000)")
        for label, grammar, make in (
                ("tei_all, <list> of N <item>", schema,
                 lambda n: ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc>'
                            "<titleStmt><title>t</title></titleStmt><publicationStmt><p>p</p>"
                            "</publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc>"
                            "</teiHeader><text><body><list>" + "<item>x</item>" * n
                            + "</list></body></text></TEI>")),
                ("300 nested one-child groups", nested,
                 lambda n: "<list>" + "<item>x</item>" * n + "</list>")):
            docs = []
            for n in (1000, 4000, 16000, 64000):
                doc = Path(work) / f"{grammar.stem}-{n}.xml"
                doc.write_text(make(n))
                docs.append((n, doc))
            runs = [(e, [*tei, "validate", "--schema", str(grammar), "--no-schematron",
                         "--no-pointers", "--engine", e]) for e in engines]
            if jing:
                runs.append(("jing", [jing, str(grammar)]))
            for name, cmd in runs:
                timed([*cmd, str(docs[0][1])])  # warm the cache
                base = timed([*cmd, str(docs[0][1])])[0]
                per = [(timed([*cmd, str(d)])[0] - base) / (n - 1000) * 1e6
                       for n, d in docs[1:]]
                print(f"{label[:22] + ' ' + name:34} " + " ".join(f"{x:10.2f}" for x in per))


def per_file(files: list[str], schema: Path, jing: str) -> None:
    """Each file alone, cold: tei validate --schema against jing."""
    tei = tei_command()
    slower = []
    worst = 0.0
    for f in files:
        t_tei, proc = timed([*tei, "validate", f, "--schema", str(schema), "--no-schematron",
                             "--no-pointers", "--format", "json"])
        t_jing, _ = timed([jing, str(schema), f])
        worst = max(worst, t_tei / t_jing)
        if t_tei > t_jing:
            slower.append((Path(f).name, t_tei, t_jing))
        print(f"{Path(f).name:40} tei {t_tei:6.2f} s  jing {t_jing:6.2f} s  "
              f"{t_tei / t_jing:5.2f}x", flush=True)
    print(f"\n{len(files)} files; slowest ratio {worst:.2f}x jing's time; slower than jing: "
          f"{len(slower)}")
    for name, a, b in slower:
        print(f"  {name}: {a:.2f} s vs {b:.2f} s")


if __name__ == "__main__":
    main()
