"""End-to-end build benchmark: the dev sets replicated to N documents, stage by stage.

usage: python bench/bench_build.py [--docs 1000 10000] [--jobs 1 2] [--engine local]
                                   [--no-bag] [--profile FILE] [--keep]

The sources of ../shared/devset and ../shared/devset2 (or seeds/ when absent) are copied
under new names to N documents in a temporary folder.  Each (N, jobs) build runs in a child
process of its own, the stages that ``tei-edition build`` runs, timed one by one:

* convert+validate: both passes (corpus knowledge, then TEI per document, each validated
  by the worker that made it), files written;
* exports, and within them the index pass and each export (read, html, text, json, csv,
  corpus.xml: seconds summed over the workers; write: this process writing the files;
  the index and entity pages); the bag;
* validate alone: RELAX NG + Schematron on one core, measured apart on 300 files and
  scaled (it is part of convert+validate in the build).

Reported: documents/s per stage and end to end, and the peak RSS of the main process and of
its largest worker (ru_maxrss), and the main process's peak so far after each stage.  --profile FILE runs the first build under cProfile and
writes the top functions (own time, then cumulative) to FILE.  Absolute numbers are noisy on
a shared machine: look at the ratios and run the 10,000-document build sparingly.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import dev_sources, reference_line
from corpus import replicate as _replicate

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PEOPLE = SHARED / "authorities" / "hsg-people.jsonl"


def replicate(dest: Path, n: int) -> Path:
    src = dest / f"src-{n}"
    _replicate(dev_sources(), src, n)
    return src


def validate_seconds(paths: list[Path]) -> float:
    """Validation alone (one core, schemas loaded), to tell it apart from conversion."""
    from tei_edition.validate import validate_file

    validate_file(paths[0])
    t = time.perf_counter()
    for p in paths:
        validate_file(p)
    return time.perf_counter() - t


def child(args: argparse.Namespace) -> None:
    """One build, stage by stage, as cli.build runs it; prints a JSON line."""
    from tei_edition import outputs
    from tei_edition.cli import run_convert, sources
    from tei_edition.config import settings
    from tei_edition.engine import make_engine
    from tei_edition.export.bag import make_bag
    from tei_edition.export.commands import export_all
    out, jobs = Path(args.out), args.jobs[0]
    conf = settings(None, (str(PEOPLE),) if PEOPLE.exists() else ())
    srcs = sources((args.src,))
    times: dict[str, float] = {}
    rss: dict[str, float] = {}  # the main process's peak so far, after each stage

    def peak(stage: str) -> None:
        rss[stage] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    peak("start")
    t0 = time.perf_counter()
    with outputs.session(out) as made:
        with make_engine(args.engine, jobs) as engine:  # closed before the exports, as build
            done = run_convert(srcs, out / "tei", jobs, conf.loader(), True, made,
                               conf.disable, engine, validate=True)
        times["convert+validate"] = time.perf_counter() - t0
        peak("convert+validate")
        made.remove_stale(out / "tei", ".xml", done.tei)
        # validated in the workers during the conversion, as tei-edition build does
        invalid = sum(bool(p) for p in done.problems)
        written = done.tei
        results = done.results
        t = time.perf_counter()
        summary = export_all(written, out, jobs=jobs)
        times["exports"] = time.perf_counter() - t
        peak("exports")
    for k, v in summary.get("timings", {}).items():
        times[f"  {k}"] = v
    if not args.no_bag:
        t = time.perf_counter()
        make_bag(out, Path(args.out + "-bag"), {})
        times["bag"] = time.perf_counter() - t
        peak("bag")
    times["total"] = time.perf_counter() - t0
    sample = written[:300]
    times["validate alone (1 core)"] = validate_seconds(sample) * len(written) / len(sample)
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                 resource.RUSAGE_CHILDREN))
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    print(json.dumps({"docs": len(srcs), "failed": sum(1 for r in results if r.error),
                      "invalid": invalid, "times": times, "rss_main": me.ru_maxrss / 1024, "rss_stages": rss,
                      "rss_worker": kids.ru_maxrss / 1024, "cpu": cpu,
                      "load": os.getloadavg()[0]}))


def run(src: Path, out: Path, jobs: int, engine: str, no_bag: bool,
        profile: str | None) -> dict:
    cmd = [sys.executable]
    if profile:
        cmd += ["-m", "cProfile", "-o", profile + ".pstats"]
    cmd += [str(Path(__file__).resolve()), "--child", "--src", str(src), "--out", str(out), "--jobs", str(jobs),
            "--engine", engine] + (["--no-bag"] if no_bag else [])
    # not in the repository: its tei-edition.toml would name the person file a second time
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=out.parent)
    if res.returncode:
        sys.exit(f"build failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def report_profile(profile: str) -> None:
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(profile + ".pstats", stream=buf)
    stats.strip_dirs().sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    Path(profile).write_text(buf.getvalue())
    print(f"profile written to {profile}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, nargs="+", default=[1000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--engine", default="local", choices=["local", "dask"])
    ap.add_argument("--no-bag", action="store_true")
    ap.add_argument("--profile", help="cProfile the first build (jobs 1); top functions here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--src", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    print(reference_line())
    tmp = Path(tempfile.mkdtemp(prefix="tei-bench-build-"))
    try:
        for n in args.docs:
            src = replicate(tmp, n)
            for jobs in args.jobs:
                out = tmp / f"build-{n}-{jobs}"
                profile = args.profile if args.profile and jobs == args.jobs[0] else None
                r = run(src, out, jobs, args.engine, args.no_bag, profile)
                if profile:
                    report_profile(profile)
                t = r["times"]
                print(f"\n{r['docs']} documents, --engine {args.engine} --jobs {jobs}: "
                      f"{r['failed']} failed, {r['invalid']} invalid"
                      + ("  (under cProfile)" if profile else ""))
                for stage, secs in t.items():
                    print(f"  {stage:24} {secs:8.2f} s  {r['docs'] / max(secs, 1e-9):8.0f} "
                          "documents/s")
                print(f"  peak RSS: main {r['rss_main']:.0f} MiB, largest worker "
                      f"{r['rss_worker']:.0f} MiB; main's peak after "
                      + ", ".join(f"{k} {v:.0f}" for k, v in r["rss_stages"].items()))
                print(f"  CPU (all processes, validate-alone measure included) "
                      f"{r['cpu']:.1f} s = {r['docs'] / r['cpu']:.0f} documents per CPU second; "
                      f"load average at the end {r['load']:.1f} (2 = both cores busy)")
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(str(out) + "-bag", ignore_errors=True)
            shutil.rmtree(src)
        print(reference_line())
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    sys.exit(main())
