"""Sender and addressees read from a title like "Telegram, Zhou Enlai to Mao Zedong and the
CCP Central Committee". Works on the title's corrected reading (lexicon applied)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TO = re.compile(
    r"^(?P<genre>[^,]+), (?P<sender>[^,]+?) to (?P<addressees>.+?)"
    r"(?:, (?:[Rr]egarding|[Oo]n|[Cc]oncerning|[Aa]bout|[Rr]e:|[Ww]ith)\b.*|, '.*|, \".*)?$"
)
_FROM = re.compile(
    r"^(?P<genre>[^,]+?) from (?P<sender>[^,']+?)(?: to (?P<addressees>[^']+?))?(?:,.*)?$"
)
_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
_ORG = re.compile(
    r"\b(?:Committee|Central|Party|Ministry|Embassy|Government|Politburo|Presidium|Delegation|"
    r"Council|Bureau|Department|Commission|Secretariat|Command|Army|Office|Directorate|"
    r"Consulate|Mission|Headquarters|Front|Union|League|Congress|Assembly|Cabinet|Staff|"
    r"CCP|CPSU|VWP|SED|KGB|MfS|KWP|WPK|PUWP|MFA|UN)\b"
)
_NOT_A_NAME = re.compile(r"(?i)^(?:others|et al\.?|all|comrades?)$")


@dataclass(frozen=True)
class Correspondent:
    name: str  # may hold [brackets] the title had (they become <supplied>)
    is_org: bool


@dataclass(frozen=True)
class Correspondence:
    sender: tuple[Correspondent, ...]
    addressees: tuple[Correspondent, ...]


def read_correspondents(title: str) -> Correspondence | None:
    m = _TO.match(title) or _FROM.match(title)
    if not m or not m["sender"]:
        return None
    sender = _names(m["sender"])
    addressees = _names(m["addressees"] or "")
    if not sender:
        return None
    return Correspondence(sender, addressees)


def _names(s: str) -> tuple[Correspondent, ...]:
    out = []
    for raw in _SPLIT.split(s.strip()):
        name = re.sub(r"^(?:the|The)\s+", "", raw.strip())
        if not name or _NOT_A_NAME.match(name):
            continue
        out.append(Correspondent(name, bool(_ORG.search(name))))
    return tuple(out)
