"""The annotators as named pipeline components, registered in one place (spaCy style).

Each component has a name, what it needs (components that must run before it), what it
adds (span kinds or metadata) and one function ``(doc, ctx) -> None`` that adds spans and
never edits text. ``PIPELINE`` declares the order; ``annotate(doc, ctx, disable=...)``
runs it. A component may be disabled by name (``--disable persons``, ``disable = [...]``
in tei-edition.toml); the components that need it then run on what there is.

Page markers are transparent to the text annotators: once ``pages`` has run, the others
see each block with its ``[Page N]`` markers taken out (``PageView``), so "Dean [Page 68]
Rusk" is one name and "June 2, [Page 69] 1951" one date. Their spans are mapped back to
the source offsets, where the ``pb`` sits inside the name or date.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..model import Block, Document
from .authorities import Authorities, default_authorities
from .corpus import Knowledge


@dataclass
class Context:
    """What components share: authorities, the corpus knowledge, per-document scratch."""

    authorities: Authorities | None = None
    knowledge: Knowledge | None = None
    scratch: dict = field(default_factory=dict)

    @property
    def auth(self) -> Authorities:
        if self.authorities is None:
            self.authorities = default_authorities()
        return self.authorities


@dataclass(frozen=True)
class Component:
    name: str
    func: Callable[[Document, Context], None]
    needs: tuple[str, ...] = ()
    adds: tuple[str, ...] = ()
    sees_pages: bool = False  # False: runs on the PageView (markers taken out)
    doc: str = ""


REGISTRY: dict[str, Component] = {}


def component(name: str, needs: Iterable[str] = (), adds: Iterable[str] = (),
              sees_pages: bool = False):
    """Register ``func`` as the component ``name``."""

    def register(func: Callable[[Document, Context], None]):
        REGISTRY[name] = Component(name, func, tuple(needs), tuple(adds), sees_pages,
                                   (func.__doc__ or "").strip().split("\n")[0])
        return func

    return register


# The declared order. Every name here is registered by ``_register_all``.
PIPELINE = ("pages", "file-numbers", "dates", "persons", "places", "orgs", "resolve")


def check_names(names: Iterable[str]) -> list[str]:
    """Names that are not components (for a clear usage error)."""
    _register_all()
    return [n for n in names if n not in REGISTRY]


def annotate(doc: Document, ctx: Context | None = None, disable: Iterable[str] = ()) -> None:
    """Run the pipeline over ``doc`` in the declared order, skipping ``disable``."""
    _register_all()
    ctx = ctx or Context()
    off = set(disable)
    view: PageView | None = None
    for name in PIPELINE:
        comp = REGISTRY[name]
        if name in off:
            continue
        if comp.sees_pages:
            if view is not None:
                view.merge_back()
                view = None
            comp.func(doc, ctx)
        else:
            if view is None:
                view = PageView(doc)
            comp.func(view.doc, ctx)
    if view is not None:
        view.merge_back()


class PageView:
    """``doc`` with the text of ``pb`` spans taken out of each block, offsets mapped."""

    def __init__(self, doc: Document) -> None:
        self.source = doc
        self.maps: dict[int, tuple[Block, list[int], int]] = {}
        blocks: list[Block] = []
        for i, block in enumerate(doc.blocks):
            pbs = [s for s in block.spans if s.kind == "pb"]
            if not pbs:
                blocks.append(block)
                continue
            pbs.sort(key=lambda s: s.start)
            keep: list[int] = []  # view offset -> source offset
            pieces: list[str] = []
            cut = 0
            for s in pbs:
                if s.start > cut:
                    keep.extend(range(cut, s.start))
                    pieces.append(block.text[cut : s.start])
                cut = max(cut, s.end)
            keep.extend(range(cut, len(block.text)))
            pieces.append(block.text[cut:])
            text = "".join(pieces)
            view = Block(block.role, text, block.line, block.n)
            for s in block.spans:
                if s.kind != "pb":
                    a = bisect.bisect_left(keep, s.start)
                    b = bisect.bisect_left(keep, s.end)
                    view.spans.append(dataclasses.replace(s, start=a, end=b))
            self.maps[i] = (view, keep, len(view.spans))
            blocks.append(view)
        self.doc = dataclasses.replace(doc, blocks=blocks)

    def merge_back(self) -> None:
        for i, (view, keep, seen) in self.maps.items():
            source = self.source.blocks[i]
            for s in view.spans[seen:]:
                start = keep[s.start] if s.start < len(keep) else len(source.text)
                end = keep[s.end - 1] + 1 if s.end > 0 else start
                source.spans.append(dataclasses.replace(s, start=start, end=end))
            self.maps[i] = (view, keep, len(view.spans))
        self.source.meta = self.doc.meta


_registered = False


def _register_all() -> None:
    """Import the modules that register components (once)."""
    global _registered
    if not _registered:
        from . import builtin  # noqa: F401

        _registered = True


def describe() -> list[Component]:
    _register_all()
    return [REGISTRY[n] for n in PIPELINE]
