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
    assert result.exit_code == 0
    assert [p["source"] for p in data["problems"]] == ["safety"]


def test_xinclude_of_a_local_file_is_not_processed(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text(f"<p {TEI}>TOP-SECRET-CONTENT</p>")
    doc = tmp_path / "xi.xml"
    doc.write_text(LETTER.read_text(encoding="utf-8").replace(
        "<postscript>", '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="secret.xml"/><postscript>'))
    result, data = validate(doc)
    assert "TOP-SECRET-CONTENT" not in result.output
    assert result.exit_code == 1
    assert any(p["source"] == "safety" and "XInclude" in p["message"] for p in data["problems"])


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
