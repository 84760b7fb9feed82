"""Letters -> a table: one row per document, as CSV (spreadsheets) or JSON (scripts).

The JSON rows follow ``data/letters.schema.json`` (JSON Schema 2020-12); the CSV has the same
fields, lists joined with `` | `` and the counts in columns of their own, without the text.
"""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

from .letters import Letter, Party

COUNTS = ("supplied", "omissions", "illegible", "corrections", "regularisations",
          "identifications", "original_wording", "expansions", "other_spellings", "notes")


def schema() -> dict:
    """The JSON Schema of a row."""
    text = resources.files("tei_toolkit").joinpath("data/letters.schema.json").read_text("utf-8")
    return json.loads(text)


def _party(p: Party) -> dict:
    return {"name": p.name, "as_written": p.text, "id": p.entry.id if p.entry else None,
            "authority": p.entry.authority if p.entry else None,
            "kind": p.entry.kind if p.entry else "org" if p.is_org else "person"}


def row(letter: Letter, with_text: bool = True) -> dict:
    """One document's row of the letters table."""
    out = {
        "id": letter.id, "url": letter.url, "date": letter.date, "type": letter.type,
        "title": letter.title,
        "senders": [_party(p) for p in letter.senders],
        "recipients": [_party(p) for p in letter.recipients],
        "transmitted_by": [_party(p) for p in letter.transmitted],
        "enclosed_from": [_party(p) for p in letter.enclosed_from],
        "places": [{"action": action, **_party(p)} for action, p in letter.places.items()],
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
    " | ", no text), UTF-8."""
    buf = io.StringIO()
    fields = ["id", "url", "date", "type", "title", "senders", "sender_ids",
              "sender_authorities", "recipients", "recipient_ids", "recipient_authorities",
              "transmitted_by", "enclosed_from", "places", "languages", "summary",
              *COUNTS]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for letter in letters:
        r = row(letter, with_text=False)

        def join(parties: list[dict], key: str) -> str:
            return " | ".join(p[key] or "" for p in parties)
        writer.writerow({
            "id": r["id"], "url": r["url"] or "", "date": r["date"], "type": r["type"],
            "title": r["title"],
            "senders": join(r["senders"], "name"), "sender_ids": join(r["senders"], "id"),
            "sender_authorities": join(r["senders"], "authority"),
            "recipients": join(r["recipients"], "name"),
            "recipient_ids": join(r["recipients"], "id"),
            "recipient_authorities": join(r["recipients"], "authority"),
            "transmitted_by": join(r["transmitted_by"], "name"),
            "enclosed_from": join(r["enclosed_from"], "name"),
            "places": " | ".join(p["name"] for p in r["places"]), "languages": " | ".join(r["languages"]),
            "summary": r["summary"], **r["counts"],
        })
    return buf.getvalue().encode("utf-8")
