"""The HTML edition, text and JSON of a build, a document at a time.

``tei-edition export`` gives every exporter the reading models of all its files at once
(html.py, text.py, jsonx.py).  A build has far more documents, so here:

1. an index pass reads each file's header and standOff only: the corpus-wide index (the
   entity pop-ups of every page need it) and the date order (previous/next);
2. the document pass reads each file in full, writes its page, its text and its JSON, and
   keeps a *slim* reading of it (no blocks, no text: about a third of the memory) for what
   needs the whole corpus: the index pages, the entity pages, the search page, the CSV
   indexes and CMIF.  With ``jobs`` > 1 (and fork, i.e. Linux) forked processes render
   the pages, each reading its share of the files, while this one writes text and JSON.

The files are byte for byte those of the in-memory exporters (tested).  A file whose full
reading fails although its header and standOff read well would change its neighbours'
previous/next links; then the export is made again the in-memory way, to stay exact.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from pathlib import Path

from .. import outputs
from ..pipeline import write_atomic
from . import html as H
from .common import Entry, ExportError, Reading, no_gc, parse, read_entries, read_meta, read_tei
from .jsonx import document_json, dumps
from .text import text_of_reading


class _Redo(Exception):
    """The index pass and the document pass disagree on which files can be read."""


def _merge_into(merged: dict[str, Entry], entries: dict[str, Entry]) -> None:
    """``common.merged_entries``, one document at a time."""
    for eid, entry in entries.items():
        if eid in merged:
            merged[eid].merge(entry)
        else:
            merged[eid] = Entry(eid, entry.kind, list(entry.names), list(entry.idnos),
                                list(entry.notes), entry.birth, entry.death, entry.type)


def _index_pass(paths: list[Path]) -> tuple[list[Reading], dict[str, Entry], list]:
    """Stand-ins (meta only) of the files that read, in order; the merged index; failures."""
    stand_ins: list[Reading] = []
    merged: dict[str, Entry] = {}
    failed: list[tuple[Path, str]] = []
    for p in paths:
        try:
            root = parse(Path(p)).getroot()
            meta = read_meta(root, Path(p).stem)
            entries = read_entries(root)
        except ExportError as e:
            failed.append((p, str(e)))
            continue
        except Exception as e:  # noqa: BLE001 - one bad file must not stop the export
            failed.append((p, f"internal error ({type(e).__name__}: {e})"))
            continue
        _merge_into(merged, entries)
        stand_ins.append(Reading(path=Path(p), meta=meta, entries={}, blocks=[], mentions=[],
                                 text="", pages=[]))
    return stand_ins, merged, failed


_JOB: dict = {}  # what forked workers render; set before the fork, shared by it


def _pages(start: int, step: int) -> list[str]:
    """Read and render document pages start, start+step, … (in date order) of the job."""
    ordered, index, out, files = (_JOB[k] for k in ("ordered", "index", "out", "files"))
    renderer = H._Renderer(index)
    names = []
    for i in range(start, len(ordered), step):
        r = read_tei(ordered[i].path)
        prev = ordered[i - 1] if i else None
        nxt = ordered[i + 1] if i + 1 < len(ordered) else None
        name = H.page_name(r.stem)
        write_atomic(out / name, H.document_page(r, index, prev, nxt, files(r), renderer))
        names.append(name)
    return names


def _forked_pages(start: int, step: int) -> tuple[list[str], dict[str, str], list[str]]:
    """``_pages`` in a forked worker; what its copy of the output session recorded (and
    the problems it met, said already) goes back to the build's session."""
    session = outputs.current()
    before = len(session.problems) if session is not None else 0
    try:
        names = _pages(start, step)
    except Exception:  # noqa: BLE001 - the in-memory export is made instead
        return [], {}, ["redo"]
    if session is None:
        return names, {}, []
    out = _JOB["out"]
    keys = [session.key(out / n) for n in names]
    return (names, {k: session.record[k] for k in keys if k in session.record},
            session.problems[before:])


def export_documents(paths: list[Path], build_dir: Path, files: H.FileLinks,
                     jobs: int = 1, paging: H.Paging | None = None
                     ) -> tuple[list[Reading], list, dict[str, list[Path]]]:
    """html/, text/ and json/ of a build: (slim readings in file order, failures [(path,
    why)], the files written by folder)."""
    paging = paging or H.Paging()
    with no_gc():
        try:
            return _export(paths, build_dir, files, jobs, paging)
        except _Redo:
            pass
    from .common import read_many
    from .html import export_html
    from .jsonx import export_json
    from .text import export_text

    readings, failed = read_many(paths)
    written = {"html": export_html(readings, build_dir / "html", paging, files, jobs),
               "text": export_text(readings, build_dir / "text"),
               "json": export_json(readings, build_dir / "json")}
    return [_slim(r) for r in readings], failed, written


def _slim(r: Reading) -> Reading:
    return dataclasses.replace(r, blocks=[], text="", pages=[])


def _export(paths: list[Path], build_dir: Path, files: H.FileLinks, jobs: int,
            paging: H.Paging) -> tuple[list[Reading], list, dict[str, list[Path]]]:
    from .search import search_page

    stand_ins, index, failed = _index_pass(paths)
    ordered = sorted(stand_ins, key=lambda r: r.meta.sort_key)
    position = {id(r): i for i, r in enumerate(ordered)}
    html_dir, text_dir, json_dir = (build_dir / s for s in ("html", "text", "json"))
    written: dict[str, list[Path]] = {"html": H.copy_assets(html_dir), "text": [], "json": []}
    fork = jobs > 1 and len(ordered) >= 2 * jobs and \
        "fork" in multiprocessing.get_all_start_methods()
    _JOB.update(ordered=ordered, index=index, out=html_dir, files=files)
    pool = pending = None
    renderer = H._Renderer(index)
    slim: list[Reading] = []
    try:
        if fork:
            from concurrent.futures import ProcessPoolExecutor

            pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
            pending = [pool.submit(_forked_pages, k, jobs) for k in range(jobs)]
        for stand_in in stand_ins:
            try:
                r = read_tei(stand_in.path)
            except Exception:  # noqa: BLE001 - it read in the index pass: redo exactly
                raise _Redo from None
            if not fork:
                i = position[id(stand_in)]
                prev = ordered[i - 1] if i else None
                nxt = ordered[i + 1] if i + 1 < len(ordered) else None
                name = H.page_name(r.stem)
                write_atomic(html_dir / name,
                             H.document_page(r, index, prev, nxt, files(r), renderer))
                written["html"].append(html_dir / name)
            target = text_dir / f"{r.stem}.txt"
            write_atomic(target, text_of_reading(r).encode("utf-8"))
            written["text"].append(target)
            target = json_dir / f"{r.stem}.json"
            write_atomic(target, dumps(document_json(r, index)))
            written["json"].append(target)
            slim.append(_slim(r))
        del ordered, stand_ins

        def put(name: str, data: bytes) -> None:
            write_atomic(html_dir / name, data)
            written["html"].append(html_dir / name)

        for name, data in H.index_pages(slim, paging):
            put(name, data)
        for kind in H.INDEX_PAGES:
            collected = H._collect(kind, slim, index)
            for name, data in H.entity_index_pages(kind, slim, index, paging, collected):
                put(name, data)
            by_target = collected[0]
            for e in index.values():
                if e.kind == kind:
                    for name, data in H.entry_pages(e, by_target.get(e.id, []), paging):
                        put(name, data)
        put("search.html", search_page(slim))
        if pending is not None:
            session = outputs.current()
            for f in pending:
                names, record, problems = f.result()
                if problems == ["redo"]:
                    raise _Redo
                written["html"] += [html_dir / n for n in names]
                if session is not None:
                    session.record.update(record)
                    session.problems += problems
    finally:
        if pool is not None:
            pool.shutdown()
        _JOB.clear()
    return slim, failed, written
