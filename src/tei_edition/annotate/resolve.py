"""Merge the spans of all annotators into a set the writer can nest.

Only ``pb`` may sit inside another span; every other pair must be disjoint. Where two
spans cross or overlap, the one with the higher priority (then the longer) stays.
"""

from __future__ import annotations

from ..model import Span

NO_PB_INSIDE = {"idno"}  # TEI gives idno text content only


def _compatible(a: Span, b: Span) -> bool:
    if a.end <= b.start or b.end <= a.start:
        return True
    if a.kind == "pb" and b.kind not in NO_PB_INSIDE | {"pb"}:
        return b.start <= a.start and a.end <= b.end
    if b.kind == "pb" and a.kind not in NO_PB_INSIDE | {"pb"}:
        return a.start <= b.start and b.end <= a.end
    return False


def _order(s: Span) -> tuple:
    return (s.start, -(s.end - s.start), s.kind != "pb")


def resolve(spans: list[Span]) -> list[Span]:
    ordered = sorted(spans, key=_order)
    # the common case, spans already disjoint (a resolved block): nothing to choose
    if all(a.end <= b.start and (a.end > a.start or a.kind == "pb")
           for a, b in zip(ordered, ordered[1:], strict=False)) and (
            not ordered or ordered[-1].end > ordered[-1].start or ordered[-1].kind == "pb"):
        return ordered
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-s.priority, -(s.end - s.start), s.start)):
        if span.end <= span.start and span.kind != "pb":
            continue
        if all(_compatible(span, other) for other in kept):
            kept.append(span)
    return sorted(kept, key=_order)


def resolve_document(doc) -> None:
    """``resolve`` every block's spans in place; entities left without a span go."""
    used: set[str] = set()
    for block in doc.blocks:
        block.spans = resolve(block.spans)
        used.update(s.entity for s in block.spans if s.entity)
    keep = used | {k for k in (doc.meta.sender, doc.meta.recipient) if k}
    for key in [k for k in doc.entities if k not in keep]:
        del doc.entities[key]
