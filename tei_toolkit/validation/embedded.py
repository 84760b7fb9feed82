"""The Schematron embedded in a RELAX NG schema, as Oxygen runs it with the grammar.

ODD processors put each constraint's ``sch:pattern`` (and the ``sch:ns`` declarations) into
the RELAX NG annotations; tei_all.rng carries 93 patterns. They are gathered here into one
ISO Schematron schema. TEI writes them for XPath 2 (the ``xslt2`` query binding) while lxml
runs XPath 1: a pattern whose expressions are XPath 1 (``matches()`` aside, which becomes
EXSLT's ``re:test()``) runs; any other is left out, whole, and listed with what it uses, so
the report never rests on a rule run wrongly.
"""

from __future__ import annotations

import copy
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import quote

from lxml import etree

from ..xmlcore import SCHEMATRON_NS, TEI_NS, XML_NS, safe_parser
from ..errors import SetupError
from .schematron import (INCLUDE_FORMS, XLINK_HREF, ConfinedSchematron, ReadRefused,
                         xpath2_use)

_S = f"{{{SCHEMATRON_NS}}}"


@dataclass
class Embedded:
    """The runnable part of a schema's embedded Schematron, and what was left out."""

    schema: etree._ElementTree | None  # None when nothing can run
    patterns: int = 0                  # embedded in the schema
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (pattern, what it uses)
    left_out: list[etree._Element] = field(default_factory=list)  # those patterns, for Saxon
    # (pattern, why): patterns whose includes read outside the allowed folders; never run,
    # by lxml or Saxon (Saxon would run them without what they include).
    refused: list[tuple[str, str]] = field(default_factory=list)
    ns: dict[str, str] = field(default_factory=dict)

    @property
    def ran(self) -> int:
        return self.patterns - len(self.skipped)


@lru_cache(maxsize=16)
def extract(rng: Path, mtime: float = 0.0, allow_read: tuple[Path, ...] = ()) -> Embedded:
    """The embedded Schematron of the RELAX NG schema at ``rng`` (``mtime`` keys the cache);
    its includes may read in the schema's folder and ``allow_read``."""
    try:
        root = etree.parse(str(rng), safe_parser()).getroot()
    except (OSError, etree.XMLSyntaxError):
        return Embedded(None)
    patterns = list(root.iter(_S + "pattern"))
    if not patterns:
        return Embedded(None)
    schema = etree.Element(_S + "schema", nsmap={"sch": SCHEMATRON_NS},
                           queryBinding="xslt2")
    prefixes: set[str] = set()
    for ns in root.iter(_S + "ns"):
        if ns.get("prefix") not in prefixes:
            prefixes.add(ns.get("prefix", ""))
            schema.append(etree.Element(_S + "ns", prefix=ns.get("prefix", ""),
                                        uri=ns.get("uri", "")))
    if "tei" not in prefixes:
        schema.append(etree.Element(_S + "ns", prefix="tei", uri=TEI_NS))
    found = Embedded(None, len(patterns))
    for k, pattern in enumerate(patterns, start=1):
        name = pattern.get("id") or _describe(pattern, k)
        uses = next((u for u in map(xpath2_use, pattern.iter(_S + "*")) if u), None)
        if uses is not None:
            found.skipped.append((name, uses))
            found.left_out.append(copy.deepcopy(pattern))
            continue
        kept = copy.deepcopy(pattern)
        kept.tail = None
        schema.append(kept)
    if found.ran and _compile_error(schema, rng, allow_read) is not None:
        # Something lxml cannot take (an unbound prefix, a construct the check above did not
        # see, an include refused): find the patterns one by one and leave those out.
        for kept in schema.findall(_S + "pattern"):
            trial = copy.deepcopy(schema)
            for other in trial.findall(_S + "pattern"):
                trial.remove(other)
            trial.append(copy.deepcopy(kept))
            error = _compile_error(trial, rng, allow_read)
            if error is None:
                continue
            schema.remove(kept)
            if isinstance(error, ReadRefused):
                name = _pattern_name(kept)
                found.skipped.append((name, "an include refused"))
                found.refused.append((name, f"{error.location}: {error.message}"
                                      if error.location else error.message))
                continue
            found.skipped.append((kept.get("id") or "a pattern", "what lxml cannot compile"))
            found.left_out.append(kept)
    if found.ran:
        found.schema = etree.ElementTree(schema)
    found.ns = {n.get("prefix", ""): n.get("uri", "") for n in schema.findall(_S + "ns")
                if n.get("prefix")}
    return found


def _compile_error(schema: etree._Element, rng: Path, allow_read: tuple[Path, ...]
                   ) -> SetupError | None:
    """Why lxml cannot compile ``schema``, or None when it can."""
    try:
        ConfinedSchematron(rng, allow_read, etree.ElementTree(schema))
    except SetupError as exc:
        return exc
    return None


def _describe(pattern: etree._Element, k: int) -> str:
    rule = pattern.find(_S + "rule")
    context = " ".join((rule.get("context") or "").split()) if rule is not None else ""
    return f"pattern {k} ({context})" if context else f"pattern {k}"


def _pattern_name(pattern: etree._Element) -> str:
    """How a refusal names a pattern: by its id, else by its first rule's context."""
    if pattern.get("id"):
        return f"pattern {pattern.get('id')}"
    rule = pattern.find(_S + "rule")
    context = " ".join((rule.get("context") or "").split()) if rule is not None else ""
    return f"the pattern on {context}" if context else "a pattern"


_RE_NS = "http://exslt.org/regular-expressions"


@dataclass
class _Check:
    report: bool              # sch:report (fires when true) or sch:assert (fires when false)
    test: etree.XPath
    role: str
    message: list[Any]             # str pieces and ("value-of", XPath) / ("name", None)


@dataclass
class _Rule:
    select: etree.XPath       # the context, as a selection from the document
    lets: list[tuple[str, etree.XPath]]
    checks: list[_Check]


class Evaluator:
    """The runnable patterns evaluated with lxml's XPath directly, in one pass per rule
    context, instead of one XSLT walk of the whole document per pattern. A pattern it cannot
    take exactly (attribute or text contexts, abstract rules, what XPath alone cannot say) is
    left to the XSLT engine: ``rest`` holds those, as a Schematron schema, or None."""

    def __init__(self, schema: etree._ElementTree) -> None:
        root = schema.getroot()
        # XPath has no default namespace: an sch:ns without a prefix binds nothing.
        self.ns = {n.get("prefix", ""): n.get("uri", "") for n in root.findall(_S + "ns")
                   if n.get("prefix")}
        self.ns["re"] = _RE_NS
        self.patterns: list[tuple[list[tuple[str, etree.XPath]], list[_Rule]]] = []
        rest = copy.deepcopy(root)
        for p in rest.findall(_S + "pattern"):
            rest.remove(p)
        for pattern in root.findall(_S + "pattern"):
            try:
                self.patterns.append(self._pattern(pattern))
            except (ValueError, etree.XPathSyntaxError):
                rest.append(copy.deepcopy(pattern))
        self.rest = etree.ElementTree(rest) if rest.find(_S + "pattern") is not None else None
        # The XSLT engine walks the whole document once per pattern: run it only when the
        # document holds an element the left-over patterns' contexts start from.
        self.rest_needed = self._needed(rest) if self.rest is not None else None

    def _needed(self, rest: etree._Element) -> etree.XPath | None:
        names = []
        for rule in rest.iter(_S + "rule"):
            for part in _top_level_split(rule.get("context", "")):
                m = re.match(r"\s*(?://)?([A-Za-z_][\w.-]*:[A-Za-z_][\w.-]*)(?![\w(:])", part)
                if not m:
                    return None  # a context not tied to one element: always run
                names.append(m.group(1))
        return self._xpath(" or ".join(f"boolean(//{n})" for n in sorted(set(names))))

    def rest_applies(self, tree: etree._ElementTree) -> bool:
        if self.rest is None:
            return False
        return self.rest_needed is None or bool(self.rest_needed(tree.getroot()))

    def _xpath(self, expr: str) -> etree.XPath:
        if "current()" in expr:
            expr = expr.replace("current()", "$sch_current")
        expr = re.sub(r"(?<![\w$@.:-])matches\s*\(", "re:test(", expr)
        return etree.XPath(expr, namespaces=self.ns, smart_strings=False)

    def _pattern(self, pattern: etree._Element) -> Any:
        lets = [(v.get("name", ""), self._xpath(v.get("value", "")))
                for v in pattern.findall(_S + "let")]
        rules = []
        for rule in pattern.findall(_S + "rule"):
            if rule.get("abstract") == "true" or rule.find(_S + "extends") is not None:
                raise ValueError("abstract rules")
            parts = _context_parts(rule)
            if not all(parts) or any(_attribute_or_text(p) for p in parts):
                raise ValueError("a context that is not an element")
            select = _selection(parts)
            checks = []
            for el in rule:
                if el.tag in (_S + "assert", _S + "report"):
                    checks.append(_Check(el.tag == _S + "report", self._xpath(el.get("test", "")),
                                         (el.get("role") or "error").lower(), self._message(el)))
                elif el.tag not in (_S + "let", _S + "title", _S + "p") and \
                        isinstance(el.tag, str):
                    raise ValueError(f"{el.tag} in a rule")
            rules.append(_Rule(self._xpath(select),
                               [(v.get("name", ""), self._xpath(v.get("value", "")))
                                for v in rule.findall(_S + "let")], checks))
        return lets, rules

    def _message(self, el: etree._Element) -> list[Any]:
        out: list[Any] = [el.text or ""]
        for child in el:
            if child.tag == _S + "value-of":
                out.append(("value-of", self._xpath(child.get("select", ""))))
            elif child.tag == _S + "name":
                out.append(("name", self._xpath(child.get("path", "."))))
            elif isinstance(child.tag, str):
                out.append("".join(child.itertext()))
            out.append(child.tail or "")
        return out

    def run(self, tree: etree._ElementTree) -> list[tuple[etree._Element, str, str]]:
        """(context element, role, message) of every assert that fails and report that fires."""
        found = []
        root = tree.getroot()
        for lets, rules in self.patterns:
            variables: dict[str, Any] = {}
            for name, xp in lets:
                variables[name] = xp(root, **variables)
            seen: set[etree._Element] = set()
            for rule in rules:
                for node in rule.select(root, **variables):
                    if not isinstance(node, etree._Element) or node in seen:
                        continue
                    seen.add(node)
                    local = dict(variables, sch_current=node)
                    for name, xp in rule.lets:
                        local[name] = xp(node, **local)
                    for check in rule.checks:
                        if _true(check.test(node, **local)) == check.report:
                            found.append((node, check.role, self._text(check, node, local)))
        return found

    @staticmethod
    def _text(check: _Check, node: etree._Element, variables: dict[str, Any]) -> str:
        out = []
        for piece in check.message:
            if isinstance(piece, str):
                out.append(piece)
            elif piece[0] == "value-of":
                out.append(_string(piece[1](node, **variables)))
            else:
                target = piece[1](node, **variables)
                target = target[0] if isinstance(target, list) and target else node
                out.append(target.xpath("name()") if isinstance(target, etree._Element)
                           else str(target))
        return " ".join("".join(out).split())


def _true(value: Any) -> bool:
    """XPath's boolean() of an lxml XPath result."""
    if isinstance(value, float):
        return value == value and value != 0
    return bool(value)


def _string(value: Any) -> str:
    """XPath's string() of an lxml XPath result."""
    if isinstance(value, list):
        if not value:
            return ""
        first = value[0]
        return "".join(first.itertext()) if isinstance(first, etree._Element) else str(first)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _context_parts(rule: etree._Element) -> list[str]:
    """The union branches of a rule's context (an XSLT match pattern)."""
    return [p.strip() for p in _top_level_split(rule.get("context", ""))]


def _selection(parts: Iterable[str]) -> str:
    """A match pattern's branches as an XPath that selects, from the document, what it
    matches: a relative pattern matches anywhere."""
    return " | ".join(p if p.startswith("/") else "//" + p for p in parts)


def _top_level_split(expr: str, sep: str = "|") -> list[str]:
    """``expr`` split at each ``sep`` outside brackets, parentheses and strings."""
    parts, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(expr):
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(expr[start:i])
            start = i + 1
    parts.append(expr[start:])
    return parts


def _attribute_or_text(step: str) -> bool:
    """Does the location path ``step`` select attributes or text, not elements?"""
    last = _top_level_split(step, "/")[-1].strip()
    return last.startswith(("@", "attribute::", "text()", "node()", "comment()"))


# -- XPath 2 and later, with Saxon (the optional "xpath2" extra: saxonche) ----------------------

def saxon_available() -> bool:
    import importlib.util
    return importlib.util.find_spec("saxonche") is not None


@lru_cache(maxsize=1)
def _saxon() -> Any:
    from saxonche import PySaxonProcessor  # type: ignore[import-not-found]  # the xpath2 extra
    proc = PySaxonProcessor(license=False)
    proc.set_configuration_property("l", "on")  # line numbers of nodes
    # The second wall behind _unsafe_call: Saxon itself refuses every URI (doc(),
    # unparsed-text(), collection(), json-doc(), transform(), a stylesheet module, an external
    # entity of parse-xml()). Only the full feature URI works: the short name "allowedProtocols"
    # is accepted and ignored.
    proc.set_configuration_property(_NO_PROTOCOLS, "")
    # And its XML parser expands no external entity and loads no DTD, as the safe parser: once
    # a transform() has been tried, SaxonC 13's parser no longer asks the restriction above
    # (parse-xml() then read an entity's file).
    for feature in _PARSER_OFF:
        proc.set_configuration_property(_PARSER_FEATURE + quote(feature, safe=""), "false")
    return proc


_NO_PROTOCOLS = "http://saxon.sf.net/feature/allowedProtocols"
_PARSER_FEATURE = "http://saxon.sf.net/feature/parserFeature?uri="
_PARSER_OFF = ("http://xml.org/sax/features/external-general-entities",
               "http://xml.org/sax/features/external-parameter-entities",
               "http://apache.org/xml/features/nonvalidating/load-external-dtd")

# The XPath 3.1 functions (fn namespace) that neither read a resource nor reach anything
# outside their arguments and the document: what a Schematron rule runs with Saxon. Left out
# on purpose: doc, doc-available, document, collection, uri-collection, unparsed-text,
# unparsed-text-lines, unparsed-text-available, json-doc, parse-xml, parse-xml-fragment (an
# external entity is a file read), environment-variable, available-environment-variables,
# static-base-uri (the working folder), transform, load-xquery-module, function-lookup (any
# of those by name), serialize (Saxon's serialization parameters may name a stylesheet).
_SAFE_FN = frozenset("""
node-name nilled string data base-uri document-uri error trace abs ceiling floor round
round-half-to-even number format-integer format-number codepoints-to-string
string-to-codepoints compare codepoint-equal collation-key contains-token concat string-join
substring string-length normalize-space upper-case lower-case normalize-unicode translate
contains starts-with ends-with substring-before substring-after matches replace tokenize
analyze-string resolve-uri encode-for-uri iri-to-uri escape-html-uri true false not boolean
years-from-duration months-from-duration days-from-duration hours-from-duration
minutes-from-duration seconds-from-duration dateTime year-from-dateTime month-from-dateTime
day-from-dateTime hours-from-dateTime minutes-from-dateTime seconds-from-dateTime
timezone-from-dateTime year-from-date month-from-date day-from-date timezone-from-date
hours-from-time minutes-from-time seconds-from-time timezone-from-time
adjust-dateTime-to-timezone adjust-date-to-timezone adjust-time-to-timezone format-dateTime
format-date format-time parse-ietf-date resolve-QName QName prefix-from-QName
local-name-from-QName namespace-uri-from-QName namespace-uri-for-prefix in-scope-prefixes
name local-name namespace-uri lang root path has-children innermost outermost index-of empty
exists distinct-values insert-before remove head tail reverse subsequence unordered
zero-or-one one-or-more exactly-one deep-equal count avg max min sum id element-with-id idref
generate-id position last current-dateTime current-date current-time
implicit-timezone default-collation default-language function-name function-arity for-each
filter fold-left fold-right for-each-pair sort apply random-number-generator parse-json
json-to-xml xml-to-json unparsed-entity-uri unparsed-entity-public-id
""".split())
# Functions known to read: named in the refusal, so it says why.
_READERS = frozenset("""doc doc-available document collection uri-collection unparsed-text
unparsed-text-lines unparsed-text-available json-doc parse-xml parse-xml-fragment
environment-variable available-environment-variables static-base-uri transform
load-xquery-module function-lookup""".split())
_FN = "http://www.w3.org/2005/xpath-functions"
# Namespaces whose every function is pure: constructors, maths, maps, arrays.
_PURE_NS = frozenset({"http://www.w3.org/2001/XMLSchema", f"{_FN}/math", f"{_FN}/map",
                      f"{_FN}/array"})
# Prefixes Saxon's XPath knows without a declaration.
_PREDECLARED = {"xs": "http://www.w3.org/2001/XMLSchema", "saxon": "http://saxon.sf.net/",
                "xml": XML_NS,
                "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
# Names before "(" that are no function call: kind tests, types and keywords.
_NOT_CALLS = frozenset("""attribute comment document-node element empty-sequence function if
item namespace-node node processing-instruction schema-attribute schema-element switch text
typeswitch map array and or div idiv mod union intersect except to eq ne lt le gt ge is return
then else in satisfies as of case default let for some every instance treat cast castable
""".split())
_XPATH_TOKEN = re.compile(r"""
    (?P<eq>Q\{[^{}]*\}[^\W\d][\w.\-]*)                          # Q{uri}local
  | (?P<var>\$\s*(?:Q\{[^{}]*\})?[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?)   # a variable
  | (?P<name>[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?)                # prefix:local, local
  | (?P<num>\.?\d[\w.]*)
  | (?P<other>\S)
""", re.X)


def _code_only(expr: str) -> str:
    """``expr`` with its string literals emptied and its comments (nested) blanked."""
    out, i, n = [], 0, len(expr)
    while i < n:
        c = expr[i]
        if c in "'\"":
            end = i + 1
            while end < n:  # a doubled quote is one quote inside the literal
                if expr[end] == c and expr[end + 1:end + 2] != c:
                    break
                end += 2 if expr[end] == c else 1
            out.append(c + c)
            i = end + 1
        elif expr.startswith("(:", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if expr.startswith("(:", i):
                    depth, i = depth + 1, i + 2
                elif expr.startswith(":)", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _unsafe_call(expr: str, ns: dict[str, str]) -> str | None:
    """The first function ``expr`` calls or names (``f(``, ``f#1``) that may read outside the
    document, or that is not a standard side-effect-free one ("doc()"), or None.

    Every call in XPath is a name followed by "(" or, as a function item, by "#": with
    literals and comments out of the way, looking at every name is complete. A dynamic call
    (``$f(...)``) needs a function item, which comes from such a name or an inline function,
    whose body is part of ``expr``."""
    tokens = [(m.lastgroup, m.group()) for m in _XPATH_TOKEN.finditer(_code_only(expr))]
    for k, (kind, text) in enumerate(tokens):
        after = tokens[k + 1][1] if k + 1 < len(tokens) else ""
        if kind not in ("eq", "name") or after not in ("(", "#"):
            continue
        if kind == "name" and ":" not in text and text in _NOT_CALLS and after == "(":
            continue
        if kind == "eq":
            uri, _, local = text[2:].partition("}")
            uris = [uri]
        elif ":" in text:
            prefix, _, local = text.partition(":")
            # Declared or predeclared: both must be safe, whichever Saxon takes.
            uris = [u for u in (ns.get(prefix), _PREDECLARED.get(prefix)) if u is not None]
        else:
            local, uris = text, [_FN]
        if not uris or not all(u in _PURE_NS or (u == _FN and local in _SAFE_FN)
                               for u in uris):
            return f"{text}()"
    return None


@lru_cache(maxsize=1)
def _saxon_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="saxon")


_DOCTYPE = re.compile(r"<!DOCTYPE\b[^\[>]*(?:\[.*?\]\s*)?>", re.S)


def _let(proc: Any, xp: Any, name: str, expr: str) -> None:
    """sch:let: the value first (a variable declared without a value stops every
    expression), then the variable; saxonche gives None for an empty sequence."""
    value = xp.evaluate(expr)
    xp.declare_variable(name)
    xp.set_parameter(name, proc.empty_sequence() if value is None else value)


_EXPRESSION_ATTRIBUTES = ("context", "test", "value", "select", "path")


def _saxon_refusal(pattern: etree._Element, ns: dict[str, str],
                   rewrite: Callable[[str], str]) -> str | None:
    """Why Saxon must not run ``pattern`` (as ``rewrite`` makes its expressions), or None.

    Refused: a call of a function that reads (files, collections, the environment) or that is
    not a standard side-effect-free one, in any expression; an include of another file, which
    this path never expands (run without it, the pattern would be run wrongly)."""
    for el in pattern.iter():
        if not isinstance(el.tag, str):
            continue
        form = INCLUDE_FORMS.get(el.tag)
        href = el.get("href") or el.get(XLINK_HREF)
        if href is not None and (form is not None or el.get(XLINK_HREF) is not None):
            return (f"it includes {href!r} ({form or 'xlink:href'}), which the XPath 2 path "
                    "never reads")
        for name in _EXPRESSION_ATTRIBUTES:
            expr = el.get(name)
            call = _unsafe_call(rewrite(expr), ns) if expr else None
            if call is None:
                continue
            if call.rpartition("}")[2].rpartition(":")[2].removesuffix("()") in _READERS:
                return (f"it calls {call}, which reads outside the document (files, "
                        "collections or environment variables); refused")
            return (f"it calls {call}, not a standard side-effect-free XPath function; "
                    "refused")
    return None


class SaxonRules:
    """Schematron patterns evaluated with Saxon's XPath (2.0 and later), as Oxygen runs them:
    the patterns lxml's XPath 1 cannot take. Findings are (line, element name, role,
    message); the line is where the element's start tag ends, as Saxon counts."""

    def __init__(self, patterns: list[etree._Element], ns: dict[str, str]) -> None:
        """``refused``: (pattern, why) of the patterns never run, for they would read outside
        the document (or include other files)."""
        self.ns = ns

        def x(expr: str) -> str:  # current() is XSLT's: the rule's context node
            return re.sub(r"(?<![\w$@.:-])current\(\s*\)", "$sch_current", expr)
        self.patterns: list[tuple[list[tuple[str, str]], list[tuple[str, list[Any], list[Any]]]]] = []
        self.refused: list[tuple[str, str]] = []
        for pattern in patterns:
            why = _saxon_refusal(pattern, ns, x)
            if why is not None:
                self.refused.append((_pattern_name(pattern), why))
                continue
            lets = [(v.get("name", ""), x(v.get("value", "")))
                    for v in pattern.findall(_S + "let")]
            rules = []
            for rule in pattern.findall(_S + "rule"):
                if rule.get("abstract") == "true":
                    continue
                select = _selection(p for p in _context_parts(rule) if p)
                checks = [(el.tag == _S + "report", x(el.get("test", "")),
                           (el.get("role") or "error").lower(), el)
                          for el in rule if el.tag in (_S + "assert", _S + "report")]
                rules.append((select, [(v.get("name", ""), x(v.get("value", "")))
                                       for v in rule.findall(_S + "let")], checks))
            self.patterns.append((lets, rules))

    def run(self, data: bytes) -> list[tuple[int, str, str, str]]:
        # SaxonC is a native image bound to the thread that started it: calls from other
        # threads can crash the process, so every call runs on one thread of its own.
        return _saxon_thread().submit(self._run, data).result()

    def _run(self, data: bytes) -> list[tuple[int, str, str, str]]:
        proc = _saxon()
        # Saxon would read the DTD a DOCTYPE names: no file the user did not name is read,
        # so the declaration is blanked (its lines kept, for line numbers).
        text = _DOCTYPE.sub(lambda m: "\n" * m.group().count("\n"), data.decode("utf-8"),
                            count=1)
        doc = proc.parse_xml(xml_text=text)
        found = []
        for lets, rules in self.patterns:
            # A processor per pattern: a variable declared for one pattern and left without
            # a value would stop the next one's expressions.
            xp = proc.new_xpath_processor()
            for prefix, uri in self.ns.items():
                xp.declare_namespace(prefix, uri)
            xp.set_context(xdm_item=doc)
            xp.declare_variable("sch_current")
            xp.set_parameter("sch_current", doc)
            for name, value in lets:
                _let(proc, xp, name, value)
            seen: set[str] = set()
            for select, rule_lets, checks in rules:
                xp.set_context(xdm_item=doc)
                nodes = xp.evaluate(select)
                for i in range(nodes.size if nodes is not None else 0):
                    node = nodes.item_at(i)
                    if not node.is_node:
                        continue
                    xp.set_context(xdm_item=node)
                    key = xp.evaluate_single("generate-id()").string_value
                    if key in seen:
                        continue
                    seen.add(key)
                    xp.set_parameter("sch_current", node)
                    for name, value in rule_lets:
                        _let(proc, xp, name, value)
                    element = node if node.node_kind_str == "element" else node.get_parent()
                    for report, test, role, el in checks:
                        if bool(xp.effective_boolean_value(test)) == report:
                            found.append((element.line_number, element.local_name, role,
                                          self._message(xp, el)))
        return found

    @staticmethod
    def _message(xp: Any, el: etree._Element) -> str:
        out = [el.text or ""]
        for child in el:
            if child.tag == _S + "value-of":
                value = xp.evaluate_single(
                    f"string-join(({child.get('select', '')}) ! string(.), ' ')")
                out.append(value.string_value if value is not None else "")
            elif child.tag == _S + "name":
                value = xp.evaluate_single(f"name({child.get('path', '.')})")
                out.append(value.string_value if value is not None else "")
            elif isinstance(child.tag, str):
                out.append("".join(child.itertext()))
            out.append(child.tail or "")
        return " ".join("".join(out).split())
