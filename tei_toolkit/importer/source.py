"""Export text -> a source document whose every part knows its line and column.

The export format is described in ``shared/FORMAT.md``: a bold date, a bold (possibly
wrapped) title, then bold ``**Heading:**`` sections, the last of which is ``**Contents:**``.
This module only takes the layout apart; inline brackets are :mod:`tei_toolkit.markup`'s job.
"""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass, field

from ..errors import Finding, Location, SourceError

# The one home of month names: "January" ... "December", and every spelling -> its number.
MONTH_NAMES = tuple(calendar.month_name[1:])
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

_HEADING = re.compile(r"\*\*([^*\n]+?):\*\*")
_BOLD_LINE = re.compile(r"\*\*(.+)\*\*")
# "June 19, 1954", "June 1954", "February, 1980", "19 June 1954", "June 1-3, 1954" (a range of
# days: the month is what is known), "1954".
_DATE = re.compile(
    r"(?:(?P<day_first>\d{1,2})\s+)?(?:(?P<month>[A-Za-z]+)\.?,?\s+(?:(?P<day>\d{1,2})"
    r"(?P<range>\s*[-–]\s*\d{1,2})?,?\s+)?)?(?P<year>\d{4})"
)
# A year somewhere in a date the importer cannot read whole ("undated [1955]").
_YEAR_IN = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")
# XML 1.0 forbids these characters outright; they would make the TEI unwritable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# Not frozen (nothing changes one): a frozen dataclass's __init__ costs four times as much, and
# every paragraph, title and date is one.
@dataclass
class Text:
    """A piece of source text made of whole lines, with the position of each line.

    ``text`` is the lines joined by ``sep`` ("\\n" for paragraphs, " " for a wrapped title).
    """

    text: str
    path: str
    lines: tuple[int, ...]  # 1-based source line of each joined line
    starts: tuple[int, ...]  # offset in ``text`` where each joined line starts


    def __init__(self, text: str, path: str, lines: tuple[int, ...],
                 starts: tuple[int, ...]) -> None:
        # Written out: mypyc compiles this, not the one @dataclass would generate.
        self.text = text
        self.path = path
        self.lines = lines
        self.starts = starts
    @classmethod
    def join(
        cls, path: str, numbered: list[tuple[int, str]], sep: str = "\n", first_column: int = 1
    ) -> "Text":
        """Join numbered lines; ``first_column`` is where the first line's text starts."""
        starts, offset = [], 0
        for _, line in numbered:
            starts.append(offset)
            offset += len(line) + len(sep)
        if starts:
            starts[0] -= first_column - 1
        return cls(sep.join(s for _, s in numbered), path, tuple(n for n, _ in numbered), tuple(starts))

    def location(self, offset: int = 0) -> Location:
        """The file:line:column of character ``offset`` of ``text``."""
        if not self.lines:
            return Location(self.path)
        i = max(0, bisect.bisect_right(self.starts, offset) - 1)
        return Location(self.path, self.lines[i], offset - self.starts[i] + 1)


@dataclass
class Section:
    heading: str  # as written, without the bold and the colon
    line: int
    paragraphs: list[Text]


@dataclass
class SourceDocument:
    """The export taken apart: what every later stage works from."""

    path: str
    date: Text
    when: str  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD; empty when the date cannot be read
    title: Text
    sections: list[Section]
    version: Text | None  # "Translation - English" or the like, first line of Contents
    body: list[Text]
    warnings: list[Finding] = field(default_factory=list)

    def section(self, heading: str) -> Section | None:
        for s in self.sections:
            if s.heading == heading:
                return s
        return None


def xml_unsafe(s: str) -> str | None:
    """The first character of ``s`` that XML 1.0 cannot hold, if any."""
    m = _NOT_XML.search(s)
    return m.group() if m else None


def decode(data: bytes, path: str) -> str:
    """Bytes -> text, or a SourceError saying where the bytes stop being UTF-8 text."""
    return _decode(data, path)[0]


def _decode(data: bytes, path: str) -> tuple[str, bool]:
    """The text, and whether it is already known to hold only characters XML allows."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("the file is encoded as UTF-16; re-save the export as UTF-8",
                          Location(path, 1, 1))
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise SourceError(
            "this looks like a binary file (NUL byte), not a text export",
            Location(path, line, nul - data.rfind(b"\n", 0, nul)),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise SourceError(
            f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded "
            "(re-save the export as UTF-8)",
            Location(path, line, column),
        ) from None
    # Control characters are single bytes in UTF-8: bytes.translate finds them at C speed,
    # so the slower regex runs only on texts that have one (or U+FFFE/U+FFFF).
    if not data.translate(None, _NOT_CONTROL) and b"\xef\xbf\xbe" not in data \
            and b"\xef\xbf\xbf" not in data:
        return text, True
    return text, False


_NOT_CONTROL = bytes(b for b in range(256) if not (b < 0x20 and b not in (0x09, 0x0A, 0x0D)))


def normalize_text(text: str, path: str, checked: bool = False) -> str:
    """No BOM, LF line ends; a SourceError for an empty text or a character XML cannot hold
    (``checked``: the text is known to hold none)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SourceError("the file is empty", Location(path))
    bad = None if checked else _NOT_XML.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - text.rfind("\n", 0, bad.start())
        raise SourceError(
            f"character U+{ord(bad.group()):04X} is not allowed in XML",
            Location(path, line, column),
        )
    return text


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # calendar.monthrange's, no weekday


def parse_date(raw: str) -> str | None:
    """'June 19, 1954' -> '1954-06-19'; 'June 1954' -> '1954-06'; '1954' -> '1954'."""
    m = _DATE.fullmatch(raw.strip())
    if not m or (m["day_first"] and not m["month"]):
        return None
    year = int(m["year"])
    if not m["month"]:
        return f"{year:04d}"
    month = MONTHS.get(m["month"].lower())
    if month is None:
        return None
    if m["day_first"] and m["day"]:
        return None  # "19 June 20, 1954": two days
    if m["range"] or not (m["day"] or m["day_first"]):
        return f"{year:04d}-{month:02d}"
    day = int(m["day"] or m["day_first"])
    if not 1 <= day <= (29 if month == 2 and calendar.isleap(year) else _DAYS[month - 1]):
        return None
    return "%04d-%02d-%02d" % (year, month, day)  # one call, compiled (an f-string is three)


def parse(data: bytes | str, path: str = "<string>") -> SourceDocument:
    """Take an export apart. Raises SourceError for what cannot be converted."""
    text, checked = (data, False) if isinstance(data, str) else _decode(data, path)
    text = normalize_text(text, path, checked)
    lines = [(n, s.rstrip(" \t")) for n, s in enumerate(text.split("\n"), start=1)]
    warnings: list[Finding] = []
    reader = _Lines(lines, path, warnings)
    reader.skip_blank(leading=True)
    date, when = _read_date(reader, path)
    reader.skip_blank(required=True)
    title = _read_title(reader, path)
    reader.skip_blank(required=True)
    sections: list[Section] = []
    while not reader.done():
        n, line = reader.take()
        heading = _heading(line, n, path, warnings)
        if heading == "Contents":
            version, body = _contents(reader, n, path, warnings)
            return SourceDocument(path, date, when, title, sections, version, body, warnings)
        sections.append(Section(heading, n, reader.paragraphs(until_heading=True)))
    raise SourceError("no **Contents:** section: there is no document text to convert",
                      Location(path, reader.last_line or 1, 1))


def _read_date(reader: "_Lines", path: str) -> tuple[Text, str]:
    """The first line: the document's date in bold, as text and as an ISO date."""
    n, date_line = reader.take()
    m = _BOLD_LINE.fullmatch(date_line)
    if not m or _HEADING.fullmatch(date_line):
        raise SourceError(
            "expected the document date in bold on the first line, like **June 19, 1954**",
            Location(path, n, 1),
        )
    when = parse_date(m.group(1))
    if when is None and _title_next(reader):
        raise SourceError(
            f"expected the document date in bold on the first line, like **June 19, 1954**; "
            f"{m.group(1)[:40]!r} is followed by a section heading, so it is the title and "
            "the date is missing", Location(path, n, 3))
    if when is None:
        # Never refused for its date: the year if one is there, else no ISO date at all.
        year = _YEAR_IN.search(m.group(1))
        when = year.group(1) if year else ""
        reader.warnings.append(Finding(
            Location(path, n, 3), "date",
            f"cannot read the date {m.group(1)!r} (a month name, day and year like June 19, "
            "1954): " + (f"the TEI dates the document {when} and keeps the date as written"
                         if when else "the TEI keeps the date as written, with no ISO date")))
    return Text.join(path, [(n, m.group(1))], first_column=3), when


def _title_next(reader: "_Lines") -> bool:
    """Is the next line with words a section heading (the line just read was the title)?"""
    for k in range(reader.i, min(reader.i + 4, len(reader.lines))):
        line = reader.lines[k][1]
        if line.strip():
            return _HEADING.fullmatch(line) is not None
    return False


def _heading(line: str, n: int, path: str, warnings: list[Finding]) -> str:
    """A section heading's name ("Citation" for **Citation:**)."""
    h = _HEADING.fullmatch(line)
    if not h:
        raise SourceError(f"expected a section heading like **Citation:**, found {_clip(line)!r}",
                          Location(path, n, 1))
    heading = h.group(1).strip()
    if heading != h.group(1):  # "** Summary:**", a line separator inside the bold
        warnings.append(Finding(Location(path, n, 3), "heading-spacing",
                                f"the heading {line!r} has white space inside the bold; "
                                f"the TEI keeps it as **{heading}:**"))
    return heading


def _contents(reader: "_Lines", n: int, path: str,
              warnings: list[Finding]) -> tuple[Text | None, list[Text]]:
    """The Contents section (its heading on line ``n``): the version line, if any, and the
    document's paragraphs."""
    paragraphs = reader.paragraphs(until_heading=False)
    if not paragraphs:
        raise SourceError("the **Contents:** section is empty", Location(path, n, 1))
    version: Text | None = None
    first = paragraphs[0]
    if _VERSION.fullmatch(first.text):
        version = first
        paragraphs = paragraphs[1:]
    else:
        warnings.append(Finding(first.location(), "no-version-line",
                                "Contents does not start with a version line like "
                                "'Translation - English'"))
    if not paragraphs:
        raise SourceError("the **Contents:** section has no text", Location(path, n, 1))
    return version, paragraphs


_VERSION = re.compile(
    r"(?:Translation|Transcript|Transcription|Original)\s+-\s+\S.*|\S+ (?:Translation|Transcript|Transcription)"
)


def _clip(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def closes_title(line: str, first_line: bool) -> bool:
    """Does this line of a bold title (its first line without the opening ``**``) close it?
    The one rule, for the importer and for the round trip's normalisation: it ends with
    ``**``, and on the title's first line that ``**`` is not the opening one's other half."""
    return line.endswith("**") and (not first_line or len(line) > 2)


def _read_title(reader: "_Lines", path: str) -> Text:
    if reader.done():
        raise SourceError("no title: expected a bold title after the date",
                          Location(path, reader.last_line or 1, 1))
    n, first = reader.take()
    if not first.startswith("**") or _HEADING.fullmatch(first):
        raise SourceError(
            "expected the title in bold after the date, like **Telegram, A to B**",
            Location(path, n, 1),
        )
    parts = [(n, first[2:])]
    while not closes_title(parts[-1][1], first_line=len(parts) == 1):
        if reader.done() or reader.peek()[1] == "":
            raise SourceError("the bold title is not closed with **", Location(path, n, 1))
        parts.append(reader.take())
    ln, last = parts[-1]
    parts[-1] = (ln, last[:-2])
    if not "".join(p for _, p in parts).strip():
        raise SourceError("the title is empty", Location(path, n, 1))
    # A wrapped title is joined into one line (its line breaks are layout, not text).
    joined = [(ln, p.strip(" \t") if i else p) for i, (ln, p) in enumerate(parts)]
    return Text.join(path, joined, sep=" ", first_column=3)


class _Lines:
    """A cursor over numbered lines that groups them into paragraphs."""

    def __init__(self, lines: list[tuple[int, str]], path: str, warnings: list[Finding]) -> None:
        # Trailing blank lines at the end of the file are layout only.
        while lines and not lines[-1][1]:
            lines.pop()
        self.lines = lines
        self.i = 0
        self.path = path
        self.warnings = warnings
        self.last_line = lines[-1][0] if lines else 0

    def done(self) -> bool:
        return self.i >= len(self.lines)

    def peek(self) -> tuple[int, str]:
        return self.lines[self.i]

    def take(self) -> tuple[int, str]:
        item = self.lines[self.i]
        self.i += 1
        return item

    def skip_blank(self, leading: bool = False, required: bool = False) -> None:
        """Step over blank lines; warn where the format has one and there is none
        (``required``: the text reading will put it back) or where there are several."""
        skipped = 0
        while not self.done() and not self.peek()[1]:
            self.i += 1
            skipped += 1
        if required and not skipped and not self.done():
            self.missing_blank(self.peek()[0])
        if skipped > 1 and not leading and not self.done():
            self.warnings.append(Finding(
                Location(self.path, self.peek()[0] - skipped + 1, 1), "extra-blank-lines",
                f"{skipped} blank lines where the format has one; "
                "the TEI keeps one paragraph break"))

    def missing_blank(self, line: int) -> None:
        self.warnings.append(Finding(
            Location(self.path, line, 1), "missing-blank-line",
            "no blank line before this line where the format has one; the TEI's text "
            "reading puts one back"))

    def paragraphs(self, until_heading: bool) -> list[Text]:
        """Paragraphs (runs of non-blank lines) up to the next heading or the end."""
        out: list[Text] = []
        lines, n = self.lines, len(self.lines)
        heading = _HEADING.fullmatch if until_heading else None
        while True:
            self.skip_blank(required=not out)  # a heading is followed by a blank line
            i = self.i
            if i >= n or heading and heading(lines[i][1]):
                return out
            start = i
            while i < n and lines[i][1] and not (heading and i > start and heading(lines[i][1])):
                i += 1
            if i < n and lines[i][1]:  # a heading right after the text, no blank line
                self.missing_blank(lines[i][0])
            self.i = i
            out.append(Text.join(self.path, lines[start:i]))
