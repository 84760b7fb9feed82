"""The `tei` command: a thin layer over the library. Errors are turned into one line here."""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from ._version import __version__, build, walk
from .importer import MAX_SOURCE_BYTES
from .errors import (EXIT_CANNOT_RUN, EXIT_FAILED, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK,
                     EXIT_USAGE, Location, OutputError, SetupError,
                     TeiToolkitError)
from .files import expand_paths, is_input, remove_pending, write_atomic
from .exports import DEFAULT_LICENCE, READINGS
from .validation.engines import (DEFAULT_ENGINE, EMBEDDED_MODES, ENGINES, REPORT_FORMATS,
                                 engine_pair)
from .validation.compiled import SCHEMA_COMPILE_LIMIT
from .validation.registry import DEFAULT_DEADLINE, MAX_DOWNLOAD
from .exports.handoff import EXPORTS

if TYPE_CHECKING:
    from .importer.register import Register
# The importer's classes are imported by the commands that use them: `tei validate` and
# `tei export` start without loading the importer.


# Every command's exit codes, stated in its --help and in the README (a test compares them).
_COMMON_CODES = f"""  {EXIT_USAGE}  usage error (unknown option, missing file)
  {EXIT_INTERNAL}  internal error (a bug; set TEI_TOOLKIT_DEBUG=1 for the traceback)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C, SIGTERM); no partial output is left
"""
IMPORT_EXIT_CODES = f"""\b
Exit codes:
  {EXIT_OK}  every source was converted or skipped (warnings may have been printed)
  {EXIT_FAILED}  some source could not be converted; the rest was
  {EXIT_CANNOT_RUN}  could not run: bad lexicon or profile, output exists, unwritable path
""" + _COMMON_CODES
EXPORT_EXIT_CODES = f"""\b
Exit codes:
  {EXIT_OK}  written
  {EXIT_FAILED}  an input is not TEI written by tei import (nothing is written)
  {EXIT_CANNOT_RUN}  could not run: output exists, would overwrite the input, unwritable path
""" + _COMMON_CODES
VALIDATE_EXIT_CODES = f"""\b
Exit codes:
  {EXIT_OK}  every document is valid (warnings allowed unless --strict)
  {EXIT_FAILED}  errors found (or warnings, with --strict); never the number of errors
  {EXIT_CANNOT_RUN}  could not run: schema missing or broken, unreadable path, bad --output, or
     no file could be checked (none has a schema it asks for here, and tei_all is not cached)
""" + _COMMON_CODES
CHECK_EXIT_CODES = f"""\b
Exit codes:
  {EXIT_OK}  no errors (warnings allowed)
  {EXIT_FAILED}  a register file cannot be loaded, or two entries claim one name
""" + _COMMON_CODES
WRITE_EXIT_CODES = f"""\b
Exit codes:
  {EXIT_OK}  written
  {EXIT_CANNOT_RUN}  could not run: a file exists (use --force), unwritable path
""" + _COMMON_CODES


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _one_line_errors(fn: Callable[..., int]) -> Callable[..., None]:
    """Run a command; map its result and the toolkit's errors to exit codes, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        # SIGTERM (a CI timeout, kill) cleans up as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupted)
        try:
            code = fn(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except TeiToolkitError as exc:
            click.echo(str(exc), err=True)
            code = exc.exit_code
        except KeyboardInterrupt:
            remove_pending()
            click.echo("interrupted", err=True)
            code = EXIT_INTERRUPTED
        except Exception as exc:  # a bug: say so in one line
            remove_pending()
            if os.environ.get("TEI_TOOLKIT_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            code = EXIT_INTERNAL
        sys.exit(code)

    return wrapper


def _note_new_folder(folder: Path | None) -> None:
    """An output folder that does not exist is created (with its parents), and said so."""
    if folder is not None and str(folder) not in ("", ".") and not folder.exists():
        click.echo(f"creating folder {folder}", err=True)


# Shared by `tei import` and `tei lexicon suggest`.
_SOURCES = click.argument("sources", nargs=-1, required=True,
                          type=click.Path(exists=True, readable=True, path_type=Path))
_LEXICONS = click.option(
    "--lexicon", "lexicons", multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TSV of reviewed corrections (sic, corr[, type, note]); adds to and overrides the "
         "bundled lexicon. Repeatable; later files win.")


_REGISTERS = click.option(
    "--register", "registers", multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TSV of persons and bodies (id, type, name, variants, code_names, source); adds to "
         "the bundled register (tei register check shows it). Repeatable; a later row with the same id "
         "replaces the earlier.")
# Who reviewed a decisions file, and when (tei import and tei review --decisions).
_EDITOR = click.option(
    "--editor", default="", metavar="NAME",
    help="Who reviewed the decisions (where a row's reviewer cell is empty): named in the "
         "reviewed documents' headers.")
_REVIEW_DATE = click.option(
    "--review-date", default="", metavar="YYYY-MM-DD",
    help="When (where a row's date cell is empty; default: the day the decisions file was "
         "last changed).")
_NO_DEFAULT_REGISTER = click.option(
    "--no-default-register", is_flag=True,
    help="Do not start from the bundled persons register.")


# A schema's first compile runs in a child within this limit (validate, schemas add).
_COMPILE_LIMIT = click.option(
    "--compile-limit", type=click.FloatRange(min=0.1), default=SCHEMA_COMPILE_LIMIT,
    show_default=True, metavar="SECONDS",
    help="libxml2's engine (--engine lxml) and tei schemas add: the most a schema not "
         "compiled before may take to compile (libxml2 loops for ever on some grammars); past "
         "it the schema is refused (exit 3).")


def _load_register(registers: tuple[Path, ...], no_default: bool) -> Register:
    from .importer.register import Register

    base = Register() if no_default else Register.default()
    return base.merged(Register.load(registers)) if registers else base


def _engine(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """--engine: one engine, two as A,B, or both; a usage error (exit 2) otherwise."""
    try:
        engine_pair(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """--version: which builds run is asked only then (it loads the importer and the
    engine; every other command loads what it needs)."""
    if not value or ctx.resilient_parsing:
        return
    pipeline = "compiled with mypyc" if build() == "mypyc" else "pure Python"
    click.echo(f"tei, version {__version__} (import pipeline: {pipeline}; RELAX NG walk: "
               f"{walk()})")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version and exit.")
def main() -> None:
    """tei_toolkit: turn archival text exports into TEI P5 (import), check any TEI
    against RELAX NG and Schematron (validate), and hand TEI on as CMIF, a reading edition
    in HTML, a letters table or text (export)."""


@main.command("import", epilog=IMPORT_EXIT_CODES)
@_SOURCES
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the TEI of the single SOURCE here (default: stdout).")
@click.option("-d", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write each SOURCE's TEI into DIR, keeping sub-directories.")
@_LEXICONS
@click.option("--no-default-lexicon", is_flag=True,
              help="Do not start from the bundled lexicon of reviewed corrections.")
@_REGISTERS
@_NO_DEFAULT_REGISTER
@click.option("--profile", "profile_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A TOML editorial profile; start from `tei profile show > my.toml`.")
@click.option("--force", is_flag=True, help="Replace output files that exist.")
@click.option("--skip-existing", is_flag=True,
              help="Leave output files that exist as they are (to finish an interrupted batch).")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Files converted in parallel (default: all cores).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as JSON on stdout instead of a table.")
@click.option("--explain", is_flag=True,
              help="List every square bracket with its class and the evidence for it (on "
                   "stderr; with --json, in the JSON).")
@click.option("--max-size", type=click.IntRange(min=1), default=MAX_SOURCE_BYTES >> 20,
              show_default=True, metavar="MB",
              help="A larger export fails with an error (a conversion needs about 12 times "
                   "its size in memory).")
@click.option("--decisions", "decision_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The editor's decisions (a TSV written by `tei review`, then edited): they "
                   "overrule the importer's. Repeatable; later files win.")
@_EDITOR
@_REVIEW_DATE
@_one_line_errors
def import_command(sources: tuple[Path, ...], output_file: Path | None, output_dir: Path | None,
                   lexicons: tuple[Path, ...], no_default_lexicon: bool,
                   registers: tuple[Path, ...], no_default_register: bool,
                   profile_file: Path | None, force: bool, skip_existing: bool,
                   jobs: int | None, as_json: bool, explain: bool, max_size: int,
                   decision_files: tuple[Path, ...], editor: str, review_date: str) -> int:
    """Convert archive text exports (files, or directories of *.txt) into TEI P5.

    \b
    Examples:
      tei import doc.txt                  # TEI on stdout
      tei import exports/ -d tei/         # a whole folder, in parallel
      tei import doc.txt -o doc.xml --lexicon my-names.tsv
      tei import exports/ -d tei/ --explain  # each bracket's class, for review
      tei import exports/ -d tei/ --register our-people.tsv
      tei import exports/ -d tei/ --decisions reviewed.tsv  # the editor's decisions
    """
    from .importer.lexicon import Lexicon
    from .importer.profile import Profile
    from .importer.register import Register
    from .importer import batch, output
    from .importer.review import Decisions

    if output_file is not None and output_dir is not None:
        raise click.UsageError("give -o FILE or -d DIR, not both")
    if force and skip_existing:
        raise click.UsageError("give --force or --skip-existing, not both")
    profile = Profile.load(profile_file)
    from .importer.convert import default_lexicon

    lexicon = Lexicon() if no_default_lexicon else default_lexicon()
    lexicon = lexicon.merged(Lexicon.load(lexicons))
    register = _load_register(registers, no_default_register)
    from .importer.register import uncitable
    for where, message in uncitable(Register.load(registers), profile.mirror_hosts):
        click.echo(f"{where}: warning: {message}", err=True)
    decisions = Decisions.load(decision_files, frozenset(register.entries), editor,
                               review_date) if decision_files else None
    plan = batch.plan_outputs(sources, output_file, output_dir)
    if not plan:
        raise OutputError("no *.txt files found in " + ", ".join(map(str, sources)))
    if as_json and plan[0][1] is None:
        raise click.UsageError("--json needs -o or -d: the TEI itself goes to stdout")
    _note_new_folder(output_dir if output_dir is not None
                     else output_file.parent if output_file is not None else None)
    console = output.stderr_console()
    with output.progress(console, len(plan), "importing") as advance:
        results = batch.run(plan, lexicon, profile, register=register, force=force,
                            skip_existing=skip_existing, jobs=jobs, on_result=advance,
                            max_bytes=max_size << 20, decisions=decisions)
    output.print_findings(console, results)
    if decisions is not None:
        output.print_stale(console, decisions, results)
    if explain and not as_json:
        output.print_explanations(console, results)
    return _import_outcome(console, plan, results, output_dir, as_json, explain)


def _import_outcome(console: Any, plan: Any, results: list[Any], output_dir: Path | None,
                    as_json: bool, explain: bool) -> int:
    """What tei import shows at the end (the TEI itself on stdout, or the summary), and its
    exit code."""
    from .importer import output
    if plan[0][1] is None and results[0].ok:
        sys.stdout.buffer.write(results[0].xml or b"")
        sys.stdout.flush()
    if as_json:
        click.echo(output.summary_json(results, explain))
    elif len(plan) > 1 or output_dir is not None:
        output.summary_table(console, results)
    elif results[0].skipped:
        click.echo(f"{results[0].output}: exists; skipped (--skip-existing)", err=True)
    setup_errors = [r for r in results if r.error is not None and r.error.exit_code == EXIT_CANNOT_RUN]
    if setup_errors:
        return EXIT_CANNOT_RUN
    return EXIT_FAILED if any(not r.ok for r in results) else EXIT_OK


REVIEW_EXIT_CODES = f"""\b
Exit codes:
  {EXIT_OK}  written
  {EXIT_FAILED}  some source could not be converted (its decisions are not listed)
  {EXIT_CANNOT_RUN}  could not run: bad lexicon, register, profile or decisions file, output
     exists, unwritable path
""" + _COMMON_CODES


@main.command("review", epilog=REVIEW_EXIT_CODES)
@_SOURCES
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the decisions file here (default: stdout).")
@click.option("--decisions", "decision_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Decisions reviewed before: applied, and their rows keep their status.")
@_EDITOR
@_REVIEW_DATE
@_LEXICONS
@_REGISTERS
@_NO_DEFAULT_REGISTER
@click.option("--profile", "profile_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The editorial profile the import uses.")
@click.option("--html", "html_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write a review page per document into DIR (open DIR/index.html): "
                   "the text with each decision highlighted, a control for each, and a "
                   "button that saves the decisions file.")
@click.option("--force", is_flag=True, help="Replace output files that exist.")
@_one_line_errors
def review_command(sources: tuple[Path, ...], output_file: Path | None,
                   decision_files: tuple[Path, ...], editor: str, review_date: str,
                   lexicons: tuple[Path, ...],
                   registers: tuple[Path, ...], no_default_register: bool,
                   profile_file: Path | None, html_dir: Path | None, force: bool) -> int:
    """List every decision the importer makes in SOURCE exports, one row each, for an
    editor to accept (status ok) or change (decision, target), then `tei import
    --decisions FILE`.

    \b
    Examples:
      tei review exports/ -o decisions.tsv
      tei review exports/ -o decisions.tsv --html review/   # pages for the browser
      tei import exports/ -d tei/ --decisions decisions.tsv --editor "A. Editor"
    """
    from .importer.lexicon import Lexicon
    from .importer.profile import Profile
    from .importer import batch, output
    from .importer.convert import default_lexicon
    from .importer.review import Decisions, reviewed, to_tsv as decisions_tsv

    profile = Profile.load(profile_file)
    lexicon = default_lexicon().merged(Lexicon.load(lexicons))
    register = _load_register(registers, no_default_register)
    decisions = Decisions.load(decision_files, frozenset(register.entries), editor,
                               review_date) if decision_files else None
    plan: batch.Plan = [(src, None) for src, _ in batch.plan_outputs(sources, None, None)]
    if not plan:
        raise OutputError("no *.txt files found in " + ", ".join(map(str, sources)))
    console = output.stderr_console()
    results = batch.run(plan, lexicon, profile, register=register, decisions=decisions,
                        keyed=True)
    output.print_findings(console, results)
    if decisions is not None:
        output.print_stale(console, decisions, results)
    rows = reviewed((d for r in results for d in r.decisions), decisions)
    data = decisions_tsv(rows).encode("utf-8")
    inputs = [p for p, _ in plan] + list(decision_files)
    if html_dir is not None:
        from .importer.review_page import build_pages as review_pages
        pages = review_pages([(r.doc_id, Path(r.source).read_text(encoding="utf-8"),
                              reviewed(r.decisions, decisions))
                             for r in results if r.ok and r.doc_id])
        for page in pages:
            write_atomic(html_dir / page.name, page.html, force=force, source=inputs)
        click.echo(f"{html_dir / 'index.html'}: review pages of {len(pages) - 1} documents",
                   err=True)
    if output_file is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(output_file, data, force=force, source=inputs)
        uncertain = sum(not d.certain for d in rows)
        click.echo(f"{output_file}: {len(rows)} decisions in {len(plan)} documents "
                   f"({uncertain} uncertain)", err=True)
    return EXIT_FAILED if any(not r.ok for r in results) else EXIT_OK


@main.command("export", epilog=EXPORT_EXIT_CODES)
@click.argument("sources", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--to", "to", type=click.Choice(tuple(EXPORTS)), default="text",
              show_default=True,
              help="; ".join(f"{f.name}: {f.help}" for f in EXPORTS.values()) + ".")
@click.option("--reading", "which", type=click.Choice(READINGS), default="source",
              show_default=True,
              help="For --to text. source: the export as it was; corrected: corrections "
                   "applied, supplied text without brackets, omissions as …")
@click.option("--profile", "profile_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A TOML editorial profile; its [reading] section says how the corrected "
                   "reading renders original wording and expansions, its [archive_url] "
                   "which hosts are test mirrors, never exported.")
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of stdout (text, cmif, csv, json).")
@click.option("-d", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the pages here (html).")
@click.option("--editor", help="CMIF: who is responsible for the file (default: the "
                               "profile's encoder).")
@click.option("--licence", default=DEFAULT_LICENCE, show_default=True,
              help="CMIF: the licence of the metadata (a URL).")
@click.option("--file-url", help="CMIF: the URL the file will be published at "
                                 "(default: the output file's file: URL).")
@click.option("--title", "cmif_title", help="CMIF: the file's title.")
@click.option("--force", is_flag=True, help="Replace output files that exist.")
@_one_line_errors
def export_command(sources: tuple[Path, ...], to: str, which: str, profile_file: Path | None,
                   output_file: Path | None, output_dir: Path | None, editor: str | None,
                   licence: str, file_url: str | None, cmif_title: str | None,
                   force: bool) -> int:
    """Write TEI files made by `tei import` as text, CMIF, HTML or a letters table.

    \b
    Examples:
      tei export doc.xml                       # the source, as imported
      tei export doc.xml --reading corrected -o doc.reading.txt
      tei export tei/ --to cmif -o letters.xml --file-url https://example.org/letters.xml
      tei export tei/ --to html -d site/
      tei export tei/ --to csv -o letters.csv
    """
    from .importer.profile import Profile
    from .exports import handoff

    fmt = EXPORTS[to]
    if fmt.one_document and (len(sources) != 1 or sources[0].is_dir()):
        raise click.UsageError(f"--to {to} takes one TEI file")
    if fmt.folder and (output_dir is None or output_file is not None):
        raise click.UsageError(f"--to {to} writes a folder of pages: give -d DIR")
    if not fmt.folder and output_dir is not None:
        raise click.UsageError(f"--to {to} writes one file: use -o, not -d")
    files = list(sources) if fmt.one_document else expand_paths(sources, ".xml")
    options = handoff.ExportOptions(
        profile=Profile.load(profile_file), reading=which, editor=editor, licence=licence,
        file_url=file_url or (output_file.resolve().as_uri() if output_file else "urn:stdout"),
        title=cmif_title)
    try:
        made = handoff.export(to, files, options)
    except handoff.ExportInputErrors as exc:
        for err in exc.errors:
            click.echo(str(err), err=True)
        click.echo(f"tei export: {exc.message}", err=True)
        return EXIT_FAILED
    for note in made.notes:
        click.echo(note, err=True)
    if made.summary:
        click.echo(f"tei export: {made.summary}", err=True)
    if fmt.folder:
        assert output_dir is not None
        _note_new_folder(output_dir)
        written = handoff.write_pages(made.pages, output_dir, force=force, sources=files)
        click.echo(f"tei export: {written} pages in {output_dir}", err=True)
    elif output_file is None:
        sys.stdout.buffer.write(made.data)
        sys.stdout.flush()
    else:
        _note_new_folder(output_file.parent)
        write_atomic(output_file, made.data, force=force, source=files)
    return EXIT_OK


@main.command("validate", epilog=VALIDATE_EXIT_CODES)
@click.argument("paths", nargs=-1, required=True)
@click.option("--schema", metavar="NAME|FILE",
              help="A .rng/.rnc file, a bundled schema (tei_toolkit) or a cached one "
                   "(tei_all, tei_all@4.12.0: see tei schemas). Default: the document's "
                   "<?xml-model?>, else tei_all if cached, else the file is not checked.")
@click.option("--schematron", "schematron_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An ISO Schematron file (XPath 1). Default: the bundled editorial rules, "
                   "for TEI documents.")
@click.option("--no-schematron", is_flag=True, help="Skip Schematron.")
@click.option("--embedded-schematron", "embedded_mode", type=click.Choice(EMBEDDED_MODES),
              default="off", show_default=True,
              help="The Schematron embedded in the RELAX NG schema (ODD output, as Oxygen runs "
                   "it): auto runs the patterns XPath 1 can run where the schema has some; on "
                   "also warns where it has none; off (the default: it more than doubles a "
                   "run with tei_all) never.")
@click.option("--allow-read", "allow_read", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder Schematron (document(), includes) and XInclude may read besides "
                   "the schema's and the document's own. Repeatable.")
@click.option("--no-xinclude", is_flag=True,
              help="Do not process xi:include (each is then reported as not processed). By "
                   "default local files in the document's folder tree or under --allow-read "
                   "are included; remote ones never are (their xi:fallback is used).")
@click.option("--no-pointers", is_flag=True, help="Skip the check that #id pointers resolve.")
@click.option("--engine", default=DEFAULT_ENGINE, show_default=True, callback=_engine,
              metavar="|".join(ENGINES),
              help="RELAX NG engine: " + "; ".join(f"{k} ({v})" for k, v in ENGINES.items())
              + ".")
@click.option("--format", "fmt", type=click.Choice(tuple(REPORT_FORMATS)), default="text",
              show_default=True,
              help="; ".join(f"{k}: {v}" for k, v in REPORT_FORMATS.items()) + ".")
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report here instead of stdout (replaced if it exists; never "
                   "one of the documents).")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Files validated in parallel (default: all cores).")
@click.option("--strict", is_flag=True,
              help="Warnings and files not checked fail too, and XML files outside the TEI "
                   "namespace with no schema of their own are checked instead of skipped.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print errors only (and the summary); warnings are still counted.")
@_COMPILE_LIMIT
@_one_line_errors
def validate_command(paths: tuple[str, ...], schema: str | None, schematron_file: Path | None,
                     no_schematron: bool, embedded_mode: str, allow_read: tuple[Path, ...],
                     no_xinclude: bool, no_pointers: bool, engine: str, fmt: str,
                     output_file: Path | None, jobs: int | None, strict: bool,
                     quiet: bool, compile_limit: float) -> int:
    """Validate TEI: well-formedness, RELAX NG, Schematron and local pointers.

    PATH: files, directories (their *.xml, recursively), globs, or - for stdin.

    \b
    Examples:
      tei validate tei/
      tei validate 'editions/**/*.xml' --schema tei_all --format github
      tei validate tei/ --format junit --output validation.xml
    """
    from .validation import report
    from .validation.validate import Validator

    files, stdin = _validation_inputs(paths)
    if output_file is not None and is_input(output_file, files):
        raise OutputError("the report would overwrite a document being validated",
                          Location(str(output_file)))
    validator = Validator(schema, False if no_schematron else schematron_file,
                          pointers=not no_pointers, engine=engine, allow_read=allow_read,
                          skip_non_tei=not strict,
                          embedded_schematron="off" if no_schematron else embedded_mode,
                          compile_limit=compile_limit, xinclude=not no_xinclude)
    # What the validator read (grammars: hundreds of thousands of objects, kept to the end)
    # is never garbage: the collector need not walk it at every collection again, nor
    # forked jobs copy its pages by touching them.
    gc.freeze()
    if output_file is not None:
        _note_new_folder(output_file.parent)
    reports = validator.validate_paths(files, jobs, folders=[p for p in paths if p != "-"
                                                             and os.path.isdir(p)])
    if stdin is not None:
        reports = itertools.chain([validator.validate("-", stdin)], reports)
    done = report.emit(fmt, reports, strict, output_file, quiet)
    if any(r.unreadable for r in done):
        return EXIT_CANNOT_RUN
    if not all(r.ok(strict) for r in done):
        return EXIT_FAILED
    if any(r.not_checked for r in done) and not any(r.checked for r in done):
        return EXIT_CANNOT_RUN  # nothing could be checked: no schema it asked for, no tei_all
    return EXIT_OK


def _validation_inputs(paths: tuple[str, ...]) -> tuple[list[Path], bytes | None]:
    if paths.count("-") > 1:
        raise click.UsageError("- (stdin) can be given once")
    files = expand_paths([p for p in paths if p != "-"], ".xml")
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    if not files and stdin is None:
        raise SetupError("no *.xml files found in " + ", ".join(paths))
    return files, stdin


SCHEMAS_EXIT_CODES = f"""\b
Exit codes:
  {EXIT_OK}  done
  {EXIT_CANNOT_RUN}  could not run: download failed, checksum mismatch, not a usable schema,
     a file exists (use --force), unwritable path
""" + _COMMON_CODES


@main.group("schemas")
def schemas_group() -> None:
    """Schemas: tei_all and other published TEI schemas by name, offline; the bundled ones.

    Fetched or added schemas live in a per-user cache ($TEI_TOOLKIT_CACHE, else the
    platform's cache folder); `tei validate --schema tei_all` and documents whose
    <?xml-model?> names a published TEI schema URL then use them without network access.
    """


@schemas_group.command("fetch", epilog=SCHEMAS_EXIT_CODES)
@click.argument("name")
@click.option("--version", "version", metavar="X.Y.Z",
              help="TEI release (default: the newest release whose sha256 is pinned).")
@click.option("--sha256", metavar="HEX",
              help="The expected sha256, for a release the toolkit has no pin for.")
@click.option("--from", "site", metavar="URL", default=None,
              help="Release site or mirror (default: https://www.tei-c.org); the file is read "
                   "from URL/Vault/P5/VERSION/xml/tei/custom/schema/relaxng/NAME.rng.")
@click.option("--deadline", type=click.FloatRange(min=1), default=DEFAULT_DEADLINE,
              show_default=True,
              metavar="SECONDS", help="The most the whole download may take (a server that "
                                      "falls silent is given up on after 60 s).")
@click.option("--max-size", type=click.IntRange(min=1), default=MAX_DOWNLOAD >> 20,
              show_default=True,
              metavar="MB", help="A larger file is refused (tei_all is about 1 MB).")
@_one_line_errors
def schemas_fetch_command(name: str, version: str | None, sha256: str | None,
                          site: str | None, deadline: float, max_size: int) -> int:
    """Download a TEI release's schema (RELAX NG) into the cache, checking its sha256.

    The only command that opens a network connection. Nothing is saved unless the download is
    complete and its checksum matches.

    \b
    Example:
      tei schemas fetch tei_all                  # the newest pinned release
      tei schemas fetch tei_all --version 4.12.0
    """
    from .validation import registry

    if version is None:
        pinned = registry.pinned_versions(name)
        if not pinned:
            raise SetupError(f"no release of {name} is pinned: give --version and --sha256")
        version = pinned[-1]
    with _working(f"downloading {name} {version}, then compiling it whole once (about 10 s)"):
        entry = registry.fetch(name, version, site or registry.RELEASE_SITE, sha256,
                               deadline=deadline, max_bytes=max_size << 20)
    click.echo(f"{entry.label}  {entry.file}  sha256 {entry.sha256}")
    return EXIT_OK


@schemas_group.command("add", epilog=SCHEMAS_EXIT_CODES)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="Name to use with --schema (default: the file name's stem).")
@click.option("--version", "version",
              help="Version (default: the TEI version the file states, else 'local').")
@_COMPILE_LIMIT
@_one_line_errors
def schemas_add_command(file: Path, name: str | None, version: str | None,
                        compile_limit: float) -> int:
    """Register a local RELAX NG schema (XML syntax) in the cache: a copy of tei_all for an
    offline machine or CI, or a project's customisation.

    The schema is compiled once, whole, to prove it is a correct grammar; after that the
    fast path may reduce it. A file claiming a pinned release must match its sha256.

    \b
    Example:
      tei schemas add ../shared/schemas/tei_all.rng   # then: tei validate --schema tei_all
      tei schemas add odd/out/myproject.rng --name myproject --version 2.1
    """
    from .validation import registry

    with _working(f"compiling {file.name} whole once, as proof that it is a correct grammar "
                  "(tei_all: about 6 s)"):
        entry = registry.add(file, name, version, compile_limit=compile_limit)
    click.echo(f"{entry.label}  {entry.file}  sha256 {entry.sha256}")
    return EXIT_OK


def _working(what: str) -> contextlib.AbstractContextManager[object]:
    """A spinner saying what takes a while, on a terminal only (logs and pipes get the one
    line of the result, and nothing else)."""
    from .importer.output import stderr_console

    console = stderr_console()
    if not console.is_terminal:
        return contextlib.nullcontext()
    return console.status(what)


@schemas_group.command("list", epilog=SCHEMAS_EXIT_CODES)
@click.option("--json", "as_json", is_flag=True, help="As JSON on stdout.")
@_one_line_errors
def schemas_list_command(as_json: bool) -> int:
    """Show the schemas available by name: bundled and cached, with versions and checksums."""
    import json
    from dataclasses import asdict

    from .validation import registry, schemas

    bundled = [{"name": n, "version": __version__, "file": str(schemas.path(f)),
                "sha256": registry.digest(schemas.path(f)), "source": "bundled"}
               for n, f in schemas.BUNDLED.items()]
    cached = [asdict(e) for e in registry.entries()]
    if as_json:
        click.echo(json.dumps({"cache": str(registry.cache_dir()), "schemas": bundled + cached},
                              indent=2))
        return EXIT_OK
    for item in bundled + cached:
        click.echo(f"{item['name']}@{item['version']}  sha256 {item['sha256'][:16]}…  "
                   f"{item['file']}  ({item['source']})")
    if not cached:
        click.echo("no cached schemas: tei schemas fetch tei_all, or tei schemas add FILE",
                   err=True)
    return EXIT_OK


@schemas_group.command("copy", epilog=WRITE_EXIT_CODES)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace schema files that exist.")
@_one_line_errors
def schemas_copy_command(directory: Path, force: bool) -> int:
    """Copy the bundled schemas (tei_toolkit.rng, tei_toolkit.sch) into DIRECTORY.

    The TEI that `tei import` writes names them in <?xml-model?> lines relative to each
    document: copied beside the documents, they let XML editors (oXygen and the like) validate
    as `tei validate` does.

    \b
    Example:
      tei import exports/ -d tei/ && tei schemas copy tei/
    """
    from .validation import schemas

    _note_new_folder(directory)
    for name in (schemas.BUNDLED["tei_toolkit"], schemas.BUNDLED_SCHEMATRON["tei_toolkit"]):
        write_atomic(directory / name, schemas.path(name).read_bytes(), force=force)
        click.echo(str(directory / name))
    return EXIT_OK


@main.group("lexicon")
def lexicon_group() -> None:
    """The lexicon of reviewed corrections: draft new rows from a batch's warnings."""


@lexicon_group.command("suggest", epilog=WRITE_EXIT_CODES)
@_SOURCES
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the draft here (TSV) instead of stdout.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@_LEXICONS
@_REGISTERS
@_NO_DEFAULT_REGISTER
@_one_line_errors
def lexicon_suggest_command(sources: tuple[Path, ...], output_file: Path | None, force: bool,
                            lexicons: tuple[Path, ...], registers: tuple[Path, ...],
                            no_default_register: bool) -> int:
    """Draft lexicon rows (sic, corr, type, where found) from probable misspellings in
    SOURCES: the near misses of lexicon names and words the English word list does not know
    but is one edit from. Review the draft, then pass it back with --lexicon.

    \b
    Example:
      tei lexicon suggest exports/ -o draft.tsv   # review, then:
      tei import exports/ -d tei/ --lexicon draft.tsv
    """
    from .importer.convert import default_lexicon, import_file
    from .importer.lexicon import Lexicon, suggest

    lexicon = default_lexicon().merged(Lexicon.load(lexicons))
    register = _load_register(registers, no_default_register)
    results = []
    for path in expand_paths(sources, ".txt"):
        try:
            results.append(import_file(path, lexicon=lexicon, register=register))
        except TeiToolkitError as exc:
            click.echo(str(exc), err=True)
    text = suggest(results)
    if output_file is None:
        click.echo(text, nl=False)
    else:
        _note_new_folder(output_file.parent)
        write_atomic(output_file, text.encode("utf-8"), force=force,
                     source=[Path(s) for s in sources])
    return EXIT_OK


@main.group("register")
def register_group() -> None:
    """The persons and places register: check it before an import."""


@register_group.command("check", epilog=CHECK_EXIT_CODES)
@click.argument("registers", nargs=-1, type=click.Path(exists=True, dir_okay=False,
                                                       path_type=Path))
@_NO_DEFAULT_REGISTER
@click.option("--profile", "profile_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A TOML editorial profile: its [archive_url] mirrors are the test hosts "
                   "no source may cite.")
@click.option("--each", is_flag=True,
              help="A line for every entry, not one for many entries with the same warning.")
@_one_line_errors
def register_check_command(registers: tuple[Path, ...], no_default_register: bool,
                           profile_file: Path | None, each: bool) -> int:
    """Check register files (and the bundled register): entries without an authority
    identifier or a source, ids given twice, names two entries claim, sources on a test
    mirror of the archive or in a local file.

    \b
    Examples:
      tei register check                       # the bundled persons and places
      tei register check our-people.tsv        # yours, merged with the bundled ones
    """
    from .importer.profile import Profile
    from .importer.register import check, folded

    found = check(registers, with_default=not no_default_register,
                  mirrors=Profile.load(profile_file).mirror_hosts)
    for severity, where, message in (found if each else folded(found)):
        click.echo(f"{where}: {severity}: {message}", err=True)
    errors = sum(1 for f in found if f[0] == "error")
    click.echo(f"tei register check: {errors} errors, {len(found) - errors} warnings", err=True)
    return EXIT_FAILED if errors else EXIT_OK


@main.group("profile")
def profile_group() -> None:
    """Editorial profiles: how brackets, ellipses and notes become TEI."""


@profile_group.command("show", epilog=WRITE_EXIT_CODES)
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of stdout.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@_one_line_errors
def profile_show_command(output_file: Path | None, force: bool) -> int:
    """Print the default profile (TOML, with comments): the file to start your own from.

    \b
    Example:
      tei profile show -o my-profile.toml   # edit it, then:
      tei import exports/ -d tei/ --profile my-profile.toml
    """
    from .importer.profile import default_text

    if output_file is None:
        click.echo(default_text(), nl=False)
    else:
        _note_new_folder(output_file.parent)
        write_atomic(output_file, default_text().encode("utf-8"), force=force)
    return EXIT_OK
