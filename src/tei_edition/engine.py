"""Where the per-document work runs: in this process, in local worker processes, or on Dask.

An engine runs a pure function over many items and yields the results *in input order*,
with a bounded number of results in flight (a corpus is streamed, never held whole).  Two
things reach every worker once: the authorities, built there by a picklable ``loader``
(config.Settings.loader()), and a broadcast value (the corpus knowledge of the first
pass).  A task function is called as ``fn(item, authorities, *shared)``.

* ``local`` (default, no extra install): one process, or ``jobs`` worker processes of a
  ``ProcessPoolExecutor``; shared values travel once per worker through a pickle file.
* ``dask`` (``pip install 'tei-edition[dask]'``): a ``dask.distributed`` LocalCluster of
  ``jobs`` worker processes, or the scheduler at ``--scheduler ADDRESS``; shared values are
  scattered to every worker (``broadcast=True``); authorities load once per worker process.
  Workers of a real cluster need tei-edition (and the authority files, at the same paths)
  installed; the results come back to this process, which writes every file.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

ENGINES = ("local", "dask")
DASK_HINT = "pip install 'tei-edition[dask]'"


class EngineUnavailable(Exception):
    """The engine asked for cannot run here (an extra is not installed, no scheduler)."""


# --- per-process state: authorities once per process, shared values once per process -----

_auth_lock = threading.Lock()
_auth_cache: dict[object, tuple[Any, Any]] = {}


def authorities(loader: Callable[[], Any] | None) -> Any:
    """The authorities ``loader`` builds, built once per process (thread-safe)."""
    if loader is None:
        return None
    try:
        key: object = pickle.dumps(loader)
    except (pickle.PicklingError, AttributeError, TypeError):
        # a loader that cannot travel (a lambda of a test) runs in this process only:
        # known by identity, and kept alive with its value so that the id stays its own
        key = ("local", id(loader))
    found = _auth_cache.get(key)
    if found is None:
        with _auth_lock:
            found = _auth_cache.get(key)
            if found is None:
                _auth_cache.clear()  # one set of authorities per process at a time
                value = loader()
                _auth_cache[key] = found = (loader, value)
    return found[1]


_shared_cache: dict[str, Any] = {}


def _shared_file(path: str) -> Any:
    """A broadcast value of the local engine, read once per worker from its pickle file."""
    found = _shared_cache.get(path)
    if found is None:
        _shared_cache.clear()  # one batch at a time: drop the previous one's
        with open(path, "rb") as fh:
            found = _shared_cache[path] = pickle.load(fh)
    return found


def _run_chunk(fn: Callable, items: list, loader, shared: tuple, from_files: bool) -> list:
    auth = authorities(loader)
    values = tuple(_shared_file(s) for s in shared) if from_files else shared
    return [fn(item, auth, *values) for item in items]


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _in_order(chunks: Iterable[list], window: int, submit: Callable[[list], Any],
              take: Callable[[Any], list]) -> Iterator:
    """The results of every chunk, in order, with at most ``window`` chunks in flight."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield from take(pending.popleft())
    while pending:
        yield from take(pending.popleft())


def chunk_size(n: int, workers: int) -> int:
    """Items per task: a few tasks per worker for balance, few enough to keep overhead low."""
    return max(1, min(32, n // (workers * 8) or 1))


class Engine:
    """Interface: ``start(loader)``, ``share(value)``, ``map(fn, items, *shared)``,
    ``close()``; also a context manager."""

    name = "engine"
    workers = 1

    def start(self, loader: Callable[[], Any] | None) -> None:
        self.loader = loader

    def share(self, value: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def map(self, fn: Callable, items: Iterable, *shared: Any) -> Iterator:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class LocalEngine(Engine):
    """This process (jobs=1), or a pool of ``jobs`` worker processes."""

    name = "local"

    def __init__(self, jobs: int = 1):
        self.workers = max(1, jobs)
        self.loader = None
        self._pool: ProcessPoolExecutor | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._preloaded = self._frozen = False

    def share(self, value: Any) -> Any:
        if self.workers <= 1:
            return value
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="tei-edition-")
        fd, path = tempfile.mkstemp(suffix=".pickle", dir=self._tmp.name)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    def map(self, fn: Callable, items: Iterable, *shared: Any) -> Iterator:
        if self.workers <= 1:
            auth = authorities(self.loader)
            self._freeze()  # as for the pool's workers: the authorities live through the batch
            for item in items:
                yield fn(item, auth, *shared)
            return
        items = list(items)
        if self._pool is None:
            self._pool = self._start_pool()
        pool = self._pool
        yield from _in_order(
            _chunks(items, chunk_size(len(items), self.workers)), self.workers * 4,
            lambda chunk: pool.submit(_run_chunk, fn, chunk, self.loader, shared, True),
            lambda future: future.result())

    def _start_pool(self) -> ProcessPoolExecutor:
        """Where processes fork (Linux), the authorities are built here once, before the
        pool forks its workers, and each worker finds them in its copy of this process
        (0.5 s and a full copy of the person file saved per worker). Frozen first, so that
        no worker's garbage collector touches, and so copies, the pages they sit on."""
        import multiprocessing

        if "fork" not in multiprocessing.get_all_start_methods() or self.loader is None:
            return ProcessPoolExecutor(max_workers=self.workers)
        before = set(_auth_cache)
        authorities(self.loader)
        self._preloaded = set(_auth_cache) != before
        self._freeze()
        return ProcessPoolExecutor(max_workers=self.workers,
                                   mp_context=multiprocessing.get_context("fork"))

    def _freeze(self) -> None:
        """What is alive now (the authorities above all) out of the collector's sight until
        ``close``: no full collection scans it again and again, and in forked workers none
        touches, and so copies, the pages it sits on."""
        if not self._frozen:
            import gc

            gc.freeze()
            self._frozen = True

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._frozen:
            import gc

            gc.unfreeze()
            self._frozen = False
        if self._preloaded:  # built for the workers only: this process does not keep them
            _auth_cache.clear()
            self._preloaded = False
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


class DaskEngine(Engine):
    """dask.distributed: a LocalCluster of ``jobs`` worker processes, or ``scheduler``."""

    name = "dask"

    def __init__(self, jobs: int = 1, scheduler: str | None = None, processes: bool = True,
                 timeout: float = 10):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineUnavailable(
                f"--engine dask needs Dask: {DASK_HINT}") from None
        self.loader = None
        self._cluster = None
        try:
            if scheduler:
                self._client = Client(scheduler, timeout=timeout)
            else:
                self._cluster = LocalCluster(
                    n_workers=max(1, jobs), threads_per_worker=1, processes=processes,
                    dashboard_address=None, silence_logs=40)
                self._client = Client(self._cluster, timeout=timeout)
        except OSError as err:  # no scheduler at that address, or it did not answer
            if self._cluster is not None:
                self._cluster.close()
            raise EngineUnavailable(f"cannot reach the Dask scheduler {scheduler}: {err}") \
                from None
        self.workers = max(1, sum(self._client.nthreads().values())) if scheduler else jobs

    def start(self, loader: Callable[[], Any] | None) -> None:
        self.loader = loader
        if loader is not None:  # load on every worker now, once per worker process
            self._client.run(authorities, loader)

    def share(self, value: Any) -> Any:
        return self._client.scatter(value, broadcast=True, hash=False)

    def map(self, fn: Callable, items: Iterable, *shared: Any) -> Iterator:
        items = list(items)
        submit = self._client.submit
        yield from _in_order(
            _chunks(items, chunk_size(len(items), self.workers)), self.workers * 4,
            lambda chunk: submit(_run_chunk, fn, chunk, self.loader, shared, False, pure=False),
            _take)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _take(future) -> list:
    """A Dask future's result, the future released at once (its memory on the worker)."""
    try:
        return future.result()
    finally:
        future.release()


def make_engine(name: str = "local", jobs: int = 1, scheduler: str | None = None) -> Engine:
    """The engine called ``name``; raises EngineUnavailable when it cannot run here."""
    if name == "local":
        if scheduler:
            raise EngineUnavailable("--scheduler needs --engine dask")
        return LocalEngine(jobs)
    if name == "dask":
        return DaskEngine(jobs, scheduler)
    raise EngineUnavailable(f"no such engine: {name} (engines: {', '.join(ENGINES)})")
