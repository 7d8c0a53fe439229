"""Any other text: every block a paragraph (page markers and lists still recognised)."""

from __future__ import annotations

from ..model import Document
from . import patterns as pat
from .body import assign_body_roles


def detect(doc: Document) -> bool:
    return True


def parse(doc: Document) -> None:
    assign_body_roles(doc.blocks, 0)
    # The first line serves as the title when it is short enough to be one; a bracketed
    # editorial line ("[Extract.]"), a page marker or a file reference is not a title.
    first = next((b.text for b in doc.blocks
                  if b.role not in ("page", "editorial", "note")
                  and not pat.FILE_REFERENCE.match(b.text) and not pat.DECIMAL_FILE.match(b.text)),
                 "")
    if first and len(first) <= 200 and len(first.split()) <= 30:
        doc.meta.title = first
