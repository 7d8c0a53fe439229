"""Invariants over generated text: every word survives, output is always valid TEI."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import text_words, words
from tei_edition.annotate.corpus import Knowledge
from tei_edition.pipeline import convert_document, gather_document
from tei_edition.read import InputError

# Lines built from pieces that exercise the readers: headings, datelines, classification,
# page markers, numbered points, salutations, closings, markup-like text, any Unicode.
PIECES = st.sampled_from([
    "795.00/1–1251", "CA Files: Lot 56 D 625", "top secret", "[Washington,] February 1, 1951.",
    "Subject: A matter.", "Participants:", "Mr. D. Rusk, Assistant Secretary", "[Page 67]",
    "[page xii]", "1. First point.", "2. Second point.", "- Dear Mr. President:", "Sincerely,",
    "DWIGHT D. EISENHOWER", "Note: an editorial note.", "[Here follows a discussion.]",
    "June 2", "6:40 p. m., February 1, 1951", "<script>alert(1)</script>", "a & b ]]> c",
    "Dwight D. Eisenhower", "June 07, 1953", "[Attachment]", "Memorandum by Somebody", "[Released June 7, 1953. Dated June 6, 1953]",
    "Secretary of State Dean Rusk", "Rusk said", "Dean [Page 68] Rusk", "June 2, [Page 69] 1951",
    "General de Gaulle", "Couve de Murville", "Couve warned", "Kim Tae-chung", "Stans: Yes,",
    "A. Restoration of the line.", "B. Prisoners.", "Russia", "China", "the Red Cross",
    # layouts and structures of issue 8
    "No. 123. Mr. Frelinghuysen to Mr. Young.", "No. 187.]", "Department of State,",
    "Washington, March 3, 1883.", "I am, sir, your obedient servant,", "FREDK. T. FRELINGHUYSEN.",
    "[Inclosure in No. 123.]", "Paris Peace Conf. 183.9 Persia/3: Telegram", "[Extract.]",
    "SUBJECT", "PARTICIPANTS", "General Bradley Admiral Lalor", "1) A point.", "(2) Another.",
    "these points: 1. First one. 2. Second one. 3. Third.", "Blockade",
    "Teheran, November 15, 1918. [Received January 24, 1919.]",
    "Source: Central Files, 611.93/9–1255. Secret.",
    "Yi Hu-rak", "Yi is competent.", "An agreement.", "Erhard FedRep’s", "LaGuardia",
])
FREE = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=40,
)
LINE = st.lists(st.one_of(PIECES, FREE), min_size=1, max_size=4).map(" ".join)
SOURCE = st.lists(st.one_of(PIECES, LINE, st.just("")), min_size=1, max_size=15).map("\n".join)


def _convert(text: str):
    try:
        _, xml = convert_document(text.encode("utf-8"), "generated.txt")
    except InputError:
        assert not any(ch.isalnum() for ch in text)
        return None
    return etree.fromstring(xml)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCE)
def test_every_word_survives_in_order(text):
    root = _convert(text)
    if root is not None:
        assert text_words(root) == words(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCE)
def test_output_is_valid_against_project_schema(text):
    from tei_edition.validate import validate_tree

    root = _convert(text)
    if root is not None:
        problems = validate_tree(etree.ElementTree(root))
        assert not problems, [str(p) for p in problems]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SOURCE, SOURCE)
def test_corpus_knowledge_keeps_every_word_and_validity(a, b):
    """Tagged with what a second document knows, a document loses no word and stays valid."""
    from tei_edition.validate import validate_tree

    evidence = []
    for text in (a, b):
        try:
            evidence.append(gather_document(text.encode("utf-8"), "g.txt"))
        except InputError:
            return
    try:
        _, xml = convert_document(a.encode("utf-8"), "g.txt", knowledge=Knowledge.merge(evidence))
    except InputError:
        return
    root = etree.fromstring(xml)
    assert text_words(root) == words(a)
    assert not validate_tree(etree.ElementTree(root))


# --- the corpus store answers as grouping the mentions in memory would ----------------------

_KINDS = ("person", "place", "org", "date")
_MENTION = st.tuples(st.sampled_from(_KINDS), st.sampled_from([None, "p1", "p2", "pl1", "gone"]),
                     st.sampled_from(["Rusk", "Dean Rusk", "Korea", "Smith", "1950"]),
                     st.sampled_from([None, "1", "67"]))
_DOC = st.tuples(st.sampled_from([None, "1950-01-01", "1951-06-30", "1951-06-30T10:00:00"]),
                 st.lists(_MENTION, max_size=6))


@settings(max_examples=120, deadline=None)
@given(st.lists(_DOC, max_size=8), st.integers(1, 3))
def test_corpus_store_groups_as_in_memory(docs, cap):
    """Whatever the documents, their dates and mentions: the store's hits, counts and first
    documents are those of grouping the readings in memory by entry (or by words, for a
    name not linked to an entry of its kind), documents in date order, mentions in text
    order."""
    from pathlib import Path

    from tei_edition.export.common import Entry, Mention, Meta, Reading
    from tei_edition.export.store import Corpus

    index = {"p1": Entry("p1", "person"), "p2": Entry("p2", "person"),
             "pl1": Entry("pl1", "place")}
    readings = [Reading(path=Path(f"d{i}.xml"), meta=Meta(stem=f"d{i}", id=f"d{i}", when=when),
                        entries={}, blocks=[], text="", pages=[],
                        mentions=[Mention(n, kind, f"#{t}" if t else "", t, "", s, n, n + 1, p)
                                  for n, (kind, t, s, p) in enumerate(ms, 1)])
                for i, (when, ms) in enumerate(docs)]
    ordered = sorted(readings, key=lambda r: r.meta.sort_key)

    def grouped(kind):
        by_entry, unlinked = {}, {}
        for r in ordered:
            for m in r.mentions:
                if m.kind != kind:
                    continue
                e = index.get(m.target) if m.target else None
                hits = (by_entry.setdefault(m.target, {}) if e is not None and e.kind == kind
                        else unlinked.setdefault(m.surface, {}))
                hits.setdefault(r.stem, []).append((m.anchor, m.surface, m.page))
        return by_entry, unlinked

    def shown(hits):
        return {h.reading.stem: [(m.anchor, m.surface, m.page) for m in h.mentions]
                for h in hits}, [h.reading.stem for h in hits]

    with Corpus.of(readings, index) as c:
        assert [r.stem for r in c.ordered()] == [r.stem for r in ordered]
        for kind in ("person", "place", "org"):
            by_entry, unlinked = grouped(kind)
            summaries = c.summaries(kind, cap)
            assert set(summaries) == set(by_entry)
            for entry, hits in by_entry.items():
                assert shown(c.hits(kind, entry)) == (hits, list(hits))
                s = summaries[entry]
                assert (s.mentions, s.documents, [r.stem for r in s.first]) == (
                    sum(map(len, hits.values())), len(hits), list(hits)[:cap])
            assert {k: (u.mentions, u.documents) for k, u in c.unlinked(kind).items()} == {
                k: (sum(map(len, h.values())), len(h)) for k, h in unlinked.items()}
            for surface, hits in unlinked.items():
                got, stems = shown(c.hits(kind, surface=surface, documents=cap))
                assert stems == list(hits)[:cap] and all(got[d] == hits[d] for d in stems)
        counts = {}
        for r in readings:
            for m in r.mentions:
                counts[m.kind] = counts.get(m.kind, 0) + 1
        assert c.counts() == counts
