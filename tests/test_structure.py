"""Patterns of real pages beyond brackets: flattened footnotes (more to come: heading, closer,
rule lines). Each keeps the round trip exact; where the pattern does not pair up, nothing
changes."""

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
    assert xml.endswith("<p>IVANOV</p>")
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
