"""What a square bracket means: supplement, completion, identification, original wording,
expansion, another spelling, translated title.

The exports do not say; the words around the bracket do (see ../shared/FORMAT.md, studied on
real pages). Each rule below decides from evidence a reader can check, and says which:

- a **completion** is a month after a day number, a year after a day or month, or one
  capitalised word that is not an English word, standing before the rest of a name
  (``[Liu] Shaoqi``, ``15 [March]``, ``21 December [1949]``);
- a **translated title** stands in a citation after a title in another language;
- an **expansion** follows an acronym (two to six capitals) and is a phrase of two or more
  words (the initials need not fit: acronyms are often Russian or German);
- **another spelling** follows a name and is a name that spells it alike (letters at least
  half the same) or that the lexicon gives as its regular form;
- an **identification** follows a name, a code name or a pronoun and is a name
  (``Filippov [Stalin]``, ``He [Razuvaev]``) or a role (``[the Soviet ambassador]``);
- **original wording** is made of words an English word list does not know;
- anything else is a **supplement** for sense, the default; where the evidence for another
  class is only partial, it stays a supplement with a warning saying so.

In the code each rule is a small function, ``rule_<what it looks for>``, tried in the order
of ``RULES``; the first to return a verdict decides, and ``--explain`` names it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any, Callable

from .register import Index, Person
from .source import MONTH_NAMES

SUPPLEMENT, COMPLETION, IDENTIFICATION = "supplement", "completion", "identification"
ORIGINAL, EXPANSION, RESPELLING, TRANSLATED_TITLE = ("original", "expansion", "respelling",
                                                     "translated-title")
_MONTH = "|".join(MONTH_NAMES)
_MONTH_SET = frozenset(MONTH_NAMES)
_DAY_BEFORE = re.compile(r"(?:^|\D)\d{1,2}(?:st|nd|rd|th)? \Z")
_YEAR = re.compile(r"\d{4}")
_DATE_BEFORE = re.compile(rf"(?:\b\d{{1,2}}(?:st|nd|rd|th)?|\b(?:{_MONTH}))[.,]? \Z")
# Words that refer to someone named elsewhere: "he [Mengistu]", "the latter [Kim]".
PRONOUNS = frozenset("""he she him her his they them their it we us i you himself herself
themselves latter former""".split())
# Words before a name that are no part of it ("Comrade", "Cde."), lower case, no full stop.
HONORIFICS = frozenset("comrade comrades cde cdes mr mrs ms dr".split())
ROLE_WORDS = frozenset("""ambassador premier chairman minister leader secretary president
general consul envoy commander adviser advisor representative delegate deputy head marshal
director chief attache attaché counsellor counselor official governor mayor""".split())
# A name: capitalised words (or all capitals), with hyphens, apostrophes and initials.
# Capital letters, Latin ones with diacritics too ("Łódź", "Štrougal").
_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x250)) if c.isupper())
_NAME_WORD = rf"(?:[{_UPPER}][\w'’.-]*|[{_UPPER}]\.)"
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_NAME_TOKEN = re.compile(_NAME_WORD)
# An initial may be two letters, a transliterated Cyrillic one: "Yu.", "Zh.", "Kh.".
_INITIAL_LETTERS = r"(?:[A-Z]|Yu|Ya|Ye|Yo|Zh|Sh|Ch|Kh|Ts)"
_NAME_END = re.compile(rf"[{_UPPER}][\w'’-]*|[{_UPPER}]\.|{_INITIAL_LETTERS}\.")
_ACRONYM = re.compile(r"[A-Z]{2,6}")


def _name_before(before: str) -> str | None:
    """The name (up to three capitalised words) that ends right before the bracket, or None.
    Its last word ends the name, not a sentence: "Dong. [We]" is no identification."""
    if not before.endswith(" "):
        return None
    tokens = before[:-1].rsplit("\n", 1)[-1].rsplit(" ", 3)[-3:]  # a name is on one line
    if not tokens or not _NAME_END.fullmatch(tokens[-1]):
        return None
    i = len(tokens) - 1
    while i > 0 and _NAME_TOKEN.fullmatch(tokens[i - 1]):
        i -= 1
    return " ".join(tokens[i:])


# What a body's English name ends with ("Presidential Council", "Ministry of Foreign Affairs").
_BODY_WORDS = ("Committee|Council|Ministry|Affairs|Assembly|Party|Union|League|Front|Bureau|"
               "Department|Office|Commission|Agency|Court|Academy|Congress|Presidium|Politburo|"
               "Secretariat|Embassy|Government|Federation|Association|Society|Institute|"
               "Directorate|Board|Service|Chamber|Parliament|Cabinet|Command|Staff|Youth|"
               "Organization|Organisation|Administration|Council of Ministers")
_BODY_SET = frozenset(_BODY_WORDS.split("|"))
_BODY_BEFORE = re.compile(rf"(?:(?<=\s)|^)(?P<body>(?:(?:[A-Z][\w'’-]*|of|the|for|and|on) )"
                          rf"{{0,6}}(?:{_BODY_WORDS})|\([A-Z]{{2,8}}\)) \Z")
# Letters English does not write: a word with one is in another language (or a name).
_NOT_ENGLISH_LETTER = re.compile(r"[^\x00-\x7f’‘“”–—…]")


def _body_before(before: str) -> str | None:
    """The English name of a body (or its acronym in parentheses) right before the bracket:
    every capitalised word of it a common English word."""
    m = _BODY_BEFORE.search(before[-120:])
    if m is None:
        return None
    body = m["body"]
    if body.startswith("("):
        return body
    capitalised = [w for w in body.split() if w[:1].isupper()]
    while capitalised and not is_english(capitalised[0]):
        capitalised = capitalised[1:]  # "... the Hungarian Presidential Council": from a word
    if not capitalised or not all(common_english(w) or is_english(w) for w in capitalised):
        return None
    return body[body.index(capitalised[0]):].removeprefix("The ")


def _foreign_name(inner: str, words: list[str], language: str | None) -> bool:
    """Are the bracket's words a body's name in another language ("Elnöki Tanács", "KB"),
    and not persons' names ("Ivanov, Petrov")?"""
    if _ACRONYM.fullmatch(inner.strip()):
        return True
    long_words = [w for w in words if len(w) > _SHORT]
    if not long_words or any(is_english(w) for w in long_words):
        return False
    items = [i.split() for i in inner.split(",")]
    names_like = all(1 <= len(i) <= 2 for i in items) and not _NOT_ENGLISH_LETTER.search(inner)
    return not names_like or (language or "").startswith("de")


def _acronym_before(before: str) -> str | None:
    """The acronym right before the bracket, as written: "MGB", "MfS", "KPdSU", or "CPSU's"
    (a possessive)."""
    if not before.endswith(" "):
        return None
    last = before[:-1].rsplit(" ", 1)[-1]
    return last if is_acronym(_POSSESSIVE_END.sub("", last)) else None


def is_acronym(word: str) -> bool:
    """Two to seven letters, at least two and at least half of them capitals: "KGB", "MfS",
    "CPCz", "KPdSU" (German and Czech acronyms keep some small letters)."""
    if _ACRONYM.fullmatch(word):
        return True
    capitals = sum(c.isupper() for c in word)
    return _MIXED_ACRONYM.fullmatch(word) is not None and capitals >= 2 and \
        capitals * 2 >= len(word)


# Capitals with single small letters between them ("MfS", "KPdSU"); two small letters in a
# row make a word ("TheKPA", "McCoy").
_MIXED_ACRONYM = re.compile(r"[A-Z](?:[A-Z]|[a-z](?=[A-Z]|\Z)){1,6}")


_POSSESSIVE_END = re.compile(r"(?:['’]s|['’])$")


# Words of other languages that an English word list knows all the same (transliterated
# particles and prepositions are often one or two letters long).
_SHORT = 2


@dataclass  # not frozen, as source.Text: one per bracket
class Verdict:
    kind: str
    evidence: str
    name: str = ""   # expansion and respelling: the words before the bracket they pair with
    weak: str = ""   # a supplement with some evidence of another class: the warning
    rule: str = ""   # the rule that decided (its function's name, without "rule_")

    def __init__(self, kind: str, evidence: str, name: str = "", weak: str = "",
                 rule: str = "") -> None:
        # Written out: mypyc compiles this, not the one @dataclass would generate.
        self.kind = kind
        self.evidence = evidence
        self.name = name
        self.weak = weak
        self.rule = rule


class Bracket:
    """One bracket and the words around it, as the rules see it; what several rules need is
    worked out once, when first asked for."""

    def __init__(self, before: str, inner: str, after: str, part: str,
                 lexicon_reg: Callable[[str], str | None] | None, language: str | None,
                 register: Index | None) -> None:
        self.before = before
        self.inner = inner
        self.after = after
        self.part = part
        self.lexicon_reg = lexicon_reg
        self.language = language
        self.register = register
        self.words: list[str] = _WORD.findall(inner)
        self.stripped = inner.strip()
        self._known: tuple[Person, str] | None = None
        self._known_done = False
        self._name: str | None = None
        self._name_done = False

    @property
    def known(self) -> "tuple[Person, str] | None":
        """The register entry the bracket's words are a form of, and how."""
        if not self._known_done:
            self._known = self.register.lookup(self.stripped) if self.register else None
            self._known_done = True
        return self._known

    @property
    def registered(self) -> str:
        known = self.known
        return f"; the register knows {self.stripped!r} ({known[0].id})" if known else ""

    @property
    def is_name(self) -> bool:
        return bool(self.words) and (_looks_like_name(self.stripped) or self.known is not None)

    @property
    def last_words(self) -> list[str]:
        return _WORD.findall(self.before[-20:])

    @property
    def name_before(self) -> str | None:
        """The name right before the bracket, unless it is an honorific or ends in a role."""
        if not self._name_done:
            name = _name_before(self.before)
            trimmed = _trim_name(name) if name else ""
            if trimmed.lower().rstrip(".") in HONORIFICS:
                name = None  # "Comrade [X]": an honorific, not a name
            elif trimmed and trimmed.split()[-1].lower() in ROLE_WORDS:
                name = None  # "the Chairman [Liu Chang]": a role (below), not a name
            elif trimmed and " " not in trimmed and common_english(trimmed):
                name = None  # "The [Soviet] Presidium": a sentence's first word, not a name
            self._name = name
            self._name_done = True
        return self._name


# -- the rules, in the order they are tried: each returns a verdict, or None -------------------

def rule_english_words(b: Bracket) -> Verdict | None:
    """The common case, decided first: English words, not capitalised, not a role."""
    if b.stripped[:1].islower() and not b.stripped.startswith("the ") and \
            all(len(w) <= _SHORT or is_english(w) for w in b.words):
        return _ENGLISH
    return None


def rule_glued_to_word(b: Bracket) -> Verdict | None:
    """Dep[uty], [19]61, Ch[airman]: a bracket glued to letters or digits completes that
    word, every time."""
    inner = b.inner
    left = b.before[-1:].isalnum() and inner[:1].isalnum()
    right = b.after[:1].isalnum() and inner[-1:].isalnum()
    if left and not right and inner.isdigit() and b.before[-1:].isalpha():
        return None  # "rains[1]": a footnote marker, not a word's digits
    if left or right:
        return Verdict(COMPLETION, "glued to the letters or digits of the word it completes")
    return None


def rule_month_after_day(b: Bracket) -> Verdict | None:
    """15 [March], the 12th [of May]."""
    month = b.stripped.removeprefix("of ")
    if month in _MONTH_SET and _DAY_BEFORE.search(b.before[-8:]):
        return Verdict(COMPLETION, "a month after a day number")
    return None


def rule_year_after_date(b: Bracket) -> Verdict | None:
    """21 December [1949], May, [1961], March [of] 1958."""
    if _YEAR.fullmatch(b.stripped.removeprefix("of ")) and _DATE_BEFORE.search(b.before[-14:]):
        return Verdict(COMPLETION, "a year after a day or month")
    if b.stripped == "of" and _DATE_BEFORE.search(b.before[-14:]) and \
            re.match(r" \d{4}\b", b.after):
        return Verdict(COMPLETION, "'of' between a day or month and its year")
    return None


def rule_name_goes_on(b: Bracket) -> Verdict | None:
    """[Liu] Shaoqi: one word, not common English, and the name goes on after it."""
    s = b.stripped
    following = _WORD.match(b.after[1:])
    if following and (following.group() in _BODY_SET or following.group().lower() in ROLE_WORDS):
        return None  # "[Soviet] Presidium", "[Czech] Ambassador": no name goes on
    if b.name_before is not None and _UNIT_AFTER.match(b.after):
        return None  # "Lyon [Lione] Province": the place's other name
    if (len(b.words) == 1 and b.words[0] == s and s[:1].isupper()
            and not common_english(s) and re.match(r" [A-Z]", b.after)
            and (not b.before or b.before[-1:] in " (\"“‘'")):
        return Verdict(COMPLETION, f"{s!r} is not a common English word and the "
                                   "name goes on after it")
    return None


def rule_role_and_given_name(b: Bracket) -> Verdict | None:
    """[Foreign Minister Jan] Novák: a role and a given name before the family name that goes
    on after the bracket complete the name as the document gives it."""
    words = b.words
    if len(words) < 2 or not (b.after[:1] == " " and b.after[1:2].isupper()) or \
            not all(w[:1].isupper() for w in words):
        return None
    given = words[-1]
    if given.lower() in ROLE_WORDS or common_english(given) or \
            not ROLE_WORDS & {w.lower() for w in words[:-1]}:
        return None
    return Verdict(COMPLETION, f"a role and the given name {given!r} before the family name")


def rule_given_names_after_honorific(b: Bracket) -> Verdict | None:
    """Comrade [Ivan Petrovich] Sokolov."""
    words = b.words
    honorific = _WORD_BEFORE.search(b.before[-12:]) if 2 <= len(words) <= 3 and \
        b.after[:1] == " " and b.after[1:2].isupper() else None
    if (honorific is not None and honorific[1].lower() in HONORIFICS
            and all(w[:1].isupper() for w in words)
            and not ROLE_WORDS & {w.lower() for w in words}
            and not all(common_english(w) for w in words)):
        return Verdict(COMPLETION, f"names between {honorific[1]!r} and the name that goes "
                                   "on after them")
    return None


def rule_given_names_go_on(b: Bracket) -> Verdict | None:
    """[Nikolai S.] Patolichev, [N. S.] Khrushchev, [Ivan Petrovich] Sokolov: given names or
    initials, no common English word, before a family name that is none either."""
    tokens = b.stripped.split()
    following = _WORD.match(b.after[1:])
    if not (2 <= len(tokens) <= 3 and b.after[:1] == " " and following
            and following.group()[:1].isupper()
            and (not b.before or b.before[-1:] in " (\"“‘'")):
        return None
    family = following.group()
    elsewhere = b.register.lookup(family) if b.register is not None else None
    if b.known is not None or b.name_before is not None or (elsewhere and elsewhere[0].kind
                                                              == "place"):
        return None  # a whole name the register knows, a name after a name, a place after it
    if family in _BODY_SET or family.lower() in ROLE_WORDS | HONORIFICS or \
            common_english(family) or not _GIVEN.fullmatch(family) or not all(
            _INITIAL.fullmatch(w) or _GIVEN.fullmatch(w) and not common_english(w)
            and w.lower() not in ROLE_WORDS for w in tokens):
        return None
    return Verdict(COMPLETION, f"given names or initials before the family name {family!r}, "
                               "none of them a common English word")


_INITIAL = re.compile(r"[A-Z]\.(?:[A-Z]\.)*")
_GIVEN = re.compile(r"[A-Z][a-z'’]+(?:-[A-Za-z][a-z'’]+)?")


def rule_translated_title(b: Bracket) -> Verdict | None:
    """English words in a citation, after a word that is not English: the title's
    translation."""
    if b.part == "citation" and len(b.words) >= 2 and b.stripped[:1].isupper() and \
            _english_share(b.words) >= 0.5 and b.before.endswith(" "):
        prev = _WORD.findall(b.before[-40:])
        if prev and not is_english(prev[-1]):
            return Verdict(TRANSLATED_TITLE, f"English words in a citation after "
                                             f"{prev[-1]!r}, which is not English")
    return None


def rule_body_name_in_original(b: Bracket) -> Verdict | None:
    """A body's English name, then its name in the original language."""
    if b.known is None and _foreign_name(b.stripped, b.words, b.language) \
            and not (b.register is not None and b.register.find(b.stripped)):
        body = _body_before(b.before)
        if body:
            return Verdict(ORIGINAL, f"the English name of a body ({body!r}), then words "
                                     "that are not English: its name in the original")
    return None


def rule_phrase_after_acronym(b: Bracket) -> Verdict | None:
    acronym = _acronym_before(b.before)
    words = b.words
    if acronym and ROLE_WORDS & {w.lower() for w in words}:
        return None  # "VOROBYEV [Soviet ambassador]": who a name in capitals is, not letters
    if acronym and is_english(acronym) and _looks_like_name(b.stripped) and \
            not _BODY_SET.intersection(words) and not _in_order(
                _POSSESSIVE_END.sub("", acronym).lower(), "".join(w[0].lower() for w in words)):
        return None  # "code name CEDAR [Ivo Lang]": a word in capitals, then a person's name
    if acronym and len(words) >= 2 and sum(w[:1].isupper() for w in words) * 2 >= len(words):
        evidence = f"a phrase after the acronym {acronym}"
        short = b.register.lookup(acronym) if b.register is not None else None
        known = b.known
        if known is not None and short is not None and short[0] is known[0]:
            evidence += f"; the register gives both as names of {known[0].id}"
        return Verdict(EXPANSION, evidence, name=acronym)
    return None


def rule_that_is(b: Bracket) -> Verdict | None:
    """[i.e. the Soviet Union], [that is, the embassy], [alias of X]: says what the words
    before mean."""
    if _THAT_IS.match(b.stripped):
        return Verdict(IDENTIFICATION, f"{b.stripped.split()[0]!r} says what the words before "
                                       "it mean")
    return None


# Words that say what or whom the words before stand for.
_THAT_IS = re.compile(r"(?:i\. ?e\.|that is\b|meaning\b|namely\b|(?:pseudonym|alias|code ?name|"
                      r"cover name|real name|nickname)(?: (?:of|for)\b|:))", re.I)


def rule_name_after_pronoun(b: Bracket) -> Verdict | None:
    """He [Mengistu], it [the MV Aurora], they [the section for foreign papers]: who or what
    a pronoun stands for, by name or by a description."""
    last = b.last_words
    if last and b.before.endswith(" ") and last[-1].lower() in PRONOUNS and (
            b.is_name or b.stripped.startswith("the ") and len(b.words) >= 2):
        return Verdict(IDENTIFICATION, f"a name after the pronoun {last[-1]!r}{b.registered}",
                       name=last[-1])
    return None


def rule_body_name_goes_on(b: Bracket) -> Verdict | None:
    """Communist Party [of the Soviet Union], Korean Workers' [Party]: the rest of a body's
    name the words before begin."""
    s = b.stripped
    body = _BODY_END.search(b.before[-40:]) if s.startswith("of ") and _OF_NAME.fullmatch(s) \
        else None
    if body is not None:
        return Verdict(COMPLETION, f"the rest of the name of the body {body[1]!r}")
    words = s.split()
    begun = _NAME_GOES_ON.search(b.before[-40:]) if 1 <= len(words) <= 2 and \
        words[-1] in _BODY_SET and all(w[:1].isupper() for w in words) else None
    if begun is not None and all(is_english(w) for w in _WORD.findall(begun[1])):
        # (English words: after a word English lacks, they say what it means)
        return Verdict(COMPLETION, f"the rest of a body's name after {begun[1].strip()!r}")
    return None


# "of the Soviet Union", "of Korea", "of the CPSU": the end of a body's name.
_OF_NAME = re.compile(rf"of (?:the )?[{_UPPER}][\w'’.-]*(?: (?:[{_UPPER}][\w'’.-]*|of|and|the))"
                      r"{0,5}")
_BODY_END = re.compile(rf"((?:[{_UPPER}][\w'’-]* )*(?:{_BODY_WORDS})) \Z")
# Capitalised words that begin a name, after a small word or "the": "the Korean Workers' ".
_NAME_GOES_ON = re.compile(rf"(?:\b[a-z]+ )((?:[{_UPPER}][\w’-]*['’]? ){{1,3}})\Z")


def rule_name_after_quoted_name(b: Bracket) -> Verdict | None:
    """"Fyn" [Kim Il Sung]: a name in quotes is a code name or a pseudonym; a name after it
    says who bears it."""
    m = _QUOTED_BEFORE.search(b.before[-60:]) if b.before.endswith(("\" ", "” ", "' ", "’ ")) \
        else None
    if m is None or not b.is_name or all(common_english(w) for w in m["name"].split()):
        return None
    return Verdict(IDENTIFICATION, f"a name after the name in quotes {m['name']!r}, a code "
                                   f"name or pseudonym{b.registered}", name=m["name"])


_QUOTED_BEFORE = re.compile(rf"[\"“'‘](?P<name>[{_UPPER}][\w'’.-]*(?: [{_UPPER}][\w'’.-]*)"
                            r"{0,2})[\"”'’] \Z")


def rule_abbreviation_spelled_out(b: Bracket) -> Verdict | None:
    """Amb. [Ambassador], Dept. [Department], approx. [approximately]: a word shortened with a
    full stop, then the word its letters begin."""
    m = _ABBREVIATION_BEFORE.search(b.before[-12:])
    words = b.words
    if m is None or len(words) != 1 or m["abbr"].lower() in HONORIFICS or \
            m["abbr"][:1].isupper() and not is_english(words[0]):
        return None  # "Tsedenbal Yu. [Yumjaagiin]": a name's initials (a completion)
    abbr, word = m["abbr"].lower(), words[0].lower()
    if len(word) > len(abbr) and word[0] == abbr[0] and _in_order(abbr, word) and \
            b.stripped == words[0]:
        return Verdict(EXPANSION, f"spells out the abbreviation {m['abbr']}.",
                       name=m["abbr"] + ".")
    return None


_ABBREVIATION_BEFORE = re.compile(r"(?:^|[\s(])(?P<abbr>[A-Za-z][a-z]{1,5})\. \Z")


def _in_order(letters: str, word: str) -> bool:
    """Are ``letters`` in ``word``, in this order?"""
    rest = iter(word)
    return all(c in rest for c in letters)


def rule_name_after_name(b: Bracket) -> Verdict | None:
    """A name after a name: the rest of it, another of its names, another spelling of it,
    or who it is."""
    if not (b.name_before and b.is_name):
        return None
    name = _trim_name(b.name_before)
    if len(b.words) == 1 and b.known is None and not is_english(b.words[0]) and \
            all(_english_name_word(w, b) for w in name.split()) and \
            similar(name, b.stripped) < 0.5:
        return None  # "Night Cable [Noapte]": English words are no name; the original's word
    for rule in _AFTER_NAME:
        verdict = rule(b, name)
        if verdict is not None:
            return verdict
    return Verdict(IDENTIFICATION, f"a name after the name {name!r}{b.registered}")


def _completes_registered(b: Bracket, name: str) -> Verdict | None:
    """"Premier Zhou [Enlai]", "Kim [Il Sung]": the rest of a name the register knows."""
    if b.register is None:
        return None
    parts = name.split()
    tails = (" ".join(parts[k:] + [b.stripped]) for k in range(len(parts)))
    whole = next((w for w in tails if b.register.lookup(w) is not None), None)
    if whole is not None:
        return Verdict(COMPLETION, f"completes the name the register knows as {whole!r}")
    return None


def _family_after_patronymic(b: Bracket, name: str) -> Verdict | None:
    """Ivan Ivanovich [Petrov]: a family name after a given name and patronymic completes
    the name."""
    words = b.stripped.split()
    if len(words) == 1 and _PATRONYMIC.search(name) and _GIVEN.fullmatch(words[0]) and \
            not common_english(words[0]):
        return Verdict(COMPLETION, f"a family name after the patronymic of {name!r}")
    return None


_PATRONYMIC = re.compile(r"[A-Z][a-z]+(?:ovich|evich|ich|ovna|evna|ichna|ych)\Z")


def _initials_spelled_out(b: Bracket, name: str) -> Verdict | None:
    """A. A. [Andrei Andreyevich] Gromyko, Gromyko A. [Andrei]: the names the initials before
    the bracket stand for complete the name."""
    m = _INITIALS_END.search(name)
    words = b.stripped.split()
    initials = re.findall(rf"{_INITIAL_LETTERS}(?=\.)", m.group()) if m else []
    if initials and 1 <= len(words) <= len(initials) and \
            all(_GIVEN.fullmatch(w) for w in words) and \
            all(w.startswith(i) for w, i in zip(words, initials[-len(words):])):
        return Verdict(COMPLETION, f"spells out the initials of {name!r}")
    return None


# Initials at the end of a name: "A. A.", "Yu." (a transliterated Ю), "N.S.".
_INITIALS_END = re.compile(rf"(?:^|\s)(?:{_INITIAL_LETTERS}\.\s?)+\Z")


def _registered_both(b: Bracket, name: str) -> Verdict | None:
    """Both names the register's: a code name and the real one, two names of one entry, or
    names of two entries."""
    first = b.register.lookup(name) if b.register is not None else None
    known = b.known
    if first is None or known is None:
        return None
    if first[0] is not known[0]:
        return Verdict(IDENTIFICATION, f"a name after the name {name!r}{b.registered}")
    if "code name" in (first[1], known[1]):
        code, real = (name, b.stripped) if first[1] == "code name" else (b.stripped, name)
        return Verdict(IDENTIFICATION, f"the register gives {code!r} as a code name of "
                                       f"{real!r} ({known[0].id})", name=name)
    return Verdict(RESPELLING, f"the register lists {name!r} and {b.stripped!r} as names of "
                               f"{known[0].id}", name=name)


def _lexicon_regularises(b: Bracket, name: str) -> Verdict | None:
    if b.lexicon_reg is not None and b.lexicon_reg(name) == b.stripped:
        return Verdict(RESPELLING, f"the lexicon regularises {name!r} as {b.stripped!r}",
                       name=name)
    return None


def _spells_alike(b: Bracket, name: str) -> Verdict | None:
    # English words are no other spelling of a word English lacks: "PolitSoviet [Political
    # Council]" says what it means.
    glosses = all(common_english(w) for w in b.words) and \
        not all(is_english(w) for w in _WORD.findall(name))
    # Two bodies' names alike only in the word that says what they are ("the Lilac Party
    # [Rural Workers' Party]") are two names, not two spellings.
    shared = _BODY_SET.intersection(name.split()) & set(b.stripped.split())
    if shared:
        rest = " ".join(w for w in name.split() if w not in shared), \
            " ".join(w for w in b.stripped.split() if w not in shared)
        if all(rest) and similar(*rest) < 0.5:
            return None
    if similar(name, b.stripped) >= 0.5 and not glosses and \
            abs(len(name.split()) - len(b.stripped.split())) <= 1:
        return Verdict(RESPELLING, f"{b.stripped!r} spells {name!r} alike "
                                   f"({similar(name, b.stripped):.2f})", name=name)
    return None


def _given_after_family_name(b: Bracket, name: str) -> Verdict | None:
    """Wang [Bingnan], Pak [Chang-ok], Mr. Ueda [Kenji]: East Asian names put the family name
    first; a given name after a family name alone (an honorific or an office before it is no
    part of it) completes the name (the register need not know the person), unless the
    register knows the bracket as someone's name."""
    family = _family_name(name)
    if family is None or family not in _FAMILY_NAMES:
        return None
    return _given_name(b, family, f"a given name after the family name {family!r}")


def _given_after_east_asian_name(b: Bracket, name: str) -> Verdict | None:
    """The same, for a family name not on the list, in a document translated from Chinese,
    Japanese, Korean or Vietnamese (tried after another spelling of it)."""
    family = _family_name(name)
    if family is None or is_english(family) or \
            (b.language or "").split("-")[0] not in _EAST_ASIAN:
        return None  # "code name CEDAR [Ivo Lang]": an English word is no family name
    return _given_name(b, family, f"a given name after the family name {family!r} (the "
                                  "original is in an East Asian language)")


_EAST_ASIAN = frozenset({"zh", "ja", "ko", "vi"})


def _family_name(name: str) -> str | None:
    """The name's last word, when the words before it are honorifics or offices."""
    words = name.split()
    if any(w.lower().rstrip(".") not in HONORIFICS | ROLE_WORDS and not common_english(w)
           for w in words[:-1]):
        return None
    return words[-1]


def _given_name(b: Bracket, family: str, evidence: str) -> Verdict | None:
    words = b.stripped.split()
    if b.known is not None or not 1 <= len(words) <= 2 or any(common_english(w) for w in words):
        return None
    return Verdict(COMPLETION, evidence)


# Family names that come before the given name: the commonest Chinese, Korean and Vietnamese
# ones, in the romanisations the archive uses (pinyin, Wade-Giles, McCune-Reischauer, revised).
_FAMILY_NAMES = frozenset("""
Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng
Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Cai Jiang Yu Du Ye
Cheng Wei Su Lu Ding Ren Shen Yao Jin Fu Zhong Qian Qiao Kang Mao Bo Nie Rao Tan Ke Geng
Chang Chou Hsu Huang Chiang Chao Teng Tsao Tung Kuo Sung Hsieh Liao Chu Kao Ho Hsiao Lo
Kim Lee Yi Pak Park Choe Choi Jong Jung Kang Cho Yun Yoon Jang Im Lim Han Ryu Ri Sin Shin
Kwon Hwang An Ahn Song Ho Hong Chon Jeon Ko Mun Moon Yang Son Bae Paek Baek Ku Nam No Roh
Nguyen Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ngo Duong Ly Truong Dinh
""".split())


def _place_other_name(b: Bracket, name: str) -> Verdict | None:
    """Lyon [Lione] Province: a place's other name, before the word for its unit."""
    unit = _UNIT_AFTER.match(b.after)
    if " " not in name and " " not in b.stripped and unit is not None:
        return Verdict(RESPELLING, f"{b.stripped!r}: another name of the place {name!r}, "
                                   f"before {unit[1]!r}", name=name)
    return None


_UNIT_AFTER = re.compile(r" (Province|Provincial|Prefecture|Prefectural|County|District|Region|"
                         r"Regional|Oblast|Krai|Canton|Voivodeship|Okrug|Raion)\b")
_AFTER_NAME: tuple[Callable[[Bracket, str], Verdict | None], ...] = (
    _completes_registered, _initials_spelled_out, _family_after_patronymic, _registered_both,
    _lexicon_regularises, _given_after_family_name, _place_other_name, _spells_alike,
    _given_after_east_asian_name)


def rule_role_after_name(b: Bracket) -> Verdict | None:
    """Razuvaev [the Soviet ambassador], VOROBYEV [Soviet ambassador in Beijing]: who the
    name is."""
    words = b.words
    roles = ROLE_WORDS & {w.lower() for w in words}
    if b.name_before and (re.match(r"the ", b.stripped) and (
            roles or any(w[:1].isupper() for w in words[1:])) or
            roles and not b.stripped[:1].islower() and len(words) <= 8):
        return Verdict(IDENTIFICATION, f"a role after the name {_trim_name(b.name_before)!r}")
    return None


def rule_name_after_role(b: Bracket) -> Verdict | None:
    last = b.last_words
    if b.is_name and last and last[-1].lower() in ROLE_WORDS and b.before.endswith(" "):
        return Verdict(IDENTIFICATION, f"a name after the role {last[-1]!r}{b.registered}",
                       name=last[-1])
    return None


def rule_registered_name(b: Bracket) -> Verdict | None:
    known = b.known
    if known is not None:
        return Verdict(SUPPLEMENT, f"a name the register knows ({known[0].id}), supplied")
    return None


def rule_one_foreign_word(b: Bracket) -> Verdict | None:
    """One word English does not know: a misspelled supplement, the original wording, or
    (capitalised) a name or the wording, with a warning."""
    words = b.words
    long_words = [w for w in words if len(w) > _SHORT]
    if not (len(long_words) == 1 and len(words) == 1 and not is_english(words[0])):
        return None
    if english_compound(b.stripped):
        return Verdict(SUPPLEMENT, f"{b.stripped!r} joins English words or acronyms")
    prev = _WORD.findall(b.before[-40:])
    if b.language and prev and b.before.endswith(f"{prev[-1]} ") and words[0][:1].isupper() and \
            _english_name_word(prev[-1], b) and similar(prev[-1], words[0]) < 0.5:
        return Verdict(ORIGINAL, f"{words[0]!r} is not English and follows the English "
                                 f"{prev[-1]!r}: the original's word for it")
    if suggestion(words[0]) is not None:
        return Verdict(SUPPLEMENT, f"{words[0]!r} is one edit from the English "
                                   f"{suggestion(words[0])!r}: a misspelled supplement")
    if words[0][:1].islower() or b.language == "de":
        return Verdict(ORIGINAL, f"{words[0]!r} is not an English word")
    return Verdict(SUPPLEMENT, "a capitalised word", weak=(
        f"{words[0]!r} is not an English word: a name, or the original wording? encoded "
        "as a supplement"))


def english_compound(word: str) -> bool:
    """"long-range", "KDS-VSS": English words or acronyms joined by hyphens (a word list
    does not hold every compound)."""
    parts = [p for p in re.split(r"[-‐‑]", word) if p]
    return len(parts) > 1 and all(is_english(p) or is_acronym(p) for p in parts)


def _english_name_word(word: str, b: Bracket) -> bool:
    """A capitalised English word that is no name, honorific, role or register entry
    ("Cable")."""
    return word[:1].isupper() and is_english(word) and \
        word.lower() not in ROLE_WORDS | HONORIFICS and \
        (b.register is None or b.register.lookup(word) is None)


def rule_foreign_words(b: Bracket) -> Verdict | None:
    """Capitalised words in a phrase are mostly names; the wording shows in the others: none
    English, the original wording; half or more, a supplement with a warning."""
    lower = [w for w in b.words if len(w) > _SHORT and w[:1].islower()]
    unknown = [w for w in lower if not is_english(w) and not english_compound(w)]
    if lower and len(unknown) == len(lower):
        return Verdict(ORIGINAL, "no English word: " + ", ".join(unknown[:4]))
    if unknown and len(unknown) * 2 >= len(lower):
        return Verdict(SUPPLEMENT, "English words", weak=(
            "may be the original wording (" + ", ".join(unknown[:4]) + " are not English "
            "words); encoded as a supplement"))
    return None


RULES: tuple[Callable[[Bracket], Verdict | None], ...] = (
    rule_glued_to_word, rule_month_after_day, rule_year_after_date, rule_that_is,
    rule_body_name_goes_on, rule_abbreviation_spelled_out, rule_english_words,
    rule_name_goes_on, rule_role_and_given_name, rule_given_names_after_honorific,
    rule_given_names_go_on, rule_translated_title, rule_body_name_in_original,
    rule_phrase_after_acronym, rule_name_after_pronoun, rule_name_after_quoted_name,
    rule_name_after_name, rule_role_after_name, rule_name_after_role, rule_registered_name,
    rule_one_foreign_word, rule_foreign_words)


def paired_name(kind: str, before: str) -> str:
    """The words before a bracket that an expansion or another spelling pairs with, as the
    rules find them (an editor's decision of that class needs them too): the acronym or
    the name, else the last word."""
    found = _acronym_before(before) if kind == EXPANSION else _name_before(before)
    if found and kind != EXPANSION:
        found = _trim_name(found)
    if not found:
        found = before[:-1].rsplit(None, 1)[-1] if before.endswith(" ") and before.strip() \
            else ""
    return found


def classify(before: str, inner: str, after: str, part: str,
             lexicon_reg: Callable[[str], str | None] | None = None,
             language: str | None = None, register: Index | None = None) -> Verdict:
    """The class of ``[inner]`` between ``before`` and ``after`` (the paragraph's raw text),
    in ``part`` ("title", "citation", "summary", "body", "other"): the verdict of the first
    of ``RULES`` that decides, else a supplement. ``lexicon_reg(name)`` gives the lexicon's
    regular form of a name, if any; ``language`` is the original language's code (German
    capitalises its nouns, so one unknown capitalised word is its wording); ``register`` (a
    persons register's Index) knows names, variants and code names."""
    b = Bracket(before, inner, after, part, lexicon_reg, language, register)
    for rule in RULES:
        verdict = rule(b)
        if verdict is not None:
            if not verdict.rule:
                verdict.rule = rule.__name__[5:]
            return verdict
    return Verdict(SUPPLEMENT, _ENGLISH.evidence, rule="default")


_ENGLISH = Verdict("supplement", "English words or punctuation", rule="english_words")


def _looks_like_name(s: str) -> bool:
    words = s.split()
    if len(words) == 1 and common_english(words[0]):
        return False  # "[We]", "[The]": a word supplied at a sentence start
    return 1 <= len(words) <= 4 and all(re.fullmatch(_NAME_WORD, w) for w in words)


# The word right before the bracket (with the full stop of "Cde." left out).
_WORD_BEFORE = re.compile(r"(?:^|[\s(\"“])([A-Z]\w*)\.? \Z")


def _trim_name(name: str) -> str:
    """Drop leading words that are English words in capitals at a sentence start ("The")."""
    parts = name.split(" ")
    while len(parts) > 1 and parts[0].lower() in ("the", "a", "an", "comrade", "to", "from"):
        parts = parts[1:]
    return " ".join(parts)


def similar(a: str, b: str) -> float:
    """How alike two names are spelled, by their base letters ("Łódź" and "Lodz" alike)."""
    return SequenceMatcher(None, _base_letters(a), _base_letters(b)).ratio()


def _base_letters(s: str) -> str:
    decomposed = unicodedata.normalize("NFKD", s.lower().translate(_UNDECOMPOSED))
    return "".join(ch for ch in decomposed if ch.isalpha() and not unicodedata.combining(ch))


# Letters with a stroke or a ligature, which Unicode does not decompose.
_UNDECOMPOSED = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ħ": "h", "ß": "ss", "æ": "ae",
                               "œ": "oe", "ı": "i"})


def _english_share(words: list[str]) -> float:
    return sum(is_english(w) for w in words) / len(words) if words else 0.0


def _dictionary() -> dict[str, Any]:
    """pyspellchecker's English word list: word -> frequency (loaded once, when needed)."""
    global _WORDS
    if _WORDS is None:  # kept here: asked for once per word checked
        _WORDS = _checker().word_frequency.dictionary
    return _WORDS


_WORDS: dict[str, Any] | None = None


def common_english(word: str, at_least: int = 0) -> bool:
    """A frequent English word ("We", "The"), not a name that the word list also holds
    ("Kim": 2,274 in its corpus against 16 million for "we"); ``at_least``: the frequency
    that makes it one, if not the default."""
    frequency: int = _dictionary().get(word.lower(), 0)
    return frequency >= (at_least or _COMMON)


_COMMON = 20000


@lru_cache(maxsize=1 << 16)
def is_english(word: str) -> bool:
    """Is ``word`` in the English word list (pyspellchecker's, from a large corpus)?"""
    w = word.lower().replace("’", "'")
    words = _dictionary()
    if w in words:
        return True
    return any(part in words for part in (w.removesuffix("'s"), w.removesuffix("s"),
                                          w.removesuffix("'"))) if w.endswith(("s", "'")) else False


# A misspelling candidate's correction must be a word the list has seen this often: names
# the list holds rarely ("Vyshinsky" -> "vishinsky", 50) are no corrections; "february" (319)
# and "received" (79,831) are.
_SUGGEST = 200


@lru_cache(maxsize=1 << 14)
def suggestion(word: str) -> str | None:
    """The English word ``word`` is probably a misspelling of (one edit away, frequent
    enough), in ``word``'s capitalisation; None when it is a word, or no such word exists."""
    lower = word.lower()
    if is_english(word) or len(lower) < 4:
        return None
    if "-" in lower and all(is_english(part) for part in lower.split("-") if part):
        return None  # a compound of words ("code-name", "tea-house"): a spelling, not a slip
    checker = _checker()
    best: str | None = checker.correction(lower)
    if not best or best == lower or _dictionary().get(best, 0) < _SUGGEST:
        return None
    return best.capitalize() if word[:1].isupper() else best


@lru_cache(maxsize=1)
def _checker() -> Any:
    from spellchecker import SpellChecker  # loaded once, only when a word needs it
    return SpellChecker(distance=1)


def unknown_words(text: str, tokens: set[str] | None = None) -> set[str]:
    """Words of ``text`` the English word list does not hold (``tokens``: its
    whitespace-separated tokens, when the caller has them)."""
    # Whitespace-separated tokens seen before with only English words in them are passed
    # over with a C-speed set difference; only new tokens are split into words.
    tokens = (set(text.split()) if tokens is None else tokens) - _SEEN_ENGLISH
    if not tokens:
        return set()
    out: set[str] = set()
    for token in tokens:
        unknown = token_unknown(token)
        if unknown:
            out.update(unknown)
        else:
            if len(_SEEN_ENGLISH) > 1 << 20:
                _SEEN_ENGLISH.clear()
            _SEEN_ENGLISH.add(token)
    return out


@lru_cache(maxsize=1 << 16)
def token_unknown(token: str) -> tuple[str, ...]:
    known = _dictionary()
    return tuple(w for w in _WORD.findall(token) if w.lower() not in known and not is_english(w))


# Tokens (as written, punctuation included) whose words are all in the word list.
_SEEN_ENGLISH: set[str] = set()
