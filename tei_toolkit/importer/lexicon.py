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
from typing import Any, Iterable, Iterator

from ..errors import LexiconError, Location
from . import pickling, tsv
from .source import MONTH_NAMES

TYPES = {"name", "typo", "regularisation"}
_TYPE_ALIASES = {"regularization": "regularisation", "reg": "regularisation", "": "typo"}
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Entry:
    sic: str
    corr: str
    type: str = "typo"
    note: str = ""
    origin: str = ""  # file:line the entry came from, for messages

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickling.reduce(self)  # picklable when compiled

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
        for n, cells in tsv.rows(text, path, LexiconError):
            if header is None:
                header = tsv.header(cells, ("sic", "corr"), path, n, LexiconError)
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
            lex = lex.merged(cls.parse(tsv.read(p, LexiconError), str(p)))
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


_matchers: dict[tuple[Any, ...], "Matcher"] = {}


class Matcher:
    """Whole-word, longest-first matching of sic forms, and near-miss detection."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.entries = lexicon.entries
        forms = sorted(self.entries, key=lambda s: (-len(s), s))
        self.forms = forms  # in the pattern's order of alternatives
        # No leading look-behind: a pattern that starts with its literals lets the regex engine
        # skip ahead to possible first characters; the word boundary before is checked by hand.
        self.pattern = (
            re.compile(r"(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)") if forms else None
        )
        # Near misses: corrected forms, split into words, indexed by their one-deletions.
        self.targets: list[tuple[tuple[str, ...], str]] = []
        index: dict[str, set[int]] = {}
        for corr in sorted({e.corr for e in self.entries.values()}):
            words = tuple(_WORD.findall(corr))
            if not words:
                continue
            self.targets.append((words, corr))
            t = len(self.targets) - 1
            for j, w in enumerate(words):
                if len(w) >= 4:
                    for key in _deletions(w):
                        index.setdefault(key, set()).add(t << 8 | j)
        self.index = {k: frozenset(v) for k, v in index.items()}
        self.sic_words = frozenset(tuple(_WORD.findall(s)) for s in self.entries)
        self._word_codes = lru_cache(maxsize=1 << 16)(self._word_codes_uncached)
        # Chunks with no suspect word (public: the spelling screen reads it).
        self.clean: set[str] = set()
        self._dirty: dict[str, tuple[str, ...]] = {}  # chunk -> its suspect words
        self._verdict = lru_cache(maxsize=1 << 16)(self._verdict_uncached)

    def finditer(self, text: str) -> Iterator[tuple[int, int, Entry]]:
        """(start, end, entry) of each match, left to right: at each place the longest form
        (then the first alphabetically) that ends a word; never inside a word."""
        if self.pattern is None:
            return
        if len(self.entries) <= 64:
            # A small lexicon: the forms the text holds at all are found by substring tests,
            # then followed up with str.find; the same matches as the regex, far cheaper.
            present = [form for form in self.forms if form in text]
            if present:
                yield from self._find_present(text, present)
            return
        yield from self._search(text)

    def _search(self, text: str) -> Iterator[tuple[int, int, Entry]]:
        assert self.pattern is not None
        pos = 0
        search = self.pattern.search
        while True:
            m = search(text, pos)
            if m is None:
                return
            s = m.start()
            if s and _is_word_char(text[s - 1]):
                pos = s + 1  # inside a word: not a whole-word match; look again just after
                continue
            yield s, m.end(), self.entries[m.group()]
            pos = m.end()

    def _find_present(self, text: str, present: list[str]
                      ) -> Iterator[tuple[int, int, Entry]]:
        """``self.pattern``'s matches, knowing which forms occur: ``present``, in the
        pattern's order of alternatives."""
        n = len(text)
        pos = 0
        # Each form's first place at or after pos where it ends a word (-1: none is left),
        # looked for again only once pos has passed it: linear, whatever the text.
        ahead = [-2] * len(present)  # -2: not looked for yet
        while True:
            best, best_form = -1, ""
            for k, form in enumerate(present):
                s = ahead[k]
                if s == -2 or 0 <= s < pos:
                    s = text.find(form, pos)
                    while s >= 0:
                        e = s + len(form)
                        if e == n or not _is_word_char(text[e]):
                            break
                        s = text.find(form, s + 1)
                    ahead[k] = s
                if s >= 0 and (best < 0 or s < best):  # ties: the earlier alternative
                    best, best_form = s, form
            if best < 0:
                return
            if best and _is_word_char(text[best - 1]):
                pos = best + 1  # inside a word, as above
                continue
            yield best, best + len(best_form), self.entries[best_form]
            pos = best + len(best_form)

    def regular(self, name: str) -> str | None:
        """The regular form the lexicon gives ``name`` (a regularisation entry), or None."""
        entry = self.entries.get(name)
        return entry.corr if entry is not None and entry.is_regularisation else None

    def _word_codes_uncached(self, word: str) -> tuple[int, ...]:
        """(target << 8 | word index) of corrected-form words near ``word`` but not equal to it."""
        if len(word) < 3:
            return ()
        codes = {code for key in _deletions(word) for code in self.index.get(key, ())}
        # Typing slips rarely hit a word's first letter: "long" is no near miss of "Dong".
        first = word[0].lower()
        return tuple(sorted(c for c in codes if self.targets[c >> 8][0][c & 0xFF] != word
                            and self.targets[c >> 8][0][c & 0xFF][0].lower() == first))

    def _suspects(self, chunk: str) -> tuple[str, ...]:
        """The words of ``chunk`` near a corrected form's word (but not it)."""
        return tuple(w for w in _WORD.findall(chunk) if self._word_codes(w))

    def _verdict_uncached(self, window: tuple[str, ...], t: int) -> bool:
        words, corr = self.targets[t]
        if window == words or window in self.sic_words:
            return False
        seen, target = " ".join(window), " ".join(words)
        limit = 1 if len(target) < 8 else 2
        return abs(len(seen) - len(target)) <= limit and _distance(seen, target, limit) <= limit

    def _windows(self, text: str, word: str, at: int, end: int,
                 found: dict[tuple[str, ...], str]) -> None:
        """Check the word sequences around ``word`` (at text[at:end]) against its targets."""
        for code in self._word_codes(word):
            t, j = code >> 8, code & 0xFF
            target, corr = self.targets[t]
            before = _WORD.findall(text, max(0, at - 120), at)[-j:] if j else []
            need = len(target) - j - 1
            after = _WORD.findall(text, end, end + 120)[:need] if need else []
            if len(before) < j or len(after) < need:
                continue
            window = (*before, word, *after)
            if window not in found and self._verdict(window, t):
                found[window] = corr

    def near_misses(self, text: str, chunks: set[str] | None = None
                    ) -> Iterator[tuple[int, int, str]]:
        """Spans of ``text`` within a small edit distance of a corrected form (not equal to it).

        A word sequence is a candidate when one of its words is within one deletion-pair of the
        corresponding word of a corrected form without being that word; the whole sequence must
        then be within distance 1 (forms under 8 characters) or 2 (longer ones).
        ``chunks``: the whitespace-separated chunks of ``text`` (or of a text it was made
        from by blanking whole words out), when the caller has them already; chunks known
        to be clean may be left out.
        """
        if not self.targets:
            return
        # Fast path: whitespace-separated chunks already known to hold no suspect word are
        # removed with set operations (C speed); most texts have no suspect left.
        if chunks is None:
            chunks = set(text.split())
        clean = self.clean
        if chunks <= clean:  # the common case, with no new set made
            return
        dirty = self._dirty
        if len(clean) > 1 << 20 or len(dirty) > 1 << 16:  # bounded memory in long batches
            clean.clear()
            dirty.clear()
        suspects: set[str] = set()
        for c in chunks - clean:
            words = dirty.get(c)
            if words is None:
                words = self._suspects(c)
                if words:
                    dirty[c] = words
                else:
                    clean.add(c)
            suspects.update(words)
        if not suspects:
            return
        found: dict[tuple[str, ...], str] = {}
        for word in suspects:
            at = text.find(word)
            while at >= 0:
                end = at + len(word)
                whole = (not at or not _is_word_char(text[at - 1])) and \
                    (end == len(text) or not _is_word_char(text[end]))
                if whole:
                    self._windows(text, word, at, end, found)
                at = text.find(word, end)
        # Rare: place each near miss in the text (every occurrence of its word sequence).
        for window, corr in found.items():
            pattern = r"(?<!\w)" + r"\W+".join(map(re.escape, window)) + r"(?!\w)"
            for m in re.finditer(pattern, text):
                yield m.start(), m.end(), corr


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


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


def suggest(results: "list[Any]") -> str:
    """A draft lexicon (TSV, the lexicon's own format) from the near-miss and misspelling
    warnings of import results: one row per distinct form, with where it was found, for an
    editor to review and pass back with --lexicon."""
    rows: dict[tuple[str, str], list[str]] = {}
    for r in results:
        for w in r.warnings:
            if w.suggestion is not None:
                rows.setdefault(w.suggestion, []).append(str(w.location))
    out = ["# Draft rows from tei lexicon suggest: review each before use (delete the wrong "
           "ones).", "sic\tcorr\ttype\tnote"]
    for (sic, corr), where in sorted(rows.items()):
        kind = "name" if " " in sic or (sic[:1].isupper() and corr[:1].isupper()
                                        and corr.lower() not in _MONTHS) else "typo"
        more = f" and {len(where) - 1} more" if len(where) > 1 else ""
        out.append(f"{sic}\t{corr}\t{kind}\tfound at {where[0]}{more}")
    return "\n".join(out) + "\n"


_MONTHS = frozenset(m.lower() for m in MONTH_NAMES)
