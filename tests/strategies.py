"""Hypothesis strategies for whole exports: a clean text (what the round trip must give back)
and a raw text with the layout noise real exports show (BOM, CRLF, trailing spaces, leading
blank lines, a wrapped title)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from hypothesis import strategies as st

from tei_toolkit import default_lexicon

SIC_FORMS = sorted(default_lexicon().entries)
NAMES = ["Zhou Enlai", "Mao Zedong", "Liu Shaoqi", "the CCP Central Committee", "Mendès-France",
         "Pham Van Dong", "Filippov", "Gao Gang"]
# Free text: any character XML can hold, except those the structure adds itself.
_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co"),
                       blacklist_characters="[]*\ufeff")
_WORD = st.one_of(
    st.sampled_from(["we", "the", "talks", "France", "Laos", "(1)", "Nº", "'quoted'", "“curly”",
                     "don't", "<b>", "&amp;", "a&b", "3<4", "Genève", "日本", "—", "x>y"]),
    st.sampled_from(SIC_FORMS),
    st.sampled_from(NAMES),
    st.text(_CHARS, min_size=1, max_size=8).map(str.strip).filter(bool),
).filter(lambda w: "]" not in w)
ELLIPSES = ["...", "....", "…", ". . .", ". . . ."]
BRACKETED = ["[...]", "[…]", "[. . .]", "[illegible]", "[1 word illegible]",
             "[two words illegible]", "[sic]", "[?]", "[Translator's note: see above.]",
             "[Editor’s note: the date is uncertain]", "[Note: x]"]
# Each bracket class in the shape real pages give it (made-up words): completion,
# identification (name, role, pronoun), original wording, expansion, another spelling.
CLASSED = ["[Liu] Shaoqi", "12 March [1951]", "3 [April]", "Filippov [Stalin]",
           "Ivanov [the Soviet consul]", "He [Ivanov]", "the [aviadivizii]",
           "the [nemedlenno pristupit' k otgruzke]", "MGB [Ministry of State Security]",
           "SED [Socialist Unity Party]", "Phenian [Pyongyang]", "Pak Heon-yeong [Pak Hon Yong]",
           "the road [between Mukden and Andong]", "Mao Zeong [Stalin]",
           # a source description, given names after an honorific, a body's name in the
           # original, a name the register lacks identified as one it knows
           "the Presidium [emphasis in the original]", "Comrade [Ivan Petrovich] Sokolov",
           "the Presidential Council [Elnöki Tanács]", "Sokolov [Stalin]",
           "Premier Zhou [Enlai]"]


@st.composite
def words(draw, min_size: int = 1, max_size: int = 8) -> str:
    return " ".join(draw(st.lists(_WORD, min_size=min_size, max_size=max_size)))


@st.composite
def inline(draw, brackets: bool = True) -> str:
    """One line of text with editorial brackets and ellipses anywhere."""
    pieces = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["words", "words", "supplied", "bracketed", "ellipsis",
                                     "classed"]))
        if kind == "words" or not brackets and kind != "ellipsis":
            pieces.append(draw(words()))
        elif kind == "supplied":
            # never all digits: "[12]" is a footnote marker when a note [12] exists
            pieces.append("[" + draw(words(max_size=3).filter(lambda w: not w.isdigit())) + "]")
        elif kind == "bracketed":
            pieces.append(draw(st.sampled_from(BRACKETED)))
        elif kind == "classed":
            pieces.append(draw(st.sampled_from(CLASSED)))
        else:
            pieces.append(draw(st.sampled_from(ELLIPSES)))
    glue = draw(st.lists(st.sampled_from([" ", "", ", ", " "]), min_size=len(pieces),
                         max_size=len(pieces)))
    line = "".join(p + g for p, g in zip(pieces, glue)).rstrip(" \t")
    return line or "x"


@st.composite
def paragraph(draw, brackets: bool = True) -> str:
    return "\n".join(draw(st.lists(inline(brackets), min_size=1, max_size=3)))


@dataclass
class Generated:
    clean: str
    raw: str
    title: str


@st.composite
def documents(draw) -> Generated:
    year = draw(st.integers(1945, 1991))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, calendar.monthrange(year, month)[1]))
    date = f"{calendar.month_name[month]} {day}, {year}"
    genre = draw(st.sampled_from(["Telegram", "Letter", "Cable", "Memorandum", "Minutes"]))
    sender, addressee = draw(st.sampled_from(NAMES)), draw(st.sampled_from(NAMES))
    title = f"{genre}, {sender} to {addressee}"
    if draw(st.booleans()):
        title += ", " + draw(inline(brackets=draw(st.booleans())))
    title = title.rstrip(":")

    record = draw(st.one_of(st.integers(1, 10**6).map(str),
                            st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True)))
    url = f"https://{draw(st.sampled_from(['digitalarchive.wilsoncenter.org', 'wilson-center-digital-archive.dvincitest.com']))}/document/{record}"
    if draw(st.integers(0, 4)) == 0:
        citation = draw(paragraph(brackets=False))
    else:
        archive = draw(st.sampled_from(["Wilson Center Digital Archive",
                                        "History and Public Policy Program Digital Archive"]))
        comma_inside = archive.startswith("History") and draw(st.booleans())
        head = f'"{title}," {date}' if comma_inside else f'"{title}", {date}'
        source = draw(st.one_of(st.just(""), words().map(lambda s: ", " + s + "."),
                                words().map(lambda s: f", {s}. Translated for CWIHP by Gary Goldberg.")))
        citation = f"{head}, {archive}{source}\n<{url}>"

    sections = [("Citation", citation)]
    if draw(st.booleans()):
        sections.append(("Summary", draw(inline())))
    if draw(st.booleans()):
        sections.append(("Credits", draw(words())))
    if draw(st.integers(0, 3)) == 0:
        sections.append(("Keywords", draw(words())))
    if draw(st.booleans()):
        sections.append(("Original Language",
                         draw(st.sampled_from(["Chinese", "Russian", "German", "Vietnamese",
                                               "Russian, Chinese", "Klingon"]))))
    body = draw(st.lists(paragraph(), min_size=1, max_size=4))
    notes = draw(st.integers(0, 2))
    for n in range(1, notes + 1):
        body[draw(st.integers(0, len(body) - 1))] += f"[{n}]"
    body += [f"[{n}] {draw(inline())}" for n in range(1, notes + 1)]
    version = draw(st.sampled_from(["Translation - English", "English Translation"]))

    blocks = [f"**{date}**", f"**{title}**"]
    for heading, content in sections:
        blocks += [f"**{heading}:**", content]
    blocks += ["**Contents:**", version] + body
    clean = "\n\n".join(blocks) + "\n"

    # The raw export: the same text with the layout noise the round trip normalises away.
    raw_title = f"**{title}**"
    spaces = [i for i in range(3, len(raw_title) - 3)
              if raw_title[i] == " " and raw_title[i - 1] not in " \t" and raw_title[i + 1] not in " \t"]
    if spaces and draw(st.booleans()):
        i = draw(st.sampled_from(spaces))
        raw_title = raw_title[:i] + "  \n" + raw_title[i + 1:]
    raw = clean.replace(f"**{title}**", raw_title, 1)
    raw = raw.replace(f"\n<{url}>", f"  \n<{url}>")
    if draw(st.booleans()):
        raw = "\n".join(line + draw(st.sampled_from(["", " ", "  ", "\t"])) for line in raw.split("\n"))
    raw = "\n" * draw(st.integers(0, 3)) + raw
    if draw(st.booleans()):
        raw = raw.replace("\n", "\r\n")
    if draw(st.booleans()):
        raw = "\ufeff" + raw
    if draw(st.booleans()):
        raw = raw.rstrip("\r\n")
    return Generated(clean, raw, title)
