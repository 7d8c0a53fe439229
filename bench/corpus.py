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
