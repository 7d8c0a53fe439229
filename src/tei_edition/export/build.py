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
from pathlib import Path

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


def export_documents(paths: list[Path], build_dir: Path, files: H.FileLinks,
                     jobs: int = 1, paging: H.Paging | None = None
                     ) -> tuple[list[Reading], list, dict[str, list[Path]], dict[str, Entry]]:
    """html/, text/ and json/ of a build: (slim readings in file order, failures [(path,
    why)], the files written by folder, the merged index of the readings)."""
    paging = paging or H.Paging()
    with no_gc():
        try:
            return _export(paths, build_dir, files, jobs, paging)
        except (_Redo, H.PagesFailed):
            pass
    from .common import merged_entries, read_many
    from .html import export_html
    from .jsonx import export_json
    from .text import export_text

    readings, failed = read_many(paths)
    written = {"html": export_html(readings, build_dir / "html", paging, files, jobs),
               "text": export_text(readings, build_dir / "text"),
               "json": export_json(readings, build_dir / "json")}
    return [_slim(r) for r in readings], failed, written, merged_entries(readings)


def _slim(r: Reading) -> Reading:
    """What the corpus-wide exports need of a document: its header and its mentions (the
    index entries are merged already)."""
    return dataclasses.replace(r, entries={}, blocks=[], text="", pages=[])


def _export(paths: list[Path], build_dir: Path, files: H.FileLinks, jobs: int,
            paging: H.Paging
            ) -> tuple[list[Reading], list, dict[str, list[Path]], dict[str, Entry]]:
    stand_ins, index, failed = _index_pass(paths)
    ordered = sorted(stand_ins, key=lambda r: r.meta.sort_key)
    position = {id(r): i for i, r in enumerate(ordered)}
    html_dir, text_dir, json_dir = (build_dir / s for s in ("html", "text", "json"))
    written: dict[str, list[Path]] = {"html": H.copy_assets(html_dir), "text": [], "json": []}
    renderer = H._Renderer(index)
    slim: list[Reading] = []
    # forked workers read each of their files again for its page (a slim stand-in has no text)
    with H.forked_document_pages(ordered, index, html_dir, files, jobs,
                                 load=lambda r: read_tei(r.path)) as forked:
        for stand_in in stand_ins:
            try:
                r = read_tei(stand_in.path)
            except Exception:  # noqa: BLE001 - it read in the index pass: redo exactly
                raise _Redo from None
            if forked is None:
                name = H.page_name(r.stem)
                write_atomic(html_dir / name, H.render_document_page(
                    r, ordered, position[id(stand_in)], index, html_dir, files, renderer))
                written["html"].append(html_dir / name)
            target = text_dir / f"{r.stem}.txt"
            write_atomic(target, text_of_reading(r).encode("utf-8"))
            written["text"].append(target)
            target = json_dir / f"{r.stem}.json"
            write_atomic(target, dumps(document_json(r, index)))
            written["json"].append(target)
            slim.append(_slim(r))
        del stand_ins
        for name, data in H.corpus_pages(slim, index, paging):
            write_atomic(html_dir / name, data)
            written["html"].append(html_dir / name)
        if forked is not None:
            written["html"] += forked()
    return slim, failed, written, index
