"""Text to raw blocks: one block per line, or per paragraph when the source is hard-wrapped."""

from __future__ import annotations

import statistics

from ..model import Block


def _is_hard_wrapped(lines: list[str]) -> bool:
    """True when the text looks wrapped at a fixed width (typed or OCR'd transcriptions).

    The seeds and FRUS renderings put a whole paragraph on one line; a wrapped source has
    many lines of nearly the same length and none much longer.
    """
    lengths = [len(line) for line in lines if line.strip()]
    if len(lengths) < 6:
        return False
    width = max(lengths)
    if width > 120:
        return False
    return statistics.median(lengths) >= 0.6 * width and width >= 50


def split_blocks(text: str) -> list[Block]:
    """Blocks with their 1-based source line; text stripped of surrounding whitespace only."""
    lines = text.split("\n")
    wrapped = _is_hard_wrapped(lines)
    width = max((len(line) for line in lines), default=0)
    blocks: list[Block] = []
    previous_long = False
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            previous_long = False
            continue
        if wrapped and previous_long and blocks:
            # A wrapped paragraph continues until a short line or a blank line.
            blocks[-1].text += " " + line
        else:
            blocks.append(Block(role="paragraph", text=line, line=number))
        previous_long = wrapped and len(raw.rstrip()) >= 0.75 * width
    return blocks
