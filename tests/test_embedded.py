"""The Schematron embedded in a RELAX NG schema (ODD output), run as Oxygen runs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tei_toolkit import Validator
from tei_toolkit.validation.embedded import extract
from tei_toolkit.validation.schematron import xpath2_use

from .conftest import installed_tei

S = "{http://purl.oclc.org/dsdl/schematron}"
HEADER = ('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T'
          "</title></titleStmt><publicationStmt><p>x</p></publicationStmt><sourceDesc><p>x</p>"
          "</sourceDesc></fileDesc></teiHeader>\n<text><body>\n")
BROKEN = {  # the constraint, the markup that breaks it, and a word of the rule's message
    "when-and-notBefore": ('<p><date when="1950-01-01" notBefore="1949-01-01">d</date></p>',
                           "@when attribute cannot be used"),
    "subtype-without-type": ('<p><seg subtype="x">s</seg></p>', "unless also categorized"),
    "target-and-cRef": ('<p><ptr target="http://example.org/" cRef="b"/></p>',
                        "Only one of the attributes @target and @cRef"),
}


def doc(tmp_path: Path, body: str, name: str = "d.xml") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body + "\n</body></text></TEI>\n", encoding="utf-8")
    return path


def validate(path: Path, *options: str) -> tuple[int, list[dict]]:
    proc = subprocess.run([installed_tei(), "validate", str(path), "--format", "json",
                           *options], capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)["problems"]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_tei_constraints_are_reported_with_line_column_and_message(tmp_path, tei_all, jing, name):
    markup, words = BROKEN[name]
    path = doc(tmp_path, "<p>fine</p>\n" + markup)
    assert jing.verdicts([path]) == {path: True}  # RELAX NG alone cannot say it
    code, problems = validate(path, "--schema", str(tei_all), "--embedded-schematron", "auto")
    found = [p for p in problems if p["source"] == "schematron"]
    assert code == 1 and len(found) == 1, problems
    assert (found[0]["line"], found[0]["column"], found[0]["severity"]) == (4, 4, "error")
    assert words in found[0]["message"]
    # Off, the same document is valid: the rules are the only difference.
    assert validate(path, "--schema", str(tei_all), "--embedded-schematron", "off") == (0, [])


def test_a_document_that_keeps_the_rules_is_valid(tmp_path, tei_all):
    path = doc(tmp_path, '<p><date when="1950-01-01">d</date> <seg type="a" subtype="b">s'
                         '</seg> <ptr target="http://example.org/"/></p>')
    assert validate(path, "--schema", str(tei_all), "--embedded-schematron", "auto") == (0, [])


def test_on_warns_where_a_schema_has_no_embedded_rules(tmp_path):
    path = doc(tmp_path, "<p>x</p>")
    code, problems = validate(path, "--schema", "tei_toolkit", "--embedded-schematron", "on",
                              "--no-pointers")
    assert code == 0
    assert [p["message"] for p in problems if "embedded" in p["message"]] == [
        "tei_toolkit.rng has no embedded Schematron that can run here (0 patterns, 0 need "
        "XPath 2)"]


def test_what_runs_is_xpath1_and_what_is_left_out_is_listed(tei_all):
    found = extract(tei_all.resolve())
    original = etree.parse(str(tei_all)).getroot()
    assert found.patterns == len(list(original.iter(S + "pattern"))) == 93
    assert found.schema is not None
    kept = found.schema.getroot().findall(S + "pattern")
    assert len(kept) == found.ran == found.patterns - len(found.skipped)
    assert all(xpath2_use(el) is None for p in kept for el in p.iter(S + "*"))
    assert all(why for _, why in found.skipped)
    # The constraints an editor meets most run.
    ids = {p.get("id") or "" for p in kept}
    for rule in ("datable", "subtypeTyped", "ptrAtts"):
        assert any(rule in i for i in ids), rule


def test_the_python_api_runs_them_when_asked(tmp_path, tei_all):
    path = doc(tmp_path, BROKEN["subtype-without-type"][0])
    assert Validator(tei_all).validate(path).ok()
    report = Validator(tei_all, embedded_schematron="auto").validate(path)
    assert [p.source for p in report.problems] == ["schematron"]
    with pytest.raises(ValueError):
        Validator(tei_all, embedded_schematron="sometimes")


def test_the_xpath_evaluator_finds_what_lxmls_schematron_finds(tmp_path, tei_all):
    """The fast path (rules evaluated with XPath, the rest through XSLT) against the reference
    (every runnable pattern through lxml's ISO Schematron, as `tei validate --schematron`
    runs a file), on documents that break each rule class and on a sample of the generated
    documents, one per element of tei_all and its invalid twin."""
    from tei_toolkit.validation.schematron import ConfinedSchematron
    from . import tei_instances

    found = extract(tei_all.resolve())
    reference = ConfinedSchematron(tei_all, (), found.schema)
    docs = [doc(tmp_path, markup, f"broken-{name}.xml") for name, (markup, _) in BROKEN.items()]
    docs.append(doc(tmp_path, "".join(m for m, _ in BROKEN.values())
                    + '<lg><l>a <l>nested</l></l></lg><p><rt target="#x" from="#y"/></p>',
                    "all.xml"))
    generated = tmp_path / "generated"
    tei_instances.write(tei_all, generated, twins=True)
    docs += sorted(generated.rglob("*.xml"))[::8]  # a sample: the reference is slow
    from tei_toolkit.validation.embedded import Evaluator
    assert found.schema is not None
    fast = Evaluator(found.schema)
    rest = ConfinedSchematron(tei_all, (), fast.rest) if fast.rest is not None else None
    svrl_ns = "{http://purl.oclc.org/dsdl/svrl}"

    def svrl_findings(report: etree._ElementTree, tree: etree._ElementTree) -> list:
        out = []
        for n in report.getroot():
            if n.tag in (svrl_ns + "failed-assert", svrl_ns + "successful-report"):
                # lxml's SVRL names an attribute context by itself ("/@target"): no line.
                at = tree.xpath(n.get("location"))
                line = at[0].sourceline if at and isinstance(at[0], etree._Element) else 0
                out.append((line, " ".join("".join(n.itertext()).split())))
        return out
    fired = 0
    for path in docs:
        tree = etree.parse(str(path))
        svrl = reference.run(tree, None).report
        assert svrl is not None
        want = svrl_findings(svrl, tree)
        got = [(el.sourceline, m) for el, _, m in fast.run(tree)]
        if rest is not None and fast.rest_applies(tree):
            report = rest.run(tree, None).report
            assert report is not None
            got += svrl_findings(report, tree)
        assert sorted(got) == sorted(want), path
        fired += len(want)
    assert fired >= 4  # the comparison saw rules fire, not only silence


def test_with_saxon_the_xpath2_rules_run_too(tmp_path, tei_all, jing):
    from tei_toolkit.validation.embedded import saxon_available
    from .conftest import need
    need(saxon_available(), "saxonche (the xpath2 extra)")
    # @calendar on an empty date: a rule written with XPath 2 (gt), which lxml cannot run.
    path = doc(tmp_path, '<p>x</p>\n<p><date calendar="#greg"/></p>')
    assert jing.verdicts([path]) == {path: True}
    code, problems = validate(path, "--schema", str(tei_all), "--embedded-schematron", "auto")
    found = [p for p in problems if p["source"] == "schematron"]
    assert code == 1 and [(p["line"], p["column"]) for p in found] == [(4, 4)]
    assert "has no textual content" in found[0]["message"]


def test_saxon_as_the_reference_run_finds_what_the_xpath1_path_finds(tmp_path, tei_all):
    """The patterns lxml runs, evaluated again with Saxon's XPath 3.1 (as Oxygen would):
    the same findings, on documents that break rules and a sample of generated ones."""
    from tei_toolkit.validation.embedded import Evaluator, SaxonRules, saxon_available
    from tei_toolkit.validation.schematron import ConfinedSchematron
    from . import tei_instances
    from .conftest import need
    need(saxon_available(), "saxonche (the xpath2 extra)")
    found = extract(tei_all.resolve())
    assert found.schema is not None
    saxon = SaxonRules(found.schema.getroot().findall(S + "pattern"), found.ns)
    fast = Evaluator(found.schema)
    slow = ConfinedSchematron(tei_all, (), fast.rest) if fast.rest is not None else None
    docs = [doc(tmp_path, markup, f"broken-{name}.xml") for name, (markup, _) in BROKEN.items()]
    generated = tmp_path / "generated"
    tei_instances.write(tei_all, generated, twins=True)
    docs += sorted(generated.rglob("*.xml"))[3::16]
    fired = 0
    for path in docs:
        data = path.read_bytes()
        tree = etree.ElementTree(etree.fromstring(data))
        ours = [(el.sourceline, etree.QName(el).localname, m) for el, _, m in fast.run(tree)]
        if slow is not None and fast.rest_applies(tree):
            report = slow.run(tree, None).report
            assert report is not None and not report.getroot().findall(
                "{http://purl.oclc.org/dsdl/svrl}failed-assert")
        theirs = [(line, name, m) for line, name, _, m in saxon.run(data)]
        assert sorted(ours) == sorted(theirs), path
        fired += len(theirs)
    assert fired >= 3


def test_saxon_on_what_real_tei_files_hold(tmp_path, tei_all):
    """Found on TEI's own test files (P5/Test): a DOCTYPE naming a DTD that is not there (Saxon
    must not read it), a rule whose sch:let feeds its test (msDesc: one history only), and
    two threads validating at once (SaxonC crashes when called from another thread)."""
    from tei_toolkit.validation.embedded import saxon_available
    from .conftest import need
    need(saxon_available(), "saxonche (the xpath2 extra)")
    body = ('<p><msDesc><msIdentifier><repository>R</repository></msIdentifier><history><p>a'
            '</p></history><history><p>b</p></history></msDesc></p>')
    paths = []
    for k in range(6):
        path = doc(tmp_path, body, f"d{k}.xml")
        text = path.read_text(encoding="utf-8")
        path.write_text('<!DOCTYPE TEI SYSTEM "nowhere.dtd" [\n<!ENTITY x "y">\n]>\n' + text,
                        encoding="utf-8")
        paths.append(path)
    proc = subprocess.run([installed_tei(), "validate", *map(str, paths), "--schema",
                           str(tei_all), "--embedded-schematron", "auto", "--jobs", "2",
                           "--format", "json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]
    problems = json.loads(proc.stdout)["problems"]
    assert not [p for p in problems if "failed while" in p["message"]]
    found = [p for p in problems if "Only one <history> is allowed" in p["message"]]
    assert sorted(p["file"] for p in found) == sorted(map(str, paths))
    assert all(p["line"] == 6 for p in found)  # the line numbers survive the blanked DOCTYPE


# Confinement: the embedded rules read nothing outside the allowed folders --------------------
SCH_NS = "http://purl.oclc.org/dsdl/schematron"


def _rng_with(folder: Path, patterns: str, name: str = "schema.rng") -> Path:
    """A RELAX NG schema for an empty TEI element whose annotations hold ``patterns``."""
    rng = folder / name
    rng.write_text(f'<grammar xmlns="http://relaxng.org/ns/structure/1.0" xmlns:sch="{SCH_NS}">'
                   '\n<sch:ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/>\n'
                   f"{patterns}\n<start><element name=\"TEI\" "
                   'ns="http://www.tei-c.org/ns/1.0"><empty/></element></start></grammar>\n',
                   encoding="utf-8")
    return rng


def _empty_tei(folder: Path) -> Path:
    path = folder / "d.xml"
    path.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"/>\n', encoding="utf-8")
    return path


def test_an_include_in_embedded_rules_obeys_the_folder_rule(tmp_path):
    """lxml's include step ran unconfined on the embedded patterns: an sch:extends/@href
    brought a rule from any file into the run."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    secret = elsewhere / "secret.xml"
    secret.write_text(f'<rule xmlns="{SCH_NS}"><report test="true()">OUTSIDE-SECRET</report>'
                      "</rule>", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    rng = _rng_with(project, f'<sch:pattern><sch:rule context="tei:TEI">\n<sch:extends '
                    f'href="{secret}"/></sch:rule></sch:pattern>')
    path = _empty_tei(project)
    code, problems = validate(path, "--schema", str(rng), "--embedded-schematron", "auto")
    assert "OUTSIDE-SECRET" not in json.dumps(problems)
    assert code == 1 and [p["message"] for p in problems] == [
        f"the Schematron embedded in schema.rng: the pattern on tei:TEI is not run: {rng}:4: "
        f"sch:extends of {str(secret)!r} reads outside the schema's folder; refused (allow it "
        "with --allow-read DIR)"]
    code, problems = validate(path, "--schema", str(rng), "--embedded-schematron", "auto",
                              "--allow-read", str(elsewhere))
    assert [p["message"] for p in problems] == ["OUTSIDE-SECRET"]
