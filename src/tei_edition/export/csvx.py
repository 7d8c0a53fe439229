"""CSV indexes: one row per mention (persons.csv, places.csv, orgs.csv, dates.csv)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..pipeline import write_atomic
from .common import Entry, Mention, Reading, authority_ids, merged_entries
from .store import Corpus

FILES = {"person": "persons.csv", "place": "places.csv", "org": "orgs.csv"}
ENTITY_COLUMNS = ["document", "type", "surface", "ref", "authority_ids", "page", "name",
                  "start", "end"]
DATE_COLUMNS = ["document", "type", "surface", "value", "page", "start", "end"]


def _file_of(kind: str) -> str:
    return "dates.csv" if kind == "date" else FILES[kind]


def csv_rows(stem: str, mentions: Iterable[Mention], index: dict[str, Entry]
             ) -> Iterator[tuple[str, list]]:
    """(file name, row) for each of the mentions of the document ``stem``, in text order."""
    for m in mentions:
        if m.kind == "date":
            yield "dates.csv", [stem, "date", m.surface, m.value, m.page or "", m.start,
                                m.end]
            continue
        entry = index.get(m.target) if m.target else None
        yield FILES[m.kind], [stem, m.kind, m.surface, m.ref, authority_ids(entry),
                              m.page or "", entry.label if entry else "", m.start, m.end]


def csv_tables(readings: list[Reading]) -> dict[str, str]:
    """File name -> CSV text; documents in the order given, mentions in text order."""
    index = merged_entries(readings)
    rows: dict[str, list[list]] = {name: [] for name in [*FILES.values(), "dates.csv"]}
    for r in readings:
        for name, row in csv_rows(r.stem, r.mentions, index):
            rows[name].append(row)
    tables = {}
    for name, body in rows.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(DATE_COLUMNS if name == "dates.csv" else ENTITY_COLUMNS)
        w.writerows(body)
        tables[name] = buf.getvalue()
    return tables


def export_csv(readings: list[Reading], out: Path) -> list[Path]:
    written = []
    for name, data in csv_tables(readings).items():
        write_atomic(out / name, data.encode("utf-8"))
        written.append(out / name)
    return written


def write_csv(corpus: Corpus, out: Path) -> list[Path]:
    """``export_csv`` a row at a time, the mentions read back from the corpus's store: each
    file streamed on its own (outputs.stream_file: the session's checks, a write error one
    line naming the file), the same bytes."""
    from ..outputs import stream_file

    written = []
    for name in [*FILES.values(), "dates.csv"]:
        with stream_file(out / name, text=True) as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(DATE_COLUMNS if name == "dates.csv" else ENTITY_COLUMNS)
            kinds = [k for k in (*FILES, "date") if _file_of(k) == name]
            for r, mentions in corpus.documents(kinds):  # this file's kinds only
                w.writerows(row for _name, row in csv_rows(r.stem, mentions, corpus.index))
        written.append(out / name)
    return written
