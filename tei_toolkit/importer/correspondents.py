"""Sender and addressees read from a title with a small grammar, not a comma split.

Titles follow ``TYPE[ No. N], SENDER to ADDRESSEES[, SUBJECT | , DATE][ (excerpt)]`` (see
../shared/FORMAT.md), with variations seen on real pages:

- ``Comrade X``: the honorific is not part of the name;
- ``A to B for C``: B receives the message and passes it to C, for whom it is meant;
- ``…, containing a Message from C``: C wrote an enclosed message; C is no addressee;
- ``… and Others``: names nobody; ``, Regarding …`` / ``, on the …``: a subject;
- a trailing date (``, 21 December 1949``) or ``(excerpt)``: not names;
- minutes, memoranda and records of conversation, communiqués and drafts are not letters:
  they name no sender and addressee unless the title says ``X to Y``; a report (or
  information, a note) ``from X`` names its sender only;
- ``X in Place`` names X (a body's name keeps its place: ``Embassy in Berlin``).

When a part that should be a name does not look like one, nothing is read: an invented
correspondent is worse than none (the caller warns). Works on the title's corrected reading
with identifications left out (``Filippov [Stalin]`` reads ``Filippov``: the text keeps the
code name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .brackets import common_english
from .source import MONTH_NAMES

_MONTHS = "|".join(MONTH_NAMES)
_TRAILING = re.compile(
    r"\s*(?:\((?:excerpt|excerpts|abridged|summary|draft|extract|\d{1,2}|[IVX]{1,4})\)"
    rf"|,\s*(?:\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{1,2}},\s*\d{{4}}"
    rf"|(?:{_MONTHS})\s+\d{{4}}|\d{{4}}))\s*$", re.I)
# What else may trail a title: a time, a weekday, a classification, a priority, a number.
_TRAILING_MARK = re.compile(
    r",\s*(?:\d{1,2}[:.]\d{2}\s*(?:[ap]\.?\s?m\.?)?|(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"(?:top |strictly )?secret|confidential|urgent|flash|immediate|priority|"
    r"no\.\s*\S+)\s*$", re.I)
_SUBJECT = re.compile(
    r",\s*(?:regarding|on|concerning|about|with|in connection with|reporting)\b.*$"
    r"|,\s*re:.*$|,\s*['\"“‘].*$|,[^,]*\s['\"“‘].*$|\s[-–—]\s.*$", re.I)
_DASH_FROM = re.compile(r"\s[-–—]\s+from\s(?=.+\sto\s)", re.I)
# "Ambassador to the USA": an office whose "to" is no addressee's (but in "Foreign Minister to
# Ambassador X" the "to" is).
_OFFICES = ("Ambassador", "Envoy", "Representative", "Consul", "Delegate", "Minister",
            "Plenipotentiary", "Chargé d'Affaires", "Attaché")
_OFFICE_TO = re.compile(rf"\b((?:{'|'.join(_OFFICES)})s?) to (?!(?:{'|'.join(_OFFICES)}|Comrade|"
                        r"Chairman|Premier|President|General)\b)((?:the )?(?:[A-Z]{2,6}"
                        r"|Soviet Union|United States|[A-Z][a-z]+))\b")
# "containing a Message from C", "transmitting 14 January 1951 Message from C to D",
# "conveying telegram From C to D": C wrote the enclosed message (its addressee is not ours).
_ENCLOSED = re.compile(r",?\s*(?:containing|transmitting|conveying)\b", re.I)
# Each enclosed message's writer: "... Message from C to D with Message from E" names C and E.
_ENCLOSED_FROM = re.compile(r"\b(?:message|letter|telegram|note|cable)s?\s+from\s+"
                            r"(?P<who>.+?)(?=\s+(?:to|with|regarding|on|about)\s|$)", re.I)
# "B (via C)", "B via C", "B [via C]" (the archive's supplement): C received the message and
# passed it on.
_VIA = re.compile(r"\s*(?:\(via (?P<a>[^)]+)\)|\[via (?P<c>[^\]]+)\]|\bvia (?P<b>.+))$")
# "Filippov (Stalin)": a name identified in parentheses, as brackets elsewhere.
_PAREN_IDENTIFIED = re.compile(r"(?P<name>.+?)\s*\((?P<who>[^()]+)\)")
# A part after the names that is a subject without a keyword ("…, Plans for the Visit to
# Moscow"): words no name has.
_SUBJECT_WORD = re.compile(r"\s(?:to|for|in|at|on|with|by|from|about|regarding|concerning|"
                           r"into|against|over|after|before|during)\s")
_TO = re.compile(r"^(?P<genre>[^,]+), (?P<sender>.+?) to (?P<addressees>.+)$")
_BARE_TO = re.compile(r"^(?P<sender>(?:(?:[A-Z][\w'’.-]*\.?|and) ){1,6})to "
                      r"(?P<addressees>[^,]+)$")
# Words that make a title's first words a kind of document, not a sender ("Reply to X").
_GENRE_WORDS = frozenset("""reply replies answer answers directive directives memo petition
appeal appeals greetings message messages instructions order orders toast speech address note
notes report reports request requests telegram telegrams letter letters cable cables draft
statement declaration proposal proposals response comments remarks""".split())
_EXCERPT_OF = re.compile(r"^(?:Excerpts?|Extracts?) (?:from|of) (?:an? |the )?", re.I)
_FROM = re.compile(r"^(?P<genre>[^,]+?) from (?P<sender>.+?)(?: to (?P<addressees>.+))?$")
# "Letter of X to Y": "of" as "from", after a letter's genre only ("Minutes of …" are not).
_OF = re.compile(r"^(?P<genre>(?:[^,]+? )?(?:letter|telegram|cable|note|message|"
                 r"cablegram|report))s? of (?P<sender>.+?) to (?P<addressees>.+)$", re.I)
_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
_HONORIFIC = re.compile(r"^(?:(?:the|The)\s+)?(?:Comrades?|Cdes?\.?|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|"
                        r"Marshal|General|Premier|Chairman|Ambassador|Minister|President|Governor)\s+")
_ORG = re.compile(
    r"\b(?:Committee|Central|Party|Ministry|Embassy|Government|Politburo|Presidium|Delegation|"
    r"Council|Bureau|Department|Commission|Secretariat|Command|Army|Office|Directorate|"
    r"Consulate|Legation|Mission|Headquarters|Front|Union|League|Congress|Assembly|Cabinet|"
    r"Staff|Board|"
    r"CCP|CPSU|VWP|SED|KGB|MfS|KWP|WPK|PUWP|MFA|UN)\b"
)
# A description ending in an office before the person's name ("Soviet Defense Minister
# A.M. Vasilevsky", "the Chinese Ambassador Wang Jiaxiang"): the name is what follows.
_ROLES = ("Minister", "Ambassador", "Chairman", "Premier", "President", "Marshal", "General",
          "Secretary", "Commander", "Chargé d'Affaires", "Counsellor", "Counselor", "Attaché",
          "Consul", "Envoy", "Representative", "Delegate", "Director", "Chief", "Head",
          "Governor", "Deputy")
_ROLE_BEFORE = re.compile(
    rf"^(?:[A-Z][\w.'’-]* )*(?:{'|'.join(_ROLES)}) "
    r"(?P<name>(?:[A-Z][\w.'’-]*\.? ){0,3}[A-Z][\w'’-]+)$")
# Documents that name their sender alone: "Report from X", "Information from X".
_SENT_ALONE = re.compile(r"(?i)^(?:(?:[\w'’-]+ ){0,2})(?:report|information|note)s?$")
# Where a person was: "Soviet Envoy X in Ulaanbaatar" names X (a body's name keeps it).
_AT_PLACE = re.compile(r"\s+(?:in|at)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}$")
_NOBODY = re.compile(r"(?i)^(?:others|et al\.?|all|comrades?|all concerned)$")
# A name: up to six words, each capitalised (or an initial, a particle, a bracket).
_NAME_WORD = re.compile(r"(?:\[?[A-ZÀ-Þ][\w'’.\-\]]*\]?|de|van|von|der|of|the|for|and|al-\w+|"
                        r"[a-z]{1,3}-[A-Z][\w'’-]*)")
NOT_LETTERS = re.compile(r"(?i)^(?:minutes|memorandum|memo|record|notes?|transcript|"
                         r"communiqu[eé]|joint communiqu[eé]|draft|report|conversation|"
                         r"summary|statement|resolution|decision|protocol|agreement)\b")


@dataclass(frozen=True)
class Correspondent:
    name: str  # may hold [brackets] the title had (they become <supplied>)
    is_org: bool
    identified: str | None = None  # who "Sokolov (Stalin)" says the name stands for


@dataclass(frozen=True)
class Correspondence:
    sender: tuple[Correspondent, ...]
    addressees: tuple[Correspondent, ...]
    through: tuple[Correspondent, ...] = ()     # received it and passed it on ("B for C")
    enclosed_from: tuple[Correspondent, ...] = ()  # wrote a message enclosed in this one


class Unreadable(ValueError):
    """The title has the shape of a letter's, but a part that should be a name is not one."""


def read_correspondents(title: str) -> Correspondence | None:
    """The correspondents the title names; None when it names none (minutes, a report);
    raises Unreadable when it seems to, but a part is not a name. A title that cannot be
    read whole is read again up to a subject without a comma before it ("... to X About the
    Talks")."""
    try:
        return _read_correspondents(title)
    except Unreadable:
        m = _BARE_SUBJECT.search(title)
        if m is None:
            raise
        return _read_correspondents(title[:m.start()])


_BARE_SUBJECT = re.compile(r"\s(?:about|regarding|concerning|on the|on his|on her|on their|"
                           r"on its)\s", re.I)


def _read_correspondents(title: str) -> Correspondence | None:
    rest = " ".join(title.split())
    # "Excerpt from a Letter from A to B" is the letter's title; "Excerpt from a Conversation
    # between …" a conversation's.
    rest = _EXCERPT_OF.sub("", rest)
    while True:  # "(excerpt)", ", 21 December 1949", ", 11:30 a.m.", ", TOP SECRET"
        trimmed = _TRAILING_MARK.sub("", _TRAILING.sub("", rest))
        if trimmed == rest:
            break
        rest = trimmed
    enclosed: tuple[Correspondent, ...] = ()
    lower = rest.lower()
    m = _ENCLOSED.search(rest) if ("containing" in lower or "transmitting" in lower
                                   or "conveying" in lower) else None
    if m:
        writers = [w["who"] for w in _ENCLOSED_FROM.finditer(rest, m.end())]
        if writers:
            enclosed = tuple(c for who in writers for c in _names(who))
        rest = rest[:m.start()]  # "... Containing a Record of ...": no correspondent's
    # "Cipher Telegram No. 12 - From Oslo to Rome": the dash is no subject's.
    rest = _DASH_FROM.sub(" from ", rest)
    rest = _SUBJECT.sub("", rest)
    if any(office in rest for office in _OFFICES):  # the regex is slow to find nothing
        rest = _OFFICE_TO.sub(r"\1", rest)  # "Ambassador to the USA X": the office's "to" goes
    m = _TO.match(rest) or _FROM.match(rest) or _OF.match(rest)
    if m is None:
        return _without_genre(rest)
    if not m["sender"]:
        return None
    if m.re is not _TO and NOT_LETTERS.match(m["genre"]) and not m["addressees"]:
        return _sender_alone(m)
    sender_text = _drop_number(m["sender"])
    through: tuple[Correspondent, ...] = ()
    via_m = _VIA.search(sender_text) if "via " in sender_text else None
    if via_m:  # "Stalin [via Kuznetsov] to …": sent through C
        through = _names(via_m["a"] or via_m["c"] or via_m["b"])
        sender_text = sender_text[:via_m.start()]
    sender = _names(sender_text)
    addressee_text = _drop_subject(m["addressees"] or "")
    via_m = _VIA.search(addressee_text) if "via " in addressee_text else None
    if via_m:
        through += _names(via_m["a"] or via_m["c"] or via_m["b"])
        addressee_text = addressee_text[:via_m.start()]
    if " for " in addressee_text:
        via, _, meant = addressee_text.partition(" for ")
        through, addressees = through + _names(via), _names(meant)
    else:
        addressees = _names(addressee_text)
    if not sender:
        return None
    return Correspondence(sender, addressees, through, enclosed)


def addressees_in(rows: list[str]) -> tuple[Correspondent, ...]:
    """The addressees a letter's first lines name when its title does not: "To Comrade X",
    "PHENIAN, TO COMRADE X.", "Dear Comrade X,", "To the Central Committee of the CPSU",
    "To: X" (a header), and the lines of the kind that follow it. Only a line whose every
    name follows an honorific or an office, or is a body's, or a header's one name, so that
    "To Moscow" or "Dear friends" name nobody. Supplied words ("[To the] Board"), a footnote
    marker glued to a name and a priority ("URGENT") are no part of a name."""
    found: list[Correspondent] = []
    for row in rows:
        row = _PRIORITY_END.sub("", _GLUED_MARKER.sub("", row.strip().replace("[", "")
                                                      .replace("]", "")))
        row = _CDE.sub("Cde", row)  # "to Cde. X": the full stop ends no address
        m = (_ADDRESS_LINE.match(row) or _SALUTATION.match(row)) if len(row) < 100 else None
        if m is None:
            if found:
                break  # the address lines have ended
            continue
        parts = [p for p in _BODY_SPLIT.split(m["who"]) if p]
        header = row[:3].lower() == "to:" and len(parts) == 1
        # "To Comrades A and B": the first name's honorific is the others' too.
        if not parts or not (header or _BODY_HONORIFIC.match(parts[0]) or _ORG.search(parts[0])) \
                or any(common_english(w) for p in parts[1:] if not _BODY_HONORIFIC.match(p)
                       and not _ORG.search(p) for w in p.split()):
            return tuple(found)
        try:
            found.extend(_names(", ".join(_THE_ANY.sub("", _BODY_HONORIFIC.sub("", p))
                                          for p in parts)))
        except Unreadable:
            return tuple(found)
    return tuple(found)


_CDE = re.compile(r"\bCde(?=\.)\.")
_GLUED_MARKER = re.compile(r"(?<=[A-Za-z])\d{1,2}\b")  # "LANG2": a flattened footnote marker
_PRIORITY_END = re.compile(r"(?i),\s*(?:urgent|immediate|flash|priority|(?:top )?secret)\s*$")
_ADDRESS_LINE = re.compile(r"(?i)^(?:[A-Z][\w'’ -]{1,40}[,-]\s+)?to:?\s+(?P<who>[^,.:;]+"
                           r"(?:(?:,\s*|\s+and\s+)[^,.:;]+)*?)[.,:!]?$")
_SALUTATION = re.compile(r"(?i)^(?:my |most |highly |deeply )?(?:dear|esteemed|respected)\s+"
                         r"(?P<who>.+?)\s*[,!:]$")
_THE_ANY = re.compile(r"(?i)^the\s+")
_BODY_SPLIT = re.compile(r"(?i),\s*|\s+and\s+")
_BODY_HONORIFIC = re.compile(
    r"(?i)^(?:the\s+)?(?:comrades?|cdes?\.?|mr\.?|mrs\.?|ms\.?|dr\.?|mister|madam|"
    r"marshal|general|premier|chairman|ambassador|minister|president|governor|secretary)\s+")


def _without_genre(rest: str) -> Correspondence | None:
    """"G. Zhukov to the CPSU CC": no genre, so only a sender no English word is part of
    ("Zhou Enlai Talking to Ho Chi Minh" is no letter)."""
    bare = _BARE_TO.match(rest)
    if bare is None or any(common_english(w) or w.lower() in _GENRE_WORDS
                           for w in bare["sender"].split() if w != "and"):
        return None
    try:
        return Correspondence(_names(bare["sender"]), _names(bare["addressees"]))
    except Unreadable:
        return None


def _sender_alone(m: re.Match[str]) -> Correspondence | None:
    """"Report from X": a report names its sender, and nobody else; minutes and memoranda
    name nobody."""
    if m.re is not _FROM or not _SENT_ALONE.match(m["genre"]):
        return None
    try:
        sender = _names(_drop_number(m["sender"]))
    except Unreadable:
        return None
    return Correspondence(sender, ()) if sender else None


def _drop_subject(s: str) -> str:
    """The addressees without a trailing subject that has no keyword: a comma-separated part
    after the first that holds a word no name has (``Stalin, Plans for the Visit``)."""
    parts = s.split(", ")
    for k in range(1, len(parts)):
        if _SUBJECT_WORD.search(" " + parts[k] + " ") and not parts[k].startswith(("for ",
                                                                                  "and ")):
            return ", ".join(parts[:k])
    return s


def _drop_number(s: str) -> str:
    return _NUMBER.sub("", s)


_SUBJECT_IN_NAME = re.compile(r"\s(?:About|Regarding|Concerning)\s")
_NUMBER = re.compile(r"^No\.\s*\S+\s*,\s*")
_THE = re.compile(r"^(?:the|The)\s+")


def _names(s: str) -> tuple[Correspondent, ...]:
    out = []
    for raw in _SPLIT.split(s.strip()):
        # An honorific is no part of a person's name; "General Staff" is a body's name.
        name = raw.strip() if _ORG.search(raw) else _HONORIFIC.sub("", raw.strip())
        name = _THE.sub("", name).strip(" ,;")
        if not name or _NOBODY.match(name):
            continue
        if not _ORG.search(name) and _AT_PLACE.search(name):
            name = _AT_PLACE.sub("", name)  # "X in Ulaanbaatar": X, wherever X was
        role = _ROLE_BEFORE.match(name) if any(r in name for r in _ROLES) else None
        if role is not None and not _ORG.search(role["name"]):
            name = role["name"]  # "Soviet Defense Minister A.M. Vasilevsky": the person
        paren = _PAREN_IDENTIFIED.fullmatch(name) if "(" in name else None
        identified = None
        if paren is not None:
            _names(paren["who"])  # the identification must itself be a name
            name, identified = paren["name"], paren["who"].strip()
        if _SUBJECT_IN_NAME.search(name):
            raise Unreadable(f"{raw.strip()!r} holds a subject, not only a name")
        words = name.split()
        is_org = bool(_ORG.search(name))
        # A body's name may say where it is: "Embassy of Hungary in the Soviet Union".
        if len(words) > (10 if is_org else 6) or not all(
                _NAME_WORD.fullmatch(w) or is_org and w in ("in", "at", "on") for w in words) \
                or not name[:1].isupper() and not name.startswith("["):
            raise Unreadable(f"{raw.strip()!r} does not look like a name")
        out.append(Correspondent(name, is_org, identified))
    return tuple(out)
