"""``tei-edition export`` and ``tei-edition package``, and ``export_all`` for ``build``."""

from __future__ import annotations

import concurrent.futures
import functools
import sys
import time
from pathlib import Path

import click

from .. import outputs
from .bag import BagProblem, make_bag, verify_bag
from .build import export_documents
from .cmif import export_cmif
from .common import ExportError, Reading, read_many, tei_files
from .corpus import write_corpus
from .csvx import export_csv, write_csv
from .html import export_html, page_name, sibling_files
from .jsonx import export_json
from .search import SearchUnavailable, build_search_index
from .store import StoreError
from .text import export_text

FORMATS = ("html", "text", "json", "csv", "cmif")


def _err(message: str) -> None:
    click.echo(message, err=True)


def remove_stale(folder: Path, suffix: str, keep: list[Path]) -> None:
    """Files of documents no longer in the build would otherwise linger (and be bagged).
    Only files the build wrote and nobody changed since are removed (outputs.py)."""
    outputs.remove_stale(folder, suffix, keep)


def export_formats(readings: list[Reading], out: Path, formats: list[str],
                   page_markers: bool = False) -> list[Path]:
    written: list[Path] = []
    if "html" in formats:
        folders = {"TEI": (out, "")}
        if "text" in formats:
            folders["Text"] = (out, ".txt")
        if "json" in formats:
            folders["JSON"] = (out, ".json")
        written += export_html(readings, out, files=sibling_files(out, folders))
    if "text" in formats:
        written += export_text(readings, out, page_markers)
    if "json" in formats:
        written += export_json(readings, out)
    if "csv" in formats:
        written += export_csv(readings, out)
    if "cmif" in formats:
        page = (lambda stem: page_name(stem)) if "html" in formats else None
        written.append(export_cmif(readings, out / "cmif.xml", page_of=page))
    return written


def export_all(tei_paths: list[Path], build_dir: Path, search_index: bool = True,
               jobs: int = 1, engine=None) -> dict:
    """Every export of a build: html/, text/, json/, index/*.csv and corpus.xml.

    Returns a summary: documents, failed [(path, why)], mentions by kind, index entries by
    kind, search (Pagefind's figures, or why there is no index), seconds and, in
    ``timings``, the seconds of each export.  A file that cannot be read is reported, the
    others still exported.  The HTML pages, text and JSON are written a document at a time
    (export/build.py); the document pages are rendered by ``jobs`` forked processes
    (``engine``: a local one gives its worker count).  corpus.xml is written a document at
    a time too, with ``jobs`` > 1 while Pagefind indexes the pages in its own processes."""
    start = time.perf_counter()
    build_dir = Path(build_dir)
    if outputs.current() is None:  # on its own: the build folder's manifest decides
        with outputs.session(build_dir):
            return export_all(tei_paths, build_dir, search_index, jobs, engine)
    if engine is not None and engine.name == "local":
        jobs = engine.workers
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = now - clock[0]
        clock[0] = now

    paths = tei_files([Path(p) for p in tei_paths])
    html_dir = build_dir / "html"
    links = sibling_files(html_dir, {"TEI": (build_dir / "tei", ".xml"),
                                     "Text": (build_dir / "text", ".txt"),
                                     "JSON": (build_dir / "json", ".json")})
    # a document at a time; what stays in memory is each document's header, its mentions
    # are in the corpus's store on disk (export/build.py, export/store.py)
    corpus, failed, out = export_documents(paths, build_dir, links, jobs)
    with corpus:
        lap("html, text, json")
        for sub, suffix in (("html", ".html"), ("text", ".txt"), ("json", ".json")):
            remove_stale(build_dir / sub, suffix, out[sub])
        write_csv(corpus, build_dir / "index")
        lap("csv")
        export_cmif(corpus.readings, build_dir / "cmif.xml",
                    page_of=lambda stem: "html/" + page_name(stem))
        lap("cmif")
        mentions = corpus.counts()
        pages = [page_name(r.stem) for r in corpus.ordered()]
        good = [r.path for r in corpus.readings]
    index_pages = functools.partial(build_search_index, html_dir, pages, jobs=jobs)
    search: dict | str = "not built"
    if search_index and jobs > 1:
        # Pagefind runs in its own processes: corpus.xml is written here meanwhile
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(index_pages)
            if good:
                failed += write_corpus(good, build_dir / "corpus.xml")
            lap("corpus")
            search = _search_result(pending.result)
        lap("search")
    else:
        if search_index:
            search = _search_result(index_pages)
        lap("search")
        if good:
            failed += write_corpus(good, build_dir / "corpus.xml")
        lap("corpus")
    entities: dict[str, int] = {}
    for e in corpus.index.values():
        entities[e.kind] = entities.get(e.kind, 0) + 1
    return {"documents": len(good), "failed": [(str(p), why) for p, why in failed],
            "mentions": mentions, "entities": entities, "search": search,
            "seconds": time.perf_counter() - start, "timings": timings}


def _search_result(run) -> dict | str:
    """Pagefind's figures, or why the edition has no search index."""
    try:
        return run()
    except SearchUnavailable as e:
        return str(e)


@click.command("export")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("-f", "--format", "formats", multiple=True, required=True,
              type=click.Choice(FORMATS),
              help="html (reading edition), text, json (one per document), csv (entity "
                   "indexes), cmif (letters for correspSearch). Repeatable.")
@click.option("-o", "--output", "out", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--pages", "--page-markers", "page_markers", is_flag=True,
              help="Text: a [Page N] marker at every pb, so that the source can be rebuilt.")
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
@click.option("--force", is_flag=True,
              help="Replace files in OUTPUT that tei-edition did not write or that were "
                   "changed since.")
def export(files: tuple[Path, ...], formats: tuple[str, ...], out: Path, page_markers: bool,
           quiet: bool, force: bool = False) -> None:
    """Export TEI FILES (or the *.xml of folders) to html, text, json or csv in OUTPUT.

    A file in OUTPUT that tei-edition did not write, or that was changed since, is kept
    and named (--force replaces it)."""
    paths = tei_files(list(files))
    if not paths:
        raise click.UsageError("no .xml files found in " + ", ".join(map(str, files)))
    start = time.perf_counter()
    readings, failed = read_many(paths)
    for path, why in failed:
        _err(f"error: {path}: {why}")
    with outputs.session(out, force, lambda level, m: _err(f"{level}: {m}")) as made:
        try:
            written = export_formats(readings, out, list(formats), page_markers)
        except StoreError as e:
            _err(f"error: {out}: export stopped: {e}")
            sys.exit(1)
    if not quiet:
        _err(f"{len(paths)} files, {len(readings)} exported, {len(failed)} failed, "
             f"{len(written) - len(made.problems)} files written, "
             + (f"{len(made.problems)} not written, " if made.problems else "")
             + f"{time.perf_counter() - start:.2f} s")
    sys.exit(1 if failed or made.problems else 0)


@click.command("package")
@click.argument("build_dir", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--bag", "dest", type=click.Path(path_type=Path),
              help="Write a BagIt deposit of BUILD_DIR here.")
@click.option("--verify", "verify", type=click.Path(exists=True, file_okay=False,
                                                    path_type=Path),
              help="Re-validate the bag at this path; name every changed or missing file.")
@click.option("--source-organization", help="bag-info Source-Organization.")
@click.option("--contact-name", help="bag-info Contact-Name.")
@click.option("--contact-email", help="bag-info Contact-Email.")
@click.option("--description", help="bag-info External-Description.")
@click.option("--sources", "sources", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="The plain-text sources of the build (files, or folders of *.txt) to "
                   "deposit with it. Repeatable.")
def package(build_dir: Path | None, dest: Path | None, verify: Path | None,
            source_organization: str | None, contact_name: str | None,
            contact_email: str | None, description: str | None,
            sources: tuple[Path, ...] = ()) -> None:
    """Make a BagIt deposit of BUILD_DIR (--bag DEST), or check one (--verify DEST)."""
    if verify is not None:
        if build_dir is not None or dest is not None:
            raise click.UsageError("--verify takes only the bag to check")
        try:
            verify_bag(verify)
        except BagProblem as e:
            _err(f"error: {e}")
            for problem in e.problems:
                _err(f"  {problem}")
            sys.exit(1)
        _err(f"{verify}: valid bag")
        sys.exit(0)
    if build_dir is None or dest is None:
        raise click.UsageError("give BUILD_DIR and --bag DEST, or --verify DEST")
    info = bag_info(source_organization, contact_name, contact_email, description)
    try:
        files = [f for s in sources for f in (sorted(s.glob("*.txt")) if s.is_dir() else [s])]
        made = make_bag(build_dir, dest, info, sources=files)
        verify_bag(made)  # an explicit deposit is read back and checked file by file
    except OSError as e:
        _err(f"error: bag {dest}: cannot write{' ' + e.filename if e.filename else ''}: "
             f"{outputs.describe(e)}")
        sys.exit(1)
    except (BagProblem, ExportError) as e:
        _err(f"error: {e}")
        for problem in getattr(e, "problems", []):
            _err(f"  {problem}")
        sys.exit(1)
    _err(f"{made}: bag written and validated")


def bag_info(source_organization: str | None = None, contact_name: str | None = None,
             contact_email: str | None = None, description: str | None = None) -> dict:
    """bag-info fields from the command-line options (empty ones left out)."""
    info = {"Source-Organization": source_organization, "Contact-Name": contact_name,
            "Contact-Email": contact_email, "External-Description": description}
    return {k: v for k, v in info.items() if v}
