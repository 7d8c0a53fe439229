"""HTML reading edition: static pages that work from ``file://`` (relative links, no script).

Pages are built as lxml trees and serialised by lxml, so everything taken from the source
is escaped by construction (a ``<script>`` in a document is text, never markup).  The
output is deterministic: sorted listings, no timestamps, identical bytes on rebuild.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from ..pipeline import write_atomic
from .common import Entry, Mention, Reading, authority_links, merged_entries, no_gc

INDEX_PAGES = {"person": ("persons.html", "Persons"), "place": ("places.html", "Places"),
               "org": ("orgs.html", "Organisations")}
DOCTYPE = "<!DOCTYPE html>"

STYLE = """
:root { --ink: #1d1d1f; --muted: #5b5b66; --rule: #d8d8de; --person: #fff1c9;
  --place: #dff3e4; --org: #e3ecfb; --link: #1a4f9c; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fdfdfb;
  font: 1.06rem/1.6 Georgia, "Times New Roman", serif; }
header.site, footer.site { background: #f1f1ec; border-bottom: 1px solid var(--rule);
  padding: .5rem 1.2rem; font-family: system-ui, sans-serif; font-size: .9rem; }
footer.site { border-top: 1px solid var(--rule); border-bottom: 0; color: var(--muted);
  margin-top: 3rem; }
header.site a { margin-right: 1rem; }
main { max-width: 46rem; margin: 0 auto; padding: 1rem 1.2rem; }
h1 { font-size: 1.6rem; line-height: 1.3; margin: 1rem 0; }
h2 { font-size: 1.25rem; margin: 1.6rem 0 .6rem; }
h3, h4, h5, h6 { font-size: 1.1rem; }
a { color: var(--link); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem;
  font-family: system-ui, sans-serif; font-size: .92rem; border: 1px solid var(--rule);
  padding: .7rem 1rem; background: #fff; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
article.text p { margin: 0 0 .9rem; }
.byline, .docDate, .dateline, .note-source, .classification, .seg { font-style: italic; }
.classification, .seg-classification { text-transform: uppercase; letter-spacing: .05em;
  font-size: .9rem; }
.note, .note-editorial, .note-release { color: var(--muted); font-size: .95rem; }
.salute, .signed { margin-left: 2rem; }
.signed { font-variant: small-caps; }
.item { margin-left: 1.5rem !important; }
.label { font-weight: bold; margin-right: .3rem; }
.pb { display: inline-block; font: .75rem/1.2 system-ui, sans-serif; color: var(--muted);
  border: 1px solid var(--rule); border-radius: 3px; padding: 0 .3rem; margin: 0 .2rem;
  vertical-align: .1em; }
p.pb-block { text-align: center; margin: 1rem 0; }
.person { background: var(--person); }
.place { background: var(--place); }
.org { background: var(--org); }
.person, .place, .org { border-radius: 2px; padding: 0 1px; text-decoration: none;
  color: inherit; border-bottom: 1px solid #999; }
.date { border-bottom: 1px dotted #999; }
:target { outline: 2px solid #e0a100; }
table.documents { border-collapse: collapse; width: 100%; font-size: .95rem; }
table.documents th, table.documents td { text-align: left; vertical-align: top;
  padding: .35rem .5rem; border-bottom: 1px solid var(--rule); }
table.documents td.date { white-space: nowrap; border: 0; border-bottom: 1px solid var(--rule); }
section.entry { border-top: 1px solid var(--rule); padding-top: .3rem; }
.entry .variants, .entry .life, .entry .authority { font-size: .92rem; color: var(--muted); }
ol.mentions { font-size: .92rem; }
.legend span { margin-right: .8rem; }
@media print {
  header.site, footer.site nav, .legend { display: none; }
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  .person, .place, .org { background: none; border-bottom: 0; }
  .pb { border: 0; color: #000; }
  h1, h2, h3 { page-break-after: avoid; }
  p { orphans: 3; widows: 3; }
  dl.facts { border: 0; padding: 0; }
}
""".strip()


def _lang(value: str) -> str:
    return value if re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", value) else "en"


_RESERVED = {"index", "persons", "places", "orgs"}


def page_name(stem: str) -> str:
    """File name of a document page; never one of the edition's own pages."""
    return ("doc-" if stem in _RESERVED else "") + stem + ".html"


def href_doc(stem: str, anchor: str | None = None) -> str:
    return quote(page_name(stem)) + (f"#{anchor}" if anchor else "")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    if "class_" in attrs:  # the hot path of the exporter: no per-call comprehension
        attrs["class"] = attrs.pop("class_")
    el = etree.SubElement(parent, tag, attrs)
    if text:
        el.text = text
    return el


def _page(title: str, lang: str = "en") -> tuple[etree._Element, etree._Element]:
    html = etree.Element("html", lang=lang)
    head = _sub(html, "head")
    _sub(head, "meta", charset="utf-8")
    _sub(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    _sub(head, "title", title)
    _sub(head, "style", STYLE)
    body = _sub(html, "body")
    header = _sub(body, "header", class_="site")
    nav = _sub(header, "nav", **{"aria-label": "Edition"})
    _sub(nav, "a", "Documents", href="index.html")
    for fname, label in INDEX_PAGES.values():
        _sub(nav, "a", label, href=fname)
    main = _sub(body, "main")
    return html, main


def _footer(html: etree._Element, text: str) -> None:
    body = html.find("body")
    _sub(body, "footer", text, class_="site")


def serialize(html: etree._Element) -> bytes:
    return etree.tostring(html, method="html", encoding="utf-8", doctype=DOCTYPE) + b"\n"


# --- document pages -------------------------------------------------------------------------


def _append_text(parent: etree._Element, s: str) -> None:
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + s
    else:
        parent.text = (parent.text or "") + s


_VALID_DATETIME = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _open(parent: etree._Element, tag: str, attrs: dict, m: Mention | None,
          in_link: bool) -> etree._Element:
    if m is not None and m.kind in INDEX_PAGES:
        if m.target and not in_link:
            el = _sub(parent, "a", class_=m.kind, id=m.anchor,
                      href=f"{INDEX_PAGES[m.kind][0]}#{m.target}")
        else:
            el = _sub(parent, "span", class_=m.kind, id=m.anchor)
        return el
    if m is not None:  # date
        value = attrs.get("when", "")
        if _VALID_DATETIME.fullmatch(value):
            return _sub(parent, "time", class_="date", id=m.anchor, datetime=value)
        el = _sub(parent, "span", class_="date", id=m.anchor)
        if m.value:
            el.set("title", m.value)
        return el
    if tag == "ref" and attrs.get("target", "").startswith(("http://", "https://")) \
            and not in_link:
        return _sub(parent, "a", href=attrs["target"], class_="ref")
    if tag == "hi":
        return _sub(parent, "em", class_="hi")
    cls = tag + (f" {tag}-{attrs['type']}" if attrs.get("type") else "")
    return _sub(parent, "span", class_=cls)


def _render_events(parent: etree._Element, events: list) -> None:
    stack = [parent]
    links = 0
    for ev in events:
        kind = ev[0]
        if kind == "t":
            _append_text(stack[-1], ev[1])
        elif kind == "open":
            el = _open(stack[-1], ev[1], ev[2], ev[3], links > 0)
            links += el.tag == "a"
            stack.append(el)
        elif kind == "close":
            el = stack.pop()
            links -= el.tag == "a"
        elif kind == "pb":
            _sub(stack[-1], "span", f"[p. {ev[1]}]", class_="pb", id=ev[2])


def _block_tag(block) -> tuple[str, str]:
    if block.kind == "head":
        return f"h{min(2 + block.level, 6)}", "head"
    cls = block.kind + (f" {block.kind}-{block.type}" if block.type else "")
    if block.kind == "pb":
        return "p", "pb-block"
    return "p", cls


def _fact(dl: etree._Element, label: str, values: list[str] | str) -> None:
    if isinstance(values, str):
        values = [values] if values else []
    if not values:
        return
    _sub(dl, "dt", label)
    _sub(dl, "dd", "; ".join(values))


def document_page(r: Reading) -> bytes:
    m = r.meta
    html, main = _page(m.title, _lang(m.lang))
    _sub(main, "h1", m.title)
    dl = _sub(main, "dl", class_="facts")
    if m.date_text:
        _sub(dl, "dt", "Date")
        dd = _sub(dl, "dd")
        if m.when and _VALID_DATETIME.fullmatch(m.when):
            _sub(dd, "time", m.date_text, datetime=m.when)
        else:
            dd.text = m.date_text
    _fact(dl, "Kind", m.kind)
    _fact(dl, "Author", m.authors)
    _fact(dl, "Addressee", m.addressees)
    _fact(dl, "Source", m.sources)
    _fact(dl, "File number", m.file_numbers)
    _fact(dl, "Classification", m.classification)
    _fact(dl, "Release", m.release)
    if r.pages:  # links to the page markers in the text
        _sub(dl, "dt", "Page breaks")
        dd = _sub(dl, "dd")
        for i, (n, anchor) in enumerate(r.pages):
            if i:
                _append_text(dd, ", ")
            _sub(dd, "a", n or "?", href=f"#{anchor}")
    _fact(dl, "TEI file", r.path.name)
    if not len(dl):
        main.remove(dl)
    if any(mm.kind in INDEX_PAGES for mm in r.mentions):
        legend = _sub(main, "p", class_="legend")
        for kind, cls in (("Person", "person"), ("Place", "place"),
                          ("Organisation", "org")):
            _sub(legend, "span", kind, class_=cls)
    article = _sub(main, "article", class_="text")
    for block in r.blocks:
        tag, cls = _block_tag(block)
        el = _sub(article, tag, class_=cls)
        _render_events(el, block.events)
    _footer(html, m.licence or "")
    return serialize(html)


# --- index pages ----------------------------------------------------------------------------


def index_page(readings: list[Reading]) -> bytes:
    html, main = _page("Documents")
    _sub(main, "h1", "Documents")
    dated = sum(1 for r in readings if r.meta.sort_key[0] == 0)
    _sub(main, "p", index_intro(len(readings), dated))
    table = _sub(main, "table", class_="documents")
    tr = _sub(_sub(table, "thead"), "tr")
    for h in ("Date", "Title", "Kind"):
        _sub(tr, "th", h, scope="col")
    tbody = _sub(table, "tbody")
    for r in sorted(readings, key=lambda r: r.meta.sort_key):
        index_row(tbody, r.meta)
    _footer(html, INDEX_FOOTER)
    return serialize(html)


INDEX_FOOTER = "Generated by tei-edition from TEI P5 files."


def index_intro(n: int, dated: int) -> str:
    return f"{n} documents ({dated} dated), in date order; undated documents last."


def index_row(tbody: etree._Element, meta) -> etree._Element:
    """The row of one document in index.html (``meta``: export.common.Meta)."""
    tr = _sub(tbody, "tr")
    if meta.sort_key[1]:
        tr.set("data-date", meta.sort_key[1])
    _sub(tr, "td", meta.date_text or "undated", class_="date")
    _sub(_sub(tr, "td"), "a", meta.title, href=href_doc(meta.stem))
    _sub(tr, "td", meta.kind)
    return tr


def entity_page(kind: str, readings: list[Reading], index: dict[str, Entry]) -> bytes:
    label = INDEX_PAGES[kind][1]
    html, main = _page(label)
    _sub(main, "h1", label)
    by_target: dict[str, list[tuple[Reading, Mention]]] = {}
    unlinked: dict[str, list[tuple[Reading, Mention]]] = {}
    for r in sorted(readings, key=lambda r: r.meta.sort_key):
        for m in r.mentions:
            if m.kind != kind:
                continue
            if m.target and index.get(m.target) and index[m.target].kind == kind:
                by_target.setdefault(m.target, []).append((r, m))
            else:
                unlinked.setdefault(m.surface, []).append((r, m))
    entries = sorted((e for e in index.values() if e.kind == kind),
                     key=lambda e: (e.label.casefold(), e.id))
    _sub(main, "p", f"{len(entries)} in the index; "
                    f"{sum(len(v) for v in by_target.values())} mentions.")
    for e in entries:
        entry_section(main, e, by_target.get(e.id, []))
    if unlinked:
        sec = unlinked_section(main)
        for surface in sorted(unlinked, key=lambda s: (s.casefold(), s)):
            unlinked_group(sec, surface, unlinked[surface])
    _footer(html, entity_footer(label))
    return serialize(html)


def entity_footer(label: str) -> str:
    return f"{label} named in the edition, with a link to every mention."


def unlinked_section(parent: etree._Element) -> etree._Element:
    sec = _sub(parent, "section", class_="unlinked", id="unlinked")
    _sub(sec, "h2", "Names not linked to the index")
    return sec


def unlinked_group(sec: etree._Element, surface: str, mentions) -> None:
    _sub(sec, "h3", surface)
    _mention_list(sec, mentions)


def entry_section(parent: etree._Element, e: Entry, mentions) -> etree._Element:
    """One index entry and a back-link to each of its ``mentions`` [(reading, mention)]."""
    sec = _sub(parent, "section", class_="entry", id=e.id)
    _sub(sec, "h2", e.label)
    if len(e.names) > 1:
        _sub(sec, "p", "Also: " + "; ".join(e.names[1:]), class_="variants")
    if e.birth or e.death:
        _sub(sec, "p", f"{e.birth or '?'}–{e.death or ''}", class_="life")
    for note in e.notes:
        _sub(sec, "p", note, class_="note")
    links = authority_links(e)
    if links:
        p = _sub(sec, "p", "Authority: ", class_="authority")
        for i, (text, url) in enumerate(links):
            if i:
                _append_text(p, " · ")
            if url:
                _sub(p, "a", text, href=url, rel="external")
            else:
                _sub(p, "span", text)
    if mentions is not None:  # None: the caller writes the list (export/stream.py)
        _mention_list(sec, mentions)
    return sec


def _mention_list(parent: etree._Element, mentions: list[tuple[Reading, Mention]]) -> None:
    """One item per document, a back-link to every mention in it."""
    if not mentions:
        _sub(parent, "p", "No mention in the text.", class_="mentions")
        return
    ol = _sub(parent, "ol", class_="mentions")
    last = None
    li = None
    for r, m in mentions:
        if r is not last:
            last = r
            li = etree.SubElement(ol, "li")
            href = href_doc(r.stem)
            etree.SubElement(li, "a", href=href).text = r.meta.title
            _append_text(li, f" ({r.meta.date_text}): " if r.meta.date_text else ": ")
        else:
            _append_text(li, ", ")
        a = etree.SubElement(li, "a", href=f"{href}#{m.anchor}")
        a.text = f"“{m.surface}”" + (f" p. {m.page}" if m.page else "")


def export_html(readings: list[Reading], out: Path) -> list[Path]:
    """Write a page per document, index.html and the three entity index pages."""
    index = merged_entries(readings)
    written = []
    with no_gc():
        for r in readings:
            target = out / page_name(r.stem)
            write_atomic(target, document_page(r))
            written.append(target)
        write_atomic(out / "index.html", index_page(readings))
        written.append(out / "index.html")
        for kind, (fname, _label) in INDEX_PAGES.items():
            write_atomic(out / fname, entity_page(kind, readings, index))
            written.append(out / fname)
    return written
