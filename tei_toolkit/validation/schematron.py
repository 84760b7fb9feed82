"""ISO Schematron, confined: no network, no writes, and reads only inside allowed folders.

A Schematron schema compiles to XSLT, and XSLT's ``document()`` reads any URL it is given: a
schema named by a document's own ``<?xml-model?>`` could put a local file's content into the
report. Here every URL the stylesheet asks for goes through :class:`_Confinement`: a file in
the schema's folder, the document's folder or a folder the user allowed (``--allow-read``) is
read (with the safe parser); anything else is refused, answered with an empty document, and
reported as a problem. Network access, file writes and folder creation are off altogether.

lxml runs XPath 1 only. A schema written for the ``xslt2`` query binding is run all the same
when its expressions are XPath 1 but for ``matches()``, which becomes EXSLT's ``re:test()``
(the same search semantics): the CMIF rules are such a schema. Any other XPath 2 is refused
with a message naming it, never run wrongly.
"""

from __future__ import annotations

import os
import re
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


# XPath 1.0's functions (and node tests that look like calls).
_XPATH1 = frozenset("""last position count id local-name namespace-uri name string concat
starts-with contains substring-before substring-after substring string-length normalize-space
translate boolean not true false lang number sum floor ceiling round node text comment
processing-instruction key current document format-number generate-id unparsed-entity-uri
system-property element-available function-available""".split())
_CALL = re.compile(r"(?<![\w$@.:-])([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
_XPATH2_SYNTAX = re.compile(r"\b(?:if|for|some|every)\s*[($]|\s(?:eq|ne|lt|le|gt|ge|to|except|"
                            r"intersect|instance\s+of|cast\s+as|castable\s+as|treat\s+as)\s|"
                            r"\(:")
_EXSLT_RE = "http://exslt.org/regular-expressions"


_EXPRESSIONS = ("test", "context", "select", "value", "path")
_OPERATORS = frozenset("and or div mod".split())


def _no_strings(expr: str) -> str:
    return re.sub(r"'[^']*'|\"[^\"]*\"", "''", expr)


def xpath2_use(el: etree._Element) -> str | None:
    """What XPath 2 a Schematron element's own expressions use beyond ``matches()``
    ("tokenize()", "XPath 2 syntax (eq)"), or None when XPath 1 can run them."""
    for name in _EXPRESSIONS:
        expr = el.get(name)
        if not expr:
            continue
        strings = _no_strings(expr)
        syntax = _XPATH2_SYNTAX.search(strings)
        if syntax:
            return f"XPath 2 syntax ({' '.join(syntax.group().split())})"
        if _has_sequence(strings):
            return "XPath 2 syntax (a sequence (a, b))"
        unknown = [f for f in _CALL.findall(strings)
                   if f not in _XPATH1 and f not in _OPERATORS and f != "matches"]
        if unknown:
            return f"{unknown[0]}()"
    return None


def _has_sequence(expr: str) -> bool:
    """Does ``expr`` hold a parenthesised list "(a, b)" that is no function call's?"""
    for i, c in enumerate(expr):
        if c != "(":
            continue
        before = expr[:i].rstrip()
        if before and (before[-1].isalnum() or before[-1] in "_-.:"):
            continue  # a function call's arguments
        depth = 0
        for d in expr[i:]:
            depth += (d == "(") - (d == ")")
            if depth == 0:
                break
            if d == "," and depth == 1:
                return True
    return False


def _as_xpath1(tree: etree._ElementTree, path: Path) -> None:
    """Make an ``xslt2`` schema whose only XPath 2 is ``matches()`` runnable by lxml, in
    place; SetupError when it uses more of XPath 2."""
    root = tree.getroot()
    binding = (root.get("queryBinding") or "xslt").lower()
    if binding in ("xslt", "xpath", "exslt"):
        return
    if binding not in ("xslt2", "xslt3", "xpath2", "xpath3"):
        raise SetupError(f"queryBinding {binding!r} is not one lxml can run",
                         Location(str(path), root.sourceline or 0))
    for el in root.iter(f"{{{SCHEMATRON_NS}}}*"):
        what = xpath2_use(el)
        if what is not None:
            raise SetupError(f"this {binding} schema uses {what}, which lxml's XPath 1 cannot run",
                             Location(str(path), el.sourceline or 0))
        for name in _EXPRESSIONS:
            expr = el.get(name)
            if expr and "matches" in _CALL.findall(_no_strings(expr)):
                el.set(name, re.sub(r"(?<![\w$@.:-])matches\s*\(", "re:test(", expr))
    ns = etree.SubElement(root, f"{{{SCHEMATRON_NS}}}ns", prefix="re", uri=_EXSLT_RE)
    root.remove(ns)
    title = root.find(f"{{{SCHEMATRON_NS}}}title")
    root.insert(root.index(title) + 1 if title is not None else 0, ns)
    root.set("queryBinding", "xslt")


class ConfinedSchematron:
    """A compiled Schematron schema whose runs read only inside allowed folders."""

    def __init__(self, path: Path, allow_read: Iterable[Path] = (),
                 tree: etree._ElementTree | None = None) -> None:
        """``tree``: the schema itself, when it does not come from ``path`` as it stands (the
        Schematron embedded in a RELAX NG schema at ``path``)."""
        self.path = path
        self.allow_read = tuple(os.path.realpath(p) for p in allow_read)
        schema_dir = os.path.realpath(path.parent)
        if tree is None:
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
        _as_xpath1(tree, path)
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
