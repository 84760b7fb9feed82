"""Inline text -> editorial spans: supplied, gap, note, flags, footnote anchors, corrections.

The result is a list of nodes: plain ``str`` (where "\\n" is a line break) and the small
classes below. Each node keeps enough of the source to write it back character for character
(see :mod:`tei_toolkit.readings`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from ..errors import Finding, Location
from .brackets import (HONORIFICS, PRONOUNS, ROLE_WORDS, COMPLETION, EXPANSION, IDENTIFICATION,
                       ORIGINAL, RESPELLING, SUPPLEMENT, Verdict, classify, paired_name,
                       token_unknown, is_english, suggestion, unknown_words)
from . import names, pickling
from ..spans import ellipsis_rend
from .lexicon import Entry, Matcher
from .profile import Profile
from .register import Index, Person
from .review import (BRACKET, CORRECTION, ELLIPSIS, NAME, NOTE_ON_ORIGINAL, SUMMARY, Decision,
                     Decisions, Ruling, norm)
from .review import key as review_key
from .source import MONTH_NAMES, Text



@dataclass
class Supplied:
    children: list[Any]
    cert: str | None = None
    reason: str | None = None  # None: the profile's (for sense); "completion"
    editor: bool = False  # encoded as the editor decided (review.py): @resp names the editor

    def __init__(self, children: list[Any], cert: str | None = None, reason: str | None = None,
                 editor: bool = False) -> None:
        # Written out: mypyc compiles this, not the one @dataclass would generate.
        self.children = children
        self.cert = cert
        self.reason = reason
        self.editor = editor


@dataclass
class Gloss:
    """A bracket that says something about the words before it or gives other words:
    identification, original wording, translated title (see brackets.py)."""

    kind: str
    children: list[Any]
    lang: str | None = None
    editor: bool = False  # as Supplied.editor


@dataclass
class Pair:
    """``NAME [other form]`` as one unit: expansion of an acronym, another spelling."""

    kind: str
    name: str
    children: list[Any]
    editor: bool = False  # as Supplied.editor


@dataclass
class Explained:
    """One bracket's class and the evidence for it, for ``tei import --explain``."""

    location: Location
    text: str
    kind: str
    evidence: str
    rule: str  # the classifier's rule that decided (brackets.RULES)
    certain: bool  # False when the evidence is partial (the import warns)
    key: str  # the bracket's review key (review.key), when the import keys its items

    def __init__(self, location: Location, text: str, kind: str, evidence: str,
                 rule: str, certain: bool = True, key: str = "") -> None:
        # Written out: mypyc compiles this, not the one @dataclass would generate.
        self.location = location
        self.text = text
        self.kind = kind
        self.evidence = evidence
        self.rule = rule
        self.certain = certain
        self.key = key

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickling.reduce(self)  # results come back from the workers


@dataclass
class Gap:
    reason: str  # "omitted" or "illegible"
    rend: str | None = None  # form of an ellipsis, see ellipsis_rend()
    desc: str | None = None  # wording of an illegibility note
    quantity: int | None = None
    unit: str | None = None
    extent: str | None = None

    def __init__(self, reason: str, rend: str | None = None, desc: str | None = None,
                 quantity: int | None = None, unit: str | None = None,
                 extent: str | None = None) -> None:
        # Written out: mypyc compiles this, not the one @dataclass would generate.
        self.reason = reason
        self.rend = rend
        self.desc = desc
        self.quantity = quantity
        self.unit = unit
        self.extent = extent


@dataclass
class Note:
    type: str  # "translator" or "editor"
    label: str  # "Translator’s note:" as written
    children: list[Any]


@dataclass
class Flag:
    type: str  # "sic" or "query"
    text: str  # "sic", "sic!", "?" as written
    editor: bool = False  # as Supplied.editor
    children: list[Any] | None = None  # a note holding brackets of its own: read, not text


@dataclass
class Choice:
    entry: Entry
    text: str  # the source form (== entry.sic)

    def __init__(self, entry: Entry, text: str) -> None:
        # Written out: mypyc compiles this, not the one @dataclass would generate.
        self.entry = entry
        self.text = text


@dataclass
class Marked:
    """A word an editorial flag points at: <sic> for [sic], <unclear> for [?]; or (``double``)
    the translator's [[uncertain reading]] in double brackets."""

    tag: str
    children: list[Any]
    double: bool = False


@dataclass
class Named:
    """Words that name an entry of the persons register: persName, orgName, or rs for a
    pronoun or role that an identification says who it is."""

    tag: str  # "persName", "orgName" or "rs"
    ref: str  # the register id
    children: list[Any]
    type: str | None = None  # "codename" when the words are a code name
    editor: bool = False  # linked as the editor decided (review.py)

    def __init__(self, tag: str, ref: str, children: list[Any], type: str | None = None,
                 editor: bool = False) -> None:
        # Written out: mypyc compiles this, not the one @dataclass would generate.
        self.tag = tag
        self.ref = ref
        self.children = children
        self.type = type
        self.editor = editor


@dataclass
class Anchor:
    n: str
    k: int = 1  # the k-th marker of footnote n
    flattened: bool = False  # "rains.1": a footnote marker the export flattened


@dataclass
class Counts:
    supplied: int = 0
    gaps: int = 0
    corrections: int = 0
    notes: int = 0

    def add(self, other: "Counts") -> None:
        self.supplied += other.supplied
        self.gaps += other.gaps
        self.corrections += other.corrections
        self.notes += other.notes


@dataclass
class Context:
    """What inline parsing needs besides the text, and what it reports back."""

    profile: Profile
    matcher: Matcher | None
    footnotes: frozenset[str]
    counts: Counts
    warnings: list[Finding]
    anchors: dict[str, int]
    language: str | None  # the original language's code, for original wording
    # name -> its regular form in the lexicon, or None
    lexicon_reg: Callable[[str], str | None] | None
    explained: list[Explained]
    register: Index | None  # the persons register, for names
    used: dict[str, Person]  # entries named, in order
    spelled: set[str]  # words already checked for spelling
    spelled_texts: dict[int, Text]  # paragraphs checked
    bracket_warned: dict[tuple[int, int], Text]  # unmatched brackets warned about
    # The editor's review: the document's id, the decisions that overrule the importer, and
    # whether items get their review keys (review.key) at all; the keys given so far.
    doc_id: str
    decisions: Decisions | None
    keyed: bool  # items are counted, and keyed where listed or where a row may be theirs
    listing: bool  # every item keyed and listed (tei review)
    ruled_texts: frozenset[tuple[str, str]]  # (what, text) of this document's rows
    ruled_whats: frozenset[str]  # and their kinds
    items: int  # the decisions made (reviewable items) so far
    keys_seen: dict[str, int]
    decided: list[Decision]  # the decisions made, keyed (when keyed)
    reviewed: dict[str, tuple[str, Ruling]]  # key -> "ok" or "changed", and the editor's row
    around: tuple[Text, int, str, str]  # where names are being tagged: the paragraph, the
    # start, and the words around (when the name is not found in the paragraph: none)
    _seen: dict[int, tuple[Text, list[Any]]]
    _tokens: dict[int, tuple[Text, set[str]]]

    def __init__(self, profile: Profile, matcher: Matcher | None,
                 footnotes: frozenset[str] = frozenset()) -> None:
        # Written out (one per document): mypyc compiles this, not the generated one. The
        # other fields start empty; the builder sets language, lexicon_reg and register.
        self.profile = profile
        self.matcher = matcher
        self.footnotes = footnotes
        self.counts = Counts()
        self.warnings = []
        self.anchors = {}
        self.language = None
        self.lexicon_reg = None
        self.explained = []
        self.register = None
        self.used = {}
        self.spelled = set()
        self.spelled_texts = {}
        self.bracket_warned = {}
        self.doc_id = ""
        self.decisions = None
        self.keyed = False
        self.listing = False
        self.ruled_texts = frozenset()
        self.ruled_whats = frozenset()
        self.items = 0
        self.keys_seen = {}
        self.decided = []
        self.reviewed = {}
        self.around = (_NO_TEXT, 0, "", "")
        self._seen = {}
        self._tokens = {}

    def tokens(self, t: Text) -> set[str]:
        """The whitespace-separated tokens of ``t`` the spelling and near-miss screens must
        look at, split once per paragraph: all but those known to pass both. Leaving those
        out changes no verdict (each screen would pass them), and most tokens are such."""
        cached = self._tokens.get(id(t))
        if cached is not None and cached[0] is t:
            return cached[1]
        harmless = _HARMLESS.setdefault((self.register, self.matcher), set())
        found = {w for w in t.text.split() if w not in harmless}
        if found:  # tokens that have passed both screens by now join the harmless ones
            quiet = _QUIET.get(self.register, set())
            clean = self.matcher.clean if self.matcher is not None else None
            passed = {w for w in found if w in quiet and (clean is None or w in clean)}
            if passed:
                if len(harmless) > 1 << 20:
                    harmless.clear()
                harmless |= passed
                found -= passed
        self._tokens[id(t)] = (t, found)
        return found

    def corrections(self, t: Text) -> list[tuple[int, int, Entry]]:
        """Lexicon matches in the whole of ``t``, found once; near misses warned about once."""
        cached = self._seen.get(id(t))
        if cached is not None and cached[0] is t:
            return cached[1]
        assert self.matcher is not None
        matches = list(self.matcher.finditer(t.text))
        self._seen[id(t)] = (t, matches)
        if self.profile.near_misses:
            # The lexicon's own matches are blanked out: they are corrected, not near misses.
            text = t.text
            for s, e, _ in matches:
                text = text[:s] + " " * (e - s) + text[e:]
            urls: list[tuple[int, int]] | None = None
            for s, e, corr in self.matcher.near_misses(text, self.tokens(t)):
                if urls is None:
                    urls = [m.span() for m in _URL.finditer(text)]
                if is_english(t.text[s:e]) or any(a <= s < b for a, b in urls):
                    continue  # an English word ("adviser"), or a URL's slug ("zhou-enlai")
                self.spelled.update(t.text[s:e].split())  # said once, as a near miss
                self.warnings.append(Finding(
                    t.location(s), "near-miss",
                    f"{t.text[s:e]!r} may be a misspelling of {corr!r}; add it to the lexicon "
                    "if it is", (t.text[s:e], corr)))
        return matches


_WINDOW = 80


def _ends_sentence(c: str) -> bool:
    """Can a full stop follow this character (a word, a closing bracket or quote)?"""
    return c.isalnum() or c in ")]\"'’”"


_URL = re.compile(r"\b(?:https?://|www\.)\S+")
_ELLIPSIS = re.compile(r"\.(?: \.){2,}|\.{3,}|…+")
_MARKER = re.compile(r"[0-9]{1,2}")
_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_UNITS = r"words?|lines?|letters?|characters?|chars?|pages?|sentences?|paragraphs?"
_ILLEGIBLE_WORDS = ("illegible", "unreadable", "indecipherable")
_ILLEGIBLE = re.compile(
    rf"(?:(?P<q>\d+|{'|'.join(_NUMBERS)}|several|a few|some)\s+(?P<u1>{_UNITS})\s+)?"
    rf"(?:{'|'.join(_ILLEGIBLE_WORDS)})(?:\s+(?P<u2>{_UNITS}))?",
    re.I,
)
_FLAG = re.compile(r"(?P<sic>sic[.!]?|!|sic\s*[-–—:;,(].+)|(?P<query>\?)", re.I | re.S)
# A security classification or a copy count: "[Top Secret]", "[Copy No. 3]", "[2 copies]".
_CLASSIFIED = re.compile(r"\s*(?:top |strictly |most )?(?:secret|confidential)\b.*"
                         r"|.*\bcopy (?:no\.?|nr\.?|#)\s*\d+.*|\s*(?:\d+|only|single|one) "
                         r"cop(?:y|ies)\b.*", re.I | re.S)
_CLASSIFIED_WORDS = ("secret", "confidential", "cop")
# Words that say what the original document shows, at the start of a bracket (after up to three
# words: "[faded round stamp: ...]", "[illegible signature]") or closing it ("[added by hand]").
_DOCUMENT = (r"stamps?|seals?|signatures?|signed|letterhead|handwritten|handwriting|"
             r"typewritten|initials|initialled|postmark|watermark|inscription|notation|"
             r"resolution in the margin|in the margin|margin(?:al)? notes?|registration|registry|"
             r"attachment|enclosure|page \d+|p\. ?\d+|transliterated|transliteration|blank|"
             r"end of (?:the )?page|new page|archival reference|"
             # registry notes: "Received: 12 May", "Incoming No. 123", "Source: ..."
             r"(?:incoming|outgoing|received|dispatched|registered|source)\s*"
             r"(?:No\.?\s*\d+|\d+|:\s*\w+)")
# A reference to the archive the original is kept in: "[AVPRF, f. 0100, op. 46, d. 12, l. 3]".
_ARCHIVE_REFERENCE = re.compile(r".*\b(?:f|fond|op|opis|d|delo|l|ll|list|file|folder|box)\.?\s*"
                                r"\d+.*", re.I | re.S)
_DOCUMENT_NOTE = re.compile(
    rf"\s*(?:[\w'’-]+\s+){{0,3}}(?:{_DOCUMENT})\b.*"
    r"|.*\b(?:added|written|signed|noted|corrected|inserted|underlined|crossed out)"
    r" (?:by hand|in (?:pencil|ink|hand|the margin))\s*", re.I | re.S)
# What describes a document in a title: "[Excerpts]", "[Draft]".
_TITLE_NOTE = re.compile(r"\s*(?:excerpts?|extracts?|draft|abridged|fragment|summary|"
                         r"translation|unofficial translation|copy)\s*", re.I)
# A description of words left out: "[two pages omitted]", "[part of sentence missing]".
_OMITTED = re.compile(r"\s*(?:omission|omitted|text omitted)\b.*|"
                      r"\s*(?:missing|omitted)(?: [\w-]+){1,3}\s*|[\w\s.,:;()'’-]{0,80}?\b"
                      r"(?:omitted|not translated|left out|blacked out|redacted|excised|deleted|"
                      r"missing|cut)\s*\.?\s*", re.I | re.S)
# What the regexes below need to find in a bracket (lower case), tested first: most brackets
# hold none, and a substring test is much faster than the regex saying no.
_UNREADABLE_WORDS = ("illegib", "unreadab", "decipher")
_OMITTED_WORDS = ("omi", "translated", "left out", "blacked", "redact", "excis", "delet",
                  "missing", "cut")
_DOCUMENT_WORDS = ("stamp", "seal", "signature", "signed", "letterhead", "handwrit", "typewrit",
                   "translit", "blank", "end of", "new page", "source", "archival",
                   "initial", "postmark", "watermark", "inscription", "notation", "margin",
                   "registr", "incoming", "outgoing", "received", "dispatched", "attachment",
                   "enclosure", "page", "p.", "by hand", "in pencil", "in ink", "in hand",
                   "underlined", "crossed out", "corrected", "inserted", "noted", "written")


def _says(inner: str, words: tuple[str, ...]) -> bool:
    lower = inner.lower()
    return any(w in lower for w in words)


# A description of words that cannot be read, of any wording: "[illegible name]".
_UNREADABLE = re.compile(r"[\w\s.,:;()'’-]{0,60}?\b(?:illegible|unreadable|indecipherable|"
                         r"undecipherable)\b[\w\s.,:;()'’-]{0,60}", re.I)
# A bracket that describes the original document rather than supplying words.
_SOURCE_NOTE = re.compile(
    r"\s*(?:(?:emphasis|underlin(?:ing|ed)|italics|italicised|italicized|bold|capitals|"
    r"spacing|spaced)(?: \w+)? (?:in the original|in original|added|by the author)|"
    r"(?:in|written in) [A-Z][a-z]+ in the original|"
    r"handwritten|handwriting|stamp|seal|signature|illegible signature|crossed out|"
    r"struck through|in the margin|marginal note|blank|"
    r"(?:approved for release|declassified|sanitized)\b[^\]]*|sig\.|"
    # what the editors did not do: "[not reproduced]", "[not identified]"
    r"not (?:further |yet )?(?:included|identified|reproduced|found|printed|published|traced)|"
    r"(?:[\w'’-]+ ){0,3}(?:underlined|circled|crossed out|struck through))\s*", re.I)
_TRAILING_WORD = re.compile(r"(\w[\w'’-]*)(\s*)\Z")


def parse_inline(t: Text, ctx: Context, part: str, start: int = 0, end: int | None = None) -> list[Any]:
    """Nodes for ``t.text[start:end]``. Every complete pair of square brackets is read (a pair
    inside a pair by the outer one's reader); a bracket without its other half is kept as text,
    with a warning: an export is never refused for its brackets."""
    text = t.text
    if part in _SPELLED and ctx.profile.near_misses and id(t) not in ctx.spelled_texts:
        # Once per paragraph, outside brackets; supplements are checked in _bracket, and
        # original wording never.
        ctx.spelled_texts[id(t)] = t
        _spelling(t, ctx, 0, len(text), outside_brackets=True)
    end = len(text) if end is None else end
    out: list[Any] = []
    pos = start
    for i, j in _pairs(t, ctx, start, end):
        _plain(t, ctx, part, pos, i, out)
        _bracket(t, ctx, part, i + 1, j, out)
        pos = j + 1
    _plain(t, ctx, part, pos, end, out)
    if ctx.register is not None and part in _SPELLED:
        return _tag_names(out, ctx, t, start)
    return out


def _pairs(t: Text, ctx: Context, start: int, end: int) -> list[tuple[int, int]]:
    """The outermost complete bracket pairs of ``t.text[start:end]`` as (index of '[', index
    of ']'); a bracket without its other half is warned about once (it stays text)."""
    text = t.text
    find = text.find
    # str.find, not a regex: brackets are rare and find() skips ahead at memchr speed.
    i, k = find("[", start, end), find("]", start, end)
    if i < 0 and k < 0:
        return []
    stack: list[int] = []
    unmatched: list[int] = []
    pairs: list[tuple[int, int, int]] = []  # (open, close, the open around it or -1)
    while i >= 0 or k >= 0:  # the next bracket, whichever half it is
        if i >= 0 and (k < 0 or i < k):
            stack.append(i)
            i = find("[", i + 1, end)
        else:
            if stack:
                o = stack.pop()
                pairs.append((o, k, stack[-1] if stack else -1))
            else:
                unmatched.append(k)
            k = find("]", k + 1, end)
    unclosed = set(stack)
    for at in sorted(unmatched + stack):
        if (id(t), at) in ctx.bracket_warned:
            continue
        ctx.bracket_warned[(id(t), at)] = t
        what = "'[' is never closed in this paragraph" if text[at] == "[" else \
            "']' without a matching '['"
        ctx.warnings.append(Finding(t.location(at), "unmatched-bracket", f"{what}: kept as text"))
    # A pair inside an unclosed bracket is an outermost pair; one inside a pair is its own.
    return sorted((o, c) for o, c, around in pairs if around < 0 or around in unclosed)


# -- names of the persons register -------------------------------------------------------------

_ROLE_OR_PRONOUN = re.compile(r"(?<![\w'’])(\w+)( )\Z")
# A capitalised name of one or two words just before an identification.
_IDENTIFIED_NAME = re.compile(r"(?<![\w'’.-])((?:[A-Z][\w'’-]+ )?[A-Z][\w'’-]+)( )\Z")
# Not part of the name before an identification: honorifics, and words a sentence starts with.
_NOT_NAME = HONORIFICS | {"the", "to", "from", "and"}


def _tag_names(nodes: list[Any], ctx: Context, t: Text, start: int) -> list[Any]:
    """Wrap the names the register knows in Named nodes: in plain text, when nothing around
    them says they are someone else's (names.read); around a lexicon correction or a NAME
    [other form] pair that is a name; a completion with the rest of the name ("[Liu]
    Shaoqi"); a pronoun or role an identification says is a registered person."""
    index = ctx.register
    assert index is not None
    if ctx.keyed:  # where a name's review key looks for the words around it
        ctx.around = (t, start, "", "")
    out: list[Any] = []
    i = 0
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, str):
            _names_in_text(node, out, ctx, index, t, start)
        elif isinstance(node, Choice):
            found = index.lookup(node.entry.corr) or index.lookup(node.text)
            out.append(_named(ctx, found[0], found[1], [node]) if found else node)
        elif isinstance(node, Pair):
            found = index.lookup(node.name) or index.lookup(_plain_text(node.children))
            if found:
                node.children = _untagged(node.children)
                out.append(_named(ctx, found[0], found[1], [node]))
            else:
                out.append(node)
        elif isinstance(node, Supplied) and node.reason == "completion":
            nodes = _completion(nodes, i, out, ctx, index)
        elif isinstance(node, Gloss) and node.kind == IDENTIFICATION and out and \
                isinstance(out[-1], str):
            _identified(node, out, ctx, index)
            out.append(node)
        else:
            out.append(node)
        i += 1
    return [n for n in out if n.__class__ is not str or n]  # no empty strings


def _names_in_text(node: str, out: list[Any], ctx: Context, index: Index, t: Text,
                   start: int) -> None:
    """The register's forms in plain text, each linked unless something around it says it
    is another person's name (then a warning)."""
    pos = 0
    for hit in index.find(node):
        begin, why = names.read(index, node, hit, pos)
        if why is not None:
            at = t.text.find(node[begin:hit.end], start)
            ctx.warnings.append(Finding(t.location(max(at, start)), "register-name", why))
            continue
        if begin > pos:
            out.append(node[pos:begin])
        out.append(_named(ctx, hit.person, hit.how, [node[begin:hit.end]]))
        pos = hit.end
    if pos < len(node):
        out.append(node[pos:])


def _completion(nodes: list[Any], i: int, out: list[Any], ctx: Context, index: Index) -> list[Any]:
    """A supplied completion at ``nodes[i]``: "[Liu] Shaoqi" (the supplied words and the rest
    after it make the name), or "Zhou [Enlai]" (the name's first words before it); the nodes,
    with the rest of the name taken out of the text after it."""
    node = nodes[i]
    rest = nodes[i + 1] if i + 1 < len(nodes) else None
    if isinstance(rest, str):
        supplied = _plain_text(node.children)
        run = re.match(r"(?: [A-Z][\w'’-]*)+", rest)
        parts = run.group().split(" ")[1:] if run else []
        for k in range(len(parts), 0, -1):
            tail = " " + " ".join(parts[:k])
            found = index.lookup(supplied + tail)
            if found:
                node.children = _untagged(node.children)
                out.append(_named(ctx, found[0], found[1], [node, rest[:len(tail)]]))
                return nodes[:i + 1] + [rest[len(tail):]] + nodes[i + 2:]
    out.append(_completed_after(out, node, index, ctx))
    return nodes


def _identified(node: "Gloss", out: list[Any], ctx: Context, index: Index) -> None:
    """"He [Razuvaev]", "the Chairman [Mao Zedong]": the pronoun or role before an
    identification refers to the registered person; "Semenov [Stalin]": so does a name the
    register does not know (a code name, a misspelt one)."""
    found = index.lookup(_plain_text(_untagged(node.children)))
    if not found:
        return
    m = _ROLE_OR_PRONOUN.search(out[-1])
    if m and m.group(1).lower() in _REFERRING:
        prev = out.pop()
        if m.start():
            out.append(prev[:m.start()])
        out.append(_named(ctx, found[0], "rs", [m.group(1)]))
        out.append(m.group(2))
        return
    named = _IDENTIFIED_NAME.search(out[-1])
    words = named.group(1).split() if named is not None else []
    if words and words[0].rstrip(".").lower() in _NOT_NAME:
        words = words[1:]  # "Comrade Semenov": the honorific is not the name
    if named is not None and words and words[0].rstrip(".").lower() not in _NOT_NAME:
        prev = out.pop()
        name = " ".join(words)
        at = named.end(1) - len(name)
        if at:
            out.append(prev[:at])
        out.append(_named(ctx, found[0], "name", [name]))
        out.append(named.group(2))


_NAME_TAIL = re.compile(r"(?<![\w'’-])((?:[A-Z][\w'’-]* )?[A-Z][\w'’-]*)( )\Z")


def _completed_after(out: list[Any], node: "Supplied", index: Index, ctx: Context) -> object:
    """"Zhou [Enlai]", "Kim [Il Sung]": the name's first words, then the supplied rest, make
    a name the register knows; they are taken out of ``out`` and wrapped together."""
    prev = out[-1] if out else None
    if not isinstance(prev, str):
        return node
    m = _NAME_TAIL.search(prev)
    if m is None:
        return node
    supplied = _plain_text(node.children)
    words = m.group(1).split()
    for k in range(len(words)):
        head = " ".join(words[k:])
        found = index.lookup(f"{head} {supplied}")
        if found:
            out.pop()
            at = m.end(1) - len(head)
            if at:
                out.append(prev[:at])
            node.children = _untagged(node.children)
            return _named(ctx, found[0], found[1], [head + " ", node])
    return node


def _named(ctx: Context, person: Person, how: str, children: list[Any]) -> Named:
    changed = False
    if ctx.keyed:
        ruled = _name_decision(ctx, person, children)
        if ruled is None:
            return Named("", "", children)  # the editor unlinked it: the words alone
        changed = ruled is not person
        person = ruled
    ctx.used.setdefault(person.id, person)
    tag = "rs" if how == "rs" else person.tag
    return Named(tag, person.id, children, "codename" if how == "code name" else None,
                 changed)


def _name_decision(ctx: Context, person: Person, children: list[Any]) -> Person | None:
    """The entry a name links to, as the editor's decision has it (None: no entry); the
    decision listed for review. The name's key is made of the source's words around it in
    its paragraph (what the brackets near it were read as does not change it)."""
    ctx.items += 1
    if not (ctx.listing or NAME in ctx.ruled_whats):
        return person
    t, start, before, after = ctx.around
    first = children[0] if len(children) == 1 else None
    text = first if isinstance(first, str) else _source_text(children)  # mostly plain words
    if not wanted(ctx, NAME, text):
        return person
    seen = ctx.keys_seen
    nth = seen[f"{id(t)}\0{text}"] = seen.get(f"{id(t)}\0{text}", 0) + 1
    at = start - 1
    for _ in range(nth):
        at = t.text.find(text, at + 1) if text else -1
        if at < 0:
            break
    if at >= 0:
        before, after = t.text[max(0, at - _WINDOW):at], t.text[at + len(text):][:_WINDOW]
    key = review_key(ctx.doc_id, NAME, text, before, after, seen)
    ruling = ctx.decisions.find(key) if ctx.decisions is not None else None
    decision, target = "name", person.id
    evidence = f"a name of {person.name} ({person.id}) in the persons register"
    verdict = ruling.verdict(decision, target) if ruling is not None else ""
    if ruling is not None and verdict:
        ctx.reviewed[key] = (verdict, ruling)
        decision, target = ruling.decision, ruling.target
        evidence = f"editor's decision ({ruling.cite})"
        entry = ctx.register.entries.get(target) if ctx.register is not None else None
        if decision == "none" or entry is None:
            decision, target = "none", ""
        person = entry or person
    if ctx.listing:
        where = t.location(at if at >= 0 else start)
        ctx.decided.append(Decision(key, where.path, where.line, where.column, NAME, text,
                                    decision, target, evidence))
    return person if decision == "name" else None


def _decide(ctx: Context, t: Text, what: str, start: int, end: int, decision: str,
            evidence: str) -> str:
    """The decision in force on ``t.text[start:end]`` (a correction, an ellipsis): the
    importer's, or the editor's where a row says otherwise; listed for review."""
    text = t.text
    ctx.items += 1
    if not wanted(ctx, what, text[start:end]):
        return decision
    key = review_key(ctx.doc_id, what, text[start:end], text[max(0, start - _WINDOW):start],
                     text[end:end + _WINDOW], ctx.keys_seen)
    ruling = ctx.decisions.find(key) if ctx.decisions is not None else None
    verdict = ruling.verdict(decision) if ruling is not None else ""
    if ruling is not None and verdict:
        ctx.reviewed[key] = (verdict, ruling)
        decision, evidence = ruling.decision, f"editor's decision ({ruling.cite})"
    if ctx.listing:
        where = t.location(start)
        ctx.decided.append(Decision(key, where.path, where.line, where.column, what,
                                    text[start:end], decision, "", evidence))
    return decision


def _source_text(nodes: list[Any]) -> str:
    """A name's words as the source writes them ("SED", not its expansion; "Mao Zeong")."""
    out = []
    for n in nodes:
        if isinstance(n, Pair):
            out.append(n.name)
        elif isinstance(n, Supplied):
            out.append("[" + _source_text(n.children) + "]")
        else:
            out.append(_source_text(n.children) if isinstance(n, Named | Marked)
                       else _plain_text([n]))
    return "".join(out)


def _plain_text(nodes: list[Any]) -> str:
    out = []
    for n in nodes:
        if isinstance(n, str):
            out.append(n)
        elif isinstance(n, Named | Marked | Supplied):
            out.append(_plain_text(n.children))
        elif isinstance(n, Choice):
            out.append(n.text)
    return "".join(out)


def _untagged(nodes: list[Any]) -> list[Any]:
    """``nodes`` without Named wrappers (a name inside a name is not tagged twice)."""
    out: list[Any] = []
    for n in nodes:
        if isinstance(n, Named):
            for c in _untagged(n.children):
                _append_text(out, c) if isinstance(c, str) else out.append(c)
        elif isinstance(n, str):
            _append_text(out, n)
        else:
            out.append(n)
    return out


def _plain(t: Text, ctx: Context, part: str, start: int, end: int, out: list[Any]) -> None:
    """Unbracketed text: bare ellipses, then lexicon corrections."""
    if start >= end:
        return
    text = t.text
    if ctx.profile.bare_ellipsis == "gap" and _may_hold_ellipsis(text, start, end):
        pos = start
        for m in _ELLIPSIS.finditer(text, start, end):
            mark, at = m.group(), m.start()
            if mark in ("....", ". . . .") and at and _ends_sentence(text[at - 1]):
                # "delegation...." is a full stop, then an omission: the stop stays text.
                at += 1 if mark == "...." else 2
                mark = mark[at - m.start():]
            if ctx.keyed and _decide(ctx, t, ELLIPSIS, at, at + len(mark), "omission",
                                     "an ellipsis marks words left out") == "none":
                continue  # the editor's: the dots are the text's own
            _words(t, ctx, part, pos, at, out)
            out.append(Gap("omitted", rend=ellipsis_rend(mark)))
            ctx.counts.gaps += 1
            pos = at + len(mark)
        _words(t, ctx, part, pos, end, out)
    else:
        _words(t, ctx, part, start, end, out)


def _may_hold_ellipsis(text: str, start: int, end: int) -> bool:
    # A cheap test before the (slow to scan) ellipsis regex.
    return text.find("..", start, end) >= 0 or text.find("…", start, end) >= 0 or \
        text.find(". .", start, end) >= 0


def _words(t: Text, ctx: Context, part: str, start: int, end: int, out: list[Any]) -> None:
    if start >= end:
        return
    pos = start
    if ctx.matcher is not None and part in ctx.profile.lexicon_parts:
        matches = ctx.corrections(t)
        for s, e, entry in matches[bisect.bisect_left(matches, (start,)):]:
            if e > end:
                break
            if ctx.keyed and _decide(
                    ctx, t, CORRECTION, s, e, "corrected",
                    f"the lexicon corrects {t.text[s:e]!r} as {entry.corr!r}") == "none":
                continue  # the editor's: as written here
            _append_text(out, t.text[pos:s])
            out.append(Choice(entry, t.text[s:e]))
            ctx.counts.corrections += 1
            pos = e
    _append_text(out, t.text[pos:end])


# Parts whose words are checked against the English word list (not the citation: book
# titles in romanised Chinese or Russian are not misspellings).
_SPELLED = frozenset({"title", "summary", "body"})
_REFERRING = frozenset(PRONOUNS | ROLE_WORDS)
# A bracket, with the letters glued to it ("Dep[uty]"): fragments are no misspellings.
_BRACKETED = re.compile(r"\w*\[[^\[\]]*\]\w*")
_CAPITALISED = frozenset(m.lower() for m in MONTH_NAMES) | frozenset(
    "monday tuesday wednesday thursday friday saturday sunday".split())


def _spelling(t: Text, ctx: Context, start: int, end: int, outside_brackets: bool = False
              ) -> None:
    """Warn once per document and word about probable misspellings outside the lexicon."""
    segment = t.text[start:end]
    # Most paragraphs hold only tokens seen before that can give no warning: a set
    # difference at C speed passes them over.
    quiet = _QUIET.setdefault(ctx.register, set())
    tokens = ctx.tokens(t) if start == 0 and end == len(t.text) else set(segment.split())
    if tokens <= quiet:
        return
    if outside_brackets and "[" in segment:
        segment = _BRACKETED.sub(lambda m: " " * len(m.group()), segment)
    if "://" in segment or "www." in segment:
        segment = _URL.sub(lambda m: " " * len(m.group()), segment)
    if ctx.matcher is not None:  # what the lexicon corrects is not checked again
        for s, e, _ in ctx.corrections(t):
            if s < end and e > start:
                a, b = max(s, start) - start, min(e, end) - start
                segment = segment[:a] + " " * (b - a) + segment[b:]
    if len(quiet) > 1 << 20:
        quiet.clear()
    quiet.update(tok for tok in tokens - quiet
                 if not any(_misspelling(w, ctx.register) for w in token_unknown(tok)))
    left = set(segment.split())
    if left <= quiet:  # "Mao Zeong," blanked out: what is left can give no warning
        return
    for word in sorted(unknown_words(segment, left), key=segment.find):  # in text order
        if word in ctx.spelled:
            continue
        ctx.spelled.add(word)
        found = _misspelling(word, ctx.register)
        if found is not None:
            better, why = found
            at = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", segment)
            ctx.warnings.append(Finding(
                t.location(start + (at.start() if at else 0)), "misspelling",
                f"{word!r} may be a misspelling of {better!r} ({why}); "
                "add it to the lexicon if it is (tei lexicon suggest drafts the rows)",
                (word, better)))


# Per persons register: tokens (as written) whose words can give no misspelling warning.
_QUIET: dict[Index | None, set[str]] = {}
# Per persons register and lexicon: tokens quiet and clean (no near-miss suspect in them). Both
# are facts about the token alone, so this holds whenever the quiet and clean sets are cleared.
_HARMLESS: dict[tuple[Index | None, Matcher | None], set[str]] = {}


@lru_cache(maxsize=1 << 16)
def _misspelling(word: str, register: Index | None) -> tuple[str, str] | None:
    """(what ``word`` may misspell, why) or None. A capitalised word the English word list
    does not know is a name ("Zhou" is no "Thou"), unless what it misspells is a word English
    capitalises (a month or a weekday) or a name in the persons register ("Vyshinskyy")."""
    better = suggestion(word)
    if better is not None and (word[:1].islower() or better.lower() in _CAPITALISED):
        return better, "not in the English word list"
    if word[:1].isupper() and register is not None:
        near = register.near(word)
        if near is not None:
            return near, "one letter from a name in the persons register"
    return None


_NO_TEXT = Text("", "<none>", (), ())


def _append_text(out: list[Any], s: str) -> None:
    if not s:
        return
    if out and isinstance(out[-1], str):
        out[-1] += s
    else:
        out.append(s)


def _bracket(t: Text, ctx: Context, part: str, start: int, end: int, out: list[Any]) -> None:
    """One bracketed span ``t.text[start:end]`` (without the brackets): the first of
    ``_READERS`` that knows its form takes it, else the classifier decides its class."""
    inner = t.text[start:end]
    if ctx.keyed:
        _keyed_bracket(t, ctx, part, start, end, inner, out)
    else:
        _read_bracket(t, ctx, part, start, end, inner, out)


def _keyed_bracket(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                   out: list[Any]) -> None:
    """A bracket under review: keyed, and encoded as the editor's decision says if one does
    (review.py), else as the importer reads it."""
    text = t.text
    explained = len(ctx.explained)
    if not wanted(ctx, BRACKET, inner):
        _read_bracket(t, ctx, part, start, end, inner, out)
        if explained < len(ctx.explained) and ctx.explained[explained].text is inner:
            ctx.items += 1  # (this bracket's record: the very string, not an inner one's)
        return
    key = review_key(ctx.doc_id, BRACKET, inner, text[max(0, start - 1 - _WINDOW):start - 1],
                     text[end + 1:end + 1 + _WINDOW], ctx.keys_seen)
    ruling = ctx.decisions.find(key) if ctx.decisions is not None else None
    if ruling is None:
        _read_bracket(t, ctx, part, start, end, inner, out)
    elif ruling.status == "changed":
        _ruled(t, ctx, part, start, end, inner, out, ruling)
        ctx.reviewed[key] = ("changed", ruling)
    else:
        # Accepted ("ok"), or changed in a cell (a file without the importer column: perhaps
        # not at all): the editor's decision where it says otherwise than the importer.
        undo = _Undo(ctx, out)
        _read_bracket(t, ctx, part, start, end, inner, out)
        if explained == len(ctx.explained) or ctx.explained[explained].kind != ruling.decision:
            undo(ctx, out)
            _ruled(t, ctx, part, start, end, inner, out, ruling)
            ctx.reviewed[key] = ("changed", ruling)
        elif ruling.status == "ok":
            ctx.explained[explained].evidence += f"; accepted by the editor ({ruling.cite})"
            ctx.reviewed[key] = ("ok", ruling)
    if explained < len(ctx.explained) and ctx.explained[explained].text is inner:
        ctx.explained[explained].key = key
        ctx.items += 1


def wanted(ctx: Context, what: str, text: str) -> bool:
    """Does an item need its key: is it listed, or may a row of the editor's be its?"""
    return ctx.listing or what in ctx.ruled_whats and (what, norm(text)) in ctx.ruled_texts


def _read_bracket(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                  out: list[Any]) -> None:
    for reader in _READERS:
        if reader(t, ctx, part, start, end, inner, out):
            return
    _classified(t, ctx, part, start, end, inner, out)


class _Undo:
    """What reading a bracket changes, kept to be put back (when the editor decided
    otherwise)."""

    def __init__(self, ctx: Context, out: list[Any]) -> None:
        self.out = list(out)
        self.counts = Counts(ctx.counts.supplied, ctx.counts.gaps, ctx.counts.corrections,
                             ctx.counts.notes)
        self.explained, self.warnings = len(ctx.explained), len(ctx.warnings)
        self.used = list(ctx.used)
        self.keys_seen = dict(ctx.keys_seen)
        self.anchors = dict(ctx.anchors)

    def __call__(self, ctx: Context, out: list[Any]) -> None:
        out[:] = self.out
        ctx.counts = self.counts
        del ctx.explained[self.explained:]
        del ctx.warnings[self.warnings:]
        for name in list(ctx.used)[len(self.used):]:
            del ctx.used[name]
        ctx.keys_seen = self.keys_seen
        ctx.anchors = self.anchors


def _ruled(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
           out: list[Any], ruling: Ruling) -> None:
    """A bracket encoded as the editor decided, exactly as the importer encodes that class,
    and marked as the editor's (its @resp names the editor too)."""
    evidence = f"editor's decision ({ruling.cite})"
    if ruling.decision == NOTE_ON_ORIGINAL:
        _on_original(t, ctx, part, start, inner, out, "editor", evidence)
    elif ruling.decision == SUMMARY:
        out.append(Flag("summary", inner))
        ctx.counts.notes += 1
        ctx.explained.append(Explained(t.location(start - 1), inner, SUMMARY, evidence,
                                       "editor"))
    else:
        before = t.text[max(0, start - 1 - _WINDOW):start - 1]
        _classified(t, ctx, part, start, end, inner, out,
                    Verdict(ruling.decision, evidence, name=paired_name(ruling.decision, before),
                            rule="editor"))
    if out and isinstance(out[-1], Supplied | Gloss | Pair | Flag):
        out[-1].editor = True


def _omission(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
              out: list[Any]) -> bool:
    """[...], […], [. . .]: words left out."""
    if not _ELLIPSIS.fullmatch(inner):
        return False
    out.append(Gap("omitted", rend=ellipsis_rend(f"[{inner}]")))
    ctx.counts.gaps += 1
    return True


def _illegible(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
               out: list[Any]) -> bool:
    """[illegible], [two words illegible], [3 lines unreadable]: a gap, with its extent."""
    # An ASCII bracket without the words an illegibility note needs is none (the regex,
    # case-insensitive, is slow to say so).
    m = _ILLEGIBLE.fullmatch(inner) if not inner.isascii() or any(
        w in inner.lower() for w in _ILLEGIBLE_WORDS) else None
    if not m:
        return False
    q = m["q"]
    unit = m["u1"] or m["u2"]
    gap = Gap("illegible", desc=inner)
    if unit:
        gap.unit = _plural(unit.lower())
        if q is None and not unit.lower().endswith("s"):
            gap.quantity = 1
    if q is not None:
        if q.isdigit() or q.lower() in _NUMBERS:
            gap.quantity = int(q) if q.isdigit() else _NUMBERS[q.lower()]
        else:
            gap.extent = f"{q} {unit}"
    out.append(gap)
    ctx.counts.gaps += 1
    return True


def _flagged(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
             out: list[Any]) -> bool:
    """[sic], [?]: the archive's flag on the words before."""
    m = _FLAG.fullmatch(inner)
    if not m:
        return False
    _flag(Flag("sic" if m["sic"] else "query", inner), out)
    ctx.counts.notes += 1
    return True


def _source_note(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                 out: list[Any]) -> bool:
    """"[emphasis in the original]", "[handwritten]", "[stamp]": what the original document
    shows, said by the archive; no words of the text."""
    if not _SOURCE_NOTE.fullmatch(inner):
        return False
    return _on_original(t, ctx, part, start, inner, out, "source_note")


def _on_original(t: Text, ctx: Context, part: str, start: int, inner: str, out: list[Any],
                 rule: str, evidence: str = "describes the original document") -> bool:
    """A note of the archive on what the original document shows; brackets inside it
    ("[Margin note: seen [Z.] 4 May]") are read as everywhere."""
    children = parse_inline(t, ctx, part, start, start + len(inner)) if "[" in inner else None
    out.append(Flag("source", inner, children=children))
    ctx.counts.notes += 1
    ctx.explained.append(Explained(t.location(start - 1), inner, "source", evidence, rule))
    return True


def _labelled_note(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                   out: list[Any]) -> bool:
    """"[Translator's note: ...]": a note, its type from the profile's labels."""
    m = ctx.profile.note_pattern.match(inner) if ":" in inner else None
    if not m:
        return False
    label = m["label"]
    children = parse_inline(t, ctx, part, start + m.start("rest"), end)
    out.append(Note(ctx.profile.note_type(label), label, children))
    ctx.counts.notes += 1
    return True


def _footnote_anchor(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                     out: list[Any]) -> bool:
    """[1] in the body, when a final paragraph starts with [1]: the footnote's anchor."""
    if part != "body" or inner not in ctx.footnotes:
        return False
    ctx.anchors[inner] = ctx.anchors.get(inner, 0) + 1
    out.append(Anchor(inner, ctx.anchors[inner]))
    return True


def _double_brackets(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                     out: list[Any]) -> bool:
    """[[A. B. Petrov]], [[three words illegible]]: the translator's mark of an uncertain
    reading, or of words that cannot be read."""
    if not (inner.startswith("[") and inner.endswith("]") and len(inner) > 2) or \
            "[" in inner[1:-1] or "]" in inner[1:-1]:
        return False
    words = inner[1:-1]
    if _says(words, _UNREADABLE_WORDS) and _UNREADABLE.fullmatch(words):
        out.append(Gap("illegible", desc=words, rend="double-brackets"))
        ctx.counts.gaps += 1
    else:
        out.append(Marked("unclear", parse_inline(t, ctx, part, start + 1, end - 1),
                          double=True))
        ctx.counts.notes += 1
    return True


def _described_gap(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                   out: list[Any]) -> bool:
    """[two pages omitted], [illegible name]: words that say words are missing or cannot be
    read are a gap, its description kept."""
    if _says(inner, _UNREADABLE_WORDS) and _UNREADABLE.fullmatch(inner):
        out.append(Gap("illegible", desc=inner))
    elif _says(inner, _OMITTED_WORDS) and _OMITTED.fullmatch(inner):
        out.append(Gap("omitted", desc=inner))
    else:
        return False
    ctx.counts.gaps += 1
    return True


def _document_note(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                   out: list[Any]) -> bool:
    """[faded stamp: 0451], [added by hand], [Draft] in a title: what the original document
    shows, not words of the text."""
    if " " not in inner.strip() and re.search(r"[a-z,] \Z", t.text[max(0, start - 3):start - 1]) \
            and re.match(r" [a-z]", t.text[end + 1:end + 3]):
        return False  # "the treaty was [signed] in May": one word inside a sentence
    if not ((_says(inner, _DOCUMENT_WORDS) and _DOCUMENT_NOTE.fullmatch(inner)) or
            (_says(inner, _CLASSIFIED_WORDS) and _CLASSIFIED.fullmatch(inner)) or
            (part == "title" and _TITLE_NOTE.fullmatch(inner)) or
            _block_on_its_lines(t, start, end, inner) or
            (sum(c.isdigit() for c in inner) >= 2 and "," in inner
             and _ARCHIVE_REFERENCE.fullmatch(inner))):
        return False
    return _on_original(t, ctx, part, start, inner, out, "document_note")


def _block_on_its_lines(t: Text, start: int, end: int, inner: str) -> bool:
    """A bracket of several lines that starts a line and ends one ("[Stamp:" ... "No. 1234]"):
    a stamp or registration block of the original, no words of a sentence."""
    text = t.text
    return "\n" in inner.strip() and inner[:1].isupper() and \
        (start == 1 or text[start - 2] == "\n") and text[end + 1:end + 2] in ("", "\n")


def _summary_paragraph(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                       out: list[Any]) -> bool:
    """A paragraph that is all one bracket of a sentence or more ("[The rest of the letter
    lists the delegates.]", "[Harvest.]"): the editors' summary of what the translation leaves out, a note
    and no words of the text."""
    if part != "body" or start != 1 or end != len(t.text) - 1 or \
            (len(inner.split()) < 6 and not inner.rstrip().endswith(".")) \
            or inner[:1].islower() or "\n" in inner:
        return False
    out.append(Flag("summary", inner))
    ctx.counts.notes += 1
    ctx.explained.append(Explained(t.location(start - 1), inner, "summary",
                                   "a whole paragraph in brackets: the editors' summary",
                                   "summary_paragraph"))
    return True


def _lone_marker(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                 out: list[Any]) -> bool:
    """[3] in the body with no note in the export (an excerpt stops before the notes): a
    footnote marker all the same, and a warning that its note is missing."""
    if part != "body" or not _MARKER.fullmatch(inner) or t.text[end + 1:end + 2].isdigit():
        return False
    ctx.anchors[inner] = ctx.anchors.get(inner, 0) + 1
    out.append(Anchor(inner, ctx.anchors[inner]))
    ctx.warnings.append(Finding(
        t.location(start - 1), "lone-footnote-marker",
        f"[{inner}] is a footnote marker, but no final paragraph starts with [{inner}] (an "
        "excerpt?): kept as a marker whose note is missing"))
    return True


_READERS: tuple[Callable[[Text, Context, str, int, int, str, list[Any]], bool], ...] = (
    _double_brackets, _omission, _illegible, _described_gap, _flagged, _source_note,
    _document_note, _labelled_note, _footnote_anchor, _lone_marker, _summary_paragraph)


def _classified(t: Text, ctx: Context, part: str, start: int, end: int, inner: str,
                out: list[Any], ruled: Verdict | None = None) -> None:
    """Words in brackets: the classifier (brackets.RULES) says which class they are, unless
    the editor did (``ruled``)."""
    where = t.location(start - 1)
    if not inner.strip():
        ctx.warnings.append(Finding(where, "empty-brackets",
                                    "empty square brackets; encoded as an empty <supplied/>"))
    # The words next to the bracket decide; a bounded window keeps this linear.
    verdict = ruled if ruled is not None else classify(
        t.text[max(0, start - 1 - _WINDOW):start - 1], inner, t.text[end + 1:end + 1 + _WINDOW],
        part, ctx.lexicon_reg, ctx.language, ctx.register) if inner.strip() \
        else Verdict(SUPPLEMENT, "no words", rule="no_words")
    if verdict.kind in (EXPANSION, RESPELLING):
        if _paired(t, ctx, part, start, end, inner, out, verdict):
            return
        # The name is not plain text (a lexicon correction, say): the bracket still says
        # who or what is meant.
        kind = IDENTIFICATION if verdict.kind == RESPELLING else SUPPLEMENT
        verdict = Verdict(kind, verdict.evidence + ", but the words before it are not plain "
                                                   f"text: {kind}", rule=verdict.rule)
    kind = verdict.kind
    ctx.explained.append(Explained(where, inner, kind, verdict.evidence, verdict.rule,
                                   certain=not verdict.weak and verdict.rule != "default"))
    if verdict.weak:
        ctx.warnings.append(Finding(where, "bracket-class", f"[{inner}] {verdict.weak}"))
    if kind in (SUPPLEMENT, COMPLETION) and part in _SPELLED and ctx.profile.near_misses \
            and verdict.rule != "glued_to_word":  # a word's fragment is no misspelling
        _spelling(t, ctx, start, end)
    children = [inner] if _just_text(t, ctx, part, start, end) else \
        parse_inline(t, ctx, part, start, end)
    if kind in (SUPPLEMENT, COMPLETION):
        out.append(Supplied(children, reason="completion" if kind == COMPLETION else None))
        ctx.counts.supplied += 1
        return
    # Any other class is a note in brackets, encoded as the span of its name (spans.py).
    out.append(Gloss(kind, children, ctx.language if kind == ORIGINAL else None))
    ctx.counts.notes += 1


def _paired(t: Text, ctx: Context, part: str, start: int, end: int, inner: str, out: list[Any],
            verdict: Verdict) -> bool:
    """An expansion or another spelling, when the name before it is plain text: the name
    and the bracket become one pair."""
    prev = out[-1] if out else None
    if not (isinstance(prev, str) and prev.endswith(verdict.name + " ")):
        return False
    head = prev[:len(prev) - len(verdict.name) - 1]
    out.pop()
    if head:
        out.append(head)
    out.append(Pair(verdict.kind, verdict.name, parse_inline(t, ctx, part, start, end)))
    ctx.counts.notes += 1
    ctx.explained.append(Explained(t.location(start - 1), inner, verdict.kind,
                                   verdict.evidence, verdict.rule))
    return True


def _just_text(t: Text, ctx: Context, part: str, start: int, end: int) -> bool:
    """Is ``t.text[start:end]`` (a bracket's words) plain text, with no omission, lexicon
    correction or registered name in it? Then parse_inline would give it back unchanged."""
    text = t.text
    if ctx.profile.bare_ellipsis == "gap" and _may_hold_ellipsis(text, start, end):
        return False
    if ctx.matcher is not None and part in ctx.profile.lexicon_parts:
        matches = ctx.corrections(t)
        k = bisect.bisect_left(matches, (start,))
        if k < len(matches) and matches[k][0] < end:
            return False
    if ctx.register is not None and part in _SPELLED and ctx.register.find(text[start:end]):
        return False
    if text.find("[", start, end) >= 0:
        return False  # a bracket inside the bracket: read it too
    return start < end


def _plural(unit: str) -> str:
    unit = {"char": "chars", "character": "chars", "characters": "chars"}.get(unit, unit)
    return unit if unit.endswith("s") else unit + "s"


def _flag(flag: Flag, out: list[Any]) -> None:
    """Attach [sic] / [?] to what precedes it, then keep the flag itself as a note."""
    prev = out[-1] if out else None
    if flag.type == "query" and isinstance(prev, Supplied):
        prev.cert = "low"
    elif isinstance(prev, str):
        m = _TRAILING_WORD.search(prev)
        if m:
            before = prev[: m.start()]
            out.pop()
            if before:
                out.append(before)
            out.append(Marked("sic" if flag.type == "sic" else "unclear", [m.group(1)]))
            if m.group(2):
                out.append(m.group(2))
    out.append(flag)
