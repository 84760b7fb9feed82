"""Real TEI projects' own schemas (not part of the test run): verdicts and wall time beside jing.

    python tests/bench/bench_projects.py MANIFEST.json [--only NAME] [--json OUT]

MANIFEST.json lists what to run: ``[{"project": ..., "schema": "/abs/x.rng", "docs": [...],
"root": "/abs/project"}]`` (root, optional: the folder whose files includes may read, passed
as --allow-read; default the documents' common folder)
(schemas a project ships, most generated from its ODD, and its documents; fetch the projects
yourself, e.g. bodleian/medieval-mss, COST-ELTeC, sarit, umd-mith/sga, clarin-eric/parla-clarin,
erc-dharma, e-ditiones/ODD17: their files are theirs, never copied into this repository).

For each schema, in the same run and on the same files, every timing a fresh process:
- jing's verdict per document (``tei_toolkit.validation.jing.run``: a file with includes runs
  alone, so what jing says of its included files is its own) and jing's wall time over the
  batch (one JVM);
- ``tei validate DOCS --schema S --no-schematron --no-pointers`` with ``--jobs 1`` on a new
  cache (first contact: the schema is proven in a child first), again (proven, from the
  cache), and with ``--jobs 2``;
- the cold compile of the schema once added (``tei schemas add``): a fresh process sets up a
  Validator for it and reduces and compiles it for the first document (the seconds before
  any document is validated);
- the documents whose verdicts differ, with both first messages.

Prints one row per schema with the ratios to jing, and the totals. Exit 1 when any verdict
differs or a schema does not compile.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_validate import tei_command  # noqa: E402
from tei_toolkit.errors import SetupError  # noqa: E402
from tei_toolkit.validation import jing  # noqa: E402


def tei_run(schema: str, docs: list[str], jobs: int, env: dict[str, str], root: str
            ) -> tuple[float, dict[str, tuple[bool | None, str]], str]:
    """Wall time, {doc: (valid, first problem)} (valid None: the schema was refused), and the
    error when the run failed."""
    # jing reads every include; tei only under the folders it may read: the project's.
    cmd = [*tei_command(), "validate", *docs, "--schema", schema, "--no-schematron",
           "--no-pointers", "--format", "json", "-j", str(jobs), "--allow-read", root]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode == 3 and "schema" in proc.stderr:  # the schema is refused
        return wall, {d: (None, proc.stderr.strip()) for d in docs}, ""
    if proc.returncode not in (0, 1):
        return wall, {}, (proc.stderr or proc.stdout).strip()[-300:]
    out = json.loads(proc.stdout)
    first: dict[str, str] = {}
    for p in out["problems"]:
        if p["severity"] == "error":
            first.setdefault(p["file"], f"{p['file']}:{p['line']}: {p['message']}")
    verdicts = {}
    for f in out["files"]:
        if f.get("skipped"):
            verdicts[f["file"]] = (True, "not checked: " + f["skipped"])
        else:
            verdicts[f["file"]] = (bool(f["valid"]), first.get(f["file"], ""))
    # A problem in an included file is named after that file: it is the document's.
    for f in out["files"]:
        if not f["valid"] and not verdicts[f["file"]][1]:
            verdicts[f["file"]] = (False, "(in an included file)")
    return wall, verdicts, ""


_COLD = """
import sys, time
start = time.perf_counter()
from lxml import etree
from tei_toolkit.validation.compiled import document_names
from tei_toolkit.validation.validate import Validator
validator = Validator(sys.argv[1], schematron=False)
names = document_names(etree.parse(sys.argv[2]))
validator.store.relaxng(validator.schemas.first.path, names)
print(time.perf_counter() - start)
"""


def cold_compile(schema: str, doc: str, env: dict[str, str]) -> float | None:
    """Seconds to set up a Validator for the added schema and compile it for ``doc``."""
    added = subprocess.run([*tei_command(), "schemas", "add", schema, "--name", "bench"],
                           capture_output=True, text=True, env=env)
    if added.returncode != 0:
        return None
    proc = subprocess.run([sys.executable, "-c", _COLD, "bench", doc], capture_output=True,
                          text=True, env=env)
    return float(proc.stdout) if proc.returncode == 0 else None


def _verdict(valid: bool | None) -> str:
    return "schema refused" if valid is None else "valid" if valid else "invalid"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("manifest", type=Path)
    ap.add_argument("--only", help="only schemas whose path contains this")
    ap.add_argument("--json", type=Path, help="write every measurement here")
    args = ap.parse_args()
    sets = json.loads(args.manifest.read_text())
    if args.only:
        sets = [s for s in sets if args.only in s["schema"]]
    rows = []
    failed = False
    print(f"{'schema':<34} {'docs':>4} {'differ':>6} {'jing s':>7} {'tei -j1 new':>11} "
          f"{'-j1 cached':>10} {'-j2 cached':>10} {'cold':>5}  ratios to jing (new/-j1/-j2)")
    for s in sets:
        schema, docs = s["schema"], s["docs"]
        start = time.perf_counter()
        subprocess.run([*jing.command(), schema, *docs], capture_output=True)
        jing_wall = time.perf_counter() - start
        try:
            found = jing.run(Path(schema), docs)
        except SetupError as exc:  # jing refuses the schema: so must tei
            found = {d: [(0, 0, "schema", exc.message)] for d in docs}
        jing_verdicts = {d: None if found.get(d, [(0, 0, "", "")])[0][2] == "schema" else
                         not any(p[2] == "error" for p in found.get(d, [])) for d in docs}
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "TEI_TOOLKIT_CACHE": cache}
            root = s.get("root") or os.path.commonpath(
                [os.path.dirname(os.path.abspath(d)) for d in docs])
            new, verdicts, error = tei_run(schema, docs, 1, env, root)
            cached, _, _ = tei_run(schema, docs, 1, env, root)
            two, _, _ = tei_run(schema, docs, 2, env, root)
            cold = cold_compile(schema, docs[0], env)
        differ = [] if error else [
            (d, jing_verdicts[d], verdicts.get(d, (None, "no report"))) for d in docs
            if verdicts.get(d, (None, ""))[0] != jing_verdicts[d]]
        failed |= bool(error or differ)
        name = Path(schema).name
        print(f"{name:<34} {len(docs):>4} {len(differ) if not error else 'ERR':>6} "
              f"{jing_wall:>7.2f} {new:>11.2f} {cached:>10.2f} {two:>10.2f} "
              f"{'-' if cold is None else format(cold, '.2f'):>5}  "
              f"{new / jing_wall:.2f} / {cached / jing_wall:.2f} / {two / jing_wall:.2f}")
        if error:
            print(f"    tei failed: {error}")
        for d, jv, (tv, msg) in differ:
            jmsg = next((p[3] for p in found.get(d, []) if p[2] != "warning"), "")
            print(f"    {d}: jing {_verdict(jv)} ({jmsg[:120]}); tei {_verdict(tv)} "
                  f"({msg[:120]})")
        rows.append(dict(schema=schema, docs=len(docs), differ=len(differ), error=error,
                         jing=jing_wall, tei_new=new, tei_j1=cached, tei_j2=two, cold=cold))
    total = {k: sum(r[k] for r in rows) for k in ("docs", "differ", "jing", "tei_new",
                                                   "tei_j1", "tei_j2")}
    print(f"{'total':<34} {total['docs']:>4} {total['differ']:>6} {total['jing']:>7.2f} "
          f"{total['tei_new']:>11.2f} {total['tei_j1']:>10.2f} {total['tei_j2']:>10.2f} "
          f"{'':>5}  "
          f"{total['tei_new'] / total['jing']:.2f} / {total['tei_j1'] / total['jing']:.2f} / "
          f"{total['tei_j2'] / total['jing']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
