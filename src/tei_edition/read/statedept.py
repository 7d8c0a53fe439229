"""State Department documents (FRUS style): file number or source note, heading,
classification, dateline, subject, participants, body, signature."""

from __future__ import annotations

import re

from ..model import Block, Document
from . import patterns as pat
from .body import assign_body_roles

BY_WORD = re.compile(r"\bby\b")
PARENS = re.compile(r"\((?P<name>[^()]+)\)")
PARENS_TO = re.compile(r"\((?P<name>[^()]+)\)\s++to\b")


def heading_author(title: str) -> str | None:
    """"Memorandum by the Director … (Johnson)", "The Consul General … (McConaughy) to …".

    Linear searches (one regex with two lazy scans was quadratic on "by by by …")."""
    if title.startswith("The") and title[3:4].isspace():
        m = PARENS_TO.search(title, 5)
        if m:
            return m.group("name").strip()
    by = BY_WORD.search(title)
    m = PARENS.search(title, by.end()) if by else None
    return m.group("name").strip() if m else None
KINDS = (
    ("telegram", re.compile(r"telegram|^the .+ to the secretary of state$", re.IGNORECASE)),
    ("memorandum of conversation", re.compile(r"^memorandum of (?:telephone )?conversation", re.IGNORECASE)),
    ("memorandum", re.compile(r"^memorandum", re.IGNORECASE)),
    ("letter", re.compile(r"^letter\b", re.IGNORECASE)),
    ("message", re.compile(r"message", re.IGNORECASE)),
    ("address", re.compile(r"^(?:address|remarks|statement)", re.IGNORECASE)),
    ("paper", re.compile(r"paper|report|study|estimate", re.IGNORECASE)),
)


def _is_lead_line(text: str) -> str | None:
    if pat.DECIMAL_FILE.match(text) or (len(text) < 60 and pat.FILE_NUMBER.match(text)
                                        and not pat.dateline_match(text)):
        return "file-number"
    if len(text) < 80 and pat.FILE_REFERENCE.match(text):
        return "file-number"
    if pat.SOURCE_NOTE.match(text):
        return "source-note"
    return None


def detect(doc: Document) -> bool:
    b = _after_editorial(doc.blocks, 0)
    if not b:
        return False
    if _is_lead_line(b[0].text):
        return True
    head = b[:8]
    marks = sum(
        1
        for x in head
        if pat.CLASSIFICATION.match(x.text) or pat.SUBJECT.match(x.text)
        or pat.PARTICIPANTS.match(x.text) or pat.dateline_match(x.text)
    )
    return marks >= 2


def parse(doc: Document) -> None:
    b = doc.blocks
    meta = doc.meta
    i = 0
    leads = 0
    while i < len(b) and leads < 3:
        if pat.PAGE_ALONE.match(b[i].text) or _editorial(b[i].text):
            # The heading is never a page marker or a bracketed editorial line ("[Extract.]").
            b[i].role = "page" if pat.PAGE_ALONE.match(b[i].text) else "editorial"
            i += 1
            continue
        role = _is_lead_line(b[i].text)
        if not role:
            break
        b[i].role = role
        if role == "file-number":
            m = pat.FILE_NUMBER.match(b[i].text) or pat.FILE_REFERENCE.match(b[i].text)
            meta.file_number = (m.group("number") if m else b[i].text).strip()
        else:
            meta.source_note = b[i].text
        i += 1
        leads += 1
    if (i + 1 < len(b) and len(b[i].text) <= 400
            and not (pat.CLASSIFICATION.match(b[i].text) or pat.dateline_match(b[i].text))):
        b[i].role = "title"
        meta.title = b[i].text
        i += 1
    i = _opener(doc, i)
    assign_body_roles(b, i)
    title = meta.title or ""
    meta.kind = next((kind for kind, rx in KINDS if rx.search(title)), "document")
    if meta.file_number and "telegram" in b[0].text.lower():
        meta.kind = "telegram"
    author = heading_author(title)
    if author:
        meta.author = author
    if not meta.file_number and meta.source_note:
        # "Source: ... Central Files, 611.93/9–1255.": the file number, evidence for the date
        found = pat.FILE_NUMBER_IN_NOTE.search(meta.source_note)
        if found:
            meta.file_number = found.group()


def _editorial(text: str) -> bool:
    return bool(pat.EDITORIAL.match(text)) and not pat.ATTACHMENT.match(text) and len(text) < 120


def _after_editorial(blocks: list, i: int) -> list:
    while i < len(blocks) and _editorial(blocks[i].text):
        i += 1
    return blocks[i:]


def _opener(doc: Document, i: int) -> int:
    """Classification, dateline, subject and participants before the first paragraph."""
    b = doc.blocks
    meta = doc.meta
    in_participants = False
    while i < len(b):
        text = b[i].text
        if pat.PAGE_ALONE.match(text):
            b[i].role = "page"
        elif _editorial(text) and not in_participants:
            b[i].role = "editorial"  # "[Extract]" between heading and dateline
        elif pat.CLASSIFICATION.match(text) and meta.classification is None:
            b[i].role = "classification"
            meta.classification = text
            in_participants = False
        elif pat.dateline_match(text) and not any(x.role == "dateline" for x in b[:i]):
            b[i].role = "dateline"
            m = pat.dateline_match(text)
            place = text[: m.start()].strip(" ,[]")
            meta.place = place or None
            in_participants = False
        elif pat.SUBJECT.match(text):
            b[i].role = "subject"
            in_participants = False
        elif pat.SUBJECT_ALONE.match(text) and i + 1 < len(b) and len(b[i + 1].text) < 200:
            b[i].role = "subject"
            b[i + 1].role = "subject"
            i += 1
            in_participants = False
        elif pat.PARTICIPANTS.match(text) or pat.PARTICIPANTS_ALONE.match(text):
            b[i].role = "participants"
            in_participants = True
        elif in_participants and _participant_line(text):
            b[i].role = "participant"
            names = participant_pair(text)
            if names:  # two columns of a typeset list on one line: one item each
                b[i:i + 1] = [Block(role="participant", text=name, line=b[i].line)
                              for name in names]
                i += len(names) - 1
        elif (skip := _lines_before_marker(b, i)) is not None:
            i = skip  # "USDEL/MC/11", "NATO MINISTERIAL MEETING": stay paragraphs
            continue
        else:
            break
        i += 1
    return i


def participant_pair(text: str) -> list[str] | None:
    """"General Bradley Admiral Lalor" -> ["General Bradley", "Admiral Lalor"]: two names,
    each opened by a title, on one line; None for one name ("Under Secretary of State
    Katzenbach", "German Foreign Minister von Brentano")."""
    if "," in text or ";" in text:
        return None
    words = text.split()
    if len(words) < 4 or words[0] not in pat.TITLE_WORDS:
        return None
    cuts = [k for k in range(2, len(words) - 1)
            if words[k] in pat.TITLE_WORDS and words[k - 1] not in pat.TITLE_WORDS
            and words[k - 1][:1].isupper() and words[k - 1] not in ("of", "the")]
    if len(cuts) != 1:
        return None
    k = cuts[0]
    first = " ".join(words[:k])
    at = text.index(" " + words[k], len(first) - 1)
    return [text[:at].strip(), text[at:].strip()]


def _lines_before_marker(b: list, i: int) -> int | None:
    """Up to three short lines (a conference name, a serial) before SUBJECT or
    PARTICIPANTS: the index of that marker, else None."""
    for j in range(i, min(i + 4, len(b))):
        text = b[j].text
        if j > i and (pat.SUBJECT.match(text) or pat.SUBJECT_ALONE.match(text)
                      or pat.PARTICIPANTS.match(text) or pat.PARTICIPANTS_ALONE.match(text)):
            return j
        if len(text) > 60 or text.endswith((".", ":", ";")) or pat.PAGE_ALONE.match(text):
            return None
    return None


def _participant_line(text: str) -> bool:
    """'Mr. D. Rusk, Assistant Secretary of State', 'General Bradley Admiral Lalor'."""
    if len(text) > 120 or pat.EDITORIAL.match(text) or ":" in text:
        return False
    words = text.split()
    return bool(words) and words[0][:1].isupper() and not (text.endswith(".") and len(words) > 10)
