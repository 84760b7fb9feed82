"""XInclude as jing processes it offline (Xerces' XInclude), on lxml trees, reading only the
files a user allowed.

libxml2's own XInclude is not used: it reads any local path and any URL its resolvers do not
catch (``parse="text"`` bypasses them), and it cannot say in which file an included element
was written. Here each ``xi:include`` (XInclude 1.0, the 2001 namespace) is read by this
module:

- a local file in the document's folder tree or under ``--allow-read`` is parsed with the same
  safe parser as the document (no entities, no DTD, no network) and put in the include's
  place, whole or the element an ``xpointer`` names (a bare name, i.e. an ``xml:id``, or the
  ``element()`` scheme); ``parse="text"`` puts its text there. Includes inside it are
  processed in turn; a loop is an error.
- as Xerces does, the included element gets ``xml:base`` (the href) and, where its language
  differs from the include's parent's, ``xml:lang``: a schema that does not allow them says
  so, as jing does.
- a remote href, or a file outside the allowed folders, is never read: the ``xi:fallback`` is
  used (a warning says so, once per href), or, without one, the document is not checked.
- a local file that cannot be read, or an xpointer that selects nothing, takes the fallback,
  else is an error (as in jing); an included file that is not well-formed is an error.

Every element taken from another file remembers it (:attr:`Expansion.origins`), so a problem
found in it is reported at that file's line and column.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable
from urllib.parse import unquote, urljoin, urlparse

from lxml import etree

from ..xmlcore import XI_NS, XML_BASE, XML_ID, XML_NS, base_url, pathname2url
from .problems import ERROR, WARNING, Problem

if TYPE_CHECKING:
    from .document import Document

INCLUDE = f"{{{XI_NS}}}include"
FALLBACK = f"{{{XI_NS}}}fallback"
XML_LANG = f"{{{XML_NS}}}lang"
# An include bomb (each page including the next ten times) grows exponentially: past this
# many bytes or includes in one document, or this depth, expansion stops with an error.
MAX_INCLUDED_BYTES = 256 << 20
MAX_INCLUDES = 10_000
MAX_DEPTH = 50


@dataclass
class Expansion:
    """What expanding one document's includes did."""

    problems: list[Problem] = field(default_factory=list)
    not_checked: str = ""  # why the document cannot be judged (an unreadable include)


class _Failure(Exception):
    """An include that cannot be carried out: a resource error (the fallback may stand in)
    or a fatal one (``fatal``: the fallback is not consulted, as in XInclude)."""

    def __init__(self, message: str, fatal: bool = False, unreadable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal
        self.unreadable = unreadable  # never read (remote, outside the allowed folders)


class Expander:
    """Expands the includes of ``doc`` (parsed) in place; the files it may read lie under
    ``folder`` (the document's folder; None for standard input) or under ``allow_read``."""

    def __init__(self, doc: "Document", folder: Path | None, allow_read: Iterable[Path] = ()
                 ) -> None:
        self.doc = doc
        self.roots = [os.path.realpath(p) for p in ([folder] if folder is not None else [])]
        self.roots += [os.path.realpath(p) for p in allow_read]
        self.base = folder if folder is not None else Path.cwd()
        self.result = Expansion()
        self._bytes = 0
        self._warned: set[str] = set()
        self._folders: dict[str, str] = {}
        self._count = 0
        self._stopped = False  # a limit was reached: no more includes are processed

    def run(self) -> Expansion:
        assert self.doc.tree is not None
        own = (os.path.realpath(self.doc.name) if self.doc.name != "-" else "-", None)
        root = self.doc.tree.getroot()
        if root.tag == INCLUDE:
            self._fatal(self.doc, root, "an xi:include as the root element is not processed "
                        "(include its content)")
            return self.result
        self._expand(root, self.doc, self._url_of(self.doc), [own])
        return self.result

    # -- walking -------------------------------------------------------------------------
    def _expand(self, root: etree._Element, src: "Document", url: str,
                stack: list[tuple[str, str | None]]) -> None:
        """Process the includes in ``root``'s subtree, written in ``src`` (whose URL is
        ``url``): those inside another include's fallback wait until that fallback is used."""
        for node in [i for i in root.iter(INCLUDE, FALLBACK)
                     if not any(a.tag == INCLUDE for a in i.iterancestors())]:
            if node.tag == FALLBACK:
                self._fatal(src, node, "xi:fallback outside an xi:include")
                continue
            if self.result.not_checked or self._stopped:
                return
            self._include(node, src, url, stack)

    def _include(self, inc: etree._Element, src: "Document", url: str,
                 stack: list[tuple[str, str | None]]) -> None:
        href = inc.get("href") or ""
        fallbacks = [c for c in inc if c.tag == FALLBACK]
        wrong = _malformed(inc, href, fallbacks)
        if wrong:
            return self._fatal(src, inc, wrong)
        try:
            self._include_target(inc, src, url, href, stack)
        except _Failure as failure:
            if failure.fatal or not fallbacks:
                return self._failed(inc, src, href, failure)
            if href not in self._warned:
                self._warned.add(href)
                self.result.problems.append(src.problem(
                    inc, WARNING, "xinclude",
                    f"XInclude of {href!r}: {failure.message}; its xi:fallback is used"))
            fallback = fallbacks[0]
            # The fallback's own includes are processed as part of the including document.
            self._expand(fallback, src, url, stack)
            _replace(inc, fallback.text or "", list(fallback))

    def _include_target(self, inc: etree._Element, src: "Document", url: str, href: str,
                        stack: list[tuple[str, str | None]]) -> None:
        """Put what ``inc`` names in its place; _Failure when it cannot be had."""
        xpointer = inc.get("xpointer")
        self._count += 1
        if self._count > MAX_INCLUDES:
            self._stopped = True
            raise _Failure(f"more than {MAX_INCLUDES:,} includes in one document (an include "
                           "bomb?): the rest are not processed", fatal=True)
        if len(stack) > MAX_DEPTH:
            raise _Failure(f"includes nested over {MAX_DEPTH} deep", fatal=True)
        if not href:
            raise _Failure("an xpointer into the including document itself is not processed "
                           "(jing does not process it either)")
        target = self._target(urljoin(base_url(inc, url), href))
        key = (target, xpointer)
        if key in stack:
            raise _Failure(f"include loop: {href!r} includes itself"
                           + (f" (through {_short(stack[-1][0])})" if len(stack) > 1 else ""),
                           fatal=True)
        data = self._read(target)
        if inc.get("parse", "xml") == "text":
            _replace(inc, _decode(data, inc.get("encoding"), href), [])
        else:
            self._include_xml(inc, src, data, target, href, xpointer, stack + [key])

    def _failed(self, inc: etree._Element, src: "Document", href: str,
                failure: "_Failure") -> None:
        """An include that failed with no fallback to use: an unreadable file leaves the
        document not checked; anything else is an error."""
        if failure.unreadable and not failure.fatal:
            self.result.problems.append(src.problem(
                inc, WARNING, "xinclude",
                f"XInclude of {href!r}: {failure.message}, and it has no xi:fallback: the "
                "document is not checked"))
            self.result.not_checked = f"not checked: XInclude of {href!r} {failure.message}"
            return
        self._fatal(src, inc, f"XInclude of {href!r} failed: {failure.message}"
                    + ("" if failure.fatal else " (and it has no xi:fallback)"))

    def _include_xml(self, inc: etree._Element, src: "Document", data: bytes, target: str,
                     href: str, xpointer: str | None, stack: list[tuple[str, str | None]]
                     ) -> None:
        from .document import Document

        sub = Document(_display(target), data, origins=self.doc.origins)
        parse_problems = list(sub.parse())
        self.result.problems.extend(parse_problems)
        if sub.tree is None or any(p.source == "well-formedness" for p in parse_problems):
            raise _Failure(f"{href!r} is not well-formed", fatal=True)
        self.result.problems.extend(sub.safety(xinclude=True))
        top = sub.tree.getroot()
        if xpointer is not None:
            found = _select(sub.tree, xpointer)
            if found is None:
                raise _Failure(f"the xpointer {xpointer!r} selects no element in it")
            top = found
            sub.index()  # its columns are counted among the elements left behind
        language = _language(top)
        self._expand(sub.tree.getroot(), sub, pathname2url(target), stack)
        if self.result.not_checked:
            return
        # Xerces' fix-ups: the base URI, and the language where it differs from the parent's.
        top.set(XML_BASE, href)
        parent = inc.getparent()
        if (language or "").lower() != ((_language(parent) if parent is not None else None)
                                        or "").lower():
            top.set(XML_LANG, language or "")
        sub.index_root = top
        self.doc.origins[top] = sub
        src.nested = True
        _replace(inc, "", [top])

    # -- reading ---------------------------------------------------------------------------
    def _target(self, url: str) -> str:
        """The real path an include's URL names, if it may be read."""
        parts = urlparse(url)
        if parts.scheme and parts.scheme != "file":
            raise _Failure("is remote and never fetched", unreadable=True)
        path = self._realpath(unquote(parts.path))
        if not any(path == r or path.startswith(r.rstrip(os.sep) + os.sep)
                   for r in self.roots):
            raise _Failure("lies outside the document's folder and is not read (allow it "
                           "with --allow-read DIR)", unreadable=True)
        return path

    def _realpath(self, path: str) -> str:
        """os.path.realpath, with each folder resolved once (a manuscript includes its
        thousand pages from one folder)."""
        folder, name = os.path.split(os.path.abspath(path))
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        full = os.path.join(real, name)
        return os.path.realpath(full) if os.path.islink(full) else full

    def _read(self, path: str) -> bytes:
        try:
            size = os.path.getsize(path)
            if self._bytes + size > MAX_INCLUDED_BYTES:
                self._stopped = True
                raise _Failure(f"more than {MAX_INCLUDED_BYTES >> 20} MB would be included "
                               "into one document (an include bomb?)", fatal=True)
            with open(path, "rb") as fh:
                data = fh.read(MAX_INCLUDED_BYTES + 1)
        except OSError as exc:
            raise _Failure(f"cannot be read: {exc.strerror or exc}") from None
        self._bytes += len(data)
        return data

    def _url_of(self, doc: "Document") -> str:
        if doc.name == "-":
            return pathname2url(str(self.base.resolve())) + "/"
        return pathname2url(os.path.abspath(doc.name))

    def _fatal(self, src: "Document", el: etree._Element, message: str) -> None:
        self.result.problems.append(src.problem(el, ERROR, "xinclude", message))
        if el.tag in (INCLUDE, FALLBACK) and el.getparent() is not None:
            _replace(el, "", [])  # reported once, not again as an element not allowed


def _select(tree: etree._ElementTree, xpointer: str) -> etree._Element | None:
    """The element an XPointer names: a bare name (an xml:id) or ``element(id/1/2)``,
    ``element(/1/2)``; several ``element()`` parts are tried in turn."""
    pointer = xpointer.strip()
    if re.fullmatch(r"[^\W\d][\w.-]*", pointer):
        return _by_id(tree, pointer)
    for part in re.findall(r"element\(([^()]*)\)", pointer):
        steps = part.split("/")
        node: etree._Element | None
        if steps[0]:
            node = _by_id(tree, steps[0])
        else:
            root = tree.getroot()
            node = root if steps[1:2] == ["1"] else None
            steps = steps[1:]
        for step in steps[1:]:
            if node is None or not step.isdigit():
                node = None
                break
            children = [c for c in node if isinstance(c.tag, str)]
            k = int(step)
            node = children[k - 1] if 0 < k <= len(children) else None
        if node is not None:
            return node
    return None


def _by_id(tree: etree._ElementTree, name: str) -> etree._Element | None:
    for el in tree.iter(etree.Element):
        if el.get(XML_ID) == name:
            return el
    return None


def _language(el: etree._Element) -> str | None:
    """The in-scope xml:lang of ``el``."""
    node: etree._Element | None = el
    while node is not None:
        value = node.get(XML_LANG)
        if value is not None:
            return value
        node = node.getparent()
    return None


def _decode(data: bytes, encoding: str | None, href: str) -> str:
    try:
        text = data.decode(encoding or "utf-8")
    except (LookupError, UnicodeDecodeError) as exc:
        raise _Failure(f"cannot be read as text ({exc})", fatal=True) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if re.search(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", text):
        raise _Failure(f"{href!r} holds characters XML does not allow", fatal=True)
    return text


def _replace(inc: etree._Element, text: str, nodes: list[etree._Element]) -> None:
    """Put ``text`` then ``nodes`` (with their tails) where ``inc`` is; ``inc``'s tail after."""
    parent = inc.getparent()
    assert parent is not None
    tail = inc.tail or ""
    if nodes:
        last = nodes[-1]
        last.tail = (last.tail or "") + tail
    else:
        text += tail
    if text:
        before = inc.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
    index = parent.index(inc)
    parent.remove(inc)  # also drops inc's tail, already placed
    for k, node in enumerate(nodes):
        tail_of = node.tail
        parent.insert(index + k, node)
        node.tail = tail_of


def _display(path: str) -> str:
    """A path as problems name it: relative to the working folder when under it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith(".." + os.sep) else rel


def _short(path: str) -> str:
    return os.path.basename(path)


def _malformed(inc: etree._Element, href: str, fallbacks: list[etree._Element]) -> str:
    """What makes an xi:include wrong as written (an error), or ""."""
    parse = inc.get("parse", "xml")
    if parse not in ("xml", "text"):
        return f"parse must be \"xml\" or \"text\", not {parse!r}"
    if parse == "text" and inc.get("xpointer") is not None:
        return "an xpointer is not allowed with parse=\"text\""
    if "#" in href:
        return f"href {href!r} has a fragment identifier (use xpointer)"
    if len(fallbacks) > 1 or any(c.tag == INCLUDE for c in inc):
        return "an xi:include may hold one xi:fallback and no other xi:include"
    if not href and inc.get("xpointer") is None:
        return "an xi:include needs an href or an xpointer"
    return ""
