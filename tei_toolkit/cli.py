"""The `tei` command: a thin layer over the library. Errors are turned into one line here."""

from __future__ import annotations

import functools
import glob
import itertools
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from ._version import __version__
from .files import write_atomic
from .importer.convert import default_lexicon
from .errors import (EXIT_CANNOT_RUN, EXIT_FAILED, EXIT_OK, EXIT_USAGE, Location, OutputError,
                     SetupError, TeiInputError, TeiToolkitError)
from .exports.readings import READINGS, read_tei, reading
from .importer.lexicon import Lexicon
from .importer.profile import Profile

# The validate command's choices, without importing the validator and rich for every command.
FORMATS = ("text", "json", "junit", "github")
ENGINES = ("lxml", "jing", "both")

EXIT_CODES = f"""\b
Exit codes:
  {EXIT_OK}  everything was converted (warnings may have been printed)
  {EXIT_FAILED}  some input could not be converted; the rest was
  {EXIT_USAGE}  usage error (unknown option, missing file)
  {EXIT_CANNOT_RUN}  could not run: bad lexicon or profile, output exists, unwritable path
  4  internal error (a bug; set TEI_TOOLKIT_DEBUG=1 for the traceback)
"""


def _one_line_errors(fn: Callable[..., int]) -> Callable[..., None]:
    """Run a command; map its result and the toolkit's errors to exit codes, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = fn(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except TeiToolkitError as exc:
            click.echo(str(exc), err=True)
            code = exc.exit_code
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            code = 130
        except Exception as exc:  # a bug: say so in one line
            if os.environ.get("TEI_TOOLKIT_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
            code = 4
        sys.exit(code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="tei")
def main() -> None:
    """tei_toolkit: turn archival text exports into TEI P5, and TEI back into text."""


@main.command("import", epilog=EXIT_CODES)
@click.argument("sources", nargs=-1, required=True,
                type=click.Path(exists=True, readable=True, path_type=Path))
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the TEI of the single SOURCE here (default: stdout).")
@click.option("-d", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write each SOURCE's TEI into DIR, keeping sub-directories.")
@click.option("--lexicon", "lexicons", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A TSV of reviewed corrections (sic, corr[, type, note]); adds to and "
                   "overrides the bundled lexicon. Repeatable; later files win.")
@click.option("--no-default-lexicon", is_flag=True,
              help="Do not start from the bundled lexicon (corpus/lexicon.tsv).")
@click.option("--profile", "profile_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A TOML editorial profile (see tei_toolkit/data/default-profile.toml).")
@click.option("--force", is_flag=True, help="Replace output files that exist.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Files converted in parallel (default: all cores).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as JSON on stdout instead of a table.")
@_one_line_errors
def import_command(sources: tuple[Path, ...], output_file: Path | None, output_dir: Path | None,
                   lexicons: tuple[Path, ...], no_default_lexicon: bool, profile_file: Path | None,
                   force: bool, jobs: int | None, as_json: bool) -> int:
    """Convert archive text exports (files, or directories of *.txt) into TEI P5.

    \b
    Examples:
      tei import doc.txt                  # TEI on stdout
      tei import exports/ -d tei/         # a whole folder, in parallel
      tei import doc.txt -o doc.xml --lexicon my-names.tsv
    """
    from .importer import batch, output

    if output_file is not None and output_dir is not None:
        raise click.UsageError("give -o FILE or -d DIR, not both")
    profile = Profile.load(profile_file)
    lexicon = Lexicon() if no_default_lexicon else default_lexicon()
    lexicon = lexicon.merged(Lexicon.load(lexicons))
    plan = batch.plan_outputs(sources, output_file, output_dir)
    if not plan:
        raise OutputError("no *.txt files found in " + ", ".join(map(str, sources)))
    if as_json and plan[0][1] is None:
        raise click.UsageError("--json needs -o or -d: the TEI itself goes to stdout")
    console = output.stderr_console()
    with output.progress(console, len(plan), "importing") as advance:
        results = batch.run(plan, lexicon, profile, force=force, jobs=jobs, on_result=advance)
    output.print_findings(console, results)
    if plan[0][1] is None and results[0].ok:
        sys.stdout.buffer.write(results[0].xml or b"")
        sys.stdout.flush()
    if as_json:
        click.echo(output.summary_json(results))
    elif len(plan) > 1 or output_dir is not None:
        output.summary_table(console, results)
    setup_errors = [r for r in results if r.error is not None and r.error.exit_code == EXIT_CANNOT_RUN]
    if setup_errors:
        return EXIT_CANNOT_RUN
    return EXIT_FAILED if any(not r.ok for r in results) else EXIT_OK


@main.command("export", epilog=EXIT_CODES)
@click.argument("tei_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--to", "to", type=click.Choice(["text"]), default="text", show_default=True,
              help="Output format: the archive's text export format.")
@click.option("--reading", "which", type=click.Choice(READINGS), default="source",
              show_default=True,
              help="source: the export as it was; corrected: corrections applied, supplied "
                   "text without brackets, omissions as …")
@click.option("-o", "--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of stdout.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@_one_line_errors
def export_command(tei_file: Path, to: str, which: str, output_file: Path | None,
                   force: bool) -> int:
    """Write a TEI file made by `tei import` back as text.

    \b
    Examples:
      tei export doc.xml                       # the source, as imported
      tei export doc.xml --reading corrected -o doc.reading.txt
    """
    try:
        data = tei_file.read_bytes()
    except OSError as exc:
        raise TeiInputError(f"cannot read: {exc.strerror}") from None
    text = reading(read_tei(data, str(tei_file)), which, str(tei_file))
    if output_file is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output_file, text.encode("utf-8"), force=force, source=tei_file)
    return EXIT_OK


VALIDATE_EXIT_CODES = f"""\b
Exit codes:
  {EXIT_OK}  every document is valid (warnings allowed unless --strict)
  {EXIT_FAILED}  errors found (or warnings, with --strict); never the number of errors
  {EXIT_USAGE}  usage error
  {EXIT_CANNOT_RUN}  could not run: schema missing or broken, unreadable path
"""


@main.command("validate", epilog=VALIDATE_EXIT_CODES)
@click.argument("paths", nargs=-1, required=True)
@click.option("--schema", metavar="NAME|FILE",
              help="A bundled schema (tei_toolkit) or a .rng/.rnc file. Default: the "
                   "document's own local <?xml-model?>, else tei_toolkit.")
@click.option("--schematron", "schematron_file",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An ISO Schematron file (XPath 1). Default: the bundled editorial rules, "
                   "for TEI documents.")
@click.option("--no-schematron", is_flag=True, help="Skip Schematron.")
@click.option("--no-pointers", is_flag=True, help="Skip the check that #id pointers resolve.")
@click.option("--engine", type=click.Choice(ENGINES), default="lxml", show_default=True,
              help="RELAX NG engine: lxml (libxml2, no Java), jing (the reference validator, "
                   "needs Java), or both (reports every file where their verdicts differ).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people; json, junit or github (annotations) for CI.")
@click.option("--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report here instead of stdout (replaced if it exists).")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Files validated in parallel (default: all cores).")
@click.option("--strict", is_flag=True, help="Warnings fail too.")
@_one_line_errors
def validate_command(paths: tuple[str, ...], schema: str | None, schematron_file: Path | None,
                     no_schematron: bool, no_pointers: bool, engine: str, fmt: str, output_file: Path | None, jobs: int | None,
                     strict: bool) -> int:
    """Validate TEI: well-formedness, RELAX NG, Schematron and local pointers.

    PATH: files, directories (their *.xml, recursively), globs, or - for stdin.

    \b
    Examples:
      tei validate corpus/tei
      tei validate 'editions/**/*.xml' --schema tei_all.rng --format github
      tei validate tei/ --format junit --output validation.xml
    """
    from .validation import report
    from .validation.validate import Validator

    files, stdin = _validation_inputs(paths)
    validator = Validator(schema, False if no_schematron else schematron_file,
                          pointers=not no_pointers, engine=engine)
    reports = validator.validate_paths(files, jobs)
    if stdin is not None:
        reports = itertools.chain([validator.validate("-", stdin)], reports)
    done = report.emit(fmt, reports, strict, output_file)
    if any(p.source == "input" and p.message.startswith("cannot read") for r in done
           for p in r.problems):
        return EXIT_CANNOT_RUN
    return EXIT_OK if all(r.ok(strict) for r in done) else EXIT_FAILED


def _validation_inputs(paths: tuple[str, ...]) -> tuple[list[Path], bytes | None]:
    files: list[Path] = []
    stdin = None
    for raw in paths:
        if raw == "-":
            if stdin is not None:
                raise click.UsageError("- (stdin) can be given once")
            stdin = sys.stdin.buffer.read()
            continue
        p = Path(raw)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*.xml") if f.is_file())
        elif p.exists():
            files.append(p)
        elif any(c in raw for c in "*?["):
            matched = sorted(Path(m) for m in glob.glob(raw, recursive=True) if Path(m).is_file())
            if not matched:
                raise SetupError("the pattern matches no file", Location(raw))
            files += matched
        else:
            raise SetupError("no such file or directory", Location(raw))
    if not files and stdin is None:
        raise SetupError("no *.xml files found in " + ", ".join(paths))
    return files, stdin


@main.command("schemas", epilog=EXIT_CODES)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace schema files that exist.")
@_one_line_errors
def schemas_command(directory: Path, force: bool) -> int:
    """Copy the bundled schemas (tei_toolkit.rng, tei_toolkit.sch) into DIRECTORY.

    The TEI that `tei import` writes names them in <?xml-model?> lines relative to each
    document: copied beside the documents, they let XML editors (oXygen and the like) validate
    as `tei validate` does.

    \b
    Example:
      tei import exports/ -d tei/ && tei schemas tei/
    """
    from .validation import schemas

    for name in (schemas.BUNDLED["tei_toolkit"], schemas.BUNDLED_SCHEMATRON["tei_toolkit"]):
        write_atomic(directory / name, schemas.path(name).read_bytes(), force=force)
        click.echo(str(directory / name))
    return EXIT_OK
