"""Differential testing of a RELAX NG engine against jing, on mutated TEI documents.

Real TEI documents (cut to a few kilobytes) are mutated, a few seeded tree edits each: elements
deleted, renamed, moved, duplicated, swapped; attributes added, removed, given values of the
wrong datatype; xml:ids duplicated; text and white space inserted; xml:lang values. jing (the
reference) and the engine under test each give every mutant a verdict, valid or invalid against
the RELAX NG schema alone (no Schematron), and every disagreement is reported with the
mutations that made the mutant, so that it can be reproduced::

    python -m tests.differential --engine lxml --count 3000 --seed 1
    python -m tests.differential --engine derivative --count 3000 --seed 1 --keep /tmp/dis
    python -m tests.differential --engine lxml --seed 1 --mutant 812 --keep /tmp/one

Mutant N of a seed depends only on the seed, N and the list of source documents, so
``--mutant N`` (repeatable) rebuilds it alone. Exit status: 0 when the verdicts agree
everywhere, 1 when they do not, 2 on a usage or setup error (jing missing, schema refused).
A short run is part of the test suite (tests/test_engine_differential.py).
"""

from __future__ import annotations

import argparse
import copy
import importlib
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from tei_toolkit.xmlcore import TEI_NS, XML_ID, XML_NS, safe_parser

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TEI_ALL = SHARED / "schemas" / "tei_all.rng"
DEFAULT_DOCS = [SHARED / "bench" / "tei", ROOT / "corpus" / "tei"]
RNG_NS = "http://relaxng.org/ns/structure/1.0"
XLINK_NS = "http://www.w3.org/1999/xlink"
OTHER_NS = "http://example.org/ns"
MAX_BYTES = 16_000  # a source is cut to about this size (a mutant then costs milliseconds)
BATCH = 1000  # mutants per jing run: one JVM start and one schema load each


# --- verdicts and engines ---------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """One validator's answer for one document; ``error`` is its first error, if any."""

    valid: bool
    error: str = ""
    crashed: bool = False  # the engine raised instead of answering

    def __str__(self) -> str:
        word = "crashed" if self.crashed else "valid" if self.valid else "invalid"
        return f"{word}: {self.error}" if self.error else word


# An engine checks one file; a bare bool is accepted too, for engines that give no messages.
Engine = Callable[[Path], bool | Verdict]


def document_parser() -> etree.XMLParser:
    """The safe parser, without lxml's ID table: otherwise libxml2 refuses a duplicate or
    malformed xml:id while parsing, before any engine sees the tree, and the schema (which
    types xml:id as xsd:ID, as jing checks) would not be what decides."""
    return safe_parser(collect_ids=False)


def _parse(path: Path, parser: etree.XMLParser) -> etree._ElementTree | Verdict:
    try:
        return etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        return Verdict(False, f"not parsed: {exc}")


def lxml_engine(schema: Path) -> Engine:
    """libxml2's RELAX NG, compiled once (about 10 s for tei_all)."""
    rng = etree.RelaxNG(file=str(schema))
    parser = document_parser()

    def check(path: Path) -> Verdict:
        tree = _parse(path, parser)
        if isinstance(tree, Verdict):
            return tree
        if rng.validate(tree):
            return Verdict(True)
        first = rng.error_log[0] if len(rng.error_log) else None
        return Verdict(False, f"{first.line}:{first.column}: {first.message}" if first else "")

    return check


def derivative_engine(schema: Path) -> Engine:
    """tei_toolkit's own engine (tei_toolkit.validation.relaxng), imported only when asked
    for, so that the harness works without it: its tree walk, and its verdict without a
    tree where it gives one."""
    module: Any = importlib.import_module("tei_toolkit.validation.relaxng")
    compiled: Any = module.load(schema)
    parser = document_parser()

    def check(path: Path) -> Verdict:
        tree = _parse(path, parser)
        if isinstance(tree, Verdict):
            return tree
        problems = compiled.validate(tree.getroot())
        if not problems:
            return Verdict(True)
        if compiled.surely_valid(path.read_bytes()):
            # The verdict without a tree (tei validate's for files it need not read whole)
            # would pass what the tree refuses: that is this engine's verdict too.
            return Verdict(True, "valid without a tree, invalid on its tree")
        first = problems[0]
        return Verdict(False, f"{first.line}:{first.column}: {first.message}")

    return check


ENGINES: dict[str, Callable[[Path], Engine]] = {"lxml": lxml_engine,
                                                "derivative": derivative_engine}


# --- jing ---------------------------------------------------------------------------------------

_JING_LINE = re.compile(r"^(?P<path>.+?):(?P<line>-?\d+):(?P<col>-?\d+): "
                        r"(?P<kind>error|fatal|warning): (?P<message>.*)$")


class SetupError(Exception):
    """What keeps a run from starting: jing missing or refusing the schema, no sources."""


def jing_verdicts(exe: str, schema: Path, files: Sequence[Path],
                  batch: int = BATCH) -> dict[Path, Verdict]:
    """Each file's verdict from jing, many files per run (a JVM start and loading tei_all
    cost about a second). jing stops a run at a fatal error (a file that is not
    well-formed), so the files after it are run again."""
    verdicts: dict[Path, Verdict] = {}
    pending = [f.resolve() for f in files]
    options = ["-c"] if schema.suffix == ".rnc" else []
    while pending:
        run, pending = pending[:batch], pending[batch:]
        proc = subprocess.run([exe, *options, str(schema), *map(str, run)],
                              capture_output=True, text=True, timeout=3600)
        errors: dict[str, list[str]] = {}
        fatal_at = None
        known = {str(f) for f in run}
        last: list[str] | None = None
        # Not splitlines(): a message quotes the value, and U+2028 in it is no line break.
        lines = proc.stdout.rstrip("\n").split("\n")
        unplaced = next((line for line in lines if line.startswith("fatal:")), None)
        if unplaced is not None:
            # A fatal error that names no document (a DTD it cannot find): whose it is only
            # a run of each file alone tells.
            if len(run) > 1:
                verdicts.update(jing_verdicts(exe, schema, run, batch=1))
            else:
                verdicts[run[0]] = Verdict(False, unplaced)
            continue
        for line in lines:
            m = _JING_LINE.match(line)
            where = m["path"] if m else ""
            if where.startswith("file:"):
                where = where[len("file:"):]
            if m is None and last is not None:  # a line break inside a quoted value
                last[-1] += "\n" + line
                continue
            if m is None or where not in known:
                if not line:
                    continue
                # Debian's wrapper warns about optional jars on stderr; anything else on
                # stdout that names no document is about the schema.
                raise SetupError(f"jing: {line}\n{proc.stderr.strip()}")
            last = errors.setdefault(where, [])
            last.append(f"{m['line']}:{m['col']}: {m['message']}")
            if m["kind"] == "fatal":
                fatal_at = where
                break
        if proc.returncode != 0 and not errors:
            raise SetupError(f"jing failed (status {proc.returncode}): {proc.stderr.strip()}")
        for i, f in enumerate(run):
            found = errors.get(str(f))
            verdicts[f] = Verdict(not found, found[0] if found else "")
            if str(f) == fatal_at:
                pending = run[i + 1:] + pending
                break
    return verdicts


def find_jing() -> str | None:
    return shutil.which("jing")


# --- what the schema declares ---------------------------------------------------------------

@dataclass
class AttributeFacts:
    """What the schema says of one attribute name, over all its declarations."""

    types: set[str] = field(default_factory=set)   # XML Schema datatype names ("token"...)
    values: list[str] = field(default_factory=list)  # enumerated values
    is_list: bool = False


@dataclass
class SchemaFacts:
    """Names a mutation can draw on: the schema's elements and attributes (Clark names)."""

    elements: list[str]
    attributes: dict[str, AttributeFacts]
    required: dict[str, set[str]]  # element -> attributes it cannot do without


def _clark(name: str, node: etree._Element, default_ns: str) -> str:
    if ":" in name:
        prefix, local = name.split(":", 1)
        ns = XML_NS if prefix == "xml" else node.nsmap.get(prefix, "")
        return f"{{{ns}}}{local}" if ns else local
    return f"{{{default_ns}}}{name}" if default_ns else name


def _inherited_ns(node: etree._Element) -> str:
    for a in node.iterancestors():
        if a.get("ns") is not None:
            return a.get("ns") or ""
    return ""


def _rng_files(schema: Path) -> list[etree._ElementTree]:
    """The schema and every file it includes or refers to."""
    trees, seen, todo = [], set(), [schema.resolve()]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        tree = etree.parse(str(path), safe_parser(huge_tree=True))
        trees.append(tree)
        for ref in tree.iter(f"{{{RNG_NS}}}include", f"{{{RNG_NS}}}externalRef"):
            if ref.get("href"):
                todo.append((path.parent / ref.get("href", "")).resolve())
    return trees


def schema_facts(schema: Path) -> SchemaFacts:
    """The element and attribute names of a RELAX NG schema (XML syntax), with each
    attribute's datatypes and enumerated values, and each element's required attributes."""
    r = f"{{{RNG_NS}}}"
    trees = _rng_files(schema)
    defines = {d.get("name"): d for t in trees for d in t.iter(r + "define")}
    elements: set[str] = set()
    attributes: dict[str, AttributeFacts] = {}

    def name_of(node: etree._Element, is_attribute: bool) -> str | None:
        name = node.get("name")
        if name is None:
            child = node.find(r + "name")
            if child is None or not child.text:
                return None
            name, holder = child.text.strip(), child
        else:
            holder = node
        if node.get("ns") is not None:
            ns = node.get("ns") or ""
        else:
            ns = "" if is_attribute else (holder.get("ns") or _inherited_ns(holder))
        return _clark(name, node, ns)

    def content(node: etree._Element, facts: AttributeFacts, seen: set[str]) -> None:
        for d in node.iter():
            if d.tag == r + "data":
                facts.types.add(d.get("type", "token"))
            elif d.tag == r + "value":
                facts.types.add(d.get("type", "token"))
                if d.text is not None and d.text not in facts.values:
                    facts.values.append(d.text)
            elif d.tag == r + "list":
                facts.is_list = True
            elif d.tag == r + "text":
                facts.types.add("string")
            elif d.tag == r + "ref" and d.get("name") not in seen and d.get("name") in defines:
                seen.add(d.get("name", ""))
                content(defines[d.get("name")], facts, seen)

    for tree in trees:
        for node in tree.iter(r + "element"):
            if (name := name_of(node, False)) is not None:
                elements.add(name)
        for node in tree.iter(r + "attribute"):
            if (name := name_of(node, True)) is not None:
                content(node, attributes.setdefault(name, AttributeFacts()), set())

    optional = {r + "optional", r + "zeroOrMore", r + "choice"}

    def needed(node: etree._Element, seen: frozenset[str]) -> set[str]:
        out: set[str] = set()
        for c in node:
            if c.tag in optional or c.tag == r + "element":
                continue
            if c.tag == r + "attribute":
                if (name := name_of(c, True)) is not None:
                    out.add(name)
            elif c.tag == r + "ref":
                d = defines.get(c.get("name"))
                if d is not None and c.get("name") not in seen \
                        and d.find(".//" + r + "element") is None:
                    out |= needed(d, seen | {c.get("name", "")})
            else:
                out |= needed(c, seen)
        return out

    required: dict[str, set[str]] = {}
    for tree in trees:
        for node in tree.iter(r + "element"):
            name = name_of(node, False)
            if name is not None and (attrs := needed(node, frozenset())):
                required.setdefault(name, set()).update(attrs)
    return SchemaFacts(sorted(elements), attributes, required)


# --- values ---------------------------------------------------------------------------------

# Per XML Schema datatype: values usually accepted, values usually refused. Neither list is a
# prediction the harness relies on (the validators give the verdicts); they aim at the edges:
# leap days, time zones, signs, white space, case. Some are there because jing and libxml2
# part ways on them: "a:" (no URI for jing, after RFC 2396), white space around a single
# anyURI (jing collapses it, libxml2 refuses it), hour 24 and time zones below -13:00 (jing
# refuses them, XML Schema 1.0 second edition and libxml2 accept them), a leap second (jing
# accepts it), "1e" (libxml2 takes it for a double). No control, format or private-use
# characters: jing is known to accept them where TEI's patterns forbid them, and the
# reference is not followed there.
_DOUBLE = (["1.5", "1e3", "NaN", "INF", "-INF", "-0", ".5", "1E-2", " 2 "],
           ["abc", "1,5", "", "inf", "1e", "e3", "++1", "1/2"])
_NAME_CHARS = (["a", "_x", "a.b-c", "é", "x\u00b7y", "A1", " a ", "\U00010000x"],
               ["a b", "1abc", "", "-a", "a\u00a0b", ".a", "a/b"])
VALUES: dict[str, tuple[list[str], list[str]]] = {
    "integer": (["0", "7", "-3", "+12", " 42 "], ["abc", "1.5", "1e3", "", "0x10", "1,000",
                                                   "\u0663"]),
    "nonNegativeInteger": (["0", "7", "+12", "007", " 42 ", "-0", "99999999999999999999"],
                           ["-1", "abc", "1.5", "", "1e3", "seven", "\u0663"]),
    "decimal": (["0", "1.5", "-2.25", ".5", "5.", "+3"], ["1e3", "NaN", "abc", "1,5", "",
                                                          "1/2", "."]),
    "double": _DOUBLE,
    "float": _DOUBLE,
    "boolean": (["true", "false", "1", "0", " true "], ["yes", "TRUE", "", "no", "True"]),
    "date": (["2020-02-29", "1999-12-31", "-0044-03-15", "2020-06-15Z", "2020-06-15+14:00",
              "12345-01-01", "2020-06-15-14:00", "2020-06-15-05:00", " 2020-06-15 "],
             ["2021-02-29", "2020-13-01", "2020-1-1", "2020-06-15+15:00", "ca. 1850", "",
              "0000-01-01", "2020-04-31"]),
    "dateTime": (["2020-06-15T12:00:00", "2020-06-15T24:00:00", "2020-06-15T12:00:00.5Z",
                  "2020-11-25T14:22:46.000Z", "2020-06-15T12:00:00-13:59"],
                 ["2020-06-15T25:00:00", "2020-06-15 12:00:00", "2020-06-15T12:00",
                  "2020-06-15T24:00:01", "2020-06-15T12:00:60"]),
    "time": (["12:30:00", "00:00:00", "24:00:00", "12:30:00.25-05:00"],
             ["25:00:00", "12:30", "12:60:00", "noon"]),
    "gYear": (["1999", "-0044", "12345", "2020Z", "0001", "1999-14:00"],
              ["99", "0000", "ca. 1999", "1850?", "+1999"]),
    "gYearMonth": (["1999-05", "-0044-03"], ["1999-13", "1999-5", "199905", "1999-00"]),
    "gMonth": (["--05", "--12Z"], ["--13", "05", "--5", "--00"]),
    "gDay": (["---31", "---01"], ["---32", "31", "--31", "---00"]),
    "gMonthDay": (["--05-31", "--02-29"], ["--02-30", "--04-31", "05-31"]),
    "duration": (["P1Y", "P1Y2M3DT4H5M6S", "-P1D", "PT1.5S", "P0D"],
                 ["P", "PT", "1Y", "P1.5Y", "P1S", "P-1D", "", "P1DT"]),
    "NCName": _NAME_CHARS,
    "ID": _NAME_CHARS,
    "Name": (["a", "a:b", ":x", "_x", "é"], ["a b", "1abc", "", "-a"]),
    "language": (["en", "de-DE", "x-foo", "english", "zh-Hant-TW", " en ", "i-klingon"],
                 ["en_US", "toolongtag", "123", "en-", "", "de--DE", "-en"]),
    "anyURI": (["http://example.org/a", "#x", "urn:x:y", "../a.xml", "é", "a%20b", "a:",
                " http://example.org/a ", "\n#x\n", "a.png\t"],
               ["a b", "", "%zz", "http://[::1", "#a#b", "<x>", "a\\b", " "]),
    "token": (["abc", "é", "a-b", " abc ", "x1"], ["", "a b", "a\u00a0b", "a\u3000b", " "]),
    "string": (["anything at all", "x", "é"], ["", " "]),
}


def attribute_value(rng: random.Random, facts: AttributeFacts | None, good: bool) -> str:
    """A value for an attribute: usually accepted by one of its datatypes (``good``), or
    usually refused by them; a value of an enumeration, or one just off it."""
    if facts is None:
        return rng.choice(["x", "", "1", "a b"])
    if facts.values and rng.random() < 0.6:
        value = rng.choice(facts.values)
        if good:
            return value
        return rng.choice([value.upper() if value.upper() != value else value + "x",
                           value + " " + value, ""])
    types = sorted(facts.types & VALUES.keys()) or ["token"]
    accepted, refused = VALUES[rng.choice(types)]
    value = rng.choice(accepted if good else refused)
    if facts.is_list and good and rng.random() < 0.3:
        value = f"{value} {rng.choice(accepted)}"
    return value


# --- sources ----------------------------------------------------------------------------------

def find_sources(paths: Iterable[Path]) -> list[Path]:
    """The XML files in the given folders (recursively) and files, sorted: the order mutant
    numbers refer to."""
    found: set[Path] = set()
    for p in paths:
        if p.is_dir():
            found.update(f.resolve() for f in p.rglob("*.xml"))
        elif p.is_file():
            found.add(p.resolve())
    return sorted(found)


def cut(root: etree._Element, max_bytes: int) -> int:
    """Shrink a document towards ``max_bytes``: past the first few children of one name in a
    parent, drop the others (a list of 200 speeches keeps 16, then 8, 4, 2). Repetitions are
    what TEI content models allow freely, so the cut document usually stays valid (jing
    checks the cut sources anyway). Returns the size."""
    size = len(etree.tostring(root))
    for keep in (16, 8, 4, 2):
        if size <= max_bytes:
            break
        for parent in [e for e in root.iter() if len(e) > keep]:
            seen: Counter[object] = Counter()
            for child in list(parent):
                seen[child.tag] += 1
                if seen[child.tag] > keep:
                    parent.remove(child)  # its tail goes too: in element-only content, spaces
        size = len(etree.tostring(root))
    return size


def prepare(path: Path, max_bytes: int) -> bytes | None:
    """A source as mutants start from it: parsed safely and cut; None when it cannot serve
    (not well-formed, a DOCTYPE, still far too big after the cut)."""
    try:
        tree = etree.parse(str(path), safe_parser(huge_tree=True))
    except etree.XMLSyntaxError:
        return None
    if tree.docinfo.doctype:
        return None  # the mutants are parsed without an ID table, never with a DTD
    if cut(tree.getroot(), max_bytes) > 4 * max_bytes:
        return None
    data: bytes = etree.tostring(tree, encoding="utf-8", xml_declaration=True)
    return data


# --- mutations --------------------------------------------------------------------------------

UNKNOWN_ELEMENTS = ["foo", "P", "Div", "paragraph", "teiheader", "div0", "note2"]
UNKNOWN_ATTRIBUTES = ["foo", "Type", "N", "rend2", "data-x", "when_", "xmlid"]
TEXTS = ["x", "Lorem ipsum", "&", "<", "]]>", "é", "0", " x "]
WHITESPACE = [" ", "\n", "\n    ", "\t", "\r\n  ", "  \n\t "]
STRUCTURAL = {"teiHeader", "fileDesc", "titleStmt", "title", "publicationStmt", "sourceDesc",
              "text", "body", "front", "back", "speaker", "castList", "head"}


def _elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter() if isinstance(e.tag, str)]


def _children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _only_child(el: etree._Element) -> bool:
    parent = el.getparent()
    return parent is not None and len(_children(parent)) == 1


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _label(tag: str, attribute: bool = False) -> str:
    """A Clark name as a reader wants it: TEI element names and attribute names in no
    namespace bare, others with their namespace ({}p: a p in no namespace)."""
    q = etree.QName(tag)
    if q.namespace == XML_NS:
        return f"xml:{q.localname}"
    if q.namespace == (None if attribute else TEI_NS):
        return q.localname
    return q.text if q.namespace else f"{{}}{q.localname}"


def locate(el: etree._Element) -> str:
    """A path to an element, by names and positions (/TEI/text/body/div[2]/p[3])."""
    parts = []
    node: etree._Element | None = el
    while node is not None:
        parent = node.getparent()
        name = _label(str(node.tag))
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def detach(el: etree._Element) -> None:
    """Remove an element, leaving the text after it where it was."""
    parent = el.getparent()
    assert parent is not None
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    el.tail = None
    parent.remove(el)


def insert_text(el: etree._Element, index: int, text: str) -> None:
    """Add text before the element's child number ``index`` (after the last: len(el))."""
    if index == 0:
        el.text = text + (el.text or "")
    else:
        before = el[index - 1]
        before.tail = (before.tail or "") + text


def _quote(value: str) -> str:
    return repr(value)


class Mutator:
    """The mutations, as methods: each edits the tree and returns what it did, or None when
    the document offers it nothing to work on."""

    def __init__(self, rng: random.Random, facts: SchemaFacts, root: etree._Element) -> None:
        self.rng = rng
        self.facts = facts
        self.root = root

    def _pick(self, *, root: bool = False) -> etree._Element:
        elements = _elements(self.root)
        if not root:
            elements = elements[1:] or elements
        return self.rng.choice(elements)

    def delete(self) -> str | None:
        elements = _elements(self.root)[1:]
        if not elements:
            return None
        # Required children: the header's parts, or an element that is its parent's only one.
        wanted = [e for e in elements if _local(e) in STRUCTURAL or _only_child(e)]
        el = self.rng.choice(wanted if wanted and self.rng.random() < 0.3 else elements)
        where = locate(el)
        detach(el)
        return f"delete {where}"

    def rename(self) -> str | None:
        el = self._pick(root=self.rng.random() < 0.05)
        where, how = locate(el), self.rng.random()
        if how < 0.45:  # a name the document itself uses: often plausible
            names = sorted({str(e.tag) for e in _elements(self.root)} - {str(el.tag)})
            new = self.rng.choice(names) if names else self.rng.choice(self.facts.elements)
        elif how < 0.75:
            new = self.rng.choice(self.facts.elements)
        elif how < 0.88:
            new = f"{{{TEI_NS}}}{self.rng.choice(UNKNOWN_ELEMENTS)}"
        else:  # out of the TEI namespace
            ns = self.rng.choice(["", OTHER_NS, "http://www.tei-c.org/ns/Examples"])
            new = f"{{{ns}}}{_local(el)}" if ns else _local(el)
        if new == el.tag:
            return None
        el.tag = new
        return f"rename {where} -> {_label(new)}"

    def move(self) -> str | None:
        el = self._pick()
        if el is self.root:
            return None
        where = locate(el)
        detach(el)
        target = self.rng.choice(_elements(self.root))
        target.insert(self.rng.randint(0, len(target)), el)
        return f"move {where} -> into {locate(target)} as {locate(el)}"

    def duplicate(self) -> str | None:
        el = self._pick()
        parent = el.getparent()
        if parent is None:
            return None
        twin = copy.deepcopy(el)
        twin.tail = None
        keep_ids = self.rng.random() < 0.3
        if not keep_ids:
            for e in _elements(twin):
                if e.get(XML_ID) is not None:
                    e.set(XML_ID, e.get(XML_ID, "") + ".copy")
        parent.insert(parent.index(el) + 1, twin)
        ids = " (same xml:ids)" if keep_ids and twin.xpath("boolean(.//@xml:id | @xml:id)") \
            else ""
        return f"duplicate {locate(el)}{ids}"

    def swap(self) -> str | None:
        parents = [e for e in _elements(self.root) if len(_children(e)) >= 2]
        if not parents:
            return None
        parent = self.rng.choice(parents)
        kids = _children(parent)
        i = self.rng.randrange(len(kids) - 1)
        j = i + 1 if self.rng.random() < 0.7 else self.rng.randrange(i + 1, len(kids))
        a, b = kids[i], kids[j]
        what = f"swap {locate(a)} <-> {locate(b)}"
        ia, ib = parent.index(a), parent.index(b)
        ta, tb = a.tail, b.tail
        parent.remove(b)
        parent.insert(ia, b)
        parent.remove(a)
        parent.insert(ib, a)
        a.tail, b.tail = tb, ta  # the text between stays where it was
        return what

    def add_attribute(self) -> str | None:
        el = self._pick(root=True)
        how = self.rng.random()
        if how < 0.6:  # a TEI attribute: one the document uses (plausible here), or any
            used = sorted({n for e in _elements(self.root) for n in e.attrib} - set(el.attrib))
            name = self.rng.choice(used if used and how < 0.35
                                   else sorted(self.facts.attributes))
            value = attribute_value(self.rng, self.facts.attributes.get(name),
                                    self.rng.random() < 0.8)
        elif how < 0.8:
            name = self.rng.choice(UNKNOWN_ATTRIBUTES)
            value = self.rng.choice(["1", "x", ""])
        else:
            name, value = self.rng.choice([
                (f"{{{OTHER_NS}}}x", "1"), (f"{{{XML_NS}}}space", "preserve"),
                (f"{{{XML_NS}}}space", "default"), (f"{{{XML_NS}}}space", "keep"),
                (f"{{{XML_NS}}}base", "http://example.org/"), (f"{{{XML_NS}}}base", "a b"),
                (f"{{{XML_NS}}}foo", "x"), (f"{{{XLINK_NS}}}href", "#x"),
                (f"{{{TEI_NS}}}n", "1"), (f"{{{TEI_NS}}}type", "x")])
        old = el.get(name)
        el.set(name, value)
        was = f" (was {_quote(old)})" if old is not None else ""
        return f"add {locate(el)}/@{_label(name, True)}={_quote(value)}{was}"

    def change_value(self) -> str | None:
        owners = [e for e in _elements(self.root) if e.attrib]
        if not owners:
            return None
        # Attributes typed other than as tokens are rarer and more telling: weighted up.
        pairs = [(e, n) for e in owners for n in sorted(e.attrib)]
        weights = [1 + 4 * bool(self._typed(n)) for _, n in pairs]
        el, name = self.rng.choices(pairs, weights=weights)[0]
        old = el.get(name, "")
        value = attribute_value(self.rng, self.facts.attributes.get(name),
                                self.rng.random() < 0.4)
        if self.rng.random() < 0.08:
            value = ""
        el.set(name, value)
        return f"value {locate(el)}/@{_label(name, True)} {_quote(old)} -> {_quote(value)}"

    def _typed(self, name: str) -> bool:
        facts = self.facts.attributes.get(name)
        return facts is not None and bool(facts.types - {"token", "string"})

    def remove_attribute(self) -> str | None:
        owners = [e for e in _elements(self.root) if e.attrib]
        if not owners:
            return None
        required = [(e, str(n)) for e in owners for n in e.attrib
                    if n in self.facts.required.get(str(e.tag), ())]
        if required and self.rng.random() < 0.5:
            el, name = self.rng.choice(required)
        else:
            el = self.rng.choice(owners)
            name = self.rng.choice(sorted(el.attrib))
        del el.attrib[name]
        return f"remove {locate(el)}/@{_label(name, True)}"

    def duplicate_id(self) -> str | None:
        elements = _elements(self.root)
        if len(elements) < 2:
            return None
        with_id = [e for e in elements if e.get(XML_ID) is not None]
        first = self.rng.choice(with_id) if with_id else self.rng.choice(elements)
        value = first.get(XML_ID) or "dup1"
        first.set(XML_ID, value)
        other = self.rng.choice([e for e in elements if e is not first])
        # xsd:ID collapses white space: " x " is the same ID as "x".
        again = value if self.rng.random() < 0.8 else f" {value}\n"
        other.set(XML_ID, again)
        return f"same xml:id {_quote(value)} on {locate(first)} and {_quote(again)} on " \
               f"{locate(other)}"

    def insert_text(self) -> str | None:
        elements = _elements(self.root)
        # Element-only content, as far as the document shows: children, and only spaces.
        only = [e for e in elements if _children(e) and not (e.text or "").strip()
                and not any((c.tail or "").strip() for c in e)]
        el = self.rng.choice(only if only and self.rng.random() < 0.85 else elements)
        text = self.rng.choice(TEXTS)
        index = self.rng.randint(0, len(el))
        insert_text(el, index, text)
        return f"text {_quote(text)} into {locate(el)} at {index}"

    def insert_whitespace(self) -> str | None:
        el = self._pick(root=True)
        text = self.rng.choice(WHITESPACE)
        index = self.rng.randint(0, len(el))
        insert_text(el, index, text)
        return f"whitespace {_quote(text)} into {locate(el)} at {index}"

    def language(self) -> str | None:
        el = self._pick(root=True)
        accepted, refused = VALUES["language"]
        value = self.rng.choice(accepted if self.rng.random() < 0.6 else refused)
        old = el.get(f"{{{XML_NS}}}lang")
        el.set(f"{{{XML_NS}}}lang", value)
        return f"xml:lang {locate(el)} {_quote(old) if old is not None else '(none)'} -> " \
               f"{_quote(value)}"


# Mutation kinds and their weights (percent): about half the mutants stay valid.
KINDS: dict[str, int] = {
    "delete": 10, "rename": 8, "move": 7, "duplicate": 9, "swap": 8,
    "add-attribute": 10, "change-value": 12, "remove-attribute": 7, "duplicate-id": 3,
    "insert-text": 5, "insert-whitespace": 10, "language": 11,
}
_METHODS: dict[str, Callable[[Mutator], str | None]] = {
    "delete": Mutator.delete, "rename": Mutator.rename, "move": Mutator.move,
    "duplicate": Mutator.duplicate, "swap": Mutator.swap,
    "add-attribute": Mutator.add_attribute, "change-value": Mutator.change_value,
    "remove-attribute": Mutator.remove_attribute, "duplicate-id": Mutator.duplicate_id,
    "insert-text": Mutator.insert_text, "insert-whitespace": Mutator.insert_whitespace,
    "language": Mutator.language,
}


@dataclass
class Mutant:
    """One document given to both validators: a mutant, or a source as cut (no mutations)."""

    index: int  # mutant number (reproducible from the seed), or -1 for a source
    source: Path
    path: Path  # the file both validators read
    kinds: list[str] = field(default_factory=list)
    mutations: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"mutant {self.index}" if self.index >= 0 else "source (as cut)"


def mutate(rng: random.Random, facts: SchemaFacts, data: bytes) -> tuple[bytes, list[str],
                                                                         list[str]]:
    """One to three mutations of a document: (the mutant, the kinds, what each did)."""
    root = etree.fromstring(data, document_parser())
    mutator = Mutator(rng, facts, root)
    wanted = rng.choices([1, 2, 3], weights=[75, 18, 7])[0]
    kinds: list[str] = []
    done: list[str] = []
    names, weights = list(KINDS), list(KINDS.values())
    for _ in range(wanted * 10):
        if len(done) == wanted:
            break
        kind = rng.choices(names, weights=weights)[0]
        what = _METHODS[kind](mutator)
        if what is not None:
            kinds.append(kind)
            done.append(what)
    out: bytes = etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True)
    return out, kinds, done


# --- a run --------------------------------------------------------------------------------------

@dataclass
class Disagreement:
    """A document on which the engine's verdict is not jing's (or the engine crashed)."""

    mutant: Mutant
    jing: Verdict
    engine: Verdict


@dataclass
class Result:
    """A run: every document, both verdicts, the disagreements and where the time went."""

    engine: str
    seed: int
    cases: list[Mutant]  # the mutants, then the sources as cut
    jing: dict[Path, Verdict]
    verdicts: dict[Path, Verdict]  # the engine's
    timings: dict[str, float]

    @property
    def mutants(self) -> list[Mutant]:
        return [m for m in self.cases if m.index >= 0]

    @property
    def sources(self) -> list[Mutant]:
        return [m for m in self.cases if m.index < 0]

    @property
    def disagreements(self) -> list[Disagreement]:
        return [Disagreement(m, self.jing[m.path], self.verdicts[m.path]) for m in self.cases
                if self.verdicts[m.path].crashed
                or self.jing[m.path].valid != self.verdicts[m.path].valid]

    def counts(self) -> Counter[str]:
        """Mutants valid and invalid according to jing."""
        return Counter("valid" if self.jing[m.path].valid else "invalid" for m in self.mutants)


def _check(engine: Engine, path: Path) -> Verdict:
    try:
        answer = engine(path)
    except Exception as exc:  # a crash is a finding, not the end of the run
        return Verdict(False, f"{type(exc).__name__}: {exc}", crashed=True)
    return answer if isinstance(answer, Verdict) else Verdict(bool(answer))


def run(schema: Path, sources: Sequence[Path], count: int, seed: int,
        engine: str | Engine = "lxml", *, jing: str | None = None,
        workdir: Path | None = None, only: Iterable[int] | None = None,
        max_bytes: int = MAX_BYTES, batch: int = BATCH, keep: Path | None = None,
        facts: SchemaFacts | None = None) -> Result:
    """Make ``count`` mutants (or just the numbers in ``only``) of the sources, have jing
    and the engine (a name in ENGINES, or an Engine) judge them and the sources as cut.
    The files go to ``workdir`` (else a temporary folder, removed at the end); the
    disagreeing ones are copied to ``keep``."""
    exe = jing or find_jing()
    if exe is None:
        raise SetupError("jing is missing (apt-get install -y jing)")
    if not sources:
        raise SetupError("no source documents")
    timings: dict[str, float] = {}
    start = time.perf_counter()
    facts = facts or schema_facts(schema)
    timings["schema facts"] = time.perf_counter() - start
    # The engine first: one that cannot load ends the run before any work is done.
    start = time.perf_counter()
    name = engine if isinstance(engine, str) else getattr(engine, "__name__", "engine")
    try:
        check = ENGINES[engine](schema) if isinstance(engine, str) else engine
    except ImportError:
        raise  # the engine is not there (yet): said as it is
    except Exception as exc:
        raise SetupError(f"{name} cannot load {schema}: {type(exc).__name__}: {exc}") from exc
    timings[f"{name} load"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="differential-") as tmp:
        folder = workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        cases = _make(facts, sources, count, seed, folder, only, max_bytes)
        timings["mutating"] = time.perf_counter() - start

        start = time.perf_counter()
        jing_says = jing_verdicts(exe, schema, [c.path for c in cases], batch)
        timings["jing"] = time.perf_counter() - start
        jing_says = {c.path: jing_says[c.path.resolve()] for c in cases}

        start = time.perf_counter()
        verdicts = {c.path: _check(check, c.path) for c in cases}
        timings[name] = time.perf_counter() - start
        result = Result(name, seed, cases, jing_says, verdicts, timings)
        if keep is not None and result.disagreements:
            keep_disagreements(result, keep)
        return result


def _make(facts: SchemaFacts, sources: Sequence[Path], count: int, seed: int, folder: Path,
          only: Iterable[int] | None, max_bytes: int) -> list[Mutant]:
    prepared: dict[Path, bytes | None] = {}
    mutants: list[Mutant] = []
    for index in (sorted(set(only)) if only is not None else range(count)):
        rng = random.Random(f"{seed}:{index}")
        data = None
        for _ in range(50):
            source = rng.choice(sources)
            if source not in prepared:
                prepared[source] = prepare(source, max_bytes)
            if (data := prepared[source]) is not None:
                break
        if data is None:
            raise SetupError("no source document can be used (all refused or too big)")
        out, kinds, done = mutate(rng, facts, data)
        path = folder / f"m{index:05d}.xml"
        path.write_bytes(out)
        mutants.append(Mutant(index, source, path, kinds, done))
    used = sorted({m.source for m in mutants})
    for k, source in enumerate(used):
        path = folder / f"s{k:04d}.xml"
        path.write_bytes(prepared[source] or b"")
        mutants.append(Mutant(-1, source, path))
    return mutants


# --- the command ------------------------------------------------------------------------------

def report(result: Result, out: Any = sys.stdout, limit: int = 50) -> None:
    """What a run found, for a reader: counts, per-kind rates, each disagreement, times."""
    mutants, counts = result.mutants, result.counts()
    bad_sources = [s for s in result.sources if not result.jing[s.path].valid]
    print(f"{len(mutants)} mutants of {len(result.sources)} sources (seed {result.seed}); "
          f"jing: {counts['valid']} valid, {counts['invalid']} invalid; sources as cut "
          f"invalid per jing: {len(bad_sources)}", file=out)
    kinds: Counter[str] = Counter()
    valid: Counter[str] = Counter()
    for m in mutants:
        for k in set(m.kinds):
            kinds[k] += 1
            valid[k] += result.jing[m.path].valid
    print("mutation kind (mutants with it, share valid per jing):", ", ".join(
        f"{k} {n} ({valid[k] / n:.0%})" for k, n in kinds.most_common()), file=out)
    # White space alone never makes a valid document invalid: a check on jing and the run.
    spaced = [m for m in mutants if set(m.kinds) == {"insert-whitespace"}
              and all(result.jing[s.path].valid for s in result.sources
                      if s.source == m.source)]
    if spaced:
        rejected = [m for m in spaced if not result.jing[m.path].valid]
        print(f"white space only, into valid sources: {len(spaced)} mutants, "
              f"{len(rejected)} invalid per jing"
              + (f" (e.g. {rejected[0].name})" if rejected else ""), file=out)
    found = result.disagreements
    by_kind = Counter(" + ".join(sorted(set(d.mutant.kinds))) or "source" for d in found)
    print(f"disagreements: {len(found)}" + (" (by mutation: " + ", ".join(
        f"{k} {n}" for k, n in by_kind.most_common()) + ")" if found else ""), file=out)
    for d in found[:limit]:
        print(f"- {d.mutant.name} of {d.mutant.source}", file=out)
        for what in d.mutant.mutations:
            print(f"    {what}", file=out)
        print(f"    jing: {_short(str(d.jing))}", file=out)
        print(f"    {result.engine}: {_short(str(d.engine))}", file=out)
    if len(found) > limit:
        print(f"... and {len(found) - limit} more", file=out)
    print("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()), file=out)


def _short(text: str, width: int = 240) -> str:
    return text if len(text) <= width else text[:width] + "..."


def keep_disagreements(result: Result, folder: Path) -> None:
    """Copy the disagreeing documents to ``folder``, with what made each."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"Rebuild one: python -m tests.differential --engine {result.engine} "
             f"--seed {result.seed} --mutant N (with the run's --docs, --max-bytes)", ""]
    for d in result.disagreements:
        shutil.copy(d.mutant.path, folder / d.mutant.path.name)
        lines += [f"{d.mutant.path.name}: {d.mutant.name} of {d.mutant.source} "
                  f"(seed {result.seed})", *(f"    {w}" for w in d.mutant.mutations),
                  f"    jing: {d.jing}", f"    {result.engine}: {d.engine}", ""]
    (folder / "disagreements.txt").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--engine", choices=sorted(ENGINES), default="lxml")
    ap.add_argument("--count", type=int, default=3000, help="mutants to make")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--schema", type=Path, default=TEI_ALL)
    ap.add_argument("--docs", type=Path, action="append",
                    help="a folder (searched for *.xml) or file of source documents; "
                         "repeatable (default: ../shared/bench/tei and corpus/tei)")
    ap.add_argument("--keep", type=Path, help="copy the disagreeing documents here")
    ap.add_argument("--mutant", type=int, action="append",
                    help="make only this mutant (repeatable): to reproduce one")
    ap.add_argument("--max-bytes", type=int, default=MAX_BYTES,
                    help="cut each source to about this size")
    ap.add_argument("--batch", type=int, default=BATCH, help="documents per jing run")
    ap.add_argument("--jing", help="the jing program (default: jing on PATH)")
    ap.add_argument("--limit", type=int, default=50, help="disagreements to print")
    args = ap.parse_args(argv)
    sources = find_sources(args.docs or DEFAULT_DOCS)
    try:
        result = run(args.schema, sources, args.count, args.seed, args.engine,
                     jing=args.jing, only=args.mutant, max_bytes=args.max_bytes,
                     batch=args.batch, keep=args.keep)
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:  # the engine is not there (yet)
        print(f"error: the {args.engine} engine cannot be imported: {exc}", file=sys.stderr)
        return 2
    report(result, limit=args.limit)
    if args.keep and result.disagreements:
        print(f"disagreeing documents kept in {args.keep}", file=sys.stderr)
    return 1 if result.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
