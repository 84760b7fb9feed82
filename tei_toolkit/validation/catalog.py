"""OASIS XML catalogs (``XML_CATALOG_FILES``): a schema URL resolved to a local file.

The ecosystem's convention for validating offline: xmllint, Saxon, oXygen and jing's callers
read the same variable. Supported entries: ``uri``, ``system``, ``rewriteURI``,
``rewriteSystem``, ``uriSuffix``, ``systemSuffix``, ``group`` (with ``xml:base``) and
``nextCatalog``; the longest matching rewrite wins, as the standard says. Only a result on the
local file system is used: a catalog never makes the toolkit fetch anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from lxml import etree

from ..xmlcore import XML_NS, safe_parser

CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
_C = f"{{{CATALOG_NS}}}"
_MAX_CATALOGS = 50


def catalog_files() -> list[str]:
    """The catalogs ``XML_CATALOG_FILES`` names (space-separated paths or file: URLs)."""
    return os.environ.get("XML_CATALOG_FILES", "").split()


def resolve(href: str, catalogs: list[str] | None = None) -> Path | None:
    """The local file a catalog maps ``href`` to, or None."""
    todo = list(catalogs if catalogs is not None else catalog_files())
    seen: set[str] = set()
    while todo and len(seen) < _MAX_CATALOGS:
        name = todo.pop(0)
        path = _as_path(name)
        if path is None or str(path) in seen:
            continue
        seen.add(str(path))
        try:
            root = etree.parse(str(path), safe_parser()).getroot()
        except (OSError, etree.XMLSyntaxError):
            continue  # as libxml2 does: an unusable catalog is passed over
        found, more = _lookup(root, href, path.resolve().as_uri())
        if found is not None:
            return found
        todo = more + todo
    return None


def _lookup(root: etree._Element, href: str, base: str) -> tuple[Path | None, list[str]]:
    exact: str | None = None
    best: tuple[int, str] | None = None
    nxt: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(_C):
            continue
        local = el.tag[len(_C):]
        here = _base(el, base)
        if local in ("uri", "system"):
            key = el.get("name") if local == "uri" else el.get("systemId")
            if key == href and exact is None:
                exact = urljoin(here, el.get("uri", ""))
        elif local in ("rewriteURI", "rewriteSystem"):
            start = el.get("uriStartString" if local == "rewriteURI" else "systemIdStartString")
            if start and href.startswith(start) and (best is None or len(start) > best[0]):
                best = (len(start), urljoin(here, el.get("rewritePrefix", "")) + href[len(start):])
        elif local in ("uriSuffix", "systemSuffix"):
            suffix = el.get(local)
            if suffix and href.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), urljoin(here, el.get("uri", "")))
        elif local == "nextCatalog" and el.get("catalog"):
            nxt.append(urljoin(here, el.get("catalog", "")))
    target = exact or (best[1] if best else None)
    return (_as_path(target) if target else None), nxt


def _base(el: etree._Element, base: str) -> str:
    bases = [a.get(f"{{{XML_NS}}}base") for a in reversed([el, *el.iterancestors()])]
    for b in bases:
        if b:
            base = urljoin(base, b)
    return base


def _as_path(name: str) -> Path | None:
    """A local path for a file: URL or a plain path; None for anything remote."""
    if "://" not in name and not name.startswith("file:"):
        return Path(name)
    parsed = urlparse(name)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return None
    return Path(unquote(parsed.path))
