"""When a register form found in running text is that entry's person: only when nothing
around it says otherwise.

- A form followed by a capitalised name part no form of the entry has ("Comrade Given
  Surname", where Given is a leader's registered one-word name) names someone else: it is
  not linked, and a warning names it.
- An initial or a given name before a registered one-word surname ("E. Surname", "Comrade
  Ivan Surname") is part of the name: it goes inside the persName, which is linked when the
  entry's own forms agree with it (same initials, a given name the entry has, or no given
  name known), and otherwise not linked, with a warning.
"""

from __future__ import annotations

import calendar
import re

from .brackets import HONORIFICS, ROLE_WORDS, common_english, is_english
from .register import Hit, Index

# Capitalised words that follow or precede a name without being part of it.
_FUNCTION = frozenset(
    "a an and as at but by for from in into of on or the to with than that this".split())
_CALENDAR = frozenset(w.lower() for w in (*calendar.month_name[1:], *calendar.day_name))
_NOT_GIVEN = HONORIFICS | ROLE_WORDS | _FUNCTION | _CALENDAR

# A capitalised word (with lower case after its first letter) just after a name.
_NEXT = re.compile(r" (?P<word>[A-ZÀ-Þ][a-zß-ÿ][\w'’-]*)")
# Initials and given names (a patronymic too) just before a name: "E. ", "A.I. ", "Leonid
# Ilyich ", "Comrade Ivan " (the title is dropped below).
_BEFORE = re.compile(r"(?<![\w.'’-])(?:[A-Z]\.[ ]?|[A-ZÀ-Þ][a-zß-ÿ][\w'’-]*[ ]){1,4}\Z")
_TOKEN = re.compile(r"[A-Z]\.|[A-ZÀ-Þ][a-zß-ÿ][\w'’-]*")
# How often a capitalised word must be in the English word list to be a word, not a given
# name ("Soviet" 17,003; "John" 6,920, "Ivan" 657).
_WORD_NOT_NAME = 10_000
_SENTENCE_START = re.compile(r"(?:\A|[.!?:;\"“(\n])\s*\Z")


def read(index: Index, text: str, hit: Hit, floor: int) -> tuple[int, str | None]:
    """(where the name starts, None) when ``hit`` is the entry's person (the start moves back
    over an initial or given name that goes with it), or (where the phrase starts, why not)
    when something says it is another person. ``floor``: where text not yet taken starts."""
    person, form = hit.person, text[hit.start:hit.end]
    after = _NEXT.match(text, hit.end)
    if (after is not None and not form.isupper()
            and after["word"].lower() not in _FUNCTION | _CALENDAR
            and after["word"] not in index.first_forms):
        word = after["word"]
        return hit.start, (f"{form + ' ' + word!r}: {form!r} is a {hit.how} of {person.name} "
                           f"({person.id}), but {word!r} is in none of its names, so it is "
                           "another person's name: not linked (add the whole name to the "
                           "register if it is this person's, or an entry of its own)")
    if len(form.split()) != 1:
        return hit.start, None
    before = _BEFORE.search(text, floor, hit.start)
    tokens = list(_TOKEN.finditer(text, before.start(), hit.start)) if before else []
    # Only what follows the last title, function word, frequent English word ("Soviet",
    # "Later": "John" and "Ivan" are less frequent) or one-word register form ("Moscow
    # Molotov") is a given name.
    for k in range(len(tokens) - 1, -1, -1):
        word = tokens[k].group()
        if word.lower() in _NOT_GIVEN or (word,) in index.by_words or \
                common_english(word, _WORD_NOT_NAME):
            tokens = tokens[k + 1:]
            break
    if tokens and not tokens[0].group().endswith(".") and is_english(tokens[0].group()) \
            and _SENTENCE_START.search(text, 0, tokens[0].start()):
        tokens = tokens[1:]  # "Meanwhile Molotov": a word of the list starting a sentence
    known = [_TOKEN.findall(" ".join(f.split()[:-1])) for f, _ in person.forms()
             if len(f.split()) > 1 and f.split()[-1] == form]
    if not tokens:
        return hit.start, None
    begin = tokens[0].start()
    phrase = text[begin:hit.end]
    if hit.how == "code name":
        return begin, (f"{phrase!r}: {form!r} is a code name of {person.name} "
                       f"({person.id}); with a given name or initial before it, it is a "
                       "person's real name: not linked")
    given = [m.group() for m in tokens]
    if not known or any(_agrees(given, k) for k in known):
        return begin, None
    return begin, (f"{phrase!r}: the register's {form} is {person.name} ({person.id}), "
                   f"whose names do not have {' '.join(given)!r}: not linked")


def _agrees(given: list[str], known: list[str]) -> bool:
    """Whether the given names or initials of a text agree with those of one of the entry's
    forms, name by name as far as both go: a word must be the same word, an initial the
    word's first letter ("Leonid Ilyich" agrees with "Leonid" and with "L. I.")."""
    for a, b in zip(given, known):
        if a.endswith(".") or b.endswith("."):
            if a[0] != b[0]:
                return False
        elif a != b:
            return False
    return True
