"""The editor's review: every decision the importer makes about a document, as a row an
editor accepts or changes (``tei review``), and those rows, read back, overruling the
importer on every later import (``tei import --decisions``).

A row names its item by a **key** that survives unrelated edits of the source: the
document's id, what the item is, and a short hash of its own text and the words next to it
in its sentence, with an ordinal among items of equal keys ("seed:bracket:3f09a1c2e4",
"seed:bracket:3f09a1c2e4:2"). Line and column are for people, never for matching. A row
whose key matches nothing is stale, and said so: never applied to another item, even one
of the same text (an edit next to an item, within its three words, makes its row stale).

The editor accepts a row by writing ``ok`` in ``status``, or changes ``decision`` or
``target`` (the status may stay empty, or say ``changed``): a row whose decision or target
differs from what the ``importer`` column says the importer decided is the editor's, whatever
its status says; a row left as written is no decision at all (a later release of the importer
may decide that item otherwise).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import DecisionsError, Location
from . import pickling, tsv
from .brackets import (COMPLETION, EXPANSION, IDENTIFICATION, ORIGINAL, RESPELLING,
                       SUPPLEMENT, TRANSLATED_TITLE)

COLUMNS = ("key", "file", "line", "column", "what", "text", "decision", "target", "evidence",
           "certain", "status", "reviewer", "date", "importer")
REQUIRED = ("key", "what", "text", "decision", "target", "status")
# What an editor may decide, per kind of item (the vocabulary --explain uses).
BRACKET = "bracket"
CORRESPONDENT = "correspondent"
NAME = "name"
CORRECTION = "correction"
ELLIPSIS = "ellipsis"
NOTE_ON_ORIGINAL, SUMMARY = "source", "summary"
DECISIONS: dict[str, frozenset[str]] = {
    BRACKET: frozenset({SUPPLEMENT, COMPLETION, IDENTIFICATION, ORIGINAL, EXPANSION,
                        RESPELLING, TRANSLATED_TITLE, NOTE_ON_ORIGINAL, SUMMARY}),
    CORRESPONDENT: frozenset({"sent", "received", "via", "none"}),
    NAME: frozenset({"name", "none"}),
    CORRECTION: frozenset({"corrected", "none"}),  # none: as written, here
    ELLIPSIS: frozenset({"omission", "none"}),  # none: the dots are the text's own
}
STATUSES = frozenset({"", "ok", "changed"})


@dataclass
class Decision:
    """One decision the importer made, as ``tei review`` lists it."""

    key: str
    file: str
    line: int
    column: int
    what: str
    text: str
    decision: str
    target: str = ""
    evidence: str = ""
    certain: bool = True
    status: str = ""
    reviewer: str = ""
    date: str = ""
    importer: str = ""  # the importer's own decision (and target), as review.said() writes it

    def cells(self) -> list[str]:
        return [self.key, self.file, str(self.line), str(self.column), self.what,
                _cell(self.text), self.decision, self.target, _cell(self.evidence),
                "yes" if self.certain else "no", self.status, self.reviewer, self.date,
                self.importer]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickling.reduce(self)  # results come back from the workers


@dataclass(frozen=True)
class Ruling:
    """A row of a decisions file: the editor's word on one item."""

    key: str
    what: str
    text: str
    decision: str
    target: str
    status: str
    where: Location  # the decisions file and the row's line
    reviewer: str = ""  # who: the row's reviewer, else tei import --editor
    date: str = ""  # when: the row's date, else --review-date, else the file's date
    importer: str = ""  # what the importer decided when the row was written

    @property
    def untouched(self) -> bool:
        """A row as `tei review` wrote it (no status; the importer's decision and target as
        they were): no decision of the editor's, neither applied nor ever stale."""
        return not self.status and bool(self.importer) and \
            self.importer == said(self.decision, self.target)

    @property
    def doc_id(self) -> str:
        return self.key.split(":", 1)[0]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickling.reduce(self)  # the workers get the decisions

    def verdict(self, decision: str, target: str = "") -> str:
        """What the row says of the importer's ``decision`` (and ``target``): "ok" (accepted
        as it is), "changed" (the editor decided otherwise), or "" (nothing: the row as
        `tei review` wrote it)."""
        if not self.says(decision, target):
            return ""
        same = (self.decision, self.target) == (decision, target)
        return "ok" if self.status == "ok" and same else "changed"

    def says(self, decision: str, target: str = "") -> bool:
        """Is the row the editor's word ("ok", "changed", or a decision or target other
        than the importer's), not a row left as ``tei review`` wrote it?"""
        if self.status or self.importer and self.importer != said(self.decision, self.target):
            return True  # accepted, or changed from what the importer said then
        return (self.decision, self.target) != (decision, target)

    @property
    def cite(self) -> str:
        """"decisions.tsv:12": the row, as --explain and the review page name it."""
        return f"{os.path.basename(self.where.path)}:{self.where.line}"


@dataclass
class Decisions:
    """The rulings of one or more decisions files (later files win), as the importer asks
    for them, and which of them found their item."""

    by_key: dict[str, Ruling] = field(default_factory=dict)
    # document -> (what, text) of its rulings: an item whose text no row has needs no key
    texts: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    found: list[str] = field(default_factory=list)  # keys found since the caller emptied it

    def __len__(self) -> int:
        return len(self.by_key)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickling.reduce(self)

    def documents(self) -> set[str]:
        return {r.doc_id for r in self.by_key.values()}

    def find(self, key: str) -> Ruling | None:
        """The editor's row for the item ``key``, if any."""
        ruling = self.by_key.get(key)
        if ruling is not None:
            self.found.append(key)
        return ruling

    def stale(self, imported: Iterable[tuple[str, Iterable[str]]]) -> list[Ruling]:
        """Rulings for the documents imported that found no item (the source changed):
        ``imported`` gives each document's id and the keys its import found (the workers of
        a batch each keep their own ``used``)."""
        docs: set[str] = set()
        found: set[str] = set()
        for doc_id, keys in imported:
            docs.add(doc_id)
            found.update(keys)
        return [r for r in self.by_key.values() if r.doc_id in docs and r.key not in found]

    @classmethod
    def load(cls, paths: Iterable[str | Path], ids: frozenset[str] | None = None,
             editor: str = "", date: str = "") -> Decisions:
        """Read decisions files (later ones win). ``ids``: the register's ids, which a
        target must be one of; ``editor``, ``date``: who reviewed the rows and when, where a
        row does not say (the date defaults to the day the file was last changed). Raises
        DecisionsError at the first bad row."""
        out = cls()
        if date and not _DATE.fullmatch(date):
            raise DecisionsError(f"the review date {date!r} is no date (YYYY-MM-DD)",
                                 Location("--review-date"))
        for path in paths:
            for ruling in _read(str(path), ids, editor, date):
                if ruling.untouched:
                    out.by_key.pop(ruling.key, None)  # a later file's untouched row wins too
                else:
                    out.by_key[ruling.key] = ruling
        texts: dict[str, set[tuple[str, str]]] = {}
        for r in out.by_key.values():
            texts.setdefault(r.doc_id, set()).add((r.what, norm(r.text)))
        out.texts = {doc: frozenset(t) for doc, t in texts.items()}
        return out


def _read(path: str, ids: frozenset[str] | None, editor: str, date: str) -> Iterator[Ruling]:
    text = tsv.read(path, DecisionsError)
    if "\0" in text:
        raise DecisionsError("a binary file, not a decisions file (TSV text)",
                             Location(path, 1, 1))
    if not text.strip():
        raise DecisionsError("the decisions file is empty (write it with `tei review`)",
                             Location(path, 1, 1))
    names: list[str] | None = None
    seen: dict[str, Ruling] = {}
    date = date or _file_date(path)
    for n, cells in tsv.rows(text, path, DecisionsError):
        if names is None:
            names = tsv.header(cells, REQUIRED, path, n, DecisionsError)
            continue
        row = dict(zip(names, cells))
        ruling = Ruling(row.get("key", ""), row.get("what", ""), _uncell(row.get("text", "")),
                        row.get("decision", ""), row.get("target", ""),
                        row.get("status", "").lower(), Location(path, n),
                        row.get("reviewer", "") or editor,
                        row.get("date", "") or date, row.get("importer", ""))
        _check(ruling, names, cells, ids)
        before = seen.get(ruling.key)
        if before is not None and (before.decision, before.target) != (ruling.decision,
                                                                        ruling.target):
            raise DecisionsError(f"two rows for {ruling.key} disagree (line "
                                 f"{before.where.line} says {before.decision!r}, this one "
                                 f"{ruling.decision!r})", Location(path, n))
        seen[ruling.key] = ruling
        yield ruling
    if names is None:
        raise DecisionsError("the decisions file has no header row", Location(path, 1, 1))


def _check(r: Ruling, names: list[str], cells: list[str], ids: frozenset[str] | None) -> None:
    where = r.where
    if r.status and not r.reviewer:
        raise DecisionsError(f"who reviewed this row ({r.status})? give tei import --editor "
                             "NAME, or fill the reviewer column", where)
    if not _DATE.fullmatch(r.date):
        raise DecisionsError(f"the date {r.date!r} is no date (YYYY-MM-DD)", where)
    if len(cells) > len(names):
        raise DecisionsError(f"{len(cells)} cells, but the header names {len(names)} columns",
                             where)
    if not _KEY.fullmatch(r.key):
        raise DecisionsError(f"{r.key!r} is no key written by `tei review`", where)
    allowed = DECISIONS.get(r.what)
    if allowed is None:
        raise DecisionsError(f"unknown kind of item {r.what!r} (one of "
                             f"{', '.join(sorted(DECISIONS))})", where)
    if r.decision not in allowed:
        raise DecisionsError(f"unknown decision {r.decision!r} for a {r.what} (one of "
                             f"{', '.join(sorted(allowed))})", where)
    if r.status not in STATUSES:
        raise DecisionsError(f"unknown status {r.status!r} (empty, ok or changed)", where)
    if r.target and ids is not None and r.target not in ids and r.target != "none":
        raise DecisionsError(f"unknown register id {r.target!r} in target (not in the "
                             "persons register)", where)
    if r.what == NAME and r.decision == "name" and not r.target:
        raise DecisionsError("a name links to a register id: give one in target, or write "
                             "the decision none", where)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _file_date(path: str) -> str:
    """The day the file was last changed (UTC): a review date that does not change from one
    import to the next."""
    import datetime
    stamp = Path(path).stat().st_mtime
    return datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).date().isoformat()


_KEY = re.compile(r"[^\s:]+:[a-z]+:[0-9a-f]{10}(?::\d+)?")


def key(doc_id: str, what: str, text: str, before: str, after: str,
        seen: dict[str, int]) -> str:
    """The key of an item: its document, kind, text and the words next to it in its
    sentence (up to three each side), hashed; an ordinal when the same key came before
    (``seen`` counts them, per document)."""
    before, after = before[-_NEAR:], after[:_NEAR]  # three words fit in this
    end = _SENTENCE_END.search(after)
    if end is not None:
        after = after[:end.start()]
    start = max(before.rfind(". "), before.rfind("? "), before.rfind("! "), before.rfind(".\n"))
    # White-space separated words (str.split: the cheapest), punctuation and all.
    context = "\0".join((what, norm(text), " ".join(before[start + 1:].split()[-3:]),
                         " ".join(after.split()[:3])))
    digest = hashlib.blake2s(context.encode("utf-8"), digest_size=5).hexdigest()
    base = f"{doc_id}:{what}:{digest}"
    n = seen[base] = seen.get(base, 0) + 1
    return base if n == 1 else f"{base}:{n}"


_NEAR = 80  # characters either side looked at for the three words
# Where a sentence ends: a full stop, question or exclamation mark, then a space (or the
# paragraph's end); the words of the next sentence are no context of this one's item.
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?(?:\s|\Z)")


def _cell(text: str) -> str:
    """A cell's text on one line: newlines and tabs escaped (a bracket may span lines)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def _uncell(text: str) -> str:
    return re.sub(r"\\([\\nt])", lambda m: {"n": "\n", "t": "\t", "\\": "\\"}[m[1]], text)


def said(decision: str, target: str) -> str:
    """The importer column's form of a decision: "supplement", "name stalin"."""
    return f"{decision} {target}" if target else decision


def reviewed(decided: Iterable[Decision], decisions: Decisions | None) -> list[Decision]:
    """The importer's decisions, each with the status the editor's decisions give it (to
    carry a review forward: ``tei review --decisions``)."""
    out = []
    for d in decided:
        ruling = decisions.by_key.get(d.key) if decisions is not None else None
        if ruling is not None:
            d.status = ruling.status or "changed"
        out.append(d)
    return out


def norm(text: str) -> str:
    """A text as keys and rows compare it: its white space one space."""
    return " ".join(text.split())


def to_tsv(decisions: Iterable[Decision]) -> str:
    """The decisions as a tab-separated file, with its header row."""
    lines = ["\t".join(COLUMNS)]
    lines.extend("\t".join(d.cells()) for d in decisions)
    return "\n".join(lines) + "\n"
