"""The server's store connections: a pool that lends one to each request, and one write lock.

Each worker thread borrows its own SQLite connection; writes also take one process-wide lock, so
concurrent posts queue here instead of spinning on SQLite's busy timeout (which still guards
against writers in other processes, such as a ``khabar ingest`` running beside the server).

>>> import tempfile, pathlib
>>> pool = Stores(pathlib.Path(tempfile.mkdtemp()) / "k.db")
>>> with pool.borrow() as a:
...     pass
>>> with pool.borrow() as b:
...     b is a
True
>>> pool.close()
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from khabar.store.browse import end_open_transaction
from khabar.store.db import Store

#: Idle connections kept for reuse; more are opened under a burst and closed after it.
KEEP = 16


class Stores:
    """A pool of :class:`Store` connections: a request borrows one and gives it back, so no
    connection is used by two threads at once and the pool never grows past the peak concurrency."""

    def __init__(self, path: Path, keep: int = KEEP) -> None:
        self.path, self.keep = path, keep
        self._lock = threading.Lock()
        self._idle: list[Store] = []
        self.write_lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[Store]:
        with self._lock:
            store = self._idle.pop() if self._idle else None
        if store is None:
            store = Store(self.path)
        try:
            yield store
        finally:
            end_open_transaction(store)  # a failed request must not hand on an open transaction
            with self._lock:
                if len(self._idle) < self.keep:
                    self._idle.append(store)
                    store = None
            if store is not None:
                store.close()

    def close(self) -> None:
        with self._lock:
            for store in self._idle:
                store.close()
            self._idle.clear()


def _borrow_store(request: Request) -> Iterator[Store]:
    """The request's store connection, borrowed from the app's pool for the length of the request."""
    with request.app.state.stores.borrow() as store:
        yield store


StoreDep = Annotated[Store, Depends(_borrow_store)]
