"""HTML export speed on one core: the dev set (and seeds) replicated to N documents.

usage: python bench/bench_export.py [-n 10000] [--repeat R] [--all] [--search]

Converts the sources once, copies the TEI files under new names to reach N documents,
then times the HTML export (reading TEI from disk, document pages, paginated index pages,
a page per entity, atomic writes) and reports seconds per 1,000 documents, and the
largest page that is not a document page (the index pages must stay under 500 KB).
--all also times text, JSON, CSV, corpus (export_all); --search times Pagefind's index.
Targets: < 2 s per 1,000 documents for HTML; no index page over 500 KB.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner
from corpus import reference_line

from tei_edition.cli import main as cli_main
from tei_edition.export.commands import export_all
from tei_edition.export.common import read_many, tei_files
from tei_edition.export.html import export_html, page_name

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "seeds", ROOT.parent / "shared" / "devset"]


def corpus(tmp: Path, n: int) -> list[Path]:
    tei = tmp / "base"
    srcs = [str(s) for s in SOURCES if s.is_dir()]
    result = CliRunner().invoke(cli_main, ["convert", *srcs, "-o", str(tei), "-q"])
    if result.exit_code != 0:
        sys.exit(f"conversion failed: {result.output}")
    base = sorted(tei.glob("*.xml"))
    out = tmp / "tei"
    out.mkdir()
    for i in range(n):
        src = base[i % len(base)]
        shutil.copyfile(src, out / f"{i:05d}_{src.name}")
    return sorted(out.glob("*.xml"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=None,
                    help="runs, the best counts (default: 5 below 5,000 documents, else 1)")
    ap.add_argument("--all", action="store_true", help="also time export_all")
    ap.add_argument("--search", action="store_true", help="also time the Pagefind index")
    ap.add_argument("--jobs", type=int, default=1,
                    help="processes for the document pages (the build's --jobs)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        paths = corpus(tmp, args.n)
        size = sum(p.stat().st_size for p in paths)
        best = cpu = float("inf")
        repeat = args.repeat or (5 if args.n < 5000 else 1)
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            readings, failed = read_many(tei_files(paths))
            export_html(readings, tmp / "html", jobs=args.jobs)
            best = min(best, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
            assert not failed
        # CPU time too: on a shared machine the wall clock also counts other processes
        print(f"HTML export: {len(paths)} documents ({size / 1e6:.1f} MB TEI) in {best:.2f} s "
              f"= {1000 * best / len(paths):.2f} s per 1,000 documents wall, "
              f"{1000 * cpu / len(paths):.2f} s CPU of this process (best of {repeat}, "
              f"{args.jobs} process{'es' if args.jobs > 1 else ''} for the document pages)")
        docs = {page_name(p.stem.split("_", 1)[0]) for p in paths} | {
            page_name(p.stem) for p in paths}
        others = [f for f in (tmp / "html").glob("*.html") if f.name not in docs]
        biggest = max(others, key=lambda f: f.stat().st_size)
        print(f"pages: {len(list((tmp / 'html').glob('*.html')))} files; largest index page "
              f"{biggest.name} {biggest.stat().st_size / 1000:.0f} KB "
              f"({'ok' if biggest.stat().st_size <= 500_000 else 'OVER'} the 500 KB bound)")
        print(reference_line())
        if args.search:
            from tei_edition.export.search import build_search_index

            found = build_search_index(tmp / "html", [page_name(p.stem) for p in paths],
                                       jobs=args.jobs)
            print(f"Pagefind index: {found['pages']} documents in {found['bundles']} "
                  f"bundle(s) in {found['seconds']:.1f} s")
        if args.all:
            start = time.perf_counter()
            summary = export_all(paths, tmp / "build")
            t = time.perf_counter() - start
            print(f"export_all (html, text, json, csv, corpus): {summary['documents']} "
                  f"documents in {t:.2f} s = {summary['documents'] / t:.0f} documents/s")


if __name__ == "__main__":
    main()
