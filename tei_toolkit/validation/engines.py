"""What `tei validate` offers: its RELAX NG engines and its report formats, each name with
what it is. The CLI's choices and help, the Validator and the report writer read these (a
light module: the CLI imports it without the validator)."""

from __future__ import annotations

# RELAX NG engine -> what it is.
ENGINES: dict[str, str] = {
    "lxml": "libxml2, no Java",
    "derivative": "tei_toolkit's own, jing's algorithm (derivatives), no Java",
    "jing": "the reference validator, needs Java",
    "both": "reports every file where their verdicts differ",
}

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
