"""Writing output files without ever losing a user's work.

Every file a command writes is recorded, with its SHA-256, in a manifest in the output
folder (``.tei-edition-manifest.json``).  From that record a later run knows which files
are its own:

- a file the tool wrote and nobody changed since may be replaced or removed;
- a file changed since the tool wrote it (a hand-corrected TEI file, an edited page) is
  *edited*: it is kept, never replaced or removed, unless ``--force``;
- a file the tool has no record of is *foreign*: it is kept, never replaced or removed,
  unless ``--force`` (and even then never removed).

A write that fails (read-only folder, full disk, a path under a file, a name too long)
becomes one problem naming the file; the other files are still written.

Writes are atomic: a temporary file next to the target, renamed over it.  Temporary files
are named ``.NAME.tei-edition-PID-XXXX.tmp``; one left behind by a killed run (its process
no longer alive) is removed the next time the folder is written to.

Exporters call :func:`write_file` (re-exported as ``pipeline.write_atomic``), or
:func:`stream_file` for a file written piece by piece (the corpus, the CSV indexes); inside
a :func:`session` both go through the session's checks, outside one they are plain atomic
writes.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".tei-edition-manifest.json"
TMP_MARK = ".tei-edition-"
_TMP_NAME = re.compile(r"^\..+\.tei-edition-(?P<pid>\d+)-[^.]*\.tmp$")

NEW, OURS, EDITED, FOREIGN = "new", "ours", "edited", "foreign"
# What a write does with its target (Outputs._plan)
WRITE, HAVE, KEEP = "write", "have", "keep"


class WriteProblem(Exception):
    """A file that could not be written; the message is one line naming it."""


def sha256(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def describe(err: OSError) -> str:
    """'Permission denied', 'No space left on device', 'File name too long' ..."""
    if isinstance(err, (NotADirectoryError, FileExistsError)) or err.errno == errno.ENOTDIR:
        return "a folder on its path is a file"
    return err.strerror or str(err)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove temporary files of ours left in ``folder`` by a run that was killed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TMP_NAME.match(entry.name)
        if m and not _alive(int(m.group("pid"))):
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def temp_name(name: str) -> tuple[str, str]:
    """(prefix, suffix) for mkstemp/mkdtemp: recognisable as ours, with our process id.
    The name is shortened so that a target name that fits the file system still does
    when it becomes a temporary name."""
    short = name.encode("utf-8")[:120].decode("utf-8", "ignore")
    return f".{short}{TMP_MARK}{os.getpid()}-", ".tmp"


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    sink = _Sink(Path(path), hashing=False)
    try:
        sink.write(data)
        sink.commit()
    finally:
        sink.discard()


@dataclass
class Outputs:
    """One command's writes into ``root``: the manifest, the checks, the problems."""

    root: Path
    force: bool = False
    record: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    problems: list[str] = field(default_factory=list)  # one line each: "PATH: why"
    notices: list[str] = field(default_factory=list)  # kept files, said once each
    say: Callable[[str, str], None] | None = None  # (level, message) as they happen
    _cleaned: set[Path] = field(default_factory=set)
    _folders: dict[Path, str] = field(default_factory=dict)  # folder -> its key prefix

    def problem(self, message: str) -> None:
        self.problems.append(message)
        if self.say:
            self.say("error", message)

    def notice(self, message: str) -> None:
        self.notices.append(message)
        if self.say:
            self.say("warning", message)

    @classmethod
    def open(cls, root: Path, force: bool = False,
             say: Callable[[str, str], None] | None = None) -> Outputs:
        out = cls(Path(root), force, say=say)
        try:
            data = json.loads((out.root / MANIFEST).read_text(encoding="utf-8"))
            files = data.get("files", {}) if isinstance(data, dict) else {}
            out.record = {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
        except (OSError, ValueError):
            out.record = {}
        return out

    def key(self, path: Path) -> str:
        """The manifest's name for ``path``: relative to the root, its folder resolved
        (each folder once per command: a build writes thousands of files into a few)."""
        path = Path(path)
        folder = self._folders.get(path.parent)
        if folder is None:
            resolved = path.parent.resolve()
            try:
                folder = resolved.relative_to(self._resolved_root).as_posix() + "/"
            except ValueError:
                folder = str(resolved) + "/"
            self._folders[path.parent] = folder = "" if folder == "./" else folder
        return folder + path.name

    @functools.cached_property
    def _resolved_root(self) -> Path:
        return self.root.resolve()

    def state(self, path: Path) -> str:
        """NEW (absent), OURS (written by us, unchanged), EDITED or FOREIGN."""
        path = Path(path)
        try:
            os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return NEW
        except OSError as err:
            if err.errno == errno.ENAMETOOLONG:
                return NEW  # the write will say so
            raise
        known = self.record.get(self.key(path))
        if known is None:
            return FOREIGN
        return OURS if sha256(path) == known else EDITED

    def same(self, path: Path, data: bytes) -> bool:
        """An unrecorded file that holds exactly ``data`` (a build of an older version,
        or one whose manifest was lost) is adopted: recorded as ours."""
        digest = hashlib.sha256(data).hexdigest()
        if sha256(path) != digest:
            return False
        self.record[self.key(path)] = digest
        return True

    def kept_message(self, path: Path, state: str) -> str:
        if state == EDITED:
            return f"{path}: changed since tei-edition wrote it; kept (--force replaces it)"
        return f"{path}: not written by tei-edition; kept (--force replaces it)"

    def _clean_once(self, folder: Path) -> None:
        """A killed run's temporary files in ``folder`` go before the first write there."""
        if folder not in self._cleaned:
            self._cleaned.add(folder)
            clean_leftovers(folder)

    def write(self, path: Path, data: bytes) -> bool:
        """Write ``data`` to ``path`` unless that would replace a file that is not ours.
        Returns True when the file now holds ``data``; else a problem is recorded."""
        path = Path(path)
        self._clean_once(path.parent)
        digest = hashlib.sha256(data).hexdigest()
        try:
            plan = self._plan(path, digest)
            if plan == WRITE:
                atomic_write(path, data)
        except OSError as err:
            self.problem(f"{path}: cannot write: {describe(err)}")
            return False
        if plan == KEEP:
            return False
        self.record[self.key(path)] = digest
        return True

    def _plan(self, path: Path, digest: str) -> str:
        """What becomes of ``path`` given the new content's ``digest``: WRITE; HAVE (the
        file holds it already, and an unrecorded one is adopted: a build of an older
        version, or one whose manifest was lost); KEEP (edited, or not ours: a problem
        says so, unless --force)."""
        state = self.state(path)
        if state == FOREIGN and sha256(path) == digest:
            return HAVE
        if state in (EDITED, FOREIGN) and not self.force:
            self.problem(self.kept_message(path, state))
            return KEEP
        if state == OURS and self.record.get(self.key(path)) == digest:
            return HAVE  # unchanged: leave the file (and its time stamp) alone
        return WRITE

    def remove_stale(self, folder: Path, suffix: str, keep: list[Path]) -> None:
        """Remove files of ``folder`` ending in ``suffix`` that this run did not produce,
        but only those we wrote and nobody changed since."""
        folder = Path(folder)
        if not folder.is_dir():
            return
        keep_names = {Path(p).name for p in keep}
        for p in sorted(folder.glob("*" + suffix)):
            if p.name in keep_names or not p.is_file():
                continue
            state = self.state(p)
            if state == OURS or (state == EDITED and self.force):
                try:
                    p.unlink()
                except OSError as err:
                    self.problem(f"{p}: cannot remove: {describe(err)}")
                    continue
                self.record.pop(self.key(p), None)
            elif state == EDITED:
                self.notice(f"{p}: no longer produced, but changed since tei-edition "
                                    "wrote it; kept")

    def save(self) -> None:
        """Write the manifest (files that no longer exist are dropped from it)."""
        present = {k: v for k, v in sorted(self.record.items())
                   if (self.root / k).exists() or Path(k).is_absolute() and Path(k).exists()}
        if not present and not (self.root / MANIFEST).exists():
            return
        data = json.dumps({"tool": "tei-edition", "files": present}, indent=1,
                          sort_keys=True).encode("utf-8") + b"\n"
        try:
            atomic_write(self.root / MANIFEST, data)
        except OSError as err:
            self.problem(f"{self.root / MANIFEST}: cannot write: {describe(err)}")


    @contextlib.contextmanager
    def stream(self, path: Path, text: bool = False) -> Iterator[_Sink]:
        """:meth:`write` for a file made piece by piece (the corpus, a CSV index): the
        pieces go to a temporary file, hashed on the way; at the end the same checks as
        ``write`` decide whether it replaces ``path``.  A write error ends the block and
        becomes one problem naming the file (the caller goes on with the next file)."""
        path = Path(path)
        self._clean_once(path.parent)
        try:
            sink = _Sink(path, text)
        except OSError as err:  # the folder cannot be made or written: nothing to keep
            self.problem(f"{path}: cannot write: {describe(err)}")
            yield _Sink.null()
            return
        try:
            yield sink
            digest = sink.hash.hexdigest()
            sink.close()
            plan = self._plan(path, digest)
            if plan == WRITE:
                sink.commit()
        except OSError as err:
            self.problem(f"{path}: cannot write: {describe(err)}")
            return
        finally:
            sink.discard()
        if plan != KEEP:
            self.record[self.key(path)] = digest


class _Sink:
    """A temporary file next to its target that hashes what is written to it; ``text``:
    str pieces, written as UTF-8 with newlines as given."""

    def __init__(self, path: Path | None, text: bool = False, hashing: bool = True):
        self.path, self.text = path, text
        self.hash = hashlib.sha256() if hashing else None
        self.tmp: str | None = None
        self._fh = None
        if path is None:  # null(): writes go nowhere
            return
        prefix, suffix = temp_name(path.name)
        try:
            fd, self.tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
        except FileNotFoundError:  # the folder is made on the first write into it
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
        self._fh = os.fdopen(fd, "wb")

    @classmethod
    def null(cls) -> _Sink:
        return cls(None, False)

    def write(self, data: bytes | str) -> int:
        if self.text and isinstance(data, str):
            data = data.encode("utf-8")
        if self._fh is not None:
            if self.hash is not None:
                self.hash.update(data)
            self._fh.write(data)
        return len(data)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()

    def commit(self) -> None:
        self.close()
        os.chmod(self.tmp, 0o644)
        os.replace(self.tmp, self.path)
        self.tmp = None

    def discard(self) -> None:
        """Close and remove the temporary file unless it was committed."""
        self.close()
        if self.tmp is not None and os.path.exists(self.tmp):
            os.unlink(self.tmp)
        self.tmp = None


_CURRENT: contextvars.ContextVar[Outputs | None] = contextvars.ContextVar(
    "tei_edition_outputs", default=None)


@contextlib.contextmanager
def session(root: Path, force: bool = False,
            say: Callable[[str, str], None] | None = None) -> Iterator[Outputs]:
    """Route every :func:`write_file` of the block through one manifest in ``root``."""
    out = Outputs.open(root, force, say)
    token = _CURRENT.set(out)
    try:
        yield out
    finally:
        _CURRENT.reset(token)
        out.save()


def current() -> Outputs | None:
    return _CURRENT.get()


def write_file(path: Path, data: bytes) -> bool:
    """Write through the current session (checked, recorded, errors collected), or, outside
    a session, a plain atomic write that raises OSError."""
    out = _CURRENT.get()
    if out is None:
        atomic_write(Path(path), data)
        return True
    return out.write(Path(path), data)


@contextlib.contextmanager
def stream_file(path: Path, text: bool = False) -> Iterator[_Sink]:
    """A file written piece by piece: through the current session (checked, recorded, a
    write error one problem and the block ended), or, outside a session, a plain atomic
    write that raises OSError.  ``text``: the pieces are str, written as UTF-8."""
    out = _CURRENT.get()
    if out is not None:
        with out.stream(Path(path), text) as sink:
            yield sink
        return
    sink = _Sink(Path(path), text)
    try:
        yield sink
        sink.commit()
    finally:
        sink.discard()


def remove_stale(folder: Path, suffix: str, keep: list[Path]) -> None:
    """Outside a session nothing is removed: without a record we cannot know what is ours."""
    out = _CURRENT.get()
    if out is not None:
        out.remove_stale(folder, suffix, keep)


def holds_sources(out: Path, folders: list[Path], sources: list[str]) -> str | None:
    """The first source that lies in ``out`` or one of the ``folders`` a command writes."""
    targets = {Path(out).resolve()} | {Path(f).resolve() for f in folders}
    for s in sources:
        if Path(s).resolve().parent in targets:
            return s
    return None
