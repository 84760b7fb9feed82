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


def _on_saxon_thread(fn):
    from tei_toolkit.validation.embedded import _saxon_thread
    return _saxon_thread().submit(fn).result()


def _secrets(folder: Path) -> None:
    """Files outside every allowed folder, one per kind a reading function takes."""
    (folder / "secret.xml").write_text("<s>OUTSIDE-SECRET</s>", encoding="utf-8")
    (folder / "secret.txt").write_text("OUTSIDE-SECRET", encoding="utf-8")
    (folder / "secret.json").write_text('{"s": "OUTSIDE-SECRET"}', encoding="utf-8")
    (folder / "secret.xsl").write_text(
        '<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="3.0">'
        '<xsl:template match="/"><s>OUTSIDE-SECRET</s></xsl:template></xsl:stylesheet>',
        encoding="utf-8")


def test_saxon_itself_refuses_every_uri(tmp_path):
    """The second wall, behind the check of the calls: Saxon's allowedProtocols, set to
    none, and its parser's external entities off. Asked directly, with no check in front,
    Saxon reads nothing, also in parse-xml() after a transform() (SaxonC 13's parser then
    reads an entity's file despite allowedProtocols)."""
    from tei_toolkit.validation.embedded import _saxon, saxon_available
    from .conftest import need
    need(saxon_available(), "saxonche (the xpath2 extra)")
    _secrets(tmp_path)
    d = tmp_path.as_uri()
    entity = ("string(parse-xml('<!DOCTYPE s [<!ENTITY e SYSTEM \"" + d + "/secret.txt\">]>"
              "<s>&e;</s>'))")
    reads = [
        ("doc", f"string(doc('{d}/secret.xml'))"),
        ("unparsed-text", f"unparsed-text('{d}/secret.txt')"),
        ("unparsed-text-lines", f"string-join(unparsed-text-lines('{d}/secret.txt'))"),
        ("collection", f"string-join(collection('{d}/?select=secret.xml') ! string(.))"),
        ("json-doc", f"json-doc('{d}/secret.json')?s"),
        ("parse-xml", entity),
        ("transform", f"string(transform(map{{'stylesheet-location': '{d}/secret.xsl', "
                      "'source-node': parse-xml('<a/>')})?output)"),
        ("parse-xml after transform", entity),
    ]

    def attempt() -> list[tuple[str, str]]:
        proc = _saxon()
        context = proc.parse_xml(xml_text="<a/>")
        out = []
        for name, expr in reads:
            xp = proc.new_xpath_processor()
            xp.set_context(xdm_item=context)
            try:
                value = xp.evaluate_single(expr)
                out.append((name, value.string_value if value is not None else ""))
            except Exception as exc:  # Saxon's errors have no common base class
                out.append((name, f"refused: {exc}"))
        return out

    got = _on_saxon_thread(attempt)
    assert not [name for name, value in got if "OUTSIDE-SECRET" in value], got
    # A URI is refused; an external entity is left unexpanded, as the safe parser leaves it.
    assert [name for name, value in got if not value.startswith("refused: ")] == [
        "parse-xml", "parse-xml after transform"], got


# Each: the expression, in a rule's message; what the refusal names.
READING_CALLS = {
    "doc": ("string(doc('{d}/secret.xml'))", "doc()"),
    "doc-available": ("if (doc-available('{d}/secret.xml')) then 'OUTSIDE-SECRET' else ''",
                      "doc-available()"),
    "unparsed-text": ("unparsed-text('{d}/secret.txt')", "unparsed-text()"),
    "unparsed-text-lines": ("unparsed-text-lines('{d}/secret.txt')", "unparsed-text-lines()"),
    "unparsed-text-available": ("if (unparsed-text-available('{d}/secret.txt')) then "
                                "'OUTSIDE-SECRET' else ''", "unparsed-text-available()"),
    "collection": ("collection('{d}/?select=secret.xml') ! string(.)", "collection()"),
    "uri-collection": ("if (exists(uri-collection('{d}/'))) then 'OUTSIDE-SECRET' else ''",
                       "uri-collection()"),
    "json-doc": ("json-doc('{d}/secret.json')?s", "json-doc()"),
    "environment-variable": ("if (environment-variable('PATH')) then 'OUTSIDE-SECRET' else ''",
                             "environment-variable()"),
    "available-environment-variables": (
        "if ('PATH' = available-environment-variables()) then 'OUTSIDE-SECRET' else ''",
        "available-environment-variables()"),
    "transform": ("string(transform(map{{'stylesheet-location': '{d}/secret.xsl', "
                  "'source-node': parse-xml('&lt;a/&gt;')}})?output)", "transform()"),
    "parse-xml": ("string(parse-xml('&lt;!DOCTYPE s [&lt;!ENTITY e SYSTEM &quot;{d}/secret.txt"
                  "&quot;&gt;]&gt;&lt;s&gt;&amp;e;&lt;/s&gt;'))", "parse-xml()"),
    "function-lookup": ("string(function-lookup(QName('http://www.w3.org/2005/xpath-functions'"
                        ", 'doc'), 1)('{d}/secret.xml'))", "function-lookup()"),
    "a named reference": ("string(doc#1('{d}/secret.xml'))", "doc()"),
    "an EQName": ("Q{{http://www.w3.org/2005/xpath-functions}}unparsed-text('{d}/secret.txt')",
                  "Q{http://www.w3.org/2005/xpath-functions}unparsed-text()"),
    "an arrow and a comment": ("'{d}/secret.txt' => unparsed-text (: a comment :) ()",
                               "unparsed-text()"),
}


@pytest.mark.parametrize("form", sorted(READING_CALLS))
def test_an_xpath2_rule_that_reads_is_refused_not_run(tmp_path, form):
    """Saxon's XPath reads any file, collection or environment variable it is asked for: a
    rule that calls such a function is refused, named, and never run."""
    from tei_toolkit.validation.embedded import SaxonRules, saxon_available
    from .conftest import need
    need(saxon_available(), "saxonche (the xpath2 extra)")
    _secrets(tmp_path)
    expr, named = READING_CALLS[form]
    pattern = etree.fromstring(
        f'<sch:pattern xmlns:sch="{SCH_NS}"><sch:rule context="tei:TEI"><sch:report '
        f'test="true()">read: <sch:value-of select="{expr.format(d=tmp_path.as_uri())}"/>'
        "</sch:report></sch:rule></sch:pattern>")
    rules = SaxonRules([pattern], {"tei": "http://www.tei-c.org/ns/1.0"})
    found = rules.run(b'<TEI xmlns="http://www.tei-c.org/ns/1.0"/>')
    assert not [m for _, _, _, m in found if "OUTSIDE-SECRET" in m], found
    assert found == [] and rules.refused == [(
        "the pattern on tei:TEI", f"it calls {named}, which reads outside the document "
        "(files, collections or environment variables); refused")]


def test_an_xpath2_rule_with_an_include_is_refused_not_run_without_it():
    """The XPath 2 path never expands includes: a pattern with one would run wrongly."""
    from tei_toolkit.validation.embedded import SaxonRules
    pattern = etree.fromstring(
        f'<sch:pattern xmlns:sch="{SCH_NS}"><sch:rule context="tei:TEI"><sch:extends '
        'href="more.xml"/><sch:report test="count(*) eq 0">empty</sch:report></sch:rule>'
        "</sch:pattern>")
    rules = SaxonRules([pattern], {"tei": "http://www.tei-c.org/ns/1.0"})
    assert rules.patterns == [] and rules.refused == [(
        "the pattern on tei:TEI", "it includes 'more.xml' (sch:extends), which the XPath 2 "
        "path never reads")]


def test_the_call_check_sees_every_call_and_nothing_else():
    """Every function call or reference is found, whatever hides it; names that are no call
    (kind tests, keywords, names in strings and comments, variables) are not."""
    from tei_toolkit.validation.embedded import _unsafe_call
    ns = {"tei": "http://www.tei-c.org/ns/1.0", "fn": "http://www.w3.org/2005/xpath-functions",
          "xs": "http://www.w3.org/2005/xpath-functions"}  # a schema may rebind xs
    unsafe = {
        "doc('a')": "doc()", "fn:doc('a')": "fn:doc()", "xs:doc('a')": "xs:doc()",
        "0 -doc('a')": "doc()", "doc #1": "doc()", "'a' => doc()": "doc()",
        "doc (: (: nested :) :) ('a')": "doc()", "'it''s' || doc('a')": "doc()",
        "function($x) { unparsed-text($x) }('a')": "unparsed-text()",
        "parse-xml-fragment('a')": "parse-xml-fragment()", "static-base-uri()":
        "static-base-uri()", "load-xquery-module('a')": "load-xquery-module()",
        "saxon:discard-document(.)": "saxon:discard-document()", "tei:doc(1)": "tei:doc()",
    }
    for expr, named in unsafe.items():
        assert _unsafe_call(expr, ns) == named, expr
    for expr in ["count(tei:p) gt 1", "if (@a) then string(.) else ()", "'doc(' || \"x\"",
                 "for $x in tokenize(@a, ' ') return ($x)", "self::element(tei:p)",
                 "@a instance of element()", "$doc('a')", "child::node() | text()",
                 "matches(@when, '^\\d{4}$')", "string-join((@a) ! string(.), ' ')",
                 "(: doc('a') :) 1", "fn:string(.)", "some $a in @* satisfies ($a = 1)"]:
        assert _unsafe_call(expr, ns) is None, expr


def test_what_tei_all_runs_with_saxon_is_never_refused(tei_all):
    """The check refuses no rule TEI writes: all 93 patterns of tei_all pass it."""
    from tei_toolkit.validation.embedded import SaxonRules
    found = extract(tei_all.resolve())
    patterns = list(etree.parse(str(tei_all)).getroot().iter(S + "pattern"))
    rules = SaxonRules(patterns, found.ns)
    assert rules.refused == [] and len(rules.patterns) == 93


def test_a_schema_whose_xpath2_rules_read_is_reported_by_the_command(tmp_path):
    from tei_toolkit.validation.embedded import saxon_available
    from .conftest import need
    need(saxon_available(), "saxonche (the xpath2 extra)")
    secret = tmp_path / "secret.txt"
    secret.write_text("OUTSIDE-SECRET", encoding="utf-8")
    rng = _rng_with(tmp_path, "".join(
        f'<sch:pattern id="p{k}"><sch:rule context="tei:TEI"><sch:report test="true()">read: '
        f'<sch:value-of select="{expr}"/></sch:report></sch:rule></sch:pattern>'
        for k, expr in enumerate([f"unparsed-text('{secret}')",
                                  "environment-variable('PATH')"], start=1)))
    code, problems = validate(_empty_tei(tmp_path), "--schema", str(rng),
                              "--embedded-schematron", "auto")
    assert "OUTSIDE-SECRET" not in json.dumps(problems) and code == 1
    assert [p["message"] for p in problems] == [
        f"the XPath 2 Schematron embedded in schema.rng: pattern p{k} is not run: it calls "
        f"{name}, which reads outside the document (files, collections or environment "
        "variables); refused" for k, name in [(1, "unparsed-text()"),
                                              (2, "environment-variable()")]]
