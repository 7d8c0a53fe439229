"""Any other text: every block a paragraph (page markers and lists still recognised)."""

from __future__ import annotations

from ..model import Document
from .body import assign_body_roles


def detect(doc: Document) -> bool:
    return True


def parse(doc: Document) -> None:
    assign_body_roles(doc.blocks, 0)
    first = doc.blocks[0].text if doc.blocks else ""
    # The first line serves as the title when it is short enough to be one.
    if len(first) <= 200 and len(first.split()) <= 30:
        doc.meta.title = first
