"""The editor's review loop (tei review, tei import --decisions): every decision the importer
makes is a row an editor accepts or changes; changed rows re-encode exactly their items, survive
edits of the source, and a reviewed document says who reviewed it and when."""

from __future__ import annotations

import difflib
import json
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tei_toolkit import import_text, normalize_source, read_tei, reading
from tei_toolkit.importer.review import COLUMNS, Decisions, to_tsv

from .conftest import SEED, corpus_sources, installed_tei
from .helpers import NS, export

SOURCES = corpus_sources()  # the seed and the samples, as the corpus keeps them
OTHER_CLASS = {"supplement": "identification", "completion": "supplement",
               "identification": "supplement", "original": "supplement",
               "expansion": "supplement", "respelling": "identification",
               "translated-title": "supplement", "source": "supplement",
               "summary": "source"}


def tei(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([installed_tei(), *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def read_rows(path: Path) -> list[dict[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_text("\t".join(COLUMNS) + "\n" + "".join(
        "\t".join(r.get(c, "") for c in COLUMNS) + "\n" for r in rows), encoding="utf-8")


def change_three(rows: list[dict[str, str]], register_ids: list[str]) -> list[dict[str, str]]:
    """A bracket's class, a correspondent's action and a name's register id, changed (one
    cell each, status left empty: the common spreadsheet edit)."""
    changed = []
    title = {r["line"] for r in rows if r["what"] == "correspondent"}
    for what in ("bracket", "correspondent", "name"):
        # A bracket of the body: one in the title also changes how its names read.
        row = next((r for r in rows if r["what"] == what
                    and (what != "bracket" or r["line"] not in title)), None)
        if row is None:
            continue
        if what == "bracket":
            row["decision"] = OTHER_CLASS[row["decision"]]
        elif what == "correspondent":
            row["decision"] = "received" if row["decision"] == "sent" else "sent"
        else:
            row["target"] = next(i for i in register_ids if i != row["target"])
        changed.append(row)
    return changed


def changed_lines(a: bytes, b: bytes) -> list[str]:
    """The lines that differ, standOff left out: it lists the entries named, in the order
    first named, so a relinked name may reorder it (checked on its own)."""
    def lines(data: bytes) -> list[str]:
        root = etree.fromstring(data)
        for el in root.findall("t:standOff", NS):
            root.remove(el)
        return etree.tostring(root, encoding="unicode").splitlines()
    return [line for line in difflib.unified_diff(lines(a), lines(b), n=0, lineterm="")
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_three_changed_rows_change_exactly_their_items(src: Path, tmp_path: Path, jing):
    table = tmp_path / "decisions.tsv"
    proc = tei("review", str(src), "-o", str(table))
    assert proc.returncode == 0, proc.stderr
    rows = read_rows(table)
    assert [(int(r["line"]), int(r["column"])) for r in rows] == sorted(
        (int(r["line"]), int(r["column"])) for r in rows)  # in document order
    assert len({r["key"] for r in rows}) == len(rows)
    from tei_toolkit import Register
    changed = change_three(rows, sorted(Register.default().entries))
    write_rows(table, rows)
    plain, ruled = tmp_path / "plain.xml", tmp_path / "ruled.xml"
    assert tei("import", str(src), "-o", str(plain)).returncode == 0
    proc = tei("import", str(src), "-o", str(ruled), "--decisions", str(table),
               "--editor", "A. Editor", "--review-date", "2026-12-01", "--explain")
    assert proc.returncode == 0, proc.stderr
    assert "stale-decision" not in proc.stderr
    # Every bracket change is the editor's, in --explain.
    for row in changed:
        if row["what"] == "bracket":
            assert f"[{row['text']}] {row['decision']} (editor): editor's decision " \
                   f"(decisions.tsv:" in proc.stderr
    diff = changed_lines(plain.read_bytes(), ruled.read_bytes())
    header = ("<name>", "<respStmt", "<resp>", "<persName>A. Editor", "</respStmt",
              "<authority>", "<revisionDesc", "<change ", "</revisionDesc")
    body = [d for d in diff if not d[1:].strip().startswith(header)]
    # Each changed line holds one of the changed items; nothing else moved.
    for line in body:
        words = re.sub(r"<[^>]+>", "", line)
        assert any(r["text"] in words or (r["what"] == "correspondent" and "correspAction"
                                          in line) for r in changed), line
    root = read_tei(ruled.read_bytes(), "ruled.xml")
    marked = root.xpath("//*[contains(@resp, '#editor')]", namespaces=NS)
    assert len(marked) == len(changed), [etree.tostring(m) for m in marked]
    refs = {r.lstrip("#") for r in root.xpath("//@ref", namespaces=NS)}
    listed = set(root.xpath("//t:standOff//@xml:id", namespaces=NS))
    assert refs == listed  # the standOff lists exactly the entries named
    assert root.xpath("string(//t:revisionDesc/t:change/@when)", namespaces=NS) == "2026-12-01"
    ok, report = jing.validate([ruled])
    assert ok, report
    assert reading(root, "source") == normalize_source(src.read_text(encoding="utf-8"))
    again = tmp_path / "again.xml"
    tei("import", str(src), "-o", str(again), "--decisions", str(table), "--editor",
        "A. Editor", "--review-date", "2026-12-01")
    assert again.read_bytes() == ruled.read_bytes()  # byte-identical, every time


def test_rows_are_the_apis_and_say_what_explain_says():
    result = import_text(SEED.read_bytes(), str(SEED), keyed=True)
    brackets = [d for d in result.decisions if d.what == "bracket"]
    assert [(d.text, d.decision, d.evidence) for d in brackets] == [
        (b.text, b.kind, b.evidence) for b in result.brackets]
    assert {d.what for d in result.decisions} == {"bracket", "correspondent", "name",
                                                  "correction", "ellipsis"}
    assert any(not d.certain for d in result.decisions)
    assert to_tsv(result.decisions).splitlines()[0].split("\t") == list(COLUMNS)


BRACKETED = """\
The minister said that [the Soviet side] would agree. He then left the hall and went home.

The second paragraph names [Stalin] once and speaks of the [railway] too."""


def _edited(**changes: str) -> str:
    return export(title="Letter from Kim Il Sung to Stalin", body=changes.get("body", BRACKETED))


def test_a_decision_survives_edits_of_the_source_and_a_deleted_item_is_stale(tmp_path: Path):
    src = tmp_path / "doc.txt"
    src.write_text(_edited(), encoding="utf-8")
    table = tmp_path / "d.tsv"
    assert tei("review", str(src), "-o", str(table)).returncode == 0
    rows = read_rows(table)
    target = next(r for r in rows if r["text"] == "the Soviet side")
    assert target["decision"] == "supplement"
    target["decision"], target["status"] = "identification", "changed"
    railway = next(r for r in rows if r["text"] == "railway")
    railway["status"] = "ok"
    write_rows(table, rows)

    def classes(body: str) -> dict[str, str]:
        src.write_text(_edited(body=body), encoding="utf-8")
        proc = tei("import", str(src), "-o", str(tmp_path / "out.xml"), "--force",
                   "--decisions", str(table), "--editor", "E", "--json", "--explain")
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)["files"][0]
        return {b["text"]: b["class"] for b in out["brackets"]} | {"stderr": proc.stderr}

    edits = [
        BRACKETED,
        "A new first paragraph with [words] of its own.\n\n" + BRACKETED,  # inserted before
        BRACKETED.replace("went home", "drove home"),  # a word of the next sentence
        BRACKETED.replace("said that [the Soviet", "said\nthat [the Soviet"),  # re-wrapped
    ]
    for body in edits:
        got = classes(body)
        assert got["the Soviet side"] == "identification", body
        assert got["railway"] == "supplement"
        assert "stale-decision" not in got["stderr"]
    # The bracket deleted: its row is stale (named), and nothing else changes.
    gone = BRACKETED.replace(" [the Soviet side]", " the Soviet side")
    src.write_text(_edited(body=gone), encoding="utf-8")
    proc = tei("import", str(src), "-o", str(tmp_path / "a.xml"), "--decisions", str(table),
               "--editor", "E")
    assert proc.returncode == 0
    stale = [line for line in proc.stderr.splitlines() if "stale-decision" in line]
    assert len(stale) == 1 and stale[0].startswith(f"{table}:{rows.index(target) + 2}: ")
    assert tei("import", str(src), "-o", str(tmp_path / "b.xml")).returncode == 0
    a, b = (read_tei((tmp_path / n).read_bytes(), n) for n in ("a.xml", "b.xml"))
    assert etree.tostring(a.find("t:text", NS)) == etree.tostring(b.find("t:text", NS))


def test_a_row_never_lands_on_another_item_of_the_same_text(tmp_path: Path):
    """Two [railway]s: a changed row keyed to the second is not applied to the first when
    the second is deleted; it is stale."""
    body = "The [railway] was built. Later the [railway] was closed by them."
    src = tmp_path / "doc.txt"
    src.write_text(export(body=body), encoding="utf-8")
    table = tmp_path / "d.tsv"
    tei("review", str(src), "-o", str(table))
    rows = read_rows(table)
    second = [r for r in rows if r["text"] == "railway"][1]
    second["decision"], second["status"] = "original", "changed"
    write_rows(table, [second])
    src.write_text(export(body="The [railway] was built. Later it was closed by them."),
                   encoding="utf-8")
    proc = tei("import", str(src), "-o", str(tmp_path / "o.xml"), "--decisions", str(table),
               "--editor", "E", "--explain")
    assert "[railway] supplement" in proc.stderr and "stale-decision" in proc.stderr, \
        proc.stderr


@pytest.mark.parametrize("name, content, message", [
    ("unknown decision", "{header}\n{key}\tbracket\tx\tmaybe\t\t\n", "unknown decision 'maybe'"),
    ("unknown register id", "{header}\n{name_key}\tname\tStalin\tname\tnobody-here\t\n",
     "unknown register id 'nobody-here'"),
    ("missing column", "key\twhat\ttext\tdecision\tstatus\n", "missing target"),
    ("rows disagree", "{header}\n{key}\tbracket\tx\tsupplement\t\t\n"
     "{key}\tbracket\tx\toriginal\t\t\n", "disagree"),
    ("empty", "", "empty"),
    ("no reviewer", "{header}\n{key}\tbracket\tx\tsupplement\t\tok\n", "who reviewed"),
    ("bad date", "key\twhat\ttext\tdecision\ttarget\tstatus\tdate\n"
     "{key}\tbracket\tx\tsupplement\t\t\tMay 3\n", "no date"),
])
def test_a_bad_decisions_file_is_one_line_and_nothing_is_written(tmp_path: Path, name: str,
                                                                 content: str, message: str):
    header = "key\twhat\ttext\tdecision\ttarget\tstatus"
    table = tmp_path / "d.tsv"
    table.write_text(content.format(header=header, key="wcda-1:bracket:0123456789",
                                    name_key="wcda-1:name:0123456789"), encoding="utf-8")
    out = tmp_path / "out.xml"
    out.write_bytes(b"untouched")
    proc = tei("import", str(SEED), "-o", str(out), "--force", "--decisions", str(table))
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{table}:") and message in lines[0], lines
    assert "Traceback" not in proc.stderr
    assert out.read_bytes() == b"untouched"


@pytest.mark.parametrize("data, message", [(b"\x00\x01\x02binary\x00", "binary"),
                                           (b"key\twhat\xff\xfe\n", "not UTF-8")])
def test_a_binary_or_non_utf8_decisions_file_is_refused(tmp_path: Path, data: bytes,
                                                        message: str):
    table = tmp_path / "d.tsv"
    table.write_bytes(data)
    proc = tei("import", str(SEED), "-o", str(tmp_path / "o.xml"), "--decisions", str(table))
    assert proc.returncode == 3 and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o.xml").exists()


def test_a_fully_reviewed_seed_says_who_reviewed_it_and_when(tmp_path: Path):
    table = tmp_path / "d.tsv"
    tei("review", str(SEED), "-o", str(table))
    rows = read_rows(table)
    for row in rows:
        row["status"] = "ok"
    bracket = next(r for r in rows if r["what"] == "bracket")
    bracket["decision"], bracket["status"] = OTHER_CLASS[bracket["decision"]], "changed"
    write_rows(table, rows)
    out = tmp_path / "seed.xml"
    proc = tei("import", str(SEED), "-d", str(tmp_path / "tei"), "--decisions", str(table),
               "--editor", "Jane Roe", "--review-date", "2026-11-30")
    assert proc.returncode == 0, proc.stderr
    assert "reviewed" in proc.stderr and "1 reviewed" in proc.stderr  # the summary table
    out = next((tmp_path / "tei").glob("*.xml"))
    root = read_tei(out.read_bytes(), out.name)
    x = lambda path: root.xpath(path, namespaces=NS)  # noqa: E731
    assert x("string(//t:publicationStmt/t:authority)") == "Jane Roe"
    assert x("//t:titleStmt/t:respStmt[@xml:id='editor']/t:persName/text()") == ["Jane Roe"]
    change = x("//t:revisionDesc/t:change")[0]
    assert change.get("who") == "#editor" and change.get("when") == "2026-11-30"
    assert "Every decision" in change.text and "1 changed" in change.text
    assert "not yet reviewed" not in out.read_text(encoding="utf-8")
    assert len(x("//t:text//*[@resp='#archive #editor']")) == 1
    # Carried forward: tei review with the decisions keeps the statuses.
    again = tmp_path / "again.tsv"
    tei("review", str(SEED), "--decisions", str(table), "--editor", "Jane Roe", "-o",
        str(again))
    statuses = [r["status"] for r in read_rows(again)]
    assert set(statuses) == {"ok", "changed"} and statuses.count("changed") == 1


def test_a_partly_reviewed_document_says_how_much(tmp_path: Path):
    table = tmp_path / "d.tsv"
    tei("review", str(SEED), "-o", str(table))
    rows = read_rows(table)
    for row in rows[:3]:
        row["status"] = "ok"
    write_rows(table, rows)
    proc = tei("import", str(SEED), "-d", str(tmp_path / "tei"), "--decisions", str(table),
               "--editor", "Jane Roe", "--json")
    files = json.loads(proc.stdout)["files"]
    assert files[0]["review"] == {"state": f"partly (3/{len(rows)})", "reviewed": 3,
                                  "decisions": len(rows)}
    root = read_tei(Path(files[0]["output"]).read_bytes(), "x.xml")
    authority = root.xpath("string(//t:authority)", namespaces=NS)
    assert f"3 of {len(rows)} decisions reviewed" in authority and "Jane Roe" in authority


def test_decisions_load_keeps_the_later_file(tmp_path: Path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    header = "key\twhat\ttext\tdecision\ttarget\tstatus\n"
    a.write_text(header + "wcda-1:bracket:0123456789\tbracket\tx\tsupplement\t\t\n")
    b.write_text(header + "wcda-1:bracket:0123456789\tbracket\tx\toriginal\t\t\n")
    assert Decisions.load([a, b]).by_key["wcda-1:bracket:0123456789"].decision == "original"


def test_the_review_page_saves_the_decisions_an_editor_changes_in_it(tmp_path: Path):
    """In headless Chromium: two decisions changed on the page, saved with its button; the
    saved file, imported, changes exactly those two items."""
    from .browser import Browser
    pages = tmp_path / "review"
    proc = tei("review", str(SEED), "-o", str(tmp_path / "all.tsv"), "--html", str(pages))
    assert proc.returncode == 0, proc.stderr
    page = next(p for p in pages.glob("*.html") if p.name != "index.html")
    from lxml import html as lxml_html
    doc = lxml_html.fromstring(page.read_bytes())
    assert not doc.xpath("//@src | //link | //@href[not(starts-with(., '#'))]")  # no assets
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with Browser() as b:
        b.send("Browser.setDownloadBehavior", {"behavior": "allow",
                                               "downloadPath": str(downloads)})
        b.open(page.as_uri())
        # Every decision is listed, the uncertain ones first, and highlighted in the text.
        listed = b.js("document.querySelectorAll('li[data-key]').length")
        assert listed == len(read_rows(tmp_path / "all.tsv"))
        assert b.js("document.querySelector('li[data-key]').classList.contains('uncertain')")
        assert b.js("document.querySelectorAll('article mark').length") >= listed - 2
        # The evidence shows when a highlight has the keyboard's focus.
        assert b.js("""(function(){var m=document.querySelector('article mark');m.focus();
            return getComputedStyle(m.querySelector('.why')).display;})()""") == "block"
        # Change a bracket's class and a name's register id, as a user does.
        b.js("""(function(){
            var li=[].slice.call(document.querySelectorAll('li[data-key]'));
            var br=li.filter(function(l){return JSON.parse(l.dataset.row).what==='bracket'
                && JSON.parse(l.dataset.row).decision==='supplement';})[0];
            var s=br.querySelector('select.decision');s.value='identification';
            s.dispatchEvent(new Event('change'));
            var nm=li.filter(function(l){return JSON.parse(l.dataset.row).what==='name'
                && JSON.parse(l.dataset.row).target==='zhou-enlai';})[1];
            var t=nm.querySelector('input.target');t.value='mao-zedong';
            t.dispatchEvent(new Event('change'));
            document.getElementById('reviewer').value='Jane Roe';})()""")
        assert b.js("document.querySelectorAll('select.status option:checked[value=changed]')"
                    ".length") == 2
        b.click("#save")
        b.settle(2)
    saved = list(downloads.glob("*.tsv"))
    assert len(saved) == 1, list(downloads.iterdir())
    plain, ruled = tmp_path / "plain.xml", tmp_path / "ruled.xml"
    tei("import", str(SEED), "-o", str(plain))
    proc = tei("import", str(SEED), "-o", str(ruled), "--decisions", str(saved[0]))
    assert proc.returncode == 0, proc.stderr
    root = read_tei(ruled.read_bytes(), "ruled.xml")
    marked = root.xpath("//*[contains(@resp, '#editor')]", namespaces=NS)
    assert [m.tag.split("}")[1] for m in marked] == ["persName", "note"], marked
    assert root.xpath("string(//t:respStmt[@xml:id='editor']/t:persName)",
                      namespaces=NS) == "Jane Roe"
    body = [d for d in changed_lines(plain.read_bytes(), ruled.read_bytes())
            if "<p>" in d]
    assert len(body) == 4  # two paragraphs, each once removed and once added


def test_the_reading_edition_header_follows_the_reading_and_names_the_reviewer(tmp_path):
    """The title and summary in the archive's reading are the archive's words ("Mao Zeong"),
    in the corrected reading the corrections marked as in the text; a reviewed document's
    page says who reviewed it and when."""
    from .browser import Browser
    table = tmp_path / "d.tsv"
    tei("review", str(SEED), "-o", str(table))
    rows = read_rows(table)
    for row in rows:
        row["status"] = "ok"
    write_rows(table, rows)
    tei("import", str(SEED), "-o", str(tmp_path / "seed.xml"), "--decisions", str(table),
        "--editor", "Jane Roe", "--review-date", "2026-11-30")
    assert tei("export", str(tmp_path / "seed.xml"), "--to", "html", "-d",
               str(tmp_path / "site")).returncode == 0
    page = next(p for p in (tmp_path / "site").glob("wcda-*.html"))
    with Browser() as b:
        b.open(page.as_uri())
        h1 = "document.querySelector('h1').innerText"
        summary = "document.querySelector('section[aria-label=Summary]').innerText"
        assert b.js("document.querySelector('h1 ins.corr').innerText") == "Mao Zedong"
        assert b.js("document.querySelector('h1 ins.corr').title") == \
            "the archive writes: Mao Zeong"
        assert b.js("document.querySelector('h1 [data-shows=archive]').hidden")
        b.click(".switch button[data-reading=archive]")
        b.settle(0.5)
        assert "Mao Zeong" in b.js(h1) and "Mao Zedong" not in b.js(h1)
        assert "Mao Zeong" in b.js(summary)
        reviewed = b.js("""[].slice.call(document.querySelectorAll('dl.meta dt')).filter(
            function(d){return d.textContent==='Reviewed'})[0].nextElementSibling.innerText""")
        assert reviewed.startswith("Jane Roe (2026-11-30)") and "Every decision" in reviewed


def test_a_correction_and_an_ellipsis_can_be_declined(tmp_path: Path):
    """The lexicon's correction declined in one place, an ellipsis kept as the text's own
    dots: both as written there, the rest as before, the source reading exact."""
    table = tmp_path / "d.tsv"
    tei("review", str(SEED), "-o", str(table))
    rows = read_rows(table)
    correction = next(r for r in rows if r["what"] == "correction" and r["text"] == "long-rang")
    ellipsis = next(r for r in rows if r["what"] == "ellipsis")
    correction["decision"] = ellipsis["decision"] = "none"
    write_rows(table, rows)
    plain, ruled = tmp_path / "plain.xml", tmp_path / "ruled.xml"
    tei("import", str(SEED), "-o", str(plain))
    assert tei("import", str(SEED), "-o", str(ruled), "--decisions", str(table), "--editor",
               "E").returncode == 0
    a, b = (read_tei(p.read_bytes(), p.name) for p in (plain, ruled))
    assert len(xp_(a, "//t:text//t:sic")) - 1 == len(xp_(b, "//t:text//t:sic"))
    assert len(xp_(a, "//t:text//t:gap")) - 1 == len(xp_(b, "//t:text//t:gap"))
    assert "long-rang " in "".join(b.find(".//t:text", NS).itertext())
    assert reading(b, "source") == normalize_source(SEED.read_text(encoding="utf-8"))


def xp_(root, path):
    return root.xpath(path, namespaces=NS)


@pytest.mark.parametrize("body, bracket, decision", [
    ("The delegate Pak Heon-yeong [Pak Hon Yong] came.", "Pak Hon Yong", "respelling"),
    ("The MGB [Ministry of State Security] knew.", "Ministry of State Security", "expansion"),
])
def test_an_editors_class_encodes_as_the_importer_encodes_it(tmp_path: Path, body: str,
                                                              bracket: str, decision: str):
    """Ruled "changed" to the class the importer gives anyway: the same elements, the pair
    with the same words before it; only @resp adds the editor."""
    src = tmp_path / "doc.txt"
    src.write_text(export(body=body), encoding="utf-8")
    table = tmp_path / "d.tsv"
    tei("review", str(src), "-o", str(table))
    rows = read_rows(table)
    row = next(r for r in rows if r["text"] == bracket)
    assert row["decision"] == decision
    row["status"] = "changed"
    write_rows(table, [row])
    plain, ruled = tmp_path / "a.xml", tmp_path / "b.xml"
    tei("import", str(src), "-o", str(plain))
    assert tei("import", str(src), "-o", str(ruled), "--decisions", str(table), "--editor",
               "E").returncode == 0
    def para(p: Path) -> str:
        root = read_tei(p.read_bytes(), p.name)
        return etree.tostring(root.find(".//t:body//t:p", NS), encoding="unicode")
    assert para(ruled) == para(plain).replace('resp="#archive"', 'resp="#archive #editor"')


def test_a_row_left_as_written_is_no_decision(tmp_path: Path):
    """A row whose decision still says what its importer cell says, and has no status, is
    nobody's word: the importer of today decides that item (as if an older release had written
    the row); the same row with the decision cell changed is the editor's."""
    src = tmp_path / "doc.txt"
    src.write_text(export(body="The [railway] was built by them."), encoding="utf-8")
    table = tmp_path / "d.tsv"
    tei("review", str(src), "-o", str(table))
    row = next(r for r in read_rows(table) if r["text"] == "railway")
    assert row["importer"] == row["decision"] == "supplement"
    row["decision"] = row["importer"] = "original"  # an older importer said so; untouched
    write_rows(table, [row])
    proc = tei("import", str(src), "-o", str(tmp_path / "a.xml"), "--decisions", str(table),
               "--explain", "--json")
    got = json.loads(proc.stdout)["files"][0]
    assert [b["class"] for b in got["brackets"]] == ["supplement"]
    assert got["review"]["state"] == "not reviewed" and "stale" not in proc.stderr
    row["importer"] = "supplement"  # the decision cell changed: the editor's
    write_rows(table, [row])
    proc = tei("import", str(src), "-o", str(tmp_path / "b.xml"), "--decisions", str(table),
               "--explain", "--json", "--editor", "E")
    got = json.loads(proc.stdout)["files"][0]
    assert [b["class"] for b in got["brackets"]] == ["original"]
