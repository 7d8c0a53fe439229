"""HTML reading edition: static pages with relative links, readable from ``file://``.

Pages are built as lxml trees and serialised by lxml, so everything taken from the source
is escaped by construction (a ``<script>`` in a document is text, never markup).  The
output is deterministic: sorted listings, no timestamps, identical bytes on rebuild.

Pages (all in one folder, so links stay relative):

* ``<stem>.html``: one per document, with previous/next in date order, the facts, links to
  the TEI and text files, a suggested citation, the text (notes as numbered footnotes,
  tables as tables), and the entities it names (the pop-ups' content);
* ``index.html``, ``index-2.html``, …: the documents by year, paginated;
* ``persons.html``, ``places.html``, ``orgs.html`` (and ``-2``, … pages): the index of
  each kind, grouped by initial, each entry with its counts and first documents;
  ``persons-unlinked.html`` (…) for names not linked to an entry;
* ``person-<id>.html``, ``place-<id>.html``, ``org-<id>.html``: one page per entry, with
  every document and mention (paginated for very frequent entries);
* ``search.html``: full-text search (see ``search.py``); ``edition.css``, ``edition.js``.

Page sizes are bounded by :class:`Paging` so that no index page grows with the corpus.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from .. import outputs
from ..pipeline import write_atomic
from .common import Entry, Mention, Reading, authority_links, human_date, merged_entries, no_gc
from .store import Corpus, Hit, Summary

INDEX_PAGES = {"person": ("persons.html", "Persons"), "place": ("places.html", "Places"),
               "org": ("orgs.html", "Organisations")}
KIND_LABEL = {"person": "Person", "place": "Place", "org": "Organisation"}
DOCTYPE = "<!DOCTYPE html>"
ASSETS = ("edition.css", "edition.js", "search.js")
EDITION = "tei-edition digital edition"


@dataclass(frozen=True)
class Paging:
    """Bounds on index pages (tests use small values to exercise the pagination)."""

    documents: int = 500  # rows per page of index.html
    entries: int = 400  # entries per page of persons.html, places.html, orgs.html
    links: int = 2000  # links per page of an entity page or the unlinked names
    preview: int = 3  # documents named with each entry of an index page


def _lang(value: str) -> str:
    return value if re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", value) else "en"


_RESERVED = re.compile(r"(index|persons|places|orgs|search)(-.*)?|(person|place|org)-.*|doc-.*")


def page_name(stem: str) -> str:
    """File name of a document page; never one of the edition's own pages, and never the
    same for two stems ("index" -> doc-index.html, "doc-index" -> doc-doc-index.html)."""
    return ("doc-" if _RESERVED.fullmatch(stem) else "") + stem + ".html"


@functools.lru_cache(maxsize=65536)
def _doc_href(stem: str) -> str:
    return quote(page_name(stem))


def href_doc(stem: str, anchor: str | None = None) -> str:
    return _doc_href(stem) + (f"#{anchor}" if anchor else "")


def entity_page_name(entry: Entry, page: int = 1) -> str:
    return f"{entry.kind}-{entry.id}" + (f"-{page}" if page > 1 else "") + ".html"


_SE = etree.SubElement
_human = functools.lru_cache(maxsize=65536)(human_date)


@functools.lru_cache(maxsize=65536)
def _entity_href(kind: str, eid: str) -> str:
    return quote(f"{kind}-{eid}.html")


def numbered(name: str, page: int) -> str:
    """index.html, index-2.html, …"""
    return name if page == 1 else name.replace(".html", f"-{page}.html")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    if "class_" in attrs:  # the hot path of the exporter: no per-call comprehension
        attrs["class"] = attrs.pop("class_")
    el = etree.SubElement(parent, tag, attrs)
    if text:
        el.text = text
    return el


def _page(title: str, lang: str = "en", script: bool = False
          ) -> tuple[etree._Element, etree._Element]:
    html = etree.Element("html", lang=lang)
    head = _sub(html, "head")
    _sub(head, "meta", charset="utf-8")
    _sub(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    _sub(head, "title", title)
    _sub(head, "link", rel="icon", href="data:,")  # no favicon request
    _sub(head, "link", rel="stylesheet", href="edition.css")
    if script:
        _sub(head, "script", src="edition.js", defer="defer")
    body = _sub(html, "body")
    header = _sub(body, "header", class_="site")
    nav = _sub(header, "nav", **{"aria-label": "Edition"})
    _sub(nav, "a", "Documents", href="index.html")
    for fname, label in INDEX_PAGES.values():
        _sub(nav, "a", label, href=fname)
    _sub(nav, "a", "Search", href="search.html")
    main = _sub(body, "main")
    return html, main


def _footer(html: etree._Element, text: str) -> None:
    body = html.find("body")
    _sub(body, "footer", text, class_="site")


def serialize(html: etree._Element) -> bytes:
    return etree.tostring(html, method="html", encoding="utf-8", doctype=DOCTYPE) + b"\n"


def _append_text(parent: etree._Element, s: str) -> None:
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + s
    else:
        parent.text = (parent.text or "") + s


# --- document pages -------------------------------------------------------------------------


_VALID_DATETIME = re.compile(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                             r"(Z|[+-]\d{2}:\d{2})?)?)?)?")
_TABLE_TAGS = {"table": "table", "row": "tr", "cell": "td"}
_SPAN_TABLE = {"table": "span", "row": "span", "cell": "span"}


class _Renderer:
    """Events of the reading model to HTML for one document page."""

    def __init__(self, index: dict[str, Entry]):
        self.index = index
        self._items: dict[str, tuple[str, str, str]] = {}

    def entity_item(self, e: Entry, count: int) -> str:
        """An entry of a document's list of names, as HTML text: the same on every page
        that names it, so it is built and escaped once and the count put in between."""
        parts = self._items.get(e.id)
        if parts is None:
            html = etree.tostring(_entity_item(e), method="html", encoding="unicode")
            cut = html.index("</strong>") + len("</strong>")
            filt = (f'<span data-pagefind-filter="{e.kind}">{escape(e.label, False)}</span>'
                    if e.kind in ("person", "place") else "")
            parts = self._items[e.id] = (html[:cut], html[cut:], filt)
        count_text = f" ({KIND_LABEL[e.kind].lower()}" + (
            f", {count} mentions here)" if count > 1 else ")")
        return parts[0] + count_text + parts[1]

    def filter_span(self, e: Entry) -> str:
        return self._items[e.id][2] if e.id in self._items else ""

    def open(self, parent: etree._Element, tag: str, attrs: dict, m: Mention | None,
             in_link: bool, in_table: bool) -> etree._Element:
        if m is not None and m.kind in INDEX_PAGES:
            entry = self.index.get(m.target) if m.target else None
            if entry is not None and not in_link:
                return _SE(parent, "a", {"class": m.kind, "id": m.anchor,
                                         "href": _entity_href(entry.kind, entry.id),
                                         "data-entity": entry.id})
            return _SE(parent, "span", {"class": m.kind, "id": m.anchor})
        if m is not None:  # date
            value = attrs.get("when", "")
            if _VALID_DATETIME.fullmatch(value):
                return _SE(parent, "time", {"class": "date", "id": m.anchor, "datetime": value,
                                            "title": _human(value)})
            el = _SE(parent, "span", {"class": "date", "id": m.anchor})
            if m.value:
                el.set("title", m.value)
            return el
        if tag in _TABLE_TAGS:
            return _sub(parent, (_TABLE_TAGS if in_table else _SPAN_TABLE)[tag], class_=tag)
        if tag == "ref" and attrs.get("target", "").startswith(("http://", "https://")) \
                and not in_link:
            return _sub(parent, "a", href=attrs["target"], class_="ref")
        if tag == "hi":
            return _sub(parent, "em", class_="hi")
        if tag == "head" and in_table and parent.tag == "table":
            return _sub(parent, "caption")
        cls = tag + (f" {tag}-{attrs['type']}" if attrs.get("type") else "")
        return _SE(parent, "span", {"class": cls})

    def events(self, parent: etree._Element, events: list, in_table: bool = False) -> None:
        stack = [parent]
        links = 0
        for ev in events:
            kind = ev[0]
            if kind == "t":
                top = stack[-1]
                if in_table and top.tag in ("table", "tr") and not ev[1].strip():
                    continue  # white space between rows and cells
                if len(top):
                    last = top[-1]
                    last.tail = (last.tail or "") + ev[1]
                else:
                    top.text = (top.text or "") + ev[1]
            elif kind == "open":
                el = self.open(stack[-1], ev[1], ev[2], ev[3], links > 0, in_table)
                links += el.tag == "a"
                stack.append(el)
            elif kind == "close":
                el = stack.pop()
                links -= el.tag == "a"
            elif kind == "pb":
                image = ev[3] if len(ev) > 3 else None
                if image and image.startswith(("http://", "https://")) and not links:
                    # the page image (pb/@facs); other schemes are never made links
                    _SE(stack[-1], "a", {"class": "pb", "id": ev[2], "href": image,
                                         "title": f"Image of page {ev[1]}"}).text = \
                        f"[p. {ev[1]}]"
                else:
                    _sub(stack[-1], "span", f"[p. {ev[1]}]", class_="pb", id=ev[2])
            elif kind == "fn":
                sup = _sub(stack[-1], "sup", class_="fnref")
                _sub(sup, "a", ev[1], href=f"#fn-{ev[1]}", id=f"fnref-{ev[1]}",
                     **{"aria-label": f"Note {ev[1]}"})


def _block_tag(block) -> tuple[str, str]:
    if block.kind == "head":
        return f"h{min(2 + block.level, 6)}", "head"
    cls = block.kind + (f" {block.kind}-{block.type}" if block.type else "")
    if block.kind == "pb":
        return "p", "pb-block"
    if block.kind == "table":
        return "table", "table"
    return "p", cls


def _fact(dl: etree._Element, label: str, values: list[str] | str) -> None:
    if isinstance(values, str):
        values = [values] if values else []
    if not values:
        return
    _sub(dl, "dt", label)
    _sub(dl, "dd", "; ".join(values))


def citation(r: Reading) -> str:
    """A suggested citation (Chicago-like): author, title, date, source, edition, file."""
    m = r.meta
    parts = []
    if m.authors:
        parts.append(" and ".join(m.authors) + ", ")
    parts.append(f"“{m.title}”")
    if m.date_text:
        parts.append(f", {m.date_text}")
    parts.append(".")
    source = "; ".join(m.sources + [f"file {n}" for n in m.file_numbers])
    if source:
        parts.append(f" {source}.")
    parts.append(f" In {EDITION}, document {m.stem} (TEI: {r.path.name}).")
    return "".join(parts)


def _entity_item(e: Entry) -> etree._Element:
    """An entry of a document's list of names: the content of its pop-up too."""
    li = etree.Element("li", {"class": "entity " + e.kind, "id": f"entity-{e.id}",
                              "data-label": e.label})
    strong = _sub(li, "strong")
    _sub(strong, "a", e.label, href=_entity_href(e.kind, e.id))
    if e.birth or e.death:
        _sub(li, "div", f"{e.birth or '?'}–{e.death or ''}", class_="life")
    for note in e.notes[:2]:
        _sub(li, "div", note, class_="note")
    _authority_line(li, "div", e)
    return li


def _authority_line(parent: etree._Element, tag: str, e: Entry) -> None:
    """"Authority: GeoNames 1835841 · VIAF …", each linked where it has an address."""
    links = authority_links(e)
    if not links:
        return
    line = _sub(parent, tag, "Authority: ", class_="authority")
    for i, (text, url) in enumerate(links):
        if i:
            _append_text(line, " · ")
        if url:
            _sub(line, "a", text, href=url, rel="external")
        else:
            _sub(line, "span", text)


def document_page(r: Reading, index: dict[str, Entry] | None = None,
                  prev: Reading | None = None, next_: Reading | None = None,
                  files: Iterable[tuple[str, str]] = (),
                  renderer: _Renderer | None = None) -> bytes:
    """The reading page of one document.

    ``index`` resolves mentions to entries (default: the document's own standOff);
    ``prev``/``next_`` are its neighbours in date order; ``files`` are (label, href) of
    the same document in other formats (TEI, plain text)."""
    m = r.meta
    index = index if index is not None else r.entries
    html, main = _page(m.title, _lang(m.lang), script=True)
    main.set("data-pagefind-body", "")
    if prev is not None or next_ is not None:
        nav = _sub(main, "nav", class_="docnav", **{"aria-label": "Previous and next",
                                                  "data-pagefind-ignore": "all"})
        if prev is not None:
            _sub(nav, "a", f"← {prev.meta.title}", href=href_doc(prev.stem), rel="prev")
        else:
            _sub(nav, "span")
        if next_ is not None:
            _sub(nav, "a", f"{next_.meta.title} →", href=href_doc(next_.stem), rel="next")
    _sub(main, "h1", m.title, **{"data-pagefind-meta": "title"})
    dl = _sub(main, "dl", class_="facts", **{"data-pagefind-ignore": ""})
    if m.date_text:
        _sub(dl, "dt", "Date")
        dd = _sub(dl, "dd")
        uncertain = m.date_text.startswith(("probably", "possibly"))
        if m.when and _VALID_DATETIME.fullmatch(m.when):
            el = _sub(dd, "time", m.date_text, datetime=m.when)
        else:
            el = _sub(dd, "span", m.date_text)
        if uncertain:
            el.set("class", "uncertain")
        el.set("data-pagefind-meta", "date")
    _fact(dl, "Kind", m.kind)
    _fact(dl, "Author", m.authors)
    _fact(dl, "Addressee", m.addressees)
    _fact(dl, "Source", m.sources)
    _fact(dl, "File number", m.file_numbers)
    _fact(dl, "Classification", m.classification)
    _fact(dl, "Release", m.release)
    if r.pages:  # links to the page markers in the text
        _sub(dl, "dt", "Page breaks")
        dd = _sub(dl, "dd", **{"data-pagefind-ignore": "all"})
        for i, (n, anchor) in enumerate(r.pages):
            if i:
                _append_text(dd, ", ")
            _sub(dd, "a", n or "?", href=f"#{anchor}")
    files = list(files)
    if files:
        _sub(dl, "dt", "Files")
        dd = _sub(dl, "dd", **{"data-pagefind-ignore": "all"})
        for i, (label, href) in enumerate(files):
            if i:
                _append_text(dd, " · ")
            _sub(dd, "a", label, href=href, class_="file", type=_MIME.get(label, ""))
    else:
        _fact(dl, "TEI file", r.path.name)
    if not len(dl):
        main.remove(dl)
    counts: dict[str, int] = {}
    for mm in r.mentions:
        if mm.kind in INDEX_PAGES and mm.target and mm.target in index:
            counts[mm.target] = counts.get(mm.target, 0) + 1
    if any(mm.kind in INDEX_PAGES for mm in r.mentions):
        legend = _sub(main, "p", class_="legend", **{"data-pagefind-ignore": "all"})
        label = _sub(legend, "label")
        _sub(label, "input", type="checkbox", id="highlight", checked="checked")
        _append_text(label, " Highlight names")
        for kind, cls in (("Person", "person"), ("Place", "place"),
                          ("Organisation", "org")):
            _sub(legend, "span", kind, class_=cls)
    renderer = renderer if renderer is not None and renderer.index is index \
        else _Renderer(index)
    article = _sub(main, "article", class_="text")
    footnotes = [b for b in r.blocks if b.kind == "footnote"]
    for block in r.blocks:
        if block.kind == "footnote":
            continue
        tag, cls = _block_tag(block)
        el = _sub(article, tag, class_=cls)
        renderer.events(el, block.events, in_table=tag == "table")
    if footnotes:
        sec = _sub(main, "section", class_="footnotes", **{"aria-label": "Notes"})
        _sub(sec, "h2", "Notes")
        ol = _sub(sec, "ol")
        for b in footnotes:
            li = _sub(ol, "li", id=f"fn-{b.n}", value=b.n or "")
            if b.type:
                li.set("class", f"note-{b.type}")
            renderer.events(li, b.events)
            _append_text(li, " ")
            _sub(li, "a", "↩", href=f"#fnref-{b.n}", class_="back",
                 **{"aria-label": "Back to the text"})
    slots: list[bytes] = []  # filled after serialisation (see _mention_list)
    if counts:
        sec = _sub(main, "section", class_="entities", id="entities",
                   **{"data-pagefind-ignore": ""})
        _sub(sec, "h2", "Named in this document")
        ul = _sub(sec, "ul")
        ul.append(etree.Comment(_SLOT))
        order = sorted(counts, key=lambda i: (index[i].kind, index[i].label.casefold()))
        slots.append("".join(renderer.entity_item(index[eid], counts[eid])
                             for eid in order).encode("utf-8"))
    sec = _sub(main, "section", class_="cite", **{"data-pagefind-ignore": "all"})
    _sub(sec, "h2", "Cite this document")
    _sub(sec, "p", citation(r), class_="citation")
    # filters of the search page (pagefind reads them from the page, hidden or not)
    filters = _sub(main, "div", hidden="hidden", **{"data-pagefind-ignore": ""})
    if m.kind:
        _sub(filters, "span", m.kind, **{"data-pagefind-filter": "kind"})
    if m.year:
        _sub(filters, "span", m.year, **{"data-pagefind-filter": "year"})
    sort = m.sort_key[1] or "9999"
    _sub(filters, "span", sort, **{"data-pagefind-sort": "date"})
    if counts:
        filters.append(etree.Comment(_SLOT))
        slots.append("".join(renderer.filter_span(index[eid])
                             for eid in sorted(counts)).encode("utf-8"))
    _footer(html, m.licence or "")
    return _fill(serialize(html), slots)


_MIME = {"TEI": "application/tei+xml", "Text": "text/plain", "JSON": "application/json"}


# --- index of documents ---------------------------------------------------------------------


def _pages_nav(main: etree._Element, name: str, page: int, total: int) -> None:
    if total < 2:
        return
    nav = _sub(main, "nav", class_="pages", **{"aria-label": "Pages"})
    _append_text(nav, "Pages:")
    for i in range(1, total + 1):
        if i == page:
            _sub(nav, "span", str(i), class_="current", **{"aria-current": "page"})
        else:
            _sub(nav, "a", str(i), href=numbered(name, i))


def index_pages(readings: list[Reading], paging: Paging = Paging()) -> list[tuple[str, bytes]]:
    """index.html (and index-2.html, …): the documents in date order, grouped by year."""
    ordered = sorted(readings, key=lambda r: r.meta.sort_key)
    chunks = [ordered[i:i + paging.documents]
              for i in range(0, len(ordered), paging.documents)] or [[]]
    dated = sum(1 for r in readings if r.meta.sort_key[0] == 0)
    year_page: dict[str, int] = {}
    for i, chunk in enumerate(chunks, 1):
        for r in chunk:
            year_page.setdefault(r.meta.year or "undated", i)
    out = []
    for i, chunk in enumerate(chunks, 1):
        html, main = _page("Documents" if i == 1 else f"Documents, page {i}")
        _sub(main, "h1", "Documents")
        _sub(main, "p", f"{len(readings)} documents ({dated} dated), in date order; "
                        "undated documents last.")
        if len(year_page) > 1:
            jump = _sub(main, "nav", class_="jump", **{"aria-label": "Years"})
            for year, p in year_page.items():
                href = ("" if p == i else numbered("index.html", p)) + f"#y-{year}"
                _sub(jump, "a", year, href=href)
        _pages_nav(main, "index.html", i, len(chunks))
        tbody = None
        current = None
        for r in chunk:
            year = r.meta.year or "undated"
            if year != current:
                current = year
                head = _sub(main, "h2", year)
                if year_page[year] == i:
                    head.set("id", f"y-{year}")
                table = _sub(main, "table", class_="documents")
                tr = _sub(_sub(table, "thead"), "tr")
                for h in ("Date", "Title", "Kind"):
                    _sub(tr, "th", h, scope="col")
                tbody = _sub(table, "tbody")
            tr = _sub(tbody, "tr")
            if r.meta.sort_key[1]:
                tr.set("data-date", r.meta.sort_key[1])
            _sub(tr, "td", r.meta.date_text or "undated", class_="date")
            _sub(_sub(tr, "td"), "a", r.meta.title, href=href_doc(r.stem))
            _sub(tr, "td", r.meta.kind)
        _pages_nav(main, "index.html", i, len(chunks))
        _footer(html, "Generated by tei-edition from TEI P5 files.")
        out.append((numbered("index.html", i), serialize(html)))
    return out


# --- entity indexes and pages ---------------------------------------------------------------


Hits = list[Hit]  # per document, in date order


def _initial(label: str) -> str:
    c = next((ch for ch in label if ch.isalnum()), "#")
    return c.upper() if c.isalpha() else "#"


def _paginate(items: list, weight: Callable[[object], int], limit: int,
              max_items: int | None = None) -> list[list]:
    """Split items into pages of at most ``limit`` total weight (and ``max_items``);
    an item heavier than the limit gets a page of its own."""
    pages: list[list] = [[]]
    load = 0
    for item in items:
        w = weight(item)
        full = pages[-1] and (load + w > limit or (max_items and len(pages[-1]) >= max_items))
        if full:
            pages.append([])
            load = 0
        pages[-1].append(item)
        load += w
    return pages


def _count_text(summary: Summary) -> str:
    n, d = summary.mentions, summary.documents
    return (f"{n} mention{'s' if n != 1 else ''} in {d} document{'s' if d != 1 else ''}")


def _hits_summary(hits: Hits) -> Summary:
    return Summary(sum(len(h.mentions) for h in hits), len(hits), [h.reading for h in hits])


def _doc_links(parent: etree._Element, summary: Summary, limit: int) -> None:
    for i, r in enumerate(summary.first[:limit]):
        if i:
            _append_text(parent, "; ")
        _sub(parent, "a", r.meta.title, href=href_doc(r.stem))
        if r.meta.date_text:
            _append_text(parent, f" ({r.meta.date_text})")
    if summary.documents > limit:
        _append_text(parent, f"; and {summary.documents - limit} more")


def entity_index_pages(kind: str, corpus: Corpus, paging: Paging = Paging()
                       ) -> list[tuple[str, bytes]]:
    """persons.html (and -2, …), grouped by initial; the unlinked names on pages of their
    own (persons-unlinked.html, …)."""
    fname, label = INDEX_PAGES[kind]
    index = corpus.index
    by_target = corpus.summaries(kind, paging.preview)
    unlinked = corpus.unlinked(kind)
    entries = sorted((e for e in index.values() if e.kind == kind),
                     key=lambda e: (e.label.casefold(), e.id))
    chunks = _paginate(entries, lambda e: 1, paging.entries) if entries else [[]]
    letter_page: dict[str, int] = {}
    for i, chunk in enumerate(chunks, 1):
        for e in chunk:
            letter_page.setdefault(_initial(e.label), i)
    unlinked_name = fname.replace(".html", "-unlinked.html")
    surfaces = sorted(unlinked, key=lambda s: (s.casefold(), s))
    # a mention of an unlinked name is shown with its context, four times the weight of a
    # plain link: a quarter as many per page keeps every page small ("China" after 1949)
    cap = max(1, paging.links // 4)
    un_chunks = _paginate(surfaces, lambda s: 1 + min(unlinked[s].documents, cap),
                          cap) if surfaces else []
    total_mentions = sum(s.mentions for s in by_target.values())
    out = []
    for i, chunk in enumerate(chunks, 1):
        html, main = _page(label if i == 1 else f"{label}, page {i}")
        _sub(main, "h1", label)
        p = _sub(main, "p", f"{len(entries)} in the index; {total_mentions} mentions.")
        if surfaces:
            _append_text(p, " ")
            _sub(p, "a", f"{len(surfaces)} names not linked to the index",
                 href=unlinked_name)
            _append_text(p, ".")
        if len(letter_page) > 1:
            jump = _sub(main, "nav", class_="jump", **{"aria-label": "Initials"})
            for letter, pg in letter_page.items():
                href = ("" if pg == i else numbered(fname, pg)) + f"#letter-{letter}"
                _sub(jump, "a", letter, href=href)
        _pages_nav(main, fname, i, len(chunks))
        current = None
        for e in chunk:
            letter = _initial(e.label)
            if letter != current:
                current = letter
                h = _sub(main, "h2", letter)
                if letter_page[letter] == i:
                    h.set("id", f"letter-{letter}")
            summary = by_target.get(e.id)
            sec = _sub(main, "section", class_="entry", id=e.id)
            _sub(_sub(sec, "h3"), "a", e.label, href=quote(entity_page_name(e)))
            if e.birth or e.death:
                _sub(sec, "p", f"{e.birth or '?'}–{e.death or ''}", class_="life")
            _sub(sec, "p", _count_text(summary) if summary else "No mention in the text.",
                 class_="count")
            if summary:
                docs = _sub(sec, "p", class_="docs")
                _doc_links(docs, summary, paging.preview)
        _pages_nav(main, fname, i, len(chunks))
        _footer(html, f"{label} named in the edition; each entry links to its own page.")
        out.append((numbered(fname, i), serialize(html)))
    for i, chunk in enumerate(un_chunks, 1):
        slots: list[bytes] = []
        title = f"{label}: names not linked to the index"
        html, main = _page(title if i == 1 else f"{title}, page {i}")
        _sub(main, "h1", title)
        _sub(main, "p", f"{len(surfaces)} names; back to the ").append(
            _a(f"index of {label.lower()}", fname))
        _pages_nav(main, unlinked_name, i, len(un_chunks))
        for surface in chunk:
            counted = unlinked[surface]
            sec = _sub(main, "section", class_="entry")
            _sub(sec, "h2", surface)
            _sub(sec, "p", _count_text(counted), class_="count")
            _mention_list(sec, corpus.hits(kind, surface=surface, documents=cap), slots)
            if counted.documents > cap:
                _sub(sec, "p", f"and {counted.documents - cap} more documents (use the "
                               "search)", class_="docs")
        _pages_nav(main, unlinked_name, i, len(un_chunks))
        _footer(html, f"{label} named in the edition but not linked to an index entry.")
        out.append((numbered(unlinked_name, i), _fill(serialize(html), slots)))
    return out


def _a(text: str, href: str) -> etree._Element:
    a = etree.Element("a", href=href)
    a.text = text
    a.tail = "."
    return a


def entry_pages(e: Entry, hits: Hits, paging: Paging = Paging()) -> list[tuple[str, bytes]]:
    """person-<id>.html (and -2, …): the entry, its authorities, every document and
    mention."""
    chunks = _paginate(hits, lambda h: 1 + len(h.mentions), paging.links) if hits else [[]]
    out = []
    kind_label = KIND_LABEL[e.kind]
    for i, chunk in enumerate(chunks, 1):
        slots: list[bytes] = []
        html, main = _page(e.label if i == 1 else f"{e.label}, page {i}")
        _sub(main, "h1", e.label)
        p = _sub(main, "p", f"{kind_label} in the ", class_="kind")
        fname, label = INDEX_PAGES[e.kind]
        p.append(_a(f"index of {label.lower()}", f"{fname}#{e.id}"))
        if len(e.names) > 1:
            _sub(main, "p", "Also: " + "; ".join(e.names[1:]), class_="variants")
        if e.birth or e.death:
            _sub(main, "p", f"{e.birth or '?'}–{e.death or ''}", class_="life")
        for note in e.notes:
            _sub(main, "p", note, class_="note")
        _authority_line(main, "p", e)
        _sub(main, "p", _count_text(_hits_summary(hits)) if hits else
             "No mention in the text.", class_="count")
        _pages_nav(main, entity_page_name(e), i, len(chunks))
        if chunk:
            _mention_list(main, chunk, slots)
        _pages_nav(main, entity_page_name(e), i, len(chunks))
        _footer(html, f"{e.label}: every mention in the edition.")
        out.append((entity_page_name(e, i), _fill(serialize(html), slots)))
    return out


_SLOT = "mentions"  # a comment marking where the list goes (source text is escaped)


def _mention_list(parent: etree._Element, hits: Hits, slots: list[bytes]) -> None:
    """One item per document, a back-link to every mention in it.

    The list is the bulk of an entity page (tens of thousands of links for a place named
    in every document), so it is written as text, escaped here, and put in the page's
    slot after serialisation: four times faster than building it element by element."""
    if not hits:
        _sub(parent, "p", "No mention in the text.", class_="mentions")
        return
    parent.append(etree.Comment(_SLOT))
    parts = ['<ol class="mentions">']
    for r, ms in ((h.reading, h.mentions) for h in hits):
        href = escape(href_doc(r.stem))
        date = f" ({escape(r.meta.date_text)}): " if r.meta.date_text else ": "
        links = ", ".join(
            f'<a href="{href}#{m.anchor}">“{escape(m.surface, False)}”'
            + (f" p. {escape(m.page, False)}" if m.page else "") + "</a>" for m in ms)
        parts.append(f'<li><a href="{href}">{escape(r.meta.title, False)}</a>{date}'
                     f"{links}</li>")
    parts.append("</ol>")
    slots.append("".join(parts).encode("utf-8"))


def _fill(page: bytes, slots: list[bytes]) -> bytes:
    for s in slots:
        page = page.replace(b"<!--" + _SLOT.encode() + b"-->", s, 1)
    return page


# --- the whole edition ----------------------------------------------------------------------


def copy_assets(out: Path) -> list[Path]:
    written = []
    static = resources.files("tei_edition") / "export" / "static"
    for name in ASSETS:
        target = out / name
        write_atomic(target, (static / name).read_bytes())
        written.append(target)
    return written


FileLinks = Callable[[Reading], list[tuple[str, str]]]


def sibling_files(out: Path, folders: dict[str, tuple[Path, str]]) -> FileLinks:
    """(label, relative href) of a document in other formats: ``folders`` maps a label
    to (folder, suffix) of files written in the same run; suffix "" means the TEI file
    the document was read from."""
    bases = {label: os.path.relpath(folder, out).replace(os.sep, "/")
             for label, (folder, suffix) in folders.items() if suffix}

    def links(r: Reading) -> list[tuple[str, str]]:
        found = []
        for label, (_folder, suffix) in folders.items():
            if suffix:
                base = bases[label]
                rel = f"{r.stem}{suffix}" if base == "." else f"{base}/{r.stem}{suffix}"
            else:
                rel = os.path.relpath(r.path, out).replace(os.sep, "/")
            found.append((label, quote(rel)))
        return found
    return links


# What forked workers render: set just before the fork, read by the children (fork shares
# it; nothing is pickled but the page range).
_JOB: dict = {}


class PagesFailed(Exception):
    """A forked worker could not render its document pages."""


def _document_pages(start: int, step: int) -> list[str]:
    """Render and write document pages start, start+step, … of the job; their names.
    ``load`` turns an entry of ``ordered`` into its full reading (a slim one is read
    again from its file)."""
    ordered, index, out, files, load = (_JOB[k] for k in ("ordered", "index", "out", "files",
                                                          "load"))
    renderer = _Renderer(index)
    names: list[str] = []
    with no_gc():
        for i in range(start, len(ordered), step):
            r = load(ordered[i])
            name = page_name(r.stem)
            write_atomic(out / name, render_document_page(r, ordered, i, index, out, files,
                                                          renderer))
            names.append(name)
    return names


def render_document_page(r: Reading, ordered: list[Reading], i: int, index: dict[str, Entry],
                         out: Path, files: FileLinks | None, renderer: _Renderer) -> bytes:
    """The page of ``r``, the ``i``-th of the edition in date order."""
    prev = ordered[i - 1] if i else None
    nxt = ordered[i + 1] if i + 1 < len(ordered) else None
    links = files(r) if files is not None else [("TEI", quote(os.path.relpath(
        r.path, out).replace(os.sep, "/")))]
    return document_page(r, index, prev, nxt, links, renderer)


def _forked_pages(start: int, step: int) -> tuple[list[str], dict[str, str], list[str]] | None:
    """``_document_pages`` in a forked worker: its writes went through the worker's copy
    of the output session, so what it recorded (and the problems it met, said already)
    goes back to the session of the build (outputs.py).  None: it could not render them."""
    session = outputs.current()
    before = len(session.problems) if session is not None else 0
    try:
        names = _document_pages(start, step)
    except Exception:  # noqa: BLE001 - the caller renders in its own process instead
        return None
    if session is None:
        return names, {}, []
    out = _JOB["out"]
    keys = [session.key(out / n) for n in names]
    return (names, {k: session.record[k] for k in keys if k in session.record},
            session.problems[before:])


@contextlib.contextmanager
def forked_document_pages(ordered: list[Reading], index: dict[str, Entry], out: Path,
                          files: FileLinks | None, jobs: int,
                          load: Callable[[Reading], Reading] | None = None):
    """With ``jobs`` > 1 (and the fork start method, i.e. Linux) ``jobs`` forked processes
    render the document pages while the block writes the rest; yields the function that
    waits for them and returns the pages they wrote (raising PagesFailed when one could
    not), or None where nothing was forked and the caller renders the pages itself."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _JOB.update(ordered=ordered, index=index, out=out, files=files, load=load or (lambda r: r))
    pool = None
    try:
        if not (jobs > 1 and len(ordered) >= 2 * jobs
                and "fork" in multiprocessing.get_all_start_methods()):
            yield None
            return
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
        pending = [pool.submit(_forked_pages, k, jobs) for k in range(jobs)]

        def collect() -> list[Path]:
            session = outputs.current()
            written: list[Path] = []
            for f in pending:
                got = f.result()
                if got is None:
                    raise PagesFailed
                names, record, problems = got
                written += [out / n for n in names]
                if session is not None:
                    session.record.update(record)
                    session.problems += problems
            return written

        yield collect
    finally:
        if pool is not None:
            pool.shutdown()
        _JOB.clear()


def corpus_pages(corpus: Corpus, paging: Paging) -> Iterator[tuple[str, bytes]]:
    """The pages over the whole edition: the document index, the index of each kind of
    entity with a page per entry, and the search page."""
    from .search import search_page

    yield from index_pages(corpus.ordered(), paging)
    for kind in INDEX_PAGES:
        yield from entity_index_pages(kind, corpus, paging)
        for e in corpus.index.values():
            if e.kind == kind:
                yield from entry_pages(e, corpus.hits(kind, e.id), paging)
    yield "search.html", search_page(len(corpus))


def export_html(readings: list[Reading], out: Path, paging: Paging = Paging(),
                files: FileLinks | None = None, jobs: int = 1) -> list[Path]:
    """Write every page of the edition into ``out``; returns the files written.

    With ``jobs`` > 1 (and the fork start method, i.e. Linux) the document pages are
    rendered by that many forked processes, which share the reading models with this
    one, while this one writes the index pages."""
    with no_gc():  # millions of small objects live through the whole export
        return _export_html(readings, out, paging, files, jobs)


def _export_html(readings: list[Reading], out: Path, paging: Paging,
                 files: FileLinks | None, jobs: int) -> list[Path]:
    index = merged_entries(readings)
    ordered = sorted(readings, key=lambda r: r.meta.sort_key)
    written = copy_assets(out)
    with forked_document_pages(ordered, index, out, files, jobs) as forked:
        if forked is None:
            written += [out / n for n in _document_pages(0, 1)]
        with no_gc(), Corpus.of(readings, index) as corpus:
            for name, data in corpus_pages(corpus, paging):
                write_atomic(out / name, data)
                written.append(out / name)
        if forked is not None:
            written += forked()
    return written
