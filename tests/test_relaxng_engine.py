"""tei_toolkit's own RELAX NG engine (issue 20): derivatives over lxml's tree.

The spectest's verdicts are in test_spectest.py, the differential run against jing in
test_engine_differential.py; here: its messages, its recovery (one error per problem), the
walk in C against the walk in Python, bounded memo tables, grammars that hung libxml2, the
grammar cache, and `tei validate --engine derivative` as users run it.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from lxml import etree

from tei_toolkit.validation import relaxng
from tei_toolkit.validation.relaxng import cache, patterns, validator
from tei_toolkit.xmlcore import safe_parser

from .conftest import CORPUS, SHARED, installed_tei, need

RNG = "http://relaxng.org/ns/structure/1.0"
XSD = "http://www.w3.org/2001/XMLSchema-datatypes"
SCHEMA = f"""<grammar xmlns="{RNG}" datatypeLibrary="{XSD}">
  <start><ref name="doc"/></start>
  <define name="doc"><element name="doc">
    <attribute name="version"><data type="integer"/></attribute>
    <optional><attribute name="lang"/></optional>
    <ref name="head"/><zeroOrMore><ref name="p"/></zeroOrMore>
  </element></define>
  <define name="head"><element name="head"><text/></element></define>
  <define name="p"><element name="p"><mixed><zeroOrMore><ref name="hi"/></zeroOrMore></mixed>
  </element></define>
  <define name="hi"><element name="hi">
    <optional><attribute name="rend"><choice><value>b</value><value>i</value></choice>
    </attribute></optional><text/></element></define>
  <define name="num"><element name="num"><data type="integer"/></element></define>
</grammar>"""


@pytest.fixture
def schema(tmp_path: Path) -> relaxng.Schema:
    path = tmp_path / "s.rng"
    path.write_text(SCHEMA)
    return relaxng.load(path, cached=False)


def messages(schema: relaxng.Schema, xml: str) -> list[tuple[int, str]]:
    root = etree.fromstring(xml.encode(), safe_parser())
    return [(i.line, i.message) for i in schema.validate(root)]


def jing_and_ours(tmp_path: Path, jing, grammar: str, doc: str
                  ) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(line, message) of each error, as jing says them and as our engine does."""
    path = tmp_path / "s.rng"
    path.write_text(grammar)
    (tmp_path / "d.xml").write_text(doc)
    proc = subprocess.run([jing.exe, str(path), str(tmp_path / "d.xml")], capture_output=True,
                          text=True, timeout=120)
    theirs = [(int(line.split(":")[1]), line.split(": error: ", 1)[1])
              for line in proc.stdout.splitlines() if ": error: " in line]
    return theirs, messages(relaxng.load(path, cached=False), doc)


def test_a_valid_document_has_no_issues(schema):
    assert messages(schema, '<doc version="2" lang="en"><head>h</head><p>a <hi rend="b">x'
                            "</hi> b</p><p/></doc>") == []


JING_EXAMPLE = """<doc version="x" foo="1">
  <p>t</p>
  <head>h</head>
  <bogus/>
  <num>1</num>
  <p>a <hi rend="u">x</hi> <hi><p/></hi></p>
</doc>"""


def test_each_problem_is_said_once_in_jings_words(schema):
    found = messages(schema, JING_EXAMPLE)
    # jing 20220510 says exactly these, on these lines (and recovers the same way: the
    # wrong value counts as given; after "not allowed yet" it goes on as if head had come,
    # so the head after it is out of place).
    assert found == [
        (1, 'value of attribute "version" is invalid; must be an integer'),
        (1, 'attribute "foo" not allowed here; expected attribute "lang"'),
        (2, 'element "p" not allowed yet; missing required element "head"'),
        (3, 'element "head" not allowed here; expected the element end-tag or element "p"'),
        (4, 'element "bogus" not allowed anywhere; expected the element end-tag or element '
            '"p"'),
        (5, 'element "num" not allowed anywhere; expected the element end-tag or element "p"'),
        (6, 'value of attribute "rend" is invalid; must be equal to "b" or "i"'),
        (6, 'element "p" not allowed here; expected the element end-tag or text')]


def test_the_messages_are_jings(tmp_path, jing):
    """The README's claim, checked against jing itself: same messages, same lines."""
    theirs, ours = jing_and_ours(tmp_path, jing, SCHEMA, JING_EXAMPLE)
    assert theirs and ours == theirs


# What a value must be, said of value and data patterns of every shape jing words its own
# way: a value said as the schema writes it, a QName with the document's prefixes (or the
# declaration it would need), a datatype's reason when the text is not of the type at all.
_VALUES = [
    ('<value type="QName" xmlns:a="urn:x">a:thing</value>', "b:other", 'xmlns:b="urn:x"'),
    ('<value type="QName" xmlns:a="urn:x">a:thing</value>', "thing", ""),
    ('<choice><value type="QName" xmlns:a="urn:x">a:t</value><value type="QName">u</value>'
     "</choice>", "v", ""),
    ('<value type="integer">05</value>', "6", ""), ('<value type="integer">05</value>', "x", ""),
    ('<value type="double">1e2</value>', "3", ""), ('<value type="boolean">true</value>', "0", ""),
    ('<value type="date">2000-01-01</value>', "2001-01-01", ""),
    ('<choice><data type="integer"/><data type="boolean"/></choice>', "x", ""),
    ('<choice><value>a</value><value>b</value><data type="integer"/></choice>', "x", ""),
    ('<choice><value>abc</value><value type="integer">5</value></choice>', "x", ""),
    ('<choice><value type="integer">5</value><value>abc</value></choice>', "6", ""),
    ('<value type="NCName">abc</value>', "zz:q", ""),
]


def test_what_a_value_must_be_is_said_as_jing_says_it(tmp_path, jing):
    defines = "".join(f'<element name="c{i}"><attribute name="k">{body}</attribute><empty/>'
                      f'</element><element name="t{i}">{body}</element>'
                      for i, (body, _, _) in enumerate(_VALUES))
    grammar = (f'<grammar xmlns="{RNG}" datatypeLibrary="{XSD}"><start><element '
               f'name="doc"><interleave>{defines}</interleave></element></start></grammar>')
    doc = "<doc>\n" + "".join(f'<c{i} k="{text}" {ns}/>\n<t{i} {ns}>{text}</t{i}>\n'
                                for i, (_, text, ns) in enumerate(_VALUES)) + "</doc>\n"
    theirs, ours = jing_and_ours(tmp_path, jing, grammar, doc)
    assert len(theirs) == 2 * len(_VALUES)
    assert ours == theirs


_IDS_AND_LISTS = f"""<grammar xmlns="{RNG}" datatypeLibrary="{XSD}">
  <start><element name="a"><zeroOrMore><element name="b">
    <optional><attribute name="id"><data type="ID"/></attribute></optional>
    <optional><attribute name="r"><data type="IDREF"/></attribute></optional>
    <optional><attribute name="l"><list><oneOrMore><data type="anyURI">
      <param name="pattern">\\S+</param></data></oneOrMore></list></attribute></optional>
    <optional><attribute name="m"><list><data type="integer"/><data type="boolean"/></list>
    </attribute></optional>
    <optional><element name="c"><list><zeroOrMore><data type="integer"/></zeroOrMore></list>
    </element></optional>
  </element></zeroOrMore>
  <zeroOrMore><element name="e"><interleave><element name="f"><empty/></element>
    <element name="g"><empty/></element></interleave><element name="h"><empty/></element>
  </element></zeroOrMore>
  </element></start></grammar>"""
_IDS_AND_LISTS_DOC = """<a>
<b id="x"/>
<b id="x"/>
<b r="nope"/>
<b l="a: b"/>
<b l=" "/>
<b m="1"/>
<b m="x true"/>
<b m="1 true 3"/>
<b><c>1 x</c></b>
<b l="ok %zz"/>
<e/>
<e><h/></e>
<e><g/></e>
</a>
"""


def test_ids_lists_and_required_elements_are_said_as_jing_says_them(tmp_path, jing):
    # Duplicate IDs (and where the first was), references to none, the token of a list
    # that is wrong or missing, the required elements that are missing.
    theirs, ours = jing_and_ours(tmp_path, jing, _IDS_AND_LISTS, _IDS_AND_LISTS_DOC)
    assert len(theirs) == 13  # two for the duplicate ID, one for each other b and e
    assert sorted(ours) == sorted(theirs)


_NAMESPACES = f"""<grammar xmlns="{RNG}" xmlns:e="urn:e" xmlns:f="urn:f" datatypeLibrary="{XSD}">
  <start><element name="a"><zeroOrMore><choice>
    <element name="b"><element name="e:t"><empty/></element></element>
    <element name="c"><choice><element name="e:t"><empty/></element>
      <element name="f:u"><empty/></element><element name="v"><empty/></element></choice>
    </element>
    <element name="d"><empty/></element>
    <element name="g"><attribute name="r"><list><oneOrMore><data type="anyURI"/></oneOrMore>
    </list></attribute></element>
  </choice></zeroOrMore></element></start></grammar>"""
_NAMESPACES_DOC = '<a>\n<b/>\n<c/>\n<d x="1"/>\n<g r=""/>\n<b>text</b>\n</a>\n'


def test_names_of_namespaces_the_document_does_not_declare_are_said_as_jing_says_them(
        tmp_path, jing):
    # '"t" (with xmlns="urn:e")', '"ns1:t", "ns2:u" or "v" (with xmlns:ns1=... xmlns:ns2=...)';
    # an attribute where none may be; an empty list of URIs (nothing more to say).
    theirs, ours = jing_and_ours(tmp_path, jing, _NAMESPACES, _NAMESPACES_DOC)
    assert len(theirs) == 6
    assert sorted(ours) == sorted(theirs)


def test_inside_an_element_allowed_nowhere_its_children_are_checked(schema):
    """As jing does: each child against the schema's patterns for its name."""
    assert messages(schema, '<doc version="1"><head/><zz>\n<hi rend="x"/></zz></doc>') == [
        (1, 'element "zz" not allowed anywhere; expected the element end-tag or element "p"'),
        (2, 'value of attribute "rend" is invalid; must be equal to "b" or "i"')]
    # Required children missing again and again are said once (jing: one error).
    assert messages(schema, '<doc version="1"><p/><p/><p/></doc>') == [
        (1, 'element "p" not allowed yet; missing required element "head"')]


def test_inside_an_element_allowed_nowhere_other_unknown_elements_are_not_said(tmp_path,
                                                                                jing):
    """jing says nothing of an element the schema does not know inside one it does not know
    (attributes, content), but checks the known ones inside both; inside an element allowed
    elsewhere, an unknown one is an error again."""
    doc = ('<doc version="1"><head/><zz a="1">\n<yy b="2"><q/>\n<hi rend="x"/></yy></zz>'
           '<p><head><qq/></head></p></doc>')
    theirs, ours = jing_and_ours(tmp_path, jing, SCHEMA, doc)
    assert ours == list(dict.fromkeys(theirs))  # (jing says one attribute's error twice)
    assert [m.split(";")[0] for _, m in ours] == [
        'element "zz" not allowed anywhere', 'value of attribute "rend" is invalid',
        'element "head" not allowed here', 'element "qq" not allowed anywhere']


def test_missing_attribute_and_missing_child(schema):
    assert messages(schema, '<doc lang="en">\n</doc>') == [
        (1, 'element "doc" missing required attribute "version"'),
        (1, 'element "doc" incomplete; missing required element "head"')]


def test_text_where_only_elements_may_be(schema):
    assert messages(schema, '<doc version="1"><head/>text</doc>') == [
        (1, 'text not allowed here; expected the element end-tag or element "p"')]
    said = messages(schema, '<doc version="1"><head/><p><hi>a</hi></p></doc>')
    assert said == []


def _corpus() -> list[Path]:
    files = sorted((CORPUS / "tei").glob("*.xml"))
    bench = SHARED / "bench" / "tei"
    if bench.is_dir():
        files += sorted(bench.rglob("*.xml"))[::23]
    return files


def _mutants(files: list[Path]) -> list[etree._Element]:
    """Each file, and copies with an element renamed, an attribute added, text inserted."""
    out = []
    for i, f in enumerate(files):
        root = etree.parse(str(f), safe_parser()).getroot()
        out.append(root)
        for j, change in enumerate(("rename", "attribute", "text", "drop")):
            copy = etree.fromstring(etree.tostring(root), safe_parser())
            els = [e for e in copy.iter() if isinstance(e.tag, str)]
            el = els[(i * 7 + j * 13) % len(els)]
            if change == "rename":
                el.tag = "{http://www.tei-c.org/ns/1.0}ab" if el.tag.endswith("}p") \
                    else "{http://www.tei-c.org/ns/1.0}p"
            elif change == "attribute":
                el.set("when", "not a date")
            elif change == "text":
                el.insert(0, etree.Comment("c"))
                el[0].tail = "stray text"
            elif el.getparent() is not None:
                el.getparent().remove(el)
            out.append(copy)
    return out


def _mutant_files(folder: Path) -> list[Path]:
    """The mutants of the corpus, written as files."""
    files = []
    for i, doc in enumerate(_mutants(_corpus())):
        files.append(folder / f"d{i:03d}.xml")
        files[-1].write_bytes(etree.tostring(doc, encoding="UTF-8", xml_declaration=True))
    return files


def test_the_walk_in_c_and_in_python_say_the_same(tmp_path):
    """The installed `tei` (its walk in C, under CI) and this tree's engine walking in
    Python give the same problems, message for message, on real TEI and mutants of it."""
    tei_all = SHARED / "schemas" / "tei_all.rng"
    need(tei_all.is_file(), str(tei_all))
    files = _mutant_files(tmp_path)
    out = tmp_path / "report.json"
    proc = tei("validate", *map(str, files), "--schema", str(tei_all), "--engine",
               "derivative", "--no-schematron", "--no-pointers", "--format", "json",
               "--output", str(out))
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    installed: dict[str, list[tuple[int, str]]] = {f["file"]: [] for f in report["files"]}
    for p in report["problems"]:
        installed[p["file"]].append((p["line"], p["message"]))
    walker = validator._Walker
    validator._Walker = None  # this tree's engine, walking in Python
    try:
        from tei_toolkit.validation.validate import Validator
        ours = Validator(tei_all, schematron=False, pointers=False, engine="derivative")
        in_python = {str(f): [(p.line, p.message) for p in ours.validate(f).problems]
                     for f in files}
    finally:
        validator._Walker = walker
    assert installed == in_python
    assert sum(1 for p in installed.values() if p) > len(files) // 3  # mostly invalid


def test_memo_tables_are_bounded_and_change_no_verdict(monkeypatch, tmp_path):
    tei_all = SHARED / "schemas" / "tei_all.rng"
    need(tei_all.is_file(), str(tei_all))
    docs = _mutants(sorted((CORPUS / "tei").glob("*.xml"))[:2])
    expected = [relaxng.load(tei_all).validate(d) for d in docs]
    monkeypatch.setattr(patterns, "MEMO_LIMIT", 2000)
    schema = relaxng.load(tei_all)
    P = schema.grammar.patterns
    sizes = []
    got = []
    for d in docs:
        got.append(schema.validate(d))
        sizes.append(P._memo_size)
    assert got == expected
    assert max(sizes) <= 2000
    assert len(P._interned) <= P._permanent + 2000 + 1000  # cleared long before it grows


TRAP = f"""<grammar xmlns="{RNG}"><start><ref name="L"/></start>
  <define name="L"><element name="L"><group>
    <oneOrMore><choice><ref name="L"/><ref name="m"/></choice></oneOrMore></group>
    <optional><attribute name="type"/></optional></element></define>
  <define name="m"><element name="m"><empty/></element></define></grammar>"""


def test_grammars_that_hung_libxml2_take_milliseconds(tmp_path):
    path = tmp_path / "trap.rng"
    path.write_text(TRAP)
    start = time.perf_counter()
    schema = relaxng.load(path, cached=False)
    assert messages(schema, '<L type="x"><m/><L><m/></L></L>') == []
    assert messages(schema, "<L><x/></L>")[0][1].startswith('element "x" not allowed anywhere')
    assert time.perf_counter() - start < 2.0


def test_wide_and_deep_grammars_are_followed(tmp_path):
    """3,000 optional elements in a row, 1,000 nested groups, a choice of 5,000 names: no
    recursion limit met, and a message that lists a dozen names, not 5,000."""
    wide = "".join(f"<optional><element name='e{i}'><empty/></element></optional>"
                   for i in range(3000))
    inner = "<empty/>"
    for i in range(1000):
        inner = f"<group><element name='d{i}'><empty/></element><optional>{inner}</optional></group>"
    names = "".join(f"<name>n{i}</name>" for i in range(5000))
    cases = {
        "wide": (f"<element xmlns='{RNG}' name='r'>{wide}</element>",
                 "<r>" + "".join(f"<e{i}/>" for i in range(0, 3000, 97)) + "</r>",
                 "<r><e1/><e0/></r>"),
        "deep": (f"<element xmlns='{RNG}' name='r'>{inner}</element>",
                 "<r>" + "".join(f"<d{i}/>" for i in reversed(range(1000))) + "</r>",
                 "<r><d999/><d997/></r>"),
        "names": (f"<element xmlns='{RNG}' name='r'><zeroOrMore><element><choice>{names}"
                  "</choice><empty/></element></zeroOrMore></element>",
                  "<r><n4999/><n0/></r>", "<r><x/></r>"),
    }
    for name, (grammar, good, bad) in cases.items():
        path = tmp_path / f"{name}.rng"
        path.write_text(grammar)
        schema = relaxng.load(path, cached=False)
        assert messages(schema, good) == [], name
        said = messages(schema, bad)
        assert len(said) == 1, (name, said)
        assert len(said[0][1]) < 400, said
    assert said[0][1].endswith('or one of 4988 more')


def test_long_and_deep_documents_go_in_linear_time(tmp_path):
    """A 4,000-item list, a long chain of one-child groups, nesting 200 deep: no recursion
    on the document's length, and no pattern growth."""
    groups = "<group>" * 300 + "<ref name='item'/>" + "</group>" * 300
    path = tmp_path / "list.rng"
    path.write_text(f"""<grammar xmlns="{RNG}"><start><element name="list">
        <oneOrMore>{groups}</oneOrMore></element></start>
      <define name="item"><element name="item"><optional><ref name="item"/></optional>
        <text/></element></define></grammar>""")
    schema = relaxng.load(path, cached=False)
    interned = schema.grammar.patterns._interned
    assert messages(schema, "<list>" + "<item>x</item>" * 4000 + "</list>") == []
    after_4000 = len(interned)
    assert messages(schema, "<list>" + "<item>x</item>" * 8000 + "</list>") == []
    assert len(interned) == after_4000  # the state does not grow with the list
    deep = "<list>" + "<item>" * 200 + "</item>" * 200 + "</list>"
    assert messages(schema, deep) == []
    assert messages(schema, "<list>" + "<item>x</item>" * 3999 + "<other/></list>")[0][1] \
        .startswith('element "other" not allowed anywhere')


def test_a_cached_grammar_is_used_and_rebuilt_when_a_file_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("TEI_TOOLKIT_CACHE", str(tmp_path / "cache"))
    (tmp_path / "inner.rng").write_text(
        f'<grammar xmlns="{RNG}"><define name="x"><element name="x"><empty/></element>'
        "</define></grammar>")
    main = tmp_path / "main.rng"
    main.write_text(f'<grammar xmlns="{RNG}"><include href="inner.rng"/>'
                    '<start><ref name="x"/></start></grammar>')
    first = relaxng.load(main)
    entries = list((tmp_path / "cache" / "relaxng").glob("*.pickle"))
    assert len(entries) == 1
    again = relaxng.load(main)
    assert again.grammar is not first.grammar
    assert messages(again, "<x/>") == [] and messages(again, "<y/>") != []
    (tmp_path / "inner.rng").write_text(
        f'<grammar xmlns="{RNG}"><define name="x"><element name="y"><empty/></element>'
        "</define></grammar>")
    changed = relaxng.load(main)
    assert messages(changed, "<y/>") == [] and messages(changed, "<x/>") != []
    # An entry written by other engine code is not used (its objects could be another
    # shape): another entry is written beside it.
    monkeypatch.setattr(cache, "_ENGINE", ["other engine code"])
    relaxng.load(main)
    assert len(list((tmp_path / "cache" / "relaxng").glob("*.pickle"))) == 2
    # A broken entry is read again, never trusted.
    for entry in (tmp_path / "cache" / "relaxng").glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert messages(relaxng.load(main), "<y/>") == []


def test_an_incorrect_schema_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "bad.rng"
    path.write_text(f'<element xmlns="{RNG}" name="a"><group><attribute name="b"/>\n'
                    '<attribute name="b"/></group></element>')
    with pytest.raises(relaxng.SchemaIncorrect) as caught:
        relaxng.load(path, cached=False)
    assert "duplicate attribute" in str(caught.value)
    assert caught.value.file == str(path) and caught.value.line == 1


def tei(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([installed_tei(), *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def test_tei_validate_with_the_derivative_engine(tmp_path):
    files = sorted((CORPUS / "tei").glob("*.xml"))
    proc = tei("validate", *map(str, files), "--engine", "derivative", "--format", "json")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    bad = tmp_path / "bad.xml"
    text = files[0].read_text(encoding="utf-8")
    bad.write_text(text.replace("<body>", '<body><bogus n="1"/>', 1), encoding="utf-8")
    line = text[:text.index("<body>")].count("\n") + 1
    proc = tei("validate", str(bad), "--engine", "derivative", "--no-schematron",
               "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    problems = report["problems"]
    assert [(p["line"], p["source"]) for p in problems] == [(line, "relaxng")]
    assert problems[0]["message"].startswith('element "bogus" not allowed anywhere')
    assert problems[0]["column"] > 0


def test_schemas_add_readies_the_engine_for_the_first_validation(tmp_path):
    # `tei schemas add` reads the schema into our engine's cache, so that the first
    # validation with it does not pay for reading it (half a second for tei_all).
    env = {"TEI_TOOLKIT_CACHE": str(tmp_path / "cache")}
    path = tmp_path / "s.rng"
    path.write_text(SCHEMA)
    proc = tei("schemas", "add", str(path), "--name", "mine", env=env)
    assert proc.returncode == 0, proc.stderr
    entries = list((tmp_path / "cache" / "relaxng").glob("*.pickle"))
    assert len(entries) == 1
    stamp = entries[0].stat().st_mtime_ns
    doc = tmp_path / "doc.xml"
    doc.write_text('<doc version="x"><head/></doc>')
    proc = tei("validate", str(doc), "--schema", "mine", "--engine", "derivative",
               "--format", "json", env=env)
    assert proc.returncode == 1 and "integer" in proc.stdout, proc.stdout + proc.stderr
    assert list((tmp_path / "cache" / "relaxng").glob("*.pickle")) == entries
    assert entries[0].stat().st_mtime_ns == stamp  # used, not written again


def test_tei_validate_refuses_an_incorrect_schema_in_one_line(tmp_path):
    schema = tmp_path / "bad.rng"
    schema.write_text(f'<element xmlns="{RNG}" name="a"><group><attribute name="b"/>\n'
                      '<attribute name="b"/></group></element>')
    doc = tmp_path / "a.xml"
    doc.write_text("<a b='1'/>")
    proc = tei("validate", str(doc), "--schema", str(schema), "--engine", "derivative")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert str(schema) in proc.stderr and "duplicate attribute" in proc.stderr


def test_the_installed_engine_walks_in_c():
    """The README's figures are for the walk in C: under CI the build must have it."""
    done = subprocess.run([installed_tei(), "--version"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    need("RELAX NG walk: C" in done.stdout, "the engine's walk in C (pip install . with a C "
         "compiler; see the README's Quick start)")


def _problems(report: dict) -> list[tuple[str, int, str, str]]:
    return sorted((p["file"], p["line"], p["source"], p["message"]) for p in report["problems"])


def test_a_file_read_as_a_stream_has_the_problems_of_its_tree(tmp_path):
    """TEI_TOOLKIT_STREAM_MB=0 streams every file: RELAX NG, xml:ids and pointers give the
    same problems, on the same lines, as when the file is a tree."""
    for i, doc in enumerate(_mutants(sorted((CORPUS / "tei").glob("*.xml")))):
        (tmp_path / f"d{i:03d}.xml").write_bytes(
            etree.tostring(doc, encoding="UTF-8", xml_declaration=True))
    root = etree.parse(str(sorted((CORPUS / "tei").glob("*.xml"))[0]), safe_parser()).getroot()
    paragraphs = list(root.iter("{http://www.tei-c.org/ns/1.0}p"))
    paragraphs[0].set("corresp", "#nowhere")
    paragraphs[1].set("{http://www.w3.org/XML/1998/namespace}id", "twice")
    paragraphs[-1].set("{http://www.w3.org/XML/1998/namespace}id", "twice")
    (tmp_path / "pointers.xml").write_bytes(etree.tostring(root, encoding="UTF-8"))
    args = ("validate", str(tmp_path), "--schema", "tei_toolkit", "--engine", "derivative",
            "--no-schematron", "--format", "json")
    tree, stream = tei(*args), tei(*args, env={"TEI_TOOLKIT_STREAM_MB": "0"})
    assert tree.returncode == stream.returncode == 1, tree.stderr + stream.stderr
    found = _problems(json.loads(tree.stdout))
    assert found and _problems(json.loads(stream.stdout)) == found
    assert {p[2] for p in found} >= {"relaxng", "pointer", "xml:id"}


def test_forked_jobs_give_the_report_of_one(tmp_path):
    files = [str(f) for f in sorted((CORPUS / "tei").glob("*.xml"))]
    bad = tmp_path / "bad.xml"
    bad.write_text(Path(files[0]).read_text(encoding="utf-8").replace(
        "<body>", "<body><bogus/>", 1), encoding="utf-8")
    args = ("validate", *files, str(bad), "--engine", "derivative", "--format", "json")
    one, two = tei(*args, "--jobs", "1"), tei(*args, "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert _problems(json.loads(one.stdout)) == _problems(json.loads(two.stdout))
    assert [f["file"] for f in json.loads(two.stdout)["files"]] == files + [str(bad)]


def test_a_large_file_is_validated_in_memory_that_does_not_grow_with_it(tmp_path):
    """A 40 MB TEI file (the benchmark's generator) streamed: the verdict, and a peak far
    below the file's size (its tree would take several times that)."""
    from .bench.bench_validate import large_tei

    doc = tmp_path / "large.xml"
    large_tei(40_000_000, doc)
    probe = ("import resource, subprocess, sys\n"
             "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    import sys
    proc = subprocess.run([sys.executable, "-c", probe, installed_tei(), "validate", str(doc),
                           "--schema", "tei_toolkit", "--engine", "derivative",
                           "--no-schematron"],
                          capture_output=True, text=True, timeout=600)
    code, peak_kb = map(int, proc.stdout.split())
    assert code == 0, proc.stderr
    assert peak_kb < 160_000, peak_kb  # about 50 MB here; a tree would need about 400 MB


def test_a_tree_too_deep_for_recursion_is_walked_by_its_events():
    """A tree made with lxml's API may nest 100,000 deep (no parser limit): walked by its
    events, not by C recursion (which crashed the process); the event walk gives the
    recursive walk's problems, line for line, comments in text included."""
    tei_all = SHARED / "schemas" / "tei_all.rng"
    need(tei_all.is_file(), str(tei_all))
    schema = relaxng.load(tei_all)
    docs = _mutants(sorted((CORPUS / "tei").glob("*.xml")))
    for doc in docs:
        walked = validator.Validation(schema.grammar).iteratively(doc)
        assert walked == schema.validate(doc)
    tei = "http://www.tei-c.org/ns/1.0"
    root = cur = etree.Element(f"{{{tei}}}hi", nsmap={None: tei})
    for _ in range(100_000):
        cur = etree.SubElement(cur, f"{{{tei}}}hi")
    said = schema.validate(root)
    assert [i.message for i in said] == [
        'element "hi" not allowed here; expected element "TEI" or "teiCorpus"']


@pytest.mark.parametrize("grammar, reason", [
    ("<element name='a'><attribute name='id'><data type='ID'/></attribute><element name='a'>"
     "<attribute name='id'><data type='string'/></attribute></element></element>",
     'conflicting ID-types for attribute "id" of element "a"'),
    ("<element name='a'><data type='ID'/></element>",
     'a "data" or "value" pattern with non-null ID-type must occur as the child of an '
     '"attribute" pattern'),
    ("<element><nsName ns=''/><attribute name='id'><data type='ID'/></attribute></element>",
     'an "element" pattern containing an "attribute" pattern with a non-null ID-type must '
     'have a name class that contains only "choice" and "name" elements'),
])
def test_ids_are_used_as_dtd_compatibility_allows(tmp_path, grammar, reason):
    """jing refuses these schemas (DTD compatibility, section 4), in these words."""
    path = tmp_path / "ids.rng"
    path.write_text(grammar.replace("<element", f"<element xmlns='{RNG}' "
                                    f"datatypeLibrary='{XSD}'", 1))
    with pytest.raises(relaxng.SchemaIncorrect) as caught:
        relaxng.load(path, cached=False)
    assert caught.value.message == reason


@pytest.mark.parametrize("included, said", [
    (None, "cannot read"),  # the included file is not there
    ("<grammar", "is not well-formed XML"),
])
def test_a_schema_whose_include_cannot_be_read_is_refused_in_one_line(tmp_path, included, said):
    schema = tmp_path / "main.rng"
    schema.write_text(f'<grammar xmlns="{RNG}"><include href="inner.rng"/>'
                      '<start><element name="a"><empty/></element></start></grammar>')
    if included is not None:
        (tmp_path / "inner.rng").write_text(included)
    doc = tmp_path / "a.xml"
    doc.write_text("<a/>")
    proc = tei("validate", str(doc), "--schema", str(schema), "--engine", "derivative")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and said in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


# Judged by the installed package (its walk in C) in a process of its own: for each file, the
# verdict without a tree and the tree walk's.
_VERDICTS = """
import json, sys
from lxml import etree
from tei_toolkit.validation import relaxng
from tei_toolkit.validation.relaxng import validator
from tei_toolkit.xmlcore import safe_parser
schema = relaxng.load(sys.argv[1], cached=False)
out = {"c": validator._Walker is not None}
for f in sys.argv[2:]:
    data = open(f, "rb").read()
    try:
        tree = not schema.validate(etree.fromstring(data, safe_parser()))
    except etree.XMLSyntaxError:
        tree = False
    out[f] = [schema.surely_valid(data), tree]
print(json.dumps(out))
"""

_EDGES = {
    # Comments and processing instructions join the text around them; CDATA is text.
    "joined": '<doc version="1"><head>t</head><p>a<!-- c -->b<hi rend="b">x</hi><?p x?>t</p>'
              "</doc>",
    "cdata": '<doc version="1"><head><![CDATA[x]]></head><p><![CDATA[]]></p></doc>',
    "refs": '<doc version="&#49;"><head>&lt;&#x263A;</head></doc>',
    "blank": '<doc version=" 1 "  lang="en">\n  <head/>\n  <p> </p>\n</doc>',
    "text-between": '<doc version="1">x<head/></doc>',
    "bad-integer": '<doc version="one"><head/></doc>',
    "bad-value": '<doc version="1"><head/><p><hi rend="u"/></p></doc>',
    "no-head": '<doc version="1"><p/></doc>',
    "stranger": '<doc version="1"><head/><q/></doc>',
    "extra-attribute": '<doc version="1" x="y"><head/></doc>',
    "namespaced": '<doc xmlns="urn:x" version="1"><head/></doc>',
    "element-in-text": '<doc version="1"><head><hi/></head></doc>',
    "doctype": '<!DOCTYPE doc><doc version="1"><head/></doc>',
    "not-well-formed": '<doc version="1"><head></doc>',
    "latin-1": '<?xml version="1.0" encoding="ISO-8859-1"?><doc version="1"><head>\xe9</head>'
               "</doc>",
}


def _verdicts(tmp_path: Path, schema: Path, files: list[Path]) -> dict[str, list[bool]]:
    script = tmp_path / "verdicts.py"
    script.write_text(_VERDICTS)
    python = Path(installed_tei()).parent / "python"
    proc = subprocess.run([str(python), str(script), str(schema), *map(str, files)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    need(out.pop("c"), "the engine's walk in C (pip install . with a C compiler)")
    return out


def test_a_verdict_without_a_tree_is_the_trees(tmp_path):
    """Schema.surely_valid (expat's events, no tree) says valid where the tree walk finds
    nothing, and never where it finds something: on real TEI and mutants of it, and on
    documents in every shape text, attributes and markup take; it declines what only the
    tree should judge (a DOCTYPE), and the caller then walks the tree."""
    tei_all = SHARED / "schemas" / "tei_all.rng"
    need(tei_all.is_file(), str(tei_all))
    files = _mutant_files(tmp_path)
    found = _verdicts(tmp_path, tei_all, files)
    assert all(quick == tree for quick, tree in found.values()), \
        [f for f, (quick, tree) in found.items() if quick != tree]
    assert 0 < sum(tree for _, tree in found.values()) < len(files)
    (tmp_path / "s.rng").write_text(SCHEMA)
    edges = []
    for name, doc in _EDGES.items():
        edges.append(tmp_path / f"{name}.xml")
        edges[-1].write_bytes(doc.encode("latin-1" if "ISO-8859-1" in doc else "utf-8"))
    found = _verdicts(tmp_path, tmp_path / "s.rng", edges)
    said = {Path(f).stem: verdicts for f, verdicts in found.items()}
    assert {name for name, (_, tree) in said.items() if tree} == {
        "joined", "cdata", "refs", "blank", "doctype", "latin-1"}
    assert {name for name, (quick, _) in said.items() if quick} == {
        "joined", "cdata", "refs", "blank", "latin-1"}
    # DTD compatibility: IDs unique, IDREFs naming one (known only at the end).
    (tmp_path / "ids.rng").write_text(
        f'<element xmlns="{RNG}" datatypeLibrary="{XSD}" name="r"><zeroOrMore>'
        '<element name="e"><optional><attribute name="id"><data type="ID"/></attribute>'
        '</optional><optional><attribute name="to"><data type="IDREFS"/></attribute>'
        "</optional></element></zeroOrMore></element>")
    docs = {"ids": '<r><e to="a b"/><e id="a"/><e id=" b "/></r>',
            "twice": '<r><e id="a"/><e id="a"/></r>', "dangling": '<r><e to="a z"/><e id="a"/></r>'}
    for name, doc in docs.items():
        (tmp_path / f"{name}.xml").write_text(doc)
    found = _verdicts(tmp_path, tmp_path / "ids.rng", [tmp_path / f"{n}.xml" for n in docs])
    assert {Path(f).stem: v for f, v in found.items()} == {
        "ids": [True, True], "twice": [False, False], "dangling": [False, False]}
    # An XInclude is the tree's to expand (or to refuse), even where the grammar allows it.
    (tmp_path / "any.rng").write_text(
        f'<element xmlns="{RNG}" name="r"><zeroOrMore><element><anyName/><zeroOrMore>'
        "<attribute><anyName/></attribute></zeroOrMore></element></zeroOrMore></element>")
    (tmp_path / "xi.xml").write_text('<r><a/><xi:include xmlns:xi="http://www.w3.org/2001/'
                                     'XInclude" href="x.xml"/></r>')
    (tmp_path / "plain.xml").write_text("<r><a/><b/></r>")
    found = _verdicts(tmp_path, tmp_path / "any.rng", [tmp_path / "xi.xml",
                                                       tmp_path / "plain.xml"])
    assert list(found.values()) == [[False, True], [True, True]]


_POINTER_VERDICTS = """
import json, sys
from tei_toolkit.validation import relaxng
from tei_toolkit.validation.document import Document, PointerCheck
schema = relaxng.load(sys.argv[1], cached=False)
out = {}
for f in sys.argv[2:]:
    data = open(f, "rb").read()
    doc = Document(f, data)
    tree = not list(doc.parse()) and not schema.validate(doc.tree.getroot()) and \\
        not list(doc.pointer_problems())
    out[f] = [schema.surely_valid(data, PointerCheck()), tree]
print(json.dumps(out))
"""


def test_a_verdict_without_a_tree_checks_pointers_as_the_tree_does(tmp_path):
    """With the pointer check, valid without a tree means unique xml:ids and every #id
    pointer resolved (#range too), exactly as Document.pointer_problems has it: a pointer
    attribute in another namespace or without "#" is not one; a grammar that does not type
    xml:id as an ID still gets its duplicates refused."""
    (tmp_path / "any.rng").write_text(
        f'<element xmlns="{RNG}" name="r"><zeroOrMore><element><anyName/><zeroOrMore>'
        "<attribute><anyName/></attribute></zeroOrMore><text/></element></zeroOrMore>"
        "</element>")
    xid = 'xmlns:xml="http://www.w3.org/XML/1998/namespace"'
    docs = {
        "resolved": '<r><a xml:id="a"/><b ref="#a  #b" target="#range(a,b)"/><c xml:id="b"/></r>',
        "dangling": '<r><a xml:id="a"/><b corresp="#a #z"/></r>',
        "twice": '<r><a xml:id="a"/><b xml:id="a"/></r>',
        "other-schemes": '<r><a xml:id="a"/><b ref="http://x.org/#z xpath(//q) #a"/></r>',
        "foreign-attribute": '<r xmlns:x="urn:x"><a x:ref="#nowhere" note="#nowhere"/></r>',
        "bad-range": '<r><a xml:id="a"/><b target="#range(a,zz)"/></r>',
    }
    for name, doc in docs.items():
        (tmp_path / f"{name}.xml").write_text(doc.replace("<r>", f"<r {xid}>", 1)
                                              if "<r>" in doc else doc)
    script = tmp_path / "pointers.py"
    script.write_text(_POINTER_VERDICTS)
    python = Path(installed_tei()).parent / "python"
    proc = subprocess.run([str(python), str(script), str(tmp_path / "any.rng"),
                           *[str(tmp_path / f"{n}.xml") for n in docs]],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = {Path(f).stem: v for f, v in json.loads(proc.stdout).items()}
    assert {n: tree for n, (_, tree) in found.items()} == {
        "resolved": True, "dangling": False, "twice": False, "other-schemes": True,
        "foreign-attribute": True, "bad-range": False}
    assert all(quick == tree for quick, tree in found.values()), found
