"""Letters -> a table: one row per document, as CSV (spreadsheets) or JSON (scripts).

The JSON rows follow ``data/letters.schema.json`` (JSON Schema 2020-12); the CSV has the same
fields, lists joined with `` | `` and the counts in columns of their own, without the text.
A CSV cell that a spreadsheet would read as a formula begins with ``'`` (``csv_cell``); the
JSON keeps every text exactly.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any
from importlib import resources

from .letters import Letter, Party

COUNTS = ("supplied", "omissions", "illegible", "corrections", "regularisations",
          "identifications", "original_wording", "expansions", "other_spellings", "notes")


# A cell beginning with one of these is a formula to Excel, LibreOffice and Google Sheets
# (=HYPERLINK(...), @SUM(...), -2+3); OWASP's advice is a leading ' , which makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain negative number is left alone: a spreadsheet reads it as that number, and no
# formula fits in it. A date with a minus (BCE, -0044-03-15) is not one: unquoted, it is
# computed as a subtraction.
_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(?:\.[0-9]+)?")
LIST_SEPARATOR = " | "


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text and never runs: with a leading
    ``'`` if it begins with = + - @ tab or carriage return, unless it is a negative number."""
    if text.startswith(FORMULA_START) and not _NEGATIVE_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_list(items: list[str]) -> str:
    """A list as one CSV cell, " | " between the items; each item is neutralised as
    ``csv_cell`` does, so that splitting the cell at " | " gives no formula either."""
    return LIST_SEPARATOR.join(csv_cell(x) for x in items)


def schema() -> dict[str, Any]:
    """The JSON Schema of a row."""
    text = resources.files("tei_toolkit").joinpath("data/letters.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _party(p: Party) -> dict[str, Any]:
    return {"name": p.name, "as_written": p.text, "id": p.entry.id if p.entry else None,
            "authority": p.entry.authority if p.entry else None,
            "kind": p.entry.kind if p.entry else "org" if p.is_org else "person"}


def row(letter: Letter, with_text: bool = True) -> dict[str, Any]:
    """One document's row of the letters table."""
    out = {
        "id": letter.id, "url": letter.url, "date": letter.date, "type": letter.type,
        "title": letter.title,
        "senders": [_party(p) for p in letter.senders],
        "recipients": [_party(p) for p in letter.recipients],
        "transmitted_by": [_party(p) for p in letter.transmitted],
        "enclosed_from": [_party(p) for p in letter.enclosed_from],
        "places": [{"action": action, **_party(p)} for action, p in letter.places.items()],
        "place_sent": letter.places["sent"].name if "sent" in letter.places else None,
        "place_received": (letter.places["received"].name if "received" in letter.places
                           else None),
        "call_number": letter.call_number, "translators": letter.translators,
        "languages": letter.languages, "summary": letter.summary,
        "counts": {k: letter.counts.get(k, 0) for k in COUNTS},
    }
    if with_text:
        out["text"] = letter.text
    return out


def to_json(letters: list[Letter]) -> bytes:
    """The letters table as JSON: an array of rows (data/letters.schema.json), UTF-8."""
    return (json.dumps([row(x) for x in letters], ensure_ascii=False, indent=1) + "\n").encode()


def to_csv(letters: list[Letter]) -> bytes:
    """The letters table as CSV: a header, then a row per document (lists joined with
    " | ", no text), UTF-8 with a byte-order mark. Every text cell goes through
    ``csv_cell``: no cell is a formula."""
    buf = io.StringIO()
    fields = ["id", "url", "date", "type", "title", "senders", "sender_ids",
              "sender_authorities", "recipients", "recipient_ids", "recipient_authorities",
              "transmitted_by", "enclosed_from", "places", "place_sent", "place_received",
              "call_number", "translators", "languages", "summary", *COUNTS]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    # The csv module quotes a field holding the line terminator ("\n") but not a lone "\r",
    # which csv readers and spreadsheets take for a line end: the rest of the cell would be a
    # row of its own, and could begin a formula. A row holding one is written all quoted.
    quoted = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n",
                            quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for letter in letters:
        r = row(letter, with_text=False)

        def join(parties: list[dict[str, Any]], key: str) -> str:
            return csv_list([p[key] or "" for p in parties])
        cells = {
            "id": csv_cell(r["id"]), "url": csv_cell(r["url"] or ""),
            "date": csv_cell(r["date"]), "type": csv_cell(r["type"]),
            "title": csv_cell(r["title"]),
            "senders": join(r["senders"], "name"), "sender_ids": join(r["senders"], "id"),
            "sender_authorities": join(r["senders"], "authority"),
            "recipients": join(r["recipients"], "name"),
            "recipient_ids": join(r["recipients"], "id"),
            "recipient_authorities": join(r["recipients"], "authority"),
            "transmitted_by": join(r["transmitted_by"], "name"),
            "enclosed_from": join(r["enclosed_from"], "name"),
            "places": csv_list([p["name"] for p in r["places"]]),
            "place_sent": csv_cell(r["place_sent"] or ""),
            "place_received": csv_cell(r["place_received"] or ""),
            "call_number": csv_cell(r["call_number"] or ""),
            "translators": csv_list(r["translators"]),
            "languages": csv_list(r["languages"]),
            "summary": csv_cell(r["summary"]), **r["counts"],  # counts: ints we computed
        }
        cr = any(isinstance(v, str) and "\r" in v for v in cells.values())
        (quoted if cr else writer).writerow(cells)
    # A byte-order mark: Excel reads a CSV without one in the machine's legacy code page, and
    # every non-ASCII name would be mojibake. LibreOffice and pandas read it as UTF-8 either
    # way; Python's csv module with encoding="utf-8-sig".
    return buf.getvalue().encode("utf-8-sig")
