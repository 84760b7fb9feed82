"""Schemas by name, offline: tei schemas fetch/add/list, published URLs in <?xml-model?>,
XML catalogs, and tei_all as the default for TEI documents that declare no schema.

The download path is tested against a real HTTP server on 127.0.0.1 (CI has no network);
everything else uses ../shared/schemas/tei_all.rng through `tei schemas add`.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tei_toolkit.validation import registry

from .conftest import CORPUS, TEI_ALL, installed_tei, need

DRAMA = """<?xml version="1.0" encoding="UTF-8"?>
{model}<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <teiHeader><fileDesc><titleStmt><title>A play</title></titleStmt>
    <publicationStmt><p>Unpublished</p></publicationStmt>
    <sourceDesc><p>Born digital</p></sourceDesc></fileDesc></teiHeader>
  <text><body><div type="act"><sp><speaker>A.</speaker><l>A line.</l></sp>
    <stage>Exit.</stage></div></body></text>
</TEI>
"""
VAULT = "/Vault/P5/4.12.0/xml/tei/custom/schema/relaxng/tei_all.rng"


def _model(href: str) -> str:
    return (f'<?xml-model href="{href}" type="application/xml" '
            'schematypens="http://relaxng.org/ns/structure/1.0"?>\n')


def tei(*args: str, env: dict | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess:
    return subprocess.run([installed_tei(), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def test_add_then_list_then_validate_by_name(cache_with_tei_all, tmp_path):
    env = {"TEI_TOOLKIT_CACHE": str(cache_with_tei_all)}
    listed = json.loads(tei("schemas", "list", "--json", env=env).stdout)
    entry = next(s for s in listed["schemas"] if s["name"] == "tei_all")
    assert entry["version"] == "4.12.0" and entry["compiles"] is True
    assert entry["sha256"] == hashlib.sha256(TEI_ALL.read_bytes()).hexdigest()
    assert Path(entry["file"]).read_bytes() == TEI_ALL.read_bytes()
    doc = tmp_path / "play.xml"
    doc.write_text(DRAMA.format(model=""), encoding="utf-8")
    for spec in ("tei_all", "tei_all@4.12.0"):
        proc = tei("validate", str(doc), "--schema", spec, "--format", "json", env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert json.loads(proc.stdout)["files"][0]["schema"] == "tei_all@4.12.0"
    proc = tei("validate", str(doc), "--schema", "tei_all@9.9.9", env=env)
    assert proc.returncode == 3 and "tei schemas fetch tei_all --version 9.9.9" in proc.stderr


def test_a_tei_document_without_a_schema_gets_tei_all_when_cached(cache_with_tei_all, tmp_path):
    doc = tmp_path / "play.xml"
    doc.write_text(DRAMA.format(model=""), encoding="utf-8")
    # Without tei_all: not checked (never judged by the importer's subset), exit 3, and the
    # report says how to check it.
    proc = tei("validate", str(doc), "--format", "json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 3 and out["files"][0]["status"] == "not checked"
    assert "tei schemas fetch tei_all" in out["files"][0]["not_checked"]
    text = tei("validate", str(doc)).stdout
    assert "1 file not checked: declares no schema" in text and "tei schemas fetch" in text
    # With tei_all cached it is the default, and the importer's TEI keeps its own schema.
    env = {"TEI_TOOLKIT_CACHE": str(cache_with_tei_all)}
    ours = CORPUS / "tei" / "000_b00edda5464e9fe3.xml"
    proc = tei("validate", str(doc), str(ours), "--format", "json", env=env)
    out = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stdout
    assert [f["schema"] for f in out["files"]] == ["tei_all@4.12.0", "tei_toolkit"]
    assert "checked against tei_all" in out["summary"]["hint"]
    junit = tei("validate", str(doc), "--format", "junit", env=env).stdout
    assert '<property name="schema" value="tei_all@4.12.0"/>' in junit


@pytest.mark.parametrize("href", [
    "https://www.tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng",
    "http://www.tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng",
    "https://tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng",
    "https://www.tei-c.org/Vault/P5/4.12.0/xml/tei/custom/schema/relaxng/tei_all.rng",
    "https://www.tei-c.org/Vault/P5/current/xml/tei/custom/schema/relaxng/tei_all.rng",
])
def test_published_schema_urls_resolve_to_the_cache_without_network(cache_with_tei_all, tmp_path,
                                                                    href):
    doc = tmp_path / "play.xml"
    doc.write_text(DRAMA.format(model=_model(href)), encoding="utf-8")
    # No route anywhere: any connection attempt would fail (and a test of this file would too).
    env = {"TEI_TOOLKIT_CACHE": str(cache_with_tei_all), "http_proxy": "http://127.0.0.1:9",
           "https_proxy": "http://127.0.0.1:9"}
    proc = tei("validate", str(doc), "--format", "json", env=env)
    out = json.loads(proc.stdout)
    assert proc.returncode == 0 and out["problems"] == [], out
    assert out["files"][0]["schema"].startswith("tei_all@4.12.0")


def test_a_versioned_url_missing_from_the_cache_says_how_to_get_it(cache_with_tei_all,
                                                                   tmp_path):
    doc = tmp_path / "play.xml"
    doc.write_text(DRAMA.format(model=_model(
        "https://www.tei-c.org/Vault/P5/4.9.0/xml/tei/custom/schema/relaxng/tei_all.rng")),
        encoding="utf-8")
    proc = tei("validate", str(doc), "--format", "json",
               env={"TEI_TOOLKIT_CACHE": str(cache_with_tei_all)})
    out = json.loads(proc.stdout)
    assert "tei schemas fetch tei_all --version 4.9.0" in out["problems"][0]["message"]
    assert out["files"][0]["schema"] == "tei_all@4.12.0"  # the fallback, said in the message


def test_xml_catalogs_map_a_remote_schema_to_a_local_copy(tmp_path):
    schema_dir = tmp_path / "local schemas"
    schema_dir.mkdir()
    shutil.copy(Path(__file__).parent.parent / "schemas" / "tei_toolkit.rng",
                schema_dir / "project.rng")
    catalog = tmp_path / "catalog.xml"
    catalog.write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
        '<rewriteURI uriStartString="https://example.org/schemas/" '
        'rewritePrefix="local%20schemas/"/>'
        '<nextCatalog catalog="missing-catalog.xml"/></catalog>', encoding="utf-8")
    doc = tmp_path / "letter.xml"
    source = (CORPUS / "tei" / "000_b00edda5464e9fe3.xml").read_text(encoding="utf-8")
    doc.write_text(source.replace('href="tei_toolkit.rng"',
                                  'href="https://example.org/schemas/project.rng"'),
                   encoding="utf-8")
    proc = tei("validate", str(doc), "--format", "json", "--no-schematron",
               env={"XML_CATALOG_FILES": str(catalog)})
    out = json.loads(proc.stdout)
    assert proc.returncode == 0 and out["problems"] == [], out
    assert "by XML catalog" in out["files"][0]["schema"]
    # Without the catalog the same URL is never fetched: not checked, and why.
    proc = tei("validate", str(doc), "--format", "json", "--no-schematron")
    assert proc.returncode == 3
    assert "never fetched" in json.loads(proc.stdout)["files"][0]["not_checked"]


def test_add_refuses_what_is_not_a_usable_schema_or_not_the_release_it_claims(schema_cache,
                                                                            tmp_path):
    env = {"TEI_TOOLKIT_CACHE": str(schema_cache)}
    bad = tmp_path / "bad.rng"
    bad.write_text('<grammar xmlns="http://relaxng.org/ns/structure/1.0"><start><ref '
                   'name="nowhere"/></start></grammar>', encoding="utf-8")
    proc = tei("schemas", "add", str(bad), env=env)
    assert proc.returncode == 3 and "not a usable RELAX NG schema" in proc.stderr
    notxml = tmp_path / "x.rng"
    notxml.write_text("<grammar", encoding="utf-8")
    proc = tei("schemas", "add", str(notxml), env=env)
    assert proc.returncode == 3 and "x.rng:1:" in proc.stderr and "Traceback" not in proc.stderr
    fake = tmp_path / "tei_all.rng"
    fake.write_text('<grammar xmlns="http://relaxng.org/ns/structure/1.0"><start><element '
                    'name="TEI"><empty/></element></start></grammar>', encoding="utf-8")
    proc = tei("schemas", "add", str(fake), "--version", "4.12.0", env=env)
    assert proc.returncode == 3 and "not the published schema" in proc.stderr
    assert not (schema_cache / "schemas" / "tei_all").exists()
    proc = tei("schemas", "add", str(fake), "--name", "mini", "--version", "1", env=env)
    assert proc.returncode == 0 and proc.stdout.startswith("mini@1 ")


# -- tei schemas fetch, against a real server on 127.0.0.1 -----------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes, dict]] = {}

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        status, body, headers = self.routes.get(self.path, (404, b"not found", {}))
        self.send_response(status)
        trickle = float(headers.pop("X-Trickle", 0))  # seconds between bytes
        headers = {"Content-Length": str(len(body)), **headers}
        for k, v in headers.items():
            if v is not None:
                self.send_header(k, v)
        self.end_headers()
        if not trickle:
            self.wfile.write(body)
            return
        try:
            for i in range(len(body)):  # bounded: stops at the body's end or a closed socket
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(trickle)
        except OSError:
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.routes = {}
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler.routes
    httpd.shutdown()
    httpd.server_close()


def test_fetch_verifies_the_pinned_checksum(server, schema_cache, tei_all):
    site, routes = server
    routes[VAULT] = (200, TEI_ALL.read_bytes(), {})
    env = {"TEI_TOOLKIT_CACHE": str(schema_cache)}
    proc = tei("schemas", "fetch", "tei_all", "--from", site, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("tei_all@4.12.0 ")
    entry = registry.find("tei_all@4.12.0")
    assert entry is not None and entry.source == site + VAULT
    assert Path(entry.file).read_bytes() == TEI_ALL.read_bytes()


@pytest.mark.parametrize("case", ["bad checksum", "truncated", "not found", "server down"])
def test_fetch_failures_are_one_clear_line_and_leave_nothing(server, schema_cache, tei_all,
                                                             case):
    site, routes = server
    data = TEI_ALL.read_bytes()
    if case == "bad checksum":
        routes[VAULT] = (200, data.replace(b"P5 Version", b"P5 Versi0n", 1), {})
        expected = "expected b0f11509"
    elif case == "truncated":
        routes[VAULT] = (200, data[:1000], {"Content-Length": str(len(data))})
        expected = "cut short"
    elif case == "not found":
        expected = "HTTP 404"
    else:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            site = f"http://127.0.0.1:{s.getsockname()[1]}"  # closed once the block ends
        expected = "offline? copy tei_all.rng here another way, then: tei schemas add FILE"
    proc = tei("schemas", "fetch", "tei_all", "--version", "4.12.0", "--from", site,
               env={"TEI_TOOLKIT_CACHE": str(schema_cache)})
    assert proc.returncode == 3, proc.stderr
    assert expected in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    leftovers = [p for p in schema_cache.rglob("*") if p.is_file()] if schema_cache.exists() \
        else []
    assert leftovers == []


def test_fetch_refuses_a_release_without_a_pin_unless_given_one(server, schema_cache):
    site, routes = server
    body = b'<grammar xmlns="http://relaxng.org/ns/structure/1.0"><start><element name="TEI">' \
           b'<empty/></element></start></grammar>'
    routes["/Vault/P5/4.0.0/xml/tei/custom/schema/relaxng/tei_lite.rng"] = (200, body, {})
    env = {"TEI_TOOLKIT_CACHE": str(schema_cache)}
    proc = tei("schemas", "fetch", "tei_lite", "--version", "4.0.0", "--from", site, env=env)
    assert proc.returncode == 3 and "--sha256" in proc.stderr
    proc = tei("schemas", "fetch", "tei_lite", "--version", "4.0.0", "--from", site,
               "--sha256", hashlib.sha256(body).hexdigest(), env=env)
    assert proc.returncode == 0, proc.stderr
    proc = tei("schemas", "fetch", "not_a_tei_schema", "--version", "4.0.0", "--from", site,
               env=env)
    assert proc.returncode == 3 and "not a published TEI schema" in proc.stderr


def test_fetch_gives_up_on_a_trickling_server_at_the_deadline(server, schema_cache):
    """One byte every 0.3 s never lets a read time out; the whole download has a deadline."""
    site, routes = server
    routes[VAULT] = (200, b"<" * 200, {"X-Trickle": "0.3"})
    start = time.monotonic()
    proc = tei("schemas", "fetch", "tei_all", "--from", site, "--deadline", "2",
               env={"TEI_TOOLKIT_CACHE": str(schema_cache)})
    took = time.monotonic() - start
    assert proc.returncode == 3, proc.stderr
    assert "not complete within 2 s (--deadline)" in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert took < 30  # the server would trickle for 60 s
    assert not schema_cache.exists() or not [p for p in schema_cache.rglob("*") if p.is_file()]


@pytest.mark.parametrize("length", ["declared", "undeclared"])
def test_fetch_refuses_a_file_over_the_size_limit(server, schema_cache, length):
    site, routes = server
    body = b" " * (2 << 20)
    routes[VAULT] = (200, body, {} if length == "declared" else {"Content-Length": None,
                                                                  "Connection": "close"})
    proc = tei("schemas", "fetch", "tei_all", "--from", site, "--max-size", "1",
               env={"TEI_TOOLKIT_CACHE": str(schema_cache)})
    assert proc.returncode == 3, proc.stderr
    assert "is larger than 1,048,576 bytes (--max-size): refused" in proc.stderr, proc.stderr
    assert not schema_cache.exists() or not [p for p in schema_cache.rglob("*") if p.is_file()]


def test_schemas_add_shows_what_it_is_doing_on_a_terminal_only(schema_cache, tmp_path):
    """Issue 24: `tei schemas add` of tei_all takes about 6 s; on a terminal a spinner says
    why, in a log or a pipe nothing but the result's one line."""
    script = shutil.which("script")
    need(script, "script (util-linux) to give the command a terminal")
    schema = tmp_path / "project.rng"
    shutil.copy(Path(__file__).parent.parent / "schemas" / "tei_toolkit.rng", schema)
    env = {"TEI_TOOLKIT_CACHE": str(schema_cache)}
    piped = tei("schemas", "add", str(schema), env=env)
    assert piped.returncode == 0 and piped.stderr == ""
    assert piped.stdout.startswith("project@")
    on_tty = subprocess.run([script, "-qec", f"{installed_tei()} schemas add {schema} --name x",
                             "/dev/null"], capture_output=True, text=True, timeout=300,
                            env={**os.environ, **env, "TERM": "xterm"})
    assert on_tty.returncode == 0
    assert "compiling project.rng whole once" in on_tty.stdout


def test_a_schema_that_cannot_be_used_says_why_in_its_type(tmp_path, schema_cache):
    """SchemaError, with a machine-readable reason: programs (and the CLI's exit codes) read
    the type, never the message."""
    from tei_toolkit import SchemaError, SetupError, Validator
    from tei_toolkit.errors import SCHEMA_REASONS

    malformed = tmp_path / "bad.rng"
    malformed.write_text("<grammar", encoding="utf-8")
    invalid = tmp_path / "invalid.rng"
    invalid.write_text('<grammar xmlns="http://relaxng.org/ns/structure/1.0"><start>'
                       '<ref name="nowhere"/></start></grammar>', encoding="utf-8")
    for schema, reason in (("no-such-schema", "unknown"), (malformed, "malformed"),
                           (invalid, "invalid")):
        with pytest.raises(SchemaError) as caught:
            Validator(schema=schema)
        assert caught.value.reason == reason and reason in SCHEMA_REASONS
        assert isinstance(caught.value, SetupError) and caught.value.exit_code == 3
    proc = tei("validate", str(CORPUS / "tei"), "--schema", str(malformed))
    assert proc.returncode == 3 and len(proc.stderr.strip().splitlines()) == 1
