"""Benchmark: convert (+ validate) the dev set replicated to N documents.

usage: python bench/bench_convert.py [--docs 1000] [--devset DIR ...] [--persons FILE]
Prints documents per second for conversion on one core (both passes: the corpus pass that
gathers names, then tagging), with --jobs 2, and for validation, plus the peak memory of
this process. --devset is repeatable (default ../shared/devset and ../shared/devset2).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from corpus import dev_sources, reference_line, replicate

from tei_edition.annotate.components import Context, annotate
from tei_edition.annotate.corpus import Knowledge
from tei_edition.config import load_authorities
from tei_edition.pipeline import _GATHER_SKIPS, convert_many, gather_path
from tei_edition.read import read_bytes

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--devset", type=Path, action="append", default=[])
    ap.add_argument("--persons", type=Path, action="append", default=[])
    args = ap.parse_args()
    sources = dev_sources(args.devset)
    tmp = Path(tempfile.mkdtemp(prefix="tei-bench-"))
    try:
        paths = [str(p) for p in replicate(sources, tmp, args.docs)]
        t0 = time.perf_counter()
        auth = load_authorities(tuple(args.persons))
        load = time.perf_counter() - t0
        print(f"authorities loaded once in {load:.2f} s")

        # Entity tagging alone (persons, places, orgs), on documents read and annotated
        # otherwise, with the corpus knowledge of the sample.
        from functools import partial

        loader = partial(load_authorities, tuple(args.persons))
        knowledge = Knowledge.merge([gather_path(p, auth) for p in paths[: len(sources)]])
        docs = []
        for p in paths[: len(sources)]:
            doc = read_bytes(Path(p).read_bytes(), Path(p).name)
            annotate(doc, Context(auth), disable=_GATHER_SKIPS)
            docs.append(doc)
        t0 = time.perf_counter()
        rounds = max(1, args.docs // len(docs))
        for _ in range(rounds):
            for doc in docs:
                for block in doc.blocks:
                    block.spans = [s for s in block.spans if s.kind in ("pb", "date", "idno")]
                doc.entities.clear()
                annotate(doc, Context(auth, knowledge), disable=("pages", "file-numbers", "dates"))
        tagging = (time.perf_counter() - t0) / (rounds * len(docs))
        t0, c0 = time.perf_counter(), time.process_time()
        results = list(convert_many(paths, jobs=1, loader=lambda: auth))
        one, one_cpu = time.perf_counter() - t0, time.process_time() - c0
        # CPU time too: on a shared virtual machine the wall clock counts other tenants
        print(f"convert, 1 core:              {args.docs / one:8.0f} documents/s "
              f"({args.docs / one_cpu:.0f}/s of CPU time; both passes; entity tagging "
              f"{1000 * tagging:.2f} ms/document)")

        t0 = time.perf_counter()
        list(convert_many(paths, jobs=2, loader=loader))
        two = time.perf_counter() - t0
        print(f"convert, --jobs 2:            {args.docs / two:8.0f} documents/s "
              f"(includes loading the authorities once, shared by the forked workers)")

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
        print(reference_line())
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
