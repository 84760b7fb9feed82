"""Hand-off: CMIF for correspSearch, the letters table, the reading edition in a browser."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from tei_toolkit import read_tei, reading
from tei_toolkit.exports.letters import read_letter
from tei_toolkit.exports.readings import inline_reading
from tei_toolkit.exports.table import schema

from .conftest import CORPUS, SHARED, corpus_sources, installed_tei, need

CMIF = SHARED / "schemas" / "cmif"
TEI = CORPUS / "tei"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def tei(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([installed_tei(), *args], capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def jing_cmif(*files: Path) -> tuple[int, str]:
    exe = shutil.which("jing")
    need(exe, "jing (apt-get install jing)")
    need(CMIF.is_dir(), "../shared/schemas/cmif")
    proc = subprocess.run([str(exe), str(CMIF / "cmi-customization.rng"), *map(str, files)],
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, "\n".join(line for line in proc.stdout.splitlines())


def schematron_findings(path: Path) -> list[str]:
    """The CMIF Schematron's messages for ``path``, as `tei validate` reports them."""
    need(CMIF.is_dir(), "../shared/schemas/cmif")
    proc = tei("validate", str(path), "--schema", str(CMIF / "cmi-customization.rng"),
               "--schematron", str(CMIF / "cmif.sch"), "--format", "json", check=False)
    assert proc.returncode in (0, 1), proc.stderr
    problems = json.loads(proc.stdout)["problems"]
    return [p["message"] for p in problems if p["source"] == "schematron"]


# -- CMIF --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cmif_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmif") / "letters.xml"
    proc = tei("export", str(TEI), "--to", "cmif", "-o", str(out), "--file-url",
               "https://example.org/letters.xml", "--editor", "A. Editor")
    assert "11 letters in CMIF, 2 documents skipped" in proc.stderr
    assert "s04_minutes-dialogue-ellipsis.xml: skipped: no sender" in proc.stderr
    return out


def test_cmif_is_valid_against_the_cmif_schema_and_its_rules(cmif_file):
    assert jing_cmif(cmif_file) == (0, "")
    assert schematron_findings(cmif_file) == []


def test_cmif_holds_each_letter_once_with_its_source(cmif_file):
    root = etree.parse(str(cmif_file)).getroot()
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    descs = root.xpath("//t:correspDesc", namespaces=ns)
    assert len(descs) == 11
    ids = root.xpath("//t:sourceDesc/t:bibl/@xml:id", namespaces=ns)
    assert {d.get("source") for d in descs} == {"#" + i for i in ids}
    assert all(re.fullmatch(r"[a-f][0-9a-f]{7}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                            r"[0-9a-f]{12}", i) for i in ids)
    s08 = [d for d in descs if d.get("ref", "").endswith("/800008")][0]
    # Sent to Zakharov for Zhou Enlai: CMIF has no "transmitted"; Zhou Enlai receives it.
    assert [e.text for e in s08.xpath("t:correspAction[@type='received']/*", namespaces=ns)] \
        == ["Zhou Enlai"]
    # The code name is the text of the letter; the catalogue names the person.
    assert s08.xpath("string(t:correspAction[@type='sent']/t:persName)", namespaces=ns) == \
        "Joseph Stalin"
    assert root.xpath("string(//t:editor)", namespaces=ns) == "A. Editor"


def test_cmif_is_stable_across_runs(cmif_file, tmp_path):
    again = tmp_path / "again.xml"
    tei("export", str(TEI), "--to", "cmif", "-o", str(again), "--file-url",
        "https://example.org/letters.xml", "--editor", "A. Editor")

    def without_date(p: Path) -> str:
        return re.sub(r'<date when="[^"]*T[^"]*"/>', "", p.read_text(encoding="utf-8"))
    assert without_date(again) == without_date(cmif_file)


def test_cmif_authority_uris_come_from_the_register(tmp_path):
    src = tmp_path / "d.txt"
    from .helpers import export
    src.write_text(export(title="Letter, Ivan Petrov to Mao Zedong"), encoding="utf-8")
    people = tmp_path / "people.tsv"
    people.write_text("id\ttype\tname\tgnd\twikidata\tsource\n"
                      "petrov\tperson\tIvan Petrov\t118642499\tQ1\ttest row\n"
                      "mao-zedong\tperson\tMao Zedong\t\tQ5816\ttest row\n", encoding="utf-8")
    xml = tmp_path / "d.xml"
    tei("import", str(src), "-o", str(xml), "--register", str(people))
    out = tmp_path / "c.xml"
    tei("export", str(xml), "--to", "cmif", "-o", str(out), "--file-url", "https://x.org/c")
    text = out.read_text(encoding="utf-8")
    assert '<persName ref="http://d-nb.info/gnd/118642499">Ivan Petrov</persName>' in text
    # Wikidata only where nothing else exists.
    assert '<persName ref="http://www.wikidata.org/entity/Q5816">Mao Zedong</persName>' in text
    assert jing_cmif(out) == (0, "")


def test_the_official_examples_check_our_validation_of_cmif(tmp_path):
    need(CMIF.is_dir(), "../shared/schemas/cmif")
    examples = sorted(CMIF.glob("example*.xml"))
    assert len(examples) == 2
    # Both examples use @cert values this schema version forbids: jing and tei validate agree.
    code, out = jing_cmif(*examples)
    assert code == 1 and out.count('"cert" is invalid') == 2
    proc = tei("validate", *map(str, examples), "--schema", str(CMIF / "cmi-customization.rng"),
               "--format", "json", check=False)
    report = json.loads(proc.stdout)
    assert [f["valid"] for f in report["files"]] == [False, False]
    for example in examples:
        assert any('value of attribute "cert" is invalid' in p["message"]
                   for p in report["problems"] if p["file"] == str(example))
    # Without the @cert, both are valid, and their Schematron findings are none.
    for example in examples:
        fixed = tmp_path / example.name
        fixed.write_text(re.sub(r' cert="\w+"', "", example.read_text(encoding="utf-8")),
                         encoding="utf-8")
        assert jing_cmif(fixed) == (0, "")
        assert schematron_findings(fixed) == []


BROKEN = {  # rule -> a change to a valid CMIF file that breaks it
    "E0001": (r'<correspAction type="sent">.*?</correspAction>', ""),
    "E0002": (r'<correspAction type="received">.*?</correspAction>', ""),
    "E0003": (r'source="#[^"]+"', 'source="#nowhere"'),
    "E0004": (r'<date when="1954-06-19"/>', "<date/>"),
    "W0001": (r'xml:id="[^"]+"', 'xml:id="not-a-uuid"'),
}


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_each_cmif_rule_is_reported(cmif_file, tmp_path, rule):
    pattern, replacement = BROKEN[rule]
    text = cmif_file.read_text(encoding="utf-8")
    broken = tmp_path / "broken.xml"
    broken.write_text(re.sub(pattern, replacement, text, count=1, flags=re.S), encoding="utf-8")
    assert broken.read_text(encoding="utf-8") != text
    assert any(f"[{rule}]" in m for m in schematron_findings(broken))


def test_an_xpath2_schematron_beyond_matches_is_refused_clearly(tmp_path, cmif_file):
    sch = tmp_path / "x.sch"
    sch.write_text('<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">'
                   '<pattern><rule context="*"><assert test="if (@a) then true() else true()">'
                   "x</assert></rule></pattern></schema>", encoding="utf-8")
    proc = tei("validate", str(cmif_file), "--schematron", str(sch), check=False)
    assert proc.returncode == 3
    assert "uses XPath 2 syntax (if (), which lxml's XPath 1 cannot run" in proc.stderr


# -- the letters table -------------------------------------------------------------------------

def test_json_rows_follow_the_schema(tmp_path):
    import jsonschema  # the test extra installs the reference implementation
    out = tmp_path / "letters.json"
    tei("export", str(TEI), "--to", "json", "-o", str(out))
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == len(corpus_sources())
    validator = jsonschema.Draft202012Validator(schema(),
                                                format_checker=jsonschema.FormatChecker())
    for row in rows:
        validator.validate(row)
    seed = [r for r in rows if r["id"] == "wcda-121156"][0]
    assert [p["id"] for p in seed["recipients"]] == ["mao-zedong", "liu-shaoqi", "ccp-cc"]
    assert seed["counts"]["supplied"] == 9 and seed["counts"]["omissions"] == 2
    corrected = reading(read_tei((TEI / "000_b00edda5464e9fe3.xml").read_bytes(), "s"),
                        "corrected")
    assert seed["text"] == corrected.split("**Contents:**\n\n")[1].strip()
    # A row that breaks the schema is caught (the check can fail).
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**seed, "date": "19 June"})


def test_csv_has_a_row_per_document(tmp_path):
    out = tmp_path / "letters.csv"
    tei("export", str(TEI), "--to", "csv", "-o", str(out))
    # UTF-8 with a byte-order mark, so Excel does not read the names as mojibake.
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(corpus_sources())
    s09 = [r for r in rows if r["id"] == "wcda-800009"][0]
    assert (s09["senders"], s09["recipients"], s09["enclosed_from"]) == \
        ("Alexander Panyushkin", "Joseph Stalin", "Liu Shaoqi")
    assert s09["recipient_ids"] == "stalin" and s09["type"] == "Ciphered telegram"
    # One spelling per type (the archive writes "Ciphered Telegram" and "Ciphered telegram"),
    # and what a historian sorts by: places, call number.
    assert len({r["type"].lower() for r in rows}) == len({r["type"] for r in rows})
    assert any(r["place_received"] for r in rows) and all("call_number" in r for r in rows)
    assert any(r["call_number"].startswith("Sample Collection") for r in rows)


# -- bad input ---------------------------------------------------------------------------------

def test_a_non_tei_file_writes_nothing(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<html/>", encoding="utf-8")
    out = tmp_path / "letters.csv"
    proc = tei("export", str(TEI / "000_b00edda5464e9fe3.xml"), str(bad), "--to", "csv",
               "-o", str(out), check=False)
    assert proc.returncode == 1
    assert f"{bad}:1: error: not a TEI document written by tei import" in proc.stderr
    assert "nothing written" in proc.stderr
    assert not out.exists()


def test_a_missing_register_entry_is_named(tmp_path):
    xml = (TEI / "s11_letter-typos-and-foreign-names.xml").read_text(encoding="utf-8")
    broken = tmp_path / "s11.xml"
    broken.write_text(re.sub(r'<person xml:id="shtykov">.*?</person>', "", xml, flags=re.S),
                      encoding="utf-8")
    site = tmp_path / "site"
    proc = tei("export", str(broken), "--to", "html", "-d", str(site), check=False)
    assert proc.returncode == 1
    assert "persName @ref '#shtykov' has no entry in standOff" in proc.stderr
    assert not site.exists() or not any(site.iterdir())


def test_html_refuses_to_overwrite_pages_without_force(tmp_path):
    site = tmp_path / "site"
    tei("export", str(TEI), "--to", "html", "-d", str(site))
    (site / "index.html").write_text("mine", encoding="utf-8")
    proc = tei("export", str(TEI), "--to", "html", "-d", str(site), check=False)
    assert proc.returncode == 3
    assert (site / "index.html").read_text(encoding="utf-8") == "mine"


# -- the reading edition, in a real browser ----------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    tei("export", str(TEI), "--to", "html", "-d", str(folder), "--force")
    return folder


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    need(exe, "chromium (apt-get install chromium)")
    return str(exe)


def dump_dom(page: Path) -> etree._Element:
    proc = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                           "--dump-dom", page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return etree.fromstring(proc.stdout, etree.HTMLParser())


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


def test_pages_are_self_contained(site):
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(?:link|img|iframe)\b|<script[^>]*\bsrc=', text), page.name
        assert "@import" not in text and "url(" not in text


@pytest.mark.parametrize("src", corpus_sources(), ids=lambda p: p.stem)
def test_each_document_page_in_the_browser(site, src):
    root = read_tei((TEI / f"{src.stem}.xml").read_bytes(), src.stem)
    letter = read_letter(TEI / f"{src.stem}.xml")
    dom = dump_dom(site / f"{letter.id}.html")
    assert dom.get("lang") == "en"
    corrected = dom.xpath("//article[@id='corrected']")[0]
    archive = dom.xpath("//article[@id='archive']")[0]
    assert archive.get("hidden") is not None and corrected.get("hidden") is None
    # Every supplement is in square brackets in the corrected reading.
    supplied = root.xpath("//t:text//t:supplied", namespaces={"t": "http://www.tei-c.org/ns/1.0"})
    spans = corrected.xpath(".//span[contains(@class, 'supplied')]")
    assert len(spans) == len(supplied)
    assert all("".join(s.itertext()).startswith("[") for s in spans)
    # No word of `tei export --reading corrected` is lost, in order.
    version = bool(root.xpath("//t:body/t:div/@n", namespaces={"t": "http://www.tei-c.org/ns/1.0"}))

    def contents(which: str) -> str:  # the body's text, without the version line
        text = reading(root, which).split("**Contents:**\n\n", 1)[1]
        return text.split("\n\n", 1)[1] if version else text
    text = contents("corrected")
    page_words = words(" ".join(corrected.xpath(
        ".//text()[not(ancestor::*[contains(@class, 'sr')])]")))
    assert Counter(words(text)) - Counter(page_words) == Counter()
    # ... and in order, but for the footnotes, which the page gathers at the end.
    notes = {inline_reading(n, "corrected") for n in root.xpath(
        "//t:body//t:note[@place='end']", namespaces={"t": "http://www.tei-c.org/ns/1.0"})}
    running = [p for p in text.split("\n\n") if p.split(" ", 1)[-1] not in notes]
    it = iter(page_words)
    missing = [w for w in words("\n\n".join(running)) if w not in it]
    assert missing == [], missing[:10]
    # The archive's reading is the source, word for word.
    assert words(" ".join(archive.itertext())) == words(contents("source"))
    # The header: date, correspondents linked to the persons page.
    assert dom.xpath("//dl[@class='meta']//time/@datetime") == [letter.date]
    for party in letter.senders + letter.recipients:
        if party.entry is not None:
            assert dom.xpath(f"//dl//a[@href='persons.html#{party.entry.id}']")


def test_the_seed_page_shows_corrections_as_such(site):
    dom = dump_dom(site / "wcda-121156.html")
    corr = dom.xpath("//article[@id='corrected']//ins[@class='corr']")
    assert {c.text for c in corr} >= {"long-range", "Dien Bien Phu"}
    assert all(c.get("title", "").startswith("the archive writes: ") for c in corr)
    assert dom.xpath("//button[@data-reading='archive']")


def test_index_and_persons_pages(site):
    index = dump_dom(site / "index.html")
    rows = index.xpath("//tbody/tr")
    assert len(rows) == len(corpus_sources())
    assert [o.get("value") for o in index.xpath("//select[@id='person']/option")][:1] == [""]
    assert "stalin" in index.xpath("string(//select)") or index.xpath("//option[@value='stalin']")
    persons = dump_dom(site / "persons.html")
    assert persons.xpath("//h2[@id='stalin']")
    assert persons.xpath("//h2[@id='stalin']/following-sibling::ul[1]/li")


def png_ink(path: Path) -> float:
    """The share of pixels that differ from the most common colour (0: a blank image)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, kind = 8, b"", 0, 0, 0
    while pos < len(data):
        length, tag = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if tag == b"IHDR":
            width, height, depth, kind = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8
        elif tag == b"IDAT":
            idat += chunk
        pos += 12 + length
    bpp = {2: 3, 6: 4}[kind]
    raw, stride = zlib.decompress(idat), width * bpp
    prev = bytearray(stride)
    counts: dict[bytes, int] = {}
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 4):  # every fourth pixel is enough
            key = bytes(line[x:x + 3])
            counts[key] = counts.get(key, 0) + 1
        prev = line
    total = sum(counts.values())
    return 1 - max(counts.values()) / total


def test_a_screenshot_of_the_seed_page_is_not_blank(site, tmp_path):
    shot = tmp_path / "seed.png"
    proc = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                           f"--screenshot={shot}", "--window-size=800,900",
                           (site / "wcda-121156.html").resolve().as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    empty = tmp_path / "blank.png"
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                    f"--screenshot={empty}", "--window-size=800,900", blank.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert png_ink(empty) == 0.0          # the measure sees a blank page as blank
    assert png_ink(shot) > 0.02           # the seed's page has text on it


def test_the_reading_switch_runs_in_the_browser(site):
    page = site / "wcda-121156.html"
    proc = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                           "--dump-dom", page.resolve().as_uri() + "#archive"],
                          capture_output=True, text=True, timeout=120)
    dom = etree.fromstring(proc.stdout, etree.HTMLParser())
    # The script chose the archive's reading (the page as written shows the corrected one).
    assert dom.xpath("//article[@id='archive']/@hidden") == []
    assert dom.xpath("//article[@id='corrected']/@hidden")
    assert dom.xpath("//button[@data-reading='archive']/@aria-pressed") == ["true"]
    assert "Dien Binh Phu" in "".join(dom.xpath("//article[@id='archive']//text()"))


def test_two_documents_with_one_id_are_refused_before_any_page_is_written(tmp_path):
    """Two TEI files of one document (an import into two folders): their pages would be one
    file, and the second write found the first and stopped with half a site written."""
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(TEI / "000_b00edda5464e9fe3.xml", tmp_path / folder)
    shutil.copy(TEI / "s02_ciphered-telegram-codename-footnote.xml", tmp_path / "a")
    site = tmp_path / "site"
    for force in ([], ["--force"]):
        proc = tei("export", str(tmp_path / "a"), str(tmp_path / "b"), "--to", "html", "-d",
                   str(site), *force, check=False)
        assert proc.returncode == 1, proc.stderr
        [line] = proc.stderr.splitlines()
        assert line.startswith(str(tmp_path / "b" / "000_b00edda5464e9fe3.xml")) and \
            "wcda-121156" in line
        assert not site.exists()


def test_the_export_api_is_what_the_cli_runs(tmp_path):
    """tei_toolkit.export(to, files): the registry the CLI reads, in memory."""
    from tei_toolkit import EXPORTS, export

    files = sorted(TEI.glob("*.xml"))
    for name, fmt in EXPORTS.items():
        made = export(name, files[:1] if fmt.one_document else files)
        if fmt.folder:
            assert [p.name for p in made.pages][-2:] == ["index.html", "persons.html"]
        else:
            out = tmp_path / f"cli.{name}"
            tei("export", *map(str, files[:1] if fmt.one_document else files), "--to", name,
                "-o", str(out), "--file-url", "urn:stdout")
            # (CMIF states when it was made: to the second.)
            stamp = re.compile(rb'<date when="\d{4}-[^"]*T[^"]*"/>')
            assert stamp.sub(b"", made.data) == stamp.sub(b"", out.read_bytes()), name
