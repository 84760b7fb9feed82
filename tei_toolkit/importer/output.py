"""What the CLI shows: messages on stderr, results on stdout, rich only on a terminal."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import LOG_WIDTH, printable
from .convert import ImportResult
from .markup import Counts
from .review import Decisions

# Per-file rows shown in the summary table before clean files are folded into one line.
TABLE_ROWS = 50


def stderr_console() -> Console:
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        # Logs and pipes have no width: do not fold file names into 80 columns.
        console.width = LOG_WIDTH
    return console


@contextmanager
def progress(console: Console, total: int, label: str) -> Iterator[Callable[[ImportResult], None]]:
    """A progress bar on a terminal; a silent callback elsewhere (CI logs, pipes)."""
    if not console.is_terminal or total < 2:
        yield lambda result: None
        return
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda result: bar.advance(task)


def print_findings(console: Console, results: list[ImportResult]) -> None:
    for r in results:
        for w in r.warnings:
            console.print(str(w), markup=False)
        if r.error is not None:
            console.print(str(r.error), markup=False)


def print_stale(console: Console, decisions: Decisions, results: list[ImportResult]) -> None:
    """The editor's decisions for the documents imported that found no item."""
    for r in decisions.stale((x.doc_id, x.ruled) for x in results if x.ok and x.doc_id):
        console.print(f"{r.where}: warning: the decision {r.decision!r} on {r.what} "
                      f"{_short(r.text)!r} ({r.key}) matches nothing in the document (its "
                      "source changed?): not applied [stale-decision]", markup=False)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def summary_table(console: Console, results: list[ImportResult]) -> None:
    base = _common_dir([r.source for r in results])
    table = Table(title=f"tei import: {printable(base)}" if base else "tei import",
                  title_justify="left")
    reviewing = any(r.review is not None for r in results)  # tei import --decisions
    for name, justify in (("file", "left"), ("status", "left"), ("supplied", "right"),
                          ("gaps", "right"), ("corrections", "right"), ("notes", "right"),
                          ("warnings", "right")) + ((("review", "left"),) if reviewing else ()):
        table.add_column(name, justify=justify,  # type: ignore[arg-type]
                         overflow="fold", no_wrap=name != "file")
    total = Counts()
    folded = 0
    for r in results:
        total.add(r.counts)
        if len(results) > TABLE_ROWS and r.ok and not r.warnings:
            folded += 1
            continue
        status = "skipped" if r.skipped else "ok" if r.ok else "exists" if r.exists \
            else "FAILED"
        table.add_row(printable(os.path.relpath(r.source, base) if base else r.source),
                      status, *_cells(r.counts), str(len(r.warnings)),
                      *([review_state(r.review)] if reviewing else []))
    if folded:
        table.add_row(f"({folded} more files, no warnings)", "ok", "", "", "", "", "0",
                      *([""] if reviewing else []))
    failed = sum(1 for r in results if not r.ok and not r.exists)
    exist = sum(1 for r in results if r.exists)
    skipped = sum(1 for r in results if r.skipped)
    status = ", ".join(([f"{failed} failed"] if failed else [])
                       + ([f"{exist} exist"] if exist else [])
                       + ([f"{skipped} skipped"] if skipped else [])) or "ok"
    table.add_section()
    states = [review_state(r.review) for r in results if r.ok]
    table.add_row(f"{len(results)} files", status, *_cells(total),
                  str(sum(len(r.warnings) for r in results)),
                  *([f"{states.count('reviewed')} reviewed"] if reviewing else []))
    console.print(table)
    if exist:
        console.print(f"{exist} output file{'s' if exist != 1 else ''} exist already: use "
                      "--force to replace them, or --skip-existing to keep them")


def review_state(review: tuple[int, int] | None) -> str:
    """"reviewed", "partly (3/12)" or "not reviewed": the editor's decisions on a document
    (reviewed, all decisions made)."""
    if review is None or not review[0]:
        return "not reviewed"
    done, total = review
    return "reviewed" if done >= total else f"partly ({done}/{total})"


def _common_dir(paths: list[str]) -> str:
    try:
        common = os.path.commonpath([os.path.dirname(p) or "." for p in paths])
    except ValueError:  # mixed absolute and relative paths, or different drives
        return ""
    return "" if common in ("", ".") else common


def _cells(c: Counts) -> list[str]:
    return [str(c.supplied), str(c.gaps), str(c.corrections), str(c.notes)]


def print_explanations(console: Console, results: list[ImportResult]) -> None:
    """Every square bracket with its class, the rule that decided it and its evidence
    (--explain): ``file:line:column: [words] class (rule): evidence``, one line each, for an
    editor's review."""
    for r in results:
        for b in r.brackets:
            console.print(f"{b.location}: [{b.text}] {b.kind} ({b.rule}): {b.evidence}",
                          markup=False, highlight=False)


def summary_json(results: list[ImportResult], explain: bool = False) -> str:
    files = []
    for r in results:
        files.append({
            "source": printable(r.source),
            "output": None if r.output is None else printable(r.output),
            "id": r.doc_id,
            "ok": r.ok,
            "skipped": r.skipped,
            "error": None if r.error is None else {
                "message": r.error.message,
                **_where(r.error.location),
            },
            "supplied": r.counts.supplied,
            "gaps": r.counts.gaps,
            "corrections": r.counts.corrections,
            "notes": r.counts.notes,
            "warnings": [{"code": w.code, "message": w.message, **_where(w.location)}
                         for w in r.warnings],
            **({"brackets": [{"text": b.text, "class": b.kind, "rule": b.rule,
                              "evidence": b.evidence, **_where(b.location)}
                             for b in r.brackets]} if explain else {}),
            **({"review": {"state": review_state(r.review), "reviewed": r.review[0],
                           "decisions": r.review[1]}} if r.review is not None else {}),
        })
    return json.dumps({
        "files": files,
        "summary": {
            "files": len(results),
            "converted": sum(1 for r in results if r.ok and not r.skipped),
            "skipped": sum(1 for r in results if r.skipped),
            "failed": sum(1 for r in results if not r.ok and not r.exists),
            "exist": sum(1 for r in results if r.exists),
            "warnings": sum(len(r.warnings) for r in results),
        },
    }, ensure_ascii=False, indent=2)


def _where(location: Any) -> dict[str, Any]:
    if location is None:
        return {"file": None, "line": None, "column": None}
    return {"file": printable(location.path), "line": location.line or None, "column": location.column or None}
