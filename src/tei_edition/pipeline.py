"""One document, bytes in, bytes out: read -> annotate -> write. Pure, so a corpus can be
spread over processes (``convert_many``) and later over any distributed engine."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .annotate.dates import annotate_dates
from .annotate.entities import annotate_entities, default_authorities
from .annotate.filenumbers import annotate_file_numbers
from .annotate.pages import annotate_pages
from .model import Document
from .outputs import write_file as write_atomic  # noqa: F401 (the writer exporters use)
from .read import InputError, read_bytes
from .write.tei import serialize, to_tei


@dataclass
class Result:
    source: str  # the source path as given
    name: str  # output file name: <stem>.xml
    xml: bytes | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    entities: dict[str, int] = field(default_factory=dict)  # mentions by kind


def annotate(doc: Document, authorities=None) -> None:
    """The annotator pipeline, in order; each adds spans and never edits text.

    ``authorities`` defaults to the packaged gazetteer and organisations (and the person
    files named in $TEI_EDITION_PERSONS), loaded once per process."""
    annotate_pages(doc)
    annotate_file_numbers(doc)
    annotate_dates(doc)
    annotate_entities(doc, authorities or default_authorities())


def convert_document(data: bytes, name: str, authorities=None) -> tuple[Document, bytes]:
    doc = read_bytes(data, name)
    annotate(doc, authorities)
    return doc, serialize(to_tei(doc))


def _count_mentions(doc: Document) -> dict[str, int]:
    counts: dict[str, int] = {}
    for block in doc.blocks:
        for span in block.spans:
            if span.kind in ("persName", "placeName", "orgName", "date"):
                counts[span.kind] = counts.get(span.kind, 0) + 1
    return counts


def convert_path(path: str, authorities=None) -> Result:
    p = Path(path)
    result = Result(source=path, name=p.stem + ".xml")
    try:
        if not stat.S_ISREG(p.stat().st_mode):  # a pipe or device would block or never end
            result.error = "not a regular file (a pipe, socket or device?); skipped"
            return result
        data = p.read_bytes()
    except OSError as err:
        result.error = f"cannot read: {err.strerror or err}"
        return result
    try:
        doc, xml = convert_document(data, p.name, authorities)
    except InputError as err:
        result.error = str(err)
        return result
    except Exception as err:  # noqa: BLE001 - one bad document must not stop a corpus
        result.error = f"internal error while converting ({type(err).__name__}: {err})"
        return result
    result.xml, result.warnings = xml, doc.warnings
    result.entities = _count_mentions(doc)
    return result


# --- many documents -------------------------------------------------------------------------

_worker_authorities = None


def _init_worker(loader: Callable[[], object] | None) -> None:
    global _worker_authorities
    _worker_authorities = loader() if loader else None


def _work(path: str) -> Result:
    return convert_path(path, _worker_authorities)


def convert_many(paths: Iterable[str], jobs: int = 1,
                 loader: Callable[[], object] | None = None) -> Iterator[Result]:
    """Results in the order of ``paths``; authorities are loaded once per process."""
    paths = list(paths)
    if jobs <= 1 or len(paths) < 2:
        _init_worker(loader)
        for path in paths:
            yield _work(path)
        return
    chunk = max(1, min(64, len(paths) // (jobs * 4) or 1))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(loader,)) as pool:
        yield from pool.map(_work, paths, chunksize=chunk)
