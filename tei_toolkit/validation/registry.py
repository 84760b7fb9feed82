"""Schemas by name: the TEI Consortium's published schemas in a per-user cache, offline.

``tei schemas fetch tei_all [--version 4.12.0]`` downloads a release's RELAX NG schema into the
cache and checks it against a sha256 pinned here; ``tei schemas add FILE`` registers a local
copy; ``--schema tei_all`` (or ``tei_all@4.12.0``) and a document's ``<?xml-model?>`` naming a
published URL then resolve to the cached file without any network access. The cache is the
platform's user cache folder (``$XDG_CACHE_HOME``/``~/.cache`` on Linux, ``~/Library/Caches``
on macOS, ``%LOCALAPPDATA%`` on Windows), or ``$TEI_TOOLKIT_CACHE``; it holds
``schemas/index.json`` and one folder per name and version.

Registering a schema also compiles it whole once: a schema known to compile is one the fast
path may reduce (see :mod:`tei_toolkit.validation.compiled`), since reductions keep the verdicts
of *correct* grammars only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import Location, SchemaError, SetupError
from ..files import write_atomic

# sha256 of published schemas, by (name, version). A fetched file must match; `tei schemas
# add` records any file, with the version it claims.
PINNED: dict[tuple[str, str], str] = {
    # TEI P5 4.12.0 (2026-07-28), as ../shared/schemas/README.md documents it.
    ("tei_all", "4.12.0"): "b0f115095ead2ccc6933aa3365c6f4a82cba3b2ec7eee7f76bb616d7a63b7e48",
}
# The TEI Consortium's published customisations (P5/Exemplars): names `fetch` accepts.
PUBLISHED = ("tei_all", "tei_lite", "tei_bare", "tei_simplePrint", "tei_corpus", "tei_drama",
             "tei_ms", "tei_speech", "tei_tite", "tei_jtei", "tei_dictionaries",
             "tei_math", "tei_svg", "tei_xinclude")
RELEASE_SITE = "https://www.tei-c.org"
_VAULT = "{site}/Vault/P5/{version}/xml/tei/custom/schema/relaxng/{name}.rng"
_CURRENT = "{site}/release/xml/tei/custom/schema/relaxng/{name}.rng"
# Published schema URLs as documents name them: current and versioned, http or https, with
# or without www.
_PUBLISHED_URL = re.compile(
    r"https?://(?:www\.)?tei-c\.org/(?:release|Vault/P5/(?P<version>\d+\.\d+\.\d+)|"
    r"Vault/P5/current)/xml/tei/custom/schema/relaxng/(?P<name>[A-Za-z0-9_]+)\.rng$")
# What `tei schemas fetch` accepts: tei_all is about 1 MB; a release's largest schema is a few.
MAX_DOWNLOAD = 64 << 20
DEFAULT_DEADLINE = 300.0  # seconds for the whole download
_VERSION = re.compile(r"\d+(?:\.\d+)*$")


@dataclass(frozen=True)
class Entry:
    """A schema in the cache: ``name@version``, its file, checksum and origin."""

    name: str
    version: str
    file: str        # absolute path of the cached copy
    sha256: str
    source: str      # URL or the path it was added from
    compiles: bool   # compiled whole by libxml2 when registered

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


def cache_dir() -> Path:
    env = os.environ.get("TEI_TOOLKIT_CACHE")
    if env:
        return Path(env)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "tei_toolkit"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "tei_toolkit" / "Cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tei_toolkit"


def _index_path() -> Path:
    return cache_dir() / "schemas" / "index.json"


def entries() -> list[Entry]:
    """Registered schemas whose files are still there, newest version first per name."""
    path = _index_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise SchemaError(f"the schema cache index is unreadable ({exc}); remove it and add "
                          "the schemas again", Location(str(path)), reason="cache") from None
    out = []
    for item in raw.get("schemas", []):
        try:
            entry = Entry(**item)
        except TypeError:
            continue
        if Path(entry.file).is_file():
            out.append(entry)
    return sorted(out, key=lambda e: (e.name, _version_key(e.version)), reverse=True)


def pinned_versions(name: str) -> list[str]:
    """The releases of ``name`` whose checksum is pinned here, oldest first."""
    return sorted((v for n, v in PINNED if n == name), key=_version_key)


def _version_key(version: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))


def find(spec: str, known: list[Entry] | None = None) -> Entry | None:
    """``name`` (newest version) or ``name@version``, among ``known`` (default: the cache's
    index, read now)."""
    name, _, version = spec.partition("@")
    for e in entries() if known is None else known:
        if e.name == name and (not version or e.version == version):
            return e
    return None


def for_url(href: str, known: list[Entry] | None = None) -> tuple[Entry | None, str | None]:
    """(the cached copy, or None; the spec asked for) when ``href`` is a published TEI
    schema URL; (None, None) when it is not one."""
    m = _PUBLISHED_URL.match(href.strip())
    if m is None:
        return None, None
    spec = m["name"] + (f"@{m['version']}" if m["version"] else "")
    return find(spec, known), spec


def proven(sha256: str) -> bool:
    """Is a schema with this digest known to compile whole (pinned release, registered, or
    compiled whole before: :func:`remember_proof`)?"""
    if sha256 in PINNED.values() or sha256 in _PROVEN_HERE or \
            (cache_dir() / "proven" / sha256).is_file():
        return True
    try:
        return any(e.sha256 == sha256 and e.compiles for e in entries())
    except SetupError:
        return False


_PROVEN_HERE: set[str] = set()


def remember_proof(sha256: str) -> None:
    """Note in the cache that the one-file schema with this digest compiled whole in time,
    so later runs skip the child's compile and may reduce it (a customisation given as a file
    is then as fast as one added). A cache that cannot be written makes only later runs
    slower: this one remembers it in memory."""
    _PROVEN_HERE.add(sha256)
    try:
        folder = cache_dir() / "proven"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / sha256).touch()
    except OSError:
        pass


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def add(file: str | Path, name: str | None = None, version: str | None = None,
        source: str | None = None, compile_limit: float | None = None) -> Entry:
    """Copy a local schema into the cache and register it (compiling it once, within
    ``compile_limit`` seconds)."""
    src = Path(file)
    try:
        data = src.read_bytes()
    except OSError as exc:
        raise SchemaError(f"cannot read the schema: {exc.strerror}", Location(str(file)),
                          reason="unreadable") from None
    return _register(data, name or src.stem, version or _claimed_version(data),
                     source or str(src.resolve()), str(file), compile_limit, str(src.resolve()))


def _claimed_version(data: bytes) -> str:
    """The release a pinned file is; else the version the file states (TEI's generated
    schemas say "P5 Version 4.12.0", with a no-break space); else "local"."""
    sha = hashlib.sha256(data).hexdigest()
    for (_, version), pinned in PINNED.items():
        if pinned == sha:
            return version
    m = re.search(r"P5 Version\s+(\d+(?:\.\d+)*)", data[:8000].decode("utf-8", "replace"))
    return m.group(1) if m else "local"


def _register(data: bytes, name: str, version: str, source: str, shown: str,
              compile_limit: float | None = None, base_url: str | None = None) -> Entry:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name in (".", ".."):
        raise SchemaError(f"a schema name is letters, digits, '_', '.', '-': {name!r}",
                          reason="bad-name")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", version) or version in (".", ".."):
        raise SchemaError(f"a version is letters, digits, '_', '.', '-': {version!r}",
                          reason="bad-name")
    sha = hashlib.sha256(data).hexdigest()
    pinned = PINNED.get((name, version))
    if pinned is not None and pinned != sha:
        raise SchemaError(f"{name} {version} has sha256 {pinned}; this file has {sha}: not the "
                          "published schema (use another --name or --version for a "
                          "customisation)", Location(shown), reason="checksum")
    compiles, whole = _compiles(data, shown, compile_limit, base_url)
    if whole is not None:
        # A schema with includes is kept as one file, the included ones inlined: the copy
        # works wherever the cache is, and its digest covers everything it holds.
        data = whole
        sha = hashlib.sha256(data).hexdigest()
    folder = cache_dir() / "schemas" / name / version
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.rng"
    write_atomic(target, data, force=True)
    _prepare_engine(target)
    entry = Entry(name, version, str(target.resolve()), sha, source, compiles)
    _save([e for e in entries() if (e.name, e.version) != (name, version)] + [entry])
    return entry


def _prepare_engine(path: Path) -> None:
    """Our RELAX NG engine's grammar of the schema, read now into its cache (half a second
    for tei_all), so that the first `tei validate --engine derivative` does not pay it. A
    schema our engine refuses is said so when it is used with it."""
    from .relaxng import SchemaIncorrect, load

    try:
        load(path)
    except SchemaIncorrect:
        pass


def _compiles(data: bytes, shown: str, limit: float | None = None,
              base_url: str | None = None) -> tuple[bool, bytes | None]:
    """Compile the whole schema once, as proof that it is a correct grammar: first in a
    child within ``limit`` seconds (compiled.bounded), so that no schema hangs the command.
    With the schema as one file when it had includes (else None)."""
    from lxml import etree

    from ..xmlcore import safe_parser
    from .compiled import SCHEMA_COMPILE_LIMIT, bounded, has_includes
    try:
        tree = etree.fromstring(data, safe_parser(huge_tree=True), base_url=base_url)
    except etree.XMLSyntaxError as exc:
        raise SchemaError(f"not well-formed XML: {exc.msg}",
                          Location(shown, *(exc.position or (0, 0))), reason="malformed") from None
    if tree.tag != "{http://relaxng.org/ns/structure/1.0}grammar":
        raise SchemaError("not a RELAX NG schema in XML syntax (the root is not rng:grammar)",
                          Location(shown), reason="invalid")
    had_includes = has_includes(tree)
    whole, _ = bounded(tree.getroottree(), shown,
                       SCHEMA_COMPILE_LIMIT if limit is None else limit, base_url)
    try:
        etree.RelaxNG(whole)
    except etree.RelaxNGParseError as exc:
        first = exc.error_log[0] if len(exc.error_log) else None
        raise SchemaError(f"not a usable RELAX NG schema: {first.message if first else exc}",
                          Location(shown, first.line if first else 0,
                                   first.column if first else 0), reason="invalid") from None
    return True, (etree.tostring(whole, xml_declaration=True, encoding="UTF-8")
                  if had_includes else None)


def _save(all_entries: list[Entry]) -> None:
    data = json.dumps({"schemas": [asdict(e) for e in sorted(
        all_entries, key=lambda e: (e.name, _version_key(e.version)))]}, indent=2)
    path = _index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (data + "\n").encode("utf-8"), force=True)


def release_url(name: str, version: str | None, site: str = RELEASE_SITE) -> str:
    site = site.rstrip("/")
    if version:
        return _VAULT.format(site=site, version=version, name=name)
    return _CURRENT.format(site=site, name=name)


def fetch(name: str, version: str, site: str = RELEASE_SITE, sha256: str | None = None,
          timeout: float = 60, deadline: float = DEFAULT_DEADLINE,
          max_bytes: int = MAX_DOWNLOAD) -> Entry:
    """Download a published schema (an explicit command: the only network access of the
    toolkit), check its sha256 (pinned here, or ``sha256``), and register it.

    ``timeout``: seconds a silent server is waited for; ``deadline``: seconds the whole
    download may take (a server that trickles a byte at a time is given up on then);
    ``max_bytes``: a larger file is refused. Nothing is saved unless all is well."""
    if name not in PUBLISHED:
        raise SchemaError(f"not a published TEI schema: {name} (known: {', '.join(PUBLISHED)})",
                          reason="unknown")
    if not _VERSION.match(version):
        raise SchemaError(f"a TEI release is numbered like 4.12.0, not {version!r}",
                          reason="bad-name")
    expected = PINNED.get((name, version)) or (sha256.lower() if sha256 else None)
    url = release_url(name, version, site)
    if expected is None:
        raise SchemaError(f"no sha256 is pinned for {name} {version}: give the one the TEI "
                          "Consortium publishes with --sha256 HEX (pinned: "
                          + ", ".join(f"{n} {v}" for n, v in sorted(PINNED)) + ")",
                          reason="not-pinned")
    data = _download(url, timeout, deadline, max_bytes)
    got = hashlib.sha256(data).hexdigest()
    if got != expected:
        raise SchemaError(f"{url} has sha256 {got}, expected {expected}: refused, nothing was "
                          "saved", reason="checksum")
    return _register(data, name, version, url, url)


def _download(url: str, timeout: float, deadline: float, max_bytes: int) -> bytes:
    """The body at ``url``, read on a thread of its own so that no server, however slow,
    holds the command past ``deadline`` seconds (a socket timeout bounds one read, not the
    sum of them)."""
    end = time.monotonic() + deadline
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["data"] = _read(url, min(timeout, deadline), end, deadline, max_bytes)
        except BaseException as exc:  # handed to the caller's thread as it is
            box["error"] = exc

    thread = threading.Thread(target=run, name="tei-schemas-fetch", daemon=True)
    thread.start()
    thread.join(deadline)
    if thread.is_alive():
        raise _late(url, deadline)
    if "error" in box:
        raise box["error"]
    data: bytes = box["data"]
    return data


def _late(url: str, deadline: float) -> SetupError:
    return SchemaError(f"cannot download {url}: not complete within {deadline:g} s "
                       "(--deadline); nothing was saved", reason="download")


def _read(url: str, timeout: float, end: float, deadline: float, max_bytes: int) -> bytes:
    # Imported here: only this command needs the network stack (23 ms of every cold start).
    import http.client
    import urllib.error
    import urllib.request

    too_large = f"{url} is larger than {max_bytes:,} bytes (--max-size): refused"
    chunks: list[bytes] = []
    size = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (https/http only)
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > max_bytes:
                raise SchemaError(too_large, reason="download")
            while chunk := response.read1(1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise SchemaError(too_large, reason="download")
                if time.monotonic() > end:
                    raise _late(url, deadline)
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        raise SchemaError(f"cannot download {url}: HTTP {exc.code} {exc.reason}",
                          reason="download") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        name = url.rstrip("/").rsplit("/", 1)[-1] or "the schema"
        raise SchemaError(f"cannot download {url}: {reason} (offline? copy {name} here "
                          "another way, then: tei schemas add FILE)", reason="download") from None
    if length is not None and length.isdigit() and int(length) != size:
        raise SchemaError(f"the download of {url} was cut short ({size} of {length} bytes); "
                          "nothing was saved", reason="download")
    return b"".join(chunks)

