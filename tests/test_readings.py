"""The corrected reading renders each bracket class as the profile's [reading] section says."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tei_toolkit import Profile, ProfileError, import_text, read_tei, reading
from tei_toolkit.cli import main

from .helpers import export

BODY = ("The MGB [Ministry of State Security] adviser and the MGB [Ministry of State Security] "
        "officer must begin without delay [nemedlenno pristupit' k otgruzke], and "
        "Filippov [Stalin] asked Phenian [Pyongyang] for [more] lorries.")


def corrected(tmp_path, settings: str | None = None) -> str:
    root = read_tei(import_text(export(summary=None, body=BODY), "x.txt").xml, "x")
    profile = None
    if settings is not None:
        path = tmp_path / "p.toml"
        path.write_text("[reading]\n" + settings, encoding="utf-8")
        profile = Profile.load(path)
    return reading(root, "corrected", "x", profile).split("Translation - English\n\n")[1]


def test_default_expands_once_keeps_original_wording_and_glosses_in_brackets(tmp_path):
    assert corrected(tmp_path) == (
        "The MGB [Ministry of State Security] adviser and the MGB officer must begin without "
        "delay [nemedlenno pristupit' k otgruzke], and Filippov [Stalin] asked Phenian "
        "[Pyongyang] for more lorries.\n")


def test_original_wording_dropped_and_every_expansion(tmp_path):
    assert corrected(tmp_path, 'original = "dropped"\nexpansions = "every"\n') == (
        "The MGB [Ministry of State Security] adviser and the MGB [Ministry of State Security] "
        "officer must begin without delay, and Filippov [Stalin] asked Phenian [Pyongyang] for "
        "more lorries.\n")


def test_the_source_reading_ignores_the_reading_settings(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[reading]\noriginal = "dropped"\n', encoding="utf-8")
    text = export(summary=None, body=BODY)
    root = read_tei(import_text(text, "x.txt").xml, "x")
    assert reading(root, "source", "x", Profile.load(path)).endswith(BODY + "\n")


@pytest.mark.parametrize("settings, message", [
    ('original = "hidden"\n', "'reading.original' must be"),
    ('expansions = "never"\n', "'reading.expansions' must be"),
    ('colour = "red"\n', "unknown setting 'reading.colour'"),
])
def test_bad_reading_settings(tmp_path, settings, message):
    path = tmp_path / "p.toml"
    path.write_text("[reading]\n" + settings, encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        Profile.load(path)


def test_export_takes_the_profile(tmp_path):
    tei = tmp_path / "x.xml"
    tei.write_bytes(import_text(export(summary=None, body=BODY), "x.txt").xml)
    path = tmp_path / "p.toml"
    path.write_text('[reading]\noriginal = "dropped"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["export", str(tei), "--reading", "corrected",
                                       "--profile", str(path)])
    assert result.exit_code == 0, result.output
    assert "without delay, and" in result.output
    assert "nemedlenno" not in result.output
