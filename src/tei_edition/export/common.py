"""Read a TEI file from disk into a small reading model that every exporter shares.

Why one Python walk instead of one XSLT per format: the HTML page, the plain text, the
JSON offsets and the CSV index must agree on what the reading text is, where each page
starts and which mention is which (HTML anchors ``m<n>`` are the back-link targets of the
index pages, JSON offsets point into the text export).  One walk of the TEI produces a list
of blocks made of flat events; each exporter renders those events.  The walk only relies
on the TEI profile (docs/tei-profile.md) and degrades gracefully on anything else: unknown
elements keep their text, a file without standOff, dates or page breaks exports fine.
"""

from __future__ import annotations

import calendar
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..namespaces import NS, XML_ID, XML_LANG, T

#: inline TEI element -> mention kind
ENTITY_KINDS = {T + "persName": "person", T + "placeName": "place", T + "orgName": "org"}
#: mention kind -> (list element, entry element, name element)
ENTRY_TAGS = {
    "person": (T + "listPerson", T + "person", T + "persName"),
    "place": (T + "listPlace", T + "place", T + "placeName"),
    "org": (T + "listOrg", T + "org", T + "orgName"),
}
KINDS = ("person", "place", "org")

# Elements whose children are blocks (when they hold no loose text of their own).
_CONTAINERS = {T + n for n in ("text", "front", "body", "back", "div", "div1", "div2", "div3",
                               "div4", "opener", "closer", "postscript", "lg", "group",
                               "floatingText", "argument", "epigraph", "byline")}
# Block-like elements met inside inline content: their edges are word boundaries.
_BLOCKISH = {T + n for n in ("p", "ab", "list", "item", "label", "l", "lg", "head", "table",
                             "row", "cell", "quote", "lb", "cb", "salute", "signed",
                             "dateline", "closer", "opener")}
_PB, _HEAD, _LIST, _LABEL, _ITEM, _CHOICE, _DATE, _NOTE, _Q, _RS = (
    T + n for n in ("pb", "head", "list", "label", "item", "choice", "date", "note", "q", "rs"))
# Table parts: rendered as rows and cells, never as gaps in running text.
_TABLE_PARTS = {T + "table", T + "row", T + "cell"}
_QUOTE_MARKS = "\"'“”‘’«»„‚"
_DIVS = {T + n for n in ("div", "div1", "div2", "div3", "div4")}
_WS = re.compile(r"\s+")
_NEEDS_WS = re.compile(r"\s\s|[^\S ]")  # white space other than single spaces

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                          remove_pis=True, huge_tree=True)


class ExportError(Exception):
    """A file that cannot be exported (not well-formed, not TEI)."""


# --- model ----------------------------------------------------------------------------------


@dataclass
class Entry:
    """One standOff entry (person, place, organisation)."""

    id: str
    kind: str
    names: list[str] = field(default_factory=list)  # the first is the preferred form
    idnos: list[tuple[str, str]] = field(default_factory=list)  # (type, value)
    notes: list[str] = field(default_factory=list)
    birth: str | None = None
    death: str | None = None
    type: str | None = None

    def merge(self, other: Entry) -> None:
        for name in other.names:
            if name not in self.names:
                self.names.append(name)
        for idno in other.idnos:
            if idno not in self.idnos:
                self.idnos.append(idno)
        for note in other.notes:
            if note not in self.notes:
                self.notes.append(note)
        self.birth = self.birth or other.birth
        self.death = self.death or other.death
        self.type = self.type or other.type

    @property
    def label(self) -> str:
        return self.names[0] if self.names else self.id


@dataclass(eq=False, slots=True)  # slots: a reading of a long document holds thousands
class Mention:
    """A persName/placeName/orgName/date in the text, in document order."""

    n: int
    kind: str  # person, place, org, date
    ref: str = ""  # the @ref attribute as written
    target: str | None = None  # id of the standOff entry @ref resolves to
    value: str = ""  # dates: ISO value (when, or notBefore/notAfter, from/to as A/B)
    surface: str = ""
    start: int = 0  # offsets into the plain-text export (no page markers)
    end: int = 0
    page: str | None = None

    @property
    def anchor(self) -> str:
        return f"m{self.n}"


# Events of a block: ("t", text) | ("open", tag, attrs, mention|None) | ("close", tag, mention)
# | ("pb", n, anchor) | ("fn", n): the marker of footnote n, whose text is a "footnote" block
# at the end of the document (a note inside running text is a note, not more text)
Event = tuple


@dataclass
class Block:
    kind: str  # local name of the TEI element (p, head, item, note, pb, ...)
    events: list[Event]
    level: int = 0  # heading level for heads (0 = outermost div)
    type: str | None = None  # @type of the TEI element
    n: str | None = None  # footnotes: their number


@dataclass
class Meta:
    stem: str
    id: str
    lang: str = "en"
    title: str = ""
    date_text: str = ""  # human readable
    when: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    cert: str | None = None  # of the date: high, medium, low
    date_type: str | None = None  # the date's evidence: dateline, file-number, ...
    kind: str = ""
    authors: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    file_numbers: list[str] = field(default_factory=list)
    classification: list[str] = field(default_factory=list)
    release: str = ""
    licence: str = ""

    @property
    def sort_key(self) -> tuple:
        """Date order, undated last, then by file stem."""
        date = self.when or self.not_before or ""
        return (0 if date else 1, date, self.stem)

    @property
    def year(self) -> str:
        date = self.when or self.not_before or self.not_after or ""
        return date[:4] if date[:4].isdigit() else ""

    def as_dict(self) -> dict:
        return {
            "id": self.id, "file": self.stem, "lang": self.lang, "title": self.title,
            "date": {"text": self.date_text, "when": self.when, "notBefore": self.not_before,
                     "notAfter": self.not_after, "cert": self.cert, "evidence": self.date_type},
            "kind": self.kind, "authors": self.authors, "addressees": self.addressees,
            "sources": self.sources, "file_numbers": self.file_numbers,
            "classification": self.classification, "release": self.release,
            "licence": self.licence,
        }


@dataclass
class Reading:
    """Everything an exporter needs from one TEI file."""

    path: Path
    meta: Meta
    entries: dict[str, Entry]
    blocks: list[Block]
    mentions: list[Mention]
    text: str  # the plain-text export without page markers
    pages: list[tuple[str, str]]  # (n, anchor) for every pb, in order

    @property
    def stem(self) -> str:
        return self.meta.stem


# --- helpers --------------------------------------------------------------------------------


def norm(s: str | None) -> str:
    if not s:
        return ""
    return _WS.sub(" ", s).strip() if _NEEDS_WS.search(s) else s.strip(" ")


def text_of(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return norm(el.text) if not len(el) else norm("".join(el.itertext()))


_LOCAL: dict[str, str] = {}


def local(tag: str) -> str:
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rsplit("}", 1)[-1]
    return name


_XPATHS: dict[str, etree.XPath] = {}


def _xp(path: str) -> etree.XPath:
    """Compiled once: lxml's find() paths are interpreted in Python on every call."""
    xp = _XPATHS.get(path)
    if xp is None:
        xp = _XPATHS[path] = etree.XPath(path, namespaces=NS)
    return xp


def _first(root: etree._Element, path: str) -> etree._Element | None:
    found = _xp(path)(root)
    return found[0] if found else None


def _texts(root: etree._Element, path: str) -> list[str]:
    out: list[str] = []
    for el in _xp(path)(root):
        s = text_of(el)
        if s and s not in out:
            out.append(s)
    return out


def date_value(el: etree._Element) -> str:
    when = el.get("when")
    if when:
        return when
    lo, hi = el.get("notBefore") or el.get("from"), el.get("notAfter") or el.get("to")
    if lo or hi:
        return f"{lo or '..'}/{hi or '..'}"
    return ""


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


_ISO = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?"
                  r"(?:T(?P<time>\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(?P<zone>Z|[+-]\d{2}:\d{2})?)?")
_TIME = re.compile(r"(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


def human_date(value: str | None) -> str:
    """An ISO 8601 value as a reader writes it: "12 January 1951", "January 1951",
    "12 January 1951, 14:30"; anything else unchanged."""
    if not value:
        return ""
    m = _ISO.fullmatch(value)
    if m is None:
        t = _TIME.fullmatch(value)
        return (t.group(1) + (" UTC" if t.group(2) == "Z" else "")) if t else value
    y, mo, d = m.group("y"), m.group("m"), m.group("d")
    if mo is None:
        return y
    if not 1 <= int(mo) <= 12:
        return value
    out = f"{_MONTHS[int(mo) - 1]} {y}"
    if d is not None:
        out = f"{int(d)} {out}"
    if m.group("time"):
        out += ", " + m.group("time") + (" UTC" if m.group("zone") == "Z" else "")
    return out


def _whole_month(lo: str, hi: str) -> bool:
    if not (len(lo) == len(hi) == 10 and lo[:7] == hi[:7] and lo.endswith("-01")):
        return False
    y, m = lo[:4], lo[5:7]
    if not (y.isdigit() and m.isdigit() and 1 <= int(m) <= 12):
        return False
    return hi[8:] == f"{calendar.monthrange(int(y), int(m))[1]:02d}"


def format_date(when: str | None, lo: str | None, hi: str | None, cert: str | None = None,
                evidence: str | None = None) -> str:
    """The date of a document in words; an uncertain one says so, and why."""
    if when:
        text = human_date(when)
    elif lo and hi:
        if _whole_month(lo, hi):
            text = human_date(lo[:7])
        elif lo == hi:
            text = human_date(lo)
        else:
            text = f"between {human_date(lo)} and {human_date(hi)}"
    elif lo:
        text = f"not before {human_date(lo)}"
    elif hi:
        text = f"not after {human_date(hi)}"
    else:
        return ""
    if evidence == "file-number" or cert in ("medium", "low"):
        text = ("possibly " if cert == "low" else "probably ") + text
        if evidence == "file-number":
            text += " (from the file number)"
    return text


# --- reading a file -------------------------------------------------------------------------


def parse(path: Path) -> etree._ElementTree:
    try:
        tree = etree.parse(str(path), _PARSER)
    except etree.XMLSyntaxError as e:
        raise ExportError(f"not well-formed XML: {e}") from None
    except OSError as e:
        raise ExportError(f"cannot read: {e}") from None
    if tree.getroot().tag != T + "TEI":
        raise ExportError(f"root element is {tree.getroot().tag!r}, not a TEI element")
    return tree


def read_meta(root: etree._Element, stem: str) -> Meta:
    header = next(root.iterchildren(T + "teiHeader"), None)
    meta = Meta(stem=stem, id=root.get(XML_ID) or stem,
                lang=(root.get(XML_LANG) or "en").strip() or "en")
    if header is None:
        return meta
    title = _first(header, "t:fileDesc/t:titleStmt/t:title[@type='main']")
    if title is None:
        title = _first(header, "t:fileDesc/t:titleStmt/t:title")
    meta.title = text_of(title) or stem
    meta.authors = _texts(header, "t:fileDesc/t:titleStmt/t:author")
    bibl = "t:fileDesc/t:sourceDesc/t:bibl/"
    meta.sources = _texts(header, bibl + "t:note[@type='source']")
    meta.file_numbers = _texts(header, bibl + "t:idno[@type='file']")
    meta.classification = _texts(header, bibl + "t:note[@type='classification']")
    release = _texts(header, bibl + "t:note[@type='release']")
    meta.release = release[0] if release else ""
    meta.licence = " ".join(_texts(header, "t:fileDesc/t:publicationStmt/t:availability/"
                                           "t:licence"))
    date = _first(header, "t:profileDesc/t:creation/t:date")
    if date is not None:
        meta.when = date.get("when")
        meta.not_before = date.get("notBefore") or date.get("from")
        meta.not_after = date.get("notAfter") or date.get("to")
        meta.cert = date.get("cert")
        meta.date_type = date.get("type")
        meta.date_text = format_date(meta.when, meta.not_before, meta.not_after, meta.cert,
                                     meta.date_type)
    kind = _texts(header, "t:profileDesc/t:textClass/t:keywords/t:term[@type='kind']")
    meta.kind = kind[0] if kind else ""
    meta.addressees = _texts(
        header, "t:profileDesc/t:correspDesc/t:correspAction[@type='received']/t:persName")
    if not meta.addressees:
        meta.addressees = _texts(
            header, "t:profileDesc/t:correspDesc/t:correspAction[@type='received']/t:orgName")
    if not meta.authors:
        meta.authors = _texts(
            header, "t:profileDesc/t:correspDesc/t:correspAction[@type='sent']/t:persName")
    return meta


def read_entries(root: etree._Element) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for standoff in root.iterchildren(T + "standOff"):
        for kind, (_list_tag, entry_tag, name_tag) in ENTRY_TAGS.items():
            for el in standoff.iter(entry_tag):
                entry = entry_from(el, kind, name_tag)
                if entry is None:
                    continue
                if entry.id in entries:
                    entries[entry.id].merge(entry)
                else:
                    entries[entry.id] = entry
    return entries


def entry_from(el: etree._Element, kind: str, name_tag: str) -> Entry | None:
    eid = el.get(XML_ID)
    if not eid:
        return None
    entry = Entry(id=eid, kind=kind, type=el.get("type"))
    names: list[tuple[bool, str]] = []
    for c in el:  # one pass over the children (this runs for every entry of every file)
        tag = c.tag
        if tag == name_tag:
            names.append((c.get("type") != "preferred", text_of(c)))
        elif tag == _IDNO:
            value = text_of(c)
            if value:
                entry.idnos.append((c.get("type") or "", value))
        elif tag == _NOTE:
            value = text_of(c)
            if value:
                entry.notes.append(value)
        elif tag == _BIRTH:
            entry.birth = c.get("when") or text_of(c) or None
        elif tag == _DEATH:
            entry.death = c.get("when") or text_of(c) or None
    names.sort(key=lambda tn: tn[0])  # stable: preferred first
    for _t, name in names:
        if name and name not in entry.names:
            entry.names.append(name)
    return entry


_IDNO, _BIRTH, _DEATH = T + "idno", T + "birth", T + "death"


class _Walker:
    """Turns the TEI <text> into blocks of flat events."""

    def __init__(self, entries: dict[str, Entry], images: dict[str, str] | None = None):
        self.entries = entries
        self.images = images or {}  # xml:id of a surface or graphic -> image URL
        self.blocks: list[Block] = []
        self.mentions: list[Mention] = []
        self.pages: list[tuple[str, str]] = []
        self._page_ids: set[str] = set()
        self.footnotes: list[Block] = []

    # blocks
    def walk(self, el: etree._Element, level: int) -> None:
        if el.text and el.text.strip():
            self.block(el, level)  # mixed content: keep it as one block, lose nothing
            return
        if any(c.tail and c.tail.strip() for c in el):
            self.block(el, level)
            return
        has_head = any(c.tag == _HEAD for c in el)
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == _PB:
                self.blocks.append(Block("pb", [self.pb(child)]))
            elif tag in _DIVS:
                self.walk(child, level + 1 if has_head else level)
            elif tag in _CONTAINERS:
                self.walk(child, level)
            elif tag == _LIST:
                self.list(child, level)
            else:
                self.block(child, level)

    def list(self, el: etree._Element, level: int) -> None:
        label: etree._Element | None = None
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == _LABEL:
                if label is not None:
                    self.block(label, level, kind="item")
                label = child
            elif tag == _ITEM:
                events: list[Event] = []
                if label is not None:
                    events.append(("open", "label", {}, None))
                    self.inline(label, events)
                    events.append(("close", "label", None))
                    events.append(("t", " "))
                    label = None
                self.inline(child, events)
                self.add(Block("item", events, level, el.get("type")))
            elif tag == _PB:
                self.blocks.append(Block("pb", [self.pb(child)]))
            else:
                self.block(child, level)
        if label is not None:
            self.block(label, level, kind="item")

    def block(self, el: etree._Element, level: int, kind: str | None = None) -> None:
        events: list[Event] = []
        self.inline(el, events)
        self.add(Block(kind or local(el.tag), events, level, el.get("type")))

    def add(self, block: Block) -> None:
        block.events = _normalise(block.events)
        if block.events:
            self.blocks.append(block)

    # inline content
    def pb(self, el: etree._Element) -> Event:
        n = (el.get("n") or "").strip()
        base = "page-" + (re.sub(r"[^\w.-]+", "_", n) or "x")
        anchor, i = base, 1
        while anchor in self._page_ids:
            i += 1
            anchor = f"{base}-{i}"
        self._page_ids.add(anchor)
        self.pages.append((n, anchor))
        facs = (el.get("facs") or "").split()
        image = None
        if facs:
            image = self.images.get(facs[0][1:]) if facs[0].startswith("#") else facs[0]
        return ("pb", n, anchor, image)

    def inline(self, el: etree._Element, events: list[Event]) -> None:
        if el.text:
            events.append(("t", el.text))
        for c in el:
            tag = c.tag
            if isinstance(tag, str):
                self.element(c, tag, events)
            if c.tail:
                events.append(("t", c.tail))

    def element(self, c: etree._Element, tag: str, events: list[Event]) -> None:
        if tag == _PB:
            events.append(self.pb(c))
            return
        if tag == _NOTE:
            # a note inside running text: a numbered marker here, its text a footnote
            n = str(len(self.footnotes) + 1)
            events.append(("fn", n))
            note = Block("footnote", [], type=c.get("type"), n=n)
            self.footnotes.append(note)
            fn_events: list[Event] = []
            self.inline(c, fn_events)
            note.events = _normalise(fn_events) or [("t", "")]
            return
        if tag == _CHOICE:
            pick = None
            for pref in ("corr", "reg", "expan"):
                pick = c.find("t:" + pref, NS)
                if pick is not None:
                    break
            if pick is None:
                pick = next((x for x in c if isinstance(x.tag, str)), None)
            if pick is not None:
                self.inline(pick, events)
            return
        name = local(tag)
        mention = None
        if tag == _RS:  # a referring string ("the Secretary") is a mention of its entry
            target = next((r[1:] for r in (c.get("ref") or "").split()
                           if r.startswith("#") and r[1:] in self.entries), None)
            if target is not None:
                kind = self.entries[target].kind
                mention = Mention(n=len(self.mentions) + 1, kind=kind,
                                  ref=c.get("ref") or "", target=target)
                self.mentions.append(mention)
        elif tag in ENTITY_KINDS or tag == _DATE:
            kind = ENTITY_KINDS.get(tag, "date")
            mention = Mention(n=len(self.mentions) + 1, kind=kind, ref=c.get("ref") or "")
            if kind == "date":
                mention.value = date_value(c)
            else:
                for ref in mention.ref.split():
                    if ref.startswith("#") and ref[1:] in self.entries:
                        mention.target = ref[1:]
                        break
            self.mentions.append(mention)
        attrs = dict(c.attrib)
        gap = tag in _BLOCKISH and tag not in _TABLE_PARTS
        if gap:
            events.append(("t", " "))
        events.append(("open", name, attrs, mention))
        marks = tag == _Q and text_of(c)[:1] not in _QUOTE_MARKS
        if marks:  # the marks <q> stands for, in every export alike
            events.append(("t", "“"))
        self.inline(c, events)
        if marks:
            events.append(("t", "”"))
        events.append(("close", name, mention))
        if gap:
            events.append(("t", " "))


def _normalise(events: list[Event]) -> list[Event]:
    """Collapse white space as XML readers do; strip the block's edges; drop empty blocks."""
    out: list[Event] = []
    prev_space = True
    content = False
    for ev in events:
        if ev[0] == "t":
            s = ev[1]
            # XML text holds no ASCII white space but space, tab, CR and LF: a fast test
            # for ASCII strings, the regular expression for the others
            if ("  " in s or "\n" in s or "\t" in s or "\r" in s) if s.isascii() \
                    else _NEEDS_WS.search(s):
                s = _WS.sub(" ", s)
            if prev_space and s[:1] == " ":
                s = s[1:]
            if not s:
                continue
            prev_space = s[-1] == " "
            out.append(ev if s is ev[1] else ("t", s))
            content = True
        else:
            if ev[0] == "pb":
                content = True
            out.append(ev)
    if not content:
        return []
    # white space is only kept after text, so stripping the end never empties the block
    for i in range(len(out) - 1, -1, -1):
        ev = out[i]
        if ev[0] == "t":
            s = ev[1].rstrip(" ")
            if s:
                out[i] = ("t", s)
                break
            del out[i]
    return out


def render_text(blocks: list[Block], page_markers: bool = False,
                mentions: bool = False) -> str:
    """The plain reading text: blocks separated by blank lines, ``[Page N]`` on request.

    With ``mentions`` the start/end offsets of every mention are recorded as it goes
    (only meaningful without page markers: the JSON offsets point into that text)."""
    parts: list[str] = []
    pos = 0
    first = True
    for block in blocks:
        if block.kind == "pb" and not page_markers:
            continue
        buf: list[str] = []
        blen = 0
        if not first:
            parts.append("\n\n")
            pos += 2
        first = False
        need_space = False
        strip_next = False  # after a row or cell separator: no leading blank
        if block.kind == "footnote":
            buf.append(f"[{block.n}] ")
            blen += len(buf[-1])
        cells: list[int] = []  # cells seen in each open row
        for ev in block.events:
            kind = ev[0]
            if kind == "t":
                s = ev[1]
                if strip_next:
                    s = s.lstrip(" ")
                    if not s:
                        continue
                    strip_next = False
                if need_space and not s.startswith(" "):
                    s = " " + s
                need_space = False
                buf.append(s)
                blen += len(s)
            elif kind == "fn":
                buf.append(f"[{ev[1]}]")
                blen += len(buf[-1])
            elif kind == "open" and ev[1] in ("row", "cell"):
                sep = ""
                if ev[1] == "row":
                    if blen:
                        sep = "\n"
                    cells.append(0)
                else:
                    if cells and cells[-1]:
                        sep = " | "
                    if cells:
                        cells[-1] += 1
                if sep:
                    while buf and buf[-1].endswith(" "):
                        s = buf.pop()
                        blen -= len(s)
                        s = s.rstrip(" ")
                        if s:
                            buf.append(s)
                            blen += len(s)
                            break
                    buf.append(sep)
                    blen += len(sep)
                    strip_next = True
                    need_space = False
            elif kind == "pb":
                if not page_markers:
                    continue
                marker = f"[Page {ev[1]}]"
                if blen and not buf[-1].endswith(" "):
                    marker = " " + marker
                buf.append(marker)
                blen += len(marker)
                need_space = True
            elif mentions and ev[3 if kind == "open" else 2] is not None:
                m = ev[3] if kind == "open" else ev[2]
                if kind == "open":
                    m.start = pos + blen + (1 if need_space else 0)
                else:
                    m.end = pos + blen
        s = "".join(buf)
        parts.append(s)
        pos += len(s)
    text = "".join(parts)
    if mentions:
        return text
    return text + ("\n" if text else "")


def read_tei(path: Path | str) -> Reading:
    """Parse one TEI file and build its reading model; raises ExportError."""
    path = Path(path)
    return reading_of(parse(path).getroot(), path)


def reading_of(root: etree._Element, path: Path) -> Reading:
    """The reading model of a parsed TEI root (``read_tei`` without the parse)."""
    meta = read_meta(root, path.stem)
    entries = read_entries(root)
    images: dict[str, str] = {}
    for fac in root.iterchildren(T + "facsimile"):
        for el in fac.iter(T + "surface", T + "graphic"):
            url = el.get("url") if el.tag == T + "graphic" else next(
                (g.get("url") for g in el.iter(T + "graphic") if g.get("url")), None)
            if el.get(XML_ID) and url:
                images[el.get(XML_ID)] = url
    walker = _Walker(entries, images)
    text_el = next(root.iterchildren(T + "text"), None)
    if text_el is not None:
        walker.walk(text_el, 0)
    walker.blocks += walker.footnotes
    text = render_text(walker.blocks, mentions=True)
    for m in walker.mentions:
        # an empty element, or one whose text was all white space
        m.end = max(m.end, m.start)
        while m.start < m.end and text[m.start].isspace():
            m.start += 1
        while m.end > m.start and text[m.end - 1].isspace():
            m.end -= 1
        m.surface = text[m.start:m.end]
    _assign_pages(walker.blocks)
    mentions = [m for m in walker.mentions if m.surface]  # empty elements are no mention
    return Reading(path=path, meta=meta, entries=entries, blocks=walker.blocks,
                   mentions=mentions, text=text + ("\n" if text else ""),
                   pages=walker.pages)


def _assign_pages(blocks: list[Block]) -> None:
    first_n = next((ev[1] for b in blocks for ev in b.events if ev[0] == "pb"), None)
    # Text before the first page break is on the page before it (FRUS prints the number
    # of the page that starts); only knowable for arabic numerals.
    page = str(int(first_n) - 1) if first_n and first_n.isdigit() and int(first_n) > 1 else None
    note_pages: dict[str, str | None] = {}
    for b in blocks:
        if b.kind == "footnote":  # on the page of its marker
            page = note_pages.get(b.n or "", page)
        for ev in b.events:
            if ev[0] == "pb":
                page = ev[1] or page
            elif ev[0] == "fn":
                note_pages[ev[1]] = page
            elif ev[0] == "open" and ev[3] is not None:
                ev[3].page = page


def tei_files(paths: list[Path]) -> list[Path]:
    """Files named, and the *.xml of folders named, in a stable order."""
    found: list[Path] = []
    for p in paths:
        p = Path(p)
        found += sorted(p.glob("*.xml")) if p.is_dir() else [p]
    return found


def read_many(paths: list[Path]) -> tuple[list[Reading], list[tuple[Path, str]]]:
    """Read every file; a bad one is reported in the second list, the rest still read."""
    readings: list[Reading] = []
    failures: list[tuple[Path, str]] = []
    with no_gc():
        for p in paths:
            try:
                readings.append(read_tei(p))
            except ExportError as e:
                failures.append((p, str(e)))
            except Exception as e:  # noqa: BLE001 - one bad file must not stop the export
                failures.append((p, f"internal error ({type(e).__name__}: {e})"))
    return readings, failures


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cycle collector while building many small acyclic objects.

    The reading models of a corpus are millions of tuples kept alive together; the
    collector would rescan all of them again and again (a third of the export time)
    although they hold no reference cycles and are freed by reference counting.  At the
    end what is alive is frozen (``gc.freeze``): otherwise the first collection after it,
    and each older generation's later, would scan all of it once more (half a second per
    3,000 documents here)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def merged_entries(readings: list[Reading]) -> dict[str, Entry]:
    """Corpus-wide index: ids are derived from authority ids, so merging is by id."""
    merged: dict[str, Entry] = {}
    for r in readings:
        for eid, entry in r.entries.items():
            if eid in merged:
                merged[eid].merge(entry)
            else:
                merged[eid] = Entry(eid, entry.kind, list(entry.names), list(entry.idnos),
                                    list(entry.notes), entry.birth, entry.death, entry.type)
    return merged


def authority_links(entry: Entry) -> list[tuple[str, str | None]]:
    """(label, url or None) for each authority id of an entry."""
    uris = [v for t, v in entry.idnos if t.lower() == "uri" and v.startswith(("http://",
                                                                               "https://"))]
    links: list[tuple[str, str | None]] = []
    for t, v in entry.idnos:
        tl = t.lower()
        if tl == "uri":
            continue
        if tl == "hsg":
            links.append((f"HSG {v}", uris[0] if uris else None))
        elif tl == "geonames":
            links.append((f"GeoNames {v}", f"https://www.geonames.org/{v}" if v.isdigit()
                          else None))
        elif tl == "viaf":
            links.append((f"VIAF {v}", f"https://viaf.org/viaf/{v}" if v.isdigit() else None))
        elif tl == "wikidata":
            ok = re.fullmatch(r"Q\d+", v)
            links.append((f"Wikidata {v}", f"https://www.wikidata.org/wiki/{v}" if ok else None))
        else:
            links.append((f"{t or 'id'} {v}", v if v.startswith(("http://", "https://"))
                          else None))
    for u in uris[1 if any(t.lower() == "hsg" for t, _ in entry.idnos) else 0:]:
        links.append((u, u))
    return links


def authority_ids(entry: Entry | None) -> str:
    if entry is None:
        return ""
    return " ".join(f"{t}:{v}" for t, v in entry.idnos if t.lower() != "uri")
