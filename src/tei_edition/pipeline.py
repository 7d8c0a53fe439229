"""One document, bytes in, bytes out: read -> annotate -> write. Pure, so a corpus can be
spread over processes (``convert_many``) and later over any distributed engine."""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .annotate.components import PIPELINE, Context, PageView
from .annotate.components import annotate as run_components
from .annotate.corpus import Knowledge, NameEvidence
from .annotate.entities import default_authorities, gather_names
from .engine import Engine, LocalEngine
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
                    disable: tuple[str, ...] = (), spool: Spool | None = None) -> NameEvidence:
    """The corpus pass over one document: the persons it names (see ``annotate/corpus``).

    With a ``spool`` the annotated document is kept on disk for the second pass, which
    then neither reads it nor collects its candidates again."""
    doc = read_bytes(data, name)
    run_components(doc, Context(authorities), (*disable, *_GATHER_SKIPS))
    if "persons" in disable:
        return NameEvidence()
    evidence = gather_names(PageView(doc).doc, authorities or default_authorities())
    if spool is not None:
        spool.put(name, data, disable, doc)
    return evidence


def convert_document(data: bytes, name: str, authorities=None, knowledge: Knowledge | None = None,
                     disable: tuple[str, ...] = (), spool: Spool | None = None,
                     where: tuple[str, int, int] | None = None) -> tuple[Document, bytes]:
    """``spool`` (and ``where`` the first pass put it there): the document as the first
    pass left it, where it is found, instead of reading it again."""
    doc = spool.take(name, data, disable, authorities, where) if spool is not None else None
    if doc is None:
        doc = read_bytes(data, name)
        annotate(doc, authorities, knowledge, disable)
    else:  # read and annotated up to the persons by the first pass
        annotate(doc, authorities, knowledge, (*disable, *_FIRST_PASS_DONE))
    # the person finder kept there refers back to the document's page view, which shares
    # this scratch: a cycle; without it all is freed when dropped, not at the collector's
    # next full pass
    doc.scratch.pop("person-candidates", None)
    return doc, serialize(to_tei(doc))


_FIRST_PASS_DONE = tuple(n for n in PIPELINE if n not in _GATHER_SKIPS)


class Spool:
    """The documents of the first pass, kept for the second: the first ``keep`` in this
    process's memory (one process only: a pool's workers would not see them), the rest on
    disk, appended as small pickles (about 12 KB a document) to one file per process (gone
    with the batch's temporary folder), so memory stays flat however large the batch, no
    file is made per document (making a file costs more than pickling here) and any
    process on the machine can take a document another gathered: where each went (file,
    offset, size) is in ``placed`` by source name until the caller passes it on. Keyed by
    the source's name, a digest of its bytes and the disabled components, so a document
    taken is always the same input; one that is missing is simply read again."""

    def __init__(self, folder: str | os.PathLike, keep: int = 0) -> None:
        self.folder = Path(folder)
        self.keep = keep
        self.held: dict[str, Document] = {}
        self.placed: dict[str, tuple[str, int, int]] = {}
        self._file: tuple[int, Path] | None = None  # (pid, path) this process appends to

    def _key(self, name: str, data: bytes, disable: tuple[str, ...]) -> str:
        h = hashlib.blake2b(data, digest_size=16)
        h.update(("\0" + name + "\0" + ",".join(disable)).encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def put(self, name: str, data: bytes, disable: tuple[str, ...], doc: Document) -> None:
        key = self._key(name, data, disable)
        if len(self.held) < self.keep:
            self.held[key] = doc
            return
        if self._file is None or self._file[0] != os.getpid():  # a forked copy: a file of its own
            self._file = (os.getpid(), self.folder / f"spool-{os.getpid()}-{id(self)}.bin")
        path = self._file[1]
        blob = pickle.dumps((key, doc), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with open(path, "ab") as fh:
                offset = fh.tell()  # the end: after any part a failed write left
                fh.write(blob)
        except OSError:  # a full disk costs speed, not the document
            return
        self.placed[name] = (str(path), offset, len(blob))

    def take(self, name: str, data: bytes, disable: tuple[str, ...], authorities,
             where: tuple[str, int, int] | None = None) -> Document | None:
        key = self._key(name, data, disable)
        doc = self.held.pop(key, None)
        if doc is None and where is not None:
            path, offset, size = where
            try:
                with open(path, "rb") as fh:
                    fh.seek(offset)
                    spooled, doc = pickle.loads(fh.read(size))
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
                return None
            if spooled != key:
                return None
        if doc is None:
            return None
        candidates = doc.scratch.get("person-candidates")
        if candidates is not None:
            candidates[3].auth = authorities or default_authorities()
        return doc


def _count_mentions(doc: Document) -> dict[str, int]:
    counts: dict[str, int] = {}
    for block in doc.blocks:
        for span in block.spans:
            if span.kind in ("persName", "placeName", "orgName", "date"):
                counts[span.kind] = counts.get(span.kind, 0) + 1
    return counts


class NotAFile(OSError):
    """A pipe, socket or device named like a source: reading it would block or never end."""

    strerror = "not a regular file (a pipe, socket or device?); skipped"


def read_source(path: Path) -> bytes:
    if not stat.S_ISREG(path.stat().st_mode):
        raise NotAFile(path)
    return path.read_bytes()


def gather_path(path: str, authorities=None, disable: tuple[str, ...] = (),
                spool: Spool | None = None) -> NameEvidence | None:
    """Name evidence of one source file; None where it cannot be read (the conversion
    pass reports why)."""
    try:
        return gather_document(read_source(Path(path)), Path(path).name, authorities, disable,
                               spool)
    except (OSError, InputError):
        return None
    except Exception:  # noqa: BLE001 - the conversion pass names the document and the error
        return None


def convert_path(path: str, authorities=None, knowledge: Knowledge | None = None,
                 disable: tuple[str, ...] = (), spool: Spool | None = None,
                 where: tuple[str, int, int] | None = None) -> Result:
    p = Path(path)
    result = Result(source=path, name=p.stem + ".xml")
    try:
        data = read_source(p)
    except NotAFile as err:
        result.error = err.strerror
        return result
    except OSError as err:
        result.error = f"cannot read: {err.strerror or err}"
        return result
    try:
        doc, xml = convert_document(data, p.name, authorities, knowledge, disable, spool, where)
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

# First-pass documents one process holds in memory (about 50 KB each) before it spools
# the rest of a batch to disk; only where both passes run in this one process.
SPOOL_IN_MEMORY = 1000
_spools: dict[str, Spool] = {}


def _spool(folder: str, keep: int) -> Spool:
    """The batch's spool, one object per process (so what it holds in memory is found)."""
    spool = _spools.get(folder)
    if spool is None:
        spool = _spools[folder] = Spool(folder, keep)
    return spool


def _gather(task: tuple[str, tuple[str, ...], str, int], authorities
            ) -> tuple[NameEvidence | None, tuple[str, int, int] | None]:
    """The evidence of one document, and where the spool put the document."""
    path, disable, folder, keep = task
    spool = _spool(folder, keep)
    evidence = gather_path(path, authorities, disable, spool)
    return evidence, spool.placed.pop(Path(path).name, None)


def _convert(task: tuple[str, tuple[str, ...], bool, str, int, tuple | None], authorities,
             knowledge: Knowledge) -> Result:
    path, disable, validate, spool, keep, where = task
    result = convert_path(path, authorities, knowledge, disable, _spool(spool, keep), where)
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
    keep = SPOOL_IN_MEMORY if isinstance(engine, LocalEngine) and engine.workers <= 1 else 0
    # The spool is a folder of this machine: workers of the local engine and of a Dask
    # LocalCluster share it; a worker elsewhere finds nothing there and reads again.
    with tempfile.TemporaryDirectory(prefix="tei-edition-") as spool:
        try:
            engine.start(loader)
            places: list[tuple[str, int, int] | None] = []

            def evidence():
                for found, where in engine.map(_gather, [(p, disable, spool, keep)
                                                         for p in paths]):
                    places.append(where)
                    yield found

            knowledge = Knowledge.merge(evidence())
            shared = engine.share(knowledge)
            del knowledge
            yield from engine.map(_convert, [(p, disable, validate, spool, keep, where)
                                             for p, where in zip(paths, places, strict=True)],
                                  shared)
        finally:
            _spools.pop(spool, None)
            if own:
                engine.close()
