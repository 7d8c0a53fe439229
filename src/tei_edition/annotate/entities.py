"""Persons, places and organisations as standoff spans, linked to authority records.

``annotate_entities(doc, auth)`` appends ``persName`` / ``placeName`` / ``orgName`` spans
to each block (``attrs={'ref': '#key'}``, ``entity=key``) and registers the entities in
``doc.entities``. Keys come from the authority id (``hsg-111738``, ``geo-1835841``,
``org-un``) so the same person has the same id in every file of a corpus; a person with
no authority record gets ``pers-<normalised name>``. Spans never overlap each other and
never cut through a span already on the block (a ``pb`` may sit wholly inside a name).
The text is never changed.

Places and organisations: one case-sensitive Aho-Corasick pass over the block text,
leftmost-longest, whole words only. Persons: see ``persons.py``. Where a name could be
both (``Washington``), evidence of a person (a title, a given name) wins; a multi-word
place or organisation that swallows a title (``General Assembly``) wins over the person.
"""

from __future__ import annotations

import re

from ..model import Block, Document, Entity, Span
from .authorities import Authorities, Record, default_authorities, slug
from .persons import NON_NAMES, TITLE_WORDS, Mention, PersonFinder, _nice

__all__ = ["Authorities", "annotate_entities", "default_authorities"]

KIND_ELEMENT = {"person": "persName", "place": "placeName", "org": "orgName"}
EVIDENCE_RANK = {"form": 6, "signature": 5, "participant": 5, "title": 4, "heading": 4,
                 "initials": 3, "given": 2, "surname": 1, "address": 1}


def _free(block: Block, start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    """No partial overlap with spans already on the block, none with what we took."""
    for s in block.spans:
        if s.end <= start or s.start >= end:
            continue
        if s.kind == "pb" and start <= s.start and s.end <= end:
            continue
        return False
    return all(e <= start or s >= end for s, e in taken)


def _gazetteer(text: str, auth: Authorities) -> list[tuple[int, int, str]]:
    if auth.gazetteer_automaton is None:
        return []
    hits = []
    for end, (form, keys) in auth.gazetteer_automaton.iter(text):
        start = end - len(form) + 1
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "."):
            continue
        if end + 1 < len(text) and text[end + 1].isalnum():
            continue
        hits.append((start, end + 1, keys[0]))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[tuple[int, int, str]] = []
    last = -1
    for h in hits:
        if h[0] >= last:
            out.append(h)
            last = h[1]
    return out


def annotate_entities(doc: Document, auth: Authorities | None = None) -> None:
    """Tag persons, places and organisations in every block of ``doc`` (in place)."""
    auth = auth or default_authorities()
    gaz = [_gazetteer(b.text, auth) for b in doc.blocks]
    finder = PersonFinder(doc, auth)
    cands = finder.collect()

    # persons against places/orgs: the stronger claim keeps the words
    kept: list[Mention] = []
    for m in cands:
        lose = False
        for gs, ge, _key in gaz[m.block]:
            if ge <= m.start or gs >= m.end:
                continue
            if m.evidence != "form" and gs <= m.extent_start and ge >= m.end:
                lose = True
        if not lose:
            kept.append(m)
    # the longest name wins ("U. A. Johnson" over a form "A. Johnson"), then the evidence
    kept.sort(key=lambda m: (-(m.end - m.start), -EVIDENCE_RANK[m.evidence], m.block, m.start))
    taken: dict[int, list[tuple[int, int]]] = {}
    chosen: list[Mention] = []
    for m in kept:
        t = taken.setdefault(m.block, [])
        if _free(doc.blocks[m.block], m.start, m.end, t):
            t.append((m.start, m.end))
            chosen.append(m)
    chosen.sort(key=lambda m: (m.block, m.start))
    finder.resolve(chosen)
    chosen = [m for m in chosen if m.key]
    chosen += _bare_surnames(doc, chosen, taken, gaz, auth)
    chosen += _forename_address(doc, chosen, taken, auth)

    spans: list[tuple[int, Span]] = []
    forms: dict[str, list[str]] = {}
    for m in chosen:
        spans.append((m.block, Span(m.start, m.end, "persName", {"ref": "#" + m.key}, entity=m.key)))
        forms.setdefault(m.key, []).append(m.text)
    _letters(doc, chosen, taken, spans, forms)
    for bi, hits in enumerate(gaz):
        t = taken.setdefault(bi, [])
        for s, e, key in hits:
            if _free(doc.blocks[bi], s, e, t):
                t.append((s, e))
                rec = auth.records[key]
                spans.append((bi, Span(s, e, KIND_ELEMENT[rec.kind], {"ref": "#" + key}, entity=key)))
                forms.setdefault(key, []).append(doc.blocks[bi].text[s:e])
    for bi, span in sorted(spans, key=lambda x: (x[0], x[1].start)):
        doc.blocks[bi].spans.append(span)
    for key, fs in forms.items():
        _register(doc, auth, key, fs, chosen)


def _bare_surnames(doc: Document, chosen: list[Mention], taken: dict[int, list[tuple[int, int]]],
                   gaz: list[list[tuple[int, int, str]]], auth: Authorities) -> list[Mention]:
    """A surname alone refers to the person already named by it in this document."""
    by_surname: dict[str, set[str]] = {}
    for m in chosen:
        by_surname.setdefault(m.surname, set()).add(m.key)
    wanted: dict[str, tuple[str, str]] = {}  # surface -> (surname, key)
    for sur, keys in by_surname.items():
        if len(keys) != 1 or len(sur) < 3 or sur in NON_NAMES or sur.rstrip(".") in TITLE_WORDS:
            continue
        if sur in auth.given_names or sur in auth.gazetteer_forms or not sur[:1].isupper():
            continue
        key = next(iter(keys))
        for form in (sur, sur.upper(), sur.capitalize()):
            wanted[form] = (sur, key)
    out: list[Mention] = []
    if not wanted:
        return out
    alts = "|".join(map(re.escape, sorted(wanted, key=len, reverse=True)))
    rx = re.compile(r"(?<![\w.\-])(?:" + alts + r")(?![\w\-])")
    for bi, block in enumerate(doc.blocks):
        for mt in rx.finditer(block.text):
            s, e = mt.span()
            # "Nixon Presidential Materials", "Acheson Plan": a name used as a modifier
            if re.match(r"\s+[A-Z][a-z]", block.text[e : e + 4]):
                continue
            if any(gs < e and ge > s for gs, ge, _ in gaz[bi]):
                continue
            t = taken.setdefault(bi, [])
            if _free(block, s, e, t):
                t.append((s, e))
                sur, key = wanted[mt.group()]
                out.append(Mention(bi, s, e, sur, [], "surname", key=key, text=mt.group()))
    return out


ADDRESS = re.compile(r"(?:^|[“\"‘]|\bDear )\s*(?P<n>[A-Z][a-z]{2,})\s*(?:—|–|--|:|,)", re.MULTILINE)


def _forename_address(doc: Document, chosen: list[Mention],
                      taken: dict[int, list[tuple[int, int]]], auth: Authorities) -> list[Mention]:
    """"Henry— ..." opening a quotation or a salutation: the one person of that forename."""
    by_forename: dict[str, set[str]] = {}
    for m in chosen:
        rec = auth.records.get(m.key or "")
        given = rec.forenames if rec is not None else m.given
        if given and len(given[0].rstrip(".")) > 1:
            by_forename.setdefault(given[0], set()).add(m.key)
    out: list[Mention] = []
    if not any(len(keys) == 1 for keys in by_forename.values()):
        return out
    for bi, block in enumerate(doc.blocks):
        for mt in ADDRESS.finditer(block.text):
            keys = by_forename.get(mt.group("n"), set())
            s, e = mt.span("n")
            t = taken.setdefault(bi, [])
            if len(keys) == 1 and _free(block, s, e, t):
                t.append((s, e))
                out.append(Mention(bi, s, e, "", [mt.group("n")], "address",
                                   key=next(iter(keys)), text=mt.group("n")))
    return out


LETTER_START = re.compile(r"^\W*+Letter\b")
FROM_WORD = re.compile(r"\b[Ff]rom\b")
TO_WORD = re.compile(r"\bto\b")


def letter_title(title: str) -> tuple[int, bool] | None:
    """"Letter [from X] to Y": (where Y starts, whether a sender is named before it).

    Three linear searches; the one regex this replaced took minutes on "Letter from from…"."""
    m = LETTER_START.match(title)
    if not m:
        return None
    sender = FROM_WORD.search(title, m.end())
    if sender:
        to = TO_WORD.search(title, sender.end())
        if to:
            return to.end(), True
    to = TO_WORD.search(title, m.end())
    return (to.end(), False) if to else None
MR_PRESIDENT = re.compile(r"\bMr\. President\b")


def _letters(doc: Document, chosen: list[Mention], taken: dict[int, list[tuple[int, int]]],
             spans: list[tuple[int, Span]], forms: dict[str, list[str]]) -> None:
    """correspDesc keys for letters; "Mr. President" addressing a president recipient."""
    title_i = next((i for i, b in enumerate(doc.blocks) if b.role == "title"), None)
    if title_i is None:
        return
    title = doc.blocks[title_i].text
    m = letter_title(title)
    if not m and doc.meta.kind != "letter":
        return
    in_title = [c for c in chosen if c.block == title_i]
    recipient = sender = None
    if m:
        to_at, named_sender = m
        after = [c for c in in_title if c.start >= to_at]
        before = [c for c in in_title if c.start < to_at]
        recipient = after[0] if after else None
        sender = before[0] if (before and named_sender) else None
    if sender is None:
        for role in ("author-line", "signature"):
            sender = next((c for c in chosen if doc.blocks[c.block].role == role), None)
            if sender:
                break
    if sender is not None and doc.meta.sender is None:
        doc.meta.sender = sender.key
    if recipient is not None and doc.meta.recipient is None:
        doc.meta.recipient = recipient.key
    if recipient is None or "President" not in title[max(0, recipient.start - 12) : recipient.start]:
        return
    for bi, block in enumerate(doc.blocks):
        if block.role not in ("salute", "paragraph", "list-item", "closing"):
            continue
        for mt in MR_PRESIDENT.finditer(block.text):
            t = taken.setdefault(bi, [])
            if _free(block, mt.start(), mt.end(), t):
                t.append(mt.span())
                spans.append((bi, Span(mt.start(), mt.end(), "persName",
                                       {"ref": "#" + recipient.key}, entity=recipient.key)))
                forms.setdefault(recipient.key, []).append(mt.group())


def _register(doc: Document, auth: Authorities, key: str, surface: list[str],
              chosen: list[Mention]) -> None:
    ent = doc.entities.get(key)
    if ent is None:
        rec: Record | None = auth.records.get(key)
        if rec is not None:
            ent = Entity(key=key, kind=rec.kind, name=rec.name, type=rec.type,
                         idnos=list(rec.idnos), note=rec.note,
                         birth=str(rec.birth) if rec.birth is not None else None,
                         death=str(rec.death) if rec.death is not None else None)
        else:
            names = [_nice(m.text) for m in chosen if m.key == key]
            best = max(names, key=lambda n: (len(n.split()), len(n))) if names else key
            ent = Entity(key=key, kind="person", name=best)
        doc.entities[key] = ent
    for f in surface:
        f = " ".join(f.split())
        if f not in ent.forms:
            ent.forms.append(f)


def entity_key(name: str) -> str:
    """The key an unlinked person of this name gets (for callers building entities)."""
    return "pers-" + slug(_nice(name))


