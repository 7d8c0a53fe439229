"""Roles for the body of a document, common to every layout: pages, lists, closers, notes."""

from __future__ import annotations

from ..model import Block
from . import patterns as pat


def assign_body_roles(blocks: list[Block], start: int) -> None:
    """Give roles to ``blocks[start:]``, which hold the body of a document."""
    split_inline_points(blocks, start)
    body = blocks[start:]
    started = False
    for block in body:
        text = block.text
        if not started and pat.SALUTE.match(text):
            block.role = "salute"
        elif pat.PAGE_ALONE.match(text):
            block.role = "page"
        elif pat.ATTACHMENT.match(text):
            block.role = "attachment"
        elif pat.EDITORIAL.match(text):
            block.role = "editorial"
        elif pat.NOTE.match(text):
            block.role = "note"
        elif pat.CLOSING.match(text):
            block.role = "closing"
        else:
            block.role = "paragraph"
        started = started or block.role == "paragraph"
    _mark_lists(body)
    _mark_signature(body)
    _mark_subheadings(body)
    for k, block in enumerate(body):
        if block.role == "attachment":
            _attachment_top(body, k + 1)


def _attachment_top(body: list[Block], i: int) -> None:
    """An attached document opens with its own heading, dateline and classification."""
    if i < len(body) and body[i].role == "paragraph" and _heading_like(body[i].text):
        body[i].role = "title"
        i += 1
    while i < len(body) and body[i].role in ("paragraph", "editorial"):
        if pat.dateline_match(body[i].text):
            body[i].role = "dateline"
        elif pat.CLASSIFICATION.match(body[i].text):
            body[i].role = "classification"
        else:
            break
        i += 1


def _heading_like(text: str) -> bool:
    return (len(text) <= 200 and not text.endswith((".", ":", ";"))
            and not pat.dateline_match(text) and not pat.CLASSIFICATION.match(text))


def _mark_lists(body: list[Block]) -> None:
    """Runs of two or more blocks numbered 1., 2., 3. ... are a list; a lone number is not."""
    i = 0
    while i < len(body):
        m = pat.NUMBERED.match(body[i].text)
        if not (m and body[i].role == "paragraph" and int(m.group("n")) == 1):
            i += 1
            continue
        run = [i]
        j, expect = i + 1, 2
        while j < len(body):
            if body[j].role == "page":
                j += 1
                continue
            m2 = pat.NUMBERED.match(body[j].text)
            if not (m2 and body[j].role == "paragraph" and int(m2.group("n")) == expect):
                break
            run.append(j)
            expect += 1
            j += 1
        if len(run) >= 2:
            for k in run:
                body[k].role = "list-item"
                body[k].n = pat.NUMBERED.match(body[k].text).group("n")
        i = j if len(run) >= 2 else i + 1


def _mark_signature(body: list[Block]) -> None:
    """The name standing alone after a closing, or as the last block of the text."""
    content = [b for b in body if b.role not in ("page", "note", "editorial")]
    if len(content) < 2:
        return
    closing = next((k for k, b in enumerate(content) if b.role == "closing"), None)
    if closing is not None:
        for block in content[closing + 1 :]:
            if pat.looks_like_name(block.text, max_words=6):
                block.role = "signature"
            else:
                break
        return
    last = content[-1]
    if pat.looks_like_name(last.text, max_words=4) and last.role == "paragraph":
        last.role = "signature"


def inline_points(text: str) -> list[int]:
    """Where the numbered points of a paragraph start ("… these points: 1. Violent …
    2. Communists …"): 1, 2, 3 … in order, at least two after a colon, at least three
    from the start of the paragraph; else []."""
    starts: list[int] = []
    expect = 1
    for m in pat.INLINE_POINT.finditer(text):
        if int(m.group("n")) != expect:
            continue
        at = m.start("n")
        if expect == 1 and not (at == 0 or text[:at].rstrip().endswith(":")):
            continue
        starts.append(at)
        expect += 1
    # At the start of a paragraph "1." may begin a numbered paragraph that merely mentions
    # "point 2." later: three points in a row are asked for there.
    return starts if len(starts) >= (3 if starts and starts[0] == 0 else 2) else []


def split_inline_points(blocks: list[Block], start: int) -> None:
    """A paragraph holding numbered points becomes its lead-in and one block per point
    (then marked as a list); the text is cut only at the spaces before the numbers."""
    i = start
    while i < len(blocks):
        block = blocks[i]
        starts = inline_points(block.text) if block.role == "paragraph" else []
        if not starts:
            i += 1
            continue
        cuts = ([0] if starts[0] > 0 else []) + starts + [len(block.text)]
        pieces = [block.text[a:b].strip() for a, b in zip(cuts, cuts[1:], strict=False)]
        blocks[i:i + 1] = [Block(role="paragraph", text=piece, line=block.line)
                           for piece in pieces if piece]
        i += len(pieces)


def _mark_subheadings(body: list[Block]) -> None:
    """A short line between paragraphs that does not end like a sentence ("Blockade",
    "Employment of Chinese Nationalists", "recommendations"): a heading of a section."""
    content = [k for k, b in enumerate(body) if b.role not in ("page", "note", "editorial")]
    for pos, k in enumerate(content[1:-1], start=1):
        block = body[k]
        before, after = body[content[pos - 1]], body[content[pos + 1]]
        if (block.role == "paragraph" and _subheading_like(block.text)
                and _substantial(before) and _substantial(after)):
            block.role = "subheading"


def _substantial(block: Block) -> bool:
    """Body text around a sub-heading: a list item or a paragraph of some length."""
    return block.role == "list-item" or (block.role == "paragraph" and len(block.text) > 80)


def _subheading_like(text: str) -> bool:
    words = text.split()
    return (len(text) <= 60 and 1 <= len(words) <= 8 and text[0].isalpha()
            and not text.endswith((".", ",", ":", ";", "?", "!", "”", '"', ")", "—", "–", "-"))
            and ":" not in text  # "Johnson: No, no—" is a speaker's line
            and not pat.CLASSIFICATION.match(text) and not pat.dateline_match(text)
            and not pat.SUBJECT_ALONE.match(text) and not pat.PARTICIPANTS_ALONE.match(text)
            and not any(ch.isdigit() for ch in text))
