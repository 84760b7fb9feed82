"""ISO Schematron, confined: no network, no writes, and reads only inside allowed folders.

A Schematron schema compiles to XSLT, and XSLT's ``document()`` reads any URL it is given: a
schema named by a document's own ``<?xml-model?>`` could put a local file's content into the
report. Here every URL the stylesheet asks for goes through :class:`_Confinement`: a file in
the schema's folder, the document's folder or a folder the user allowed (``--allow-read``) is
read (with the safe parser); anything else is refused, answered with an empty document, and
reported as a problem. Network access, file writes and folder creation are off altogether.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import unquote, urlparse

from lxml import etree
from lxml.isoschematron import Schematron

from ..errors import Location, SetupError
from ..xmlcore import SCHEMATRON_NS, safe_parser

_ACCESS = etree.XSLTAccessControl(read_file=True, write_file=False, create_dir=False,
                                  read_network=False, write_network=False)


class _Confinement(etree.Resolver):
    """Resolves every URL a running stylesheet asks for: allowed files, or an empty document."""

    def __init__(self) -> None:
        super().__init__()
        self.allowed: tuple[str, ...] = ()
        self.refused: list[str] = []

    def resolve(self, url: str | None, pubid: str | None, context: object
                ) -> Any:  # lxml's _InputDocument, which it does not export
        path = _local_path(url or "")
        if path is not None and _inside(path, self.allowed):
            return self.resolve_filename(path, context)
        self.refused.append(url or "")
        return self.resolve_string("<refused/>", context)


def _local_path(url: str) -> str | None:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return os.path.realpath(unquote(parsed.path))
    if parsed.scheme == "" or (len(parsed.scheme) == 1 and os.name == "nt"):
        return os.path.realpath(url)
    return None


def _inside(path: str, folders: Iterable[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


@dataclass
class Outcome:
    """One run: the SVRL report (None when the stylesheet failed), the error that stopped it,
    and the URLs it was refused."""

    report: etree._ElementTree | None
    error: str | None = None
    refused: list[str] = field(default_factory=list)


class ConfinedSchematron:
    """A compiled Schematron schema whose runs read only inside allowed folders."""

    def __init__(self, path: Path, allow_read: Iterable[Path] = ()) -> None:
        self.path = path
        self.allow_read = tuple(os.path.realpath(p) for p in allow_read)
        schema_dir = os.path.realpath(path.parent)
        try:
            tree = etree.parse(str(path), safe_parser())
        except OSError as exc:
            raise SetupError(f"cannot read the Schematron schema: {exc}",
                             Location(str(path))) from None
        except etree.XMLSyntaxError as exc:
            line, col = exc.position
            raise SetupError(f"the Schematron schema is not well-formed XML: {exc.msg}",
                             Location(str(path), line, col)) from None
        # sch:include is expanded by lxml's own stylesheet, outside the confinement: allow
        # only includes inside the schema's folder or an allowed one.
        for inc in tree.iter(f"{{{SCHEMATRON_NS}}}include"):
            href = inc.get("href") or ""
            target = _local_path(href if os.path.isabs(href) or "://" in href
                                 else os.path.join(schema_dir, href))
            if target is None or not _inside(target, (schema_dir, *self.allow_read)):
                raise SetupError(f"sch:include of {href!r} reads outside the schema's folder "
                                 "(allow it with --allow-read DIR)",
                                 Location(str(path), inc.sourceline or 0))
        try:
            sch = Schematron(tree, store_xslt=True)
        except (etree.SchematronParseError, etree.XSLTError, etree.XMLSyntaxError) as exc:
            raise SetupError(f"not a usable Schematron schema: {exc}",
                             Location(str(path))) from None
        self.resolver = _Confinement()
        parser = safe_parser()
        parser.resolvers.add(self.resolver)
        assert sch.validator_xslt is not None  # store_xslt=True
        xslt_doc = etree.fromstring(etree.tostring(sch.validator_xslt), parser,
                                    base_url=str(path.resolve()))
        try:
            self.xslt = etree.XSLT(xslt_doc.getroottree(), access_control=_ACCESS)
        except etree.XSLTParseError as exc:
            raise SetupError(f"not a usable Schematron schema: {exc}",
                             Location(str(path))) from None
        self.schema_dir = schema_dir

    def run(self, tree: etree._ElementTree, document_dir: Path | None) -> Outcome:
        """Run on one document; never raises for what the schema does at run time."""
        folders = [self.schema_dir, *self.allow_read]
        if document_dir is not None:
            folders.append(os.path.realpath(document_dir))
        self.resolver.allowed = tuple(folders)
        self.resolver.refused = []
        try:
            report = self.xslt(tree)
        except etree.XSLTApplyError as exc:
            message = " ".join(str(exc).split()) or "the stylesheet stopped"
            return Outcome(None, message, list(self.resolver.refused))
        return Outcome(report, None, list(self.resolver.refused))
