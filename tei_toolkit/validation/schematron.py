"""ISO Schematron, confined: no network, no writes, and reads only inside allowed folders.

A Schematron schema compiles to XSLT, and XSLT's ``document()`` reads any URL it is given: a
schema named by a document's own ``<?xml-model?>`` could put a local file's content into the
report. Here every URL the stylesheet asks for goes through :class:`_Confinement`: a file in
the schema's folder, the document's folder or a folder the user allowed (``--allow-read``) is
read (with the safe parser); anything else is refused, answered with an empty document, and
reported as a problem. Network access, file writes and folder creation are off altogether.

Compiling is confined the same way. lxml's ``Schematron`` class runs its bundled include
stylesheet, which expands ``sch:include``, ``sch:extends/@href``, Schematron 1.5 ``include``,
``xi:include``, ``relax:extRef``, ``dtll:include``, ``crdl:ref`` and XLink embeds (and the
RELAX NG extraction follows ``rng:include``) with ``document()`` and no access control at all.
So the steps are run here instead, each with a stylesheet parsed from lxml's own copies: the
steps that read (extraction, includes) through a :class:`_Confinement` with the folder rule,
any refusal a :class:`ReadRefused` naming the file and line of the include; the steps that
need nothing (abstract patterns, the compilation to XSLT) with every access denied. An include
that finds nothing (a missing file, an id not there) is an error too, never an empty include.

lxml runs XPath 1 only. A schema written for the ``xslt2`` query binding is run all the same
when its expressions are XPath 1 but for ``matches()``, which becomes EXSLT's ``re:test()``
(the same search semantics): the CMIF rules are such a schema. Any other XPath 2 is refused
with a message naming it, never run wrongly.
"""

from __future__ import annotations

import copy
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import unquote, urljoin, urlparse

import lxml.isoschematron
from lxml import etree

from ..errors import Location, SchemaError, SetupError
from ..xmlcore import RELAXNG_NS, SCHEMATRON_NS, XI_NS, safe_parser

# document() needs read_file: the resolver, not libxslt, decides what is read.
_ACCESS = etree.XSLTAccessControl(read_file=True, write_file=False, create_dir=False,
                                  read_network=False, write_network=False)
_XSL = Path(lxml.isoschematron.__file__).parent / "resources" / "xsl"
_ISO = "iso-schematron-xslt1/"
_XSD_NS = "http://www.w3.org/2001/XMLSchema"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# What lxml's include stylesheet (and its RELAX NG extraction) expands, by tag.
INCLUDE_FORMS = {
    f"{{{SCHEMATRON_NS}}}include": "sch:include",
    f"{{{SCHEMATRON_NS}}}extends": "sch:extends",
    "{http://www.ascc.net/xml/schematron}include": "Schematron 1.5 include",
    f"{{{XI_NS}}}include": "xi:include",
    f"{{{RELAXNG_NS}}}extRef": "relax:extRef",
    f"{{{RELAXNG_NS}}}include": "rng:include",
    "{http://www.jenitennison.com/datatypes}include": "dtll:include",
    "{http://purl.oclc.org/dsdl/crepdl/ns/structure/1.0}ref": "crdl:ref",
}


class ReadRefused(SetupError):
    """A schema's include (or another read while compiling) names a file outside the allowed
    folders: the schema is not compiled."""


class _Confinement(etree.Resolver):
    """Resolves every URL a stylesheet asks for (``document()``, ``xsl:include``): allowed
    files, or an empty document, the URL kept in ``refused``."""

    def __init__(self, allowed: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.allowed = allowed
        self.refused: list[str] = []
        self.read: list[str] = []  # the files it let through, as real paths

    def resolve(self, url: str | None, pubid: str | None, context: object
                ) -> Any:  # lxml's _InputDocument, which it does not export
        path = _local_path(url or "")
        if path is not None and _inside(path, self.allowed):
            self.read.append(path)
            # Read here, from the very path checked: libxml2, given a name it cannot open,
            # would try it again %-unescaped. A missing file raises OSError out of the run.
            with open(path, "rb") as fh:
                data = fh.read()
            return self.resolve_string(data, context, base_url=path)
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
        raise SchemaError(f"queryBinding {binding!r} is not one lxml can run",
                          Location(str(path), root.sourceline or 0), reason="invalid")
    for el in root.iter(f"{{{SCHEMATRON_NS}}}*"):
        what = xpath2_use(el)
        if what is not None:
            raise SchemaError(f"this {binding} schema uses {what}, which lxml's XPath 1 cannot run",
                              Location(str(path), el.sourceline or 0),
                              reason="invalid")
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
    """A compiled Schematron schema whose compilation and runs read only inside allowed
    folders."""

    def __init__(self, path: Path, allow_read: Iterable[Path] = (),
                 tree: etree._ElementTree | None = None,
                 document_dir: Path | None = None) -> None:
        """``tree``: the schema itself, when it does not come from ``path`` as it stands (the
        Schematron embedded in a RELAX NG schema at ``path``). ``document_dir``: the folder of
        the document the schema is compiled for, whose files its includes may read as
        ``document()`` may; None, before any document: the schema's folder and ``allow_read``
        only. ``needs_document_dir`` then says whether the includes read there."""
        self.path = path
        self.allow_read = tuple(os.path.realpath(p) for p in allow_read)
        schema_dir = os.path.realpath(path.parent)
        self.schema_dir = schema_dir
        if tree is None:
            try:
                tree = etree.parse(str(path), safe_parser())
            except OSError as exc:
                raise SchemaError(f"cannot read the Schematron schema: {exc}",
                                  Location(str(path)), reason="unreadable") from None
            except etree.XMLSyntaxError as exc:
                line, col = exc.position
                raise SchemaError(f"the Schematron schema is not well-formed XML: {exc.msg}",
                                  Location(str(path), line, col), reason="malformed") from None
        else:
            tree = copy.deepcopy(tree)  # the caller's stays as it is (_as_xpath1 edits)
        # Relative hrefs resolve against the schema's own place, also for a tree built in
        # memory, which has none.
        tree.docinfo.URL = os.path.abspath(path)
        _as_xpath1(tree, path)
        base = (schema_dir, *self.allow_read)
        folders = base if document_dir is None else (*base, os.path.realpath(document_dir))
        where = ("the schema's folder" if document_dir is None
                 else "the folders of the schema and the document")
        steps = _Steps(self.path, folders, where)
        compiled = steps.compile(tree)
        self.resolver = _Confinement(folders)
        parser = safe_parser()
        parser.resolvers.add(self.resolver)
        xslt_doc = etree.fromstring(etree.tostring(compiled), parser,
                                    base_url=os.path.abspath(path))
        try:
            # lxml applies no access control while it builds a stylesheet: an xsl:include or
            # xsl:import in it is read then, through the resolver, under the folder rule.
            self.xslt = etree.XSLT(xslt_doc.getroottree(), access_control=_ACCESS)
        except etree.XSLTParseError as exc:
            steps.check_refused(self.resolver.refused, tree)
            raise SchemaError(f"not a usable Schematron schema: {exc}",
                              Location(str(path)), reason="invalid") from None
        steps.check_refused(self.resolver.refused, tree)
        self.needs_document_dir = any(not _inside(f, base)
                                      for f in (*steps.read, *self.resolver.read))

    def run(self, tree: etree._ElementTree, document_dir: Path | None) -> Outcome:
        """Run on one document; never raises for what the schema does at run time."""
        folders = [self.schema_dir, *self.allow_read]
        if document_dir is not None:
            folders.append(os.path.realpath(document_dir))
        self.resolver.allowed = tuple(folders)
        self.resolver.refused = []
        self.resolver.read = []
        try:
            report = self.xslt(tree)
        except etree.XSLTApplyError as exc:
            message = " ".join(str(exc).split()) or "the stylesheet stopped"
            return Outcome(None, message, list(self.resolver.refused))
        except OSError as exc:  # document() of an allowed file that is not there
            return Outcome(None, " ".join(str(exc).split()), list(self.resolver.refused))
        return Outcome(report, None, list(self.resolver.refused))


_THREAD = threading.local()


def _closed_step(name: str) -> etree.XSLT:
    """One of lxml's Schematron steps that reads nothing (abstract patterns, compilation to
    XSLT), run with every access denied; one copy per thread, as the validators are."""
    steps = _THREAD.__dict__.setdefault("steps", {})
    if name not in steps:
        steps[name] = etree.XSLT(etree.parse(str(_XSL / name), safe_parser()),
                                 access_control=etree.XSLTAccessControl.DENY_ALL)
    step: etree.XSLT = steps[name]
    return step


class _Steps:
    """lxml's Schematron pipeline (extraction, includes, abstract patterns, compilation), run
    with the reading steps confined to ``folders``. ``read``: the files the includes read."""

    def __init__(self, path: Path, folders: tuple[str, ...], where: str) -> None:
        self.path = path
        self.folders = folders
        self.where = where
        self.read: list[str] = []

    def _reading_step(self, name: str) -> tuple[etree.XSLT, _Confinement]:
        """A step that reads (``document()``), with a resolver of its own: parsed from bytes,
        for lxml asks a parser's resolvers even for the file the parser is given."""
        resolver = _Confinement(self.folders)
        parser = safe_parser()
        parser.resolvers.add(resolver)
        doc = etree.fromstring((_XSL / name).read_bytes(), parser, base_url=str(_XSL / name))
        return etree.XSLT(doc.getroottree(), access_control=_ACCESS), resolver

    def _run(self, name: str, tree: etree._ElementTree) -> etree._XSLTResultTree:
        step, resolver = self._reading_step(name)
        try:
            result = step(tree)
        except etree.XSLTApplyError as exc:
            self.read += resolver.read
            self.check_refused(resolver.refused, tree)
            raise SchemaError(f"not a usable Schematron schema: {' '.join(str(exc).split())}",
                              Location(str(self.path)), reason="invalid") from None
        except OSError as exc:  # an allowed file that is not there (lxml raises the resolver's)
            self.read += resolver.read
            self.check_refused(resolver.refused, tree)
            why = exc.strerror or " ".join(str(exc).split())
            found = self._locate(resolver.read[-1], tree) if resolver.read else None
            if found is None:
                raise SchemaError(f"an include cannot be read: {why}",
                                  Location(str(self.path)), reason="unreadable") from None
            form, href, location = found
            raise SchemaError(f"{form} of {href!r} cannot be read: {why}", location,
                              reason="unreadable") from None
        self.read += resolver.read
        self.check_refused(resolver.refused, tree)
        failures = [e.message for e in step.error_log
                    if e.level >= etree.ErrorLevels.ERROR and e.message.strip()]
        if failures:
            # The include stylesheet's own words ("Unable to locate id attribute: HREF"); an
            # include that brings nothing is an error, never silently left out.
            message = " ".join(failures[0].split())
            href = message.rpartition(": ")[2]
            found = self._find(tree, lambda el, h, bases: h == href)
            if found is None:
                raise SchemaError(f"an include includes nothing: {message}",
                                  Location(str(self.path)), reason="invalid")
            form, href, location = found
            raise SchemaError(f"{form} of {href!r} includes nothing: {message}", location,
                              reason="invalid")
        result.docinfo.URL = tree.docinfo.URL
        return result

    def compile(self, tree: etree._ElementTree) -> etree._ElementTree:
        """The validating stylesheet of the schema ``tree`` (whose URL is its place)."""
        root = tree.getroot()
        if root.tag == f"{{{RELAXNG_NS}}}grammar":
            tree = self._run("RNG2Schtrn.xsl", tree)
        elif root.tag == f"{{{_XSD_NS}}}schema":
            tree = self._run("XSD2Schtrn.xsl", tree)
        elif root.tag != f"{{{SCHEMATRON_NS}}}schema":
            raise SchemaError("not a usable Schematron schema: the root is not sch:schema (nor "
                              "a RELAX NG grammar or an XML Schema with Schematron rules)",
                              Location(str(self.path), root.sourceline or 0), reason="invalid")
        try:
            included = self._run(_ISO + "iso_dsdl_include.xsl", tree)
            expanded = _closed_step(_ISO + "iso_abstract_expand.xsl")(included)
            valid = lxml.isoschematron.schematron_schema_valid
            if lxml.isoschematron.schematron_schema_valid_supported and not valid(expanded):
                raise etree.SchematronParseError(
                    f"invalid schematron schema: {valid.error_log}")
            return _closed_step(_ISO + "iso_svrl_for_xslt1.xsl")(expanded)
        except (etree.SchematronParseError, etree.XSLTError, etree.XMLSyntaxError) as exc:
            raise SchemaError(f"not a usable Schematron schema: {exc}",
                              Location(str(self.path)), reason="invalid") from None

    def check_refused(self, refused: list[str], tree: etree._ElementTree) -> None:
        """ReadRefused for the first URL refused, naming the include that asked for it."""
        if not refused:
            return
        found = self._locate(refused[0], tree)
        if found is None:
            raise ReadRefused(f"the schema reads {refused[0]}, outside {self.where}; refused "
                              "(allow it with --allow-read DIR)", Location(str(self.path)))
        form, href, location = found
        raise ReadRefused(f"{form} of {href!r} reads outside {self.where}; refused (allow it "
                          "with --allow-read DIR)", location)

    def _locate(self, url: str, tree: etree._ElementTree) -> tuple[str, str, Location] | None:
        """The include that asks for ``url``: (what it is, its href, where it is)."""
        target = _local_path(url)

        def asks_for(el: etree._Element, href: str, bases: list[str]) -> bool:
            for b in bases:
                joined = urljoin(b, href.partition("#")[0]) if b else href.partition("#")[0]
                for candidate in (joined, unquote(joined)):  # libxslt unescapes some hrefs
                    if target is not None and _local_path(candidate) == target or \
                            candidate == url:
                        return True
            return False

        return self._find(tree, asks_for)

    def _find(self, tree: etree._ElementTree,
              match: Callable[[etree._Element, str, list[str]], bool]
              ) -> tuple[str, str, Location] | None:
        """The first element, in the schema or a file it included, whose href ``match``es:
        (what it is, its href, where it is)."""
        sources: list[tuple[etree._ElementTree, str]] = [(tree, str(self.path))]
        for f in dict.fromkeys(self.read):
            try:
                sources.append((etree.parse(f, safe_parser()), f))
            except (OSError, etree.XMLSyntaxError):
                continue
        for source, name in sources:
            for el in source.getroot().iter():
                if not isinstance(el.tag, str):
                    continue
                for attr in ("href", XLINK_HREF):
                    href = el.get(attr)
                    # document($href, /) resolves against the document's URL, document($href)
                    # (the RELAX NG extraction) against the element's base (xml:base).
                    if href and match(el, href, [el.base or "", source.docinfo.URL or ""]):
                        form = INCLUDE_FORMS.get(el.tag) if attr == "href" else "xlink:href"
                        return (form or etree.QName(el).localname, href,
                                Location(name, el.sourceline or 0))
        return None
