"""Small helpers the tests share."""

from __future__ import annotations

from lxml import etree

from tei_toolkit import import_text, read_tei

NS = {"t": "http://www.tei-c.org/ns/1.0"}


def tei_of(text: str | bytes, path: str = "doc.txt", **kw) -> etree._Element:
    result = import_text(text, path, **kw)
    return read_tei(result.xml, path)


def xp(root: etree._Element, path: str) -> list:
    return root.xpath(path, namespaces=NS)


def text_of(el: etree._Element) -> str:
    return "".join(el.itertext())


# Both correspondents are in the bundled persons register (no "unregistered" warning).
TITLE = "Telegram, Gao Gang to Peng Dehuai"


def export(*, date: str = "June 19, 1954", title: str = TITLE,
           citation: str | bool | None = None, summary: str | None = "A summary.",
           language: str | None = "Chinese", body: str = "Some text.",
           version: str | None = "Translation - English", extra: str = "") -> str:
    """A well-formed export with the given parts (None leaves a section out; citation=False
    leaves the citation out, None gives a typical one)."""
    if citation is None:
        citation = (f'"{title}", {date}, Wilson Center Digital Archive, Some Book, p. 1.  \n'
                    "<https://digitalarchive.wilsoncenter.org/document/123>")
    parts = [f"**{date}**", f"**{title}**"]
    if citation is not False:
        parts += ["**Citation:**", citation]
    if summary is not None:
        parts += ["**Summary:**", summary]
    if extra:
        parts.append(extra)
    if language is not None:
        parts += ["**Original Language:**", language]
    parts += ["**Contents:**"] + ([version] if version else []) + [body]
    return "\n\n".join(parts) + "\n"


def body_xml(body: str, **kw) -> str:
    """The inner XML of the body paragraphs of an export whose Contents text is ``body``."""
    root = tei_of(export(body=body), **kw)
    out = []
    for el in xp(root, "t:text/t:body/t:div/*"):
        s = etree.tostring(el, encoding="unicode", with_tail=False)
        out.append(s.replace(' xmlns="http://www.tei-c.org/ns/1.0"', ""))
    return "\n".join(out)


def copy_checkout(root: "Path", dest: "Path") -> None:
    """The repository's files (tracked, and new ones git does not ignore) copied to ``dest``,
    symbolic links as links: what a fresh clone of the working tree holds."""
    import os
    import shutil
    import subprocess

    names = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], cwd=root, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, names):
        src, dst = root / name, dest / name
        if not (src.is_symlink() or src.is_file()):
            continue  # deleted in the working tree
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)
