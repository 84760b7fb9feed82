"""The reading edition on a phone (issue 24, item 6), in headless Chromium at 390 CSS pixels:
no page scrolls sideways, the index's cards say which name is the sender and which the
recipient, and each document page explains its conventions in a legend."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .browser import Browser
from .conftest import CORPUS, installed_tei
from .helpers import export

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
LONG_URL = "https://digitalarchive.wilsoncenter.org/document/" + "a-very-long-slug-" * 12 + "1"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The corpus's edition, and a made-up document with what stretches a page: a long
    unbroken address, a long word in a title, a long name."""
    base = tmp_path_factory.mktemp("phone")
    src = base / "src"
    src.mkdir()
    title = "Telegram, Gao Gang to Peng Dehuai, on " + "Counter" * 12 + "measures"
    (src / "wide.txt").write_text(export(
        title=title,
        citation=(f'"{title}", June 19, 1954, Wilson Center Digital Archive, '
                  f"Archive-Reference-{'X' * 60}, p. 1.  \n<{LONG_URL}>"),
        body=f"Gao Gang wrote about {'Extra' * 20}ordinary things, see {LONG_URL}."),
        encoding="utf-8")
    tei = base / "tei"
    for sources in (CORPUS / "sources", src):
        proc = subprocess.run([installed_tei(), "import", str(sources), "-d", str(tei)],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
    out = base / "site"
    proc = subprocess.run([installed_tei(), "export", str(tei), "--to", "html", "-d", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def phone():
    with Browser() as b:
        b.send("Emulation.setDeviceMetricsOverride", PHONE, session=True)
        yield b


def test_no_page_scrolls_sideways_at_390_pixels(site, phone):
    pages = sorted(site.glob("*.html"))
    assert len(pages) == 16  # 13 documents and the made-up one, the index, the persons
    wide = []
    # A phone widens its layout viewport to content wider than the screen (and shrinks the
    # text to fit): the page is as wide as the screen only if neither is wider.
    width = "Math.max(window.innerWidth, document.documentElement.scrollWidth)"
    for page in pages:
        phone.open(page.as_uri())
        if phone.js(width) > 390:
            wide.append(f"{page.name}: {phone.js(width)} px")
        # Both readings, the one shown first and the archive's.
        if phone.js("document.querySelector('.switch') !== null"):
            phone.click(".switch button", 1)
            if phone.js(width) > 390:
                wide.append(f"{page.name} (archive's reading): {phone.js(width)} px")
    assert not wide, wide


def test_the_phone_index_labels_each_value_of_a_card(site, phone):
    phone.open((site / "index.html").as_uri())
    labels = phone.js("""Array.prototype.map.call(document.querySelectorAll('tbody tr')[0]
        .children, function(td){ return [getComputedStyle(td, '::before').content,
        td.getBoundingClientRect().width > 0]; })""")
    assert [label for label, _ in labels] == ['"Date"', '"Title"', '"From"', '"To"',
                                             '"Summary"']
    # On a wide screen the header row says it instead.
    phone.send("Emulation.setDeviceMetricsOverride", {**PHONE, "width": 1000, "mobile": False},
               session=True)
    try:
        phone.open((site / "index.html").as_uri())
        assert phone.js("getComputedStyle(document.querySelector('tbody td'), '::before')"
                        ".content") in ("none", "normal")
        assert phone.js("getComputedStyle(document.querySelector('thead')).display") != "none"
    finally:
        phone.send("Emulation.setDeviceMetricsOverride", PHONE, session=True)


def test_each_document_page_has_a_legend_of_its_conventions(site, phone):
    page = next(p for p in site.glob("*.html") if p.name not in ("index.html", "persons.html"))
    phone.open(page.as_uri())
    legend = phone.js("""Array.prototype.map.call(document.querySelectorAll('.legend dt > *'),
        function(e){ return [e.className, getComputedStyle(e).color,
                             getComputedStyle(e).backgroundColor]; })""")
    classes = [c for c, _, _ in legend]
    assert {"supplied", "gloss", "corr", "gap", "name"} <= set(classes)
    # Each sample looks like the text it explains (the same class, the same style).
    for cls, color, background in legend:
        same = phone.js(f"""(function(){{var e=document.querySelector('article .{cls}');
            return e ? [getComputedStyle(e).color, getComputedStyle(e).backgroundColor] : null;
            }})()""")
        if same is not None:
            assert same == [color, background], cls
