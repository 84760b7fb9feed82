"""Build script: the import pipeline's modules compiled to C extensions with mypyc, and the
RELAX NG engine's tree walk with Cython.

Everything else about the package is declared in pyproject.toml. mypyc (part of mypy, which
the test suite already runs) turns these typed modules into C extensions that run the same
code about 1.7x faster; the .py files are installed beside them. The package stays pure
Python, with the same behaviour, when

- the environment variable TEI_TOOLKIT_PURE=1 is set,
- the install is editable (``pip install -e``: compiled modules in the working tree would
  hide every later edit of the .py files), or
- there is no C compiler or no Python headers (the build says so and goes on).
"""

from __future__ import annotations

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

# The modules a conversion spends its time in (tests/bench/bench_import.py); the batch runner,
# the file writing and the other wings stay interpreted.
COMPILED = [f"tei_toolkit/importer/{m}.py" for m in (
    "brackets", "citation", "convert", "correspondents", "languages", "lexicon", "markup",
    "names", "profile", "register", "review", "source", "tei", "tsv")] + [
    # What the TEI writer calls for every element it writes.
    "tei_toolkit/spans.py", "tei_toolkit/xmlcore.py"]


class OptionalBuildExt(build_ext):
    """build_ext that leaves the package pure Python when the extensions cannot be built."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, no Python.h, a mypyc failure: all or nothing
            for ext in self.extensions:
                path = self.get_ext_fullpath(ext.name)
                if os.path.exists(path):
                    os.remove(path)
            self.extensions = []
            self._say(f"the C extensions could not be built ({str(exc)[:160]}); installing "
                      "pure Python")

    @staticmethod
    def _say(message: str) -> None:
        print(f"tei_toolkit: {message}", file=sys.stderr)


def extensions() -> list:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "editable_wheel":
        OptionalBuildExt._say("an editable install stays pure Python")
        return []
    if command in ("egg_info", "dist_info", "sdist") or \
            os.environ.get("TEI_TOOLKIT_PURE", "") not in ("", "0"):
        return []  # metadata needs no compiling (mypyc runs mypy first: seconds)
    try:
        from mypyc.build import mypycify
    except ImportError:
        OptionalBuildExt._say("mypyc is not available; installing pure Python")
        return []
    # lxml is typed as Any in the build (its stubs are a test dependency, not a build one);
    # the test suite's mypy run checks the package with them.
    try:
        compiled = mypycify(["--ignore-missing-imports", "--no-warn-unused-ignores",
                             *COMPILED], opt_level="3", debug_level="0")
    except (Exception, SystemExit) as exc:  # mypy found an error, or mypyc failed
        OptionalBuildExt._say(f"mypyc cannot compile the modules ({exc}); installing pure "
                              "Python")
        compiled = []
    return compiled + walker()


def walker() -> list:
    """The RELAX NG engine's walk over lxml's tree, in C (Cython against the lxml headers
    lxml ships); without it the engine walks the tree in Python, with the same verdicts."""
    try:
        import lxml
        from Cython.Build import cythonize
        from setuptools import Extension
    except ImportError:
        OptionalBuildExt._say("Cython or lxml is not available; the RELAX NG walk stays "
                              "Python")
        return []
    try:
        return cythonize([Extension("tei_toolkit.validation.relaxng._walk",
                                    ["tei_toolkit/validation/relaxng/_walk.pyx"],
                                    include_dirs=lxml.get_include())],
                         language_level=3, quiet=True)
    except Exception as exc:  # a Cython error: the package still installs
        OptionalBuildExt._say(f"Cython cannot compile the RELAX NG walk ({exc})")
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
