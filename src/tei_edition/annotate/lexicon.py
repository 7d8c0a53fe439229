"""The word lists the annotators share, each in one data file (``data/lexicon/*.txt``).

One concept, one file: ``titles.txt`` (title phrases before a name, as regular
expressions), ``title-words.txt`` (the single words of titles), ``non-names.txt``,
``demonyms.txt``, ``function-words.txt``, ``ambiguous-surnames.txt``,
``place-stoplist.txt``, ``not-initials.txt``, ``eponym-nouns.txt``,
``forename-abbreviations.txt``. Lines starting with ``#`` are comments.
"""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def entries(name: str) -> tuple[str, ...]:
    """The lines of ``data/lexicon/NAME.txt`` in file order, comments and blanks left out."""
    text = (resources.files("tei_edition") / "data" / "lexicon" / f"{name}.txt").read_text(
        encoding="utf-8")
    return tuple(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


@functools.cache
def words(name: str) -> frozenset[str]:
    return frozenset(entries(name))
