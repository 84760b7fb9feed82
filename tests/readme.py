"""The README as a tested document: its fenced blocks and inline commands, and the showcase
it shows, produced from ``corpus/`` (``python -m tests.readme --write`` rewrites it).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SHOWCASE_SOURCE = ROOT / "corpus" / "tei" / "000_b00edda5464e9fe3.xml"
TEI = "http://www.tei-c.org/ns/1.0"


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int  # of the opening fence


def blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, in order."""
    out: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"```(\w*)\s*$", lines[i])
        if m:
            j = i + 1
            while not lines[j].startswith("```"):
                j += 1
            out.append(Block(m[1], "\n".join(lines[i + 1:j]), i + 1))
            i = j
        i += 1
    return out


def prose(text: str) -> str:
    """The text outside fenced blocks."""
    return re.sub(r"^```\w*\n.*?^```\s*$", "", text, flags=re.S | re.M)


def inline_commands(text: str, program: str) -> list[str]:
    """Backticked spans of the prose that start with ``program`` and a space."""
    return [m for m in re.findall(r"`([^`\n]+)`", prose(text)) if m.startswith(program + " ")]


# -- the showcase ------------------------------------------------------------------------------

_SHOWN = 1  # paragraphs of the body


def showcase(xml: bytes) -> str:
    """The README's showcase: the seed's TEI as `tei import` wrote it, with the long parts
    (the encoding description, the register entries, the encoder's statement, the summary,
    the body after its first paragraph) elided, each as a comment or an ellipsis."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    for el in list(root.iter("{%s}respStmt" % TEI)):
        if el.get("{http://www.w3.org/XML/1998/namespace}id") == "encoder":
            for child in list(el):
                el.remove(child)
            el.text = "…"
    for name, comment in (("encodingDesc", "appInfo, and an editorialDecl stating every "
                           "convention applied"),
                          ("standOff", "listPerson, listOrg, listPlace: the register entries "
                           "the document names"),
                          ("abstract", "the Summary")):
        for el in list(root.iter("{%s}%s" % (TEI, name))):
            stub = etree.Element(el.tag)
            stub.append(etree.Comment(f" {comment} "))
            stub.tail = el.tail
            parent = el.getparent()
            assert parent is not None
            parent.replace(el, stub)
    for div in root.iter("{%s}div" % TEI):
        paragraphs = div.findall("{%s}p" % TEI)
        for p in paragraphs[_SHOWN:]:
            div.remove(p)
        if len(paragraphs) > _SHOWN:
            div[-1].tail = "\n        "
            div.append(etree.Comment(f" {len(paragraphs) - _SHOWN} more paragraphs "))
            div[-1].tail = "\n      "
    text = etree.tostring(root, encoding="unicode")
    text = text.replace(f' xmlns="{TEI}"', "", 1)
    head = xml.decode("utf-8").split("<TEI", 1)[0]
    return head + text.replace("<TEI", f'<TEI xmlns="{TEI}"', 1)


def showcase_block(text: str) -> Block:
    [block] = [b for b in blocks(text) if b.lang == "xml" and "<TEI" in b.text]
    return block


def write() -> None:
    text = README.read_text(encoding="utf-8")
    old = showcase_block(text).text
    new = showcase(SHOWCASE_SOURCE.read_bytes()).rstrip("\n")
    README.write_text(text.replace(old, new, 1), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    else:
        sys.exit("usage: python -m tests.readme --write   # rewrites the README's showcase")
