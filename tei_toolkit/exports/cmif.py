"""Letters -> one CMIF file (Correspondence Metadata Interchange Format, v2) for correspSearch.

CMIF is a TEI header listing letters: a ``bibl`` per source (here: the archive document each
letter comes from, with a stable UUID as ``xml:id``), and per letter a ``correspDesc`` with
``@ref`` (the archive's address of the letter) and ``@source`` (its bibl), a ``sent`` and a
``received`` action, names as plain text with authority URIs in ``@ref``, and dates.

CMIF has no "transmitted" action: a message sent to B for C is received by C. Letters without
both a sender and an addressee (minutes, reports) are left out, and the summary says which.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..xmlcore import as_uri, attr, esc
from . import DEFAULT_LICENCE
from .letters import Letter, Party

CMIF_SCHEMA = ("https://raw.githubusercontent.com/TEI-Correspondence-SIG/CMIF/master/schema/"
               "cmi-customization.rng")


@dataclass
class CmifResult:
    xml: bytes
    letters: list[Letter] = field(default_factory=list)     # in the file
    skipped: list[tuple[Letter, str]] = field(default_factory=list)  # and why


def bibl_id(letter: Letter) -> str:
    """A UUID for the letter's source, the same on every run (a name-based UUID of its
    address). An xml:id cannot start with a digit, so the first of the address's UUIDs
    (``address``, ``address#1``, ...) that starts with a letter is taken."""
    name = letter.url or f"urn:tei-toolkit:{letter.id}"
    k = 0
    while True:
        found = str(uuid.uuid5(uuid.NAMESPACE_URL, name if k == 0 else f"{name}#{k}"))
        if found[0].isalpha():
            return found
        k += 1


def build_cmif(letters: list[Letter], *, title: str, editor: str, publisher: str,
               file_url: str, licence: str = DEFAULT_LICENCE,
               now: datetime | None = None) -> CmifResult:
    """One CMIF file for ``letters``; those without a sender and an addressee are skipped
    (``result.skipped`` says why)."""
    result = CmifResult(b"")
    for letter in letters:
        if not letter.senders:
            result.skipped.append((letter, "no sender in the title: not a letter"))
        elif not letter.recipients:
            result.skipped.append((letter, "no addressee in the title"))
        else:
            result.letters.append(letter)
    stamp = (now or datetime.now(timezone.utc)).replace(microsecond=0).isoformat()
    out = [
        "<?xml version='1.0' encoding='UTF-8'?>\n",
        f'<?xml-model href="{CMIF_SCHEMA}" type="application/xml" '
        'schematypens="http://relaxng.org/ns/structure/1.0"?>\n',
        '<TEI xmlns="http://www.tei-c.org/ns/1.0">\n  <teiHeader>\n    <fileDesc>\n',
        f"      <titleStmt>\n        <title>{esc(title)}</title>\n"
        f"        <editor>{esc(editor)}</editor>\n      </titleStmt>\n",
        f"      <publicationStmt>\n        <publisher>{esc(publisher)}</publisher>\n"
        f'        <idno type="url">{esc(as_uri(file_url))}</idno>\n'
        f'        <date when="{stamp}"/>\n'
        f'        <availability>\n          <licence target="{attr(as_uri(licence))}">'
        f"{esc(licence)}</licence>\n        </availability>\n      </publicationStmt>\n",
        "      <sourceDesc>\n",
    ]
    seen: set[str] = set()
    for letter in result.letters:
        key = bibl_id(letter)
        if key in seen:
            continue
        seen.add(key)
        ref = (f' <ref target="{attr(as_uri(letter.url))}">{esc(letter.url)}</ref>'
               if letter.url else "")
        out.append(f'        <bibl type="online" xml:id="{key}">{esc(letter.citation)}{ref}'
                   "</bibl>\n")
    out.append("      </sourceDesc>\n    </fileDesc>\n    <profileDesc>\n")
    for letter in result.letters:
        ref = f' ref="{attr(as_uri(letter.url))}"' if letter.url else ""
        out.append(f'      <correspDesc{ref} source="#{bibl_id(letter)}">\n')
        out.append('        <correspAction type="sent">\n')
        out += [_name(p) for p in letter.senders]
        out += [_name(letter.places["sent"], "placeName")] if "sent" in letter.places else []
        if letter.date:  # an undated letter's action has no date
            out.append(f'          <date when="{attr(letter.date)}"/>\n')
        out.append("        </correspAction>\n")
        out.append('        <correspAction type="received">\n')
        out += [_name(p) for p in letter.recipients]
        out += [_name(letter.places["received"], "placeName")] \
            if "received" in letter.places else []
        out.append("        </correspAction>\n      </correspDesc>\n")
    out.append("    </profileDesc>\n  </teiHeader>\n  <text>\n    <body>\n      <p/>\n"
               "    </body>\n  </text>\n</TEI>\n")
    result.xml = "".join(out).encode("utf-8")
    return result


def _name(party: Party, tag: str | None = None) -> str:
    tag = tag or ("orgName" if party.is_org else "persName")
    uri = party.entry.authority if party.entry else None
    ref = f' ref="{attr(uri)}"' if uri else ""
    return f"          <{tag}{ref}>{esc(party.name)}</{tag}>\n"
