"""Project customisations of TEI, derived from tei_all the way real ODDs shape theirs.

The real ODD-derived schemas studied for the any-TEI work (ELTeC's eltec-1, the Bodleian's
bodley-msDesc, EpiDoc as ISicily ships it, ParlaMint's) may not be copied into this
repository, and ../shared holds only tei_all and CMIF. So the tests build customisations
from tei_all, at test time, with the operations those schemas show:

- ``prefix``: every pattern name prefixed (EpiDoc, ParlaMint and the DTA base format name
  theirs ``tei_macro.paraContent``, ``tei_att.global.attributes`` ...);
- ``keep``: a subset of the elements, the others deleted (ELTeC level 1 keeps about 50;
  deleted elements become ``notAllowed``, references to them stay);
- ``closed``: closed value lists (ELTeC's and ParlaMint's ``@type`` values), here on
  ``att.typed``'s ``@type`` and so on every typed element;
- a **project namespace** element (ELTeC's ``e:size`` in ``textDesc``), with a closed
  ``@key``, offered among the parts of ``profileDesc``;
- an embedded **Schematron** pattern of the project's own (every such ODD has them);
- ``odd_groups``: each element's content in a ``group`` of its own and documented with an
  ``a:documentation``, as TEI's ODD processor writes them (Shelley-Godwin's, Parla-CLARIN's
  and DHARMA's schemas have hundreds of such one-child groups; where the element refers
  back to itself and has attributes, e.g. ``list``, libxml2 never finishes compiling them);
- :func:`split`: the grammar as a main file that includes a module file (projects keep
  generated modules apart from their own definitions).

    python -m tests.customisations ../shared/schemas/tei_all.rng --out /tmp/project.rng
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lxml import etree

from tei_toolkit.validation.rng import _element_name
from tei_toolkit.xmlcore import RELAXNG_NS, TEI_NS

_R = f"{{{RELAXNG_NS}}}"
_A = "http://relaxng.org/ns/compatibility/annotations/1.0"
SCH_NS = "http://purl.oclc.org/dsdl/schematron"
PROJECT_NS = "https://example.org/ns/project"

# A letters edition's elements: the header every TEI document needs, core, text structure,
# correspondence, names and dates (about 80 of tei_all's 588).
LETTERS = set("""
TEI teiHeader fileDesc titleStmt title author editor respStmt resp name publicationStmt
publisher distributor authority availability licence idno date pubPlace sourceDesc bibl
biblScope msDesc msIdentifier repository collection settlement institution country region
encodingDesc editorialDecl projectDesc p correction normalization profileDesc langUsage
language correspDesc correspAction correspContext textClass keywords term abstract
revisionDesc change listChange text front body back div head opener closer salute signed
dateline postscript note hi foreign emph q quote lb pb gap supplied unclear del add sic corr
orig reg abbr expan choice persName placeName orgName rs ref ptr list item label table row
cell lg l address addrLine
""".split())


def derive(tei_all: str | Path, *, prefix: str = "", keep: set[str] | None = None,
           closed: tuple[str, ...] = (), project_element: bool = False,
           schematron: bool = False, odd_groups: bool = False) -> bytes:
    """A customisation of tei_all, as RELAX NG (XML syntax) bytes."""
    tree = etree.parse(str(tei_all), etree.XMLParser(remove_blank_text=False))
    root = tree.getroot()
    defines = {d.get("name", ""): d for d in root.iterchildren(_R + "define")}
    if keep is not None:
        for d in defines.values():
            el = d.find(_R + "element")
            name = _element_name(el) if el is not None else None
            if name is not None and name[0] == TEI_NS and name[1] not in keep:
                for child in list(d):
                    d.remove(child)
                etree.SubElement(d, _R + "notAllowed")
    if closed:
        attr = defines["att.typed.attribute.type"].find(f"{_R}optional/{_R}attribute")
        assert attr is not None
        for child in list(attr):
            attr.remove(child)
        choice = etree.SubElement(attr, _R + "choice")
        for value in closed:
            etree.SubElement(choice, _R + "value").text = value
    if project_element:
        define = etree.SubElement(root, _R + "define", name="project.size")
        el = etree.SubElement(define, _R + "element", name="size", ns=PROJECT_NS)
        attr = etree.SubElement(el, _R + "attribute", name="key")
        choice = etree.SubElement(attr, _R + "choice")
        for value in ("short", "medium", "long"):
            etree.SubElement(choice, _R + "value").text = value
        etree.SubElement(el, _R + "empty")
        parts = defines["model.profileDescPart"].find(_R + "choice")
        assert parts is not None
        etree.SubElement(parts, _R + "ref", name="project.size")
    if schematron:
        div = defines["div"].find(_R + "element")
        assert div is not None
        pattern = etree.SubElement(div, f"{{{SCH_NS}}}pattern", id="project-letter-closer")
        rule = etree.SubElement(pattern, f"{{{SCH_NS}}}rule", context="tei:div[@type='letter']")
        assert_ = etree.SubElement(rule, f"{{{SCH_NS}}}assert", test="tei:closer")
        assert_.text = "A letter (div type='letter') ends with a closer."
        ns = etree.Element(f"{{{SCH_NS}}}ns", prefix="tei", uri=TEI_NS)
        div.insert(0, ns)
    if odd_groups:
        for el in root.iter(_R + "element"):
            kids = [c for c in el if isinstance(c.tag, str)]
            if el.get("name") is None:
                kids = kids[1:]  # the name class
            if len(kids) == 1 and kids[0].tag != _R + "group":
                group = etree.Element(_R + "group")
                kids[0].addprevious(group)
                group.append(kids[0])
            doc = etree.Element(f"{{{_A}}}documentation")
            doc.text = "(as an ODD processor documents it)"
            el.insert(1 if el.get("name") is None else 0, doc)
        # And one in the shape libxml2 never finishes compiling: a project element whose
        # content is a one-child group around a repetition of itself, then an attribute.
        define = etree.SubElement(root, _R + "define", name="project.part")
        el = etree.SubElement(define, _R + "element", name="part", ns=PROJECT_NS)
        group = etree.SubElement(el, _R + "group")
        more = etree.SubElement(etree.SubElement(group, _R + "oneOrMore"), _R + "choice")
        etree.SubElement(more, _R + "ref", name="project.part")
        etree.SubElement(more, _R + "ref", name="p")
        etree.SubElement(etree.SubElement(el, _R + "optional"), _R + "attribute", name="n")
        parts = defines["model.profileDescPart"].find(_R + "choice")
        assert parts is not None
        etree.SubElement(parts, _R + "ref", name="project.part")
    if prefix:
        for node in root.iter(_R + "define", _R + "ref"):
            node.set("name", prefix + node.get("name", ""))
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


def split(schema: bytes, main: Path, module: Path) -> None:
    """Write ``schema`` as ``main``, which includes ``module`` holding half its defines."""
    root = etree.fromstring(schema)
    defines = list(root.iterchildren(_R + "define"))
    grammar = etree.Element(_R + "grammar", nsmap=root.nsmap)
    for attr, value in root.attrib.items():
        grammar.set(attr, value)
    for d in defines[::2]:
        grammar.append(d)
    module.write_bytes(etree.tostring(grammar, xml_declaration=True, encoding="utf-8"))
    root.insert(0, etree.Element(_R + "include", href=module.name))
    main.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tei_all")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--prefix", default="tei_")
    args = ap.parse_args()
    args.out.write_bytes(derive(args.tei_all, prefix=args.prefix, keep=LETTERS,
                                closed=("letter", "chapter", "section"),
                                project_element=True, schematron=True))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
