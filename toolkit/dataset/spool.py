"""Encoded rows kept on disk in sorted runs and read back merged, in bounded memory.

Build encodes each row during the one read of the snapshot, but the dataset's row
order (article, position, unit, corpus key) and the splits are known only once the
whole snapshot was read. Rows therefore go through a :class:`SortedSpool`: up to
``run_rows`` of them are held, sorted by their order key and written to a
temporary file as one run (pickled chunks of ``CHUNK`` rows); :meth:`merged` then
yields every row in key order by merging the runs, reading each one chunk by
chunk. Memory: one run being filled, plus one chunk per run while merging,
whatever the number of rows. A spool that never fills a run stays in memory.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

RUN_ROWS = 20_000
# rows per pickled chunk: merging holds one chunk per run, and the runs grow with the rows
# (50 at a million), so a small chunk keeps that small (100: 5,000 rows at a million)
CHUNK = 100


class SortedSpool:
    """Entries ``(key, tag, row)``: ``key`` orders them, ``tag`` (an int, unique) breaks
    no ties but comes back with the row; see the module docstring."""

    def __init__(self, folder: Path | None = None, *, run_rows: int | None = None) -> None:
        self._folder = folder
        self._run_rows = run_rows or RUN_ROWS
        self._buffer: list[tuple[Any, int, Any]] = []
        self._runs: list[IO[bytes]] = []
        self.size = 0

    def add(self, key: Any, tag: int, row: Any) -> None:
        self._buffer.append((key, tag, row))
        self.size += 1
        if len(self._buffer) >= self._run_rows:
            self._spill()

    @property
    def runs(self) -> int:
        """Runs written to disk so far (0: everything is in memory)."""
        return len(self._runs)

    def _spill(self) -> None:
        self._buffer.sort(key=_entry_order)
        handle = tempfile.TemporaryFile(dir=self._folder)  # removed when closed
        buffer = self._buffer
        for start in range(0, len(buffer), CHUNK):
            pickle.dump(buffer[start:start + CHUNK], handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        self._runs.append(handle)
        self._buffer = []

    def merged(self) -> Iterator[tuple[Any, int, Any]]:
        """Every entry in (key, tag) order; the spool is emptied as it goes."""
        self._buffer.sort(key=_entry_order)
        if not self._runs:
            buffer, self._buffer = self._buffer, []
            yield from buffer
            return
        streams = [_read_run(handle) for handle in self._runs]
        if self._buffer:
            buffer, self._buffer = self._buffer, []
            streams.append(iter(buffer))
        try:
            yield from heapq.merge(*streams, key=_entry_order)
        finally:
            self.close()

    def close(self) -> None:
        for handle in self._runs:
            handle.close()
        self._runs = []
        self._buffer = []


def _entry_order(entry: tuple[Any, int, Any]) -> tuple[Any, int]:
    return entry[0], entry[1]


def _read_run(handle: IO[bytes]) -> Iterator[tuple[Any, int, Any]]:
    handle.seek(0)
    while True:
        try:
            chunk = pickle.load(handle)
        except EOFError:
            return
        yield from chunk
