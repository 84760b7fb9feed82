"""Hostile and broken input: a clear problem and a normal exit; never a traceback, a hang, a
network request or a local file's content in the output."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tei_toolkit.cli import main

from .test_validate import LETTER

TEI = 'xmlns="http://www.tei-c.org/ns/1.0"'


def validate(path: Path, *extra: str):
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result, json.loads(result.stdout) if result.stdout.startswith("{") else None


class Listener:
    """A TCP port on loopback that records whether anybody connected."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        deadline = time.monotonic() + 60
        while not self.stop and time.monotonic() < deadline:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        self.stop = True
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def listener():
    listener = Listener()
    yield listener
    listener.close()


def test_external_entity_to_a_local_file_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    doc = tmp_path / "xxe.xml"
    doc.write_text(f'<!DOCTYPE TEI [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
                   f'<TEI {TEI}><teiHeader>&xxe;</teiHeader></TEI>')
    result, data = validate(doc)
    assert "TOP-SECRET-CONTENT" not in result.output
    assert result.exit_code == 1
    assert any(p["source"] == "safety" and "not expanded" in p["message"] for p in data["problems"])


def test_billion_laughs_is_refused_quickly(tmp_path):
    decl = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    doc = tmp_path / "bomb.xml"
    doc.write_text(f"<!DOCTYPE TEI [{decl}]>\n<TEI {TEI}><teiHeader>&lol9;</teiHeader></TEI>")
    start = time.monotonic()
    result, data = validate(doc)
    assert time.monotonic() - start < 10
    assert result.exit_code == 1
    assert "lollollol" not in result.output
    assert data["problems"]


def test_remote_dtd_is_not_loaded(tmp_path, listener):
    doc = tmp_path / "dtd.xml"
    doc.write_text(f'<!DOCTYPE TEI SYSTEM "http://127.0.0.1:{listener.port}/tei.dtd">\n'
                   '<?xml-model href="tei_toolkit.rng" type="application/xml" '
                   'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
                   + LETTER.read_text(encoding="utf-8").split("\n", 1)[1])
    result, data = validate(doc)
    time.sleep(0.3)
    assert listener.connections == 0
    assert any("remote DTD" in p["message"] for p in data["problems"])
    assert result.exit_code == 0  # a warning: the document itself is valid


def test_remote_xml_model_is_not_fetched(tmp_path, listener):
    doc = tmp_path / "model.xml"
    doc.write_text(f'<?xml-model href="http://127.0.0.1:{listener.port}/schema.rng" '
                   'schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
                   + LETTER.read_text(encoding="utf-8").split("\n", 1)[1])
    result, data = validate(doc)
    time.sleep(0.3)
    assert listener.connections == 0
    # Not fetched, and no tei_all in the cache: not checked, and why.
    assert result.exit_code == 3 and data["problems"] == []
    assert "never fetched" in data["files"][0]["not_checked"]


def test_xinclude_outside_the_document_folder_is_never_read(tmp_path):
    """A local file outside the document's folder tree (and not under --allow-read) is not
    read, whether named by a relative or an absolute path: the document is not checked."""
    (tmp_path / "private").mkdir()
    secret = tmp_path / "private" / "secret.xml"
    secret.write_text(f"<p {TEI}>TOP-SECRET-CONTENT<bogus/></p>")
    (tmp_path / "docs").mkdir()
    for href in ("../private/secret.xml", str(secret), secret.as_uri()):
        doc = tmp_path / "docs" / "xi.xml"
        doc.write_text(LETTER.read_text(encoding="utf-8").replace(
            "<postscript>", '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
            f'href="{href}"/><postscript>'))
        result, data = validate(doc)
        assert "TOP-SECRET-CONTENT" not in result.output and "bogus" not in result.output
        assert data["files"][0]["not_checked"].startswith("not checked"), href
        assert [p["source"] for p in data["problems"]] == ["xinclude"]


def test_deep_nesting_is_refused(tmp_path):
    depth = 200_000
    doc = tmp_path / "deep.xml"
    doc.write_text(f"<TEI {TEI}>" + "<div>" * depth + "</div>" * depth + "</TEI>")
    start = time.monotonic()
    result, data = validate(doc)
    assert time.monotonic() - start < 20
    assert result.exit_code == 1
    (problem,) = data["problems"]
    assert problem["source"] == "well-formedness" and "nested too deeply" in problem["message"]


@pytest.mark.parametrize("content, fragment", [
    (b"this is not XML at all", "Start tag expected"),
    (b"\x00\x01\x02binary", "Document is empty"),
    (b"", "empty"),
])
def test_not_xml(tmp_path, content, fragment):
    doc = tmp_path / "junk.xml"
    doc.write_bytes(content)
    result, data = validate(doc)
    assert result.exit_code == 1
    (problem,) = data["problems"]
    assert problem["source"] == "well-formedness" and fragment in problem["message"]
    assert (problem["line"], problem["file"]) == (1, str(doc))


def test_truncated_file(tmp_path):
    doc = tmp_path / "cut.xml"
    data = LETTER.read_bytes()
    doc.write_bytes(data[: len(data) // 2])
    result, report = validate(doc)
    assert result.exit_code == 1
    assert report["problems"][0]["source"] == "well-formedness"
    assert report["problems"][0]["line"] > 1


def test_utf16_tei_validates(tmp_path):
    doc = tmp_path / "utf16.xml"
    text = LETTER.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    doc.write_bytes(text.encode("utf-16"))
    result, data = validate(doc)
    assert result.exit_code == 0, data
    bad = tmp_path / "bad16.xml"
    bad.write_bytes(text.replace("<pb n=\"2\"/>", "<pb n=\"2\"/><sparkle/>").encode("utf-16"))
    result, data = validate(bad)
    (problem,) = data["problems"]
    assert problem["line"] == 78 and problem["column"] > 1


# Schematron includes: every form lxml's include step knows obeys the folder rule of
# document() (the schema's and the document's folders, --allow-read), at compile time.
SCH_NS = "http://purl.oclc.org/dsdl/schematron"
OUTSIDE_PATTERN = (f'<pattern xmlns="{SCH_NS}"><rule context="/*"><report test="true()">'
                   "OUTSIDE-SECRET</report></rule></pattern>")
OUTSIDE_RULE = f'<rule xmlns="{SCH_NS}"><report test="true()">OUTSIDE-SECRET</report></rule>'
# Each form, as it stands on line 2 of a schema, and what the file it names holds.
INCLUDE_FORMS = {
    "sch:include": ('<include href="{href}"/>', OUTSIDE_PATTERN),
    "xi:include": ('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{href}"/>',
                   OUTSIDE_PATTERN),
    "sch:extends": ('<pattern><rule context="/*"><extends href="{href}"/></rule></pattern>',
                    OUTSIDE_RULE),
    "Schematron 1.5 include": ('<old:include xmlns:old="http://www.ascc.net/xml/schematron" '
                               'href="{href}"/>', OUTSIDE_PATTERN),
    "relax:extRef": ('<r:extRef xmlns:r="http://relaxng.org/ns/structure/1.0" href="{href}"/>',
                     OUTSIDE_PATTERN),
    "dtll:include": ('<d:include xmlns:d="http://www.jenitennison.com/datatypes" '
                     'href="{href}"/>', OUTSIDE_PATTERN),
    "crdl:ref": ('<c:ref xmlns:c="http://purl.oclc.org/dsdl/crepdl/ns/structure/1.0" '
                 'href="{href}"/>', OUTSIDE_PATTERN),
    "xlink:href": ('<pattern xmlns:xl="http://www.w3.org/1999/xlink" xl:href="{href}" '
                   'xl:show="embed"/>', OUTSIDE_PATTERN),
}


def _schematron(folder: Path, line2: str, name: str = "rules.sch") -> Path:
    sch = folder / name
    sch.write_text(f'<schema xmlns="{SCH_NS}" queryBinding="xslt">\n{line2}\n<pattern>'
                   '<rule context="/*"><report test="false()">never</report></rule>'
                   "</pattern></schema>\n", encoding="utf-8")
    return sch


def _document(folder: Path, schematron: str | Path, name: str = "doc.xml") -> Path:
    doc = folder / name
    doc.write_text(f'<?xml-model href="{schematron}" schematypens="{SCH_NS}"?>\n'
                   f"<TEI {TEI}/>\n", encoding="utf-8")
    return doc


def _schematron_messages(data: dict) -> list[str]:
    return [p["message"] for p in data["problems"] if p["source"] == "schematron"]


def _refused(where: str, form: str, href: str, folders: str = "the folders of the schema "
             "and the document") -> str:
    return (f"the Schematron schema {where} is unusable: {form} of {href!r} reads outside "
            f"{folders}; refused (allow it with --allow-read DIR)")


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (tmp_path / "project").mkdir()
    return folder


@pytest.mark.parametrize("form", sorted(INCLUDE_FORMS))
def test_a_documents_schematron_cannot_include_files_elsewhere(tmp_path, elsewhere, form):
    markup, content = INCLUDE_FORMS[form]
    secret = elsewhere / "secret.xml"
    secret.write_text(content, encoding="utf-8")
    sch = _schematron(tmp_path / "project", markup.format(href=secret))
    doc = _document(tmp_path / "project", sch.name)
    result, data = validate(doc, "--no-pointers")
    assert "OUTSIDE-SECRET" not in result.output
    assert _schematron_messages(data) == [_refused(f"{sch}:2", form, str(secret))]
    # The folder rule, not the form, refused it: allowed, the include is read and its rule runs.
    result, data = validate(doc, "--no-pointers", "--allow-read", str(elsewhere))
    assert _schematron_messages(data) == ["OUTSIDE-SECRET"]


def test_a_refused_include_says_nothing_of_what_the_path_holds(tmp_path, elsewhere):
    """No oracle: an XML file, a file that is not XML and no file at all are refused alike."""
    (elsewhere / "a.xml").write_text(OUTSIDE_PATTERN, encoding="utf-8")
    (elsewhere / "b.txt").write_text("not XML", encoding="utf-8")
    project = tmp_path / "project"
    seen = []
    for name in ("a.xml", "b.txt", "c.xml"):
        href = f"../elsewhere/{name}"
        sch = _schematron(project, f'<include href="{href}"/>', f"{name}.sch")
        result, data = validate(_document(project, sch.name, f"{name}.xml"), "--no-pointers")
        seen.append(_schematron_messages(data) == [_refused(f"{sch}:2", "sch:include", href)])
    assert seen == [True, True, True]


def test_an_include_inside_an_included_file_is_refused_where_it_stands(tmp_path, elsewhere):
    (elsewhere / "secret.xml").write_text(OUTSIDE_RULE, encoding="utf-8")
    project = tmp_path / "project"
    inner = project / "inner.xml"
    inner.write_text(f'<pattern xmlns="{SCH_NS}">\n<rule context="/*">\n'
                     '<extends href="../elsewhere/secret.xml"/></rule></pattern>', encoding="utf-8")
    sch = _schematron(project, '<include href="inner.xml"/>')
    result, data = validate(_document(project, sch.name), "--no-pointers")
    assert "OUTSIDE-SECRET" not in result.output
    assert _schematron_messages(data) == [_refused(f"{sch} ({inner}:3)", "sch:extends",
                                                   "../elsewhere/secret.xml")]


def test_a_schematron_option_whose_include_reads_elsewhere_cannot_run(tmp_path, elsewhere):
    (elsewhere / "secret.xml").write_text(OUTSIDE_PATTERN, encoding="utf-8")
    sch = _schematron(tmp_path / "project", '<xi:include xmlns:xi="http://www.w3.org/2001/'
                      'XInclude" href="../elsewhere/secret.xml"/>')
    result = CliRunner().invoke(main, ["validate", str(LETTER), "--schematron", str(sch)])
    assert result.exit_code == 3 and "OUTSIDE-SECRET" not in result.output
    assert result.stderr.strip() == (
        f"{sch}:2: error: xi:include of '../elsewhere/secret.xml' reads outside the schema's "
        "folder; refused (allow it with --allow-read DIR)")


def test_a_relaxng_schema_named_as_schematron_cannot_include_grammars_elsewhere(
        tmp_path, elsewhere):
    """lxml extracts the rules of a RELAX NG schema, following its rng:include."""
    (elsewhere / "rules.rng").write_text(
        f'<grammar xmlns="http://relaxng.org/ns/structure/1.0" xmlns:sch="{SCH_NS}">'
        '<sch:pattern><sch:rule context="/*"><sch:report test="true()">OUTSIDE-SECRET'
        '</sch:report></sch:rule></sch:pattern><define name="x"><empty/></define></grammar>',
        encoding="utf-8")
    rng = tmp_path / "project" / "schema.rng"
    rng.write_text('<grammar xmlns="http://relaxng.org/ns/structure/1.0">\n'
                   '<include href="../elsewhere/rules.rng"/>\n<start><element name="TEI">'
                   "<empty/></element></start></grammar>", encoding="utf-8")
    doc = _document(tmp_path / "project", rng.name)
    result, data = validate(doc, "--no-pointers")
    assert "OUTSIDE-SECRET" not in result.output
    assert _schematron_messages(data) == [_refused(f"{rng}:2", "rng:include",
                                                   "../elsewhere/rules.rng")]


def test_an_include_that_finds_nothing_is_an_error_not_an_empty_include(tmp_path, elsewhere):
    project = tmp_path / "project"
    sch = _schematron(project, '<include href="missing.xml"/>')
    result, data = validate(_document(project, sch.name), "--no-pointers")
    (message,) = _schematron_messages(data)
    assert message.startswith(f"the Schematron schema {sch}:2 is unusable: sch:include of "
                              "'missing.xml' cannot be read")


def test_includes_may_read_the_documents_folder_and_compile_once_per_such_folder(tmp_path):
    """The include may read the document's folder, as document() may: a schema that did is
    compiled again for a document elsewhere (refused there), not taken from the cache."""
    from tei_toolkit import Validator
    shared, first, second = (tmp_path / n for n in ("shared", "first", "second"))
    for folder in (shared, first, second):
        folder.mkdir()
    (first / "local.xml").write_text(OUTSIDE_PATTERN.replace("OUTSIDE-SECRET", "BESIDE"),
                                     encoding="utf-8")
    sch = _schematron(shared, '<include href="../first/local.xml"/>')
    docs = [_document(first, sch), _document(second, sch)]
    reports = list(Validator(pointers=False).validate_paths(docs, jobs=1))
    found = [[p.message for p in r.problems if p.source == "schematron"] for r in reports]
    assert found == [["BESIDE"], [_refused(f"{sch}:2", "sch:include", "../first/local.xml")]]
