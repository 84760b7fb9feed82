"""The review page (``tei review --html DIR``): for editors who do not live in spreadsheets,
one self-contained HTML page per document, the export's text with every decision of the
importer highlighted by class, and beside it the list of decisions (the uncertain ones
first), each with its evidence and a control to accept or change it. "Save decisions"
writes the page's decisions file (the columns of ``tei review -o``), which
``tei import --decisions`` takes as it is.

The page works from ``file://`` and offline: its CSS and script are its own, and its
Content-Security-Policy lets only them run (by hash). The export's text is data: it is put
into the page as text, never as markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml.html import builder as E

from ..exports.html import content_security_policy
from .review import COLUMNS, DECISIONS, Decision

CSS = """
:root{--ink:#1d1d1b;--muted:#5b5b57;--accent:#7a2e1d;--paper:#fffdf8}
*{box-sizing:border-box}
body{margin:0;background:var(--paper);color:var(--ink);font:1rem/1.55 system-ui,sans-serif}
header{padding:.8rem 1rem;border-bottom:1px solid #ddd}
h1{font-size:1.3rem;margin:.2rem 0}
.layout{display:grid;grid-template-columns:minmax(0,3fr) minmax(18rem,2fr);gap:1rem;padding:1rem}
@media (max-width:50rem){.layout{grid-template-columns:minmax(0,1fr)}}
article{font:1.02rem/1.6 Georgia,serif;white-space:pre-wrap;overflow-wrap:anywhere}
mark{background:none;border-bottom:3px solid;padding:0 .05em;position:relative;cursor:help}
mark:focus{outline:3px solid #1a5fb4;outline-offset:2px}
mark .why{display:none;position:absolute;left:0;top:1.6em;z-index:2;width:22rem;max-width:80vw;
 background:#fff;border:1px solid #999;padding:.3rem .5rem;font:.85rem/1.35 system-ui,sans-serif;
 color:var(--ink);white-space:normal}
mark:hover .why,mark:focus .why{display:block}
.c-supplement{border-color:#8a8a8a}.c-completion{border-color:#2a7a2a}
.c-identification{border-color:#1a5fb4}.c-original{border-color:#9b2f9b}
.c-expansion{border-color:#b36b00}.c-respelling{border-color:#0a8a8a}
.c-translated-title{border-color:#555}.c-source,.c-summary{border-color:#7a2e1d}
.c-name,.c-sent,.c-received,.c-via{border-color:#c9b458;border-bottom-style:dotted}
.c-corrected{border-color:#b8860b;border-bottom-style:double}.c-omission{border-color:#555}
.c-none{border-color:#ccc;border-bottom-style:dashed}
.uncertain{background:#fff1c9}
aside h2{font-size:1rem;margin:.4rem 0}
aside ol{list-style:none;padding:0;margin:0}
aside li{border-bottom:1px solid #e4e0d4;padding:.4rem 0}
aside li.uncertain{background:#fff8e2}
aside .what{font-size:.8rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
aside .evidence{font-size:.85rem;color:var(--muted)}
aside label{font-size:.85rem;margin-right:.4rem}
select,input,button{font:inherit;font-size:.9rem}
button.save{padding:.4rem 1rem;background:var(--accent);color:#fff;border:0;cursor:pointer}
.bar{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.5rem 0}
"""

SCRIPT = """
function cell(s){return String(s).replace(/\\\\/g,'\\\\\\\\').replace(/\\n/g,'\\\\n').replace(/\\t/g,'\\\\t');}
function table(){
var cols=JSON.parse(document.body.dataset.columns);
var who=document.getElementById('reviewer').value.trim();
var today=new Date().toISOString().slice(0,10);
var lines=[cols.join('\\t')];
document.querySelectorAll('li[data-key]').forEach(function(li){
var row=JSON.parse(li.dataset.row);
row.decision=li.querySelector('select.decision').value;
var t=li.querySelector('input.target');if(t){row.target=t.value.trim();}
row.status=li.querySelector('select.status').value;
if(row.status){row.reviewer=who;row.date=today;}
lines.push(cols.map(function(c){return cell(row[c]===undefined?'':row[c]);}).join('\\t'));});
return lines.join('\\n')+'\\n';}
document.querySelectorAll('li[data-key]').forEach(function(li){
var was=JSON.parse(li.dataset.row);
li.querySelectorAll('select.decision,input.target').forEach(function(c){
c.addEventListener('change',function(){
var s=li.querySelector('select.status');
var d=li.querySelector('select.decision').value,t=li.querySelector('input.target');
var changed=d!==was.decision||(t&&t.value.trim()!==was.target);
if(changed){s.value='changed';}else if(s.value==='changed'){s.value='';}});});});
document.getElementById('accept-all').addEventListener('click',function(){
document.querySelectorAll('select.status').forEach(function(s){if(!s.value){s.value='ok';}});});
document.getElementById('save').addEventListener('click',function(){
var a=document.createElement('a');
a.href='data:text/tab-separated-values;charset=utf-8,'+encodeURIComponent(table());
a.download=document.body.dataset.file;document.body.appendChild(a);a.click();a.remove();
document.getElementById('saved').textContent='Saved '+a.download+'.';});
"""


@dataclass
class ReviewPage:
    name: str  # file name
    html: bytes


def build_pages(documents: list[tuple[str, str, list[Decision]]]) -> list[ReviewPage]:
    """One page per document (its id, the export's text, the importer's decisions on it),
    and an index of them."""
    pages = [ReviewPage(f"{doc_id}.html", _page(doc_id, text, rows))
             for doc_id, text, rows in documents]
    pages.append(ReviewPage("index.html", _index(documents)))
    return pages


def _html(title: str, body: list[Any], script: str, **body_attrs: str) -> bytes:
    doc = E.HTML(
        E.HEAD(E.META(charset="utf-8"),
               E.META(**{"http-equiv": "Content-Security-Policy",
                         "content": content_security_policy(script, CSS)}),
               E.META(name="viewport", content="width=device-width, initial-scale=1"),
               E.TITLE(title), E.STYLE(CSS)),
        E.BODY(*body, *([E.SCRIPT(script)] if script else []), **body_attrs),
        lang="en")
    return b"<!DOCTYPE html>\n" + etree.tostring(doc, method="html", encoding="utf-8") + b"\n"


def _page(doc_id: str, text: str, rows: list[Decision]) -> bytes:
    order = sorted(range(len(rows)), key=lambda i: (rows[i].certain, i))  # uncertain first
    items = [_item(i, rows[i]) for i in order]
    uncertain = sum(not r.certain for r in rows)
    header = E.HEADER(
        E.H1(f"Review: {doc_id}"),
        E.P(f"{len(rows)} decisions of the importer, {uncertain} of them uncertain "
            "(listed first, shaded). Point at or tab to a highlight to see its evidence. "
            "Accept a decision (ok) or change it, then save: tei import --decisions FILE "
            "takes the file as it is."),
        E.DIV(E.LABEL("Reviewer ", E.INPUT(id="reviewer", type="text", autocomplete="name"),
                      **{"for": "reviewer"}),
              E.BUTTON("Accept the rest", id="accept-all", type="button"),
              E.BUTTON("Save decisions", id="save", type="button", **{"class": "save"}),
              E.SPAN(id="saved", role="status"), **{"class": "bar"}))
    body = E.DIV(E.ARTICLE(*_highlighted(text, rows), **{"aria-label": "The export's text"}),
                 E.ASIDE(E.H2("Decisions"), E.OL(*items)), **{"class": "layout"})
    return _html(f"Review: {doc_id}", [header, body], SCRIPT,
                 **{"data-columns": json.dumps(list(COLUMNS)),
                    "data-file": f"{doc_id}.decisions.tsv"})


def _item(i: int, row: Decision) -> etree._Element:
    choices = sorted(DECISIONS[row.what])
    select = E.SELECT(*[E.OPTION(c, value=c, **({"selected": "selected"}
                                                if c == row.decision else {}))
                        for c in choices], **{"class": "decision",
                                               "aria-label": f"decision on {row.text}"})
    controls: list[Any] = [E.LABEL("decision ", select)]
    if row.what in ("name", "correspondent"):
        controls.append(E.LABEL("register id ", E.INPUT(
            value=row.target, type="text", size="14",
            **{"class": "target", "aria-label": f"register id of {row.text}"})))
    status = E.SELECT(*[E.OPTION(label, value=value, **({"selected": "selected"}
                                                        if value == row.status else {}))
                        for value, label in (("", "not reviewed"), ("ok", "ok"),
                                             ("changed", "changed"))],
                      **{"class": "status", "aria-label": f"status of {row.text}"})
    controls.append(E.LABEL("status ", status))
    data = {c: str(v) for c, v in zip(COLUMNS, row.cells())}
    data["text"], data["evidence"] = row.text, row.evidence
    return E.LI(E.DIV(row.what + ("" if row.certain else " · uncertain"), **{"class": "what"}),
                E.A(f"[{row.text}]" if row.what == "bracket" else row.text, href=f"#d{i}"),
                E.DIV(*controls),
                E.DIV(row.evidence, **{"class": "evidence"}),
                **{"data-key": row.key, "data-row": json.dumps(data, ensure_ascii=False),
                   "class": "" if row.certain else "uncertain"})


def _highlighted(text: str, rows: list[Decision]) -> list[Any]:
    """The export's text, each decision's words in a <mark> (nested where one holds
    another; where two overlap otherwise, the second is listed only)."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    spans: list[tuple[int, int, int]] = []
    for i, row in enumerate(rows):
        span = _span(text, starts, row)
        if span is not None:
            spans.append((span[0], span[1], i))
    spans.sort(key=lambda s: (s[0], -s[1]))
    root = E.DIV()
    stack: list[tuple[etree._Element, int]] = [(root, len(text))]
    pos = 0
    for start, end, i in spans:
        while stack[-1][1] <= start:  # close the marks that end before this one starts
            el, close = stack.pop()
            _add_text(el, text[pos:close])
            pos = close
        if start < pos or end > stack[-1][1]:
            continue  # overlaps a mark without nesting in it: listed, not highlighted
        _add_text(stack[-1][0], text[pos:start])
        row = rows[i]
        mark = etree.SubElement(stack[-1][0], "mark", id=f"d{i}", tabindex="0")
        mark.set("class", f"c-{row.decision or 'none'}" + ("" if row.certain else " uncertain"))
        why = etree.SubElement(mark, "span")
        why.set("class", "why")
        why.text = f"{row.what}: {row.decision}. {row.evidence}"
        stack.append((mark, end))
        pos = start
    while stack:
        el, close = stack.pop()
        _add_text(el, text[pos:close])
        pos = close
    return [root.text or "", *list(root)]


def _add_text(el: etree._Element, s: str) -> None:
    """Text at the end of ``el``'s content."""
    if len(el):
        el[-1].tail = (el[-1].tail or "") + s
    else:
        el.text = (el.text or "") + s


def _span(text: str, starts: list[int], row: Decision) -> tuple[int, int] | None:
    """Where the row's words are in the export's text: at its line and column (a bracket
    with its brackets); a correspondent, on its line."""
    if not 1 <= row.line < len(starts):
        return None
    at = starts[row.line - 1] + max(row.column, 1) - 1
    if row.what == "bracket":
        whole = f"[{row.text}]"
        return (at, at + len(whole)) if text.startswith(whole, at) else None
    if text.startswith(row.text, at) and row.text:
        return at, at + len(row.text)
    if row.what == "correspondent" and row.text:
        found = text.find(row.text, at, starts[row.line] if row.line < len(starts) else None)
        return (found, found + len(row.text)) if found >= 0 else None
    return None


def _index(documents: list[tuple[str, str, list[Decision]]]) -> bytes:
    rows = [E.TR(E.TD(E.A(doc_id, href=f"{doc_id}.html")), E.TD(str(len(d))),
                 E.TD(str(sum(not r.certain for r in d))))
            for doc_id, _, d in documents]
    table = E.TABLE(E.THEAD(E.TR(E.TH("document"), E.TH("decisions"), E.TH("uncertain"))),
                    E.TBODY(*rows))
    return _html("Review", [E.HEADER(E.H1("Review: the importer's decisions")),
                            E.DIV(table, **{"class": "layout"})], "")
