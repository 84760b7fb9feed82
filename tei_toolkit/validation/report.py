"""Validation reports for people and for CI: text, JSON, JUnit XML, GitHub annotations."""

from __future__ import annotations

import io
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, TextIO

from lxml import etree

from ..errors import LOG_WIDTH, printable
from ..files import write_atomic
from .problems import ERROR, WARNING, FileReport, Problem



def emit(fmt: str, reports: Iterable[FileReport], strict: bool,
         output_file: Path | None = None, quiet: bool = False) -> list[FileReport]:
    """Write the report in ``fmt`` to stdout or ``output_file``; returns the file reports.
    ``quiet``: the text format prints errors only (and the summary).

    text and github stream as files are validated; json and junit need them all first.
    File names that are not UTF-8 are escaped in every format (:func:`errors.printable`).
    """
    start = time.perf_counter()
    reports = map(_printable, reports)
    if fmt == "text":
        console = _text_console(output_file)
        folded: dict[tuple[str, str, str], int] = {}
        done = text_report(console, reports, strict, quiet, folded)
        text_summary(console, done, strict, time.perf_counter() - start, folded)
        if output_file is not None:
            write_atomic(output_file, console.export_text().encode("utf-8"), force=True)
        return done
    out = io.StringIO() if output_file is not None else sys.stdout
    if fmt == "github":
        done = github_report(out, reports)
    else:
        done = list(reports)
        seconds = time.perf_counter() - start
        out.write(json_report(done, strict, seconds) + "\n" if fmt == "json"
                  else junit_report(done, strict, seconds).decode("utf-8"))
    if output_file is not None:
        write_atomic(output_file, out.getvalue().encode("utf-8"), force=True)  # type: ignore[union-attr]
    else:
        out.flush()
    return done


def _printable(r: FileReport) -> FileReport:
    """``r`` with every string a report shows made valid Unicode: a file name's bytes that are
    not UTF-8 would be invalid UTF-8 in JSON and stop the JUnit XML (lxml refuses them)."""
    strings = [r.file, r.schema, r.skipped, r.not_checked,
               *(s for p in r.problems for s in (p.file, p.message, p.path))]
    if all(printable(s) is s for s in strings):
        return r
    problems = [replace(p, file=printable(p.file), message=printable(p.message),
                        path=printable(p.path)) for p in r.problems]
    return replace(r, file=printable(r.file), schema=printable(r.schema),
                   skipped=printable(r.skipped), not_checked=printable(r.not_checked),
                   problems=problems)


def _text_console(output_file: Path | None) -> Any:
    from rich.console import Console  # only the text format needs rich

    if output_file is not None:
        return Console(record=True, file=io.StringIO(), width=LOG_WIDTH, highlight=False,
                       color_system=None)
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = LOG_WIDTH  # logs have no width: do not fold lines into 80 columns
    return console


def summary(reports: list[FileReport], strict: bool, seconds: float) -> dict[str, Any]:
    return {
        "files": len(reports),
        "valid": sum(1 for r in reports if r.ok(strict) and r.checked),
        "invalid": sum(1 for r in reports if not r.ok(strict)),
        "not checked": sum(1 for r in reports if r.not_checked and r.ok(strict)),
        "skipped": sum(1 for r in reports if r.skipped),
        "errors": sum(len(r.errors) for r in reports),
        "warnings": sum(len(r.warnings) for r in reports),
        "strict": strict,
        "seconds": round(seconds, 3),
        "schemas": dict(Counter(r.schema for r in reports if r.schema).most_common()),
        "hint": schema_hint(reports),
        "not checked because": not_checked_causes(reports),
    }


def schema_hint(reports: list[FileReport]) -> str | None:
    """Said once per run: documents without a usable schema of their own were checked
    against tei_all."""
    n = sum(1 for r in reports if r.defaulted)
    if not n:
        return None
    return (f"{n} file(s) declare no schema that is available here and were checked against "
            "tei_all (a document valid against a TEI customisation is valid against tei_all)")


def not_checked_causes(reports: list[FileReport]) -> dict[str, int]:
    """Each distinct reason files were not checked, with how many: one line per cause."""
    return dict(Counter(r.not_checked for r in reports if r.not_checked).most_common())


def text_report(console: Any, reports: Iterable[FileReport], strict: bool, quiet: bool = False,
                folded: dict[tuple[str, str, str], int] | None = None) -> list[FileReport]:
    """One line per problem (file:line:col: severity: message [source]), grouped by file, as
    the reports arrive; returns them for the summary. A warning said alike of several files
    is printed for the first (``folded`` counts the others); ``quiet``: errors only."""
    from rich.text import Text  # every external string goes in as Text: never read as markup

    seen = []
    folded = {} if folded is None else folded
    for r in reports:
        seen.append(r)
        if r.skipped:
            console.print(Text.assemble((r.file, "bold"), ("  " + r.skipped, "dim")))
            continue
        # A warning said the same way of many files (a remote schema never fetched) is
        # printed once, with a count in the summary; a file not checked is counted there too.
        shown = []
        for p in r.problems:
            key = (p.severity, p.source, p.message)
            if p.severity == WARNING and key in folded:
                folded[key] += 1
                continue
            if p.severity == WARNING:
                folded[key] = 0
            if quiet and p.severity == WARNING:
                continue
            shown.append(p)
        if not shown:
            continue
        console.print(Text.assemble((r.file, "bold"),
                                    (f"  (schema: {r.schema})" if r.schema else "", "dim")))
        for p in shown:
            colour = "red" if p.severity == ERROR else "yellow"
            console.print(Text.assemble(
                f"  {p.location}: ", (p.severity, colour), f": {p.message} ",
                (f"[{p.source}]", "dim"), (f"  {p.path}" if p.path else "", "dim")),
                soft_wrap=True)
    return seen


def text_summary(console: Any, reports: list[FileReport], strict: bool, seconds: float,
                 folded: dict[tuple[str, str, str], int] | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    s = summary(reports, strict, seconds)
    columns = ["files", "valid", "invalid", "errors", "warnings", "seconds"]
    if s["skipped"]:
        columns.insert(3, "skipped")
    if s["not checked"]:
        columns.insert(3, "not checked")
    table = Table(title="tei validate", title_justify="left")
    for col in columns:
        table.add_column(col, justify="right")
    table.add_row(*(str(s[k]) for k in columns))
    console.print(table)
    if s["schemas"]:
        console.print(Text("checked against: " + ", ".join(
            f"{name} ({n} file{'s' if n != 1 else ''})" for name, n in s["schemas"].items()),
            style="dim"))
    for (_, _, message), more in (folded or {}).items():
        if more:
            console.print(Text(f"the same warning for {more} more file(s): {message}",
                               style="yellow"))
    if s["hint"]:
        console.print(Text(s["hint"], style="yellow"))
    for cause, n in s["not checked because"].items():
        console.print(Text(f"{n} file{'s' if n != 1 else ''} {cause}", style="yellow"))


def problem_dict(p: Problem) -> dict[str, Any]:
    return {"file": p.file, "line": p.line or None, "column": p.column or None,
            "severity": p.severity, "source": p.source, "message": p.message,
            "path": p.path or None}


def json_report(reports: list[FileReport], strict: bool, seconds: float) -> str:
    """The report as JSON: a problem or a file a line (greppable, and written by json's C
    encoder: with ``indent`` json writes in Python, a second for ten thousand problems)."""
    files = [{"file": r.file, "valid": r.ok(strict) and r.checked,
              "status": r.status if r.ok(strict) or not r.checked else "invalid",
              "skipped": r.skipped or None, "not_checked": r.not_checked or None,
              "schema": r.schema,
              "errors": len(r.errors), "warnings": len(r.warnings)} for r in reports]
    problems = [problem_dict(p) for r in reports for p in r.problems]

    def listed(name: str, items: list[dict[str, Any]]) -> str:
        if not items:
            return f'  "{name}": []'
        rows = ",\n".join("    " + json.dumps(item, ensure_ascii=False) for item in items)
        return f'  "{name}": [\n{rows}\n  ]'

    summary_json = json.dumps(summary(reports, strict, seconds), ensure_ascii=False)
    return "{\n" + ",\n".join([listed("problems", problems), listed("files", files),
                                f'  "summary": {summary_json}']) + "\n}"


def junit_report(reports: list[FileReport], strict: bool, seconds: float) -> bytes:
    """One testcase per file; a failure lists its problems (warnings fail only with --strict)."""
    s = summary(reports, strict, seconds)
    suites = etree.Element("testsuites", name="tei validate", tests=str(s["files"]),
                           failures=str(s["invalid"]), errors="0", time=f"{seconds:.3f}")
    suite = etree.SubElement(suites, "testsuite", name="tei validate", tests=str(s["files"]),
                             failures=str(s["invalid"]), errors="0",
                             skipped=str(s["skipped"] + s["not checked"]),
                             time=f"{seconds:.3f}")
    for r in reports:
        case = etree.SubElement(suite, "testcase", classname="tei.validate", name=r.file,
                                file=r.file, time=f"{r.seconds:.3f}")
        if r.schema:
            props = etree.SubElement(case, "properties")
            etree.SubElement(props, "property", name="schema", value=r.schema)
        counted = r.problems if strict else r.errors
        if (r.skipped or r.not_checked) and not counted:
            etree.SubElement(case, "skipped", message=r.skipped or r.not_checked)
        elif counted:
            failure = etree.SubElement(
                case, "failure", type="validation",
                message=f"{len(r.errors)} error(s), {len(r.warnings)} warning(s); first: "
                        f"{counted[0]}")
            failure.text = "\n".join(str(p) for p in r.problems)
        elif r.problems:
            etree.SubElement(case, "system-out").text = "\n".join(str(p) for p in r.problems)
    return etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def github_report(out: TextIO, reports: Iterable[FileReport]) -> list[FileReport]:
    """GitHub Actions workflow commands: ::error file=...,line=...,col=...::message"""
    seen = []
    for r in reports:
        seen.append(r)
        if r.skipped or r.not_checked:
            out.write(f"::notice file={_prop(r.file)}::{_data(r.skipped or r.not_checked)}\n")
        for p in r.problems:
            props = [f"file={_prop(p.file)}"]
            if p.line:
                props.append(f"line={p.line}")
            if p.column:
                props.append(f"col={p.column}")
            props.append(f"title={_prop('tei validate (' + p.source + ')')}")
            out.write(f"::{p.severity} {','.join(props)}::{_data(p.message)}\n")
    return seen


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")
