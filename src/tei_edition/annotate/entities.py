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

import functools
import re

from ..model import Block, Document, Entity, Span
from . import lexicon
from .authorities import Authorities, Record, default_authorities, fold, slug
from .corpus import Knowledge, NameEvidence, short_forms
from .persons import (
    AMBIGUOUS,
    CALENDAR,
    FUNCTION_WORDS,
    NON_NAMES,
    PARTICLE,
    PARTICLES,
    PLAIN_NAME_WORD,
    TITLE_WORDS,
    Mention,
    PersonFinder,
    _doc_year,
    _nice,
    _of_the_time,
)

__all__ = ["Authorities", "Knowledge", "annotate_entities", "default_authorities", "gather_names"]

KIND_ELEMENT = {"person": "persName", "place": "placeName", "org": "orgName"}
EVIDENCE_RANK = {"form": 6, "signature": 5, "participant": 5, "title": 4, "heading": 4,
                 "initials": 3, "speaker": 3, "given": 2, "surname": 1, "address": 1}


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
    """Gazetteer hits of a block, leftmost-longest (memoised: persons, places and orgs,
    and both passes over a corpus, ask for the same block)."""
    return list(_gazetteer_hits(text, auth))


@functools.lru_cache(maxsize=8192)
def _gazetteer_hits(text: str, auth: Authorities) -> tuple[tuple[int, int, str], ...]:
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
    return tuple(out)


def _persons(doc: Document, auth: Authorities, knowledge: Knowledge | None):
    """Person mentions with keys, the offsets they took per block, the gazetteer hits.

    The candidates do not depend on the corpus knowledge, only their keys do: the first
    pass leaves them in ``doc.scratch`` and the second resolves them again."""
    cached = doc.scratch.get("person-candidates")
    if cached is None:
        cached = doc.scratch["person-candidates"] = _candidates(doc, auth)
    chosen, taken, gaz, finder = cached
    finder.knowledge = knowledge
    taken = {bi: list(t) for bi, t in taken.items()}
    finder.resolve(chosen)
    return [m for m in chosen if m.key], taken, gaz, finder


def _candidates(doc: Document, auth: Authorities):
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
    return chosen, taken, gaz, finder


def gather_names(doc: Document, auth: Authorities | None = None) -> NameEvidence:
    """The corpus pass: the persons this document names with more than a bare surname."""
    auth = auth or default_authorities()
    chosen, _taken, _gaz, finder = _persons(doc, auth, None)
    evidence = NameEvidence(lower_words=frozenset(finder.lower_words))
    for m in chosen:
        if m.evidence not in ("surname", "address") and m.surname:
            evidence.add(m.surname, m.given, m.key)
    return evidence


def annotate_entities(doc: Document, auth: Authorities | None = None,
                      knowledge: Knowledge | None = None) -> None:
    """Persons, then places and organisations, in every block of ``doc`` (in place)."""
    auth = auth or default_authorities()
    annotate_persons(doc, auth, knowledge)
    annotate_gazetteer(doc, auth, "place")
    annotate_gazetteer(doc, auth, "org")


def annotate_persons(doc: Document, auth: Authorities | None = None,
                     knowledge: Knowledge | None = None) -> None:
    """Tag persons in every block of ``doc`` and register them in ``doc.entities``.

    ``knowledge`` is what the corpus pass gathered from every document of the batch
    (``gather_names``); without it the document is its own corpus."""
    auth = auth or default_authorities()
    if knowledge is None:
        knowledge = Knowledge.merge([gather_names(doc, auth)])
    chosen, taken, gaz, finder = _persons(doc, auth, knowledge)
    chosen += _bare_surnames(doc, chosen, taken, gaz, auth, knowledge, finder)
    chosen += _forename_address(doc, chosen, taken, auth)

    spans: list[tuple[int, Span]] = []
    forms: dict[str, list[str]] = {}
    for m in chosen:
        if not m.key:  # a person, but which one the evidence does not say
            spans.append((m.block, Span(m.start, m.end, "persName")))
            continue
        spans.append((m.block, Span(m.start, m.end, "persName", {"ref": "#" + m.key}, entity=m.key)))
        forms.setdefault(m.key, []).append(m.text)
    _letters(doc, chosen, taken, spans, forms)
    for bi, span in sorted(spans, key=lambda x: (x[0], x[1].start)):
        doc.blocks[bi].spans.append(span)
    for key, fs in forms.items():
        _register(doc, auth, key, fs, chosen)


def annotate_gazetteer(doc: Document, auth: Authorities | None = None, kind: str = "place") -> None:
    """Tag the gazetteer's places (``kind="place"``) or organisations (``"org"``) where the
    words are not already another span's."""
    auth = auth or default_authorities()
    year = _doc_year(doc) if kind == "place" else None
    forms: dict[str, list[str]] = {}
    for block in doc.blocks:
        added: list[tuple[int, int]] = []
        for s, e, key in _gazetteer(block.text, auth):
            rec = auth.records[key]
            if rec.kind != kind or not _free(block, s, e, added):
                continue
            added.append((s, e))
            key = auth.place_at(key, year) if kind == "place" else key
            if key is None:  # a place, but which state of its history the date does not say
                block.spans.append(Span(s, e, KIND_ELEMENT[kind]))
                continue
            block.spans.append(Span(s, e, KIND_ELEMENT[kind], {"ref": "#" + key}, entity=key))
            forms.setdefault(key, []).append(block.text[s:e])
    for key, fs in forms.items():
        _register(doc, auth, key, fs, [])


# A surname alone, with the particles that belong to it.
_P1 = "".join(sorted({c for p in PARTICLES for c in (p[0], p[0].upper())}))  # cheap filter
BARE = re.compile(
    rf"(?<![\w.\-’'])(?:(?<![^ (])(?=[{_P1}]){PARTICLE}\s+)?(?=[A-Z])"
    rf"{PLAIN_NAME_WORD}(?:\s+(?=[{_P1}]){PARTICLE}\s+{PLAIN_NAME_WORD})?(?![\w\-])"
)
# Words after a bare surname that show it is used as a person's name.
_AUX = "also|then|again|further|later|now|still|once|himself|herself|strongly|firmly|" \
    "flatly|quickly|only|had|has|would|will|could|did"
SPEECH = re.compile(
    rf"^(?:[’']s\b|,?\s+(?:(?:{_AUX})\s+)?(?:{'|'.join(lexicon.entries('speech-verbs'))})\b)"
)
_NOT_BARE = NON_NAMES | FUNCTION_WORDS | TITLE_WORDS
_MODIFIER = re.compile(
    rf"\s+(?:[A-Z](?:[a-z]|\b)|(?:{'|'.join(lexicon.entries('eponym-nouns'))})\b)")
_PARTICLE_AT = re.compile(rf" (?={PARTICLE} )")


def _bare_forms(mt: re.Match) -> list[tuple[int, int, str]]:
    """The surname a BARE match may be: all of it ("Couve de Murville"), else the part
    from its particle ("Later de Gaulle" -> "de Gaulle")."""
    s, e = mt.span()
    sur = mt.group()
    forms = [(s, e, sur)]
    if " " not in sur:
        return forms
    cut = _PARTICLE_AT.search(sur, 1)
    if cut:
        forms.append((s + cut.end(), e, sur[cut.end():]))
    return forms


_SENTENCE_END = re.compile(r"(?:^|[.!?:;“\"\[—]|\n)\s*$")  # an en dash joins: "Kennedy–Ikeda"
_ARTICLE_BEFORE = re.compile(r"\b(?:the|a|an|its|our|their|The|A|An)\s+$")
_WORD_BEFORE = re.compile(r"([A-Z][\w’'.-]*)\s+$")


def _bare_surnames(doc: Document, chosen: list[Mention], taken: dict[int, list[tuple[int, int]]],
                   gaz: list[list[tuple[int, int, str]]], auth: Authorities,
                   knowledge: Knowledge, finder: PersonFinder) -> list[Mention]:
    """A surname alone, where the document, the corpus or the authority file knows it.

    In order of the evidence: a person already named by it in this document; the persons
    the corpus names by it (linked when there is one); a surname of the authority file
    used as a name in context (linked when one record of it lived at the time). A word
    the corpus also writes in lower case, a given name, a place or a word of the
    lexicons is no bare surname."""
    by_surname: dict[str, set[str]] = {}
    for m in chosen:
        by_surname.setdefault(fold(m.surname), set()).add(m.key)
    lower = (finder.lower_words, knowledge.lower_words)
    people = knowledge.people
    out: list[Mention] = []
    # A word -> None where it is no surname, else its folded form and whether the corpus
    # or the authority file knows a person of it (what does not change within the loop).
    seen: dict[str, tuple[str, bool] | None] = {}
    for bi, block in enumerate(doc.blocks):
        text = block.text
        for mt in BARE.finditer(text):
            if block.role == "paragraph" and mt.start() == 0 and text[mt.end() : mt.end() + 1] == ":":
                continue  # a speaker label the person finder did not take
            for s, e, sur in _bare_forms(mt):
                try:
                    word = seen[sur]
                except KeyError:
                    word = seen[sur] = _surname_word(sur, people, auth)
                if word is None:
                    continue
                fsur, known = word
                if not (known or fsur in by_surname):
                    continue  # nobody of this name anywhere: no need to look closer
                after = text[e : e + 24]
                # "Nixon Presidential Materials", "Acheson Plan", "Mace B", "Kennan plan":
                # a modifier of the name of a thing
                if _MODIFIER.match(after):
                    break
                if any(gs < e and ge > s for gs, ge, _ in gaz[bi]):
                    break
                key = _bare_key(doc, sur, text, s, after, by_surname, knowledge, auth, lower,
                                finder)
                if key is None:
                    continue
                t = taken.setdefault(bi, [])
                if _free(block, s, e, t):
                    t.append((s, e))
                    out.append(Mention(bi, s, e, sur, [], "surname", key=key, text=sur))
                    if key:  # "Couve de Murville" found bare: "Couve" is the same person
                        for f in (fold(sur), *short_forms(fold(sur))):
                            by_surname.setdefault(f, {key})
                break
    return out


def _surname_word(sur: str, people: dict, auth: Authorities) -> tuple[str, bool] | None:
    """None where ``sur`` is no surname (one letter, a word of the lexicons), else its
    folded form and whether the corpus (``people``) or the authority file knows a person
    of it (not asked of two letters: "Yi" alone stands only for a person named in full)."""
    if len(sur) < 2 or sur in _NOT_BARE:
        return None
    fsur = fold(sur)
    return fsur, len(sur) > 2 and bool(fsur in people or auth.surname_candidates(sur))


def _bare_key(doc: Document, sur: str, text: str, s: int, after: str,
              by_surname: dict[str, set[str]], knowledge: Knowledge, auth: Authorities,
              lower: tuple[set[str], frozenset[str]], finder: PersonFinder) -> str | None:
    """The key for a bare surname; "" tags a person without a link; None: no person."""
    fsur = fold(sur)
    if sur in auth.gazetteer_forms:
        return None
    here = by_surname.get(fsur, set())
    if here:
        if len(sur) == 2 and any(fsur in words for words in lower):
            return None  # "An" where the text also writes "an": an article, not An Ho-sang
        return next(iter(here)) if len(here) == 1 else ""
    before = text[max(0, s - 40) : s]
    if _ARTICLE_BEFORE.search(before):
        return None  # "the Park", "a Marshall plan": a thing, not a person
    initial = _SENTENCE_END.search(before) is not None
    prev = _WORD_BEFORE.search(before)
    if not initial and prev and prev.group(1) not in FUNCTION_WORDS | CALENDAR:
        return None  # the tail of a longer name or phrase we do not know
    low = sur.lower()
    common = (any(fsur in words or low in words for words in lower)
              or sur in auth.common_given_names)
    # a capitalised word opening a sentence, no verb of saying after it: no sign of a name
    opening = initial and not SPEECH.match(after)
    keys = knowledge.keys_for(sur)
    if keys:  # the corpus names a person so: enough, unless the word is common and opens
        if common and opening:
            return None
        return next(iter(keys)) if len(keys) == 1 else ""
    if common or opening:
        return None
    recs = [r for r in auth.surname_candidates(sur) if _of_the_time(r, finder.year)]
    if not recs:
        return None
    if len(recs) == 1 and sur not in AMBIGUOUS:
        return recs[0].key
    return ""


# A forename spoken or written to: opening a line, a quotation or a salutation, after a
# speaker's label ("Kennedy: Alex, could I ..."), or set off by commas ("Let me say, Alex,
# that ...").
ADDRESS = re.compile(r"(?:^(?:[A-Z][\w’'.-]*:\s+)?|[“\"‘]|\bDear |, )\s*(?P<n>[A-Z][a-z]{2,})"
                     r"\s*(?:—|–|--|:|,|\?|!)", re.MULTILINE)


def _called(name: str, forename: str) -> bool:
    """Whether a person of ``forename`` may be called ``name``: "Alexis" is "Alex"."""
    return name == forename or (len(name) >= 4 and forename.startswith(name))


def _forename_address(doc: Document, chosen: list[Mention],
                      taken: dict[int, list[tuple[int, int]]], auth: Authorities) -> list[Mention]:
    """A forename addressed (see ADDRESS): the one person of the document it can call.

    Any of a person's forenames counts ("U. Alexis Johnson" is "Alexis"), and a
    shortening of it ("Alex")."""
    by_forename: dict[str, set[str]] = {}
    for m in chosen:
        rec = auth.records.get(m.key or "")
        for f in rec.forenames if rec is not None else m.given:
            if len(f.rstrip(".")) > 1:
                by_forename.setdefault(f, set()).add(m.key)
    out: list[Mention] = []
    stems = {f[:4] for f in by_forename}  # what any name calling one of them starts with
    for bi, block in enumerate(doc.blocks):
        if not any(st in block.text for st in stems):
            continue
        for mt in ADDRESS.finditer(block.text):
            n = mt.group("n")
            keys = {k for f, ks in by_forename.items() if _called(n, f) for k in ks}
            s, e = mt.span("n")
            t = taken.setdefault(bi, [])
            if len(keys) == 1 and _free(block, s, e, t):
                t.append((s, e))
                out.append(Mention(bi, s, e, "", [n], "address", key=next(iter(keys)), text=n))
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


