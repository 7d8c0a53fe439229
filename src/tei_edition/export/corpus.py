"""teiCorpus: one corpus header, one merged entity index, every document.

Entity ids are derived from authority ids (or from the name where there is none), so the
same person has the same xml:id in every file and a plain merge by id yields the corpus
index; documents keep their ``@ref="#id"`` values unchanged.  Any other xml:id that two
documents share is prefixed with the document stem (and references to it inside that
document rewritten), so ids are unique in the corpus.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path

from lxml import etree

from ..namespaces import NS, TEI_NS, XML_ID, T
from ..write.tei import write_responsibility
from .common import ENTRY_TAGS, ExportError, local, parse, text_of

CORPUS_LICENCE = ("Public domain. The sources are works of the United States Government "
                  "(17 U.S.C. § 105); the encoding is released under the same terms "
                  "(Public Domain Mark 1.0).")
_POINTER_ATTRS = ("ref", "target", "corresp", "sameAs", "who", "source", "facs", "prev",
                  "next", "synch", "copyOf")
# Child order that is valid for person, place and org alike (see schema/tei-edition.rng).
_ORDER = {"persName": 0, "placeName": 0, "orgName": 0, "location": 1, "birth": 2, "death": 3,
          "idno": 4, "note": 5}


def _E(tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(T + tag, {k.rstrip("_"): v for k, v in attrs.items()},
                       nsmap={None: TEI_NS})
    if text:
        el.text = text
    return el


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    el = etree.SubElement(parent, T + tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text:
        el.text = text
    return el


def _key(el: etree._Element) -> tuple:
    return (local(el.tag), el.get("type") if local(el.tag) == "idno" else None, text_of(el))


class _Index:
    """Merges standOff entries of many documents by xml:id."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, etree._Element]] = {k: {} for k in ENTRY_TAGS}
        # per merged entry: the keys of its children, their element names, and the texts
        # of its names by element name (kept, not recomputed at every merge: an entry
        # named in thousands of documents is merged thousands of times)
        self._seen: dict[int, tuple[set, set[str], dict[str, set[str]]]] = {}

    def add(self, standoff: etree._Element) -> None:
        for kind, (_list_tag, entry_tag, _name) in ENTRY_TAGS.items():
            for el in standoff.iter(entry_tag):
                eid = el.get(XML_ID)
                if not eid:
                    continue
                have = self.entries[kind].get(eid)
                if have is None:
                    have = self.entries[kind][eid] = copy.deepcopy(el)
                    seen: set = set()
                    present: set[str] = set()
                    names: dict[str, set[str]] = {}
                    for c in have:
                        if isinstance(c.tag, str):
                            key = _key(c)
                            seen.add(key)
                            present.add(key[0])
                            names.setdefault(key[0], set()).add(key[2])
                    self._seen[id(have)] = (seen, present, names)
                else:
                    self._merge(have, el, *self._seen[id(have)])

    @staticmethod
    def _merge(have: etree._Element, new: etree._Element, seen: set, present: set[str],
               names: dict[str, set[str]]) -> None:
        for c in new:
            if not isinstance(c.tag, str):
                continue
            key = _key(c)
            name = key[0]
            if name in ("birth", "death") and name in present:
                continue
            if name.endswith("Name"):
                if key[2] in names.get(name, ()):
                    continue
                c = copy.deepcopy(c)
                if c.get("type") == "preferred":
                    c.set("type", "variant")  # the first document's preferred form wins
            elif key in seen:
                continue
            else:
                c = copy.deepcopy(c)
            c.tail = None
            have.append(c)
            seen.add(key)
            present.add(name)
            names.setdefault(name, set()).add(key[2])

    def standoff(self) -> etree._Element | None:
        so = _E("standOff")
        for kind, (list_tag, _entry_tag, _name) in ENTRY_TAGS.items():
            if not self.entries[kind]:
                continue
            lst = etree.SubElement(so, list_tag)
            for eid in sorted(self.entries[kind]):
                el = self.entries[kind][eid]
                children = [c for c in el if isinstance(c.tag, str)]
                for c in el:
                    el.remove(c)
                # names first (the preferred one first), then the rest in schema order
                children.sort(key=lambda c: (_ORDER.get(local(c.tag), 6),
                                             c.get("type") != "preferred"
                                             if local(c.tag).endswith("Name") else 0))
                for c in children:
                    c.tail = None
                    el.append(c)
                el.tail = None
                lst.append(el)
        return so if len(so) else None

    def ids(self) -> set[str]:
        return {eid for d in self.entries.values() for eid in d}


def _corpus_header(n_docs: int, title: str) -> etree._Element:
    header = _E("teiHeader")
    fd = _sub(header, "fileDesc")
    ts = _sub(fd, "titleStmt")
    _sub(ts, "title", title, type="main")
    write_responsibility(ts, fd, "corpus", "TEI encoding and corpus assembly", CORPUS_LICENCE)
    sd = _sub(fd, "sourceDesc")
    _sub(sd, "p", f"A corpus of {n_docs} TEI documents, each converted from a plain-text "
                  "source by tei-edition; the header of each document describes its own "
                  "source. The entity index (standOff) merges the indexes of all "
                  "documents.")
    return header


def _dedupe_ids(doc: etree._Element, stem: str, taken: set[str]) -> None:
    renamed: dict[str, str] = {}
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        eid = el.get(XML_ID)
        if eid is None:
            continue
        if eid in taken:
            new, i = f"{stem}-{eid}", 1
            while new in taken:
                i += 1
                new = f"{stem}-{eid}-{i}"
            el.set(XML_ID, new)
            renamed[eid] = new
            eid = new
        taken.add(eid)
    if not renamed:
        return
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in _POINTER_ATTRS:
            value = el.get(attr)
            if value and "#" in value:
                parts = [("#" + renamed[p[1:]]) if p.startswith("#") and p[1:] in renamed
                         else p for p in value.split()]
                el.set(attr, " ".join(parts))


_PLACEHOLDER = "tei-edition: documents"


class CorpusWriter:
    """Writes a teiCorpus to ``fh`` one document at a time (memory flat in the corpus).

    The header and the merged standOff come first, so ``index`` must already hold the
    standOff of every document (``_Index.add``); ``add`` then takes each parsed TEI root in
    turn (its standOff is dropped, clashing ids renamed) and ``close`` ends the corpus.  The
    bytes are those of the whole tree serialised at once."""

    def __init__(self, fh, index: _Index, n_docs: int, title: str = "tei-edition corpus"):
        corpus = _E("teiCorpus")
        corpus.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        # Only our own element-only parts are indented: indenting a document would change
        # the white space of its mixed content.
        corpus.text = "\n  "
        header = _corpus_header(n_docs, title)
        etree.indent(header, space="  ", level=1)
        corpus.append(header)
        so = index.standoff()
        if so is not None:
            etree.indent(so, space="  ", level=1)
            corpus.append(so)
        for el in corpus:
            el.tail = "\n  "
        mark = etree.Comment(_PLACEHOLDER)
        mark.tail = "\n"
        corpus.append(mark)
        data = etree.tostring(corpus, xml_declaration=True, encoding="UTF-8") + b"\n"
        self._head, self._tail = data.split(etree.tostring(mark, with_tail=False), 1)
        self._fh, self._first, self.taken = fh, True, index.ids() | {"corpus"}
        fh.write(self._head)

    def add(self, root: etree._Element, stem: str) -> None:
        strip_standoff(root)
        _dedupe_ids(root, stem, self.taken)
        self._write(corpus_member(root))

    def _write(self, data: bytes) -> None:
        self._fh.write(data if self._first else b"\n  " + data)
        self._first = False

    def close(self) -> None:
        self._fh.write(self._tail)


_TEI_DECL = f' xmlns="{TEI_NS}"'.encode()


def strip_standoff(root: etree._Element) -> None:
    for so in root.findall("t:standOff", NS):
        root.remove(so)


def corpus_member(root: etree._Element) -> bytes:
    """A TEI root serialised as a child of teiCorpus (the namespace is declared there)."""
    root.tail = None
    _E("teiCorpus").append(root)
    data = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    end = data.index(b">")
    if data.count(_TEI_DECL, 0, end) == 1:
        data = data.replace(_TEI_DECL, b"", 1)
    return data


def _index(paths: list[Path]) -> tuple[_Index, list[Path], list[tuple[Path, str]]]:
    """The standOff of every file (one tree in memory at a time), the files that parse,
    and those that do not (with why)."""
    index = _Index()
    good: list[Path] = []
    failures: list[tuple[Path, str]] = []
    for p in paths:
        try:
            root = parse(Path(p)).getroot()
        except ExportError as e:
            failures.append((Path(p), str(e)))
            continue
        for so in root.findall("t:standOff", NS):
            index.add(so)
        good.append(Path(p))
    if not good:
        raise ExportError("no document to put in the corpus")
    return index, good, failures


def _write(fh, index: _Index, good: list[Path], title: str) -> None:
    writer = CorpusWriter(fh, index, len(good), title)
    for p in good:
        writer.add(parse(p).getroot(), p.stem)
    writer.close()


def build_corpus(paths: list[Path], title: str = "tei-edition corpus"
                 ) -> tuple[bytes, list[tuple[Path, str]]]:
    """The teiCorpus as bytes, and the files that could not be included (with why)."""
    index, good, failures = _index(paths)
    buf = io.BytesIO()
    _write(buf, index, good, title)
    return buf.getvalue(), failures


def write_corpus(paths: list[Path], target: Path, title: str = "tei-edition corpus"
                 ) -> list[tuple[Path, str]]:
    """``build_corpus`` streamed into ``target`` a document at a time (through the
    current output session: outputs.stream_file); returns the files left out."""
    from ..outputs import stream_file

    index, good, failures = _index(paths)
    with stream_file(target) as fh:
        _write(fh, index, good, title)
    return failures
