"""File numbers: the decimal file number of a State Department document as an idno span."""

from __future__ import annotations

from ..model import Document, Span


def annotate_file_numbers(doc: Document) -> None:
    number = doc.meta.file_number
    if not number:
        return
    for block in doc.blocks:
        if block.role == "file-number":
            start = block.text.find(number)
            if start >= 0:
                block.spans.append(Span(start, start + len(number), "idno", {"type": "file"},
                                        priority=5))
            return
