"""Presidential papers: author line, date line, title, [release note], salutation, body."""

from __future__ import annotations

import re

from ..model import Document
from . import patterns as pat
from .body import assign_body_roles

RELEASE = re.compile(r"^\[(?:Released|Dated)\b.*\]$")
ADDRESSEE = re.compile(
    r"^(?:Letter|Message|Telegram|Memorandum|Note|Cable)\s+to\s+(?P<to>.+?)"
    r"(?:,|\s+(?:of|on|concerning|regarding|about|in|transmitting)\s|$)"
)


def detect(doc: Document) -> bool:
    """An author's name on the first line and a full date alone on the second."""
    b = doc.blocks
    if len(b) < 3:
        return False
    return pat.looks_like_name(b[0].text) and pat.dateline_match(b[1].text) is not None and (
        not pat.dateline_match(b[1].text).start()
    )


def parse(doc: Document) -> None:
    b = doc.blocks
    b[0].role, b[1].role, b[2].role = "author-line", "date-line", "title"
    meta = doc.meta
    meta.author = b[0].text
    meta.title = b[2].text
    i = 3
    if i < len(b) and RELEASE.match(b[i].text):
        b[i].role = "release-note"
        meta.release_note = b[i].text.strip("[]")
        i += 1
    if i < len(b) and pat.SALUTE.match(b[i].text):
        b[i].role = "salute"
        i += 1
    assign_body_roles(b, i)
    first = meta.title.split()[0].lower()
    meta.kind = {"letter": "letter", "message": "message", "telegram": "telegram",
                 "memorandum": "memorandum", "statement": "statement", "address": "address",
                 "remarks": "remarks"}.get(first, "document")
    if any(x.role == "salute" for x in b) and meta.kind == "document":
        meta.kind = "letter"
    m = ADDRESSEE.match(meta.title)
    if m:
        meta.addressee = m.group("to").strip()
