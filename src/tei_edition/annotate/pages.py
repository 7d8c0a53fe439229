"""Page markers: every "[Page N]" (any case, arabic or roman) becomes a pb span."""

from __future__ import annotations

import re

from ..model import Document, Span

# The one definition of a page marker: "[Page 67]", "[Page ix]", "[page 12a]". The readers
# use it too (``read.patterns.PAGE_ALONE``), so a marker is a pb everywhere or nowhere.
PAGE = re.compile(r"\[\s*page\s+(?P<n>[0-9]+[a-z]?|[ivxlcdmIVXLCDM]+)\s*\]", re.IGNORECASE)


def annotate_pages(doc: Document) -> None:
    """The span covers the marker and one space beside it, so that
    "that, [Page 67] under" is written "that, <pb n="67"/>under"."""
    for block in doc.blocks:
        text = block.text
        taken = 0  # end of the previous marker's span: two markers never share a space
        for m in PAGE.finditer(text):
            start, end = m.start(), m.end()
            if end < len(text) and text[end] == " ":
                end += 1
            elif start > taken and text[start - 1] == " ":
                start -= 1
            taken = end
            block.spans.append(Span(start, end, "pb", {"n": m.group("n")}, priority=10))
