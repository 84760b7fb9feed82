"""Generate small TEI documents that use every element a RELAX NG grammar defines.

For each element of a grammar (tei_all: 588), one document: the shortest chain of elements from
the root down to it, each given the least content its content model requires (required
children, required attributes with a value of the right datatype, chosen by asking libxml2),
so that the documents are valid by construction when the generator understands the pattern,
and their verdicts are checked against jing's all the same. tei_all defines its elements
module by module, so consecutive elements (``groups``) make module-sized batches: each batch
reduces the grammar to a different set of names, which is what the fast path must survive.

    python -m tests.tei_instances ../shared/schemas/tei_all.rng --out /tmp/modules [--group 12]

writes ``NNN_<element>.xml`` into numbered group folders.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Callable

from lxml import etree

from tei_toolkit.validation.rng import Grammar, _element_name
from tei_toolkit.xmlcore import RELAXNG_NS, TEI_NS, XML_NS

_R = f"{{{RELAXNG_NS}}}"
INF = math.inf
_PREFIXES = {TEI_NS: "", XML_NS: "xml", "http://www.tei-c.org/ns/Examples": "teix",
             "http://www.w3.org/1999/xlink": "xlink"}
_XSD = "http://www.w3.org/2001/XMLSchema-datatypes"
# Candidate values for a datatype, tried in order until libxml2 accepts one.
_CANDIDATES = {
    "date": ["2000-01-01"], "gYear": ["2000"], "gYearMonth": ["2000-01"], "gMonth": ["--01"],
    "gDay": ["---01"], "gMonthDay": ["--01-01"], "time": ["12:00:00"],
    "dateTime": ["2000-01-01T12:00:00"], "duration": ["P1D"], "boolean": ["true"],
    "anyURI": ["https://example.org/x"], "language": ["en"], "ID": ["id"],
}
_GENERIC = ["1", "x", "en", "2000-01-01", "true", "https://example.org/x", "0.5", "x1",
            "P1D", "12:00:00", "#x", "1 1", "a.b", "X", "1.0"]


class Instances:
    def __init__(self, grammar_path: str | Path) -> None:
        self.root = Grammar.parse(str(grammar_path)).root
        self.defines = {d.get("name", ""): d for d in self.root.iterchildren(_R + "define")}
        # Elements by key: the local name for TEI's, ``prefix:name`` for a project's own
        # namespace (ELTeC's ``e:size``), each such namespace given a prefix ns1, ns2 ...
        self.prefixes = dict(_PREFIXES)
        self.elements: dict[str, etree._Element] = {}
        for el in self.root.iter(_R + "element"):
            name = _element_name(el)
            if name is None or not name[0]:
                continue
            if name[0] not in self.prefixes:
                self.prefixes[name[0]] = f"ns{len(self.prefixes) - len(_PREFIXES) + 1}"
            self.elements.setdefault(self.key(name), el)
        self._values: dict[bytes, str | None] = {}
        self._ids = 0
        self._direct: dict[tuple[str, str], float] = {}
        self.define_cost: dict[str, float] = {}
        self._fixed_point()

    # -- costs: the number of elements a minimal instance has ------------------------------------
    def key(self, name: tuple[str, str]) -> str:
        return name[1] if name[0] == TEI_NS else f"{self.prefixes[name[0]]}:{name[1]}"

    def _fixed_point(self) -> None:
        cost = {n: INF for n in self.defines}
        self.define_cost = cost
        changed = True
        while changed:
            changed = False
            for name, d in self.defines.items():
                c = self._group_cost(list(d))
                if c < cost[name]:
                    cost[name] = c
                    changed = True

    def _group_cost(self, nodes: list) -> float:
        return sum((self.cost(n) for n in nodes if isinstance(n.tag, str)), 0.0)

    def cost(self, node: etree._Element) -> float:
        tag = node.tag[len(_R):]
        if tag in ("text", "empty", "optional", "zeroOrMore"):
            return 0.0
        if tag == "notAllowed":
            return INF
        if tag in ("data", "value", "list"):
            return 0.0 if self.value(node) is not None else INF
        if tag == "ref":
            return self.define_cost.get(node.get("name", ""), INF)
        if tag == "element":
            if node.get("name") is None or _element_name(node) is None \
                    or _element_name(node)[0] not in self.prefixes:  # type: ignore[index]
                return INF
            return 1 + self._group_cost(list(node))
        if tag == "attribute":
            if node.get("name") is None:
                return INF
            kids = [c for c in node if isinstance(c.tag, str)]
            return 0.0 if not kids or self.attribute_value(kids[0]) is not None else INF
        if tag == "choice":
            return min((self.cost(c) for c in node if isinstance(c.tag, str)), default=INF)
        if tag in ("group", "interleave", "oneOrMore", "mixed"):
            return self._group_cost(list(node))
        return INF

    # -- values ----------------------------------------------------------------------------------
    def value(self, node: etree._Element) -> str | None:
        """A value libxml2 accepts for a data, value or list pattern (None: none found)."""
        tag = node.tag[len(_R):]
        if tag == "value":
            return node.text or ""
        if tag == "list":
            parts = []
            for child in node:
                if not isinstance(child.tag, str) or child.tag[len(_R):] in (
                        "optional", "zeroOrMore", "empty"):
                    continue
                v = self.attribute_value(child)
                if v is None:
                    return None
                parts.append(v)
            return " ".join(parts)
        key = etree.tostring(node)
        if key not in self._values:
            self._values[key] = self._find_value(node)
        value = self._values[key]
        if value is not None and node.get("type") == "ID":
            self._ids += 1
            return f"id{self._ids}"
        return value

    def attribute_value(self, node: etree._Element) -> str | None:
        """A value for a text-only pattern (an attribute's, or a list's part), or None."""
        tag = node.tag[len(_R):]
        if tag == "text":
            return "x"
        if tag == "empty":
            return ""
        if tag in ("data", "value", "list"):
            return self.value(node)
        kids = [c for c in node if isinstance(c.tag, str)]
        if tag == "ref":
            d = self.defines.get(node.get("name", ""))
            kids = [c for c in d if isinstance(c.tag, str)] if d is not None else []
            return self.attribute_value(kids[0]) if len(kids) == 1 else None
        if tag in ("oneOrMore", "group"):
            parts = [self.attribute_value(k) for k in kids]
            return None if None in parts else " ".join(p for p in parts if p)
        if tag == "choice":
            return next((v for v in map(self.attribute_value, kids) if v is not None), None)
        return None

    def _find_value(self, node: etree._Element) -> str | None:
        library = next((a.get("datatypeLibrary") for a in [node, *node.iterancestors()]
                        if a.get("datatypeLibrary") is not None), "")
        probe = etree.Element(_R + "element", name="v", datatypeLibrary=library or "")
        copy = etree.fromstring(etree.tostring(node))
        if next(copy.iter(_R + "ref"), None) is not None:
            return None
        probe.append(copy)
        grammar = etree.Element(_R + "grammar")
        etree.SubElement(grammar, _R + "start").append(probe)
        try:
            rng = etree.RelaxNG(grammar)
        except etree.RelaxNGParseError:
            return None
        for candidate in _CANDIDATES.get(node.get("type", ""), []) + _GENERIC:
            doc = etree.Element("v")
            doc.text = candidate
            if rng.validate(doc):
                return candidate
        return None

    # -- instances -------------------------------------------------------------------------------
    def generate(self, node: etree._Element, force: tuple[str, Callable] | None = None
                 ) -> tuple[list[str], str]:
        """(attributes, content) of a minimal instance of ``node``; with ``force`` = (name,
        fill), one child element named ``name`` is included and written by ``fill``."""
        tag = node.tag[len(_R):]
        if force is not None:
            return self._forced(node, force)
        if tag in ("text", "empty", "optional", "zeroOrMore", "notAllowed"):
            return [], ""
        if tag in ("data", "value", "list"):
            return [], _escape(self.value(node) or "")
        if tag == "ref":
            return self._children(list(self.defines[node.get("name", "")]))
        if tag == "element":
            return [], self.element(node)
        if tag == "attribute":
            kids = [c for c in node if isinstance(c.tag, str)]
            value = self.attribute_value(kids[0]) if kids else "x"
            return [f'{self._qname(node)}="{_escape(value or "")}"'], ""
        if tag == "choice":
            best = min((c for c in node if isinstance(c.tag, str)), key=self.cost)
            return self.generate(best)
        return self._children(list(node))

    def _children(self, nodes: list) -> tuple[list[str], str]:
        attrs: list[str] = []
        content = ""
        for n in nodes:
            if isinstance(n.tag, str):
                a, c = self.generate(n)
                attrs += a
                content += c
        return attrs, content

    def element(self, node: etree._Element, path: list[str] | None = None,
                mark: str | None = None) -> str:
        """A minimal instance of an element pattern; with ``path``, containing that chain of
        descendants; ``mark``: an attribute added to the last element of the chain."""
        name = self._qname(node)
        if path:
            nxt, rest = path[0], path[1:]
            attrs, content = self._forced_group(list(node), (nxt, lambda el: self.element(
                el, path=rest, mark=mark)))
        else:
            attrs, content = self._children(list(node))
            if mark:
                attrs.append(mark)
        a = "".join(" " + x for x in dict.fromkeys(attrs))
        return f"<{name}{a}>{content}</{name}>" if content else f"<{name}{a}/>"

    def direct_cost(self, node: etree._Element, child: str, seen: frozenset = frozenset()
                    ) -> float:
        """Cost of ``node``'s minimal instance that has an element ``child`` as a direct
        child (the child's own content not counted)."""
        tag = node.tag[len(_R):]
        if tag == "element":
            name = _element_name(node)
            return 0.0 if name is not None and name[0] in self.prefixes \
                and self.key(name) == child else INF
        if tag == "ref":
            ref = node.get("name", "")
            key = (ref, child)
            if key not in self._direct:
                self._direct[key] = INF  # a cycle of definitions adds no way in
                self._direct[key] = self._direct_group(list(self.defines[ref]), child, seen)
            return self._direct[key]
        if tag in ("group", "interleave", "mixed"):
            return self._direct_group(list(node), child, seen)
        if tag in ("optional", "zeroOrMore", "oneOrMore"):
            return self._direct_group(list(node), child, seen)
        if tag == "choice":
            return min((self.direct_cost(c, child, seen) for c in node
                        if isinstance(c.tag, str)), default=INF)
        return INF

    def _direct_group(self, nodes: list, child: str, seen: frozenset) -> float:
        kids = [n for n in nodes if isinstance(n.tag, str)]
        costs = [self.cost(k) if k.tag not in (_R + "optional", _R + "zeroOrMore") else 0.0
                 for k in kids]
        total = sum(costs)
        best = INF
        for k, c in zip(kids, costs):
            d = self.direct_cost(k, child, seen)
            best = min(best, total - c + d)
        return best

    def _forced(self, node: etree._Element, force: tuple[str, Callable]
                ) -> tuple[list[str], str]:
        child, fill = force
        tag = node.tag[len(_R):]
        if tag == "element":
            return [], fill(node)
        if tag == "ref":
            return self._forced_group(list(self.defines[node.get("name", "")]), force)
        if tag == "choice":
            best = min((c for c in node if isinstance(c.tag, str)),
                       key=lambda c: self.direct_cost(c, child))
            return self._forced(best, force)
        return self._forced_group(list(node), force)

    def _forced_group(self, nodes: list, force: tuple[str, Callable]) -> tuple[list[str], str]:
        child = force[0]
        kids = [n for n in nodes if isinstance(n.tag, str)]
        skip = 1 if kids and kids[0].tag in (_R + "name", _R + "anyName", _R + "nsName") else 0
        kids = kids[skip:]
        best = min(range(len(kids)), key=lambda i: self.direct_cost(kids[i], child)
                   - (self.cost(kids[i]) if kids[i].tag not in (_R + "optional",
                                                                 _R + "zeroOrMore") else 0))
        attrs: list[str] = []
        content = ""
        for i, k in enumerate(kids):
            a, c = self._forced(k, force) if i == best else self.generate(k)
            attrs += a
            content += c
        return attrs, content

    def _qname(self, node: etree._Element) -> str:
        raw = node.get("name", "").strip()
        if ":" in raw:
            return raw
        ns = next((a.get("ns") for a in [node, *node.iterancestors()] if a.get("ns") is not None),
                  "")
        if node.tag == _R + "attribute" and node.get("ns") is None:
            ns = ""
        prefix = self.prefixes.get(ns or "", "")
        return f"{prefix}:{raw}" if prefix else raw

    # -- documents -------------------------------------------------------------------------------
    def paths(self) -> dict[str, list[str]]:
        """For every reachable TEI element, the chain of element names from a root to it."""
        children: dict[str, list[str]] = {}
        for name, el in self.elements.items():
            if self.cost(el) == INF:
                continue
            found = {_element_name(e) for e in _reachable_elements(el, self.defines)}
            keys = {self.key(n) for n in found if n and n[0] in self.prefixes}
            children[name] = sorted(k for k in keys if k in self.elements
                                    and self.cost(self.elements[k]) < INF
                                    and self._direct_group(list(el), k, frozenset()) < INF)
        out = {"TEI": ["TEI"]}
        todo = ["TEI"]
        while todo:
            nxt = []
            for parent in todo:
                for c in children.get(parent, []):
                    if c not in out:
                        out[c] = out[parent] + [c]
                        nxt.append(c)
            todo = nxt
        return out

    def document(self, path: list[str], mark: str | None = None) -> str:
        namespaces = " ".join(f'xmlns:{p}="{ns}"' for ns, p in self.prefixes.items()
                              if p and p != "xml")
        body = self.element(self.elements[path[0]], path=path[1:], mark=mark)
        first = body.index(">") if "/>" not in body.split(">", 1)[0] + ">" else body.index("/>")
        return (f"<?xml version='1.0' encoding='UTF-8'?>\n{body[:first]} "
                f'xmlns="{TEI_NS}" {namespaces}{body[first:]}\n')


def _reachable_elements(el: etree._Element, defines: dict) -> list[etree._Element]:
    """Element patterns in ``el``'s content, through references, not inside other elements."""
    out, seen, todo = [], set(), [c for c in el if isinstance(c.tag, str)]
    while todo:
        node = todo.pop()
        if node.tag == _R + "element":
            out.append(node)
        elif node.tag == _R + "ref":
            name = node.get("name", "")
            if name not in seen and name in defines:
                seen.add(name)
                todo.extend(c for c in defines[name] if isinstance(c.tag, str))
        elif node.tag not in (_R + "attribute", _R + "notAllowed"):
            todo.extend(c for c in node if isinstance(c.tag, str))
    return out


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def write(grammar: str | Path, out: Path, group: int = 12, twins: bool = False
          ) -> list[Path]:
    """Write one document per element into group folders of ``group`` consecutive elements
    (in the grammar's order, which for tei_all is module by module). ``twins``: beside each,
    ``…-invalid.xml``, the same with an attribute no TEI element has on the element."""
    gen = Instances(grammar)
    paths = gen.paths()
    names = [n for n in gen.elements if n in paths]
    written = []
    for i, name in enumerate(names):
        folder = out / f"group{i // group:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{i:03d}_{name.replace(':', '-')}.xml"
        target.write_text(gen.document(paths[name]), encoding="utf-8")
        written.append(target)
        if twins:
            twin = target.with_name(target.stem + "-invalid.xml")
            twin.write_text(gen.document(paths[name], 'bogusAttribute="1"'), encoding="utf-8")
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("grammar")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--group", type=int, default=12)
    ap.add_argument("--twins", action="store_true", help="also an invalid twin of each")
    args = ap.parse_args()
    files = write(args.grammar, args.out, args.group, args.twins)
    print(f"{len(files)} documents in {args.out}")


if __name__ == "__main__":
    main()
