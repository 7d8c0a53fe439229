"""What a corpus knows about its people, gathered before any document is tagged.

A batch is tagged in two passes. The first (``gather``) reads every document and keeps
only its *name evidence*: each person named with more than a bare surname (a full name,
a titled name, a signature, a participant line, an authority form) as ``(surname, given
names, key)``. ``Knowledge.merge`` folds the evidence of all documents into one index.
The second pass tags each document with that index, so that

* a bare surname ("Gorbachev") named in full anywhere in the corpus is tagged, and linked
  when the corpus knows one person of that name;
* an unlinked partial name ("Mr. Rusk", "B. Kitain") takes the id of the one fuller name
  it fits ("Dean Rusk", "Burton Kitain"), so one person has one id across the corpus.

The index is a set union: it does not depend on the order of the files, and the same
evidence always gives the same ids. Evidence and knowledge are plain data (picklable),
so the two passes can run in worker processes or on any distributed engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import lexicon
from .authorities import fold


def consistent_given(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Given names or initials of two mentions may be the same person's ("B." / "Burton")."""
    for x, y in zip(a, b, strict=False):
        x, y = fold(x).rstrip("."), fold(y).rstrip(".")
        if not (x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))):
            return False
    return True


@dataclass
class NameEvidence:
    """One document's persons: folded surname -> {entity key: given names seen}."""

    people: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # words the document writes in lower case: a capitalised one of them is no name
    lower_words: frozenset[str] = frozenset()

    def add(self, surname: str, given: list[str] | tuple[str, ...], key: str) -> None:
        fs = fold(surname)
        for short in short_forms(fs):
            self._add(short, given, key)
        self._add(fs, given, key)

    def _add(self, fs: str, given: list[str] | tuple[str, ...], key: str) -> None:
        keys = self.people.setdefault(fs, {})
        old = keys.get(key, ())
        if len(given) > len(old) or (len(given) == len(old) and tuple(given) < old):
            keys[key] = tuple(given)
        else:
            keys.setdefault(key, old)


@dataclass
class Knowledge:
    """The merged name evidence of a corpus (see the module docstring)."""

    people: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)  # unlinked key -> the key it joins
    lower_words: frozenset[str] = frozenset()

    @classmethod
    def merge(cls, evidence: Iterable[NameEvidence | None]) -> Knowledge:
        people: dict[str, dict[str, tuple[str, ...]]] = {}
        lower: set[str] = set()
        for ev in evidence:
            if ev is None:
                continue
            lower |= ev.lower_words
            for sur, keys in ev.people.items():
                into = people.setdefault(sur, {})
                for key, given in keys.items():
                    old = into.get(key)
                    if old is None or len(given) > len(old) or (
                        len(given) == len(old) and given < old
                    ):
                        into[key] = given
        self = cls(people=people, lower_words=frozenset(lower))
        for sur, keys in people.items():
            for key, given in keys.items():
                if key.startswith("pers-"):
                    target = self._fuller(sur, key, given)
                    if target:
                        self.alias[key] = target
        return self

    def _fuller(self, sur: str, key: str, given: tuple[str, ...]) -> str | None:
        """The one other key of this surname that ``given`` fits, preferring a linked one."""
        others = [(k, g) for k, g in self.people[sur].items() if k != key and consistent_given(given, g)]
        linked = [k for k, _ in others if not k.startswith("pers-")]
        if len(linked) == 1:
            return linked[0]
        if linked:
            return None
        fuller = [k for k, g in others if _fullness(g) > _fullness(given)]
        return fuller[0] if len(fuller) == 1 and len(others) == 1 else None

    def canonical(self, key: str) -> str:
        seen = {key}
        while key in self.alias and self.alias[key] not in seen:
            key = self.alias[key]
            seen.add(key)
        return key

    def keys_for(self, surname: str, given: list[str] | tuple[str, ...] = ()) -> set[str]:
        """The canonical keys of the persons of this surname whose given names fit."""
        keys = self.people.get(fold(surname), {})
        return {self.canonical(k) for k, g in keys.items() if consistent_given(tuple(given), g)}


_PARTICLES = lexicon.words("particles")


def short_forms(fs: str) -> list[str]:
    """A compound surname is also written short: "Couve de Murville" -> "couve",
    "von Brentano" -> "brentano"."""
    toks = fs.split()
    out = []
    if len(toks) >= 3 and toks[1] in _PARTICLES:
        out.append(toks[0])
    if len(toks) >= 2 and toks[0] in _PARTICLES:
        out.append(" ".join(toks[1:]))
    return out


def _fullness(given: tuple[str, ...]) -> tuple[int, int]:
    return (len(given), sum(len(g) for g in given))
