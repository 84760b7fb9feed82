"""James Clark's RELAX NG test suite (jing-trang's spectest.xml) through tei_toolkit.

Each test case (numbered in document order from 1, as jing-trang's test/prep.xsl does) is
written to a folder of its own: the schema as ``c.rng`` with its resources beside it, each
instance as ``i<N>.xml``. Four verdicts are compared with the expected one: tei_toolkit's with
libxml2's engine (``Validator(c.rng, engine="lxml")``: a refused schema is a SetupError; its
rewrites must change no verdict), our own engine's, plain lxml's (``etree.RelaxNG`` on the
same files: what libxml2 itself can do), and, with ``--jing``, jing's.

    python -m tests.spectest ../shared/schemas/relaxng-spectest/spectest.xml [--jing]

prints every case where a verdict differs from the expected one.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tei_toolkit.errors import SetupError
from tei_toolkit.validation.compiled import document_names
from tei_toolkit.validation import relaxng
from tei_toolkit.validation.rng import Grammar
from tei_toolkit.validation.validate import Validator
from tei_toolkit.xmlcore import RELAXNG_NS


@dataclass
class Outcome:
    case: int
    item: str          # "schema" or "i3.xml" (the third instance)
    expected: bool     # correct schema / valid instance
    ours: bool
    lxml: bool
    jing: bool | None = None
    detail: str = ""
    reduced: bool | None = None  # the instance against the grammar reduced to its names
    derivative: bool | None = None  # our own engine's verdict (tei_toolkit.validation.relaxng)
    derivative_detail: str = ""


def cases(spectest: Path) -> list[etree._Element]:
    # The suite is trusted test data with one internal entity (&dii;): expanded, but no DTD
    # is loaded and no network is used.
    parser = etree.XMLParser(resolve_entities=True, load_dtd=False, no_network=True)
    return list(etree.parse(str(spectest), parser).getroot().iter("testCase"))


def write_case(case: etree._Element, folder: Path) -> tuple[Path, bool, list[tuple[Path, bool]]]:
    """(schema file, schema expected correct, [(instance file, expected valid)])."""
    folder.mkdir(parents=True)
    _write_resources(case, folder)
    schema_el = case.find("correct")
    correct = schema_el is not None
    if schema_el is None:
        schema_el = case.find("incorrect")
    schema = folder / "c.rng"
    _write_child(schema_el, schema)
    instances = []
    for n, el in enumerate(x for x in case if x.tag in ("valid", "invalid")):
        path = folder / f"i{n + 1}.xml"
        _write_child(el, path)
        instances.append((path, el.tag == "valid"))
    return schema, correct, instances


def _write_resources(node: etree._Element, folder: Path) -> None:
    for el in node:
        if el.tag == "resource":
            _write_child(el, folder / el.get("name", ""))
        elif el.tag == "dir":
            sub = folder / el.get("name", "")
            sub.mkdir(parents=True, exist_ok=True)
            _write_resources(el, sub)


def _write_child(el: etree._Element, path: Path) -> None:
    kids = [c for c in el if isinstance(c.tag, str)]
    if kids:
        data = etree.tostring(kids[0], encoding="UTF-8", xml_declaration=True)
    else:
        data = (el.text or "").encode("utf-8")  # a non-XML resource (or an empty one)
    path.write_bytes(data)


def _lxml_schema(schema: Path) -> etree.RelaxNG | None:
    try:
        return etree.RelaxNG(etree.parse(str(schema), etree.XMLParser(no_network=True)))
    except (etree.RelaxNGParseError, etree.XMLSyntaxError):
        return None


def _lxml_valid(rng: etree.RelaxNG, instance: Path) -> bool:
    try:
        doc = etree.parse(str(instance), etree.XMLParser(no_network=True))
    except etree.XMLSyntaxError:
        return False
    return bool(rng.validate(doc))


def _simple_grammar(schema: Path) -> Grammar | None:
    """The grammar when the fast path's rewrites accept its form (else None)."""
    try:
        tree = etree.parse(str(schema), etree.XMLParser(no_network=True))
    except etree.XMLSyntaxError:
        return None
    root = tree.getroot()
    if root.tag != f"{{{RELAXNG_NS}}}grammar":  # a pattern is grammar { start = pattern }
        grammar = etree.Element(f"{{{RELAXNG_NS}}}grammar", nsmap=root.nsmap)
        for attr in ("ns", "datatypeLibrary"):
            if root.get(attr) is not None:
                grammar.set(attr, root.get(attr))
        etree.SubElement(grammar, f"{{{RELAXNG_NS}}}start").append(root)
        tree = etree.ElementTree(grammar)
    try:
        return Grammar(tree)
    except ValueError:
        return None


def _reduced_valid(grammar: Grammar, instance: Path) -> bool:
    """The verdict with every rewrite applied, as if the grammar were proven: reduced to the
    instance's element and attribute names, unwrapped, linearised, attributes pruned."""
    try:
        doc = etree.parse(str(instance), etree.XMLParser(no_network=True))
    except etree.XMLSyntaxError:
        return False
    names = document_names(doc)
    rng = etree.RelaxNG(grammar.reduce_local(names[0], names[1]))
    return bool(rng.validate(doc))


def jing_verdicts(schema: Path, instances: list[Path]) -> tuple[bool, dict[Path, bool]]:
    exe = shutil.which("jing")
    assert exe, "jing is not installed"
    proc = subprocess.run([exe, str(schema), *map(str, instances)], capture_output=True,
                          text=True, timeout=120)
    lines = proc.stdout.splitlines()
    if any(line.startswith(str(schema)) or line.startswith("fatal") and not instances
           for line in lines) or (proc.returncode != 0 and not instances):
        return False, {}
    bad = {line.split(":", 1)[0] for line in lines}
    return True, {i: str(i) not in bad for i in instances}


def run(spectest: Path, work: Path, jing: bool = False) -> list[Outcome]:
    out: list[Outcome] = []
    for number, case in enumerate(cases(spectest), start=1):
        schema, correct, instances = write_case(case, work / f"case{number:03d}")
        try:
            validator = Validator(schema, schematron=False, pointers=False, engine="lxml")
            ours_ok, detail = True, ""
        except SetupError as exc:
            validator, ours_ok, detail = None, False, exc.message
        rng = _lxml_schema(schema)
        jing_ok, jing_instances = jing_verdicts(schema, [i for i, _ in instances]) if jing else (None, {})
        try:
            derivative: relaxng.Schema | None = relaxng.load(schema)
            refusal = ""
        except relaxng.SchemaIncorrect as exc:
            derivative, refusal = None, str(exc)
        out.append(Outcome(number, "schema", correct, ours_ok, rng is not None, jing_ok, detail,
                           derivative=derivative is not None, derivative_detail=refusal))
        if not correct:
            continue
        grammar = _simple_grammar(schema)
        for path, valid in instances:
            issues = _derivative_issues(derivative, path) if derivative is not None else None
            if validator is None or rng is None:  # libxml2 refuses a correct schema
                out.append(Outcome(number, path.name, valid, False, False, None,
                                   derivative=None if issues is None else not issues))
                continue
            report = validator.validate(path)
            out.append(Outcome(number, path.name, valid, report.ok(), _lxml_valid(rng, path),
                               jing_instances.get(path) if jing else None,
                               "; ".join(p.message for p in report.errors)[:200],
                               _reduced_valid(grammar, path) if grammar else None,
                               None if issues is None else not issues,
                               "; ".join(i.message for i in issues or [])[:200]))
    return out


def _derivative_issues(schema: relaxng.Schema, instance: Path) -> list[relaxng.Issue]:
    try:
        doc = etree.parse(str(instance), etree.XMLParser(no_network=True))
    except etree.XMLSyntaxError as exc:
        return [relaxng.Issue(0, 0, f"not well-formed: {exc}")]
    return schema.validate(doc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spectest", type=Path)
    ap.add_argument("--jing", action="store_true", help="also run jing on every case (slow)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = run(args.spectest, Path(tmp), args.jing)
    schemas = [o for o in outcomes if o.item == "schema"]
    print(f"{len(schemas)} cases, {len(outcomes) - len(schemas)} instances")
    for o in outcomes:
        if o.ours != o.expected or o.lxml != o.expected or (o.jing is not None
                                                             and o.jing != o.expected) \
                or (o.reduced is not None and o.reduced != o.lxml) or o.derivative != o.expected:
            print(f"case {o.case} {o.item}: expected {o.expected}, tei_toolkit {o.ours}, "
                  f"lxml {o.lxml}, reduced {o.reduced}, jing {o.jing}, derivative "
                  f"{o.derivative}  {o.detail[:120]} {o.derivative_detail[:120]}")
    reduced = [o for o in outcomes if o.reduced is not None]
    print(f"{len(reduced)} instances also checked against their reduced grammar")
    sys.exit(0)


if __name__ == "__main__":
    main()
