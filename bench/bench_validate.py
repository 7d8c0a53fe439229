"""Validation speed: documents/s of RELAX NG, Schematron and both.

Usage::

    tei-edition convert /work/shared/devset seeds -o /tmp/val-tei -q
    python bench/bench_validate.py /tmp/val-tei [-n 1000] [--repeat 3]

The TEI files of the directory are parsed once and replicated (cycled) to
``-n`` documents; each measurement validates all of them on one core and
reports the best of ``--repeat`` runs.  ``validate_tree`` is measured too:
it is what ``tei-edition validate`` pays per document after parsing.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

from lxml import etree

from tei_edition.validate import _relaxng, _schematron, validate_tree


def _best(func, docs: list[etree._ElementTree], repeat: int) -> float:
    """Documents per second of ``func`` over ``docs`` (best of ``repeat``)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for doc in docs:
            func(doc)
        best = min(best, time.perf_counter() - start)
    return len(docs) / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path, nargs="?", default=Path("/tmp/val-tei"))
    parser.add_argument("-n", type=int, default=1000, help="documents (default 1000)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    files = sorted(args.directory.glob("*.xml"))
    if not files:
        print(f"no .xml files in {args.directory}", file=sys.stderr)
        return 2
    parsed = [etree.parse(str(f)) for f in files]
    docs = list(itertools.islice(itertools.cycle(parsed), args.n))

    rng, sch = _relaxng(), _schematron()
    invalid = [
        str(f) for f, t in zip(files, parsed, strict=True) if not rng.validate(t) or sch.run(t)
    ]
    if invalid:
        print(f"warning: {len(invalid)} invalid inputs, e.g. {invalid[0]}", file=sys.stderr)

    results = {
        "relaxng": _best(rng.validate, docs, args.repeat),
        "schematron": _best(sch.run, docs, args.repeat),
        "both (validate_tree)": _best(validate_tree, docs, args.repeat),
    }
    print(f"{len(docs)} documents ({len(files)} distinct) from {args.directory}")
    for name, rate in results.items():
        print(f"{name:>22}: {rate:9.0f} documents/s  ({1000 / rate:.3f} ms/document)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
