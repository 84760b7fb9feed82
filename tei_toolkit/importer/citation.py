"""The Citation section taken apart as far as it reliably can be.

``"Title", June 19, 1954, Wilson Center Digital Archive, <source>.  \\n<URL>``

The result is a list of parts that together hold every character of the citation: what is
recognised becomes a typed part, the rest stays text between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .source import Text, parse_date

_DATE = r"(?:[A-Z][a-z]+\.? (?:\d{1,2}, )?)?\d{4}"
_HEAD = re.compile(
    rf'"(?P<title>.*?)(?P<comma>,?)"(?P<sep>,? )(?=(?P<date>{_DATE})(?:,|$))', re.S
)
_ARCHIVE = re.compile(r", (?P<archive>[^,\n]*?Digital Archive)(?=,|\.|\n|$)")
_URL_LINE = re.compile(r"\n<(?P<url>[a-z][a-z0-9+.-]*://[^\s<>]+)>\Z")
_NAME = r"(?:[A-ZÀ-Þ]\.|[A-ZÀ-Þ][\w'’-]+)(?: (?:[A-ZÀ-Þ]\.|[A-ZÀ-Þ][\w'’-]+))*"
# "Translated for CWIHP by X", "Obtained and translated for NKIDP by X", "Translated from the
# Russian by X".
_TRANSLATOR = re.compile(
    rf"(?P<resp>(?:Obtained and t|T)ranslated (?:from (?:the )?[A-Z][a-z]+ )?"
    rf"(?:for [^.;,\n]*? )?by) (?P<name>{_NAME})(?: and (?P<name2>{_NAME}))?"
    r"(?=[.,;\s]|$)"
)
# A record id or slug is the last path segment, except a node number (/node/N): that is a
# number of the site's software, not the archive's document number.
_RECORD = re.compile(r"/(?P<id>[0-9]+)/?\Z|/(?P<slug>[A-Za-z0-9][\w.-]*)/?\Z")
_NODE = re.compile(r"/node/[0-9]+/?\Z")


@dataclass  # not frozen, as source.Text: a dozen per document
class Part:
    kind: str  # text | title | date | publisher | source | translator | lb | url
    start: int
    end: int
    value: str = ""  # date: ISO value; url: the URL; translator: resp phrase
    names: tuple[str, ...] = ()  # translator: the names

    def __init__(self, kind: str, start: int, end: int, value: str = "",
                 names: tuple[str, ...] = ()) -> None:
        # Written out: mypyc compiles this, not the one @dataclass would generate.
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value
        self.names = names


@dataclass(frozen=True)
class Citation:
    text: Text
    parts: tuple[Part, ...]

    def first(self, kind: str) -> Part | None:
        return next((p for p in self.parts if p.kind == kind), None)

    @property
    def url(self) -> str | None:
        p = self.first("url")
        return p.value if p else None

    @property
    def translators(self) -> tuple[str, ...]:
        p = self.first("translator")
        return p.names if p else ()

    @property
    def archive(self) -> str | None:
        p = self.first("publisher")
        return self.text.text[p.start:p.end] if p else None

    def record_id(self) -> tuple[str | None, str | None]:
        """(numeric record id, slug) from the URL's last path segment; neither for a node
        number (``/node/N``)."""
        url = self.url or ""
        m = None if _NODE.search(url) else _RECORD.search(url)
        if m is None:
            return None, None
        return m["id"], m["slug"]


def parse_citation(text: Text) -> Citation:
    s = text.text
    parts: list[Part] = []
    end = len(s)
    url = _URL_LINE.search(s)
    if url:
        end = url.start()
    pos = 0
    head = _HEAD.match(s, 0, end)
    if head:
        parts.append(Part("text", 0, 1))
        parts.append(Part("title", head.start("title"), head.end("title")))
        parts.append(Part("text", head.end("title"), head.end()))
        pos = head.end()
        date_end = head.end("date")
        when = parse_date(head["date"])
        if when:
            parts.append(Part("date", pos, date_end, when))
        else:
            parts.append(Part("text", pos, date_end))
        pos = date_end
        archive = _ARCHIVE.match(s, pos, end)
        if archive:
            parts.append(Part("text", pos, archive.start("archive")))
            parts.append(Part("publisher", archive.start("archive"), archive.end("archive")))
            pos = archive.end()
            if s.startswith(", ", pos) and pos + 2 < end:
                parts.append(Part("text", pos, pos + 2))
                parts.extend(_source(s, pos + 2, end))
                pos = end
    if pos < end:
        parts.append(Part("text", pos, end))
    if url:
        parts.append(Part("lb", url.start(), url.start() + 1))
        parts.append(Part("text", url.start() + 1, url.start("url")))
        parts.append(Part("url", url.start("url"), url.end("url"), url["url"]))
        parts.append(Part("text", url.end("url"), url.end()))
    return Citation(text, tuple(p for p in parts if p.end > p.start or p.kind == "lb"))


def _source(s: str, start: int, end: int) -> list[Part]:
    """The printed or archival source, with a 'Translated ... by NAME' phrase inside it."""
    m = _TRANSLATOR.search(s, start, end)
    if not m:
        return [Part("source", start, end)]
    names = (m["name"],) + ((m["name2"],) if m["name2"] else ())
    return [Part("source", start, end),
            Part("translator", m.start(), m.end(), m["resp"], names)]
