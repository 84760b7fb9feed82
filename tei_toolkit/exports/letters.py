"""What other tools need of a TEI document written by ``tei import``: one Letter.

The one place that reads the importer's TEI for metadata (who wrote to whom, when, where the
archive keeps it, which register entries it names); CMIF, the letters table and the HTML
edition are written from Letters.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .. import spans
from ..errors import Location, TeiInputError
from ..xmlcore import T
from ..xmlcore import TEI_NS, XML_ID
from .readings import inline_reading, read_tei, reading

_NS = {"t": TEI_NS}
# Authorities correspSearch takes, best first; Wikidata only where nothing else exists.
PREFERRED = ("GND", "VIAF", "LC", "GEONAMES", "WIKIDATA")


@dataclass(frozen=True)
class Entry:
    """A register entry as the document's standOff gives it."""

    id: str
    kind: str  # "person", "org", "place"
    name: str  # preferred name
    uris: tuple[tuple[str, str], ...] = ()  # (authority, URI)
    birth: str = ""
    death: str = ""

    @property
    def authority(self) -> str | None:
        """The URI correspSearch should get: GND, VIAF, LoC, else Wikidata; None if none."""
        by_kind = dict(self.uris)
        return next((by_kind[k] for k in PREFERRED if k in by_kind), None)


@dataclass(frozen=True)
class Party:
    """A correspondent as the title names them, and the register entry, if any."""

    text: str  # as written ("Filippov")
    is_org: bool
    entry: Entry | None = None

    @property
    def name(self) -> str:
        """The name a catalogue shows: the register's preferred name, else as written."""
        return self.entry.name if self.entry else self.text


@dataclass
class Letter:
    path: str
    id: str
    url: str | None
    date: str  # ISO
    date_text: str
    title: str  # corrected reading
    type: str  # "Telegram", "Ciphered telegram", "Minutes of conversation", ...
    citation: str
    summary: str
    call_number: str | None
    translators: list[str]  # whom the citation names as translators
    languages: list[str]  # original languages, ISO codes
    senders: list[Party] = field(default_factory=list)
    recipients: list[Party] = field(default_factory=list)
    transmitted: list[Party] = field(default_factory=list)
    enclosed_from: list[Party] = field(default_factory=list)
    places: dict[str, Party] = field(default_factory=dict)  # "sent"/"received" -> the place
    entries: dict[str, Entry] = field(default_factory=dict)  # the register entries named
    counts: dict[str, int] = field(default_factory=dict)
    text: str = ""  # the corrected reading of the body
    root: etree._Element | None = None


def read_letter(path: str | Path, data: bytes | None = None) -> Letter:
    """A Letter from a TEI file written by ``tei import``; TeiInputError if it is not one."""
    path = str(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise TeiInputError(f"cannot read: {exc.strerror}", Location(path)) from None
    root = read_tei(data, path)
    if root.tag != T("TEI") or root.find(T("teiHeader")) is None:
        raise TeiInputError("not a TEI document written by tei import (no TEI/teiHeader)",
                            Location(path, root.sourceline or 0))

    def one(xpath: str) -> etree._Element | None:
        found = root.xpath(xpath, namespaces=_NS)
        return found[0] if found else None

    date = one("t:teiHeader/t:profileDesc/t:creation/t:date")
    title = one("t:teiHeader/t:fileDesc/t:titleStmt/t:title")
    if date is None or title is None:  # a date without @when: one the export did not say
        raise TeiInputError("not a TEI document written by tei import (no creation date or "
                            "title)", Location(path, root.sourceline or 0))
    entries = _entries(root)
    corrected = reading(root, "corrected", path)
    title_text = _inline(title)
    url = one("t:teiHeader/t:fileDesc/t:publicationStmt/t:idno[@type='URI']")
    bibl = one("t:teiHeader/t:fileDesc/t:sourceDesc/t:bibl")
    abstract = root.xpath("t:teiHeader/t:profileDesc/t:abstract/t:p", namespaces=_NS)
    letter = Letter(
        path=path, id=root.get(XML_ID) or Path(path).stem,
        url=url.text if url is not None else None, date=date.get("when", ""),
        date_text="".join(date.itertext()), title=title_text, type=_genre(title_text),
        citation=_citation(bibl) if bibl is not None else "",
        call_number=_call_number(bibl),
        translators=[" ".join("".join(n.itertext()).split()) for n in bibl.xpath(
            ".//t:respStmt[@xml:id='translator']/t:persName", namespaces=_NS)]
        if bibl is not None else [],
        summary="\n\n".join(_inline(p) for p in abstract),
        languages=root.xpath("t:teiHeader/t:profileDesc/t:langUsage/t:language[@n='original']"
                             "/@ident", namespaces=_NS),
        entries=entries, root=root,
        text=corrected.split("**Contents:**\n\n", 1)[-1].strip(),
    )
    _correspondence(letter, root, entries, path)
    letter.counts = spans.counts(root)
    return letter


def _correspondence(letter: Letter, root: etree._Element, entries: dict[str, Entry],
                    path: str) -> None:
    """The letter's senders, recipients, go-betweens, places and enclosed message's author,
    from correspDesc."""
    for kind, target in (("sent", letter.senders), ("received", letter.recipients),
                         ("transmitted", letter.transmitted)):
        for el in root.xpath(f"t:teiHeader/t:profileDesc/t:correspDesc/t:correspAction"
                             f"[@type='{kind}']/*[self::t:persName or self::t:orgName]",
                             namespaces=_NS):
            target.append(_party(el, entries, path))
    for kind in ("sent", "received"):
        for el in root.xpath(f"t:teiHeader/t:profileDesc/t:correspDesc/t:correspAction"
                             f"[@type='{kind}']/t:placeName", namespaces=_NS)[:1]:
            letter.places[kind] = _party(el, entries, path)
    for el in root.xpath("t:teiHeader/t:profileDesc/t:correspDesc/t:note[@type='enclosure']"
                         "/*[self::t:persName or self::t:orgName]", namespaces=_NS):
        letter.enclosed_from.append(_party(el, entries, path))


def _inline(el: etree._Element) -> str:
    """An element's corrected reading on one line: corrections applied, supplements without
    brackets."""
    return " ".join(inline_reading(el).split())


def _call_number(bibl: etree._Element | None) -> str | None:
    """Where the archive holds the original (the citation's bibl of type "source")."""
    found = bibl.find(T("bibl")) if bibl is not None else None
    if found is None or found.get("type") != "source":
        return None
    # The text before the translators the citation names (their respStmt follows it).
    parts = [found.text or ""]
    for child in found:
        if child.tag == T("respStmt"):
            break
        parts += [*child.itertext(), child.tail or ""]
    text = " ".join("".join(parts).split())
    return text or None


def _citation(bibl: etree._Element) -> str:
    """The citation without its URL (given apart) and the brackets around it."""
    bibl = copy.deepcopy(bibl)
    for ref in list(bibl.iter(T("ref"))):
        parent = ref.getparent()
        assert parent is not None
        tail = ref.tail or ""
        prev = ref.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(ref)
    # A URL the TEI keeps as text only (a test mirror's: no address to publish) goes too.
    return _BARE_URL.sub("", _inline(bibl).replace(" <>", "").replace("<>", "")).strip()


_BARE_URL = re.compile(r"\s*<[A-Za-z][A-Za-z0-9+.-]*://[^\s<>]*>")


def _genre(title: str) -> str:
    """The document type the title begins with, in sentence case: the archive writes
    "Ciphered Telegram" and "Ciphered telegram" for one type; an acronym (CPSU) keeps its
    capitals."""
    head = title.split(",", 1)[0].strip()
    for cut in (" No.", " from ", " between ", " with "):
        if cut in head:
            head = head.split(cut, 1)[0]
    words = head.split()
    if not words:
        return "Document"
    rest = [w if w.isupper() and len(w) > 1 else w.lower() for w in words[1:]]
    return " ".join([words[0][:1].upper() + words[0][1:], *rest])


def _entries(root: etree._Element) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for el in root.xpath("t:standOff/*/*[self::t:person or self::t:org or self::t:place]",
                         namespaces=_NS):
        xml_id = el.get(XML_ID)
        if not xml_id:
            continue
        names = el.xpath("*[self::t:persName or self::t:orgName or self::t:placeName]"
                         "[@type='preferred']", namespaces=_NS)
        uris = tuple((i.get("type", "").upper(), (i.text or "").strip())
                     for i in el.findall(T("idno")) if (i.text or "").strip())
        birth, death = el.find(T("birth")), el.find(T("death"))
        out[xml_id] = Entry(
            xml_id, etree.QName(el).localname, "".join(names[0].itertext()) if names else xml_id,
            uris, birth.get("when", "") if birth is not None else "",
            death.get("when", "") if death is not None else "")
    return out


def _party(el: etree._Element, entries: dict[str, Entry], path: str) -> Party:
    ref = el.get("ref") or ""
    entry = entries.get(ref.removeprefix("#")) if ref else None
    if ref and entry is None:
        raise TeiInputError(f"{etree.QName(el).localname} @ref {ref!r} has no entry in "
                            "standOff: the register entry is missing",
                            Location(path, el.sourceline or 0))
    return Party(" ".join("".join(el.itertext()).split()),
                 etree.QName(el).localname == "orgName", entry)
