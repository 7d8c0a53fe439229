"""CMIF (Correspondence Metadata Interchange Format) for correspSearch.

One TEI file whose header lists every letter of the edition as a ``correspDesc``: who
sent it, where and when, to whom (https://correspsearch.net, format version 2).  Names
carry the URI of an authority where the edition has one (VIAF, GeoNames, else the
authority's own URI such as the Office of the Historian's people pages).  Letters are the
documents whose header has a ``correspDesc`` (the converter writes one for letters).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ..namespaces import NS, TEI_NS, T
from .common import Reading, parse

CMIF_LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def _uri(entry_el: etree._Element | None) -> str | None:
    """An authority URI for a standOff entry: VIAF, GeoNames, else its own URI."""
    if entry_el is None:
        return None
    ids = {(i.get("type") or "").lower(): (i.text or "").strip()
           for i in entry_el.iterchildren(T + "idno")}
    if ids.get("viaf", "").isdigit():
        return f"http://viaf.org/viaf/{ids['viaf']}"
    if ids.get("geonames", "").isdigit():
        return f"http://www.geonames.org/{ids['geonames']}"
    if ids.get("wikidata", "").startswith("Q"):
        return f"http://www.wikidata.org/entity/{ids['wikidata']}"
    uri = ids.get("uri", "")
    return uri if uri.startswith(("http://", "https://")) else None


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


_LETTERS = "letters"  # where they go in the skeleton: a comment, replaced
_INDENT = b"      "  # TEI > teiHeader > profileDesc > correspDesc


def _skeleton(title: str, editor: str, email: str, base_url: str, letters: bool
              ) -> bytes:
    """The CMIF file around its letters; with ``letters``, a comment marks their place."""
    root = etree.Element(T + "TEI", nsmap={None: TEI_NS})
    header = etree.SubElement(root, T + "teiHeader")
    fd = etree.SubElement(header, T + "fileDesc")
    ts = etree.SubElement(fd, T + "titleStmt")
    etree.SubElement(ts, T + "title").text = f"{title}: correspondence metadata (CMIF)"
    ed = etree.SubElement(ts, T + "editor")
    ed.text = editor
    etree.SubElement(ed, T + "email").text = email
    ps = etree.SubElement(fd, T + "publicationStmt")
    etree.SubElement(ps, T + "publisher").text = editor
    idno = etree.SubElement(ps, T + "idno", type="url")
    idno.text = (base_url.rstrip("/") + "/cmif.xml") if base_url else "cmif.xml"
    etree.SubElement(ps, T + "date", when=_today())
    av = etree.SubElement(ps, T + "availability")
    etree.SubElement(av, T + "licence", target=CMIF_LICENCE).text = "CC-BY 4.0"
    sd = etree.SubElement(fd, T + "sourceDesc")
    bibl = etree.SubElement(sd, T + "bibl", type="online")
    bibl.set("{http://www.w3.org/XML/1998/namespace}id", "edition")
    bibl.text = title + (". " if base_url else "")
    if base_url:
        etree.SubElement(bibl, T + "ref", target=base_url).text = base_url
    profile = etree.SubElement(header, T + "profileDesc")
    if letters:
        profile.append(etree.Comment(_LETTERS))
    text = etree.SubElement(root, T + "text")
    etree.SubElement(etree.SubElement(text, T + "body"), T + "p")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _letter(r: Reading, base_url: str, page_of) -> etree._Element | None:
    """The correspDesc of one document, None where it is no letter."""
    tree = parse(r.path).getroot()
    source = tree.find("t:teiHeader/t:profileDesc/t:correspDesc", NS)
    if source is None:
        return None
    ids = {e.get("{http://www.w3.org/XML/1998/namespace}id"): e
           for e in tree.xpath("t:standOff//*[@xml:id]", namespaces=NS)}
    page = page_of(r.stem) if page_of else f"html/{r.stem}.html"
    cd = etree.Element(T + "correspDesc", source="#edition",
                       ref=(base_url.rstrip("/") + "/" if base_url else "") + page,
                       nsmap={None: TEI_NS})
    for action in source.iterfind("t:correspAction", NS):
        kind = action.get("type")
        if kind not in ("sent", "received"):
            continue
        out = etree.SubElement(cd, T + "correspAction", type=kind)
        for child in action:
            local = etree.QName(child).localname
            if local in ("persName", "orgName", "placeName"):
                name = " ".join("".join(child.itertext()).split())
                if not name:
                    continue
                el = etree.SubElement(out, T + local)
                el.text = name
                ref = (child.get("ref") or "").split()
                uri = _uri(ids.get(ref[0][1:])) if ref and ref[0].startswith("#") else (
                    ref[0] if ref and ref[0].startswith("http") else None)
                if uri:
                    el.set("ref", uri)
            elif local == "date":
                attrs = {k: v for k, v in child.attrib.items()
                         if k in ("when", "notBefore", "notAfter", "from", "to")}
                if attrs:
                    etree.SubElement(out, T + "date", attrs)
        if not len(out):
            cd.remove(out)
    if not len(cd):
        return None
    if not any(a.get("type") == "sent" for a in cd) and r.meta.when:
        sent = etree.Element(T + "correspAction", type="sent")
        etree.SubElement(sent, T + "date", when=r.meta.when[:10])
        cd.insert(0, sent)
    return cd


def cmif_pieces(readings: list[Reading], *, title: str = "tei-edition digital edition",
                editor: str = "tei-edition", email: str = "editor@example.org",
                base_url: str = "", page_of=None) -> Iterator[bytes]:
    """The CMIF file of the letters among ``readings``, in pieces: one letter at a time is
    in memory (an edition of letters may hold hundreds of thousands)."""
    tail = b""
    for r in sorted(readings, key=lambda r: r.meta.sort_key):
        cd = _letter(r, base_url, page_of)
        if cd is None:
            continue
        if not tail:  # the first letter: the skeleton up to the letters
            head, tail = _skeleton(title, editor, email, base_url, True).split(
                _INDENT + f"<!--{_LETTERS}-->\n".encode(), 1)
            yield head
        # serialised on its own it declares the namespace the skeleton has declared
        piece = etree.tostring(cd, encoding="UTF-8", pretty_print=True).replace(
            f' xmlns="{TEI_NS}"'.encode(), b"", 1)
        yield b"".join(_INDENT + line + b"\n" for line in piece.splitlines())
    yield tail or _skeleton(title, editor, email, base_url, False)


def export_cmif(readings: list[Reading], target: Path, **options) -> Path:
    from ..outputs import stream_file

    with stream_file(target) as fh:
        for piece in cmif_pieces(readings, **options):
            fh.write(piece)
    return target
