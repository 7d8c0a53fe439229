"""HTML export speed on one core: the dev set (and seeds) replicated to N documents.

usage: python bench/bench_export.py [-n 1000] [--all]

Converts the sources once, copies the TEI files under new names to reach N documents,
then times the HTML export (reading TEI from disk, document pages, index and entity
pages, atomic writes).  --all also times text, JSON, CSV, corpus (export_all).
Target: >= 500 documents/s for HTML.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from tei_edition.cli import main as cli_main
from tei_edition.export.commands import export_all
from tei_edition.export.common import read_many, tei_files
from tei_edition.export.html import export_html

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
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--all", action="store_true", help="also time export_all")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        paths = corpus(tmp, args.n)
        size = sum(p.stat().st_size for p in paths)
        best = cpu = float("inf")
        for _ in range(5):
            start, start_cpu = time.perf_counter(), time.process_time()
            readings, failed = read_many(tei_files(paths))
            export_html(readings, tmp / "html")
            best = min(best, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
            assert not failed
        # CPU time too: on a shared machine the wall clock also counts other processes
        print(f"HTML export: {len(paths)} documents ({size / 1e6:.1f} MB TEI) in {best:.2f} s "
              f"= {len(paths) / best:.0f} documents/s wall, {len(paths) / cpu:.0f} "
              "documents/s CPU (best of 5, one core)")
        if args.all:
            start = time.perf_counter()
            summary = export_all(paths, tmp / "build")
            t = time.perf_counter() - start
            print(f"export_all (html, text, json, csv, corpus): {summary['documents']} "
                  f"documents in {t:.2f} s = {summary['documents'] / t:.0f} documents/s")


if __name__ == "__main__":
    main()
