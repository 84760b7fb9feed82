"""The toolkit's version: its one home (pyproject.toml reads it from here)."""

__version__ = "0.2.0"


def build() -> str:
    """How this installation runs the import pipeline: "mypyc" when its modules are the C
    extensions setup.py compiles, "python" when they are interpreted (README, Benchmarks)."""
    from .importer import markup  # imported here: setuptools reads __version__ alone

    return "mypyc" if markup.__file__.endswith((".so", ".pyd")) else "python"


def walk() -> str:
    """How this installation's RELAX NG engine walks a document: "C" when the walk is the
    extension setup.py compiles with Cython, "Python" when it is not there."""
    from .validation.relaxng import validator

    return "C" if validator._Walker is not None else "Python"
