"""Reviewed corrections: a TSV an editor keeps in a spreadsheet, and how it is matched.

Format: UTF-8, tab-separated, a header line naming at least ``sic`` and ``corr``; optional
columns ``type`` (``name``, ``typo`` or ``regularisation``) and ``note``. Blank lines and lines
starting with ``#`` are skipped. Later files override earlier ones entry by entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .errors import LexiconError, Location

TYPES = {"name", "typo", "regularisation"}
_TYPE_ALIASES = {"regularization": "regularisation", "reg": "regularisation", "": "typo"}
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True)
class Entry:
    sic: str
    corr: str
    type: str = "typo"
    note: str = ""
    origin: str = ""  # file:line the entry came from, for messages

    @property
    def is_regularisation(self) -> bool:
        return self.type == "regularisation"


@dataclass
class Lexicon:
    entries: dict[str, Entry] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    # -- building -------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, path: str = "<lexicon>") -> "Lexicon":
        lex = cls(sources=[path])
        header: list[str] | None = None
        for n, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cells = [c.strip() for c in line.split("\t")]
            if header is None:
                header = [c.lower() for c in cells]
                missing = {"sic", "corr"} - set(header)
                if missing:
                    raise LexiconError(
                        "the header must name the columns sic and corr (tab-separated); "
                        f"missing {', '.join(sorted(missing))}",
                        Location(path, n, 1),
                    )
                continue
            row = dict(zip(header, cells))
            sic, corr = row.get("sic", ""), row.get("corr", "")
            if not sic or not corr:
                raise LexiconError("an entry needs both a sic and a corr value", Location(path, n, 1))
            if sic == corr:
                raise LexiconError(f"sic and corr are the same ({sic!r})", Location(path, n, 1))
            kind = row.get("type", "").lower()
            kind = _TYPE_ALIASES.get(kind, kind)
            if kind not in TYPES:
                raise LexiconError(
                    f"unknown type {kind!r}; use name, typo or regularisation",
                    Location(path, n, header.index("type") + 1 if "type" in header else 1),
                )
            if sic in lex.entries:
                raise LexiconError(
                    f"{sic!r} is listed twice (first at {lex.entries[sic].origin})",
                    Location(path, n, 1),
                )
            lex.entries[sic] = Entry(sic, corr, kind, row.get("note", ""), f"{path}:{n}")
        if header is None:
            raise LexiconError("the lexicon is empty: it needs a header line 'sic<TAB>corr'",
                               Location(path, 1, 1))
        return lex

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> "Lexicon":
        """Read lexicon files in order; a later file's entry replaces an earlier one's."""
        lex = cls()
        for p in paths:
            try:
                text = Path(p).read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise LexiconError(f"not UTF-8 (byte {exc.start})", Location(str(p))) from None
            except OSError as exc:
                raise LexiconError(f"cannot read: {exc.strerror}", Location(str(p))) from None
            lex = lex.merged(cls.parse(text, str(p)))
        return lex

    def merged(self, other: "Lexicon") -> "Lexicon":
        return Lexicon({**self.entries, **other.entries}, self.sources + other.sources)

    # -- matching -------------------------------------------------------------------------
    @property
    def matcher(self) -> "Matcher":
        key = tuple(sorted((e.sic, e.corr, e.type) for e in self.entries.values()))
        m = _matchers.get(key)
        if m is None:
            m = _matchers[key] = Matcher(self)
        return m

    def __len__(self) -> int:
        return len(self.entries)


_matchers: dict[tuple, "Matcher"] = {}


class Matcher:
    """Whole-word, longest-first matching of sic forms, and near-miss detection."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.entries = lexicon.entries
        forms = sorted(self.entries, key=lambda s: (-len(s), s))
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)") if forms else None
        )
        # Near misses: corrected forms, split into words, indexed by their one-deletions.
        self.targets: list[tuple[str, ...]] = []
        index: dict[str, set[int]] = {}
        for i, corr in enumerate(sorted({e.corr for e in self.entries.values()})):
            words = tuple(_WORD.findall(corr))
            if not words or " ".join(words) != corr:
                continue  # corr values with odd punctuation are matched exactly only
            self.targets.append(words)
            t = len(self.targets) - 1
            for j, w in enumerate(words):
                if len(w) >= 4:
                    for key in _deletions(w):
                        index.setdefault(key, set()).add(t << 8 | j)
        self.index = {k: frozenset(v) for k, v in index.items()}
        self.sic_forms = frozenset(self.entries)
        self._token_hits = lru_cache(maxsize=65536)(self._token_hits_uncached)

    def finditer(self, text: str) -> Iterator[tuple[int, int, Entry]]:
        if self.pattern is None:
            return
        for m in self.pattern.finditer(text):
            yield m.start(), m.end(), self.entries[m.group()]

    def _token_hits_uncached(self, token: str) -> frozenset[int]:
        hits: set[int] = set()
        for key in _deletions(token):
            got = self.index.get(key)
            if got:
                hits |= got
        return frozenset(hits)

    def near_misses(self, text: str) -> Iterator[tuple[int, int, str]]:
        """Spans of ``text`` within a small edit distance of a corrected form (not equal to it).

        A word sequence is a candidate when one of its words is within one deletion-pair of the
        corresponding word of a corrected form; the whole sequence must then be within
        distance 1 (forms under 8 characters) or 2 (longer ones).
        """
        if not self.targets:
            return
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        seen: set[tuple[int, int]] = set()
        for i, (_, _, tok) in enumerate(tokens):
            if len(tok) < 3:
                continue
            for code in self._token_hits(tok):
                t, j = code >> 8, code & 0xFF
                words = self.targets[t]
                first = i - j
                last = first + len(words) - 1
                if first < 0 or last >= len(tokens):
                    continue
                start, end = tokens[first][0], tokens[last][1]
                if (start, end) in seen:
                    continue
                seen.add((start, end))
                found = text[start:end]
                corr = " ".join(words)
                if found == corr or found in self.sic_forms:
                    continue
                limit = 1 if len(corr) < 8 else 2
                if abs(len(found) - len(corr)) <= limit and _distance(found, corr, limit) <= limit:
                    yield start, end, corr


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it must exceed ``limit``."""
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]
