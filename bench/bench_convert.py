"""Benchmark: convert (+ validate) the dev set replicated to N documents.

usage: python bench/bench_convert.py [--docs 1000] [--devset ../shared/devset] [--persons FILE]
Prints documents per second for conversion on one core, with --jobs 2, and for validation,
plus the peak memory of this process.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tei_edition.annotate.dates import annotate_dates
from tei_edition.annotate.entities import annotate_entities
from tei_edition.annotate.pages import annotate_pages
from tei_edition.config import load_authorities
from tei_edition.pipeline import convert_many, convert_path
from tei_edition.read import read_bytes

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "devset")
    ap.add_argument("--persons", type=Path, action="append", default=[])
    args = ap.parse_args()
    sources = sorted(args.devset.glob("*.txt")) or sorted((ROOT / "seeds").glob("*.txt"))
    tmp = Path(tempfile.mkdtemp(prefix="tei-bench-"))
    try:
        paths = []
        for i in range(args.docs):
            src = sources[i % len(sources)]
            dst = tmp / f"{i:05d}_{src.name}"
            shutil.copy(src, dst)
            paths.append(str(dst))
        t0 = time.perf_counter()
        auth = load_authorities(tuple(args.persons))
        load = time.perf_counter() - t0
        print(f"authorities loaded once in {load:.2f} s")

        # Entity tagging alone, on documents already read and annotated otherwise.
        docs = []
        for p in paths[: len(sources)]:
            doc = read_bytes(Path(p).read_bytes(), Path(p).name)
            annotate_pages(doc)
            annotate_dates(doc)
            docs.append(doc)
        t0 = time.perf_counter()
        rounds = max(1, args.docs // len(docs))
        for _ in range(rounds):
            for doc in docs:
                for block in doc.blocks:
                    block.spans = [s for s in block.spans if s.kind in ("pb", "date")]
                doc.entities.clear()
                annotate_entities(doc, auth)
        tagging = (time.perf_counter() - t0) / (rounds * len(docs))
        t0 = time.perf_counter()
        results = [convert_path(p, auth) for p in paths]
        one = time.perf_counter() - t0
        print(f"convert, 1 core:              {args.docs / one:8.0f} documents/s "
              f"(entity tagging {1000 * tagging:.2f} ms/document)")

        t0 = time.perf_counter()
        from functools import partial
        loader = partial(load_authorities, tuple(args.persons))
        list(convert_many(paths, jobs=2, loader=loader))
        two = time.perf_counter() - t0
        print(f"convert, --jobs 2:            {args.docs / two:8.0f} documents/s "
              f"(includes loading authorities in each worker)")

        out = tmp / "out"
        out.mkdir()
        for r in results:
            (out / r.name).write_bytes(r.xml)
        from tei_edition.validate import validate_file

        validate_file(str(next(out.iterdir())))  # schemas load once, outside the timing
        t0 = time.perf_counter()
        for f in out.iterdir():
            validate_file(str(f))
        val = time.perf_counter() - t0
        print(f"validate (RNG + Schematron):  {args.docs / val:8.0f} documents/s")
        print(f"convert + validate, 1 core:   {args.docs / (one + val):8.0f} documents/s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory: {peak:.0f} MiB")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
