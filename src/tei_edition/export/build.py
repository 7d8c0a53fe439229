"""The HTML edition, text and JSON of a build, a document at a time.

``tei-edition export`` gives every exporter the reading models of all its files at once
(html.py, text.py, jsonx.py).  A build has far more documents, so here:

1. an index pass reads each file's header and standOff only: the corpus-wide index (the
   entity pop-ups of every page need it) and the date order (previous/next);
2. the document pass reads each file in full, writes its page, its text and its JSON, and
   adds it to a :class:`~.store.Corpus`: its header stays in memory, its mentions go to
   SQLite on disk, for what needs the whole corpus: the index pages, the entity pages,
   the search page, the CSV indexes and CMIF.  With ``jobs`` > 1 (and fork, i.e. Linux)
   forked processes render the pages, each reading its share of the files, while this one
   writes text and JSON.

The files are byte for byte those of the in-memory exporters (tested).  A file whose full
reading fails although its header and standOff read well would change its neighbours'
previous/next links; then the export is made again the in-memory way, to stay exact.
"""

from __future__ import annotations

from pathlib import Path

from ..pipeline import write_atomic
from . import html as H
from .common import Entry, ExportError, Reading, no_gc, parse, read_entries, read_meta, read_tei
from .jsonx import document_json, dumps
from .store import Corpus, header
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
        stand_ins.append(header(Path(p), meta))
    return stand_ins, merged, failed


def export_documents(paths: list[Path], build_dir: Path, files: H.FileLinks,
                     jobs: int = 1, paging: H.Paging | None = None
                     ) -> tuple[Corpus, list, dict[str, list[Path]]]:
    """html/, text/ and json/ of a build: (the corpus of the files that read, for the
    exports over all of it (the caller closes it), failures [(path, why)], the files
    written by folder)."""
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
    return Corpus.of(readings, merged_entries(readings)), failed, written


def _export(paths: list[Path], build_dir: Path, files: H.FileLinks, jobs: int,
            paging: H.Paging) -> tuple[Corpus, list, dict[str, list[Path]]]:
    stand_ins, index, failed = _index_pass(paths)
    ordered = sorted(stand_ins, key=lambda r: r.meta.sort_key)
    position = {id(r): i for i, r in enumerate(ordered)}
    html_dir, text_dir, json_dir = (build_dir / s for s in ("html", "text", "json"))
    written: dict[str, list[Path]] = {"html": H.copy_assets(html_dir), "text": [], "json": []}
    renderer = H._Renderer(index)
    # forked workers read each of their files again for its page (a slim stand-in has no text)
    with H.forked_document_pages(ordered, index, html_dir, files, jobs,
                                 load=lambda r: read_tei(r.path)) as forked:
        corpus = Corpus(index, ordered)  # after the fork: the workers have no part of it
        try:
            for stand_in in stand_ins:
                try:
                    r = read_tei(stand_in.path)
                except Exception:  # noqa: BLE001 - it read in the index pass: redo exactly
                    raise _Redo from None
                if r.meta != stand_in.meta:  # changed between the passes: redo exactly
                    raise _Redo
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
                corpus.add(r, stand_in)  # the stand-in is the header the pages link to
            del stand_ins
            for name, data in H.corpus_pages(corpus, paging):
                write_atomic(html_dir / name, data)
                written["html"].append(html_dir / name)
            if forked is not None:
                written["html"] += forked()
        except BaseException:
            corpus.close()
            raise
    return corpus, failed, written
