"""Readers: bytes of a plain-text source to a Document with roles and metadata.

A layout is chosen by evidence in the text, never by file name; an unknown layout still
converts (every block a paragraph).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Document
from . import despatch, generic, presidential, statedept
from .decode import InputError, decode
from .docdate import document_date, release_date
from .lines import split_blocks

__all__ = ["LAYOUTS", "InputError", "read_bytes", "read_path"]

LAYOUTS = {"presidential": presidential, "despatch": despatch, "state-department": statedept,
           "generic": generic}
BULLET = re.compile(r"^[-–—•*]\s+")


def read_bytes(data: bytes, name: str) -> Document:
    decoded = decode(data)
    stem = Path(name).stem
    doc = Document(stem=stem, source_name=Path(name).name, layout="generic",
                   encoding=decoded.encoding)
    doc.warnings.extend(decoded.warnings)
    doc.normalisations.extend(decoded.normalisations)
    doc.blocks = split_blocks(decoded.text)
    for layout, module in LAYOUTS.items():
        if module.detect(doc):
            doc.layout = layout
            module.parse(doc)
            break
    _drop_bullets(doc)
    doc.meta.date = document_date(doc)
    doc.meta.release_date = release_date(doc)
    return doc


def read_path(path: str | Path) -> Document:
    path = Path(path)
    return read_bytes(path.read_bytes(), path.name)


def _drop_bullets(doc: Document) -> None:
    """A stray list bullet before a salutation ("- Dear Mr. President:") is not text."""
    for block in doc.blocks:
        if block.role == "salute":
            m = BULLET.match(block.text)
            if m:
                block.text = block.text[m.end():]
                doc.normalisations.append(
                    f"The stray bullet {m.group().strip()!r} before the salutation "
                    f"(line {block.line}) was dropped."
                )
