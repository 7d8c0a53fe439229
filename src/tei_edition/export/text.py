"""Plain-text export: the reading text, blocks separated by blank lines."""

from __future__ import annotations

from pathlib import Path

from ..pipeline import write_atomic
from .common import Reading, render_text


def text_of_reading(reading: Reading, page_markers: bool = False) -> str:
    """The reading text; ``[Page N]`` markers where the TEI has a pb, on request."""
    if not page_markers:
        return reading.text
    return render_text(reading.blocks, page_markers=True)


def export_text(readings: list[Reading], out: Path, page_markers: bool = False) -> list[Path]:
    written = []
    for r in readings:
        target = out / f"{r.stem}.txt"
        write_atomic(target, text_of_reading(r, page_markers).encode("utf-8"))
        written.append(target)
    return written
