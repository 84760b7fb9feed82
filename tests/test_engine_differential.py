"""A short run of the differential test (tests/differential.py): tei_toolkit's own RELAX NG
engine gives jing's verdict on every mutant of real TEI documents, and on the documents
themselves. Run it longer on demand, or rebuild a mutant a failure names::

    python -m tests.differential --engine derivative --count 3000 --seed 1
    python -m tests.differential --engine derivative --seed 20261206 --mutant N --keep DIR
"""

from __future__ import annotations

from pathlib import Path

from . import differential
from .conftest import Jing

ENGINE = "derivative"  # the engine under test (tei_toolkit.validation.relaxng)
COUNT = 250
SEED = 20261206


def test_the_engine_gives_jings_verdicts_on_mutated_tei(jing: Jing, tei_all: Path,
                                                        tmp_path: Path) -> None:
    sources = differential.find_sources(differential.DEFAULT_DOCS)
    result = differential.run(tei_all, sources, COUNT, SEED, ENGINE, jing=jing.exe,
                              workdir=tmp_path)
    found = [(d.mutant.name, d.mutant.source.name, d.mutant.mutations, str(d.jing)[:200],
              str(d.engine)[:200]) for d in result.disagreements]
    assert found == [], found[:5]
    # Both verdicts occur, often enough for the comparison to mean something.
    counts = result.counts()
    assert len(result.mutants) == COUNT
    assert counts["valid"] > COUNT // 5 and counts["invalid"] > COUNT // 5, counts
