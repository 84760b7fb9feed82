"""Editorial conventions, declared once: which brackets and ellipses become which TEI.

The default lives in ``data/default-profile.toml``; a user's profile file has the same keys
and replaces only what it names. The same profile produces the prose of ``editorialDecl``,
so the header always states the conventions that were actually applied.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import Location, ProfileError
from . import pickling
from .source import xml_unsafe

PARTS = ("title", "citation", "summary", "body")


@dataclass(frozen=True)
class Profile:
    name: str
    id_prefix: str
    encoder: str
    archive: str
    supplied_reason: str
    bare_ellipsis: str  # "gap" or "text"
    note_labels: tuple[tuple[str, str], ...]  # (label as written, note type)
    lexicon_parts: frozenset[str]
    near_misses: bool
    canonical_url: str = ""  # "https://…/document/{id}"
    mirror_hosts: frozenset[str] = frozenset()
    # The corrected reading (tei export --reading corrected): original wording "bracketed"
    # or "dropped"; an acronym's expansion at its "first" bracket only, or at "every" one.
    reading_original: str = "bracketed"
    reading_expansions: str = "first"
    origin: str = "default"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickling.reduce(self)  # picklable when compiled

    def archive_address(self, url: str) -> tuple[str | None, str | None]:
        """The address to publish for an export's ``url``, and the test-mirror host ``url``
        names (None when it names none).

        A mirror's ``/document/<id or slug>`` is the archive's own ``/document/<id or
        slug>`` (``canonical_url``). Any other mirror address has none to publish: a
        ``/node/N`` number is the mirror's, not the archive's document number, so it is
        left out rather than guessed. A URL on any other host is published as written.
        """
        host = url_host(url)
        if host is None or host not in self.mirror_hosts:
            return url, None
        m = _MIRROR_DOCUMENT.search(url)
        if m is None or not self.canonical_url:
            return None, host
        return self.canonical_url.format(id=m["record"]), host

    @classmethod
    def default(cls) -> "Profile":
        return _DEFAULT

    @classmethod
    def load(cls, path: str | Path | None) -> "Profile":
        """The default profile, with the values of the TOML file at ``path`` laid over it."""
        if path is None:
            return _DEFAULT
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ProfileError(f"cannot read: {exc.strerror}", Location(str(path))) from None
        except UnicodeDecodeError:
            raise ProfileError("not UTF-8", Location(str(path))) from None
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            loc = Location(str(path), int(m[1]), int(m[2])) if m else Location(str(path))
            raise ProfileError(f"not valid TOML: {str(exc).split(' (at')[0]}", loc) from None
        return _from_dict(_merge(_default_data(), data, str(path)), str(path))

    @property
    def note_pattern(self) -> re.Pattern[str]:
        return _note_pattern(self.note_labels)

    def note_type(self, label: str) -> str:
        key = label.rstrip(": \t").casefold()
        for written, kind in self.note_labels:
            if written.casefold() == key:
                return kind
        return "editor"

    def statements(self, lexicon_sources: list[str], lexicon_size: int,
                   register_sources: tuple[str, ...] = (), register_size: int = 0
                   ) -> list[tuple[str, str]]:
        """(editorialDecl child, prose) pairs describing this profile, in document order.

        In the prose, ``{name}`` names an element and ``@name`` an attribute; the TEI builder
        encodes them as ``<gi>`` and ``<att>``.
        """
        gaps = (
            "Bare ellipses (..., ...., …, . . .) and bracketed ones ([...], […], [. . .]) mark "
            "omissions and are encoded as {gap} with @reason \"omitted\"; @rend records the "
            "exact form of the mark."
            if self.bare_ellipsis == "gap"
            else "Bracketed ellipses ([...], […], [. . .]) mark omissions and are encoded as "
            "{gap} with @reason \"omitted\" and @rend recording their form; bare ellipses are "
            "kept as punctuation."
        )
        labels = ", ".join(sorted({label for label, _ in self.note_labels}))
        where = ", ".join(p for p in PARTS if p in self.lexicon_parts) or "nowhere"
        lex = (
            f"Reviewed corrections from a lexicon of {lexicon_size} entries "
            f"({', '.join(Path(s).name for s in lexicon_sources) or 'none'}) are applied to whole "
            f"words, longest match first, in: {where}. A misspelling is encoded as {{choice}} "
            "holding {sic} and {corr}, a variant spelling or romanisation as {choice} holding "
            "{orig} and {reg}; the archive's form is always kept."
        )
        return [
            ("p", f"Encoded with the editorial profile \"{self.name}\" "
                  f"({Path(self.origin).name})."),
            ("p", "Each pair of square brackets added by the translator or the archive's "
                  "editors is classified by what it means, from the words around it, and "
                  "encoded with @resp pointing to the translator where the citation names one, "
                  "otherwise to the archive: words supplied for sense as {supplied} with "
                  f"@reason \"{self.supplied_reason}\"; the completion of a name or date "
                  "([Liu] Shaoqi, 21 December [1949]) as {supplied} with @reason "
                  "\"completion\"; the identification of a name, code name, role or pronoun "
                  "(Filippov [Stalin]) as an inline {note} of type \"identification\"; the "
                  "original wording as an inline {note} of type \"original\" holding "
                  "{foreign} in the original language (\"-Latn\" where transliterated); the "
                  "expansion of an acronym (SED [Socialist Unity Party of Germany]) as {choice} "
                  "holding {abbr} and {expan}, and another spelling of a name (Phenian "
                  "[Pyongyang]) as {choice} holding {orig} and {reg}, both with @rend "
                  "\"bracketed\"; a translated title in the citation as {title} of type "
                  "\"translated\". Where the evidence for a class was weak, the bracket is a "
                  "supplement and the import said so."),
            ("p", gaps),
            ("p", "[illegible], [1 word illegible] and the like are encoded as {gap} with "
                  "@reason \"illegible\", and @quantity and @unit where the note gives them; "
                  "{desc} keeps the note's wording. A bracket saying that words are missing "
                  "([two pages omitted]) is a {gap} with @reason \"omitted\" and its wording in "
                  "{desc}. The translator's double brackets ([[...]]) are an uncertain reading, "
                  "encoded as {unclear}, or words that cannot be read, encoded as {gap}, both "
                  "with @rend \"double-brackets\"."),
            ("p", "[sic] is kept as an inline {note} of type \"sic\" and the word before it is "
                  "marked {sic}; [?] is kept as an inline {note} of type \"query\" and gives "
                  "the preceding supplement @cert \"low\", or marks the preceding word "
                  "{unclear}. A bracket that describes the original document ([emphasis in "
                  "the original], [handwritten], [stamp], a registry note, a reference to the "
                  "archive that keeps it) is kept as an inline {note} of type \"source\"; a "
                  "paragraph that is all one bracket, the editors' summary of what is left out, "
                  "as an inline {note} of type \"summary\"."),
            ("p", f"Bracketed notes introduced by a label ({labels}) are encoded as {{note}} with "
                  "@place \"inline\" and the label in {label}. Footnote markers [1] are encoded "
                  "as {anchor}, and the final paragraphs \"[1] ...\" as {note} with @place "
                  "\"end\" and @target pointing to their anchors; a marker whose note the "
                  "export does not hold stays an {anchor}. A bracket glued to a word "
                  "(Dep[uty], [19]57) completes it. A bracket without its other half is kept "
                  "as text, and a bracket inside a bracket is encoded inside the outer one."),
            ("correction", lex),
            ("normalization", "Spelling, capitalisation, punctuation and quotation marks are "
                              "those of the export. Only the layout is normalised: byte-order "
                              "mark, CRLF line ends, whitespace at line ends, blank lines at the "
                              "start and end of the file, and the line breaks of a wrapped "
                              "title. Line breaks inside a paragraph are encoded as {lb}."),
            ("interpretation", "The sender and addressees in {correspDesc} are read from the "
                               "title (\"Telegram, A to B, C, and D\"): honorifics, subjects, "
                               "trailing dates and \"(excerpt)\" are not names; in \"A to B "
                               "for C\" B transmits the message to C; the writer of an enclosed "
                               "message is named in a {note} of type \"enclosure\"; code names "
                               "are kept as written. Bodies such as a central committee are "
                               "encoded as {orgName}, individuals as {persName}; a person "
                               "\"in\" a place is the person. Minutes and records get no "
                               "{correspDesc}; a report from X names its sender only; nor does "
                               "a title that cannot be read with confidence get one."),
        ] + ([("interpretation", (
            f"Names that the persons register of {register_size} entries ("
            f"{', '.join(Path(s).name for s in register_sources)}) knows, as written, as a "
            "variant or as a code name, are encoded in the title, summary, body and "
            "{correspDesc} as {persName} or {orgName} with @ref to the entry in {standOff} "
            "({listPerson}, {listOrg}); a code name keeps its text and has @type \"codename\"; "
            "a pronoun or role that an identification names is encoded as {rs} with @ref. Each "
            "entry holds the preferred name, variants, code names and, in a {note} of type "
            "\"source\", where its facts can be checked."))] if register_size else [])


def url_host(url: str) -> str | None:
    """urllib's host of ``url`` ("" for none), or None when urllib cannot take it apart."""
    # The host depends on the scheme and the authority only: those are taken apart once per
    # distinct prefix (urllib is slow), unless the URL holds characters urllib strips.
    head = _URL_HEAD.match(url)
    return _hostname(head.group() if head and url.isprintable() and " " not in url else url)


_URL_HEAD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


@lru_cache(maxsize=256)
def _hostname(url: str) -> str | None:
    try:
        return urlparse(url).hostname or ""
    except ValueError:
        return None


@lru_cache(maxsize=32)
def _note_pattern(note_labels: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    labels = sorted((re.escape(label) for label, _ in note_labels), key=len, reverse=True)
    return re.compile(r"(?P<label>(?:" + "|".join(labels) + r")\s*:)(?P<rest>.*)\Z", re.S | re.I)


def default_text() -> str:
    """The default profile, as TOML with its comments: the file to start a profile from."""
    return resources.files("tei_toolkit").joinpath("data/default-profile.toml").read_text("utf-8")


def _default_data() -> dict[str, Any]:
    return tomllib.loads(default_text())


def _merge(base: dict[str, Any], over: dict[str, Any], path: str, where: str = "") -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        name = f"{where}{key}"
        if key not in base:
            raise ProfileError(f"unknown setting {name!r}; known: {', '.join(sorted(base))}",
                               Location(path))
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ProfileError(f"{name!r} must be a table", Location(path))
            out[key] = _merge(base[key], value, path, name + ".")
        else:
            out[key] = value
    return out


def _from_dict(d: dict[str, Any], origin: str) -> Profile:
    def need(cond: bool, message: str) -> None:
        if not cond:
            raise ProfileError(message, Location(origin))

    for key in ("name", "id_prefix", "encoder", "archive"):
        need(isinstance(d[key], str) and d[key].strip() != "", f"{key!r} must be a non-empty string")
        need(xml_unsafe(d[key]) is None, f"{key!r} holds a character XML cannot hold")
    need(re.fullmatch(r"[A-Za-z_][\w.-]*", d["id_prefix"]) is not None,
         "'id_prefix' must start with a letter and hold only letters, digits, '.', '-', '_'")
    reason = d["supplied"]["reason"]
    need(isinstance(reason, str) and re.fullmatch(r"[^\s]+", reason) is not None,
         "'supplied.reason' must be one word (it becomes an XML token)")
    need(d["ellipsis"]["bare"] in ("gap", "text"), "'ellipsis.bare' must be \"gap\" or \"text\"")
    labels: list[tuple[str, str]] = []
    for kind in ("translator", "editor"):
        value = d["notes"][kind]
        need(isinstance(value, list) and all(isinstance(v, str) and v for v in value),
             f"'notes.{kind}' must be a list of labels")
        labels += [(v, kind) for v in value]
    parts = d["lexicon"]["apply_in"]
    need(isinstance(parts, list) and set(parts) <= set(PARTS),
         f"'lexicon.apply_in' must list some of: {', '.join(PARTS)}")
    need(isinstance(d["lexicon"]["near_misses"], bool), "'lexicon.near_misses' must be true or false")
    canonical = d["archive_url"]["canonical"]
    mirrors = d["archive_url"]["mirrors"]
    need(isinstance(canonical, str) and (canonical == "" or re.fullmatch(
        r"https?://\S*\{id\}\S*", canonical) is not None),
        "'archive_url.canonical' must be an http(s) URL holding {id}, or empty")
    need(isinstance(mirrors, list) and all(isinstance(m, str) and m for m in mirrors),
         "'archive_url.mirrors' must be a list of host names")
    need(d["reading"]["original"] in ("bracketed", "dropped"),
         "'reading.original' must be \"bracketed\" or \"dropped\"")
    need(d["reading"]["expansions"] in ("first", "every"),
         "'reading.expansions' must be \"first\" or \"every\"")
    return Profile(
        name=d["name"], id_prefix=d["id_prefix"], encoder=d["encoder"], archive=d["archive"],
        supplied_reason=reason,
        bare_ellipsis=d["ellipsis"]["bare"], note_labels=tuple(labels),
        lexicon_parts=frozenset(parts), near_misses=d["lexicon"]["near_misses"],
        canonical_url=canonical, mirror_hosts=frozenset(m.lower() for m in mirrors),
        reading_original=d["reading"]["original"],
        reading_expansions=d["reading"]["expansions"], origin=origin,
    )


# The path of a document on a mirror: /document/<numeric id or slug>.
_MIRROR_DOCUMENT = re.compile(
    r"\A[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/document/(?P<record>[A-Za-z0-9][\w.-]*)/?\Z")

_DEFAULT = _from_dict(_default_data(), "default")
