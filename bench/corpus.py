"""The benchmarks' corpus: the dev sets' sources copied under new names to N documents."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def dev_sources(sets: list[Path] | None = None) -> list[Path]:
    """The *.txt of ``sets`` (default ../shared/devset and ../shared/devset2), else seeds/."""
    sets = sets or [SHARED / "devset", SHARED / "devset2"]
    return ([p for d in sets if d.is_dir() for p in sorted(d.glob("*.txt"))]
            or sorted((ROOT / "seeds").glob("*.txt")))


def replicate(sources: list[Path], dest: Path, n: int) -> list[Path]:
    """``n`` copies of ``sources``, in turn, in ``dest`` (00000_NAME.txt, …)."""
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        s = sources[i % len(sources)]
        paths.append(dest / f"{i:05d}_{s.name}")
        shutil.copyfile(s, paths[-1])
    return paths


def _workload() -> float:
    """A fixed pure-Python workload; returns its CPU seconds."""
    import re
    import time

    word = re.compile(r"[A-Z][a-z]+")
    text = "Secretary Rusk told Ambassador Dobrynin that the President would see him. " * 20
    start = time.process_time()
    total = 0
    for i in range(1_200_000):
        total += i % 7
    for _ in range(1200):
        total += sum(len(m.group()) for m in word.finditer(text))
    return time.process_time() - start


def reference_seconds() -> float:
    """CPU seconds of a fixed pure-Python workload (best of three): how fast this machine
    runs Python right now. On a shared virtual machine it varies by 2-3x from hour to
    hour; figures of two runs compare only together with it."""
    return min(_workload() for _ in range(3))


def two_process_speedup() -> float:
    """How much faster two processes run two copies of the workload than one process runs
    them in turn (best of three; 2.0 on two free cores): the ceiling of ``--jobs 2`` on
    this machine at this moment."""
    import multiprocessing
    import time
    from concurrent.futures import ProcessPoolExecutor

    def wall(fn) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        pool.submit(_noop).result()  # the workers are up before the clock starts
        one = min(wall(lambda: (_workload(), _workload())) for _ in range(3))
        two = min(wall(lambda: [f.result() for f in [pool.submit(_workload),
                                                     pool.submit(_workload)]])
                  for _ in range(3))
    return one / two


def _noop() -> None:
    return None


def reference_line() -> str:
    return (f"machine reference: {1000 * reference_seconds():.0f} ms CPU for the fixed "
            "workload of bench/corpus.py (lower is faster; compare runs with it); two "
            f"processes run two copies {two_process_speedup():.2f}x as fast as one "
            "(the ceiling of --jobs 2 here now)")
