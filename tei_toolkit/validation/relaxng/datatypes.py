"""The datatype libraries a RELAX NG validator needs, with jing's verdicts.

Three libraries: RELAX NG's built-in one (``""``: ``string`` and ``token``, no parameters), XML
Schema's (:data:`XSD`: every type and parameter jing takes) and the DTD compatibility one
(:data:`DTD_COMPATIBILITY`: ``ID``, ``IDREF``, ``IDREFS``). :func:`datatype` builds and caches a
:class:`Datatype`; :meth:`Datatype.value` gives the value a text denotes, or ``None``.

"jing's verdicts": Debian's jing 20220510 on Java 17 (so Unicode 13), where it departs from XML
Schema 1.0 too; each departure is described where it is implemented: names by the tables of XML
1.0's second edition, anyURI as java.net.URI parses it, dates on a non-lenient Java calendar,
durations equal field by field, the digit facets counting the digits written, the regular
expressions with jing's restrictions and the quirks of its translation to Java's. A length
facet on a date, time or duration type is taken, and then nothing is allowed (jing fails on
every such value). ``tests/test_rng_datatypes.py`` holds all of it to jing by running jing.

elementpath gives the Unicode 13 categories. Its regular-expression translation and its
datatypes decide differently from jing in too many places to build on (\\w, \\s, \\i,
\\c, what a class may hold; names, URIs, dates, duration and time equality), so the rest is
written here.
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Callable, Hashable, Mapping, Sequence, Set as AbstractSet
from decimal import Decimal
from fractions import Fraction

__all__ = ["BUILTIN", "DTD_COMPATIBILITY", "XSD", "Context", "Datatype", "DatatypeError",
           "datatype"]

#: In-scope namespaces: prefix (``None`` for the default namespace) -> URI, like lxml's nsmap.
Context = Mapping[str | None, str]

BUILTIN = ""
XSD = "http://www.w3.org/2001/XMLSchema-datatypes"
DTD_COMPATIBILITY = "http://relaxng.org/ns/compatibility/datatypes/1.0"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

_NO_ENTITIES: frozenset[str] = frozenset()


class DatatypeError(Exception):
    """The schema names a library, type or parameter it may not use, or a parameter value that
    is bad; str(exc) is the one-line reason (as jing would say it, roughly)."""


# --- Character tables ------------------------------------------------------------------------

_Ranges = list[tuple[int, int]]  # sorted, disjoint, not adjacent; both ends included
_MAX_CP = 0x10FFFF


_ESCAPE_LINES = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _line(text: str) -> str:
    """Schema text quoted in a one-line message."""
    return text.translate(_ESCAPE_LINES)


def _int(digits: str) -> int:
    """int() of a sign and decimal digits, however many (int() refuses over 4300)."""
    return int(digits) if len(digits) <= 4000 else int(Decimal(digits))


def _table(text: str) -> _Ranges:
    """_Ranges from hexadecimal ``X`` and ``X-Y`` words."""
    out: _Ranges = []
    for word in text.split():
        lo, _, hi = word.partition("-")
        out.append((int(lo, 16), int(hi or lo, 16)))
    return _normalize(out)


def _normalize(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _complement(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    start = 0
    for lo, hi in ranges:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= _MAX_CP:
        out.append((start, _MAX_CP))
    return out


def _union(*sets: _Ranges) -> _Ranges:
    merged: _Ranges = []
    for ranges in sets:
        merged.extend(ranges)
    return _normalize(merged)


def _intersect(a: _Ranges, b: _Ranges) -> _Ranges:
    return _complement(_union(_complement(a), _complement(b)))


def _chars(chars: str) -> _Ranges:
    return _normalize([(ord(c), ord(c)) for c in chars])


def _cp(c: int) -> str:
    """A code point as a Python regular-expression escape (valid in and out of a class)."""
    if c < 0x100:
        return "\\x%02x" % c
    if c < 0x10000:
        return "\\u%04x" % c
    return "\\U%08x" % c


def _class(ranges: _Ranges) -> str:
    """A Python regular expression matching one character of ``ranges``."""
    if not ranges:
        return "[^\\x00-\\U0010ffff]"
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return _cp(ranges[0][0])
    return "[" + "".join(_cp(lo) if lo == hi else _cp(lo) + "-" + _cp(hi)
                         for lo, hi in ranges) + "]"


# XML 1.0 (second edition) Appendix B, as jing's names (Name, NCName, NMTOKEN, QName, ID...)
# use it: BaseChar | Ideographic | '_' start a name; the rest adds CombiningChar, Digit,
# Extender, '.' and '-'. ':' is added where the type allows it.
_NAME_START = _table("""
    41-5A 5F 61-7A C0-D6 D8-F6 F8-131 134-13E 141-148 14A-17E 180-1C3 1CD-1F0 1F4-1F5
    1FA-217 250-2A8 2BB-2C1 386 388-38A 38C 38E-3A1 3A3-3CE 3D0-3D6 3DA 3DC 3DE 3E0 3E2-3F3
    401-40C 40E-44F 451-45C 45E-481 490-4C4 4C7-4C8 4CB-4CC 4D0-4EB 4EE-4F5 4F8-4F9 531-556
    559 561-586 5D0-5EA 5F0-5F2 621-63A 641-64A 671-6B7 6BA-6BE 6C0-6CE 6D0-6D3 6D5 6E5-6E6
    905-939 93D 958-961 985-98C 98F-990 993-9A8 9AA-9B0 9B2 9B6-9B9 9DC-9DD 9DF-9E1 9F0-9F1
    A05-A0A A0F-A10 A13-A28 A2A-A30 A32-A33 A35-A36 A38-A39 A59-A5C A5E A72-A74 A85-A8B A8D
    A8F-A91 A93-AA8 AAA-AB0 AB2-AB3 AB5-AB9 ABD AE0 B05-B0C B0F-B10 B13-B28 B2A-B30 B32-B33
    B36-B39 B3D B5C-B5D B5F-B61 B85-B8A B8E-B90 B92-B95 B99-B9A B9C B9E-B9F BA3-BA4 BA8-BAA
    BAE-BB5 BB7-BB9 C05-C0C C0E-C10 C12-C28 C2A-C33 C35-C39 C60-C61 C85-C8C C8E-C90 C92-CA8
    CAA-CB3 CB5-CB9 CDE CE0-CE1 D05-D0C D0E-D10 D12-D28 D2A-D39 D60-D61 E01-E2E E30 E32-E33
    E40-E45 E81-E82 E84 E87-E88 E8A E8D E94-E97 E99-E9F EA1-EA3 EA5 EA7 EAA-EAB EAD-EAE EB0
    EB2-EB3 EBD EC0-EC4 F40-F47 F49-F69 10A0-10C5 10D0-10F6 1100 1102-1103 1105-1107 1109
    110B-110C 110E-1112 113C 113E 1140 114C 114E 1150 1154-1155 1159 115F-1161 1163 1165
    1167 1169 116D-116E 1172-1173 1175 119E 11A8 11AB 11AE-11AF 11B7-11B8 11BA 11BC-11C2
    11EB 11F0 11F9 1E00-1E9B 1EA0-1EF9 1F00-1F15 1F18-1F1D 1F20-1F45 1F48-1F4D 1F50-1F57
    1F59 1F5B 1F5D 1F5F-1F7D 1F80-1FB4 1FB6-1FBC 1FBE 1FC2-1FC4 1FC6-1FCC 1FD0-1FD3
    1FD6-1FDB 1FE0-1FEC 1FF2-1FF4 1FF6-1FFC 2126 212A-212B 212E 2180-2182 3007 3021-3029
    3041-3094 30A1-30FA 3105-312C 4E00-9FA5 AC00-D7A3
""")
_NAME_CHAR = _union(_NAME_START, _table("""
    2D-2E 30-39 B7 2D0-2D1 300-345 360-361 387 483-486 591-5A1 5A3-5B9 5BB-5BD 5BF 5C1-5C2
    5C4 640 64B-652 660-669 670 6D6-6E4 6E7-6E8 6EA-6ED 6F0-6F9 901-903 93C 93E-94D 951-954
    962-963 966-96F 981-983 9BC 9BE-9C4 9C7-9C8 9CB-9CD 9D7 9E2-9E3 9E6-9EF A02 A3C A3E-A42
    A47-A48 A4B-A4D A66-A71 A81-A83 ABC ABE-AC5 AC7-AC9 ACB-ACD AE6-AEF B01-B03 B3C B3E-B43
    B47-B48 B4B-B4D B56-B57 B66-B6F B82-B83 BBE-BC2 BC6-BC8 BCA-BCD BD7 BE7-BEF C01-C03
    C3E-C44 C46-C48 C4A-C4D C55-C56 C66-C6F C82-C83 CBE-CC4 CC6-CC8 CCA-CCD CD5-CD6 CE6-CEF
    D02-D03 D3E-D43 D46-D48 D4A-D4D D57 D66-D6F E31 E34-E3A E46-E4E E50-E59 EB1 EB4-EB9
    EBB-EBC EC6 EC8-ECD ED0-ED9 F18-F19 F20-F29 F35 F37 F39 F3E-F3F F71-F84 F86-F8B F90-F95
    F97 F99-FAD FB1-FB7 FB9 20D0-20DC 20E1 3005 302A-302F 3031-3035 3099-309A 309D-309E
    30FC-30FE
"""))
# The regular expressions' \i and \c: jing derives them from Java's Unicode categories, which
# adds these letters (and, to \c, these marks) assigned after Unicode 2.0.
_I_CHARS = _union(_NAME_START, _chars(":"), _table(
    "560 588 5EF D04 E86 E89 E8C E8E-E93 E98 EA0 EA8-EA9 EAC 4DB6-4DBF"))
_C_CHARS = _union(_NAME_CHAR, _I_CHARS, _table("B55 C04 EBA"))

class _Regex:
    """A regular expression compiled when first used: Unicode's name classes take tens of
    milliseconds to compile, and a grammar read back from the cache (pickled) compiles only
    the pattern facets a document meets. ``fullmatch`` is the compiled pattern's own once
    compiled (no Python call in between: it runs for every attribute value). With ``ascii``,
    the same expression with its classes cut to ASCII (a fraction of the compiling time),
    which judges texts in ASCII alike: ``fullmatch`` then picks one by the text."""

    __slots__ = ("source", "ascii", "fullmatch", "_wide", "_narrow")

    def __init__(self, source: str, compiled: re.Pattern[str] | None = None,
                 ascii: str | None = None) -> None:
        self.source = source
        self.ascii = ascii
        self._wide: Callable[[str], re.Match[str] | None] | None = \
            compiled.fullmatch if compiled is not None else None
        self._narrow: Callable[[str], re.Match[str] | None] | None = None
        self.fullmatch: Callable[[str], re.Match[str] | None] = \
            self._by_text if ascii is not None else self._wide or self._first

    def _first(self, text: str) -> re.Match[str] | None:
        self.fullmatch = re.compile(self.source).fullmatch
        return self.fullmatch(text)

    def _by_text(self, text: str) -> re.Match[str] | None:
        if text.isascii():
            if self._narrow is None:
                self._narrow = re.compile(self.ascii or self.source).fullmatch
            return self._narrow(text)
        if self._wide is None:
            self._wide = re.compile(self.source).fullmatch
        return self._wide(text)

    def __reduce__(self) -> tuple[type["_Regex"], tuple[str, None, str | None]]:
        return _Regex, (self.source, None, self.ascii)


_ASCII: _Ranges = [(0, 0x7F)]


def _narrow(ranges: _Ranges) -> _Ranges:
    """The characters of ``ranges`` that are ASCII."""
    return _intersect(ranges, _ASCII)


_NCNAME = "%s%s*" % (_class(_NAME_START), _class(_NAME_CHAR))
_NCNAME_ASCII = "%s%s*" % (_class(_narrow(_NAME_START)), _class(_narrow(_NAME_CHAR)))
_NCNAME_RE = _Regex(_NCNAME, ascii=_NCNAME_ASCII)
_NAME_RE = _Regex("%s%s*" % (_class(_union(_NAME_START, _chars(":"))),
                             _class(_union(_NAME_CHAR, _chars(":")))),
                  ascii="%s%s*" % (_class(_narrow(_union(_NAME_START, _chars(":")))),
                                   _class(_narrow(_union(_NAME_CHAR, _chars(":"))))))
_NMTOKEN_RE = _Regex("%s+" % _class(_union(_NAME_CHAR, _chars(":"))),
                     ascii="%s+" % _class(_narrow(_union(_NAME_CHAR, _chars(":")))))
_QNAME_RE = _Regex("(%s)(?::(%s))?" % (_NCNAME, _NCNAME),
                   ascii="(%s)(?::(%s))?" % (_NCNAME_ASCII, _NCNAME_ASCII))

# XML Schema 1.0's block names (Unicode 3.1), as jing knows them: no surrogate blocks.
_BLOCKS_TEXT = """
    BasicLatin 0000-007F
    Latin-1Supplement 0080-00FF
    LatinExtended-A 0100-017F
    LatinExtended-B 0180-024F
    IPAExtensions 0250-02AF
    SpacingModifierLetters 02B0-02FF
    CombiningDiacriticalMarks 0300-036F
    Greek 0370-03FF
    Cyrillic 0400-04FF
    Armenian 0530-058F
    Hebrew 0590-05FF
    Arabic 0600-06FF
    Syriac 0700-074F
    Thaana 0780-07BF
    Devanagari 0900-097F
    Bengali 0980-09FF
    Gurmukhi 0A00-0A7F
    Gujarati 0A80-0AFF
    Oriya 0B00-0B7F
    Tamil 0B80-0BFF
    Telugu 0C00-0C7F
    Kannada 0C80-0CFF
    Malayalam 0D00-0D7F
    Sinhala 0D80-0DFF
    Thai 0E00-0E7F
    Lao 0E80-0EFF
    Tibetan 0F00-0FFF
    Myanmar 1000-109F
    Georgian 10A0-10FF
    HangulJamo 1100-11FF
    Ethiopic 1200-137F
    Cherokee 13A0-13FF
    UnifiedCanadianAboriginalSyllabics 1400-167F
    Ogham 1680-169F
    Runic 16A0-16FF
    Khmer 1780-17FF
    Mongolian 1800-18AF
    LatinExtendedAdditional 1E00-1EFF
    GreekExtended 1F00-1FFF
    GeneralPunctuation 2000-206F
    SuperscriptsandSubscripts 2070-209F
    CurrencySymbols 20A0-20CF
    CombiningMarksforSymbols 20D0-20FF
    LetterlikeSymbols 2100-214F
    NumberForms 2150-218F
    Arrows 2190-21FF
    MathematicalOperators 2200-22FF
    MiscellaneousTechnical 2300-23FF
    ControlPictures 2400-243F
    OpticalCharacterRecognition 2440-245F
    EnclosedAlphanumerics 2460-24FF
    BoxDrawing 2500-257F
    BlockElements 2580-259F
    GeometricShapes 25A0-25FF
    MiscellaneousSymbols 2600-26FF
    Dingbats 2700-27BF
    BraillePatterns 2800-28FF
    CJKRadicalsSupplement 2E80-2EFF
    KangxiRadicals 2F00-2FDF
    IdeographicDescriptionCharacters 2FF0-2FFF
    CJKSymbolsandPunctuation 3000-303F
    Hiragana 3040-309F
    Katakana 30A0-30FF
    Bopomofo 3100-312F
    HangulCompatibilityJamo 3130-318F
    Kanbun 3190-319F
    BopomofoExtended 31A0-31BF
    EnclosedCJKLettersandMonths 3200-32FF
    CJKCompatibility 3300-33FF
    CJKUnifiedIdeographsExtensionA 3400-4DBF
    CJKUnifiedIdeographs 4E00-9FFF
    YiSyllables A000-A48F
    YiRadicals A490-A4CF
    HangulSyllables AC00-D7AF
    PrivateUse E000-F8FF F0000-FFFFD 100000-10FFFD
    CJKCompatibilityIdeographs F900-FAFF
    AlphabeticPresentationForms FB00-FB4F
    ArabicPresentationForms-A FB50-FDFF
    CombiningHalfMarks FE20-FE2F
    CJKCompatibilityForms FE30-FE4F
    SmallFormVariants FE50-FE6F
    ArabicPresentationForms-B FE70-FEFF
    HalfwidthandFullwidthForms FF00-FFEF
    Specials FFF0-FFFF
    OldItalic 10300-1032F
    Gothic 10330-1034F
    Deseret 10400-1044F
    ByzantineMusicalSymbols 1D000-1D0FF
    MusicalSymbols 1D100-1D1FF
    MathematicalAlphanumericSymbols 1D400-1D7FF
    CJKUnifiedIdeographsExtensionB 20000-2A6D6
    CJKCompatibilityIdeographsSupplement 2F800-2FA1F
    Tags E0000-E007F
"""
_BLOCKS: dict[str, str] = dict(line.strip().partition(" ")[::2]
                                for line in _BLOCKS_TEXT.strip().splitlines())

_CATEGORY_NAMES = frozenset(
    "L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po "
    "Z Zs Zl Zp S Sm Sc Sk So C Cc Cf Co Cn".split())
# Pi and Pf as jing lists them (Unicode 3.1); later quotation marks are in P only.
_PI = _chars("\u00ab\u2018\u201b\u201c\u201f\u2039")
_PF = _chars("\u00bb\u2019\u201d\u203a")
_UNICODE_CATEGORIES: dict[str, _Ranges] = {}


def _unicode_category(name: str) -> _Ranges:
    """A general category of Unicode 13 (Java 17's, so jing's), from elementpath's tables."""
    ranges = _UNICODE_CATEGORIES.get(name)
    if ranges is None:
        from elementpath.regex import UnicodeData  # only patterns with \p, \w or \d need it
        try:
            data = UnicodeData("13.0.0")
        except ValueError:  # an elementpath without Unicode 13: its own version is close
            data = UnicodeData()
        ranges = []
        for cp in data.category(name).codepoints:
            if isinstance(cp, tuple):
                ranges.append((cp[0], cp[1] - 1))
            else:
                ranges.append((cp, cp))
        ranges = _normalize(ranges)
        _UNICODE_CATEGORIES[name] = ranges
    return ranges


class _CharClass:
    """A character class as jing's translator builds it for Java: the characters it matches,
    those its complement matches (``neg``), and whether it is "simple" (a character, a range,
    a Java property). Jing writes a complemented union of simple and other members as
    ``[^simple&&other-complements]``, which Java reads as not (simple and not others): the
    other members end up matched. So ``neg`` is not always the complement of ``pos``."""

    def __init__(self, pos: _Ranges, neg: _Ranges, simple: bool) -> None:
        self.pos = pos
        self.neg = neg
        self.simple = simple


def _simple(ranges: _Ranges) -> _CharClass:
    return _CharClass(ranges, _complement(ranges), True)


def _exact(ranges: _Ranges) -> _CharClass:
    """A class that is not simple but whose complement is right."""
    return _CharClass(ranges, _complement(ranges), False)


def _union_class(members: list[_CharClass]) -> _CharClass:
    if len(members) == 1:
        return members[0]
    pos = _union(*[m.pos for m in members])
    simple = _union(*[m.pos for m in members if m.simple])
    others = [m.neg for m in members if not m.simple]
    if not others:
        neg = _complement(simple)
    elif len(others) == len(members):
        neg = others[0]
        for other in others[1:]:
            neg = _intersect(neg, other)
    else:  # jing's [^simple&&...]: not (simple and every other complement)
        meet = simple
        for other in others:
            meet = _intersect(meet, other)
        neg = _complement(meet)
    return _CharClass(pos, neg, False)


def _complement_class(c: _CharClass) -> _CharClass:
    return _CharClass(c.neg, c.pos, False)


def _subtraction_class(c: _CharClass, minus: _CharClass) -> _CharClass:
    return _CharClass(_intersect(c.pos, minus.neg), _union(c.neg, minus.pos), False)


_CATEGORY_CLASSES: dict[str, _CharClass] = {}


def _category(name: str) -> _CharClass:
    """\\p{name} as jing builds it."""
    found = _CATEGORY_CLASSES.get(name)
    if found is not None:
        return found
    if name == "Pi":
        c = _exact(_PI)
    elif name == "Pf":
        c = _exact(_PF)
    elif name == "P":  # Java's P with a union of jing's Pi and Pf: a mixed union
        c = _union_class([_simple(_unicode_category("P")), _exact(_union(_PI, _PF))])
    elif name == "C":  # Java's C with Cn less two letters: a mixed union
        cn = _unicode_category("Cn")
        c = _union_class([_simple(_unicode_category("C")), _exact(cn)])
    elif name in ("L", "Lu", "Ll", "Nl", "No", "Cn"):  # unions of simple classes
        c = _exact(_unicode_category(name))
    else:
        c = _simple(_unicode_category(name))
    _CATEGORY_CLASSES[name] = c
    return c


def _multi_escape(c: str) -> _CharClass:
    """The class of a multi-character escape (\\s \\i \\c \\d \\w and their complements)."""
    lower = c.lower()
    if lower == "s":
        found = _exact(_chars(" \t\n\r"))
    elif lower == "i":
        found = _exact(_I_CHARS)
    elif lower == "c":
        found = _exact(_C_CHARS)
    elif lower == "d":
        found = _simple(_unicode_category("Nd"))
    else:
        found = _complement_class(_exact(_union(_unicode_category("P"), _unicode_category("Z"),
                                                 _unicode_category("C"))))
    return _complement_class(found) if c.isupper() else found


# --- Regular expressions ---------------------------------------------------------------------

_SINGLE_ESCAPES = {"n": 10, "r": 13, "t": 9, "\\": 92, "|": 124, ".": 46, "?": 63, "*": 42,
                   "+": 43, "(": 40, ")": 41, "{": 123, "}": 125, "-": 45, "[": 91, "]": 93,
                   "^": 94}
_DOT = _chars("\n\r")  # complemented where used
_REPEAT_LIMIT = 2**31 - 1  # a count beyond this (jing allows any) is as good as infinite
_PATTERNS: dict[str, re.Pattern[str]] = {}


class _Translator:
    """An XML Schema regular expression to a Python one, refusing what jing refuses.

    Jing is stricter than XML Schema 1.0 in a character class: an unescaped ``-`` is allowed
    only in a range or before a subtracted class, and ``\\$`` is no escape."""

    def __init__(self, pattern: str, ascii: bool = False) -> None:
        self.pattern = pattern
        self.pos = 0
        self.end = len(pattern)
        self.ascii = ascii  # its classes cut to ASCII: for texts in ASCII only

    def fail(self, message: str) -> DatatypeError:
        return DatatypeError('invalid parameter: invalid regular expression: %s (at offset %d '
                             'of "%s")' % (message, self.pos, _line(self.pattern)))

    def peek(self, ahead: int = 0) -> str:
        at = self.pos + ahead
        return self.pattern[at] if at < self.end else ""

    def translate(self) -> str:
        body = self.regexp()
        if self.pos < self.end:  # a ')' without '('
            raise self.fail("character is not allowed in this context")
        return body

    def regexp(self) -> str:
        branches = [self.branch()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.branch())
        return "|".join(branches)

    def branch(self) -> str:
        pieces: list[str] = []
        while self.pos < self.end and self.pattern[self.pos] not in "|)":
            atom = self.atom()
            c = self.peek()
            if c and c in "?*+":
                self.pos += 1
                atom += c
            elif c == "{":
                atom += self.quantity()
            pieces.append(atom)
        return "".join(pieces)

    def number(self) -> int:
        start = self.pos
        while self.pos < self.end and "0" <= self.pattern[self.pos] <= "9":
            self.pos += 1
        if self.pos == start:
            raise self.fail("expected a digit")
        return _int(self.pattern[start:self.pos])

    def quantity(self) -> str:
        self.pos += 1  # '{'
        low = self.number()
        high: int | None = low
        if self.peek() == ",":
            self.pos += 1
            high = None if self.peek() == "}" else self.number()
        if high is not None and low > high:
            raise self.fail("lower bound of quantifier must not be greater than upper bound")
        if self.peek() != "}":
            raise self.fail("expected a digit")
        self.pos += 1
        low = min(low, _REPEAT_LIMIT)
        if high is None or high > _REPEAT_LIMIT:
            return "{%d,}" % low
        return "{%d}" % low if high == low else "{%d,%d}" % (low, high)

    def atom(self) -> str:
        c = self.pattern[self.pos]
        if c == "(":
            self.pos += 1
            inner = self.regexp()
            if self.peek() != ")":
                raise self.fail('expected ")"')
            self.pos += 1
            return "(?:" + inner + ")"
        if c == "[":
            return self.one_of(self.class_expression().pos)
        if c == ".":
            self.pos += 1
            return self.one_of(_complement(_DOT))
        if c == "\\":
            return self.one_of(self.escape()[0].pos)
        if c in "?*+{}]":
            raise self.fail("character is not allowed in this context")
        self.pos += 1
        return _cp(ord(c))

    def one_of(self, ranges: _Ranges) -> str:
        return _class(_narrow(ranges) if self.ascii else ranges)

    def escape(self) -> tuple[_CharClass, int]:
        """A backslash escape: its class, and its code point when it is a single character."""
        self.pos += 1
        c = self.peek()
        if c in _SINGLE_ESCAPES:
            self.pos += 1
            cp = _SINGLE_ESCAPES[c]
            return _simple([(cp, cp)]), cp
        if c and c in "sSiIcCdDwW":
            self.pos += 1
            return _multi_escape(c), -1
        if c and c in "pP":
            self.pos += 1
            found = self.property()
            return (found if c == "p" else _complement_class(found)), -1
        raise self.fail("illegal escape")

    def property(self) -> _CharClass:
        if self.peek() != "{":
            raise self.fail('expected "{"')
        self.pos += 1
        start = self.pos
        while self.pos < self.end and (self.pattern[self.pos].isascii()
                                       and self.pattern[self.pos].isalnum()
                                       or self.pattern[self.pos] == "-"):
            self.pos += 1
        name = self.pattern[start:self.pos]
        if self.peek() != "}":
            raise self.fail('expected "}"')
        self.pos += 1
        if not name:
            raise self.fail("property name must not be empty")
        if name.startswith("Is") and len(name) > 2:
            block = _BLOCKS.get(name[2:])
            if block is None:
                raise self.fail('unrecognized Unicode block name "%s"' % name[2:])
            ranges = _table(block)
            return _simple(ranges) if len(ranges) == 1 else _exact(ranges)
        if name in _CATEGORY_NAMES:
            return _category(name)
        if len(name) <= 2:
            raise self.fail('unrecognized Unicode category "%s"' % name)
        raise self.fail('bad property name "%s"' % name)

    def must_escape(self, c: str) -> DatatypeError:
        return self.fail('character "%s" must be escaped with "\\" in this context' % c)

    def class_char(self) -> tuple[_CharClass, int]:
        if self.pattern[self.pos] == "\\":
            return self.escape()
        cp = ord(self.pattern[self.pos])
        self.pos += 1
        return _simple([(cp, cp)]), cp

    def class_expression(self) -> _CharClass:
        self.pos += 1  # '['
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        items: list[_CharClass] = []
        first = True
        subtracted: _CharClass | None = None
        while True:
            c = self.peek()
            if not c:
                raise self.fail('expected "]"')
            if c == "]":
                if first:
                    raise self.must_escape(c)
                self.pos += 1
                break
            if c == "[":
                raise self.must_escape(c)
            if c == "-":
                if first:
                    raise self.must_escape(c)
                if self.peek(1) != "[":  # after a range: a single character took it as one
                    self.pos += 1
                    raise self.fail('expected "["')
                self.pos += 1
                subtracted = self.class_expression()
                if self.peek() != "]":
                    raise self.fail('expected "]"')
                self.pos += 1
                break
            item, low = self.class_char()
            first = False
            if self.peek() == "-" and self.peek(1) != "[":
                self.pos += 1
                c = self.peek()
                if not c:
                    raise self.fail('expected "]"')
                if c in "[]-":
                    raise self.must_escape(c)
                high = self.class_char()[1]
                if low < 0 or high < 0:
                    raise self.fail("bounds of range must be single characters")
                if low > high:
                    raise self.fail("lower bound of range must not have Unicode code point "
                                    "greater than upper bound")
                items.append(_simple([(low, high)]))
            else:
                items.append(item)
        group = _union_class(items)
        if negated:
            group = _complement_class(group)
        if subtracted is not None:
            group = _subtraction_class(group, subtracted)
        return group


def _compile_pattern(pattern: str) -> re.Pattern[str]:
    """The compiled translation of an XML Schema regular expression (to ``fullmatch``)."""
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        try:
            compiled = re.compile(_Translator(pattern).translate())
        except (re.error, OverflowError, RecursionError) as exc:
            raise DatatypeError('invalid parameter: cannot translate the regular expression '
                                '"%s": %s' % (_line(pattern), exc)) from None
        _PATTERNS[pattern] = compiled
    return compiled


# --- anyURI ----------------------------------------------------------------------------------
# jing's anyURI: percent-encode the characters no URI may hold (controls, space, "<>\^`{|},
# DEL, non-ASCII separators), then ask java.net.URI (RFC 2396 with RFC 2732's IPv6 literals)
# to parse the result. What follows walks the same grammar, with the same leniencies.

_ALPHA = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGIT = frozenset("0123456789")
_ALPHANUM = _ALPHA | _DIGIT
_HEX = _DIGIT | frozenset("ABCDEFabcdef")
_UNRESERVED = _ALPHANUM | frozenset("-_.!~*'()")
_URIC = _UNRESERVED | frozenset(";/?:@&=+$,[]")
_PATH = _UNRESERVED | frozenset(":@&=+$,;/")
_USERINFO = _UNRESERVED | frozenset(";:&=+$,")
_REG_NAME = _UNRESERVED | frozenset("$,;:@&=+")
_SERVER = _USERINFO | frozenset("-.:@[]")
_SERVER_PERCENT = _SERVER | frozenset("%")
_SCHEME = _ALPHANUM | frozenset("+-.")
_SCOPE_ID = _ALPHANUM | frozenset("_.")
_DIGIT_DOT = _DIGIT | frozenset(".")
_ALPHANUM_DASH = _ALPHANUM | frozenset("-")
# Character.isSpaceChar beyond ASCII (Unicode 13: Zs, Zl, Zp).
_SEPARATORS = frozenset("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                        "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_URI_FORBIDDEN = frozenset(' "<>\\^`{|}\x7f')


class _UriError(Exception):
    pass


def _uri_encode(s: str) -> str:
    if s.isascii() and s.isprintable() and not any(c in _URI_FORBIDDEN for c in s):
        return s
    out: list[str] = []
    for c in s:
        o = ord(c)
        if o < 0x20 or c in _URI_FORBIDDEN or 0x80 <= o <= 0x9F or c in _SEPARATORS:
            out.append("".join("%%%02X" % b for b in c.encode("utf-8")))
        else:
            out.append(c)
    return "".join(out)


class _UriParser:
    """java.net.URI's parser (JDK 17), reduced to accepting or refusing."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.n = len(s)
        self.ipv6_bytes = 0

    def at(self, p: int, end: int, c: str) -> bool:
        return p < end and self.s[p] == c

    def at2(self, p: int, end: int, t: str) -> bool:
        return p + len(t) <= end and self.s.startswith(t, p)

    def scan_to(self, start: int, end: int, err: str, stop: str) -> int:
        """The index of the first ``stop`` character (or ``end``); -1 at an ``err`` one."""
        p = start
        while p < end:
            c = self.s[p]
            if c in err:
                return -1
            if c in stop:
                break
            p += 1
        return p

    def scan(self, start: int, end: int, allowed: frozenset[str], escapes: bool) -> int:
        p = start
        while p < end:
            c = self.s[p]
            if c in allowed:
                p += 1
            elif escapes and c == "%":
                if p + 3 <= end and self.s[p + 1] in _HEX and self.s[p + 2] in _HEX:
                    p += 3
                else:
                    raise _UriError()
            elif escapes and ord(c) > 128:  # visible non-ASCII: the rest were encoded
                p += 1
            else:
                break
        return p

    def check(self, start: int, end: int, allowed: frozenset[str], escapes: bool) -> None:
        if self.scan(start, end, allowed, escapes) < end:
            raise _UriError()

    def parse(self) -> None:
        n = self.n
        p = self.scan_to(0, n, "/?#", ":")
        if p >= 0 and self.at(p, n, ":"):
            if p == 0:
                raise _UriError()
            self.check(0, 1, _ALPHA, False)
            self.check(1, p, _SCHEME, False)
            p += 1
            if self.at(p, n, "/"):
                p = self.hierarchical(p, n)
            else:
                q = self.scan_to(p, n, "", "#")
                if q <= p:
                    raise _UriError()
                self.check(p, q, _URIC, True)
                p = q
        else:
            p = self.hierarchical(0, n)
        if self.at(p, n, "#"):
            self.check(p + 1, n, _URIC, True)
            p = n
        if p < n:
            raise _UriError()

    def hierarchical(self, start: int, n: int) -> int:
        p = start
        if self.at(p, n, "/") and self.at(p + 1, n, "/"):
            p += 2
            q = self.scan_to(p, n, "", "/?#")
            if q > p:
                p = self.authority(p, q)
            elif q >= n:
                raise _UriError()
        q = self.scan_to(p, n, "", "?#")
        self.check(p, q, _PATH, True)
        p = q
        if self.at(p, n, "?"):
            p += 1
            q = self.scan_to(p, n, "", "#")
            self.check(p, q, _URIC, True)
            p = q
        return p

    def authority(self, start: int, n: int) -> int:
        p = start
        if self.scan_to(p, n, "", "]") > p:
            server_chars = self.scan(p, n, _SERVER_PERCENT, True) == n
        else:
            server_chars = self.scan(p, n, _SERVER, True) == n
        reg_chars = self.scan(p, n, _REG_NAME, True) == n
        if reg_chars and not server_chars:
            return n
        q = p
        if server_chars:
            try:
                q = self.server(p, n)
            except _UriError:  # perhaps a registry-based authority
                q = p
        if q < n and not reg_chars:
            raise _UriError()
        return n

    def server(self, start: int, n: int) -> int:
        p = start
        q = self.scan_to(p, n, "/?#", "@")
        if q >= p and self.at(q, n, "@"):
            self.check(p, q, _USERINFO, True)
            p = q + 1
        if self.at(p, n, "["):
            p += 1
            q = self.scan_to(p, n, "/?#", "]")
            if not (q > p and self.at(q, n, "]")):
                raise _UriError()
            r = self.scan_to(p, q, "", "%")
            if r > p:
                self.ipv6(p, r)
                if r + 1 == q:
                    raise _UriError()
                self.check(r + 1, q, _SCOPE_ID, False)
            else:
                self.ipv6(p, q)
            p = q + 1
        else:
            q = self.ipv4(p, n)
            if q <= p:
                q = self.hostname(p, n)
            p = q
        if self.at(p, n, ":"):
            p += 1
            q = self.scan_to(p, n, "", "/")
            if q > p:
                self.check(p, q, _DIGIT, False)
                if _int(self.s[p:q]) > 2147483647:
                    raise _UriError()
                p = q
        if p < n:
            raise _UriError()
        return p

    def scan_byte(self, start: int, n: int) -> int:
        q = self.scan(start, n, _DIGIT, False)
        if q <= start:
            return q
        value = _int(self.s[start:q])
        if value > 2147483647:
            raise _UriError()  # Java's NumberFormatException
        return start if value > 255 else q

    def scan_ipv4(self, start: int, n: int, strict: bool) -> int:
        p = start
        m = self.scan(p, n, _DIGIT_DOT, False)
        if m <= p or (strict and m != n):
            return -1
        for k in range(4):
            if k:
                q = p + 1 if self.at(p, m, ".") else p
                if q <= p:
                    raise _UriError()
                p = q
            q = self.scan_byte(p, m)
            if q <= p:
                raise _UriError()
            p = q
        if p < m:
            raise _UriError()
        return p

    def take_ipv4(self, start: int, n: int) -> int:
        p = self.scan_ipv4(start, n, True)
        if p <= start:
            raise _UriError()
        return p

    def ipv4(self, start: int, n: int) -> int:
        try:
            p = self.scan_ipv4(start, n, False)
        except _UriError:
            return -1
        if start < p < n and self.s[p] != ":":
            p = -1
        return p

    def hostname(self, start: int, n: int) -> int:
        p = start
        last = -1
        while True:
            q = self.scan(p, n, _ALPHANUM, False)
            if q <= p:
                break
            last = p
            p = q
            q = self.scan(p, n, _ALPHANUM_DASH, False)
            if q > p:
                if self.s[q - 1] == "-":
                    raise _UriError()
                p = q
            q = p + 1 if self.at(p, n, ".") else p
            if q <= p:
                break
            p = q
            if p >= n:
                break
        if p < n and not self.at(p, n, ":"):
            raise _UriError()
        if last < 0:
            raise _UriError()
        if last > start and self.s[last] not in _ALPHA:
            raise _UriError()
        return p

    def ipv6(self, start: int, n: int) -> int:
        p = start
        compressed = False
        q = self.hex_seq(p, n)
        if q > p:
            p = q
            if self.at2(p, n, "::"):
                compressed = True
                p = self.hex_post(p + 2, n)
            elif self.at(p, n, ":"):
                p = self.take_ipv4(p + 1, n)
                self.ipv6_bytes += 4
        elif self.at2(p, n, "::"):
            compressed = True
            p = self.hex_post(p + 2, n)
        if p < n or self.ipv6_bytes > 16:
            raise _UriError()
        if (self.ipv6_bytes == 16) == compressed:
            raise _UriError()
        return p

    def hex_post(self, start: int, n: int) -> int:
        p = start
        if p == n:
            return p
        q = self.hex_seq(p, n)
        if q > p:
            p = q
            if self.at(p, n, ":"):
                p = self.take_ipv4(p + 1, n)
                self.ipv6_bytes += 4
        else:
            p = self.take_ipv4(p, n)
            self.ipv6_bytes += 4
        return p

    def hex_seq(self, start: int, n: int) -> int:
        p = start
        q = self.scan(p, n, _HEX, False)
        if q <= p or self.at(q, n, "."):
            return -1
        if q > p + 4:
            raise _UriError()
        self.ipv6_bytes += 2
        p = q
        while p < n:
            if not self.at(p, n, ":") or self.at(p + 1, n, ":"):
                break
            p += 1
            q = self.scan(p, n, _HEX, False)
            if q <= p:
                raise _UriError()
            if self.at(q, n, "."):
                p -= 1
                break
            if q > p + 4:
                raise _UriError()
            self.ipv6_bytes += 2
            p = q
        return p


# A sufficient condition, for speed: the common shapes (a relative reference; scheme://host
# with a path; scheme:opaque) in characters that need neither encoding nor escape checks.
_U = "A-Za-z0-9\\-_.!~*'()"
_URI_FAST = re.compile(
    "(?:[A-Za-z][A-Za-z0-9+.\\-]*:(?://[{u}$,;:@&=+]+(?:/[{u}:@&=+$,;/]*)?(?:\\?[{u};/?:@&=+$,]*)?"
    "|/(?!/)[{u}:@&=+$,;/]*(?:\\?[{u};/?:@&=+$,]*)?|[{u};?:@&=+$,][{u};/?:@&=+$,]*)"
    "|(?!//)[{u}@&=+$,;]*(?:/[{u}:@&=+$,;/]*)?(?:\\?[{u};/?:@&=+$,]*)?)"
    "(?:#[{u};/?:@&=+$,]*)?".format(u=_U))


def _is_uri(s: str) -> bool:
    if _URI_FAST.fullmatch(s) is not None:
        return True
    try:
        _UriParser(_uri_encode(s)).parse()
    except _UriError:
        return False
    return True


# --- The primitives: lexical space, value space, length and order -----------------------------

_PRESERVE, _REPLACE, _COLLAPSE = 0, 1, 2
_TO_SPACE = str.maketrans("\t\n\r", "   ")


def _collapse(s: str) -> str:
    if "\t" in s or "\n" in s or "\r" in s:
        s = s.translate(_TO_SPACE)
    if "  " in s:
        return " ".join([t for t in s.split(" ") if t])
    return s.strip(" ")


class _Kind:
    """A primitive type: how it treats white space, what it means, how long and in what order.

    ``parse`` gets the text after white-space handling and gives the value or ``None``."""

    def __init__(self, lexical: str, ws: int = _COLLAPSE, has_length: bool = False,
                 ordered: bool = False, decimal: bool = False) -> None:
        self.lexical = lexical  # for messages: "must be " + lexical
        self.ws = ws
        self.has_length = has_length
        self.ordered = ordered
        self.decimal = decimal
        self.context_dependent = False
        self.id_type = ""
        # jing accepts length facets here, then fails (ClassCastException) on every value.
        self.length_breaks = False

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        return s

    def length(self, s: str, value: Hashable) -> int:
        return len(s)

    def less(self, a: Hashable, b: Hashable) -> bool:
        return False


class _StringKind(_Kind):
    """string, normalizedString, token and the like: the text is the value."""

    def __init__(self, ws: int) -> None:
        super().__init__("a string", ws, has_length=True)


class _RegexKind(_Kind):
    """A token type given by a regular expression (names, NMTOKEN, language, ID, IDREF)."""

    def __init__(self, lexical: str, regex: "_Regex", id_type: str = "") -> None:
        super().__init__(lexical, _COLLAPSE, has_length=True)
        self.regex = regex
        self.id_type = id_type

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        return s if self.regex.fullmatch(s) is not None else None


class _EntityKind(_Kind):
    """ENTITY: an NCName the document's DTD declares as an unparsed entity."""

    def __init__(self) -> None:
        super().__init__("a name declared in the DTD as an unparsed entity", _COLLAPSE,
                         has_length=True)
        self.context_dependent = True

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        return s if s in entities and _NCNAME_RE.fullmatch(s) is not None else None


class _ListKind(_Kind):
    """NMTOKENS, IDREFS, ENTITIES: one or more items; the length is their number."""

    def __init__(self, lexical: str, item: _Kind, id_type: str = "") -> None:
        super().__init__(lexical, _COLLAPSE, has_length=True)
        self.item = item
        self.id_type = id_type
        self.context_dependent = item.context_dependent

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        if not s:
            return None
        values = []
        for token in s.split(" "):
            value = self.item.parse(token, context, entities)
            if value is None:
                return None
            values.append(value)
        return tuple(values)

    def length(self, s: str, value: Hashable) -> int:
        assert isinstance(value, tuple)
        return len(value)


class _QNameKind(_Kind):
    """QName and NOTATION: (namespace URI, local name); an unprefixed name takes the default
    namespace, and the prefix must be declared (xml always is)."""

    def __init__(self) -> None:
        super().__init__("an XML QName")
        self.context_dependent = True

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        m = _QNAME_RE.fullmatch(s)
        if m is None:
            return None
        local = m.group(2)
        if local is None:
            return (context.get(None, ""), s)
        prefix = m.group(1)
        uri = XML_NAMESPACE if prefix == "xml" else context.get(prefix)
        if uri is None:
            return None
        return (uri, local)


class _AnyUriKind(_Kind):
    def __init__(self) -> None:
        super().__init__("a URI", _COLLAPSE, has_length=True)

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        return s if _is_uri(s) else None


_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


class _BooleanKind(_Kind):
    def __init__(self) -> None:
        super().__init__("a boolean")

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        return _BOOLEANS.get(s)


_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")


class _DecimalKind(_Kind):
    """decimal: a Decimal (so that 1.0 == 1)."""

    def __init__(self) -> None:
        super().__init__("a decimal number", ordered=True, decimal=True)

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        return Decimal(s) if _DECIMAL_RE.fullmatch(s) is not None else None

    def less(self, a: Hashable, b: Hashable) -> bool:
        assert isinstance(a, Decimal) and isinstance(b, Decimal)
        return a < b


class _IntegerKind(_Kind):
    """integer and the types derived from it: an int within the type's bounds."""

    def __init__(self, low: int | None, high: int | None) -> None:
        super().__init__("an integer", ordered=True, decimal=True)
        self.low = low
        self.high = high

    def out_of_range(self, s: str) -> str | None:
        """For a message: the bound an integer ``s`` breaks, if it is one."""
        if _INTEGER_RE.fullmatch(s) is None:
            return None
        n = _int(s)
        if self.low is not None and n < self.low:
            return "greater than or equal to %d" % self.low
        if self.high is not None and n > self.high:
            return "less than or equal to %d" % self.high
        return None

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        if _INTEGER_RE.fullmatch(s) is None:
            return None
        n = _int(s)
        if (self.low is not None and n < self.low) or (self.high is not None and n > self.high):
            return None
        return n

    def less(self, a: Hashable, b: Hashable) -> bool:
        assert isinstance(a, int) and isinstance(b, int)
        return a < b


_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|-?INF|NaN")
_INF = float("inf")
_F32_MAX = 3.4028234663852886e38
_F32_OVERFLOW = 3.4028235677973366e38  # halfway between the largest float and 2**128
# NaN is a value equal to itself (jing's sameValue), unlike Python's float NaN.
_NAN = "NaN"


def _float32(text: str, d: float) -> float:
    """The float (IEEE single) nearest to the decimal ``text``, whose nearest double is ``d``,
    rounding once, as Java's Float.parseFloat does (rounding d again could round twice)."""
    a = abs(d)
    if a == _INF:
        return d
    if a >= _F32_OVERFLOW:
        if a == _F32_OVERFLOW and abs(Fraction(Decimal(text))) < Fraction(_F32_OVERFLOW):
            return _F32_MAX if d > 0 else -_F32_MAX
        return _INF if d > 0 else -_INF
    f: float = struct.unpack("<f", struct.pack("<f", d))[0]
    if f != d:
        bits: int = struct.unpack("<I", struct.pack("<f", abs(f)))[0]
        bits = bits + 1 if a > abs(f) else bits - 1  # the neighbour on the side of d
        other: float = struct.unpack("<f", struct.pack("<I", bits))[0]
        if d < 0:
            other = -other
        if d == (f + other) / 2:  # a tie for the double: the decimal itself decides
            exact = abs(Fraction(Decimal(text)))
            if exact != Fraction(a):
                return other if (exact > Fraction(a)) == (abs(other) > abs(f)) else f
    return f


class _FloatKind(_Kind):
    """float and double: INF, -INF, NaN or a decimal with an optional exponent, rounded to the
    type's precision (out of range: infinite). NaN equals NaN and 0 equals -0, as in jing."""

    def __init__(self, single: bool) -> None:
        super().__init__("a floating-point number", ordered=True)
        self.single = single

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        if _FLOAT_RE.fullmatch(s) is None:
            return None
        if s == "NaN":
            return _NAN
        d = float(s)
        return _float32(s, d) if self.single else d

    def less(self, a: Hashable, b: Hashable) -> bool:
        return isinstance(a, float) and isinstance(b, float) and a < b


_TZ = r"(?P<tz>Z|[+-][0-9]{2}:[0-5][0-9])?"
_YEAR = r"(?P<y>-?(?:[1-9][0-9]*)?[0-9]{4})"
_MONTH = r"(?P<mo>[0-9]{2})"
_DAY = r"(?P<d>[0-9]{2})"
_TIME = r"(?P<h>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]*))?"
_DATE_TIMES = {
    "dateTime": (_YEAR + "-" + _MONTH + "-" + _DAY + "T" + _TIME, "an ISO date and time"),
    "time": (_TIME, "an ISO time"),
    "date": (_YEAR + "-" + _MONTH + "-" + _DAY, "an ISO date"),
    "gYearMonth": (_YEAR + "-" + _MONTH, "an ISO year and month"),
    "gYear": (_YEAR, "a year"),
    "gMonthDay": ("--" + _MONTH + "-" + _DAY, "an ISO month and day (of the form --MM-DD)"),
    "gDay": ("---" + _DAY, "an ISO day of the month (of the form ---DD)"),
    "gMonth": ("--" + _MONTH, "an ISO month (of the form --MM)"),
}
_MS_PER_DAY = 86400000
_TZ_SPAN = 14 * 3600000  # how far a time without time zone may be from the same time in UTC
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_epoch(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a date of the proleptic Gregorian calendar (astronomical year)."""
    if month <= 2:
        year -= 1
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


class _DateTimeKind(_Kind):
    """dateTime, time, date and the g* types, as jing has them: the value is (milliseconds
    from the epoch in UTC, leap-second milliseconds, has a time zone); a type without a year,
    month or day takes 2000-01-01's. Like jing (a non-lenient java.util.GregorianCalendar): no
    year 0, -0001 is 1 BC (a leap year), proleptic Gregorian calendar, no 24:00:00, any second
    may be 60, digits of a second beyond the third are dropped, a time zone within -13:00 and
    +14:00, and the instant must fit in Java's long milliseconds."""

    def __init__(self, name: str) -> None:
        pattern, lexical = _DATE_TIMES[name]
        super().__init__(lexical, ordered=True)
        self.regex = re.compile(pattern + _TZ)
        self.has_year = "<y>" in pattern
        self.has_month = "<mo>" in pattern
        self.has_day = "<d>" in pattern
        self.has_time = "<h>" in pattern
        self.length_breaks = True

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        m = self.regex.fullmatch(s)
        if m is None:
            return None
        year = 2000
        negative = False
        if self.has_year:
            year_text = m.group("y")
            negative = year_text[0] == "-"
            if len(year_text) > 10:  # beyond Java's int, and the calendar's years
                return None
            year = int(year_text[1:] if negative else year_text)
            if not 1 <= year <= 292278994:
                return None
        month = int(m.group("mo")) if self.has_month else 1
        day = int(m.group("d")) if self.has_day else 1
        hour = minute = second = ms = leap = 0
        if self.has_time:
            hour = int(m.group("h"))
            minute = int(m.group("mi"))
            second = int(m.group("s"))
            fraction = m.group("f")
            if fraction:
                ms = int((fraction + "00")[:3])
            if second == 60:
                leap = ms + 1
                ms = 999
                second = 59
        tz = m.group("tz")
        offset = 0
        if tz is not None and tz != "Z":
            offset = (int(tz[1:3]) * 60 + int(tz[4:6])) * 60000
            if tz[0] == "-":
                offset = -offset
            if not -13 * 3600000 <= offset <= 14 * 3600000:
                return None
        if not (1 <= month <= 12 and hour <= 23 and minute <= 59 and second <= 59):
            return None
        if negative:
            year = 1 - year
        if not 1 <= day <= _days_in_month(year, month):
            return None
        millis = (_days_from_epoch(year, month, day) * _MS_PER_DAY
                  + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offset)
        if not _LONG_MIN <= millis <= _LONG_MAX:
            return None
        return (millis, leap, tz is not None)

    def less(self, a: Hashable, b: Hashable) -> bool:
        assert isinstance(a, tuple) and isinstance(b, tuple)
        if a[2] == b[2]:
            return (a[0], a[1]) < (b[0], b[1])
        # One has no time zone: less only if less whatever its time zone.
        return (a[0] + _TZ_SPAN, a[1]) < (b[0], b[1])


_DURATION_RE = re.compile(r"(-)?P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?"
                          r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]*)?|\.[0-9]+)S)?)?")
# The reference months of XML Schema's order of durations (1696-09, 1697-02, 1903-03, 1903-07).
_DURATION_REFERENCES = ((1696, 9), (1697, 2), (1903, 3), (1903, 7))


def _days_of_months(months: int, year: int, month: int) -> int:
    """The days in ``months`` months from the first of (year, month)."""
    if months < 0:
        return -_days_of_months(-months, year, month)
    cycles, months = divmod(months, 4800)  # 400 years: 146097 days
    days = 0
    for _ in range(months):
        days += _days_in_month(year, month)
        month += 1
        if month == 13:
            month = 1
            year += 1
    return days + cycles * 146097


class _DurationKind(_Kind):
    """duration: the value is its six fields (a negative duration negates each), compared
    field by field as jing does (P1Y is not P12M, PT60S not PT1M); the order, for the bounds,
    is XML Schema's partial one."""

    def __init__(self) -> None:
        super().__init__("a duration", ordered=True)
        self.length_breaks = True

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        m = _DURATION_RE.fullmatch(s)
        if m is None or s[-1] in "PT":
            return None
        sign = -1 if m.group(1) else 1
        fields = tuple(sign * _int(m.group(k) or "0") for k in range(2, 7))
        seconds = Decimal(m.group(7) or 0)
        return fields + ((-seconds if sign < 0 else seconds),)

    def less(self, a: Hashable, b: Hashable) -> bool:
        assert isinstance(a, tuple) and isinstance(b, tuple)
        months_a = a[0] * 12 + a[1]
        months_b = b[0] * 12 + b[1]
        seconds_a = Fraction(((a[2] * 24 + a[3]) * 60 + a[4]) * 60) + Fraction(a[5])
        seconds_b = Fraction(((b[2] * 24 + b[3]) * 60 + b[4]) * 60) + Fraction(b[5])
        if months_a == months_b:
            return seconds_a < seconds_b
        if months_a < months_b and seconds_a <= seconds_b:
            return True
        if months_a > months_b and seconds_a >= seconds_b:
            return False
        for year, month in _DURATION_REFERENCES:
            if (_days_of_months(months_a, year, month) * 86400 + seconds_a
                    >= _days_of_months(months_b, year, month) * 86400 + seconds_b):
                return False
        return True


_HEX_RE = re.compile("(?:[0-9A-Fa-f]{2})*")
_BASE64_RE = re.compile("(?:[A-Za-z0-9+/]{4})*"
                        "(?:[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=|[A-Za-z0-9+/][AQgw]==)?")


class _HexKind(_Kind):
    """hexBinary: the bytes (so case does not matter); the length counts them."""

    def __init__(self) -> None:
        super().__init__("a hexadecimal string", has_length=True)

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        return bytes.fromhex(s) if _HEX_RE.fullmatch(s) is not None else None

    def length(self, s: str, value: Hashable) -> int:
        assert isinstance(value, bytes)
        return len(value)


class _Base64Kind(_Kind):
    """base64Binary: the bytes; spaces may come anywhere, the padding must be canonical."""

    def __init__(self) -> None:
        super().__init__("a base64 string", has_length=True)

    def parse(self, s: str, context: Context, entities: AbstractSet[str]) -> Hashable | None:
        s = s.replace(" ", "")
        return base64.b64decode(s) if _BASE64_RE.fullmatch(s) is not None else None

    def length(self, s: str, value: Hashable) -> int:
        assert isinstance(value, bytes)
        return len(value)


# --- The libraries ---------------------------------------------------------------------------

_LANGUAGE_RE = _Regex("[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*")
_NCNAME_LEXICAL = "an XML name without colons"


def _xsd_kind(name: str) -> _Kind | None:
    """A fresh primitive for an XML Schema type name jing knows, else None."""
    if name in ("string", "anyAtomicType", "untypedAtomic"):
        return _StringKind(_PRESERVE)
    if name == "normalizedString":
        return _StringKind(_REPLACE)
    if name == "token":
        return _StringKind(_COLLAPSE)
    if name in ("NCName", "ID", "IDREF"):
        return _RegexKind(_NCNAME_LEXICAL, _NCNAME_RE, "" if name == "NCName" else name)
    if name == "Name":
        return _RegexKind("an XML name", _NAME_RE)
    if name == "NMTOKEN":
        return _RegexKind("an XML NMTOKEN", _NMTOKEN_RE)
    if name == "NMTOKENS":
        return _ListKind("a list of XML NMTOKENs", _RegexKind("an XML NMTOKEN", _NMTOKEN_RE))
    if name == "IDREFS":
        return _ListKind("a list of XML names without colons",
                         _RegexKind(_NCNAME_LEXICAL, _NCNAME_RE), "IDREFS")
    if name == "ENTITY":
        return _EntityKind()
    if name == "ENTITIES":
        return _ListKind("a list of names declared in the DTD as unparsed entities",
                         _EntityKind())
    if name == "language":
        return _RegexKind("an RFC 3066 language identifier", _LANGUAGE_RE)
    if name in ("QName", "NOTATION"):
        return _QNameKind()
    if name == "anyURI":
        return _AnyUriKind()
    if name == "boolean":
        return _BooleanKind()
    if name == "decimal":
        return _DecimalKind()
    if name in _INTEGER_BOUNDS:
        low, high = _INTEGER_BOUNDS[name]
        return _IntegerKind(low, high)
    if name in ("float", "double"):
        return _FloatKind(name == "float")
    if name in _DATE_TIMES:
        return _DateTimeKind(name)
    if name == "duration":
        return _DurationKind()
    if name == "hexBinary":
        return _HexKind()
    if name == "base64Binary":
        return _Base64Kind()
    return None


_INTEGER_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "nonNegativeInteger": (0, None),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
    "positiveInteger": (1, None),
}

_LENGTH, _MIN_LENGTH, _MAX_LENGTH = 0, 1, 2
_LENGTH_NAMES = ("length", "minLength", "maxLength")
_MIN_INCLUSIVE, _MIN_EXCLUSIVE, _MAX_INCLUSIVE, _MAX_EXCLUSIVE = 0, 1, 2, 3
_BOUND_NAMES = ("minInclusive", "minExclusive", "maxInclusive", "maxExclusive")
_BOUND_WORDS = ("greater than or equal to", "greater than", "less than or equal to",
                "less than")
_PREFIXES = {XSD: "xsd:", DTD_COMPATIBILITY: "dtd:", BUILTIN: ""}


def _non_negative(text: str) -> int:
    """A length or digit count as jing reads it: -1 when it is not a non-negative integer
    (a decimal point, even "1.0", is refused); at most 2**31 - 1."""
    text = text.strip(" \t\n\r")
    if _DECIMAL_RE.fullmatch(text) is None:
        return -1
    whole, point, fraction = text.lstrip("+").partition(".")
    if fraction:
        return -1
    n = _int(whole or "0")  # "-0" is 0
    if n < 0:
        return -1
    return min(n, 2**31 - 1)


def _digits(s: str) -> tuple[int, int]:
    """(totalDigits, fractionDigits) of a decimal as jing counts them: the digits of the
    unscaled number and the digits written after the point, trailing zeros included."""
    whole, _, fraction = s.lstrip("+-").partition(".")
    return len((whole + fraction).lstrip("0")) or 1, len(fraction)


def _digits_reason(s: str, what: str, limits: list[tuple[bool, int]]) -> str | None:
    """Why the decimal ``s`` has too many digits for totalDigits or fractionDigits, if it has."""
    total, scale = _digits(s)
    for is_total, n in limits:
        if is_total and total > n:
            if n == 1:
                return "must be %s with exactly one significant digit (found %d digits)" % (
                    what, total)
            return "must be %s with at most %d significant digits (found %d digits)" % (
                what, n, total)
        if not is_total and scale > n:
            if n == 0:
                return ("must be a decimal number without any significant digits after the "
                        "decimal point")
            return ("must be a decimal number with at most %s after the decimal point (found %d "
                    "digits)" % ("one significant digit" if n == 1
                                 else "%d significant digits" % n, scale))
    return None


class Datatype:
    """A datatype of a library with its parameters: tells the value of a text, or that the
    text is not allowed. Build one with :func:`datatype`."""

    def __init__(self, library: str, name: str, kind: _Kind) -> None:
        self.name = name
        self.library = library
        #: value() reads the context (QName, NOTATION) or the entities (ENTITY, ENTITIES).
        self.context_dependent = kind.context_dependent
        #: "ID", "IDREF", "IDREFS" or "".
        self.id_type = kind.id_type
        self.params: tuple[tuple[str, str], ...] = ()
        self._kind = kind
        self._ws = kind.ws
        self._plain = True  # no parameter: value() is the primitive's
        self._patterns: list[tuple[_Regex, str]] = []
        self._lengths: list[tuple[int, int]] = []
        self._bounds: list[tuple[int, Hashable, str]] = []
        self._digits: list[tuple[bool, int]] = []  # (total?, count)
        self._broken = False  # a length facet jing accepts and then fails on

    def value(self, text: str, context: Context,
              entities: AbstractSet[str] = _NO_ENTITIES) -> Hashable | None:
        """The value ``text`` denotes, or None when ``text`` is not allowed (not in the lexical
        space after the type's white-space handling, or failing a facet). Two texts are equal
        as RELAX NG's ``value`` pattern requires exactly when their values are ==.

        ``entities``: the names of the document's unparsed entities (read by ENTITY and
        ENTITIES only; without them, as in a document without a DTD, none is allowed)."""
        ws = self._ws
        if ws == _COLLAPSE:
            text = _collapse(text)
        elif ws == _REPLACE:
            text = text.translate(_TO_SPACE)
        if self._plain:
            return self._kind.parse(text, context, entities)
        return self._check(text, context, entities)[0]

    def allows(self, text: str, context: Context,
               entities: AbstractSet[str] = _NO_ENTITIES) -> bool:
        return self.value(text, context, entities) is not None

    def takes_any(self) -> bool:
        """Is every text allowed (a string type with no facet)?"""
        return self._plain and isinstance(self._kind, _StringKind)

    def is_ncname(self) -> bool:
        """Is it a name without colons and nothing more (NCName, ID, IDREF; no facet)?"""
        kind = self._kind
        # (By its source: a grammar read back from the cache has regexes of its own.)
        return self._plain and isinstance(kind, _RegexKind) and kind.regex.source == _NCNAME

    def reason(self, text: str, context: Context,
               entities: AbstractSet[str] = _NO_ENTITIES) -> str | None:
        """Why ``text`` is not allowed, as jing says it ("must be an integer"), or None."""
        ws = self._ws
        if ws == _COLLAPSE:
            text = _collapse(text)
        elif ws == _REPLACE:
            text = text.translate(_TO_SPACE)
        return self._check(text, context, entities)[1]

    def describe(self) -> str:
        """For messages, e.g. "xsd:integer (minInclusive 1)"."""
        out = _PREFIXES.get(self.library, "") + self.name
        if self.params:
            out += " (" + ", ".join("%s %s" % (name, _line(value))
                                    for name, value in self.params) + ")"
        return out

    def __repr__(self) -> str:
        return "<Datatype %s>" % self.describe()

    def _check(self, s: str, context: Context,
               entities: AbstractSet[str]) -> tuple[Hashable | None, str | None]:
        """(value, None) or (None, reason) for a text after white-space handling."""
        kind = self._kind
        if self._broken:
            return None, ("cannot be checked: jing accepts a length parameter for %s, then "
                          "fails on every value" % self.describe())
        value = kind.parse(s, context, entities)
        what = kind.lexical
        if value is None:
            if isinstance(kind, _QNameKind) and _QNAME_RE.fullmatch(s) is not None:
                return None, ('must be a QName whose prefix, if any, is declared (prefix "%s" '
                              'is not declared)' % s.partition(":")[0])
            if isinstance(kind, _IntegerKind):
                bound = kind.out_of_range(s)
                if bound is not None:
                    return None, "must be an integer " + bound
            return None, "must be " + what
        for regex, source in self._patterns:
            if regex.fullmatch(s) is None:
                return None, ('must be %s matching the regular expression "%s"'
                              % (what, _line(source)))
        for op, n in self._lengths:
            actual = kind.length(s, value)
            if (actual != n) if op == _LENGTH else (actual < n if op == _MIN_LENGTH
                                                   else actual > n):
                word = ("equal to", "at least", "at most")[op]
                return None, ("must be %s with length %s %d (actual length was %d)"
                              % (what, word, n, actual))
        for op, limit, source in self._bounds:
            if op == _MIN_INCLUSIVE:
                ok = value == limit or kind.less(limit, value)
            elif op == _MIN_EXCLUSIVE:
                ok = kind.less(limit, value)
            elif op == _MAX_INCLUSIVE:
                ok = value == limit or kind.less(value, limit)
            else:
                ok = kind.less(value, limit)
            if not ok:
                return None, "must be %s %s %s" % (what, _BOUND_WORDS[op], _line(source))
        if self._digits:
            why = _digits_reason(s, what, self._digits)
            if why is not None:
                return None, why
        return value, None

    def _add(self, name: str, value: str) -> None:
        """Restrict by one parameter, or refuse it as jing does."""
        kind = self._kind
        if name == "pattern":
            compiled = _compile_pattern(value)
            self._patterns.append((_Regex(compiled.pattern, compiled,
                                          _Translator(value, ascii=True).translate()), value))
        elif name in _BOUND_NAMES:
            if not kind.ordered:
                raise DatatypeError("invalid parameter: parameter can only be applied to "
                                    "ordered datatype")
            text = _collapse(value) if self._ws == _COLLAPSE else value
            limit, why = self._check(text, {}, _NO_ENTITIES)
            if limit is None:
                raise DatatypeError('invalid parameter: "%s" is not allowed by the base type: '
                                    '%s' % (_line(value), why))
            self._bounds.append((_BOUND_NAMES.index(name), limit, value))
        elif name in _LENGTH_NAMES:
            if not kind.has_length and not kind.length_breaks:
                raise DatatypeError("invalid parameter: base datatype does not define a units "
                                    "of length")
            n = _non_negative(value)
            if n < 0:
                raise DatatypeError('invalid parameter: "length" parameter must be non '
                                    'negative integer')
            self._lengths.append((_LENGTH_NAMES.index(name), n))
            if kind.length_breaks:
                self._broken = True
        elif name in ("totalDigits", "fractionDigits"):
            total = name == "totalDigits"
            word = "precision" if total else "scale"
            if not kind.decimal:
                raise DatatypeError('invalid parameter: "%s" parameter can only be applied to '
                                    'datatype derived from "decimal"' % word)
            n = _non_negative(value)
            if n < (1 if total else 0):
                raise DatatypeError('invalid parameter: "%s" parameter must be %s integer'
                                    % (word, "positive" if total else "non negative"))
            self._digits.append((total, n))
        elif name == "enumeration":
            raise DatatypeError('invalid parameter: "enumeration" facet is not allowed as a '
                                'parameter: use "value" element instead')
        elif name == "whiteSpace":
            raise DatatypeError('invalid parameter: "whiteSpace" facet is not allowed as a '
                                'parameter')
        else:
            raise DatatypeError('invalid parameter: unrecognized parameter "%s"' % _line(name))
        self._plain = False
        self.params += ((name, value),)


_DATATYPES: dict[tuple[str, str, tuple[tuple[str, str], ...]], Datatype] = {}


def datatype(library: str, name: str, params: Sequence[tuple[str, str]] = ()) -> Datatype:
    """The datatype, cached; raises DatatypeError for an unknown library or type, an unknown or
    inapplicable parameter, a bad parameter value (e.g. a pattern that is not an XML Schema
    regular expression, length="x"), as jing refuses them."""
    key = (library, name, tuple((str(n), str(v)) for n, v in params))
    found = _DATATYPES.get(key)
    if found is not None:
        return found
    kind: _Kind | None
    if library == BUILTIN:
        kind = {"string": _StringKind(_PRESERVE), "token": _StringKind(_COLLAPSE)}.get(name)
    elif library == XSD:
        kind = _xsd_kind(name)
    elif library == DTD_COMPATIBILITY:
        kind = _xsd_kind(name) if name in ("ID", "IDREF", "IDREFS") else None
    else:
        raise DatatypeError('datatype library "%s" not recognized' % _line(library))
    if kind is None:
        raise DatatypeError('datatype "%s" from library "%s" not recognized'
                            % (_line(name), _line(library)))
    result = Datatype(library, name, kind)
    if key[2] and library == BUILTIN:
        raise DatatypeError("invalid parameter: builtin datatypes do not have any parameters")
    for param_name, param_value in key[2]:
        result._add(param_name, param_value)
    _DATATYPES[key] = result
    return result
