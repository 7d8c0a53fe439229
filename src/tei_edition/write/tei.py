"""Document -> TEI P5 (the project's profile, schema/tei-edition.odd.xml).

The writer emits exactly the text of each block, cut at span edges; only ``pb`` spans
replace their text (the "[Page N]" marker) with an empty element.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re

from lxml import etree

from .. import __version__
from ..annotate.resolve import resolve
from ..model import Block, DateValue, Document, Entity, Span
from ..namespaces import TEI_NS, XML_ID, XML_LANG, T
from ..read import patterns as pat

LICENCE_URL = "https://creativecommons.org/publicdomain/mark/1.0/"
LICENCE = (
    "Public domain. The source is a work of the United States Government (17 U.S.C. § 105); "
    "this encoding is released under the same terms (Public Domain Mark 1.0)."
)
STANDARD_NORMALISATIONS = [
    "Each source line (or each paragraph of a hard-wrapped source) is one block; whitespace "
    "at line ends and blank lines between blocks are not retained.",
    "Page markers such as “[Page 67]” were replaced by pb elements at the place where they "
    "stood; n keeps the printed page number.",
]
INTERPRETATION = (
    "Dates, persons, places and organisations were tagged automatically by tei-edition and "
    "linked to the index in standOff; a tag the tool was unsure of was left out. A date "
    "without a year takes its year from the document's own date."
)
EVIDENCE_TEXT = {
    "dateline": "the dateline",
    "release-note": "the release note (“Dated …”)",
    "date-line": "the date line under the author's name",
    "heading": "the heading",
    "text": "a dated line before the first paragraph",
    "file-number": "the State Department decimal file number (month–day–year); the file "
    "date is usually, not always, the day the document was written",
}


def el(tag: str, text: str | None = None, attrs: dict | None = None, **kw) -> etree._Element:
    """A TEI element (the default namespace declared on it: use for roots)."""
    e = etree.Element(T + tag, _attrib(attrs, kw), nsmap={None: TEI_NS})
    if text:
        e.text = text
    return e


def sub(parent: etree._Element, tag: str, text: str | None = None, attrs: dict | None = None,
        **kw) -> etree._Element:
    """A TEI child element; it inherits the namespace declaration of its parent."""
    e = etree.SubElement(parent, T + tag, _attrib(attrs, kw) if attrs or kw else None)
    if text:
        e.text = text
    return e


def _attrib(attrs: dict | None, kw: dict) -> dict:
    """The attributes given (a dict, then keywords, in that order), without the empty ones."""
    return {k: v for source in (attrs, kw) if source for k, v in source.items()
            if v is not None}


_NAME_CHAR = re.compile(r"[A-Za-z0-9._\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff-]")


def xml_id(stem: str, taken: set[str] | frozenset = frozenset()) -> str:
    """An NCName from a file stem: 003_8602a5357d328d64 -> d003_8602a5357d328d64.

    Characters that are not name characters in every edition of XML 1.0 (Nº5 -> N_ba_5,
    x² -> x_b2_, spaces) are written as their hex code, so two stems never meet; an id
    already ``taken`` (an entity of the file, e.g. a source named place-korea.txt) gets
    a "doc-" prefix."""
    ident = "".join(ch if _NAME_CHAR.match(ch) else ("-" if ch == " " else f"_{ord(ch):x}_")
                    for ch in stem)
    if not re.match(r"[A-Za-z_]", ident):
        ident = "d" + ident
    while ident in taken:
        ident = "doc-" + ident
    return ident


# --- inline content ---------------------------------------------------------------------

def _append_text(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def fill(parent: etree._Element, text: str, spans: list[Span], offset: int = 0) -> None:
    """Write ``text`` into ``parent``, turning resolved spans into nested elements."""
    pos = 0
    i = 0
    spans = [s for s in spans if s.start - offset >= 0 and s.end - offset <= len(text)]
    while i < len(spans):
        span = spans[i]
        start, end = span.start - offset, span.end - offset
        inner = []
        j = i + 1
        while j < len(spans) and spans[j].end - offset <= end and spans[j].start - offset < end:
            inner.append(spans[j])
            j += 1
        _append_text(parent, text[pos:start])
        child = sub(parent, span.kind, None, span.attrs)
        if span.kind != "pb":
            fill(child, text[start:end], inner, offset + start)
        pos = end
        i = j
    _append_text(parent, text[pos:])


def _inline(parent: etree._Element, tag: str, block: Block, start: int = 0,
            end: int | None = None, attrs: dict | None = None) -> etree._Element:
    """A child element holding ``block.text[start:end]`` with its spans."""
    end = len(block.text) if end is None else end
    spans = [s for s in resolve(block.spans) if start <= s.start and s.end <= end]
    child = sub(parent, tag, None, attrs)
    fill(child, block.text[start:end], spans, start)
    return child


# --- body --------------------------------------------------------------------------------

TOP, BODY, BOTTOM = 0, 1, 2


class _DivWriter:
    """Places blocks into a div in the order TEI requires: top, body, bottom."""

    def __init__(self, div: etree._Element):
        self.div = div
        self.phase = TOP
        self.group: etree._Element | None = None  # open opener, list, closer or postscript
        self.group_kind = ""
        self.parent: _DivWriter | None = None  # the enclosing document, for attachments
        self.is_section = False  # a div opened by a sub-heading

    def _close(self) -> None:
        self.group, self.group_kind = None, ""

    def _group(self, kind: str, tag: str, attrs: dict | None = None) -> etree._Element:
        if self.group_kind != kind:
            self.group = sub(self.div, tag, None, attrs)
            self.group_kind = kind
        return self.group

    def global_(self, block: Block, tag: str, attrs: dict) -> None:
        """Notes and page breaks may stand anywhere; inside an open list they end it."""
        if self.group_kind in ("list", "participants"):
            self._close()
        # A page break inside an open opener, closer or postscript stays in it, so that what
        # follows (more of the postscript) is not written before it.
        target = (self.group if self.group_kind in ("opener", "closer", "postscript")
                  and tag == "pb" else self.div)
        if tag == "pb":
            for span in resolve(block.spans):
                if span.kind == "pb":
                    sub(target, "pb", None, span.attrs)
                    return
        if self.group is not None and target is self.div:
            self._close()
        _inline(target, tag, block, attrs=attrs)

    def top(self, block: Block, tag: str, attrs: dict | None = None) -> bool:
        if self.phase != TOP:
            return False
        self._close()
        if tag == "byline":
            _inline(sub(self.div, "byline"), "docAuthor", block)
        else:
            _inline(self.div, tag, block, attrs=attrs)
        return True

    def opener(self, block: Block, tag: str, attrs: dict | None = None) -> bool:
        if self.phase != TOP:
            return False
        _inline(self._group("opener", "opener"), tag, block, attrs=attrs)
        return True

    def body(self, block: Block, tag: str = "p", attrs: dict | None = None) -> None:
        if self.phase == BOTTOM:
            self.group = self._group("postscript", "postscript")
            _inline(self.group, "p", block)
            return
        self.phase = BODY
        self._close()
        _inline(self.div, tag, block, attrs=attrs)

    def subject(self, block: Block) -> None:
        """"Subject: …" is one ab; a "SUBJECT" heading on a line of its own and the
        subject under it are one ab too, the heading first, a line break between."""
        if self.group_kind == "subject-head" and self.phase == BODY:
            ab = self.group
            sub(ab, "lb")
            fill(ab, block.text, resolve(block.spans))
            self._close()
            return
        self.body(block, "ab", {"type": "subject"})
        if pat.SUBJECT_ALONE.match(block.text) and self.phase == BODY:
            self.group, self.group_kind = self.div[-1], "subject-head"

    def participants(self, block: Block) -> None:
        if self.phase == BOTTOM:
            return self.body(block)
        self.phase = BODY
        if block.role == "participants":
            self._close()
            group = self._group("participants", "list", {"type": "participants"})
            colon = block.text.find(":")
            rest = block.text[colon + 1:] if colon >= 0 else ""
            if colon >= 0 and rest.strip():
                _inline(group, "head", block, 0, colon + 1)
                lead = len(rest) - len(rest.lstrip())
                _inline(group, "item", block, colon + 1 + lead)
            else:
                _inline(group, "head", block)
        else:
            group = self._group("participants", "list", {"type": "participants"})
            _inline(group, "item", block)

    def list_item(self, block: Block) -> None:
        if self.phase == BOTTOM:
            return self.body(block)
        self.phase = BODY
        group = self._group("list", "list", {"type": "ordered"})
        m = pat.NUMBERED.match(block.text)
        label_end = m.end("label")
        _inline(group, "label", block, 0, label_end)
        start = m.end() - 1
        _inline(group, "item", block, start, attrs={"n": block.n})

    def closer(self, block: Block, tag: str) -> None:
        if self.phase == TOP:
            # TEI allows a closer only after some body content; before it, it is a p.
            return self.body(block)
        if self.group_kind not in ("closer",):
            if self.phase == BOTTOM and self.group_kind == "postscript":
                return self.body(block)
            self._close()
        self.phase = BOTTOM
        _inline(self._group("closer", "closer"), tag, block)

    def nest(self, block: Block) -> _DivWriter:
        """An attached document: a div of its own inside this one, opened by its marker.
        After this div's closer TEI allows no further div inside it: the attachment of a
        document (an enclosure after the signature) is then the next div of the body;
        deeper down the marker is a note."""
        if self.phase == BOTTOM:
            host = self.div.getparent()
            if self.parent is not None or host is None or host.tag != T + "body":
                self.global_(block, "note", {"type": "editorial", "place": "inline"})
                return self
            self._close()
            inner = _DivWriter(sub(host, "div", type="attachment"))
            inner.global_(block, "note", {"type": "editorial", "place": "inline"})
            inner.parent = self
            return inner
        self._close()
        self.phase = BODY
        inner = _DivWriter(sub(self.div, "div", type="attachment"))
        inner.global_(block, "note", {"type": "editorial", "place": "inline"})
        inner.parent = self
        return inner

    def section(self, block: Block) -> _DivWriter:
        """A sub-heading between paragraphs opens a section: a div of its own with the
        heading as its head, holding what follows up to the next sub-heading."""
        if self.phase != BODY:
            self.body(block)
            return self
        host = self
        if self.is_section:
            self.finish()
            host = self.parent
        host._close()
        inner = _DivWriter(sub(host.div, "div"))
        _inline(inner.div, "head", block)
        inner.phase, inner.is_section, inner.parent = BODY, True, host
        return inner

    def finish(self) -> None:
        """TEI wants some content after a div's top matter; an empty p says "nothing"."""
        for listing in self.div.findall(T + "list"):
            if listing.find(T + "item") is None:  # "Participants:" with no names after it
                head = listing.find(T + "head")
                listing.tag = T + "p"
                listing.attrib.clear()
                listing.text = head.text
                listing.remove(head)
                listing.extend(head)
        tags = {c.tag for c in self.div}
        body = {T + "p", T + "list", T + "ab", T + "closer", T + "postscript", T + "div"}
        top = {T + "head", T + "opener", T + "byline", T + "docDate"}
        if not tags & body and tags & top:
            sub(self.div, "p")


def write_body(doc: Document, body: etree._Element) -> None:
    div = sub(body, "div", type="letter" if doc.meta.kind == "letter" else "document")
    w = _DivWriter(div)
    for block in doc.blocks:
        role = block.role
        if role == "page":
            w.global_(block, "pb", {})
        elif role == "attachment":
            w = w.nest(block)
        elif role == "subheading":
            w = w.section(block)
        elif role == "file-number" or role == "source-note":
            w.global_(block, "note", {"type": "source", "place": "inline"})
        elif role == "release-note":
            w.global_(block, "note", {"type": "release", "place": "inline"})
        elif role == "editorial":
            w.global_(block, "note", {"type": "editorial", "place": "inline"})
        elif role == "note":
            w.global_(block, "note", {"type": "editorial", "place": "end"})
        elif role == "title":
            w.top(block, "head") or w.body(block)
        elif role == "author-line":
            w.top(block, "byline") or w.body(block)
        elif role == "date-line":
            attrs, shown = _date_attrs(block)
            w.top(shown, "docDate", attrs) or w.body(block)
        elif role == "dateline":
            w.opener(block, "dateline") or w.body(block)
        elif role == "classification":
            w.opener(block, "seg", {"type": "classification"}) or w.body(
                block, "ab", {"type": "classification"})
        elif role == "despatch-number":
            w.opener(block, "seg") or w.body(block)
        elif role == "salute":
            w.opener(block, "salute") or w.body(block)
        elif role == "subject":
            w.subject(block)
        elif role in ("participants", "participant"):
            w.participants(block)
        elif role == "list-item":
            w.list_item(block)
        elif role == "closing":
            w.closer(block, "salute")
        elif role == "signature":
            w.closer(block, "signed")
        else:
            w.body(block)
    while w is not None:
        w.finish()
        w = w.parent


def _date_attrs(block: Block) -> tuple[dict, Block]:
    """docDate carries the value of the date span it holds; the block to write is a copy
    without that span (the document itself is never changed by writing it)."""
    for span in block.spans:
        if span.kind == "date" and span.start == 0 and span.end >= len(block.text.rstrip(".")):
            rest = [s for s in block.spans if s is not span]
            return dict(span.attrs), dataclasses.replace(block, spans=rest)
    return {}, block


# --- header ------------------------------------------------------------------------------

def _date_el(parent: etree._Element, tag: str, value: DateValue, **kw) -> etree._Element:
    attrs = {"when": value.when, "notBefore": value.not_before, "notAfter": value.not_after}
    return sub(parent, tag, value.text or None, attrs, **kw)


def _date_note(value: DateValue, doc: Document) -> str:
    what = value.when or f"between {value.not_before} and {value.not_after}"
    text = f"Document date {what} taken from {EVIDENCE_TEXT.get(value.evidence, value.evidence)}"
    if value.text:
        text += f": “{value.text}”"
    agrees = value.file_agrees
    if agrees is not None and doc.meta.file_number:
        text += (f"; the file number {doc.meta.file_number} "
                 + ("agrees" if agrees else "gives another day"))
    return text + "."


def _entity_ref(doc: Document, key: str | None) -> dict:
    return {"ref": "#" + key} if key and key in doc.entities else {}


def write_responsibility(title_stmt: etree._Element, file_desc: etree._Element, ident: str,
                         resp: str, licence: str = LICENCE) -> None:
    """respStmt (this tool) and publicationStmt (publisher, public-domain licence, idno)."""
    stmt = sub(title_stmt, "respStmt")
    sub(stmt, "resp", resp)
    sub(stmt, "name", f"tei-edition {__version__}")
    pub = sub(file_desc, "publicationStmt")
    sub(pub, "publisher", "tei-edition")
    sub(sub(pub, "availability", status="free"), "licence", licence, target=LICENCE_URL)
    sub(pub, "idno", ident, type="edition")


def write_header(doc: Document, root: etree._Element) -> None:
    meta = doc.meta
    header = sub(root, "teiHeader")
    file_desc = sub(header, "fileDesc")
    title_stmt = sub(file_desc, "titleStmt")
    title = meta.title or f"Untitled document ({doc.source_name})"
    sub(title_stmt, "title", title, type="main")
    if meta.author:
        author = sub(title_stmt, "author")
        key = meta.sender if meta.sender and meta.sender in doc.entities else None
        if key:
            sub(author, "persName", meta.author, ref="#" + key)
        else:
            author.text = meta.author
    write_responsibility(title_stmt, file_desc, xml_id(doc.stem, set(doc.entities)),
                         "TEI encoding")
    if meta.date:
        notes = sub(file_desc, "notesStmt")
        sub(notes, "note", _date_note(meta.date, doc), type="date-evidence")
    bibl = sub(sub(file_desc, "sourceDesc"), "bibl")
    sub(bibl, "title", title)
    if meta.author:
        sub(bibl, "author", meta.author)
    if meta.file_number:
        sub(bibl, "idno", meta.file_number, type="file")
    sub(bibl, "idno", doc.source_name, type="filename")
    if meta.source_note:
        sub(bibl, "note", meta.source_note, type="source")
    if meta.classification:
        sub(bibl, "note", meta.classification, type="classification")
    if meta.release_note:
        sub(bibl, "note", meta.release_note, type="release")
    if meta.release_date and meta.release_date.when:
        sub(bibl, "date", None, type="release", when=meta.release_date.when)

    enc = sub(header, "encodingDesc")
    app = sub(sub(enc, "appInfo"), "application", ident="tei-edition", version=__version__)
    sub(app, "label", "tei-edition")
    decl = sub(enc, "editorialDecl")
    norm = sub(decl, "normalization")
    for line in STANDARD_NORMALISATIONS + doc.normalisations:
        sub(norm, "p", line)
    sub(sub(decl, "interpretation"), "p", INTERPRETATION)

    prof = sub(header, "profileDesc")
    if meta.date:
        creation = sub(prof, "creation")
        _date_el(creation, "date", meta.date, cert=meta.date.cert, type=meta.date.evidence)
    lang = sub(prof, "langUsage")
    sub(lang, "language", "English", ident="en")
    keywords = sub(sub(prof, "textClass"), "keywords")
    sub(keywords, "term", meta.kind, type="kind")
    if meta.classification:
        sub(keywords, "term", meta.classification.lower(), type="classification")
    _corresp(doc, prof)

    rev = sub(header, "revisionDesc")
    change = sub(rev, "change", f"Converted from plain text ({doc.source_name}, "
                 f"{doc.encoding}, {doc.layout} layout) by tei-edition {__version__}.")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        change.set("when", dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat())


def _corresp(doc: Document, prof: etree._Element) -> None:
    meta = doc.meta
    if meta.kind != "letter" or not (meta.sender or meta.recipient):
        return
    corresp = sub(prof, "correspDesc")
    sent = sub(corresp, "correspAction", type="sent")
    if meta.sender and meta.sender in doc.entities:
        sub(sent, "persName", doc.entities[meta.sender].name, ref="#" + meta.sender)
    if meta.place:
        sub(sent, "placeName", meta.place)
    if meta.date and (meta.date.when or meta.date.not_before):
        _date_el(sent, "date", DateValue(meta.date.when, meta.date.not_before, meta.date.not_after))
    received = sub(corresp, "correspAction", type="received")
    if meta.recipient and meta.recipient in doc.entities:
        sub(received, "persName", doc.entities[meta.recipient].name, ref="#" + meta.recipient)
    for action in (sent, received):
        if not len(action):
            corresp.remove(action)
    if not len(corresp):
        prof.remove(corresp)


# --- standOff ----------------------------------------------------------------------------

LISTS = (("person", "listPerson", "persName"), ("place", "listPlace", "placeName"),
         ("org", "listOrg", "orgName"))


def entity_element(entity: Entity, tag: str, name_tag: str) -> etree._Element:
    kind = re.sub(r"\s+", "-", entity.type.strip()) if entity.type else None  # a token
    node = el(tag, None, {XML_ID: entity.key, "type": kind})
    if tag == "person":
        node.attrib.pop("type", None)
        if kind:
            node.set("role", kind)
    sub(node, name_tag, entity.name, type="preferred" if entity.forms else None)
    for form in sorted(set(entity.forms) - {entity.name}):
        sub(node, name_tag, form, type="variant")
    if tag == "person":
        if entity.birth:
            sub(node, "birth", when=entity.birth)
        if entity.death:
            sub(node, "death", when=entity.death)
    if entity.note:
        sub(node, "note", entity.note)
    for kind, value in entity.idnos:
        sub(node, "idno", value, type=kind)
    return node


def write_standoff(doc: Document, root: etree._Element) -> None:
    if not doc.entities:
        return
    standoff = sub(root, "standOff")
    for kind, list_tag, name_tag in LISTS:
        entities = sorted((e for e in doc.entities.values() if e.kind == kind),
                          key=lambda e: e.key)
        if entities:
            listing = sub(standoff, list_tag)
            for entity in entities:
                listing.append(entity_element(entity, kind, name_tag))


def to_tei(doc: Document) -> etree._ElementTree:
    root = el("TEI")
    root.set(XML_ID, xml_id(doc.stem, set(doc.entities)))
    root.set(XML_LANG, "en")
    write_header(doc, root)
    write_standoff(doc, root)
    write_body(doc, sub(sub(root, "text"), "body"))
    return etree.ElementTree(root)


# Elements that hold only other elements: safe to indent. Anything else may hold text and
# is left exactly as written (indenting mixed content would change the text).
STRUCTURAL = {
    T + tag for tag in ["TEI", "teiCorpus", "teiHeader", "fileDesc", "titleStmt", "respStmt", "publicationStmt", "availability", "notesStmt", "sourceDesc", "bibl", "encodingDesc", "appInfo", "application", "editorialDecl", "normalization", "interpretation", "profileDesc", "creation", "langUsage", "textClass", "keywords", "correspDesc", "correspAction", "revisionDesc", "standOff", "listPerson", "listPlace", "listOrg", "person", "place", "org", "text", "body", "div", "opener", "closer", "list", "postscript", "author"]
}


def indent(node: etree._Element, level: int = 0) -> None:
    """Indent element-only content; leave mixed content untouched."""
    if node.tag not in STRUCTURAL or not len(node):
        return
    if (node.text or "").strip() or any((c.tail or "").strip() for c in node):
        return
    pad = "\n" + "  " * (level + 1)
    node.text = pad
    for child in node:
        child.tail = pad
        if child.tag in STRUCTURAL and len(child):
            indent(child, level + 1)
    node[-1].tail = "\n" + "  " * level


def serialize(tree: etree._ElementTree) -> bytes:
    indent(tree.getroot())
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8") + b"\n"
