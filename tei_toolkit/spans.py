"""The editorial spans, each declared once: how each intervention of the archive or the encoder
is written in TEI, and how it is recognised when the TEI is read back.

The TEI writer (``importer/tei.py``) writes a span's element and fixed attributes from here;
the readings (``exports/readings.py``), the reading edition (``exports/html.py``) and the
letters table (``exports/letters.py``) recognise spans with :func:`span_of` and read its
``shape`` (how it reads) and ``count`` (what the table counts it as). A new class of bracket
that reads like an existing shape (a note in brackets, say) is one declaration here and the
rule that recognises it in the export (``importer/brackets.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from .xmlcore import XML_NS, T

# How a span reads, in the source and the corrected reading and in the reading edition:
#   supplied    [words] in the source; the words alone, marked, in the corrected reading
#   gloss       [words] after the words it is about, in both readings
#   original    [words] in another language: a gloss the profile may drop
#   pair        NAME [other form], kept whole; an acronym's expansion may be given once
#   correction  the archive's form in the source, the encoder's in the corrected reading
#   omission    an ellipsis in the source, […] or … in the corrected reading
#   illegible   [the archive's words] in both
#   footnote    a note at the end, its number at its anchor
#   double      [[words]]: the translator's uncertain reading, in both readings
SHAPES = ("supplied", "gloss", "original", "pair", "correction", "omission", "illegible",
          "footnote", "double")


@dataclass(frozen=True)
class Span:
    """One class of editorial span. It is the element ``tag`` with the attribute values of
    ``fixed`` (written in this order, before any other attribute) and, for a choice, the child
    ``child``; ``count`` names what the letters table counts it as ("" for nothing), in the
    body only or (``whole``) in the whole document."""

    name: str
    tag: str
    fixed: tuple[tuple[str, str], ...] = ()
    child: str = ""
    shape: str = "gloss"
    count: str = ""
    whole: bool = False  # counted in the header too (a correction in the title)

    def matches(self, el: etree._Element) -> bool:
        if el.tag != T(self.tag):
            return False
        if self.tag == "choice" and el.get("rend") != dict(self.fixed).get("rend"):
            return False  # a correction's choice has no @rend; a pair's has "bracketed"
        if any(el.get(_clark(k)) != v for k, v in self.fixed):
            return False
        return not self.child or el.find(T(self.child)) is not None

    def attrs(self, *more: tuple[str, str | None]) -> tuple[tuple[str, str | None], ...]:
        """The attributes to write: the fixed ones, then ``more``."""
        return self.fixed + more


# In the order they are tried: a more specific declaration before a general one.
SPANS: tuple[Span, ...] = (
    Span("completion", "supplied", (("reason", "completion"),), shape="supplied",
         count="supplied"),
    Span("supplement", "supplied", shape="supplied", count="supplied"),
    Span("omission", "gap", (("reason", "omitted"),), shape="omission", count="omissions"),
    Span("illegible", "gap", (("reason", "illegible"),), shape="illegible",
         count="illegible"),
    Span("identification", "note", (("type", "identification"), ("place", "inline")),
         count="identifications", whole=True),
    Span("original", "note", (("type", "original"), ("place", "inline")), shape="original",
         count="original_wording", whole=True),
    Span("translator-note", "note", (("type", "translator"), ("place", "inline")),
         count="notes"),
    Span("editor-note", "note", (("type", "editor"), ("place", "inline")), count="notes"),
    Span("sic", "note", (("type", "sic"), ("place", "inline"))),
    Span("query", "note", (("type", "query"), ("place", "inline"))),
    Span("source-note", "note", (("type", "source"), ("place", "inline"))),
    Span("summary", "note", (("type", "summary"), ("place", "inline"))),
    Span("footnote", "note", (("place", "end"),), shape="footnote", count="notes"),
    Span("translated-title", "title", (("type", "translated"),)),
    Span("expansion", "choice", (("rend", "bracketed"),), child="abbr", shape="pair",
         count="expansions", whole=True),
    Span("respelling", "choice", (("rend", "bracketed"),), child="orig", shape="pair",
         count="other_spellings", whole=True),
    Span("correction", "choice", child="sic", shape="correction", count="corrections",
         whole=True),
    Span("regularisation", "choice", child="orig", shape="correction",
         count="regularisations", whole=True),
    Span("uncertain", "unclear", (("rend", "double-brackets"),), shape="double"),
)
BY_NAME = {s.name: s for s in SPANS}
# The letters table's counts, in its column order.
COUNTS = ("supplied", "omissions", "illegible", "corrections", "regularisations",
          "identifications", "original_wording", "expansions", "other_spellings", "notes")


# The spans an element of each name may be, in the order of SPANS.
_BY_TAG: dict[str, tuple[Span, ...]] = {
    T(tag): tuple(s for s in SPANS if s.tag == tag) for tag in {s.tag for s in SPANS}}


def _clark(name: str) -> str:
    """An attribute name as lxml has it ("xml:lang" in Clark notation)."""
    return f"{{{XML_NS}}}{name[4:]}" if name.startswith("xml:") else name



def span_of(el: etree._Element) -> Span | None:
    """The editorial span ``el`` is, or None."""
    tag = el.tag
    for span in _BY_TAG.get(tag, ()) if isinstance(tag, str) else ():
        if span.matches(el):
            return span
    return None


def counts(root: etree._Element) -> dict[str, int]:
    """How many spans of each count a document has (the body's, or the whole document's
    for those counted in the header too)."""
    out = dict.fromkeys(COUNTS, 0)
    body = root.find(f"{T('text')}/{T('body')}")
    in_body = set(body.iter()) if body is not None else set()
    # What correspDesc repeats of the title is not counted again.
    repeated = {el for c in root.iter(T("correspDesc")) for el in c.iter()}
    for el in root.iter(*_BY_TAG):
        span = span_of(el)
        if span is not None and span.count and (span.whole or el in in_body) \
                and el not in repeated:
            out[span.count] += 1
    return out


# -- an omission's form: the archive's ellipsis, kept in @rend ----------------------------------

def ellipsis_rend(mark: str) -> str:
    """The @rend token that records an ellipsis' exact form: '. . .' -> 'spaced-dots'."""
    if mark.startswith("[") and mark.endswith("]"):
        return "bracketed-" + ellipsis_rend(mark[1:-1])
    n = mark.count(".") or mark.count("…")
    kind = "ellipsis" if "…" in mark else "spaced-dots" if " " in mark else "dots"
    default = 1 if kind == "ellipsis" else 3
    return kind if n == default else f"{kind}{n}"


def ellipsis_mark(rend: str) -> str | None:
    """Inverse of ellipsis_rend; None for a token it does not know."""
    if rend.startswith("bracketed-"):
        inner = ellipsis_mark(rend[len("bracketed-"):])
        return None if inner is None else f"[{inner}]"
    m = re.fullmatch(r"(ellipsis|spaced-dots|dots)(\d*)", rend)
    if not m:
        return None
    kind, n = m[1], int(m[2]) if m[2] else (1 if m[1] == "ellipsis" else 3)
    if kind == "ellipsis":
        return "…" * n
    return " ".join("." * n) if kind == "spaced-dots" else "." * n
