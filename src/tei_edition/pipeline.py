"""One document, bytes in, bytes out: read -> annotate -> write. Pure, so a corpus can be
spread over processes (``convert_many``) and later over any distributed engine."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .annotate.components import Context, PageView
from .annotate.components import annotate as run_components
from .annotate.corpus import Knowledge, NameEvidence
from .annotate.entities import default_authorities, gather_names
from .engine import Engine, LocalEngine
from .model import Document
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
    problems: list | None = None  # validate.Problem of the XML, when asked for


# Components the corpus pass runs before it gathers names (persons need the date).
_GATHER_SKIPS = ("persons", "places", "orgs", "resolve")


def annotate(doc: Document, authorities=None, knowledge: Knowledge | None = None,
             disable: tuple[str, ...] = ()) -> None:
    """The component pipeline (``annotate/components.py``), in its declared order.

    ``authorities`` defaults to the packaged gazetteer and organisations (and the person
    files named in $TEI_EDITION_PERSONS), loaded once per process. ``knowledge`` is the
    corpus pass's; without it the document is a corpus of its own."""
    run_components(doc, Context(authorities, knowledge), disable)


def gather_document(data: bytes, name: str, authorities=None,
                    disable: tuple[str, ...] = ()) -> NameEvidence:
    """The corpus pass over one document: the persons it names (see ``annotate/corpus``)."""
    doc = read_bytes(data, name)
    run_components(doc, Context(authorities), (*disable, *_GATHER_SKIPS))
    if "persons" in disable:
        return NameEvidence()
    return gather_names(PageView(doc).doc, authorities or default_authorities())


def convert_document(data: bytes, name: str, authorities=None, knowledge: Knowledge | None = None,
                     disable: tuple[str, ...] = ()) -> tuple[Document, bytes]:
    doc = read_bytes(data, name)
    annotate(doc, authorities, knowledge, disable)
    return doc, serialize(to_tei(doc))


def _count_mentions(doc: Document) -> dict[str, int]:
    counts: dict[str, int] = {}
    for block in doc.blocks:
        for span in block.spans:
            if span.kind in ("persName", "placeName", "orgName", "date"):
                counts[span.kind] = counts.get(span.kind, 0) + 1
    return counts


def gather_path(path: str, authorities=None, disable: tuple[str, ...] = ()) -> NameEvidence | None:
    """Name evidence of one source file; None where it cannot be read (the conversion
    pass reports why)."""
    try:
        return gather_document(Path(path).read_bytes(), Path(path).name, authorities, disable)
    except (OSError, InputError):
        return None
    except Exception:  # noqa: BLE001 - the conversion pass names the document and the error
        return None


def convert_path(path: str, authorities=None, knowledge: Knowledge | None = None,
                 disable: tuple[str, ...] = ()) -> Result:
    p = Path(path)
    result = Result(source=path, name=p.stem + ".xml")
    try:
        data = p.read_bytes()
    except OSError as err:
        result.error = f"cannot read: {err.strerror or err}"
        return result
    try:
        doc, xml = convert_document(data, p.name, authorities, knowledge, disable)
    except InputError as err:
        result.error = str(err)
        return result
    except Exception as err:  # noqa: BLE001 - one bad document must not stop a corpus
        result.error = f"internal error while converting ({type(err).__name__}: {err})"
        return result
    result.xml, result.warnings = xml, doc.warnings
    result.entities = _count_mentions(doc)
    return result


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@contextmanager
def atomic_writer(path: Path, text: bool = False):
    """A file object to stream into; renamed over ``path`` when the block ends without an
    error (the temporary file is removed otherwise). ``text``: UTF-8, newlines as given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (os.fdopen(fd, "w", encoding="utf-8", newline="") if text
              else os.fdopen(fd, "wb")) as fh:
            yield fh
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --- many documents -------------------------------------------------------------------------


def _gather(task: tuple[str, tuple[str, ...]], authorities) -> NameEvidence | None:
    path, disable = task
    return gather_path(path, authorities, disable)


def _convert(task: tuple[str, tuple[str, ...], bool], authorities, knowledge: Knowledge
             ) -> Result:
    path, disable, validate = task
    result = convert_path(path, authorities, knowledge, disable)
    if validate and result.xml is not None:
        from .validate import validate_bytes

        result.problems = validate_bytes(result.xml, result.name)
    return result


def convert_many(paths: Iterable[str], jobs: int = 1,
                 loader: Callable[[], object] | None = None,
                 disable: tuple[str, ...] = (), engine: Engine | None = None,
                 validate: bool = False) -> Iterator[Result]:
    """Both passes over a batch: gather the corpus's names, then convert each document
    with them. Results in the order of ``paths``, streamed; authorities load once per
    worker. ``engine`` (see ``engine.py``) defaults to the local one with ``jobs``.
    ``validate``: each result's XML is also validated where it was made (``problems``)."""
    paths = list(paths)
    disable = tuple(disable)
    own = engine is None
    if engine is None:
        engine = LocalEngine(jobs if len(paths) > 1 else 1)
    try:
        engine.start(loader)
        knowledge = Knowledge.merge(engine.map(_gather, [(p, disable) for p in paths]))
        shared = engine.share(knowledge)
        del knowledge
        yield from engine.map(_convert, [(p, disable, validate) for p in paths], shared)
    finally:
        if own:
            engine.close()
