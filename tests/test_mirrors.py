"""Nothing we publish names a test host (issue 24, item 2). Exports name the archive's test
mirrors; the identifiers, links and table cells made from them name the archive, or nothing.

Made-up exports, one for each shape a mirror URL takes: a document number, a slug, a node
number (not a document number: left out, never guessed), a search page.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tei_toolkit import Profile, import_text, normalize_source, read_tei, reading
from tei_toolkit.exports.letters import read_letter
from tei_toolkit.importer.register import Register, check, uncitable

from .conftest import ROOT, installed_tei
from .helpers import export, xp

MIRRORS = sorted(Profile.default().mirror_hosts)
ARCHIVE = "https://digitalarchive.wilsoncenter.org/document/"

# (URL in the export, the address the TEI publishes, or None)
SHAPES = [
    (f"https://{MIRRORS[0]}/document/800123", ARCHIVE + "800123"),
    (f"https://{MIRRORS[1]}/document/ciphered-telegram-someone-someone-else",
     ARCHIVE + "ciphered-telegram-someone-someone-else"),
    (f"http://{MIRRORS[1].upper()}/document/77/", ARCHIVE + "77"),
    (f"https://{MIRRORS[0]}/node/91234", None),
    (f"https://{MIRRORS[1]}/search?page=5&search_api_fulltext=Telegram", None),
    (ARCHIVE + "123", ARCHIVE + "123"),  # the archive itself: as written, no warning
]


def citation(url: str) -> str:
    return ('"Telegram, Gao Gang to Peng Dehuai", June 19, 1954, Wilson Center Digital '
            f"Archive, Some Book, p. 1.  \n<{url}>")


def mirrored(text: str) -> list[str]:
    return [m for m in MIRRORS if m in text.lower()]


def test_both_known_mirrors_are_profile_data():
    assert MIRRORS == ["wilson-center-digital-archive.dvincitest.com",
                       "wilson-center.drivingcreative.com"]


@pytest.mark.parametrize("url,address", SHAPES)
def test_the_tei_publishes_the_archives_address_or_none(url, address):
    text = export(citation=citation(url))
    result = import_text(text, "doc.txt")
    root = read_tei(result.xml, "doc.txt")
    uri = xp(root, "t:teiHeader/t:fileDesc/t:publicationStmt/t:idno[@type='URI']")
    assert [u.text for u in uri] == ([address] if address else [])
    bibl = xp(root, "t:teiHeader/t:fileDesc/t:sourceDesc/t:bibl")[0]
    # The citation keeps every character the export has, the mirror's URL as its text ...
    assert url in "".join(bibl.itertext())
    # ... and links the archive's address, or nothing.
    assert [r.get("target") for r in xp(bibl, ".//t:ref")] == ([address] if address else [])
    for attr in root.xpath("//@*"):
        assert not mirrored(attr), (attr.attrname, attr)
    for idno in root.iter("{http://www.tei-c.org/ns/1.0}idno"):
        assert not mirrored(idno.text or "")
    # No record number is read from a node number or a search page.
    archive_ids = [i.text for i in xp(root, "//t:idno[@type='archive']")]
    if address is None:
        assert archive_ids == [] and not root.get("{http://www.w3.org/XML/1998/namespace}id")\
            .endswith("91234")
    warnings = [f for f in result.warnings if f.code == "mirror-url"]
    if address == url:
        assert warnings == []
    else:
        [w] = warnings
        assert w.location.line == text.splitlines().index(f"<{url}>") + 1 and w.location.column == 2
        assert (address in w.message) if address else ("no address" in w.message)
    # The source reading gives the export back, mirror URL and all.
    assert reading(root, "source", "doc.xml") == normalize_source(text)


def test_a_node_number_is_never_taken_for_a_document_number():
    node = f"https://{MIRRORS[0]}/node/91234"
    root = read_tei(import_text(export(citation=citation(node)), "x.txt").xml, "x.txt")
    assert "91234" not in etree.tostring(
        xp(root, "t:teiHeader/t:fileDesc/t:publicationStmt")[0], encoding="unicode")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([installed_tei(), *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_imports_and_exports_of_every_shape_name_no_mirror(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i, (url, _) in enumerate(SHAPES):
        (src / f"d{i}.txt").write_text(export(citation=citation(url)), encoding="utf-8")
    # The corpus sources: the seed and the samples (some name a mirror).
    for f in sorted((ROOT / "corpus" / "sources").glob("*.txt")):
        (src / f.name).write_bytes(f.read_bytes())
    proc = run("import", str(src), "-d", str(tmp_path / "tei"), "--json")
    assert proc.returncode == 0, proc.stderr
    named = sum(bool(mirrored(f.read_text(encoding="utf-8"))) for f in src.glob("*.txt"))
    assert named >= len(SHAPES) - 1 + 3
    warned = [f for f in json.loads(proc.stdout)["files"]
              if any(w["code"] == "mirror-url" for w in f["warnings"])]
    assert len(warned) == named
    # Every TEI: no mirror in an identifier or a link, no development material in standOff.
    for f in (tmp_path / "tei").glob("*.xml"):
        root = etree.parse(str(f)).getroot()
        for attr in root.xpath("//@*"):
            assert not mirrored(attr), (f.name, attr)
        for idno in root.iter("{http://www.tei-c.org/ns/1.0}idno"):
            assert not mirrored(idno.text or ""), f.name
        for stand_off in root.iter("{http://www.tei-c.org/ns/1.0}standOff"):
            text = " ".join(stand_off.itertext()).lower()
            for remark in [*MIRRORS, "../", "stored", "sample", "blog"]:
                assert remark not in text, (f.name, remark)
    for to, out in (("cmif", "-o"), ("csv", "-o"), ("json", "-o"), ("html", "-d")):
        target = tmp_path / f"out.{to}"
        proc = run("export", str(tmp_path / "tei"), "--to", to, out, str(target))
        assert proc.returncode == 0, proc.stderr
        assert "test mirror" not in proc.stderr  # the TEI has no mirror address to map
        files = [target] if target.is_file() else list(target.iterdir())
        for f in files:
            assert not mirrored(f.read_text(encoding="utf-8-sig")), f
    rows = list(csv.DictReader(io.StringIO(
        (tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    urls = {r["url"] for r in rows}
    assert {a for _, a in SHAPES if a} <= urls and "" in urls


def test_tei_from_before_is_exported_with_the_archives_address(tmp_path):
    """TEI an older import wrote, with the mirror in its URI: the export maps it (or leaves
    it out) and says so."""
    folder = tmp_path / "tei"
    folder.mkdir()
    for name, url in (("a", f"https://{MIRRORS[0]}/document/800123"),
                      ("b", f"https://{MIRRORS[1]}/node/5")):
        xml = import_text(export(citation=citation(ARCHIVE + "1")), f"{name}.txt").xml
        root = read_tei(xml, name)
        xp(root, "//t:publicationStmt/t:idno[@type='URI']")[0].text = url
        (folder / f"{name}.xml").write_bytes(etree.tostring(root))
    assert read_letter(folder / "a.xml").url.startswith(f"https://{MIRRORS[0]}")
    proc = run("export", str(folder), "--to", "json", "-o", str(tmp_path / "l.json"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("test mirror") == 2
    urls = [d["url"] for d in json.loads((tmp_path / "l.json").read_text())]
    assert sorted(urls, key=str) == [None, ARCHIVE + "800123"]


def test_register_sources_on_a_mirror_or_a_local_file_are_warned_about(tmp_path):
    reg = tmp_path / "people.tsv"
    reg.write_text(
        "id\ttype\tname\tsource\twikidata\n"
        f"p1\tperson\tAbel Mirrorman\thttps://{MIRRORS[1]}/document/x ('Abel'); "
        f"https://{MIRRORS[1]}/document/y\tQ1\n"
        "p2\tperson\tBea Localfile\t../notes/where-i-found-it.md\tQ2\n"
        f"p3\tperson\tCy Archive\t{ARCHIVE}5 ('Cy Archive')\tQ3\n", encoding="utf-8")
    found = check([reg], with_default=False, mirrors=MIRRORS)
    assert [(w.rsplit(":", 1)[-1], m.split(":")[0]) for s, w, m in found] == \
        [("2", "p1"), ("3", "p2")]
    proc = run("register", "check", str(reg), "--no-default-register")
    assert proc.returncode == 0 and proc.stderr.count(": warning: ") == 2, proc.stderr
    # tei import says it too, before it imports.
    (tmp_path / "d.txt").write_text(export(), encoding="utf-8")
    proc = run("import", str(tmp_path / "d.txt"), "-o", str(tmp_path / "d.xml"),
               "--register", str(reg))
    assert proc.returncode == 0 and "people.tsv:2: warning: p1" in proc.stderr, proc.stderr



def test_the_bundled_registers_cite_no_mirror_and_no_local_file():
    assert uncitable(Register.default(), MIRRORS) == []



def test_the_bundled_registers_cite_archive_documents_authority_files_and_published_works():
    """What an editor can cite: the archive's own documents, authority records, and the
    sites of published works (a documentary series, encyclopedias, a dictionary, books)."""
    import re

    citable = {"digitalarchive.wilsoncenter.org", "www.wikidata.org", "www.geonames.org",
               "history.state.gov", "www.encyclopedia.com", "dictionary.infoplease.com",
               "www.chinaheritagequarterly.org", "books.google.com", "mhdb.mh.sinica.edu.tw",
               "xboorman.enpchina.eu", "en.wikipedia.org"}
    register = Register.default()
    for entry in register.entries.values():
        for url in re.findall(r"https?://[^\s;,()'\"<>]+", entry.source + " " + entry.note):
            assert url.split("/")[2] in citable, (entry.origin, url)
            if "digitalarchive.wilsoncenter.org" in url:
                assert re.fullmatch(r"https://digitalarchive\.wilsoncenter\.org/document/"
                                    r"[A-Za-z0-9][\w.-]*", url), (entry.origin, url)
        for remark in ("stored", "../", "synthetic", "sample", "test", "blog", "mirror"):
            assert remark not in (entry.source + entry.note).lower(), (entry.origin, remark)
