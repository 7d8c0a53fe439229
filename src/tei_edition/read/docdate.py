"""The date a document was written, from the best evidence the text gives.

Order of evidence: the dateline; "Dated ..." in a release note; the date line under the
author; a date in the heading; a short line before the first paragraph that carries a full
date ("Telephone conversation, 6:40 p. m., February 1, 1951."); the State Department
decimal file number (less certain). No evidence, no date.
"""

from __future__ import annotations

import re

from ..annotate.dates import file_number_date, find_dates, full_date
from ..model import DateValue, Document
from . import patterns as pat

DATED = re.compile(r"\bDated\b\s*(?P<rest>.*)", re.IGNORECASE)
RELEASED = re.compile(r"\bReleased\b\s*(?P<rest>.*)", re.IGNORECASE)


def _with(value: DateValue | None, evidence: str, cert: str = "high") -> DateValue | None:
    if value is not None:
        value.evidence, value.cert = evidence, cert
    return value


def document_date(doc: Document) -> DateValue | None:
    blocks = doc.blocks
    by_role = {}
    datelines = []
    for block in blocks:
        if block.role == "attachment":  # what follows is another document's evidence
            break
        by_role.setdefault(block.role, block)
        if block.role == "dateline":  # a place line ("Department of State,") may come first
            datelines.append(block)
    candidates = []
    dated = next((full_date(d.text) for d in datelines if full_date(d.text)), None)
    if dated is not None:
        candidates.append(_with(dated, "dateline"))
    if doc.meta.release_note:
        m = DATED.search(doc.meta.release_note)
        if m:
            candidates.append(_with(full_date(m.group("rest")), "release-note"))
    if "date-line" in by_role:
        candidates.append(_with(full_date(by_role["date-line"].text), "date-line"))
    if doc.meta.title:
        candidates.append(_with(full_date(doc.meta.title), "heading"))
    candidates.append(_opening_line_date(doc))
    file_date = file_number_date(doc.meta.file_number) if doc.meta.file_number else None
    chosen = next((c for c in candidates if c is not None), None)
    if chosen is None:
        return file_date
    if file_date and file_date.when and chosen.when:
        chosen.file_agrees = file_date.when == chosen.when[:10]
    return chosen


_LEAD_ROLES = ("file-number", "source-note", "page", "editorial", "note", "classification",
               "release-note", "author-line", "date-line")


def _opening_line_date(doc: Document) -> DateValue | None:
    """A short line before the first paragraph that holds one full date.

    The heading may be long ("Memorandum From the Assistant Secretary of State for … to
    …"): the scan goes past it, and stops at the first long paragraph after it."""
    heading_seen = False
    for block in doc.blocks:
        if block.role == "attachment":
            return None
        if block.role in _LEAD_ROLES:
            continue
        first_content = not heading_seen
        heading_seen = True
        if block.role == "title" or (first_content and block.role == "paragraph"
                                     and len(block.text) <= 400 and not _sentence(block.text)):
            continue
        if block.role == "paragraph" and len(block.text) > 100:
            return None
        if block.role in ("paragraph", "subject") and len(block.text) <= 100:
            if block.role == "paragraph" and pat.dateline_match(block.text):
                value = full_date(block.text)
                if value is not None:
                    return _with(value, "dateline")
            matches = [m for m in find_dates(block.text) if m.has_year and "when" in m.attrs]
            if len(matches) == 1:
                m = matches[0]
                return DateValue(when=m.attrs["when"], text=block.text[m.start:m.end],
                                 evidence="text", cert="medium")
    return None


def _sentence(text: str) -> bool:
    """Body text rather than a heading: ends like a sentence and runs long."""
    return text.endswith((".", "?", "!", ":")) and len(text.split()) > 25


def release_date(doc: Document) -> DateValue | None:
    if not doc.meta.release_note:
        return None
    m = RELEASED.search(doc.meta.release_note)
    if not m:
        return None
    return _with(full_date(m.group("rest").split(".")[0]), "release-note")
