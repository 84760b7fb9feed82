"""`python -m tei_toolkit` is the `tei` command."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="tei")
