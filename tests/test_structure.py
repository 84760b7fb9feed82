"""Patterns of real pages beyond brackets: flattened footnotes, a first line repeating the
title, rule lines, a closing signature block. Each keeps the round trip exact; where a pattern
is not unambiguous, nothing changes."""

from __future__ import annotations

import pytest

from tei_toolkit import import_text, read_tei, reading
from tei_toolkit.exports.readings import normalize_source

from .helpers import body_xml, export


def _round_trip(body: str) -> None:
    text = export(body=body)
    result = import_text(text, "x.txt")
    assert reading(read_tei(result.xml, "x.xml"), "source") == normalize_source(text)


def test_a_flattened_footnote_becomes_anchor_and_note():
    body = "We ask for trucks before the rains.1 Then more.\n\n1 The rains begin in July."
    xml = body_xml(body)
    assert ('rains.<anchor type="footnote" n="1" xml:id="fn1-a" rend="flattened"/> Then'
            in xml)
    assert ('<note n="1" place="end" xml:id="fn1" target="#fn1-a" rend="flattened">The rains '
            'begin in July.</note>' in xml)
    _round_trip(body)


def test_a_flattened_footnote_before_a_rule_and_a_signature():
    body = ("First the plan.1 Then the second point,2 agreed.\n\n1 A note.\n\n2 Another."
            "\n\n__________\n\nIVANOV")
    xml = body_xml(body)
    assert xml.count("<anchor") == 2 and xml.count('rend="flattened">') == 2
    assert xml.endswith("<closer><signed>IVANOV</signed></closer>")
    _round_trip(body)


@pytest.mark.parametrize("body", [
    "Some text.\n\n1 A paragraph that starts with a number.",        # no marker
    "Two markers.1 And again.1\n\n1 A note.",                          # two markers for 1
    "A marker.2\n\n2 Numbered from two.",                               # not from 1
    "Inside [a bracket.1] only.\n\n1 A note.",                          # inside brackets
])
def test_flattened_footnotes_that_do_not_pair_up_change_nothing(body):
    assert "<anchor" not in body_xml(body)
    _round_trip(body)


def _div(body: str, title: str = "Telegram, A to B") -> str:
    from .helpers import tei_of, xp
    from lxml import etree
    root = tei_of(export(body=body, title=title))
    return "".join(etree.tostring(el, encoding="unicode", with_tail=False).replace(
        ' xmlns="http://www.tei-c.org/ns/1.0"', "") for el in xp(root, "t:text/t:body/t:div/*"))


@pytest.mark.parametrize("body, expected", [
    # the first line repeats the title: a heading
    ("Telegram, A to B\n\nThe text.", "<head>Telegram, A to B</head><p>The text.</p>"),
    # a rule, then a signature and a date
    ("The text.\n\n__________\n\nIvan Petrov\n21 December [1949]",
     '<p>The text.</p><milestone unit="section" rend="underscores10"/><closer><signed>Ivan '
     'Petrov</signed><lb/><dateline>21 December <supplied reason="completion" resp="#archive">'
     "1949</supplied></dateline></closer>"),
    # a name in capitals, a number, a date in Roman-numeral form
    ("The text.\n\nPETROV\nNº 12\n3.III.51",
     "<p>The text.</p><closer><signed>PETROV</signed><lb/>Nº 12<lb/><dateline>3.III.51"
     "</dateline></closer>"),
])
def test_heading_rule_and_closer(body, expected):
    assert _div(body) == expected
    _round_trip(body)


@pytest.mark.parametrize("body", [
    "Telegram, A to B",                                   # the only paragraph: not a heading
    "The text.\n\nThank you for your letter of May 3.",   # a sentence, not a signature
    "The text.\n\nPetrov",                                # a plain name, no rule before it
    "__________ and more text",                           # not a rule line
])
def test_no_structure_where_it_is_not_unambiguous(body):
    div = _div(body)
    assert "<head>" not in div and "<closer>" not in div and "<milestone" not in div
    _round_trip(body)
