"""The RELAX NG datatype libraries (tei_toolkit.validation.relaxng.datatypes) against jing.

Every verdict is jing's: the values of each theme below go, one attribute each, into the
instances of ONE generated schema (an element per datatype), so that jing runs a handful of
times for the whole file; ``value()`` equality is checked the same way with ``<value>``
patterns, and the refused parameters and types with one schema holding all of them (jing
reports each ``data`` pattern's error on its own line). Where jing departs from XML Schema the
module follows jing; the docstrings of the module say where.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tei_toolkit.validation.relaxng.datatypes import (BUILTIN, DTD_COMPATIBILITY, XSD,
                                                      DatatypeError, datatype)

from .conftest import need

RNG = "http://relaxng.org/ns/structure/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ID_TYPES = {"ID", "IDREF", "IDREFS"}
Ctx = dict[str | None, str]
Params = tuple[tuple[str, str], ...]


def _attr(s: str) -> str:
    """Attribute text that the parser gives back unchanged (white space included)."""
    return "".join("&#%d;" % ord(c) if c in '&<>"\t\n\r' else c for c in s)


def _decls(ctx: Ctx | None) -> str:
    return "".join(' xmlns%s="%s"' % ("" if p is None else ":" + p, _attr(u))
                   for p, u in (ctx or {}).items())


def _data(lib: str, typ: str, params: Params) -> str:
    ps = "".join('<param name="%s">%s</param>' % (_attr(n), escape(v)) for n, v in params)
    return '<data datatypeLibrary="%s" type="%s">%s</data>' % (_attr(lib), _attr(typ), ps)


def _grammar(branches: list[str]) -> str:
    return ('<grammar xmlns="%s"><start><element name="r"><zeroOrMore><choice>\n%s\n'
            "</choice></zeroOrMore></element></start></grammar>\n" % (RNG, "\n".join(branches)))


@dataclass
class Case:
    lib: str
    typ: str
    params: Params
    value: str
    ctx: Ctx | None = None


class Jing:
    """Batches datatype questions into single jing runs, and reads its verdicts back."""

    def __init__(self, exe: str, work: Path) -> None:
        self.exe = exe
        self.work = work
        self.runs = 0

    def run(self, schema: str, instances: list[str]
            ) -> tuple[str, list[str], dict[tuple[str, int], list[str]]]:
        d = self.work / ("run%d" % self.runs)
        self.runs += 1
        d.mkdir()
        s = d / "s.rng"
        s.write_text(schema, encoding="utf-8")
        paths = []
        for k, text in enumerate(instances):
            p = d / ("i%d.xml" % k)
            p.write_text(text, encoding="utf-8")
            paths.append(str(p.resolve()))
        proc = subprocess.run([self.exe, str(s.resolve()), *paths], capture_output=True,
                              text=True, timeout=300)
        assert "Exception" not in proc.stderr, proc.stderr[-2000:]
        errors: dict[tuple[str, int], list[str]] = {}
        last: list[str] | None = None
        for line in proc.stdout.splitlines():
            m = re.match(r"(/.*?):(\d+):\d+: (?:error|fatal): (.*)", line)
            if m is None:  # the rest of a message that spans lines
                assert last is not None, proc.stdout
                last[-1] += "\n" + line
                continue
            last = errors.setdefault((m.group(1), int(m.group(2))), [])
            last.append(m.group(3))
        return str(s.resolve()), paths, errors

    def allows(self, cases: list[Case]) -> list[bool]:
        """Jing's verdict on each value: one element per datatype, one line per value; ID
        types in files of their own (an ID once per file, the IDs an IDREF needs declared)."""
        names: dict[tuple[str, str, Params], str] = {}
        branches = ['<element name="idd"><attribute name="id">%s</attribute></element>'
                    % _data(XSD, "ID", ())]
        files: list[list[str]] = [[]]
        where: list[tuple[int, int]] = []
        for c in cases:
            key = (c.lib, c.typ, c.params)
            name = names.get(key)
            if name is None:
                name = names[key] = "t%d" % len(names)
                if c.typ in ID_TYPES:  # ID-typed attributes need a plain element name
                    branches.append('<element name="%s"><element name="x%s"><attribute name="i">'
                                    "%s</attribute></element></element>"
                                    % (name, name, _data(c.lib, c.typ, c.params)))
                else:
                    branches.append('<element name="%s"><element><anyName/><attribute name="v">'
                                    "%s</attribute></element></element>"
                                    % (name, _data(c.lib, c.typ, c.params)))
            if c.typ in ID_TYPES:
                ids = [] if c.typ == "ID" else list(dict.fromkeys(c.value.split()))
                lines = ['<idd id="%s"/>' % _attr(t) for t in ids]
                lines.append('<%s><x%s i="%s"/></%s>' % (name, name, _attr(c.value), name))
                files.append(lines)
                where.append((len(files) - 1, len(lines) + 1))
            else:
                files[0].append('<%s><x%s v="%s"/></%s>'
                                % (name, _decls(c.ctx), _attr(c.value), name))
                where.append((0, len(files[0]) + 1))
        schema, paths, errors = self.run(_grammar(branches),
                                         ["<r>\n" + "\n".join(f) + "\n</r>\n" for f in files])
        assert not [e for (p, _), e in errors.items() if p == schema], errors
        return [(paths[f], line) not in errors for f, line in where]

    def equal(self, cases: list[tuple[str, Params, str, Ctx | None, str, Ctx | None]]
              ) -> list[bool]:
        """Whether instance text B matches ``<value type=...>A</value>`` (A's context: the
        value element's; its default namespace is the ns attribute)."""
        branches = []
        lines = []
        for k, (typ, params, a, ca, b, cb) in enumerate(cases):
            ca = dict(ca or {})
            default = ca.pop(None, "")
            assert not params
            branches.append('<element name="t%d"><element><anyName/><attribute name="v">'
                            '<value datatypeLibrary="%s" type="%s" ns="%s"%s>%s</value>'
                            "</attribute></element></element>"
                            % (k, XSD, typ, _attr(default), _decls(ca), escape(a)))
            lines.append('<t%d><x%s v="%s"/></t%d>' % (k, _decls(cb), _attr(b), k))
        schema, paths, errors = self.run(_grammar(branches),
                                         ["<r>\n" + "\n".join(lines) + "\n</r>\n"])
        assert not [e for (p, _), e in errors.items() if p == schema], errors
        return [(paths[0], k + 2) not in errors for k in range(len(cases))]

    def refusals(self, specs: list[tuple[str, str, Params]]) -> list[str | None]:
        """Jing's error for each ``data`` pattern (each on its own line), or None."""
        branches = ['<element name="t%d"><attribute name="v">%s</attribute></element>'
                    % (k, _data(*spec)) for k, spec in enumerate(specs)]
        schema, _, errors = self.run(_grammar(branches), ["<r/>"])
        return ["; ".join(errors[(schema, k + 2)]) if (schema, k + 2) in errors else None
                for k in range(len(specs))]


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Jing:
    exe = shutil.which("jing")
    need(exe, "jing (apt-get install -y jing)")
    assert exe is not None
    return Jing(exe, tmp_path_factory.mktemp("rng-datatypes"))


# --- The values of each theme ----------------------------------------------------------------

Group = tuple[str, str, Params, list[str], Ctx | None]  # library, type, params, values, context


def x(typ: str, values: list[str], *params: tuple[str, str], ctx: Ctx | None = None) -> Group:
    return (XSD, typ, tuple(params), values, ctx)


WS = ["", " ", "\t", "\n", "\r\n"]
INTEGERS = ["0", "-0", "+0", "1", "-1", "127", "128", "-128", "-129", "255", "256", "32767",
            "32768", "-32768", "-32769", "65535", "65536", "2147483647", "2147483648",
            "-2147483648", "-2147483649", "4294967295", "4294967296", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "18446744073709551615", "18446744073709551616", "+00000000000000000000000127",
            "-0000", " 7 ", "\t-7\n", "1.", "1.0", ".0", "+", "-", "0x1", "\u0661", "1e2",
            "1_000", "99999999999999999999999999999999999"]
FLOATS = ["1", " 1.5 ", "1e0", "1E0", "1e+2", "1e-2", "1.e2", ".1e2", ".e2", "1.", ".5", "+1",
          "-1", "+-1", "INF", "-INF", "+INF", "inf", "Infinity", "NaN", "nan", "-NaN", "+NaN",
          "1e", "e1", "1d", "1f", "0x1p3", "1e400", "-1e400", "1e-400", "3.4028235e38",
          "3.4028236e38", "1.4e-45", "1e-46", "00", "", " ", "1 e1", "1_0", "\u0661",
          "1.7976931348623157e308", "1.8e308", "+.5", "-.5e-1", "1ee1", "1e1.5", "1e+", "+",
          "-", ".", "e5", "1e5.", "-.e1", "1E-0", "-0", " INF ", "\nNaN\t"]
DATE_TIMES = [
    "2000-01-01T00:00:00", "2000-01-01T24:00:00", "2000-01-01T24:00:00.0", "0000-01-01T00:00:00",
    "-0001-01-01T00:00:00", "-0000-01-01T00:00:00", "10000-01-01T00:00:00",
    "010000-01-01T00:00:00", "00001-01-01T00:00:00", "2000-02-29T00:00:00", "1900-02-29T00:00:00",
    "2000-02-30T00:00:00", "2000-04-31T00:00:00", "2000-13-01T00:00:00", "2000-00-01T00:00:00",
    "2000-01-00T00:00:00", "2000-01-01T00:60:00", "2000-01-01T00:00:60", "2000-01-01T00:00:61",
    "2000-01-01T00:00:59.999999999999", "2000-01-01T00:00:00.", "2000-01-01T00:00:00Z",
    "2000-01-01T00:00:00+14:00", "2000-01-01T00:00:00+14:01", "2000-01-01T00:00:00-14:00",
    "2000-01-01T00:00:00-13:00", "2000-01-01T00:00:00-13:01", "2000-01-01T00:00:00+13:59",
    "2000-01-01T00:00:00+00:60", "2000-01-01T00:00:00+0000", "2000-01-01T00:00:00z",
    "2000-01-01t00:00:00", "2000-01-01 00:00:00", "2000-01-01T0:00:00", "2000-1-01T00:00:00",
    "200-01-01T00:00:00", "+2000-01-01T00:00:00", "2000-01-01T00:00", "2000-01-01",
    " 2000-01-01T00:00:00\n", "2000-01-01T00:00:00-00:00", "-2000-02-29T00:00:00",
    "-0001-02-29T00:00:00", "-0005-02-29T00:00:00", "-0004-02-29T00:00:00",
    "1582-10-10T00:00:00", "2000-01-01T23:59:60Z", "\u0662\u0660\u0660\u0660-01-01T00:00:00",
    "99999999999999999999-01-01T00:00:00", "292278994-08-17T07:12:55.807Z",
    "292278994-08-17T07:12:55.808Z", "292278994-08-17T07:12:55.807-00:01",
    "292278994-08-17T08:12:55.807+01:00", "-292275055-05-16T16:47:04.192Z",
    "-292275055-05-16T16:47:04.191Z", "-292275056-01-01T00:00:00Z", "292278995-01-01T00:00:00",
    "2147483647-01-01T00:00:00", "2147483648-01-01T00:00:00"]
DURATIONS = ["P1D", "P", "PT", "P1DT", "-P1D", "+P1D", "P-1D", "PT1.5S", "PT.5S", "PT1.S", "PT1S",
             "P1Y2M3DT4H5M6.7S", "P1M1Y", "PT1H1H", "P1DT1M", "P1H", "PT1D", "P1.5D", "P0D",
             "-P0D", "p1D", "P1d", " P1D ", "P 1D", "P99999999999999999999999Y",
             "PT0.000000000000000001S", "-PT.S", "PT.S", "P1Y1M1W", "PT1,5S"]
BASE64 = ["", "AAAA", "AA==", "A===", "AAA=", "AB==", "AQ==", "A Q = =", " AAAA ", "AA AA",
          "AA\nAA", "AAAAA", "AAAAAA==", "AAA", "====", "AAAA====", "AB=A", "A+/=", "A+/A",
          "QUJD\n", " QU\tJD ", "AAA=AAAA", "AA=\n=", "A-_A", "QUJD=", "QUI=", "=QUI"]
URIS = [
    "", "http://x", "a b", " a ", "%", "%zz", "%2", "a%20b", "#", "##", "a#b#c", "<", ">", '"',
    "{", "}", "|", "\\", "^", "`", "[", "]", "http://[::1]/", "\u00e9", "\u00a0", "a\u3000b",
    ":", "::", "a:b:c", "1:x", "?", "\x7f", "\u0085", "\u2028", "\U0001F600", "\ue000", "a\tb",
    "a:", "a:#", "A:b", "a1+-.:b", "a_b:c", "\u00e9:b", "a%41:b", "/a:b", "?a:b", "#a:b",
    "a/b:c", "a?b:c", "%4", "%41", "%4g", "%aF", "a%", "a[", "a]", "[]", "http://[",
    "http://]", "http://[::1", "http://[x]", "http://x/[", "//[::1]", "a:[::1]", "a://[::1]",
    "http://a[b]", "http://[a]b", "[::1]", "x:/[a]", "http://[a]:80/", "#]", "a?b]", "//", "///",
    "//a", "http://", "http:///a", "http://a:80", "http://a:", "http://a:x",
    "http://a:99999999999", "http://1.2.3.256", "http://1.2.3.4.5", "http://-a.b",
    "http://a-.b", "http://a.1b", "http://a..b", "http://a_b", "http://u:p@h", "http://@h",
    "http://%zz", "http://[::1%eth0]", "http://[::1%]", "http://[1:2:3:4:5:6:7:8]",
    "http://[1:2:3:4:5:6:7]", "http://[1::2::3]", "http://[::ffff:1.2.3.4]", "http://[12345::]",
    "http://[::]", "http://[:::]", "http://[1:2:3:4:5:6:7::]", "http://[v1.x]", "http://[::1 ]",
    "mailto:a@b", "urn:isbn:123", "file:///C:/x", "C:\\x", "../a", "a/../b", "http://a@b@c",
    "http://[::1]x", "http://x:80x", "http://\u00e9.com", "http://1.2.3.4x", "a:/b", "a:?",
    "a://:80", "+s:x", "a:%4", "a:\u00a0", "x://", "x:///a", "#x1 #x2"]

THEMES: dict[str, list[Group]] = {
    "strings": [
        x("string", WS + ["a", " a ", "a\tb"]), x("normalizedString", WS + ["a"]),
        x("token", WS + ["a"]), x("anyAtomicType", WS + ["a"]), x("untypedAtomic", WS + ["a"]),
        (BUILTIN, "string", (), WS + [" a "], None), (BUILTIN, "token", (), WS + [" a "], None),
        x("language", ["en", "EN", "en-GB", "en-gb-oed", "x-klingon", "i-default", "abcdefgh",
                       "abcdefghi", "en-abcdefgh", "en-abcdefghi", "e", "en-", "-en", "en--gb",
                       "en_GB", "en-1", "1en", " en-GB ", "", "zh-Hant-TW", "en-\u00e9", "ab1",
                       "ab-12345678", "ab-123456789"]),
        x("boolean", ["true", "false", "1", "0", " true ", "TRUE", "True", "yes", "", "2", "01",
                      "-0", "\ttrue\n"]),
        x("hexBinary", ["", "AB", "abcd", " ab ", "a", "ABC", "GG", "a b", "aB", "0x00"]),
        x("token", ["\u00a0a", "a\u00a0", "\u2028a", "a\u0085"], ("length", "2")),
        x("NMTOKENS", ["a\u00a0b", "a\u3000b c"], ("length", "2")),
        x("decimal", ["\u00a01", "1\u2003"]), x("boolean", ["\u00a0true"]),
        x("base64Binary", BASE64),
    ],
    "names": [
        x("Name", [":", ":a", "a:", "a::b", "::", "1a", "-a", ".a", "a1", "a-", "a.", "", " a ",
                   "a b", "_", "\u00b7a", "a\u00b7", "\u0e50", "a\u0e50", "\u0560", "a\u0b55"]),
        x("NCName", ["a:b", "_", "_1", "a", "", "\u0560", "a\u0b55", "\u4db5", "\u4db6",
                     "\U00010400", "a\u0300", "\u0300a", "\u3007", "\u30fc", "a\u30fc"]),
        x("NMTOKEN", [":", "1", "-", ".", "a b", "", " x ", "\u00b7", "\u0e50"]),
        x("NMTOKENS", [":", "1 2", " - . ", "", " ", "a\tb", "a  b", "a b ", "a,b"]),
        x("ID", ["a", " a ", "1", "", "a:b", "a b"]), x("IDREF", ["a", " a ", "1", "", "a:b"]),
        x("IDREFS", ["a b", " a ", "", "1", "a 1"]),
        (DTD_COMPATIBILITY, "ID", (), ["a", "a:b", " a ", "1"], None),
        (DTD_COMPATIBILITY, "IDREF", (), ["a", "a b"], None),
        (DTD_COMPATIBILITY, "IDREFS", (), ["a", " a  b ", "", "a:b"], None),
        (DTD_COMPATIBILITY, "ID", (("length", "1"),), ["a", "ab"], None),
        x("ENTITY", ["a", "", "1"]), x("ENTITIES", ["a", "", "a b"]),
        x("QName", ["xml:lang", "xmlns:a", "xmlns", "a", ":a", "a:", "a:b:c", " a:b ", "a :b",
                    "1a", "_:a", "a:_", "a.b:c-d", "a:1", "b:c", "a:b"],
          ctx={"a": "urn:a", "_": "urn:u"}),
        x("NOTATION", ["a:b", "b:c", "x", "xml:x"], ctx={"a": "urn:a"}),
        x("QName", ["a", "b:c", "xml:lang", "xmlns:x"], ctx={None: "urn:d"}),
    ],
    "numbers": [
        x("decimal", WS + ["1", " 1", "\t1\n", "+1", "-1", "+-1", "1.", ".1", ".", "-.5", "+.5",
                           "1.0e1", "1,0", "0001.000", "- 1", "\u0661", "\uff11", "1_0", "INF",
                           "NaN", "-0.0", "123456789012345678901234567890.123456789"]),
        *[x(t, INTEGERS) for t in ["integer", "long", "int", "short", "byte", "unsignedLong",
                                   "unsignedInt", "unsignedShort", "unsignedByte",
                                   "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                   "nonNegativeInteger"]],
        x("float", FLOATS), x("double", FLOATS),
    ],
    "dates": [
        x("dateTime", DATE_TIMES),
        x("time", ["00:00:00", "24:00:00", "23:59:60", "23:59:61", "23:60:00", "00:00:00.",
                   "00:00:00.5Z", "0:00:00", "00:00:00+14:00", "00:00:00-13:00", "00:00:00-13:01",
                   "00:00:00+13:60", "00:00:00+99:00", "12:00:00.123456789", "01:00:00.Z"]),
        x("date", ["2000-01-01", "2000-01-01Z", "2000-01-01+14:00", "2000-01-01-14:00",
                   "2000-02-29", "2001-02-29", "292278994-08-17", "292278994-08-18",
                   "-292269055-12-31", "-292275055-05-17", "-292275055-05-16",
                   "-292275055-05-17+14:00", "2000-01-01T00:00:00", "0001-01-01", "-0001-12-31"]),
        x("gYearMonth", ["2000-01", "2000-13", "0000-01", "2000-1", "292278994-08", "292278994-09",
                         "-292275055-05", "-292275055-04", "2000-02Z"]),
        x("gYear", ["2000", "0000", "-0000", "-0001", "12345", "01234", "2000Z", "2000-01:00",
                    "292278994", "292278995", "-292275055", "-292275056", "2147483648",
                    "292278994+14:00", "292278994-13:00"]),
        x("gMonthDay", ["--02-29", "--02-30", "--04-31", "--12-31", "--1-01", "--01-01Z",
                        "--00-01", "-01-01"]),
        x("gDay", ["---01", "---31", "---32", "---00", "---1", "---01Z", "----01"]),
        x("gMonth", ["--01", "--01--", "--13", "--00", "--1", "--01Z", "--01+01:00", "-01",
                     " --12 "]),
        x("duration", DURATIONS),
    ],
    "uris": [x("anyURI", URIS)],
}


def _facet_groups() -> list[Group]:
    groups: list[Group] = []
    texts = ["", "a", "ab", "abc", "abcd", "abcde", " abc ", "a\tb", "a  b", "\U0001d11e" * 2,
             "a b c"]
    for t in ["string", "normalizedString", "token", "NMTOKEN", "Name", "language", "anyURI",
              "NMTOKENS"]:
        for f in [("length", "3"), ("minLength", "2"), ("maxLength", "3"), ("length", "0"),
                  ("minLength", "99999999999"), ("maxLength", "99999999999999999999")]:
            groups.append(x(t, texts, f))
    groups += [
        x("hexBinary", ["", "ab", "abcd", " ABCD ", "abcdef"], ("length", "2")),
        x("hexBinary", ["", "ab", "abcd", "abcdef"], ("minLength", "1"), ("maxLength", "2")),
        x("base64Binary", ["", "AA==", "AAA=", "AAAA", "A A A ="], ("length", "2")),
        x("string", ["abc", "ab", "bc", "b"], ("pattern", "a.*"), ("pattern", ".*c")),
        x("string", ["abc", "ab", "bc", "b"], ("pattern", "a.*"), ("length", "2")),
        x("string", ["abc", "abcde"], ("length", "5"), ("length", "3")),
        x("token", [" a  b ", "a b", "a\tb"], ("pattern", "a b")),
        x("token", [" a  b ", "a  b"], ("pattern", "a  b")),
        x("normalizedString", ["a\tb", "a b", " a b"], ("pattern", "a b")),
        x("string", ["a\tb", "a b", "a\nb", "a\rb", "a\u00a0b"], ("pattern", "a\\sb")),
        x("dateTime", ["2000-01-01T00:00:00"], ("pattern", "2000.*")),
    ]
    decimals = ["0", "0.0", "000", "0.000", "1", "12345", "123456", "1234.5", "12345.0",
                "12345.00", "0.12345", "0.123456", "00012345", "-12345", "1.10", "1.100",
                "001.1", "100000", "10000.0", "0.001", ".00001", "-0.00000", "1.", ".10", "0100",
                "-0.01", "+99.9", "999"]
    for f in [("totalDigits", "5"), ("totalDigits", "1"), ("totalDigits", "3"),
              ("fractionDigits", "0"), ("fractionDigits", "2"), ("fractionDigits", "1")]:
        groups.append(x("decimal", decimals, f))
    groups.append(x("decimal", decimals, ("totalDigits", "3"), ("fractionDigits", "1")))
    for t in ["integer", "int", "nonNegativeInteger"]:
        groups.append(x(t, ["0", "00", "99", "100", "-99", "+099", "-0"], ("totalDigits", "2")))
    ints = ["-10", "-1", "0", "1", "4", "5", "6", "10", "+5", "05", " 5 "]
    for f in [("minInclusive", "5"), ("minExclusive", "5"), ("maxInclusive", "5"),
              ("maxExclusive", "5")]:
        groups += [x("integer", ints, f), x("decimal", ints + ["5.0", "4.999", "5.001"], f),
                   x("unsignedByte", ints, f)]
    groups.append(x("decimal", ["1.5", "1.49", "2", "1.999", "2.0"], ("minInclusive", "1.50"),
                    ("maxExclusive", "2")))
    floats = ["NaN", "INF", "-INF", "0", "-0", "1", "-1", "1e400", "1.0", "0.5", "1e-50",
              "-1e-50"]
    for f in [("minInclusive", "0"), ("maxExclusive", "0"), ("minInclusive", "NaN"),
              ("maxInclusive", "NaN"), ("minExclusive", "NaN"), ("minInclusive", "-INF"),
              ("maxExclusive", "INF"), ("minInclusive", "-0"), ("maxInclusive", "1e-50")]:
        groups += [x("float", floats, f), x("double", floats, f)]
    date_times = ["2000-01-01T00:00:00", "2000-01-01T00:00:00Z", "2000-01-01T14:00:00",
                  "2000-01-01T14:00:01", "1999-12-31T10:00:00", "1999-12-31T09:59:59",
                  "2000-01-01T00:00:00+14:00", "2000-01-01T00:00:00-13:00",
                  "2000-01-02T00:00:00", "1999-12-31T23:59:60Z", "1999-12-31T23:59:60.5Z",
                  "2000-01-01T13:59:59.999", "2000-01-01T14:00:00.0001"]
    for f in [("minInclusive", "2000-01-01T00:00:00Z"), ("maxInclusive", "2000-01-01T00:00:00Z"),
              ("minExclusive", "2000-01-01T00:00:00Z"), ("maxExclusive", "2000-01-01T00:00:00"),
              ("minInclusive", "2000-01-01T00:00:00"), ("maxInclusive", "1999-12-31T23:59:60Z")]:
        groups.append(x("dateTime", date_times, f))
    groups += [
        x("date", ["2000-01-01", "1999-12-31", "2000-12-31", "2000-12-31Z", "2000-12-31+01:00",
                   "2001-01-01-13:00"], ("minInclusive", "2000-01-01"),
          ("maxInclusive", "2000-12-31Z")),
        x("time", ["12:00:00", "11:59:59", "12:30:00Z", "13:00:00", "12:59:59Z"],
          ("minInclusive", "12:00:00"), ("maxExclusive", "13:00:00")),
        x("gYear", ["-0002", "-0001", "0001", "0002", "0001Z"], ("minInclusive", "-0001"),
          ("maxInclusive", "0001")),
        x("gMonthDay", ["--02-28", "--02-29", "--01-31"], ("minExclusive", "--02-28")),
    ]
    durations = ["P1Y", "P12M", "P13M", "P11M", "P365D", "P366D", "P364D", "PT8760H", "P1M",
                 "P30D", "P31D", "P28D", "P29D", "PT1M", "PT60S", "P1D", "PT24H", "-P1D", "P0D",
                 "P1Y1D", "P2M", "P59D", "P60D", "P61D", "P62D"]
    for f in [("minInclusive", "P1Y"), ("maxInclusive", "P1Y"), ("minExclusive", "P1M"),
              ("maxExclusive", "P1M"), ("minInclusive", "P30D"), ("maxExclusive", "P2M"),
              ("minInclusive", "-P0D")]:
        groups.append(x("duration", durations, f))
    return groups


THEMES["facets"] = _facet_groups()

# Regular expressions: what jing refuses, and what the patterns it takes match.
PATTERNS = r"""
[a-] [-a] [a-z-] [--a] [a--] [^-a] [a-z-[aeiou]] [a-[b]] [-[a]] [] [^] []a] [\]] [[] [a[]
\n \r \t \\ \| \. \- \^ \? \* \+ \{ \} \( \) \[ \] \$ \/ \a \0 \x41 \u0041 {,3} a{,3} a{3,2}
a{0} a{0,0} a{2}{3} a** a*? a{1,2}? ^a$ a| |a () (|) (?:a) \1 (a)\1 [\i-\c] [\d-z] [a-\d]
[z-a] [\n-\r] a{ a} } { a{1 a{1, a{1,2 a{02} a{99999999999} a{2147483648} [a[b]
[a-z-[aeiou]x] [^a-[b]] [a-z-[b-y-[c]]] *a + (*) ? \p{L} \P{L} \p{} \p{Is} \pL \p{L
[\p{L}-[\p{Lu}]] [\s\S] . \i \I \c \C \d \D \w \W [a-z&&[b]] [a-]b] [a-b-c] [a-\-] [\--a]
[!--] [a-c-[b]-d] [\[-\]] [^^] [a^] [-] [---] [a-b-] [^-] [a-[]] [a-[^b]] ((a)|b)* a?* x{0,}
\p{IsGreek} \p{IsLatin-1Supplement} \p{isGreek} \p{Isgreek} \p{IsHighSurrogates} \p{Cs} \p{LC}
\p{IsPrivateUse} \p{IsCJKUnifiedIdeographsExtensionB} [a\] (a|b|) [\u00e9-\u00fc] [#x41] (a a)
) ( [ ] [a \ a\ [\ [a- [a-[b] [\p{L}-a] [a-\p{L}] [.] [*+?{}()|] [$^] a{} a{a} a{-1} a{1 }
\p{L } \p{Is_Greek} [\d-] [\w-[\d]] [\s-[\n]] [^\p{L}\p{N}] [^\p{N}\p{L}] [^a\p{N}] [^\p{Lu}a]
[^\d\s] [^\s\d] [^\i\d] [^\w\d] [^\S\d] [^\P{L}\p{N}] [^a\D] [^\p{Lu}\p{IsGreek}] [^\p{L}]
[^\p{IsGreek}\p{IsBasicLatin}] [^\p{IsPrivateUse}a] \P{C} \P{P} [^\p{C}] [^\P{C}]
[\p{L}\p{P}-[a\p{P}]] [^ab-[c\s]] [a-[^b\s]] [\p{P}-[\p{P}]]
""".split()
PATTERN_TEXTS = ["", "a", "b", "e", "z", "aa", "ab", "aaa", "-", "^", "$", "^a$", "\n", "\r", "\t",
                 " ", "0", "5", "\u00e9", "\u0391", "\u03b1", "\U0001d11e", "[", "]", "\\", ".",
                 "*", "#x41", ":", "_", "A", "\u0660", "\u2e02", "\u00ab", "\u2018", "!", "{",
                 "\ue000", "\U000f0000", "\U00020000", "\U0002a6d7", "\u0378", "a a"]


def _pattern_boundaries() -> list[tuple[str, list[str]]]:
    """Each category, block and multi-character escape (and some complements) with the
    characters at the edges of its ranges, as the module has them: where a wrong table shows
    first. (The module's tables were checked against jing over all of Unicode once; this keeps
    a sample of that.)"""
    from tei_toolkit.validation.relaxng import datatypes as module
    names = ["\\p{%s}" % c for c in sorted(module._CATEGORY_NAMES)]
    names += ["\\P{%s}" % c for c in ("L", "Lu", "N", "Nd", "P", "C", "Cn", "Pi", "Pf", "Co")]
    names += ["\\p{Is%s}" % b for b in module._BLOCKS]
    names += ["\\" + e for e in "sSiIcCdDwW"]
    out = []
    for name in names:
        ranges = module._Translator(name).escape()[0].pos
        edges = sorted({cp for lo, hi in ranges for cp in (lo - 1, lo, hi, hi + 1)
                        if _xml_char(cp)})
        if len(edges) > 60:  # a spread of them
            edges = edges[:: len(edges) // 60 + 1] + edges[-2:]
        out.append((name, [chr(cp) for cp in edges]))
    return out


def _xml_char(cp: int) -> bool:
    return (cp in (9, 10, 13) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD
            or 0x10000 <= cp <= 0x10FFFF)


def _regex_fuzz() -> list[str]:
    """Random patterns (fixed seed) mixing what jing treats specially: negated groups of
    simple and compound members, subtractions, escapes, quantifiers."""
    rng = random.Random(11)
    members = ["a", "b", "z", "0", "-", "\\-", "\\s", "\\S", "\\d", "\\D", "\\w", "\\W", "\\i",
               "\\c", "\\p{L}", "\\p{Lu}", "\\P{L}", "\\p{N}", "\\p{P}", "\\P{P}", "\\p{C}",
               "\\p{IsBasicLatin}", "\\p{IsGreek}", "\\p{IsPrivateUse}", "a-f", "0-9", "\u00e9",
               "^", ".", "[", "]", "\\[", "\\n", " ", "\\p{Pi}", "\\p{Cn}", "\\p{No}", "\\p{Nl}"]

    def group(depth: int) -> str:
        s = "[" + ("^" if rng.random() < 0.4 else "")
        s += "".join(rng.choice(members) for _ in range(rng.randint(1, 3)))
        if depth < 2 and rng.random() < 0.3:
            s += "-" + group(depth + 1)
        return s + "]"

    def atom() -> str:
        r = rng.random()
        if r < 0.4:
            return group(0)
        if r < 0.55:
            return rng.choice(["a", ".", "\\d", "\\s", "\\p{L}", "\\P{P}", "\\W", "^", "$"])
        if r < 0.65:
            return "(" + regexp() + ")"
        return rng.choice(["a", "b", "0", " "])

    def regexp() -> str:
        return "|".join("".join(atom() + rng.choice(["", "", "?", "*", "+", "{1,2}", "{0}"])
                                for _ in range(rng.randint(1, 3)))
                        for _ in range(rng.randint(1, 2)))

    return [regexp() for _ in range(250)]


def _uri_fuzz() -> list[str]:
    rng = random.Random(7)
    parts = list("ab1:/?#[]@%.-_~!$&'()*+,;=") + ["%41", "%4", "//", "::", "\u00e9", " ",
                                                   "80", "http", "1.2", "[::1]", "ff"]
    authority = list("ab1:.[]@%-_9") + ["::", "%41", "%25", "ff", "255", "256", "1.2.3.4", ":80",
                                        "\u00e9", " "]
    out = ["".join(rng.choice(parts) for _ in range(rng.randint(1, 9))) for _ in range(800)]
    out += [rng.choice(["http://", "//", "x://"])
            + "".join(rng.choice(authority) for _ in range(rng.randint(0, 8)))
            + rng.choice(["", "/", "/x", "?q", "#f", "/[", ":"]) for _ in range(800)]
    return out


def _accepted_patterns(patterns: list[str]) -> list[str]:
    ok = []
    for p in patterns:
        try:
            datatype(XSD, "string", [("pattern", p)])
        except DatatypeError:
            continue
        ok.append(p)
    return ok


THEMES["uri-fuzz"] = [x("anyURI", _uri_fuzz())]


def _all_cases() -> dict[str, list[Case]]:
    themes = dict(THEMES)
    themes["patterns"] = [x("string", PATTERN_TEXTS, ("pattern", p))
                          for p in _accepted_patterns(PATTERNS)]
    themes["pattern-fuzz"] = [x("string", PATTERN_TEXTS[:26], ("pattern", p))
                              for p in _accepted_patterns(_regex_fuzz())]
    themes["character-classes"] = [x("string", texts, ("pattern", name))
                                   for name, texts in _pattern_boundaries()]
    return {theme: [Case(lib, typ, params, v, ctx) for lib, typ, params, values, ctx in groups
                    for v in values]
            for theme, groups in themes.items()}


@pytest.fixture(scope="module")
def verdicts(oracle: Jing) -> dict[str, list[tuple[Case, bool]]]:
    """Jing's verdict on every value of every theme, from one jing run."""
    cases = _all_cases()
    flat = [c for theme in cases.values() for c in theme]
    results = iter(oracle.allows(flat))
    return {theme: [(c, next(results)) for c in theme_cases]
            for theme, theme_cases in cases.items()}


THEME_NAMES = list(THEMES) + ["patterns", "pattern-fuzz", "character-classes"]


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_values_are_allowed_exactly_where_jing_allows_them(verdicts, theme):
    wrong = []
    for c, allowed in verdicts[theme]:
        ours = datatype(c.lib, c.typ, c.params).allows(c.value, c.ctx or {})
        if ours != allowed:
            wrong.append((c.typ, c.params, c.value, "jing allows" if allowed else "jing refuses"))
    assert wrong == []
    assert len(verdicts[theme]) >= 4


# --- Equality: <value> patterns ---------------------------------------------------------------

def _equalities() -> list[tuple[str, Params, str, Ctx | None, str, Ctx | None]]:
    out: list[tuple[str, Params, str, Ctx | None, str, Ctx | None]] = []

    def e(typ: str, pairs: list[tuple[str, str]], ca: Ctx | None = None,
          cb: Ctx | None = None) -> None:
        out.extend((typ, (), a, ca, b, cb) for a, b in pairs)

    e("string", [("a", "a"), ("a", " a"), ("a b", "a  b"), ("", ""), ("a\tb", "a\tb")])
    e("normalizedString", [("a b", "a\tb"), ("a b", "a  b"), (" a", "\na")])
    e("token", [("a b", " a  b "), ("a b", "a\tb"), ("a", "A")])
    e("language", [("en", "EN"), ("en-GB", "en-gb"), ("en", " en ")])
    e("NMTOKENS", [("a b", " a  b "), ("a b", "b a"), ("a", "a a")])
    e("anyURI", [("a b", "a%20b"), ("http://x", "http://x/"), ("a", " a "), ("%41", "A")])
    e("boolean", [("true", "1"), ("false", "0"), ("true", " true "), ("0", "true")])
    e("decimal", [("1.0", "1"), ("-0", "0"), ("+1", "1."), ("0.10", ".1"),
                  ("1", "1.000000000000000000000000000000001"),
                  ("12345678901234567890.1234567890", "12345678901234567890.123456789")])
    e("integer", [("-0", "0"), ("+01", "1")])
    e("unsignedByte", [("1", "001")])
    floats = [("NaN", "NaN"), ("0", "-0"), ("1e0", "1.0"), ("INF", "1e400"), ("INF", "1e39"),
              ("3.4028236e38", "3.4028235e38"), ("1.00000001", "1"), ("1e-46", "-0"),
              ("1.4e-45", "1e-45"), (".5", "0.50"), ("NaN", "INF"), ("16777217", "16777216"),
              ("3.4028235677973366e38", "INF"),
              ("3.4028235677973366163753939545814256844e38", "INF"),
              ("3.4028235677973366163753939545814256845e38", "INF"),
              ("1.000000059604644775390625", "1"), ("1.0000000596046447753906250001", "1"),
              ("1.000000178813934326171875", "1.0000002384185791015625"),
              ("7.00649232162408535e-46", "0"), ("7.0064923216240862e-46", "0"),
              ("9007199254740993", "9007199254740992"), ("1.7976931348623159e308", "INF"),
              ("2.4703282292062327e-324", "0"), ("2.4703282292062328e-324", "0")]
    e("float", floats)
    e("double", floats)
    e("dateTime", [("2000-01-01T00:00:00+01:00", "1999-12-31T23:00:00Z"),
                   ("-0001-12-31T00:00:00", "0001-01-01T00:00:00"),
                   ("2000-01-01T00:00:00", "2000-01-01T00:00:00Z"),
                   ("2000-01-01T00:00:00.0001", "2000-01-01T00:00:00"),
                   ("1999-12-31T23:59:60Z", "2000-01-01T00:00:00Z"),
                   ("1999-12-31T23:59:60.5Z", "1999-12-31T23:59:60.500Z"),
                   ("2000-01-01T00:00:00.", "2000-01-01T00:00:00")])
    e("time", [("00:00:00+01:00", "23:00:00Z"), ("01:00:00+01:00", "00:00:00Z"),
               ("00:00:00", "00:00:00Z"), ("00:00:00.0019", "00:00:00.001"),
               ("23:59:60", "23:59:59.999"), ("12:00:00-00:00", "12:00:00Z")])
    e("date", [("2000-01-01", "2000-01-01Z"), ("2000-01-02+14:00", "2000-01-01Z"),
               ("2000-01-01+12:00", "1999-12-31-12:00")])
    e("gMonth", [("--01", "--01Z"), ("--01", " --01 ")])
    e("gYear", [("2000", "2000Z"), ("2000+00:00", "2000Z")])
    e("duration", [("P1Y", "P12M"), ("PT60S", "PT1M"), ("P1D", "PT24H"), ("PT1S", "PT1.0S"),
                   ("-P0D", "P0D"), ("PT0S", "P0D"), ("P1Y", "P0001Y"), ("-PT0.0S", "PT0S")])
    e("hexBinary", [("ab", "AB"), ("", ""), ("00", "0000")])
    e("base64Binary", [("QUJD", "QU JD"), ("AA==", "AAA="), ("QUI=", "QU I=")])
    e("QName", [("a:x", "b:x")], {"a": "u"}, {"b": "u"})
    e("QName", [("a:x", "b:x")], {"a": "u"}, {"b": "v"})
    e("QName", [("x", "x")], {None: "u"}, {None: "u"})
    e("QName", [("x", "x")], {None: "u"}, {})
    e("QName", [("x", "b:x")], {None: "u"}, {"b": "u"})
    e("QName", [("xml:lang", "xml:lang")], {}, {})
    e("NOTATION", [("a:x", "b:x")], {"a": "u"}, {"b": "u"})
    return out


def test_values_are_equal_exactly_where_jing_matches_a_value_pattern(oracle):
    cases = _equalities()
    wrong = []
    for (typ, params, a, ca, b, cb), matches in zip(cases, oracle.equal(cases)):
        dt = datatype(XSD, typ, params)
        va, vb = dt.value(a, ca or {}), dt.value(b, cb or {})
        assert va is not None, (typ, a)
        if (va == vb) != matches:
            wrong.append((typ, a, b, "jing: equal" if matches else "jing: different"))
    assert wrong == []


def test_values_are_hashable_and_equal_values_hash_alike():
    for typ, params, a, ca, b, cb in _equalities():
        dt = datatype(XSD, typ, params)
        va, vb = dt.value(a, ca or {}), dt.value(b, cb or {})
        if va == vb:
            assert hash(va) == hash(vb), (typ, a, b)


# --- Refused and accepted parameters and types -------------------------------------------------

SAMPLE = {"float": "1", "double": "1", "decimal": "1", "integer": "1", "long": "1", "int": "1",
          "byte": "1", "unsignedLong": "1", "positiveInteger": "1", "nonPositiveInteger": "0",
          "duration": "P1D", "dateTime": "2000-01-01T00:00:00", "time": "00:00:00",
          "date": "2000-01-01", "gYearMonth": "2000-01", "gYear": "2000", "gMonthDay": "--01-01",
          "gDay": "---01", "gMonth": "--01", "boolean": "true", "hexBinary": "AB",
          "base64Binary": "AAAA", "anyURI": "a"}
FACET_VALUES = {"length": "3", "minLength": "1", "maxLength": "5", "pattern": ".*",
                "totalDigits": "5", "fractionDigits": "2"}


def _specs() -> list[tuple[str, str, Params]]:
    types = ("anyAtomicType untypedAtomic string normalizedString token language Name NCName "
             "NMTOKEN NMTOKENS ID IDREF IDREFS ENTITY ENTITIES NOTATION QName anyURI boolean "
             "decimal integer long int byte unsignedLong positiveInteger nonPositiveInteger "
             "float double duration dateTime time date gYearMonth gYear gMonthDay gDay gMonth "
             "hexBinary base64Binary").split()
    facets = ["length", "minLength", "maxLength", "pattern", "minInclusive", "maxInclusive",
              "minExclusive", "maxExclusive", "totalDigits", "fractionDigits", "enumeration",
              "whiteSpace", "foo", "Length", ""]
    specs: list[tuple[str, str, Params]] = [
        (XSD, t, ((f, FACET_VALUES.get(f, SAMPLE.get(t, "a"))),)) for t in types for f in facets]
    values = [("length", "x"), ("length", "-1"), ("length", "1.0"), ("length", "1."),
              ("length", "+1"), ("length", " 2 "), ("length", ""), ("length", "-0"),
              ("length", "00"), ("length", "1e1"), ("length", ".0"), ("length", "0."),
              ("length", "99999999999999999999"), ("minLength", "-1"), ("maxLength", "a"),
              ("totalDigits", "0"), ("totalDigits", "-1"), ("totalDigits", "+1"),
              ("totalDigits", " 3 "), ("totalDigits", "1.5"), ("totalDigits", "1."),
              ("totalDigits", "-0"), ("fractionDigits", "-1"), ("fractionDigits", "0"),
              ("fractionDigits", "+01"), ("fractionDigits", "x"), ("fractionDigits", "0.0"),
              ("minInclusive", "x"), ("minInclusive", " 5 "), ("minInclusive", "1.5"),
              ("minInclusive", "+5"), ("maxExclusive", "")]
    specs += [(XSD, t, (v,)) for t in ("decimal", "integer") for v in values]
    specs += [(XSD, "string", (v,)) for v in values if "ength" in v[0]]
    specs += [(XSD, "string", (("pattern", p),)) for p in PATTERNS]
    specs += [
        (XSD, "integer", (("minInclusive", "5"), ("maxInclusive", "3"))),
        (XSD, "integer", (("maxInclusive", "3"), ("minInclusive", "5"))),
        (XSD, "integer", (("pattern", "[0-4]"), ("minInclusive", "5"))),
        (XSD, "integer", (("minInclusive", "5"), ("minInclusive", "3"))),
        (XSD, "integer", (("minExclusive", "5"), ("maxInclusive", "5"))),
        (XSD, "decimal", (("totalDigits", "2"), ("minInclusive", "123"))),
        (XSD, "decimal", (("fractionDigits", "1"), ("maxInclusive", "1.20"))),
        (XSD, "byte", (("minInclusive", "200"),)),
        (XSD, "positiveInteger", (("maxInclusive", "0"),)),
        (XSD, "float", (("minInclusive", "NaN"),)), (XSD, "float", (("minInclusive", "1e400"),)),
        (XSD, "date", (("minInclusive", "2000-02-30"),)),
        (XSD, "date", (("minInclusive", " 2000-01-01 "),)),
        (XSD, "time", (("minInclusive", "12:00:00"), ("maxExclusive", "13:00:00Z"))),
        (XSD, "gYear", (("maxExclusive", "0000"),)),
        (XSD, "time", (("minInclusive", "24:00:00"),)),
        (XSD, "string", (("minLength", "5"), ("maxLength", "3"))),
        (XSD, "string", (("length", "5"), ("length", "3"))),
        (XSD, "date", (("length", "x"),)), (XSD, "duration", (("minLength", "-1"),)),
        (BUILTIN, "string", (("length", "1"),)), (BUILTIN, "token", (("pattern", ".*"),)),
        (BUILTIN, "foo", ()), (BUILTIN, "ID", ()), ("urn:x", "string", ()),
        (XSD, "anySimpleType", ()), (XSD, "anyType", ()), (XSD, "dateTimeStamp", ()),
        (XSD, "dayTimeDuration", ()), (XSD, "String", ()),
        (DTD_COMPATIBILITY, "ID", (("pattern", "a"),)),
        (DTD_COMPATIBILITY, "IDREFS", (("length", "2"),)), (DTD_COMPATIBILITY, "NMTOKEN", ()),
        (DTD_COMPATIBILITY, "IDREF", (("minInclusive", "1"),)),
        ("http://www.w3.org/2001/XMLSchema", "string", ()), (XSD + "/", "string", ())]
    return specs


def test_datatypes_and_parameters_are_refused_exactly_where_jing_refuses_them(oracle):
    specs = _specs()
    wrong = []
    refused = 0
    for spec, jing_error in zip(specs, oracle.refusals(specs)):
        try:
            datatype(*spec)
            ours = None
        except DatatypeError as exc:
            ours = str(exc)
            assert "\n" not in ours
        refused += ours is not None
        if (ours is None) != (jing_error is None):
            wrong.append((spec, "jing: " + (jing_error or "accepted"), "ours: " + str(ours)))
    assert wrong == []
    assert 200 < refused < len(specs) - 200


def test_a_length_on_a_date_type_is_taken_but_then_allows_nothing(oracle):
    """Jing accepts length facets on the date, time and duration types, then fails with a
    ClassCastException on every value it would check: no document with one is valid."""
    specs = [(XSD, "date", (("length", "3"),)), (XSD, "duration", (("maxLength", "9"),)),
             (XSD, "time", (("minLength", "0"),))]
    assert oracle.refusals(specs) == [None, None, None]
    for spec, text in zip(specs, ["2000-01-01", "P1D", "00:00:00"]):
        dt = datatype(*spec)
        assert not dt.allows(text, {})
        assert "jing" in (dt.reason(text, {}) or "")
    with pytest.raises(DatatypeError):  # jing itself crashes reading this schema
        datatype(XSD, "date", [("maxLength", "3"), ("minInclusive", "2000-01-01")])


def test_entity_values_are_the_documents_unparsed_entities(oracle):
    schema = _grammar(['<element name="e"><attribute name="v">%s</attribute></element>'
                       % _data(XSD, "ENTITY", ()),
                       '<element name="es"><attribute name="v">%s</attribute></element>'
                       % _data(XSD, "ENTITIES", ())])
    values = [("e", "pic"), ("e", " pic "), ("e", "nope"), ("e", "txt"), ("es", " pic  pic "),
              ("es", "pic nope"), ("es", "")]
    doc = ('<!DOCTYPE r [<!NOTATION gif SYSTEM "gif"><!ENTITY pic SYSTEM "p.gif" NDATA gif>'
           '<!ENTITY txt "hello">]>\n<r>\n'
           + "\n".join('<%s v="%s"/>' % (n, _attr(v)) for n, v in values) + "\n</r>\n")
    _, paths, errors = oracle.run(schema, [doc])
    for k, (n, v) in enumerate(values):
        dt = datatype(XSD, "ENTITY" if n == "e" else "ENTITIES")
        assert dt.context_dependent
        assert dt.allows(v, {}, {"pic"}) == ((paths[0], k + 3) not in errors), v
        assert not dt.allows(v, {})  # no DTD: no unparsed entity


# --- The interface ---------------------------------------------------------------------------

def test_datatypes_are_cached_and_describe_themselves():
    a = datatype(XSD, "integer", [("minInclusive", "1")])
    assert datatype(XSD, "integer", (("minInclusive", "1"),)) is a
    assert a.describe() == "xsd:integer (minInclusive 1)"
    assert (a.name, a.library) == ("integer", XSD)
    assert datatype(BUILTIN, "token").describe() == "token"
    assert a.reason("0", {}) == "must be an integer greater than or equal to 1"
    assert a.reason("x", {}) == "must be an integer"
    assert a.reason(" 7 ", {}) is None


def test_context_dependence_and_id_types():
    for lib, name, dependent, id_type in [
            (XSD, "QName", True, ""), (XSD, "NOTATION", True, ""), (XSD, "ENTITY", True, ""),
            (XSD, "ENTITIES", True, ""), (XSD, "string", False, ""), (XSD, "ID", False, "ID"),
            (XSD, "IDREF", False, "IDREF"), (XSD, "IDREFS", False, "IDREFS"),
            (DTD_COMPATIBILITY, "ID", False, "ID"), (DTD_COMPATIBILITY, "IDREFS", False, "IDREFS"),
            (BUILTIN, "token", False, "")]:
        dt = datatype(lib, name)
        assert (dt.context_dependent, dt.id_type) == (dependent, id_type), name


def test_values_for_the_value_pattern():
    ctx: Ctx = {"a": "urn:a", "b": "urn:a", None: "urn:d"}
    assert datatype(XSD, "QName").value("a:x", ctx) == datatype(XSD, "QName").value("b:x", ctx)
    assert datatype(XSD, "QName").value("x", ctx) == ("urn:d", "x")
    assert datatype(XSD, "QName").value("xml:lang", {}) == (XML_NS, "lang")
    assert datatype(XSD, "QName").value("c:x", ctx) is None
    assert datatype(XSD, "decimal").value("1.0", {}) == datatype(XSD, "decimal").value("1", {})
    assert datatype(BUILTIN, "token").value("a  b", {}) == datatype(BUILTIN, "token").value(
        " a b", {})
    assert datatype(XSD, "boolean").value("1", {}) == datatype(XSD, "boolean").value("true", {})
    assert datatype(XSD, "boolean").value("0", {}) is False  # a value, not "not allowed"
    assert datatype(XSD, "double").value("NaN", {}) == datatype(XSD, "double").value("NaN", {})


def test_regular_expression_errors_say_where():
    with pytest.raises(DatatypeError, match=r'must be escaped .*\(at offset 1 of "\[-a\]"\)'):
        datatype(XSD, "string", [("pattern", "[-a]")])
    with pytest.raises(DatatypeError, match="unrecognized Unicode block name"):
        datatype(XSD, "string", [("pattern", r"\p{IsKlingon}")])


def test_an_expression_cut_to_ascii_judges_ascii_texts_as_the_whole_one():
    """A pattern facet or name type keeps its expression with the classes cut to ASCII
    (compiled in a fraction of the time), used for texts in ASCII: on every one of them it
    must say what the whole expression says."""
    from tei_toolkit.validation.relaxng import datatypes as module
    alphabet = [chr(c) for c in range(128)]
    texts = [""] + alphabet + [a + b for a in "a-0 _.:\t\\" for b in alphabet] + \
        ["ab:cd", "a1.b-c_d", "1abc", "-a", "p:q:r", "#x41", "x" * 9]
    pairs = [(module._Translator(p).translate(), module._Translator(p, ascii=True).translate())
             for p in _accepted_patterns(PATTERNS) + _accepted_patterns(_regex_fuzz())]
    pairs += [(rx.source, rx.ascii) for rx in (module._NCNAME_RE, module._NAME_RE,
                                               module._NMTOKEN_RE, module._QNAME_RE)]
    assert len(pairs) > 200
    for whole, ascii in pairs:
        assert ascii is not None
        wide, narrow = re.compile(whole).fullmatch, re.compile(ascii).fullmatch
        differ = [t for t in texts if (wide(t) is None) != (narrow(t) is None)]
        assert not differ, (whole[:80], differ[:5])
