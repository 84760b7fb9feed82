"""The persons register: who a name, a variant spelling or a code name stands for.

A TSV an editor keeps in a spreadsheet, like the lexicon (``corpus/persons.tsv``, bundled with
the package). Columns, named in a header line:

``id``
    the entry's xml:id in the TEI (``stalin``, ``ccp-cc``): letters, digits, ``-``, ``_``, ``.``;
``type``
    ``person`` or ``org``;
``name``
    the preferred name (``Joseph Stalin``);
``variants``
    other spellings and romanisations, separated by ``;`` (``Stalin; I. V. Stalin``);
``code_names``
    names the person signed or was called by in cables (``Filippov; Feng Xi``);
``source``
    where a reader can check what the row says (a URL, a reference work);
``note``
    optional, free text;
``viaf``, ``gnd``, ``lc``, ``wikidata``
    optional authority identifiers (``118642499``, ``n79006000``, ``Q855``): fill only what
    the ``source`` lets a reader check; a wrong identifier is worse than none;
``birth``, ``death``
    optional ISO dates or years (``1878-12-18``, ``1953``).

Blank lines and lines starting with ``#`` are skipped. Files given later (``--register``) add
entries; an id given again replaces the earlier entry. One form may belong to one entry only:
a name two entries claim is an error, because the importer could not say whom it means.

A form is matched as written and in capitals (telegrams write ``FILIPPOV``), as whole words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import Location, RegisterError
from . import pickling, tsv

KINDS = ("person", "org", "place")
COLUMNS = ("id", "type", "name", "variants", "code_names", "source", "note", "viaf", "gnd",
           "lc", "wikidata", "geonames", "birth", "death", "lat", "long")
# Authority files: identifier shape and URI. correspSearch takes the http:// forms.
AUTHORITIES = {
    "gnd": (re.compile(r"[0-9X-]{6,11}"), "http://d-nb.info/gnd/{}"),
    "viaf": (re.compile(r"[0-9]{1,22}"), "http://viaf.org/viaf/{}"),
    "lc": (re.compile(r"n[a-z]?[0-9]{6,10}"), "http://id.loc.gov/authorities/names/{}"),
    "wikidata": (re.compile(r"Q[0-9]+"), "http://www.wikidata.org/entity/{}"),
    "geonames": (re.compile(r"[0-9]{1,10}"), "http://www.geonames.org/{}"),
}
_DEGREES = re.compile(r"-?[0-9]{1,3}(?:\.[0-9]+)?")
_DATE = re.compile(r"-?[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")
# Ids the importer writes itself (respStmt ids, footnotes and their anchors).
_RESERVED = re.compile(r"(?:encoder|archive|translator|editor|fn\d.*)")
# A run of capitalised words (with the particles names hold), where names are looked for.
_RUN = re.compile(r"(?<![\w'’])[A-ZÀ-Þ][\w'’.-]*(?:[ ](?:[A-ZÀ-Þ][\w'’.-]*|de|van|von|der|al|bin|"
                  r"la|le|du|da|dos|y))*")
_CAPITALISED = re.compile(r"[A-ZÀ-Þ][\w'’.-]*")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


@dataclass(frozen=True)
class Person:
    """One register entry: a person or a body."""

    id: str
    kind: str  # "person" or "org"
    name: str
    variants: tuple[str, ...] = ()
    code_names: tuple[str, ...] = ()
    source: str = ""
    note: str = ""
    origin: str = ""  # file:line, for messages
    ids: tuple[tuple[str, str], ...] = ()  # (authority, identifier), in AUTHORITIES order
    birth: str = ""
    death: str = ""
    geo: str = ""  # "latitude longitude", for a place

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickling.reduce(self)  # picklable when compiled

    def uris(self) -> list[tuple[str, str]]:
        """(authority, URI) for each identifier the entry has."""
        return [(name, AUTHORITIES[name][1].format(value)) for name, value in self.ids]

    @property
    def tag(self) -> str:
        """The TEI element for the entry's names: persName, orgName or placeName."""
        return {"org": "orgName", "place": "placeName"}.get(self.kind, "persName")

    def forms(self) -> Iterator[tuple[str, str]]:
        """(form, how): how is "name", "variant" or "code name"."""
        yield self.name, "name"
        for v in self.variants:
            yield v, "variant"
        for c in self.code_names:
            yield c, "code name"


@dataclass(frozen=True)
class Hit:
    """A register form found in a text."""

    start: int
    end: int
    person: Person
    how: str  # "name", "variant", "code name"


@dataclass
class Register:
    entries: dict[str, Person] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    # The lookup index, once asked for (a declared attribute, so the module compiles).
    _index: "Index | None" = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index = None  # compiled, a field outside __init__ has no default of its own

    # -- building -------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, path: str = "<register>") -> "Register":
        reg = cls(sources=[path])
        header: list[str] | None = None
        for n, cells in tsv.rows(text, path, RegisterError):
            if header is None:
                header = tsv.header(cells, ("id", "type", "name"), path, n, RegisterError)
                unknown = [c for c in header if c not in COLUMNS]
                if unknown:
                    raise RegisterError(f"unknown column {unknown[0]!r}; the columns are "
                                        + ", ".join(COLUMNS),
                                        Location(path, n, header.index(unknown[0]) + 1))
                continue
            person = _row(dict(zip(header, cells)), header, path, n)
            if person.id in reg.entries:
                raise RegisterError(f"id {person.id!r} is listed twice (first at "
                                    f"{reg.entries[person.id].origin})",
                                    Location(path, n, header.index("id") + 1))
            reg.entries[person.id] = person
        if header is None:
            raise RegisterError("the register is empty: it needs a header line "
                                "'id<TAB>type<TAB>name'", Location(path, 1, 1))
        reg._check_forms()
        return reg

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> "Register":
        """Read register files in order; a later file's entry replaces one with its id."""
        reg = cls()
        for p in paths:
            reg = reg.merged(cls.parse(tsv.read(p, RegisterError), str(p)))
        return reg

    @classmethod
    def default(cls) -> "Register":
        """The reviewed register that ships with the toolkit (``corpus/persons.tsv``)."""
        return _default()

    def merged(self, other: "Register") -> "Register":
        reg = Register({**self.entries, **other.entries}, self.sources + other.sources)
        reg._check_forms()
        return reg

    def _check_forms(self) -> None:
        seen: dict[str, Person] = {}
        for person in self.entries.values():
            for form, _ in person.forms():
                other = seen.get(form)
                if other is not None and other.id != person.id:
                    raise RegisterError(
                        f"{form!r} is claimed by {other.id} ({other.origin}) and {person.id}: "
                        "a name may stand for one entry only",
                        Location(*_split_origin(person.origin)))
                seen[form] = person

    def __len__(self) -> int:
        return len(self.entries)

    # -- looking up -----------------------------------------------------------------------
    @property
    def index(self) -> "Index":
        """The lookup index, built once per distinct register (and kept with this one)."""
        found = self._index
        if found is None:
            key = tuple(sorted((p.id, p.kind, p.name, p.variants, p.code_names)
                               for p in self.entries.values()))
            found = _indexes.get(key)
            if found is None:
                found = _indexes[key] = Index(self)
            self._index = found
        return found

    def __getstate__(self) -> dict[str, Any]:
        # The index holds caches; a worker process builds its own.
        return {"entries": self.entries, "sources": self.sources}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.entries, self.sources, self._index = state["entries"], state["sources"], None


def _row(row: dict[str, str], header: list[str], path: str, n: int) -> Person:
    """One row of a register file as an entry; RegisterError at the cell that is wrong."""

    def where(column: str) -> Location:
        return Location(path, n, header.index(column) + 1)

    pid, kind, name = row.get("id", ""), row.get("type", "").lower(), row.get("name", "")
    if not _ID.fullmatch(pid):
        raise RegisterError(f"id {pid!r} is not an XML name (letters, digits, '-', '_', "
                            "'.'; not starting with a digit)", where("id"))
    if _RESERVED.fullmatch(pid):
        raise RegisterError(f"id {pid!r} is one the importer writes itself; choose another",
                            where("id"))
    if kind not in KINDS:
        raise RegisterError(f"unknown type {kind!r}; use person, org or place", where("type"))
    if not name:
        raise RegisterError("an entry needs a name", where("name"))
    ids = []
    for authority, (shape, _) in AUTHORITIES.items():
        value = row.get(authority, "")
        if value and not shape.fullmatch(value):
            raise RegisterError(f"{value!r} is not a {authority.upper()} identifier "
                                f"(expected the shape {shape.pattern})", where(authority))
        if value:
            ids.append((authority, value))
    for column in ("birth", "death"):
        if row.get(column) and not _DATE.fullmatch(row[column]):
            raise RegisterError(f"{column} {row[column]!r} is not an ISO date or year",
                                where(column))
    geo = ""
    if row.get("lat") or row.get("long"):
        for column, limit in (("lat", 90), ("long", 180)):
            value = row.get(column, "")
            if not _DEGREES.fullmatch(value) or abs(float(value)) > limit:
                raise RegisterError(f"{column} {value!r} is not a number of degrees within "
                                    f"±{limit} (give both lat and long)",
                                    where(column) if column in header else where("id"))
        geo = f"{row['lat']} {row['long']}"
    return Person(pid, kind, name, _list(row.get("variants", "")),
                  _list(row.get("code_names", "")), row.get("source", ""), row.get("note", ""),
                  f"{path}:{n}", tuple(ids), row.get("birth", ""), row.get("death", ""), geo)


def uncitable(register: Register, mirrors: Iterable[str]) -> list[tuple[str, str]]:
    """("file:line", message) for each source or note that cites what a reader of the
    published TEI cannot check: a URL on a test mirror of the archive (a host in
    ``mirrors``), or a local file."""
    from .profile import url_host

    hosts = frozenset(mirrors)
    found: list[tuple[str, str]] = []
    for person in register.entries.values():
        for column, cell in (("source", person.source), ("note", person.note)):
            for m in _CITED.finditer(cell):
                cited = m.group()
                if m["url"] is not None:
                    host = url_host(cited)
                    if host is not None and host in hosts:
                        found.append((person.origin, f"{person.id}: the {column} cites a "
                                      f"test mirror of the archive ({host}): cite the "
                                      "archive's own address"))
                else:
                    found.append((person.origin, f"{person.id}: the {column} cites a local "
                                  f"file ({cited}), which no reader has: cite a document, a "
                                  "published work or an authority file"))
    return list(dict.fromkeys(found))  # a host cited twice in a cell: one warning


# A URL, or a local path ("../x/y", "./x", "/x/y/z"), in a source or note.
_CITED = re.compile(r"(?P<url>[a-z][a-z0-9+.-]*://[^\s;,()'\"<>]+)"
                    r"|(?<![\w/.:])(?:\.\.?/|/)(?:[\w.-]+/)+[\w.-]*")


def check(paths: Iterable[str | Path], with_default: bool = True,
          mirrors: Iterable[str] = ()) -> list[tuple[str, str, str]]:
    """What an editor should look at in register files, as (severity, "file:line", message):
    errors (a file that cannot be loaded, a form two entries claim) and warnings (an entry
    with no authority identifier or no source, an id another file gives again, a source on a
    test mirror (a host in ``mirrors``) or a local file)."""
    found: list[tuple[str, str, str]] = []
    registers = [_default()] if with_default else []
    for p in paths:
        try:
            registers.append(Register.load([p]))
        except RegisterError as exc:
            found.append(("error", str(exc.location), exc.message))
    merged = Register()
    seen: dict[str, Person] = {}
    for reg in registers:
        for person in reg.entries.values():
            if person.id in seen:
                found.append(("warning", person.origin, f"id {person.id!r} is given again: this "
                              f"row replaces the one at {seen[person.id].origin}"))
            seen[person.id] = person
        try:
            merged = merged.merged(reg)
        except RegisterError as exc:
            found.append(("error", str(exc.location), exc.message))
    for person in merged.entries.values():
        if not person.source:
            found.append(("warning", person.origin, f"{person.id}: no source: say where a "
                          "reader can check this row"))
        if not person.ids:
            found.append(("warning", person.origin, f"{person.id}: no authority identifier "
                          f"({', '.join(a.upper() for a in AUTHORITIES)})"))
    found += [("warning", where, message) for where, message in uncitable(merged, mirrors)]
    return found


def folded(found: list[tuple[str, str, str]], at_least: int = 4) -> list[tuple[str, str, str]]:
    """``found`` (from check) with a warning that ``at_least`` entries of one file share
    ("<id>: no authority identifier ...") given once, naming the entries, where it was first
    given."""
    groups: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for severity, where, message in found:
        entry, sep, rest = message.partition(": ")
        key = (severity, where.rpartition(":")[0], rest if sep else message)
        groups.setdefault(key, []).append((where, entry))
    out: list[tuple[str, str, str]] = []
    for severity, where, message in found:
        entry, sep, rest = message.partition(": ")
        group = groups.get((severity, where.rpartition(":")[0], rest if sep else message), [])
        if severity != "warning" or not sep or len(group) < at_least:
            out.append((severity, where, message))
        elif group[0][0] == where and group[0][1] == entry:
            names = ", ".join(e for _, e in group)
            out.append((severity, where, f"{len(group)} entries: {rest}: {names}"))
    return out


def _list(cell: str) -> tuple[str, ...]:
    return tuple(" ".join(v.split()) for v in cell.split(";") if v.strip())


def _split_origin(origin: str) -> tuple[str, int]:
    path, _, line = origin.rpartition(":")
    return (path, int(line)) if line.isdigit() else (origin, 0)


_indexes: dict[tuple[Any, ...], "Index"] = {}


class Index:
    """Forms -> entries, for lookups by name and for finding names in running text."""

    def __init__(self, register: Register) -> None:
        self.people = len(register.entries)
        self.entries = register.entries  # by id
        self.by_words: dict[tuple[str, ...], tuple[Person, str]] = {}
        for person in register.entries.values():
            for form, how in person.forms():
                words = tuple(form.split())
                self.by_words.setdefault(words, (person, how))
                self.by_words.setdefault(tuple(w.upper() for w in words), (person, how))
        self.longest = max((len(k) for k in self.by_words), default=0)
        self.first_words = frozenset(k[0] for k in self.by_words)
        # ... as they may be written at a sentence's end or as a possessive ("Stalin.").
        self.first_forms = self.first_words | frozenset(
            w + end for w in self.first_words for end in (".", "'s", "’s", "'", "’", "'s.",
                                                          "’s."))
        # Words of forms (5 letters or more) by their one-deletions: near misses of names.
        self._near: dict[str, set[str]] = {}
        self.words = frozenset(w for k in self.by_words for w in k)
        for w in self.words:
            if len(w) >= 5 and not w.isupper():
                for key in _deletions(w):
                    self._near.setdefault(key, set()).add(w)
        self.find = lru_cache(maxsize=1 << 14)(self._find)

    def lookup(self, name: str) -> tuple[Person, str] | None:
        """The entry ``name`` (a whole form, possibly possessive) stands for, and how."""
        words = tuple(name.split())
        if words:
            found = self.by_words.get(words)
            if found is None and _POSSESSIVE.search(words[-1]):
                found = self.by_words.get(words[:-1] + (_POSSESSIVE.sub("", words[-1]),))
            return found
        return None

    def _find(self, text: str) -> tuple[Hit, ...]:
        """Register forms in ``text``, longest first, whole words, left to right."""
        hits: list[Hit] = []
        # Capitalised words are found at C speed, and only those that can start a form
        # (found by a set intersection) are followed up with the run of words they start.
        starts = self.first_forms.intersection(_CAPITALISED.findall(text))
        if not starts:
            return ()
        positions = set()
        for w in starts:
            at = text.find(w)
            while at >= 0:
                if not at or not (text[at - 1].isalnum() or text[at - 1] in "_'’"):
                    positions.add(at)
                at = text.find(w, at + 1)
        done = 0
        for at in sorted(positions):
            if at < done:
                continue
            run = _RUN.match(text, at)
            assert run is not None
            words = run.group().split(" ")[:self.longest]
            for n in range(len(words), 0, -1):
                chunk = words[:n]
                end = at + len(" ".join(chunk))
                found = self.by_words.get(tuple(chunk))
                if found is None:
                    # A possessive or a final full stop is not part of the name.
                    last = _bare(chunk[-1])
                    if last != chunk[-1]:
                        found = self.by_words.get(tuple(chunk[:-1]) + (last,))
                        end -= len(chunk[-1]) - len(last)
                if found is not None:
                    hits.append(Hit(at, end, found[0], found[1]))
                    done = end
                    break
        return tuple(hits)

    def near(self, word: str) -> str | None:
        """A register name word one edit from ``word`` (which is not one), or None."""
        if len(word) < 5 or word in self.words:
            return None
        found = {w for key in _deletions(word) for w in self._near.get(key, ())
                 if w[0] == word[0]}
        return min(found) if len(found) == 1 else None


def _bare(word: str) -> str:
    """``word`` without a final full stop or possessive ("Stalin.", "Mao's", "Kims'")."""
    word = word.removesuffix(".")
    for suffix in ("'s", "’s", "'", "’"):
        if word.endswith(suffix):
            return word[:-len(suffix)]
    return word


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


@lru_cache(maxsize=1)
def _default() -> Register:
    data = resources.files("tei_toolkit").joinpath("data")
    persons = Register.parse(data.joinpath("persons.tsv").read_text("utf-8"), "persons.tsv")
    places = Register.parse(data.joinpath("places.tsv").read_text("utf-8"), "places.tsv")
    return persons.merged(places)
