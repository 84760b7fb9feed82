"""Sender and addressees read from a title with a small grammar, not a comma split.

Titles follow ``TYPE[ No. N], SENDER to ADDRESSEES[, SUBJECT | , DATE][ (excerpt)]`` (see
../shared/FORMAT.md), with variations seen on real pages:

- ``Comrade X``: the honorific is not part of the name;
- ``A to B for C``: B receives the message and passes it to C, for whom it is meant;
- ``…, containing a Message from C``: C wrote an enclosed message; C is no addressee;
- ``… and Others``: names nobody; ``, Regarding …`` / ``, on the …``: a subject;
- a trailing date (``, 21 December 1949``) or ``(excerpt)``: not names;
- minutes, memoranda and records of conversation, communiqués, drafts and reports are not
  letters: they name no sender and addressee unless the title says ``X to Y``.

When a part that should be a name does not look like one, nothing is read: an invented
correspondent is worse than none (the caller warns). Works on the title's corrected reading
with identifications left out (``Filippov [Stalin]`` reads ``Filippov``: the text keeps the
code name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .source import MONTH_NAMES

_MONTHS = "|".join(MONTH_NAMES)
_TRAILING = re.compile(
    r"\s*(?:\((?:excerpt|excerpts|abridged|summary|draft|extract)\)"
    rf"|,\s*(?:\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{1,2}},\s*\d{{4}}"
    rf"|(?:{_MONTHS})\s+\d{{4}}|\d{{4}}))\s*$", re.I)
_SUBJECT = re.compile(
    r",\s*(?:regarding|on|concerning|about|re:|with|in connection with|reporting)\b.*$"
    r"|,\s*['\"“‘].*$", re.I)
# "containing a Message from C", "transmitting 14 January 1951 Message from C to D",
# "conveying telegram From C to D": C wrote the enclosed message (its addressee is not ours).
_ENCLOSED = re.compile(r",?\s*(?:containing|transmitting|conveying)\b.*?\b(?:message|letter|"
                       r"telegram|note|cable)s?\s+from\s+(?P<who>.+?)(?:\s+(?:to|with)\s+.*)?$",
                       re.I)
# "B (via C)", "B via C": C received the message and passed it on.
_VIA = re.compile(r"\s*(?:\(via (?P<a>[^)]+)\)|\bvia (?P<b>.+))$")
_TO = re.compile(r"^(?P<genre>[^,]+), (?P<sender>.+?) to (?P<addressees>.+)$")
_FROM = re.compile(r"^(?P<genre>[^,]+?) from (?P<sender>.+?)(?: to (?P<addressees>.+))?$")
_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
_HONORIFIC = re.compile(r"^(?:(?:the|The)\s+)?(?:Comrades?|Cdes?\.?|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|"
                        r"Marshal|General|Premier|Chairman|Ambassador|Minister|President)\s+")
_ORG = re.compile(
    r"\b(?:Committee|Central|Party|Ministry|Embassy|Government|Politburo|Presidium|Delegation|"
    r"Council|Bureau|Department|Commission|Secretariat|Command|Army|Office|Directorate|"
    r"Consulate|Mission|Headquarters|Front|Union|League|Congress|Assembly|Cabinet|Staff|"
    r"CCP|CPSU|VWP|SED|KGB|MfS|KWP|WPK|PUWP|MFA|UN)\b"
)
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
    raises Unreadable when it seems to, but a part is not a name."""
    rest = " ".join(title.split())
    while rest.endswith(")") or rest[-1:].isdigit():  # "(excerpt)", ", 21 December 1949"
        trimmed = _TRAILING.sub("", rest)
        if trimmed == rest:
            break
        rest = trimmed
    enclosed: tuple[Correspondent, ...] = ()
    lower = rest.lower()
    m = _ENCLOSED.search(rest) if ("containing" in lower or "transmitting" in lower
                                   or "conveying" in lower) else None
    if m:
        enclosed = _names(m["who"])
        rest = rest[:m.start()]
    rest = _SUBJECT.sub("", rest)
    m = _TO.match(rest) or _FROM.match(rest)
    if not m or not m["sender"]:
        return None
    if m.re is _FROM and NOT_LETTERS.match(m["genre"]) and not m["addressees"]:
        return None
    sender = _names(_drop_number(m["sender"]))
    through: tuple[Correspondent, ...] = ()
    addressee_text = m["addressees"] or ""
    via_m = _VIA.search(addressee_text) if "via " in addressee_text else None
    if via_m:
        through = _names(via_m["a"] or via_m["b"])
        addressee_text = addressee_text[:via_m.start()]
    if " for " in addressee_text:
        via, _, meant = addressee_text.partition(" for ")
        through, addressees = through + _names(via), _names(meant)
    else:
        addressees = _names(addressee_text)
    if not sender:
        return None
    return Correspondence(sender, addressees, through, enclosed)


def _drop_number(s: str) -> str:
    return re.sub(r"^No\.\s*\S+\s*,\s*", "", s)


def _names(s: str) -> tuple[Correspondent, ...]:
    out = []
    for raw in _SPLIT.split(s.strip()):
        name = _HONORIFIC.sub("", raw.strip())
        name = re.sub(r"^(?:the|The)\s+", "", name).strip(" ,;")
        if not name or _NOBODY.match(name):
            continue
        words = name.split()
        if len(words) > 6 or not all(_NAME_WORD.fullmatch(w) for w in words) \
                or not name[:1].isupper() and not name.startswith("["):
            raise Unreadable(f"{raw.strip()!r} does not look like a name")
        out.append(Correspondent(name, bool(_ORG.search(name))))
    return tuple(out)
