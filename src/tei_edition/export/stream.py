"""Every export of a build, streamed: memory flat in the number of documents.

Two passes over the TEI files, one file in memory at a time:

1. the index pass reads each file's standOff only into the corpus-wide entity index (what
   the JSON, the CSV, the entity pages and the corpus header need before any document);
2. the document pass reads each file once more in full and writes its HTML page, text and
   JSON, appends its rows to the CSV indexes and its TEI to corpus.xml (both streamed),
   and spills the little that the corpus pages need (title, date, mentions) to a
   temporary SQLite file.  index.html and the entity pages are then written from it, a
   section at a time.

The files are the same, byte for byte, as those of the in-memory exporters (html.py,
text.py, jsonx.py, csvx.py, corpus.py), which ``tei-edition export`` still uses.
"""

from __future__ import annotations

import csv
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from lxml import etree

from ..engine import Engine, LocalEngine
from ..namespaces import T
from ..pipeline import atomic_writer, write_atomic
from . import html as H
from .common import (
    Entry,
    ExportError,
    Mention,
    Meta,
    no_gc,
    parse,
    read_entries,
    reading_of,
    tei_files,
)
from .corpus import CorpusWriter, _Index, prepare_member
from .csvx import DATE_COLUMNS, ENTITY_COLUMNS, FILES, csv_rows
from .jsonx import document_json, dumps
from .text import text_of_reading

_KINDS = {"person": 0, "place": 1, "org": 2, "date": 3}


class _Spill:
    """The documents' titles and dates and every mention, on disk, sorted on the way out."""

    def __init__(self, folder: str):
        self.db = sqlite3.connect(f"{folder}/spill.sqlite", isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
            "CREATE TABLE doc (i INTEGER PRIMARY KEY, undated INT, date TEXT, stem TEXT,"
            " title TEXT, date_text TEXT, kind TEXT);"
            "CREATE TABLE mention (kind INT, rank INT, surface TEXT, doc INT, n INT,"
            " page TEXT);"
            "BEGIN;")
        self.db.create_function("fold", 1, str.casefold, deterministic=True)

    def add(self, i: int, meta: Meta, rows: list[tuple]) -> None:
        undated, date, stem = meta.sort_key
        self.db.execute("INSERT INTO doc VALUES (?,?,?,?,?,?,?)",
                        (i, undated, date, stem, meta.title, meta.date_text, meta.kind))
        if rows:
            self.db.executemany("INSERT INTO mention VALUES (?,?,?,?,?,?)", rows)

    def done(self) -> None:
        self.db.execute("COMMIT")

    def count(self, sql: str, *args) -> int:
        return self.db.execute(sql, args).fetchone()[0]

    def docs(self) -> Iterator[Meta]:
        for stem, title, date_text, kind, date, undated in self.db.execute(
                "SELECT stem, title, date_text, kind, date, undated FROM doc "
                "ORDER BY undated, date, stem, i"):
            yield Meta(stem=stem, id=stem, title=title, date_text=date_text, kind=kind,
                       when=date if not undated else None)

    def mentions(self, kind: str, linked: bool) -> Iterator[tuple]:
        """(rank or surface, doc stand-in, Mention) in page order: entry (or surface) by
        entry, documents in date order, mentions in text order."""
        key = "m.rank" if linked else "fold(m.surface), m.surface"
        cond = "m.rank IS NOT NULL" if linked else "m.rank IS NULL"
        last, doc = None, None
        for rank, surface, n, page, i, stem, title, date_text in self.db.execute(
                "SELECT m.rank, m.surface, m.n, m.page, d.i, d.stem, d.title, d.date_text "
                f"FROM mention m JOIN doc d ON m.doc = d.i WHERE m.kind = ? AND {cond} "
                f"ORDER BY {key}, d.undated, d.date, d.stem, d.i, m.n", (_KINDS[kind],)):
            if i != last:  # one stand-in per run of a document's mentions
                last, doc = i, _Doc(stem, Meta(stem=stem, id=stem, title=title,
                                               date_text=date_text))
            yield (rank if linked else surface), doc, Mention(n=n, kind=kind,
                                                              surface=surface, page=page)

    def close(self) -> None:
        self.db.close()


class _Doc:
    """What a back-link needs of a document (``html._mention_list``)."""

    __slots__ = ("meta", "stem")

    def __init__(self, stem: str, meta: Meta):
        self.stem, self.meta = stem, meta


def _page_parts(html: etree._Element, parent: etree._Element) -> tuple[bytes, bytes]:
    """The serialised page cut where ``parent``'s streamed children go."""
    mark = etree.Comment("tei-edition: sections")
    parent.append(mark)
    head, tail = H.serialize(html).split(etree.tostring(mark), 1)
    parent.remove(mark)
    return head, tail


def _chunk(el: etree._Element) -> bytes:
    return etree.tostring(el, method="html", encoding="utf-8", with_tail=False)


def write_index_page(path: Path, spill: _Spill) -> None:
    n, dated = spill.count("SELECT COUNT(*) FROM doc"), \
        spill.count("SELECT COUNT(*) FROM doc WHERE undated = 0")
    html, main = H._page("Documents")
    H._sub(main, "h1", "Documents")
    H._sub(main, "p", H.index_intro(n, dated))
    table = H._sub(main, "table", class_="documents")
    tr = H._sub(H._sub(table, "thead"), "tr")
    for h in ("Date", "Title", "Kind"):
        H._sub(tr, "th", h, scope="col")
    tbody = H._sub(table, "tbody")
    H._footer(html, H.INDEX_FOOTER)
    head, tail = _page_parts(html, tbody)
    with atomic_writer(path) as fh:
        fh.write(head)
        for meta in spill.docs():
            fh.write(_chunk(H.index_row(tbody, meta)))
            tbody.remove(tbody[0])
        fh.write(tail)


def write_entity_page(path: Path, kind: str, entries: list[Entry], spill: _Spill) -> None:
    """persons.html, places.html or orgs.html; each mention list is written a document at
    a time (one entry may be named in every document of the corpus)."""
    label = H.INDEX_PAGES[kind][1]
    html, main = H._page(label)
    H._sub(main, "h1", label)
    linked = spill.count("SELECT COUNT(*) FROM mention WHERE kind = ? AND rank IS NOT NULL",
                         _KINDS[kind])
    H._sub(main, "p", f"{len(entries)} in the index; {linked} mentions.")
    H._footer(html, H.entity_footer(label))
    head, tail = _page_parts(html, main)
    with atomic_writer(path) as fh:
        fh.write(head)
        groups = groupby(spill.mentions(kind, True), key=itemgetter(0))
        ahead = next(groups, None)
        for rank, e in enumerate(entries):
            if ahead is None or ahead[0] != rank:
                fh.write(_chunk(H.entry_section(main, e, [])))  # "No mention in the text."
            else:
                _write_listed(fh, H.entry_section(main, e, None), ahead[1])
                ahead = next(groups, None)
            main.remove(main[-1])
        sec = None
        for surface, rows in groupby(spill.mentions(kind, False), key=itemgetter(0)):
            if sec is None:
                sec = H.unlinked_section(main)
                sec_head, sec_tail = _parts(sec)
                fh.write(sec_head)
            fh.write(_chunk(H._sub(sec, "h3", surface)))
            sec.remove(sec[-1])
            fh.write(_OL_HEAD)
            _write_items(fh, rows)
            fh.write(_OL_TAIL)
        if sec is not None:
            fh.write(sec_tail)
        fh.write(tail)


def _parts(el: etree._Element) -> tuple[bytes, bytes]:
    """``el`` serialised, cut where a child appended now would go."""
    mark = etree.Comment("tei-edition: streamed")
    el.append(mark)
    head, tail = _chunk(el).split(etree.tostring(mark), 1)
    el.remove(mark)
    return head, tail


_OL_HEAD, _OL_TAIL = _parts(etree.Element("ol", {"class": "mentions"}))


def _write_listed(fh, sec: etree._Element, rows) -> None:
    head, tail = _parts(sec)
    fh.write(head + _OL_HEAD)
    _write_items(fh, rows)
    fh.write(_OL_TAIL + tail)


def _write_items(fh, rows) -> None:
    """The <li> of each document of ``rows`` [(key, doc, mention)], one at a time."""
    for _doc, run in groupby(rows, key=itemgetter(1)):  # one stand-in object per run
        holder = etree.Element("div")
        H._mention_list(holder, [(doc, m) for _key, doc, m in run])
        fh.write(b"".join(_chunk(li) for li in holder[0]))


def _index_document(path: str, _authorities) -> tuple[str | None, dict, list[bytes]]:
    """Pass 1 for one file: (error, its standOff entries, its standOff elements)."""
    try:
        root = parse(Path(path)).getroot()
    except ExportError as e:
        return str(e), {}, []
    return None, read_entries(root), [etree.tostring(so) for so in
                                      root.iterchildren(T + "standOff")]


class _Out:
    """Pass 2 for one file: everything the writer needs of it."""

    __slots__ = ("corpus", "csv", "error", "ids", "meta", "rows", "stem", "times")


def _export_document(path: str, _authorities, shared: tuple) -> _Out:
    """Pass 2 for one file, wherever the engine runs it: its HTML page, text and JSON are
    written there (workers see the build folder, as they see the TEI files); the rest
    (CSV rows, corpus part, what the index pages need) goes back to the writer."""
    merged, rank_of, build_dir = shared
    out = _Out()
    out.error = None
    times = out.times = {}
    t0 = time.perf_counter()
    try:
        root = parse(Path(path)).getroot()
        r = reading_of(root, Path(path))
    except ExportError as e:
        out.error = str(e)
        return out
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the export
        out.error = f"internal error ({type(e).__name__}: {e})"
        return out
    t1 = time.perf_counter()
    out.stem, out.meta = r.stem, r.meta
    write_atomic(build_dir / "html" / H.page_name(r.stem), H.document_page(r))
    rows = out.rows = []
    for m in r.mentions:
        if m.kind == "date":
            continue
        entry = merged.get(m.target) if m.target else None
        rank = rank_of[m.target] if entry is not None and entry.kind == m.kind else None
        rows.append((_KINDS[m.kind], rank, m.surface, m.n, m.page))
    t2 = time.perf_counter()
    write_atomic(build_dir / "text" / f"{r.stem}.txt", text_of_reading(r).encode("utf-8"))
    t3 = time.perf_counter()
    write_atomic(build_dir / "json" / f"{r.stem}.json", dumps(document_json(r, merged)))
    t4 = time.perf_counter()
    out.csv = list(csv_rows(r, merged))
    t5 = time.perf_counter()
    out.corpus, out.ids = prepare_member(root)
    t6 = time.perf_counter()
    for stage, a, b in (("read", t0, t1), ("html", t1, t2), ("text", t2, t3),
                        ("json", t3, t4), ("csv", t4, t5), ("corpus", t5, t6)):
        times[stage] = b - a
    return out


def export_all(tei_paths: list[Path], build_dir: Path, engine: Engine | None = None) -> dict:
    """Every export of a build: html/, text/, json/, index/*.csv and corpus.xml.

    Each file's exports are made by ``engine`` (default: this process), in parallel where
    it has workers; this process writes them in order.  Returns a summary: documents,
    failed [(path, why)], mentions by kind, index entries by kind, seconds and, in
    ``timings``, the seconds of each export (summed over the workers, each file's writing
    included; "write" is this process writing the CSV, corpus and spill rows).  A file that cannot be read is reported, the others still
    exported."""
    start = time.perf_counter()
    build_dir = Path(build_dir)
    paths = [str(p) for p in tei_files([Path(p) for p in tei_paths])]  # str: small
    timings = dict.fromkeys(("index pass", "read", "html", "text", "json", "csv", "corpus",
                             "write", "index pages"), 0.0)
    failed: list[tuple[Path, str]] = []
    own = engine is None
    engine = engine or LocalEngine(1)
    try:
        # 1. the corpus-wide index, from the standOff of every file
        merged: dict[str, Entry] = {}
        corpus_index = _Index()
        good: list[str] = []
        with no_gc():
            for p, (error, entries, standoffs) in zip(
                    paths, engine.map(_index_document, paths), strict=True):
                if error is not None:
                    failed.append((p, error))
                    continue
                for eid, entry in entries.items():
                    if eid in merged:
                        merged[eid].merge(entry)
                    else:
                        merged[eid] = entry
                for so in standoffs:
                    corpus_index.add(etree.fromstring(so))
                good.append(p)
        ranks = {kind: sorted((e for e in merged.values() if e.kind == kind),
                              key=lambda e: (e.label.casefold(), e.id))
                 for kind in H.INDEX_PAGES}
        rank_of = {e.id: i for entries in ranks.values() for i, e in enumerate(entries)}
        timings["index pass"] = time.perf_counter() - start

        # 2. each document once: its own files, its CSV rows, its part of corpus.xml
        written = _export_documents(engine, good, build_dir, merged, ranks, rank_of,
                                    corpus_index, failed, timings)
    finally:
        if own:
            engine.close()
    written["html"].update(["index.html", *(f for f, _ in H.INDEX_PAGES.values())])
    for sub, suffix in (("html", ".html"), ("text", ".txt"), ("json", ".json")):
        folder = build_dir / sub
        if folder.is_dir():  # files of documents no longer in the build
            for stale in folder.glob("*" + suffix):
                if stale.name not in written[sub]:
                    stale.unlink()
    entities: dict[str, int] = {}
    for e in merged.values():
        entities[e.kind] = entities.get(e.kind, 0) + 1
    return {"documents": len(written["text"]), "failed": [(str(p), why) for p, why in failed],
            "mentions": written["mentions"], "entities": entities,
            "seconds": time.perf_counter() - start, "timings": timings}


def _export_documents(engine: Engine, good: list[str], build_dir: Path, merged: dict,
                      ranks: dict, rank_of: dict, corpus_index: _Index, failed: list,
                      timings: dict) -> dict:
    written: dict = {"html": set(), "text": set(), "json": set(), "mentions": {}}  # names
    mentions = written["mentions"]
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="tei-edition-export-"))
        spill = _Spill(tmp)
        stack.callback(spill.close)
        tables = stack.enter_context(_CsvFiles(build_dir / "index"))
        corpus = None
        if good:  # no document, no corpus.xml
            corpus = CorpusWriter(stack.enter_context(atomic_writer(build_dir / "corpus.xml")),
                                  corpus_index, len(good))
        shared = engine.share((merged, rank_of, build_dir))
        outs = engine.map(_export_document, good, shared)
        for i, (p, out) in enumerate(zip(good, outs, strict=True)):
            if out.error is not None:
                failed.append((p, out.error))
                continue
            t0 = time.perf_counter()
            for stage, secs in out.times.items():
                timings[stage] += secs
            written["html"].add(H.page_name(out.stem))
            written["text"].add(f"{out.stem}.txt")
            written["json"].add(f"{out.stem}.json")
            tables.add(out.csv)
            spill.add(i, out.meta, [(k, rank, s, i, n, page) for k, rank, s, n, page
                                    in out.rows])
            for name, _row in out.csv:
                kind = "date" if name == "dates.csv" else _CSV_KIND[name]
                mentions[kind] = mentions.get(kind, 0) + 1
            if not corpus.add_prepared(out.corpus, out.ids):  # an id to rename: redo it here
                corpus.add(parse(Path(p)).getroot(), Path(p).stem)
            timings["write"] += time.perf_counter() - t0
        if corpus is not None:
            corpus.close()
        t0 = time.perf_counter()
        spill.done()
        write_index_page(build_dir / "html" / "index.html", spill)
        for kind, (fname, _label) in H.INDEX_PAGES.items():
            write_entity_page(build_dir / "html" / fname, kind, ranks[kind], spill)
        timings["index pages"] = time.perf_counter() - t0
    return written


_CSV_KIND = {name: kind for kind, name in FILES.items()}


class _CsvFiles:
    """The four CSV indexes, written row by row (renamed into place at the end)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self) -> _CsvFiles:
        self._ctx, self._w = {}, {}
        for name in [*FILES.values(), "dates.csv"]:
            ctx = atomic_writer(self.folder / name, text=True)
            w = csv.writer(ctx.__enter__(), lineterminator="\n")
            w.writerow(DATE_COLUMNS if name == "dates.csv" else ENTITY_COLUMNS)
            self._ctx[name], self._w[name] = ctx, w
        return self

    def add(self, rows: list[tuple[str, list]]) -> None:
        for name, row in rows:
            self._w[name].writerow(row)

    def __exit__(self, *exc) -> None:
        for ctx in self._ctx.values():
            ctx.__exit__(*exc)
