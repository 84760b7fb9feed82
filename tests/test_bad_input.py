"""Bad input: one clear line with file:line:column, a documented exit code, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tei_toolkit import SourceError, import_text
from tei_toolkit.cli import main

from .helpers import TITLE, export

GOOD = export()


@pytest.mark.parametrize("data, where, message", [
    (b"", "bad.txt", "the file is empty"),
    (b"  \n\n \r\n", "bad.txt", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "bad.txt:3:1", "binary file"),
    (GOOD.encode("utf-8").replace(b"Some text.", b"Some \xe9t\xe9."), "bad.txt:22:6", "not UTF-8"),
    (GOOD.encode("cp1252").replace(b"Some text", b"S\x93me text"), "bad.txt:22:2", "not UTF-8"),
    (GOOD.encode("utf-16"), "bad.txt:1:1", "UTF-16"),
    (GOOD.replace("Some text.", "Some\x07text.").encode(), "bad.txt:22:5", "U+0007"),
    (GOOD.replace("**Contents:**\n\nTranslation - English\n\nSome text.\n", ""),
     "bad.txt:16:1", "no **Contents:** section"),
    (GOOD.replace("Translation - English\n\nSome text.\n", ""), "bad.txt:18:1",
     "the **Contents:** section is empty"),
    (GOOD.replace("Some text.\n", ""), "bad.txt:18:1", "has no text"),
    (GOOD.replace("**June 19, 1954**\n\n", ""), "bad.txt:1:3", "the date is missing"),
    ("Just a line of text\n", "bad.txt:1:1", "expected the document date"),
    (GOOD.replace(f"**{TITLE}**\n\n", ""), "bad.txt:3:1", "expected the title in bold"),
    (GOOD.replace(f"**{TITLE}**", f"**{TITLE}"), "bad.txt:3:1", "not closed"),
    (GOOD.replace("**Citation:**", "Citation:"), "bad.txt:5:1", "expected a section heading"),
])
def test_bad_sources(data, where, message):
    with pytest.raises(SourceError) as err:
        import_text(data, "bad.txt")
    line = str(err.value)
    assert line.startswith(f"{where}: error: "), line
    assert message in line
    assert "\n" not in line


def _write(tmp: Path, name: str, data: bytes | str) -> Path:
    p = tmp / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def test_cli_bad_file_one_line_no_output_file(tmp_path):
    src = _write(tmp_path, "bad.txt", GOOD.replace("Some text.", "Some\x07text."))
    out = tmp_path / "bad.xml"
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(f"{src}:22:5: error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]  # no temporary left over


def test_cli_existing_output_is_not_overwritten(tmp_path):
    src = _write(tmp_path, "doc.txt", GOOD)
    out = _write(tmp_path, "doc.xml", "precious")
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert result.exit_code == 3
    assert "exists; use --force" in result.stderr
    assert out.read_text() == "precious"
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<?xml")


def test_cli_never_overwrites_the_input(tmp_path):
    src = _write(tmp_path, "doc.txt", GOOD)
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(src), "--force"])
    assert result.exit_code == 3
    assert "would overwrite the input" in result.stderr
    assert src.read_text(encoding="utf-8") == GOOD


def test_cli_export_never_overwrites_its_input(tmp_path):
    src = _write(tmp_path, "doc.txt", GOOD)
    xml = tmp_path / "doc.xml"
    assert CliRunner().invoke(main, ["import", str(src), "-o", str(xml)]).exit_code == 0
    before = xml.read_bytes()
    result = CliRunner().invoke(main, ["export", str(xml), "-o", str(xml), "--force"])
    assert result.exit_code == 3 and xml.read_bytes() == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_batch_goes_on_after_a_bad_file(tmp_path, jobs):
    src = tmp_path / "in"
    src.mkdir()
    _write(src, "a.txt", GOOD)
    _write(src, "b.txt", b"\xe9 not utf-8")
    (src / "sub").mkdir()
    _write(src / "sub", "c.txt", GOOD)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["import", str(src), "-d", str(out), "--jobs", jobs])
    assert result.exit_code == 1
    assert f"{src / 'b.txt'}:1:1: error: not UTF-8" in result.stderr
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["a.xml", "sub", "sub/c.xml"]
    assert "1 failed" in result.stderr


def test_cli_bad_lexicon_is_a_setup_error(tmp_path):
    src = _write(tmp_path, "doc.txt", GOOD)
    lex = _write(tmp_path, "lex.tsv", "wrong\theader\n")
    result = CliRunner().invoke(main, ["import", str(src), "--lexicon", str(lex)])
    assert result.exit_code == 3
    assert result.stderr.startswith(f"{lex}:1:1: error: the header must name")
    assert result.stdout == ""


def test_cli_bad_profile_is_a_setup_error(tmp_path):
    src = _write(tmp_path, "doc.txt", GOOD)
    prof = _write(tmp_path, "p.toml", "name = \n")
    result = CliRunner().invoke(main, ["import", str(src), "--profile", str(prof)])
    assert result.exit_code == 3
    assert result.stderr.startswith(f"{prof}:1:8: error: not valid TOML")


def test_an_empty_path_is_an_error_not_the_working_folder(tmp_path, monkeypatch):
    """An empty argument (a file list's last newline) is not "." : nothing is validated."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.xml").write_text("<not-tei/>")
    result = CliRunner().invoke(main, ["validate", "", "--format", "json"])
    assert result.exit_code == 2  # a missing input: a usage error, in every command
    assert result.stderr.strip() == "'': error: an empty path names no file"


def test_cli_missing_source_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["import", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_cli_export_of_broken_xml(tmp_path):
    bad = _write(tmp_path, "bad.xml", "<TEI>\n<teiHeader>\n</TEI>")
    result = CliRunner().invoke(main, ["export", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}:3:")
    assert "not well-formed XML" in result.stderr


def test_cli_export_of_foreign_tei(tmp_path):
    other = _write(tmp_path, "o.xml", '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/></TEI>')
    result = CliRunner().invoke(main, ["export", str(other)])
    assert result.exit_code == 1
    assert "only TEI written by 'tei import'" in result.stderr


def test_cli_export_does_not_expand_entities(tmp_path):
    secret = _write(tmp_path, "secret.txt", "TOP SECRET")
    xml = _write(tmp_path, "x.xml", f'<!DOCTYPE TEI [<!ENTITY s SYSTEM "file://{secret}">]>'
                 '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader>&s;</teiHeader></TEI>')
    result = CliRunner().invoke(main, ["export", str(xml)])
    assert "TOP SECRET" not in result.output
    assert result.exit_code == 1


@pytest.mark.parametrize("command", [["import"], ["export"], ["validate"],
                                     ["register", "check"], ["schemas", "add"]])
def test_a_missing_input_is_exit_2_in_every_command(tmp_path, command):
    """One exit code for a path that names nothing, the one the README's table gives."""
    result = CliRunner().invoke(main, [*command, str(tmp_path / "nowhere.xml")])
    assert result.exit_code == 2, (command, result.output)
    assert "nowhere.xml" in result.stderr and "Traceback" not in result.stderr
