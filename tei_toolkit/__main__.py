"""The `tei` command's entry point (``python -m tei_toolkit`` runs it too).

Kept light on purpose: the package imports nothing until a name is used, so Ctrl-C while
click, lxml and the wings load is caught here and ends the command as Ctrl-C does later
(a line "interrupted", exit 130), not with a traceback of the import under way.
"""

from __future__ import annotations

import signal
import sys

from .errors import EXIT_INTERRUPTED  # a small module: no lxml, no click


def _lxml_alone() -> None:
    """Import lxml without the rnc2rng it imports, when installed, as it loads (a parser
    generator: 40 ms of every command's start) for ``RelaxNG.from_rnc_string``, which this
    package never calls: validation/compiled.py converts compact syntax with rnc2rng itself,
    importing it when a .rnc schema is named. Only the command does this; a program that
    imports the package keeps lxml as it is."""
    if "lxml.etree" in sys.modules or "rnc2rng" in sys.modules:
        return
    sys.modules["rnc2rng"] = None  # type: ignore[assignment]  # "import rnc2rng" fails
    try:
        import lxml.etree  # noqa: F401
    finally:
        del sys.modules["rnc2rng"]


def main() -> None:
    # Ctrl-C and SIGTERM are this command's to handle: a parent that started it with them
    # blocked (a fork server, a test runner that imported one) would make it deaf to both.
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        _lxml_alone()
        from click.exceptions import Abort, ClickException

        from .cli import main as command
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    try:
        # standalone_mode=False: click would turn a Ctrl-C during its parsing into
        # "Aborted!" and exit 1; the commands' own errors still end as they always do.
        code = command.main(prog_name="tei", standalone_mode=False)
    except (KeyboardInterrupt, Abort):
        sys.stderr.write("interrupted\n")
        code = EXIT_INTERRUPTED
    except ClickException as exc:
        exc.show()
        code = exc.exit_code
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
