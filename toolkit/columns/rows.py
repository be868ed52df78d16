"""Rows (any picklable values) kept in a temporary file and read back in order."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from typing import IO, Any

from .spill import read_back, spill


class SpilledRows:
    """Rows appended to a temporary file in pickled batches of ``batch`` rows; iterating
    reads them back in order, each as it was appended (pickle keeps tuples and dicts as
    they are). Memory holds one batch, whatever the number of rows: for the rows a
    report lists (the unresolved items' answers, a few hundred bytes each) that only a
    writer reads, once. Equal to a list or another SpilledRows with the same rows; a row
    can be read by its index too. The file is deleted when closed (or collected)."""

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(self, rows: Iterable[Any] = (), *, batch: int = 1000) -> None:
        self._batch = batch
        self._buffer: list[Any] = []
        self._file: IO[bytes] | None = None
        self._batches: list[tuple[int, int]] = []  # (offset, length) of each in the file
        self._written = 0  # bytes in the file
        self._count = 0
        self.extend(rows)

    def append(self, row: Any) -> None:
        self._buffer.append(row)
        self._count += 1
        if len(self._buffer) >= self._batch:
            self._flush()

    def extend(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.append(row)

    def __len__(self) -> int:
        return self._count

    def _flush(self) -> None:
        data = pickle.dumps(self._buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self._file = spill(self._file, data, "corpus-rows-")
        self._batches.append((self._written, len(data)))
        self._written += len(data)
        self._buffer = []

    def __iter__(self) -> Iterator[Any]:
        """The rows there are when the iteration starts, in order (the file read a batch
        at a time, by offset: rows appended meanwhile do not disturb it)."""
        end, done, read = self._count, 0, 0
        while done < end:
            if read < len(self._batches):
                assert self._file is not None
                offset, length = self._batches[read]
                rows = pickle.loads(read_back(self._file, offset, length))
                read += 1
            else:  # the rows after the file's, as they are now
                rows = self._buffer[:]
            rows = rows[:end - done]
            done += len(rows)
            yield from rows

    def __getitem__(self, index: int) -> Any:
        """One row (its batch read back: every batch in the file holds ``batch`` rows)."""
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(f"row {index} of {self._count}")
        number, at = divmod(index, self._batch)
        if number == len(self._batches):
            return self._buffer[at]
        assert self._file is not None
        offset, length = self._batches[number]
        return pickle.loads(read_back(self._file, offset, length))[at]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (SpilledRows, list)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"SpilledRows({self._count} rows)"

    def close(self) -> None:
        """Delete the file; no row is left."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._batches, self._buffer = [], []
        self._written = self._count = 0
