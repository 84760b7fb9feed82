"""Mutation fuzzing: the corpus' exports and TEI, mutated, through the importer and validator.

Run on demand (a short run is part of the test suite, tests/test_fuzz.py)::

    python -m tests.fuzz --seed 1 --count 5000          # exports through import_text
    python -m tests.fuzz --seed 1 --count 2000 --tei    # TEI through Validator

The oracle, for every mutated export: it is refused with a toolkit error that names the file,
or it converts to TEI that parses and is valid against the project schema, and whose source
reading equals the (normalised) export, unless a warning said what the TEI cannot keep.
For every mutated TEI: the validator returns a report (never raises) within a time limit;
with our engine, the same report as when every file is walked on its tree.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tei_toolkit import (TeiToolkitError, Validator, import_text, normalize_source, read_tei,
                         reading)

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "corpus" / "sources").glob("*.txt"))
TEI = sorted((ROOT / "corpus" / "tei").glob("*.xml"))

# Pieces the mutations splice in: the export's own syntax, and what breaks text handling.
EXPORT_PIECES = [
    "[", "]", "[sic]", "[?]", "[...]", "[…]", "…", "...", "....", ". . .", "[1]", "[12] ",
    "**", "**Citation:**", "**Summary:**", "**Notes:**", "**Contents:**", "\n", "\n\n",
    "\r\n", "\r", "\t", " ", "\ufeff", "\x00", "\x07", "\x1f", "\u2028", "\U0001214a",
    "\U0001f600", "é", "&", "<", ">", "]]>", '"', "/document/8\U0001214a00007",
    "[Translator’s note: x]", "Mao Zeong", "Dien Binh Phu", "long-rang",
]
TEI_PIECES = [
    "<", ">", "</p>", "<p>", "<hi>", "&amp;", "&x;", "<!DOCTYPE TEI SYSTEM 'x.dtd'>",
    "<!-- <a -->", "<?pi x?>", "<![CDATA[x]]>", ' xml:id="d"', ' ref="#nowhere"',
    "<xi:include xmlns:xi='http://www.w3.org/2001/XInclude' href='/etc/passwd'/>",
    "\x00", "\U0001214a", "<supplied>", "<gap/>", "<choice><sic>a</sic></choice>",
]

# Warnings that say the TEI cannot keep a layout detail (the reading may then differ).
LAYOUT_CODES = {"extra-blank-lines", "missing-blank-line", "section-order", "unknown-section",
                "language-list", "empty-section",
                "language-separator", "no-version-line", "heading-spacing"}


def mutate(rng: random.Random, text: str, pieces: list[str]) -> str:
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        pos = rng.randint(0, len(text))
        if kind < 0.5:
            text = text[:pos] + rng.choice(pieces) + text[pos:]
        elif kind < 0.7:
            end = min(len(text), pos + rng.randint(1, 40))
            text = text[:pos] + text[end:]
        elif kind < 0.85:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[rng.randrange(len(lines))]) if rng.random() < 0.5 \
                else lines.pop(i)
            text = "\n".join(lines)
        else:
            lines = text.split("\n")
            blanks = [i for i, line in enumerate(lines) if not line.strip()]
            if blanks:
                lines.pop(rng.choice(blanks))  # a heading or title loses its blank line
            text = "\n".join(lines)
    return text


@dataclass
class Failure:
    case: int
    what: str
    data: bytes


def check_export(data: bytes, name: str) -> str | None:
    """None when the oracle holds, else what went wrong."""
    try:
        result = import_text(data, name)
    except TeiToolkitError as exc:
        if exc.location is None or exc.location.path != name:
            return f"error without the file's location: {exc}"
        return None
    except Exception as exc:  # the importer raises only its own errors
        return f"crash: {type(exc).__name__}: {exc}"
    assert result.xml is not None
    try:
        root = read_tei(result.xml, name)
    except TeiToolkitError as exc:
        return f"the TEI does not parse: {exc}"
    report = _validator().validate(name + ".xml", result.xml)
    if report.errors:
        return "the TEI is invalid: " + "; ".join(str(p) for p in report.errors[:3])
    back = reading(root, "source", name)
    expected = normalize_source(data.decode("utf-8-sig", "replace"))
    if back != expected and not {w.code for w in result.warnings} & LAYOUT_CODES:
        return "the round trip differs and no warning said why"
    return None


_VALIDATORS: dict[str, Validator] = {}


def _validator(engine: str = "lxml") -> Validator:
    if engine not in _VALIDATORS:
        _VALIDATORS[engine] = Validator(schematron=False, engine=engine)
    return _VALIDATORS[engine]


def check_tei(data: bytes, name: str, limit: float, engine: str = "lxml") -> str | None:
    start = time.monotonic()
    try:
        report = _validator(engine).validate(name, data)
    except Exception as exc:
        return f"crash: {type(exc).__name__}: {exc}"
    if time.monotonic() - start > limit:
        return f"took {time.monotonic() - start:.1f}s"
    if any(p.line < 0 or p.column < 0 for p in report.problems):
        return "a negative position"
    if engine == "derivative":
        # A file our engine proves valid without a tree must be valid on its tree too: the
        # same validator with that path closed (a private switch, for this oracle only).
        if _TREE_ONLY.get(engine) is None:
            _TREE_ONLY[engine] = Validator(schematron=False, engine=engine)
            _TREE_ONLY[engine]._verdicts = False
        walked = _TREE_ONLY[engine].validate(name, data)
        if [str(p) for p in walked.problems] != [str(p) for p in report.problems]:
            return "the verdict without a tree is not the tree's: " + \
                "; ".join(str(p) for p in walked.problems[:2])
    return None


_TREE_ONLY: dict[str, Validator] = {}


def run(seed: int, count: int, tei: bool = False, limit: float = 10.0,
        engine: str = "lxml") -> list[Failure]:
    rng = random.Random(seed)
    failures = []
    originals = [p.read_bytes() for p in (TEI if tei else SOURCES)]
    for case in range(count):
        base = rng.choice(originals)
        if tei:
            text = mutate(rng, base.decode("utf-8"), TEI_PIECES)
            data = text.encode("utf-8", "surrogatepass")
            what = check_tei(data, f"fuzz-{case}.xml", limit, engine)
        else:
            text = mutate(rng, base.decode("utf-8"), EXPORT_PIECES)
            data = text.encode("utf-8", "surrogatepass")
            what = check_export(data, f"fuzz-{case}.txt")
        if what is not None:
            failures.append(Failure(case, what, data))
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--tei", action="store_true", help="fuzz the validator with mutated TEI")
    ap.add_argument("--save", type=Path, help="write each failing input into this folder")
    ap.add_argument("--engine", default="lxml", choices=("lxml", "derivative"),
                    help="the RELAX NG engine the validator uses (--tei)")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    failures = run(args.seed, args.count, args.tei, engine=args.engine)
    for f in failures[:20]:
        print(f"case {f.case}: {f.what}")
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"case-{f.case}.{'xml' if args.tei else 'txt'}").write_bytes(f.data)
    print(f"{args.count} mutated {'TEI files' if args.tei else 'exports'}, seed {args.seed}: "
          f"{len(failures)} failures in {time.perf_counter() - start:.1f}s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
