"""Nineteenth-century diplomatic correspondence (FRUS before about 1910): a numbered
heading naming writer and addressee, the despatch number, a dateline over one or two
lines, the body, "I am, sir, your obedient servant," and the signature; enclosures
("[Inclosure in No. 123.]") are attached documents with their own heading and dateline.

    No. 123. Mr. Frelinghuysen to Mr. Young.
    No. 187.]
    Department of State,
    Washington, March 3, 1883.
    Sir: I have the honor …
    I am, sir, your obedient servant,
    FREDK. T. FRELINGHUYSEN.
"""

from __future__ import annotations

import re

from ..model import Block, Document
from . import patterns as pat
from .body import assign_body_roles

NUMBER = re.compile(r"^No\.\s*\d+[.,]?\]?$")
HEAD = re.compile(r"^(?:No\.\s*\d+\.\s+)?(?P<sender>[A-Z][^\n]{1,80}?)\s+to\s+"
                  r"(?P<recipient>[A-Z][^\n]{1,80}?)\.?$")
NUMBERED_HEAD = re.compile(r"^No\.\s*\d+\.\s+\S")
# "Sir: I have the honor", "Mr. Secretary: …", "My Lord: …": the salutation opens the body
PLACE_LINE = re.compile(r"^[A-Z][\w.’' -]{1,60},$")
RECEIVED = re.compile(r"[(\[]Received\b[^()\[\]]{0,60}[)\]]\.?$", re.IGNORECASE)
CLOSING = re.compile(r"^(?:I (?:am|have|remain)|I have the honor to be|Accept)\b.{0,120}"
                     r"(?:servant|etc|&c|consideration)\.?,?$|^I (?:am|have), (?:sir|etc)\b.{0,60}[,.]$",
                     re.IGNORECASE)


def detect(doc: Document) -> bool:
    """A heading "No. 123. Mr. A to Mr. B." (or "No. 123." above "Mr. A to Mr. B.")."""
    b = doc.blocks
    if len(b) < 3:
        return False
    first = b[0].text
    if NUMBERED_HEAD.match(first) and HEAD.match(first) and len(first) <= 160:
        return True
    return bool(NUMBER.match(first) and not first.endswith("]") and HEAD.match(b[1].text)
                and len(b[1].text) <= 160)


def dateline(text: str) -> bool:
    """"Washington, March 3, 1883.", "Legation of the United States, Peking, January 5,
    1883. (Received February 20.)", "Foreign Office, Berlin, December 29, 1882."."""
    text = RECEIVED.sub("", text).strip()
    if len(text) > 120 or not text[:1].isupper():
        return False
    dates = [m for m in pat.DATE_RE.finditer(text) if m.group("y1") or m.group("y3")]
    return bool(dates) and not text[dates[-1].end():].strip(" .,")


def parse(doc: Document) -> None:
    b = doc.blocks
    meta = doc.meta
    i = 0
    if NUMBER.match(b[0].text):
        b[0].role = "title"
        i = 1
    b[i].role = "title"
    meta.title = " ".join(x.text for x in b[: i + 1])
    m = HEAD.match(b[i].text)
    if m:
        meta.author, meta.addressee = m.group("sender").strip(), m.group("recipient").strip()
    i += 1
    i = opener(b, i, meta)
    assign_body_roles(b, i)
    _closing(b)
    for k, block in enumerate(b):
        if block.role == "attachment":
            j = k + 1
            if j < len(b) and b[j].role in ("paragraph", "title") and HEAD.match(b[j].text):
                b[j].role = "title"  # "Count Hatzfeldt to Mr. Sargent."
                j += 1
            opener(b, j, None)
    _signatures(b)
    meta.kind = "despatch"


NAME_CAPS = re.compile(r"^(?:[A-Z][A-Z’'-]*\.?|[A-Z][a-z]+\.?)(?:\s+(?:[A-Z][A-Z’'-]*\.?|[A-Z][a-z]+\.?|de|von|van)){0,5}$")


def _signed_name(text: str) -> bool:
    """"FREDK. T. FRELINGHUYSEN.", "HATZFELDT.", "John Russell Young."."""
    return len(text) <= 60 and bool(NAME_CAPS.match(text)) and any(
        len(w.strip(".")) > 2 for w in text.split())


def _signatures(b: list[Block]) -> None:
    """The name closing each part (the despatch, each enclosure): its last block."""
    ends = [k - 1 for k, x in enumerate(b) if x.role == "attachment"] + [len(b) - 1]
    for end in ends:
        k = end
        while k >= 0 and b[k].role in ("page", "note", "editorial"):
            k -= 1
        if k >= 0 and b[k].role == "paragraph" and _signed_name(b[k].text):
            b[k].role = "signature"


def opener(b: list[Block], i: int, meta) -> int:
    """Editorial notes ("[Extract.]"), the despatch number, the dateline (a place line
    ending in a comma may stand above it)."""
    while i < len(b):
        text = b[i].text
        if pat.PAGE_ALONE.match(text):
            b[i].role = "page"
        elif pat.EDITORIAL.match(text) and not pat.ATTACHMENT.match(text):
            b[i].role = "editorial"
        elif NUMBER.match(text):
            b[i].role = "despatch-number"
        elif PLACE_LINE.match(text) and i + 1 < len(b) and dateline(b[i + 1].text):
            b[i].role = b[i + 1].role = "dateline"
            _place(meta, b[i + 1].text)
            i += 1
        elif dateline(text):
            b[i].role = "dateline"
            _place(meta, text)
        elif pat.CLASSIFICATION.match(text):
            b[i].role = "classification"
        else:
            break
        i += 1
    return i


def _place(meta, text: str) -> None:
    if meta is None or meta.place:
        return
    m = next((d for d in pat.DATE_RE.finditer(text) if d.group("y1") or d.group("y3")), None)
    if m:
        place = text[: m.start()].strip(" ,")
        meta.place = place.split(",")[-1].strip() or None


def _closing(b: list[Block]) -> None:
    """"I am, sir, your obedient servant," and the name under it (often with a period:
    "FREDK. T. FRELINGHUYSEN.")."""
    for k, block in enumerate(b):
        if block.role in ("paragraph", "closing") and CLOSING.match(block.text):
            block.role = "closing"
            for nxt in b[k + 1:]:
                if nxt.role == "page":
                    continue
                if nxt.role in ("paragraph", "signature") and _signed_name(nxt.text):
                    nxt.role = "signature"
                    continue
                break
