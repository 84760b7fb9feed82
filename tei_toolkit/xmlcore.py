"""XML facts every wing uses: the namespaces, and the one safe parser configuration.

Every parser in the toolkit is made here, so no code path can expand an entity, load a DTD
or open a connection: ``resolve_entities=False``, ``load_dtd=False``, ``no_network=True``.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import quote, unquote, urljoin

from lxml import etree

TEI_NS = "http://www.tei-c.org/ns/1.0"
RELAXNG_NS = "http://relaxng.org/ns/structure/1.0"
SCHEMATRON_NS = "http://purl.oclc.org/dsdl/schematron"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XI_NS = "http://www.w3.org/2001/XInclude"
XML_ID = f"{{{XML_NS}}}id"
XML_BASE = f"{{{XML_NS}}}base"

PARSER_OPTIONS: dict[str, Any] = dict(resolve_entities=False, load_dtd=False, no_network=True,
                                      dtd_validation=False, huge_tree=False)
# For documents without a DOCTYPE: lxml's ID hash halves parsing speed and keeps threads from
# parsing in parallel; duplicate xml:ids are found by the schema (TEI types xml:id as ID) and
# the pointer check instead. Never with a DOCTYPE: with collect_ids=False lxml loads the
# external DTD (a local file read), which the safe parser never does.
FAST_PARSER_OPTIONS: dict[str, Any] = dict(PARSER_OPTIONS, collect_ids=False)


# A file URL's path to a file name and back, as urllib.request has them (importing that module
# loads http.client, email and ssl: a tenth of a command's start, for two one-line functions).
def url2pathname(path: str) -> str:
    if os.name == "nt":
        import nturl2path

        return nturl2path.url2pathname(path)
    return unquote(path)


def pathname2url(path: str) -> str:
    if os.name == "nt":
        import nturl2path

        return nturl2path.pathname2url(path)
    return quote(path)


def safe_parser(**extra: Any) -> etree.XMLParser:
    """A parser with the safe options; ``extra`` may add (recover, remove_comments,
    huge_tree for trusted schemas...) but never re-enable entities, DTDs or the network."""
    for key in ("resolve_entities", "load_dtd", "no_network", "dtd_validation"):
        if key in extra and extra[key] != PARSER_OPTIONS[key]:
            raise ValueError(f"{key} cannot be changed: it is what keeps parsing safe")
    parser: etree.XMLParser = etree.XMLParser(**{**PARSER_OPTIONS, **extra})
    return parser


def parser_for(data: bytes, **extra: Any) -> etree.XMLParser:
    """The fast parser when the prolog surely has no DOCTYPE, else the safe one."""
    options = PARSER_OPTIONS if has_doctype(data) else FAST_PARSER_OPTIONS
    parser: etree.XMLParser = etree.XMLParser(**{**options, **extra})
    return parser


# The prolog, token by token: XML declaration and other processing instructions, comments,
# white space. Anything else ends the scan.
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_ROOT_START = re.compile(rb"<[^!?/\s>]")


def has_doctype(data: bytes) -> bool:
    """Does the prolog hold a DOCTYPE? True whenever unsure.

    The prolog is scanned as XML defines it: comments and processing instructions are skipped
    whole, so a ``<a`` inside a comment does not end it. Only a start tag right after the
    prolog answers no; a DOCTYPE, anything unexpected, an unterminated comment or bytes in an
    encoding that is not ASCII-compatible answer yes (the caller then uses the safe parser).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:512]:
        return True
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while True:
        m = _PROLOG_ITEM.match(data, pos)
        if m is None:
            break
        pos = m.end()
    return _ROOT_START.match(data, pos) is None


def tag_of(el: etree._Element) -> str:
    """An element's tag as lxml gives it (``{ns}local``); "" for comments and processing
    instructions, whose ``tag`` is not a string."""
    tag = el.tag
    return tag if isinstance(tag, str) else ""


def base_url(el: etree._Element, url: str) -> str:
    """The base URL of ``el`` in a file read from ``url``: ``url`` changed by the xml:base of
    ``el``'s ancestors and its own, outermost first (XML Base). XInclude hrefs and RELAX NG
    includes are resolved against it."""
    for b in [a.get(XML_BASE) for a in el.iterancestors()][::-1] + [el.get(XML_BASE)]:
        if b is not None:
            url = urljoin(url, b)
    return url


# -- writing XML as text (the importer writes its TEI as strings) -----------------------------

def T(tag: str) -> str:
    """A TEI element name in lxml's {namespace}local form."""
    return f"{{{TEI_NS}}}{tag}"


def esc(s: str) -> str:
    """Text content, escaped."""
    if "&" in s or "<" in s or ">" in s:  # most text has none: three scans, no copies
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s


def attr(s: str) -> str:
    """An attribute value, escaped (whitespace characters too, so they survive parsing)."""
    if _ATTR_UNSAFE.isdisjoint(s):  # most values: a set test at C speed, not a regex call
        return s
    return (esc(s).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
            .replace("\r", "&#13;"))


_ATTR_UNSAFE = frozenset('&<>"\t\n\r')


def as_uri(text: str) -> str:
    """A URL as written, made a URI every validator accepts (xsd:anyURI): characters a URI
    cannot hold are percent-encoded, as browsers do; the text itself stays in the element."""
    uri = _URI_UNSAFE.sub(_escape_match, text)
    if _ANY_URI.fullmatch(uri):
        return uri
    # Still not a URI (a ':' or '*' in the host, say): keep the scheme, escape the rest.
    scheme, sep, rest = uri.partition("://")
    if not sep:
        scheme, rest = "", uri
    return scheme + sep + re.sub(r"[^A-Za-z0-9\-._~/%]", _escape_match, rest)


def _escape_match(m: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in m.group().encode("utf-8"))


# What libxml2 accepts as xsd:anyURI, in the shape the URLs of exports take.
_ANY_URI = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://(?:[A-Za-z0-9\-._~%!$&'()+,;=]*@)?"
                      r"[A-Za-z0-9\-._~%!$&'()+,;=]*(?::[0-9]*)?)?[^:*]*")

# Outside RFC 3986's characters (and '%' not starting an escape).
_URI_UNSAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]|%(?![0-9A-Fa-f]{2})")
