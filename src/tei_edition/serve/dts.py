"""Distributed Text Services (DTS) 1.0 over the TEI files of a build.

https://dtsapi.org/versions/v1.0: an entry point and three endpoints.

* Collection: one root collection (the edition) whose members are the documents, one
  ``Resource`` each (``@id`` = the file stem), paginated.
* Navigation: every document has two citation trees.  The default one follows the
  structure of the text: the blocks of the document's division (``head``, ``opener``,
  ``p``, ``list``, ``closer``, …, citeType = the TEI element name) numbered ``1``, ``2``,
  …, and an attachment (``div type="attachment"``) with its own blocks ``5.1``, ``5.2``.
  The tree ``page`` has one unit per printed page (``pb/@n``).
* Document: the TEI file, or with ``ref`` / ``start`` + ``end`` the requested units inside
  ``<dts:wrapper>`` (pages: the text from one ``pb`` to the next, cut at the page breaks).

Everything is read from the TEI files on disk, so hand-corrected files are served as they
are.  The code here is framework-free (plain dicts and bytes); ``app.py`` puts it on
Starlette.
"""

from __future__ import annotations

import copy
import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from lxml import etree

from ..export.common import Meta, parse, read_meta
from ..namespaces import T

CONTEXT = "https://dtsapi.org/context/v1.0.json"
VERSION = "1.0"
DTS_NS = "https://w3id.org/api/dts#"
TEI_MEDIA = "application/tei+xml"
ROOT_ID = "edition"
PAGE_SIZE = 100
PAGE_TREE = "page"
_DIVS = {T + "div"}


class DTSError(Exception):
    """An error answer: HTTP status and message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Unit:
    """A citable unit of a document."""

    identifier: str
    level: int
    parent: str | None
    cite_type: str
    element: etree._Element | None = None  # default tree
    children: list[Unit] = field(default_factory=list)
    title: str = ""

    def as_json(self) -> dict:
        out = {"identifier": self.identifier, "@type": "CitableUnit", "level": self.level,
               "parent": self.parent, "citeType": self.cite_type}
        if self.title:
            out["dublinCore"] = {"title": [{"lang": "en", "value": self.title}]}
        return out


@dataclass
class Tree:
    units: list[Unit]  # document order (pre-order)
    by_id: dict[str, Unit]
    structure: list[dict]


class Catalogue:
    """The documents of a build folder (``BUILD/tei/*.xml``, or a folder of TEI files)."""

    def __init__(self, folder: Path, title: str = "tei-edition digital edition"):
        folder = Path(folder)
        self.folder = folder / "tei" if (folder / "tei").is_dir() else folder
        self.title = title
        self.meta: dict[str, Meta] = {}
        for path in sorted(self.folder.glob("*.xml")):
            try:
                root = parse(path).getroot()
            except Exception:  # noqa: BLE001 - a bad file is left out, the rest served
                continue
            self.meta[path.stem] = read_meta(root, path.stem)
        self.order = sorted(self.meta, key=lambda s: self.meta[s].sort_key)

    def path(self, resource: str) -> Path:
        if resource not in self.meta:
            raise DTSError(404, f"no resource {resource!r}")
        return self.folder / f"{resource}.xml"

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one catalogue per server
    def tree(self, resource: str) -> etree._ElementTree:
        return parse(self.path(resource))

    @functools.lru_cache(maxsize=256)  # noqa: B019
    def citation(self, resource: str, tree: str | None) -> Tree:
        root = self.tree(resource).getroot()
        if tree is None:
            return _structure_tree(root)
        if tree == PAGE_TREE:
            return _page_tree(root)
        raise DTSError(404, f"no citation tree {tree!r} (trees: default, {PAGE_TREE!r})")


# --- citation trees -------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(el: etree._Element, limit: int = 80) -> str:
    s = " ".join("".join(el.itertext()).split())
    return s if len(s) <= limit else s[:limit - 1].rstrip() + "…"


def _structure_tree(root: etree._Element) -> Tree:
    body = root.find(f"{T}text/{T}body")
    units: list[Unit] = []
    by_id: dict[str, Unit] = {}
    types: dict[str, set[str]] = {"": set(), "attachment": set()}
    if body is None:
        return Tree([], {}, [])
    divs = [d for d in body if d.tag in _DIVS]
    # one document division: its blocks are the top level; several: the divisions are
    top = divs[0] if len(divs) == 1 else body

    def add(el: etree._Element, parent: Unit | None, n: int) -> Unit:
        ident = f"{parent.identifier}.{n}" if parent else str(n)
        is_div = el.tag in _DIVS
        cite = (el.get("type") or "div") if is_div else _local(el.tag)
        unit = Unit(ident, (parent.level + 1) if parent else 1,
                    parent.identifier if parent else None, cite, el)
        head = el.find(f"{T}head") if is_div else None
        unit.title = _text(head) if head is not None else ("" if is_div else _text(el, 60))
        units.append(unit)
        by_id[ident] = unit
        if parent:
            parent.children.append(unit)
        (types["attachment"] if parent else types[""]).add(cite)
        if is_div:
            n2 = 0
            for c in el:
                if isinstance(c.tag, str) and c.tag != T + "pb":
                    n2 += 1
                    add(c, unit, n2)
        return unit

    n = 0
    for child in top:
        if isinstance(child.tag, str) and child.tag != T + "pb":
            n += 1
            add(child, None, n)
    divs_types = {u.cite_type for u in units if u.level == 1 and u.element is not None
                  and u.element.tag in _DIVS}
    structure = []
    for cite in sorted(types[""]):
        entry: dict = {"@type": "CiteStructure", "citeType": cite}
        if cite in divs_types and types["attachment"]:
            entry["citeStructure"] = [{"@type": "CiteStructure", "citeType": c}
                                      for c in sorted(types["attachment"])]
        structure.append(entry)
    return Tree(units, by_id, structure)


def _page_tree(root: etree._Element) -> Tree:
    units: list[Unit] = []
    by_id: dict[str, Unit] = {}
    text = root.find(f"{T}text")
    for pb in (text.iter(f"{T}pb") if text is not None else ()):
        n = (pb.get("n") or "").strip()
        if not n or n in by_id:  # the first occurrence of a number is the page
            continue
        unit = Unit(n, 1, None, "page", pb, title=f"Page {n}")
        units.append(unit)
        by_id[n] = unit
    return Tree(units, by_id, [{"@type": "CiteStructure", "citeType": "page"}] if units
                else [])


# --- JSON answers ---------------------------------------------------------------------------


class DTS:
    """The four endpoints as functions of query parameters; ``base`` is the API's URL."""

    def __init__(self, catalogue: Catalogue, base: str = "/api/dts",
                 download: str | None = None):
        self.cat = catalogue
        self.base = base.rstrip("/")
        self.download = download  # URL prefix of the TEI files, if they are served

    # URI templates (RFC 6570)
    def _collection_t(self, rid: str | None = None) -> str:
        if rid is None:
            return f"{self.base}/collection{{?id,page,nav}}"
        return f"{self.base}/collection?id={quote(rid, safe='')}{{&page,nav}}"

    def _navigation_t(self, rid: str) -> str:
        return (f"{self.base}/navigation?resource={quote(rid, safe='')}"
                "{&ref,start,end,down,tree,page}")

    def _document_t(self, rid: str) -> str:
        return (f"{self.base}/document?resource={quote(rid, safe='')}"
                "{&ref,start,end,tree,mediaType}")

    def entry(self) -> dict:
        return {"@context": CONTEXT, "dtsVersion": VERSION, "@id": f"{self.base}/",
                "@type": "EntryPoint",
                "collection": f"{self.base}/collection{{?id,page,nav}}",
                "navigation": f"{self.base}/navigation{{?resource,ref,start,end,down,tree,page}}",
                "document": f"{self.base}/document{{?resource,ref,start,end,tree,mediaType}}"}

    def _resource(self, rid: str, full: bool = True) -> dict:
        m = self.cat.meta[rid]
        out: dict = {"@id": rid, "@type": "Resource", "title": m.title, "totalParents": 1,
                     "totalChildren": 0, "collection": self._collection_t(rid),
                     "navigation": self._navigation_t(rid),
                     "document": self._document_t(rid), "mediaTypes": [TEI_MEDIA]}
        if self.download is not None:
            out["download"] = self.download + quote(f"{rid}.xml")
        dc: dict = {"title": [{"lang": m.lang, "value": m.title}], "language": [m.lang]}
        date = m.when or (f"{m.not_before or '..'}/{m.not_after or '..'}"
                          if m.not_before or m.not_after else None)
        if date:
            dc["date"] = [date]
        if m.authors:
            dc["creator"] = m.authors
        if m.kind:
            dc["type"] = [m.kind]
        if m.date_text:
            dc["description"] = [{"lang": "en", "value": f"Written {m.date_text}."}]
        out["dublinCore"] = dc
        if full:
            out["citationTrees"] = self._trees(rid)
        return out

    def _trees(self, rid: str) -> list[dict]:
        trees = [{"@type": "CitationTree", "citeStructure": self.cat.citation(rid, None).structure}]
        pages = self.cat.citation(rid, PAGE_TREE)
        if pages.units:
            trees.append({"@type": "CitationTree", "identifier": PAGE_TREE,
                          "description": "Pages of the printed source (pb/@n)",
                          "citeStructure": pages.structure})
        return trees

    def collection(self, id: str | None = None, page: str | None = None,
                   nav: str | None = None) -> dict:
        nav = nav or "children"
        if nav not in ("children", "parents"):
            raise DTSError(400, "nav must be 'children' or 'parents'")
        if id is None or id == ROOT_ID:
            root = {"@context": CONTEXT, "dtsVersion": VERSION, "@id": ROOT_ID,
                    "@type": "Collection", "title": self.cat.title,
                    "description": f"{len(self.cat.order)} documents in date order",
                    "totalParents": 0, "totalChildren": len(self.cat.order),
                    "collection": self._collection_t()}
            if nav == "parents":
                root["member"] = []
                return root
            n_pages = max(1, math.ceil(len(self.cat.order) / PAGE_SIZE))
            p = _int(page, "page", 1) if page is not None else None
            if p is not None and not 1 <= p <= n_pages:
                raise DTSError(404, f"page {p} does not exist (1 to {n_pages})")
            current = p or 1
            ids = self.cat.order[(current - 1) * PAGE_SIZE:current * PAGE_SIZE]
            root["member"] = [self._resource(rid, full=False) for rid in ids]
            if n_pages > 1 or p is not None:
                def at(i: int) -> str:
                    return f"{self.base}/collection?{urlencode({'id': ROOT_ID, 'page': i})}"
                root["view"] = {"@id": at(current), "@type": "Pagination", "first": at(1),
                                "previous": at(max(1, current - 1)),
                                "next": at(min(n_pages, current + 1)), "last": at(n_pages)}
            return root
        if id not in self.cat.meta:
            raise DTSError(404, f"no collection or resource {id!r}")
        out = {"@context": CONTEXT, "dtsVersion": VERSION, **self._resource(id)}
        if nav == "parents":
            out["member"] = [{"@id": ROOT_ID, "@type": "Collection", "title": self.cat.title,
                              "totalParents": 0, "totalChildren": len(self.cat.order),
                              "collection": self._collection_t(ROOT_ID)}]
        return out

    def navigation(self, url: str, resource: str | None = None, ref: str | None = None,
                   start: str | None = None, end: str | None = None,
                   down: str | None = None, tree: str | None = None,
                   page: str | None = None) -> dict:
        _check_range(resource, ref, start, end)
        self.cat.path(resource)
        depth = _int(down, "down", -1) if down is not None else None
        if depth is not None and depth < -1:
            raise DTSError(400, "down must be -1, 0 or more")
        if depth is None and ref is None and start is None:
            raise DTSError(400, "give ref, start and end, or down")
        if depth == 0 and ref is None:
            raise DTSError(400, "down=0 needs ref")
        t = self.cat.citation(resource, tree)
        out: dict = {"@context": CONTEXT, "dtsVersion": VERSION, "@type": "Navigation",
                     "@id": url, "resource": self._resource(resource)}
        if ref is not None:
            unit = _find(t, ref)
            out["ref"] = unit.as_json()
            if depth is None:
                return out
            if depth == 0:
                siblings = [u for u in t.units if u.parent == unit.parent]
                out["member"] = [u.as_json() for u in siblings]
                return out
            members = _subtree(unit, depth)
            out["member"] = [u.as_json() for u in members] or [unit.as_json()]
            return out
        if start is not None:
            first, last = _find(t, start), _find(t, end)
            out["start"], out["end"] = first.as_json(), last.as_json()
            if depth is None:
                return out
            span = _span(t, first, last)
            base_level = max(first.level, last.level)
            limit = math.inf if depth == -1 else base_level + depth
            out["member"] = [u.as_json() for u in span if u.level <= limit]
            return out
        limit = math.inf if depth == -1 else depth
        out["member"] = [u.as_json() for u in t.units if u.level <= limit]
        return out

    def document(self, resource: str | None = None, ref: str | None = None,
                 start: str | None = None, end: str | None = None, tree: str | None = None,
                 mediaType: str | None = None) -> bytes:
        _check_range(resource, ref, start, end)
        path = self.cat.path(resource)
        if mediaType not in (None, TEI_MEDIA):
            raise DTSError(404, f"media type {mediaType!r} is not available "
                                f"(available: {TEI_MEDIA})")
        if ref is None and start is None:
            return path.read_bytes()
        t = self.cat.citation(resource, tree)
        if ref is not None:
            first = last = _find(t, ref)
        else:
            first, last = _find(t, start), _find(t, end)
        root = self.cat.tree(resource).getroot()
        if tree == PAGE_TREE:
            content = _page_content(root, t, first, last)
        else:
            span = _span(t, first, last)
            ids = {u.identifier for u in span}
            content = [copy.deepcopy(u.element) for u in span if u.parent not in ids]
        return _wrap(root, content, ref, start, end)


def _int(value: str, name: str, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DTSError(400, f"{name} must be a whole number, got {value!r}") from None


def _find(t: Tree, ident: str) -> Unit:
    unit = t.by_id.get(ident)
    if unit is None:
        raise DTSError(404, f"no citable unit {ident!r}")
    return unit


def _subtree(unit: Unit, depth: int) -> list[Unit]:
    out: list[Unit] = []
    limit = math.inf if depth == -1 else unit.level + depth

    def walk(u: Unit) -> None:
        for c in u.children:
            if c.level <= limit:
                out.append(c)
                walk(c)
    walk(unit)
    return out


def _span(t: Tree, first: Unit, last: Unit) -> list[Unit]:
    """Units from first to last in document order (with last's descendants)."""
    i, j = t.units.index(first), t.units.index(last)
    if j < i:
        raise DTSError(400, "start comes after end")
    j2 = j
    while j2 + 1 < len(t.units) and _is_descendant(t.units[j2 + 1], last, t):
        j2 += 1
    return t.units[i:j2 + 1]


def _is_descendant(u: Unit, of: Unit, t: Tree) -> bool:
    p = u.parent
    while p is not None:
        if p == of.identifier:
            return True
        p = t.by_id[p].parent
    return False


def _wrap(root: etree._Element, content: list, ref, start, end) -> bytes:
    tei = etree.Element(T + "TEI", nsmap={None: T[1:-1], "dts": DTS_NS})
    header = root.find(T + "teiHeader")
    if header is not None:
        tei.append(copy.deepcopy(header))
    text = etree.SubElement(tei, T + "text")
    body = etree.SubElement(text, T + "body")
    wrapper = etree.SubElement(body, f"{{{DTS_NS}}}wrapper")
    for name, value in (("ref", ref), ("start", start), ("end", end)):
        if value is not None:
            wrapper.set(name, value)
    for item in content:
        if isinstance(item, str):
            if len(wrapper):
                wrapper[-1].tail = (wrapper[-1].tail or "") + item
            else:
                wrapper.text = (wrapper.text or "") + item
        else:
            item.tail = item.tail if item.tail and item.tail.strip() else None
            wrapper.append(item)
    return etree.tostring(tei, xml_declaration=True, encoding="UTF-8") + b"\n"


def _page_content(root: etree._Element, t: Tree, first: Unit, last: Unit) -> list:
    """The text from the pb of ``first`` to the pb after ``last``, cut at the page
    breaks: every element on the way keeps its ancestors' structure (a paragraph that
    runs on from the previous page is its continuation)."""
    i = t.units.index(last)
    stop = t.units[i + 1].element if i + 1 < len(t.units) else None
    start = first.element
    body = root.find(f"{T}text/{T}body")
    state = {"on": False, "done": False}

    def prune(el: etree._Element) -> etree._Element | None:
        """A copy of el holding only what lies between start and stop."""
        keep = etree.Element(el.tag, dict(el.attrib))
        kept = state["on"]
        if state["on"] and el.text:
            keep.text = el.text
        for c in el:
            if c is stop:
                state["done"] = True
                break
            if c is start:
                state["on"] = True
            target = None
            if isinstance(c.tag, str):
                sub = prune(c)
                if sub is not None:
                    keep.append(sub)
                    kept = True
                    target = sub
            if state["done"]:
                break
            if state["on"] and c.tail:
                if target is not None:
                    target.tail = c.tail
                elif len(keep):
                    keep[-1].tail = (keep[-1].tail or "") + c.tail
                else:
                    keep.text = (keep.text or "") + c.tail
                kept = True
        return keep if kept else None

    result = prune(body) if body is not None else None
    return list(result) if result is not None else []


def _check_range(resource: str | None, ref: str | None, start: str | None,
                 end: str | None) -> None:
    """The parameters navigation and document share: a resource, and ref or start/end."""
    if not resource:
        raise DTSError(400, "resource is required")
    if ref is not None and (start is not None or end is not None):
        raise DTSError(400, "ref cannot be used with start or end")
    if (start is None) != (end is None):
        raise DTSError(400, "start and end go together")
