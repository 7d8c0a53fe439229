"""The documents of an edition as the pages and tables over all of it need them.

The index pages, the page of each entity, the CSV indexes and the figures of a build look
at every mention of the corpus at once.  Kept as objects, the mentions of 10,000 documents
are some 400,000 of them, and the memory of a build grew with the corpus (about 9 KB a
document).  Here each document's header stays in memory (a *slim* reading: meta and path,
no text, no mentions) and its mentions go into a table of SQLite (Python's own
``sqlite3``) in a private temporary database: SQLite keeps a few megabytes of it in memory,
the rest in a file that it deletes when the connection closes.  What a page needs is asked
for when the page is made: one entity's mentions, the counts of each entry.

The same class serves ``tei-edition export`` (all readings in memory already) and the
build's document-at-a-time export, so both make the same pages from the same code.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .common import Entry, ExportError, Mention, Meta, Reading

_FIELDS = ("n", "kind", "ref", "target", "value", "surface", "start", "end", "page")
_COLUMNS = ", ".join(f'"{f}"' for f in _FIELDS)


@dataclass(frozen=True)
class Hit:
    """One document's mentions of a name, as an entity page lists them."""

    reading: Reading
    mentions: list[Mention]


@dataclass(frozen=True)
class Summary:
    """How often a name is mentioned: mentions, documents, the first documents (date
    order) up to the number asked for."""

    mentions: int
    documents: int
    first: list[Reading]


class StoreError(ExportError):
    """The store cannot be written (its temporary folder is full or cannot be written)."""

    def __init__(self, error: sqlite3.Error) -> None:
        super().__init__(
            f"cannot keep the mentions of the corpus in a temporary database in "
            f"{temp_folder()}: {error}; set TMPDIR to a folder with room")


def temp_folder() -> str:
    """Where SQLite makes its temporary databases: on Unix the first usable of
    $SQLITE_TMPDIR, $TMPDIR, /var/tmp, /usr/tmp and /tmp (elsewhere the system's)."""
    if os.name != "posix":
        return tempfile.gettempdir()
    for folder in (os.environ.get("SQLITE_TMPDIR"), os.environ.get("TMPDIR"), "/var/tmp",
                   "/usr/tmp", "/tmp"):
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return "."


@contextlib.contextmanager
def _guarded() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as e:
        raise StoreError(e) from None


def _rows(cursor: sqlite3.Cursor) -> Iterator[tuple]:
    with _guarded():  # a step may need room too (a sort)
        yield from cursor


def header(path: Path, meta: Meta) -> Reading:
    """What the pages over the corpus keep of a document in memory: a reading with its
    path and metadata only."""
    return Reading(path=path, meta=meta, entries={}, blocks=[], mentions=[], text="",
                   pages=[])


def slim(r: Reading) -> Reading:
    """The header of a full reading."""
    return header(r.path, r.meta)


class Corpus:
    """The headers of the documents and, in SQLite, every mention of them.

    ``index`` is the merged index of the corpus: a mention whose @ref resolves to an entry
    of its own kind is that entry's; any other person, place or organisation is an
    unlinked name, grouped by its words (as the index pages show them).  ``ordered``: the
    headers of all the documents to be added, in date order; each is then added with
    :meth:`add`, in file order."""

    def __init__(self, index: dict[str, Entry], ordered: list[Reading]) -> None:
        self.index = index
        self.readings: list[Reading] = []  # file order, as added
        self._ordered = ordered
        self._rank = {id(r): i for i, r in enumerate(ordered)}
        with _guarded():
            self._db = sqlite3.connect("")  # private, on disk, deleted on close
            self._db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                "CREATE TABLE m (doc INTEGER, rank INTEGER, entry TEXT, n INTEGER, kind TEXT,"
                ' ref TEXT, target TEXT, value TEXT, surface TEXT, start INTEGER,'
                ' "end" INTEGER, page TEXT)')
        self._indexed = False
        self._rows: list[tuple] = []  # not inserted yet

    @classmethod
    def of(cls, readings: Iterable[Reading], index: dict[str, Entry]) -> Corpus:
        """The corpus of readings already in memory."""
        readings = list(readings)
        headers = [slim(r) for r in readings]
        corpus = cls(index, sorted(headers, key=lambda r: r.meta.sort_key))
        for r, header in zip(readings, headers, strict=True):
            corpus.add(r, header)
        return corpus

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def __len__(self) -> int:
        return len(self.readings)

    def add(self, reading: Reading, header: Reading) -> None:
        """Keep ``header`` (one of ``ordered``) and store the mentions of ``reading``."""
        doc = len(self.readings)
        rank = self._rank[id(header)]
        self.readings.append(header)
        index = self.index
        for m in reading.mentions:
            entry = index.get(m.target) if m.target else None
            self._rows.append((doc, rank, m.target if entry is not None and entry.kind == m.kind
                               else None, m.n, m.kind, m.ref, m.target, m.value, m.surface,
                               m.start, m.end, m.page))
        if len(self._rows) >= 10_000:  # a few documents' rows at a time: fewer calls
            self._flush()

    def _flush(self) -> None:
        with _guarded():
            self._db.executemany(
                f"INSERT INTO m VALUES (?, ?, ?, {', '.join('?' * len(_FIELDS))})", self._rows)
        self._rows.clear()

    # --- the whole corpus ------------------------------------------------------------------

    def ordered(self) -> list[Reading]:
        """The headers in date order (undated last, then by file name)."""
        return self._ordered

    def _query(self, sql: str, args: tuple = ()) -> Iterator[tuple]:
        if self._rows:
            self._flush()
        with _guarded():
            if not self._indexed:  # made once, after the inserts: faster than kept up
                self._db.executescript("CREATE INDEX m_entry ON m (kind, entry, rank, n);"
                                       "CREATE INDEX m_surface ON m (kind, surface, rank, n) "
                                       "WHERE entry IS NULL")
                self._indexed = True
            cursor = self._db.execute(sql, args)
        return _rows(cursor)

    def counts(self) -> dict[str, int]:
        """Mentions by kind."""
        return dict(self._query("SELECT kind, count(*) FROM m GROUP BY kind ORDER BY kind"))

    def documents(self, kinds: Iterable[str] | None = None
                  ) -> Iterator[tuple[Reading, list[Mention]]]:
        """Each header in file order with its document's mentions in text order (those of
        ``kinds``, default all)."""
        if kinds is None:
            rows = self._query(f"SELECT doc, {_COLUMNS} FROM m ORDER BY rowid")
        else:
            kinds = list(kinds)  # NOT INDEXED: the table in rowid order, nothing to sort
            rows = self._query(f"SELECT doc, {_COLUMNS} FROM m NOT INDEXED WHERE kind IN "
                               f"({', '.join('?' * len(kinds))}) ORDER BY rowid", tuple(kinds))
        row = next(rows, None)
        for doc, r in enumerate(self.readings):
            mentions = []
            while row is not None and row[0] == doc:
                mentions.append(Mention(*row[1:]))
                row = next(rows, None)
            yield r, mentions

    # --- one kind of entity ----------------------------------------------------------------

    def summaries(self, kind: str, first: int) -> dict[str, Summary]:
        """Each entry of ``kind`` that is mentioned: its counts and first documents."""
        counts = self._query("SELECT entry, count(*), count(DISTINCT rank) FROM m "
                             "WHERE kind = ? AND entry IS NOT NULL GROUP BY entry", (kind,))
        found = {entry: Summary(n, d, []) for entry, n, d in counts}
        ordered = self._ordered
        for entry, rank in self._query("SELECT DISTINCT entry, rank FROM m WHERE kind = ? "
                                       "AND entry IS NOT NULL ORDER BY entry, rank", (kind,)):
            docs = found[entry].first
            if len(docs) < first:
                docs.append(ordered[rank])
        return found

    def unlinked(self, kind: str) -> dict[str, Summary]:
        """The names of ``kind`` not linked to the index, each with its counts."""
        rows = self._query("SELECT surface, count(*), count(DISTINCT rank) FROM m "
                           "WHERE kind = ? AND entry IS NULL GROUP BY surface", (kind,))
        return {s: Summary(n, d, []) for s, n, d in rows}

    def hits(self, kind: str, entry: str | None = None, surface: str | None = None,
             documents: int | None = None) -> list[Hit]:
        """The mentions of one entry (or, with ``surface``, of one unlinked name), by
        document in date order, the first ``documents`` of them (default: all); each
        mention with what a page lists of it: its number (the anchor), words and page."""
        if entry is not None:
            rows = self._query("SELECT rank, n, surface, page FROM m WHERE kind = ? AND "
                               "entry = ? ORDER BY rank, n", (kind, entry))
        else:
            rows = self._query("SELECT rank, n, surface, page FROM m WHERE kind = ? AND "
                               "surface = ? AND entry IS NULL ORDER BY rank, n",
                               (kind, surface))
        ordered = self._ordered
        hits = [Hit(ordered[rank], [Mention(n, kind, "", None, "", text, 0, 0, page)
                                    for _rank, n, text, page in group])
                for rank, group in itertools.islice(
                    itertools.groupby(rows, key=operator.itemgetter(0)), documents)]
        return hits
