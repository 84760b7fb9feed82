"""What `tei validate` offers: its RELAX NG engines and its report formats, each name with
what it is. The CLI's choices and help, the Validator and the report writer read these (a
light module: the CLI imports it without the validator)."""

from __future__ import annotations

# RELAX NG engine -> what it is.
ENGINES: dict[str, str] = {
    "lxml": "libxml2, no Java",
    "derivative": "tei_toolkit's own, jing's algorithm (derivatives), no Java",
    "jing": "the reference validator, needs Java",
    "A,B": "two of these: A's report, and an error on every file where B's verdict differs",
    "both": "lxml,jing",
}
SINGLE_ENGINES = ("lxml", "derivative", "jing")
# Our own: jing's verdicts by construction, and faster than libxml2's (README, "The RELAX NG
# engine"); lxml stays for comparison.
DEFAULT_ENGINE = "derivative"


def engine_pair(spec: str) -> tuple[str, str | None]:
    """``--engine``'s value as (the engine whose report it is, the one compared with it or
    None); ValueError, saying what is allowed, for anything else."""
    if spec == "both":
        return "lxml", "jing"
    names = spec.split(",")
    if len(names) == 1 and spec in SINGLE_ENGINES:
        return spec, None
    if len(names) == 2 and names[0] != names[1] and all(n in SINGLE_ENGINES for n in names):
        return names[0], names[1]
    raise ValueError(f"unknown engine {spec!r}: one of {', '.join(SINGLE_ENGINES)}, two of them "
                     "as A,B (A's report, B's verdict compared), or both (lxml,jing)")

# Report format -> what it is for.
REPORT_FORMATS: dict[str, str] = {
    "text": "for people",
    "json": "for CI and scripts",
    "junit": "for test-report dashboards",
    "github": "annotations on a pull request",
}

# --embedded-schematron: the Schematron a RELAX NG schema embeds (ODD output) is run where
# the schema has some ("auto"), the same but saying so where it has none ("on"), or never.
EMBEDDED_MODES = ("auto", "on", "off")
