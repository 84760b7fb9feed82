"""A short run of the differential test (tests/differential.py): tei_toolkit's own RELAX NG
engine gives jing's verdict on every mutant of real TEI documents, and on the documents
themselves. Run it longer on demand, or rebuild a mutant a failure names::

    python -m tests.differential --engine derivative --count 3000 --seed 1
    python -m tests.differential --engine derivative --seed 20261206 --mutant N --keep DIR
"""

from __future__ import annotations

import re
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
    # The first error is jing's too: its words, or its words with a long list of names cut
    # short ("... or one of 65 more", before any note declaring a namespace). jing lists the
    # datatypes a value may have in an order of its own (a hash set's): a few may differ.
    same = cut = other = 0
    for case in result.mutants:
        theirs, ours = result.jing[case.path], result.verdicts[case.path]
        if theirs.valid or ours.valid:
            continue
        said, says = theirs.error.split(": ", 1)[1], ours.error.split(": ", 1)[1]
        shortened = re.match(r"(.*) or one of \d+ more( \(with .*\))?$", says)
        if said == says:
            same += 1
        elif shortened and said.startswith(shortened.group(1) + ", ") and \
                said.endswith(shortened.group(2) or ""):
            cut += 1
        else:
            other += 1
    assert same > cut and other <= (same + cut) // 30, (same, cut, other)
