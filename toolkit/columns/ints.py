"""Ints kept in the narrowest array type that holds them (one byte each while they fit),
in memory (:class:`IntColumn`) or in a temporary file (:class:`SpilledInts`)."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import IO

import numpy as np

from .spill import read_back, spill

#: rows between two :meth:`SpilledInts.spill_if_full` calls of a caller that appends to
#: ``values`` itself (a few thousand: the buffers stay small, the calls cost nothing)
SPILL_EVERY = 4096
BUFFER_VALUES = 1 << 16  # a SpilledInts' buffer, unless told otherwise

_WIDER = {"b": ("h", 2**15 - 1), "h": ("i", 2**31 - 1), "i": ("q", 2**63 - 1)}


class IntColumn:
    """Ints appended in the narrowest array type that holds them so far: one byte each
    while they stay below 128 (the answer codes of a question with a few labels, the
    annotators of a small team), widened once, by a copy, when :meth:`fit` is told of a
    larger one. Values are never below -128."""

    __slots__ = ("values", "limit")

    def __init__(self) -> None:
        self.values = array("b")
        self.limit = 127

    def fit(self, high: int) -> None:
        """Make room for values up to ``high``."""
        while high > self.limit:
            code, self.limit = _WIDER[self.values.typecode]
            self.values = array(code, self.values)

    def append(self, value: int) -> None:
        """Append one value, widening first when it needs to (a caller appending many
        calls :meth:`fit` once and ``values.append`` itself: no Python call a value)."""
        if value > self.limit:
            self.fit(value)
        self.values.append(value)

    def __len__(self) -> int:
        return len(self.values)

    def numpy(self) -> np.ndarray:
        """The values as a numpy view of their type (valid until the next append)."""
        return np.frombuffer(self.values, dtype=f"i{self.values.itemsize}")


class SpilledInts(IntColumn):
    """An :class:`IntColumn` whose values go to a temporary file a buffer of
    ``buffer_values`` (:data:`BUFFER_VALUES`) at a time: memory holds the buffer only,
    whatever the length. For the per-answer columns of a million tasks that are read
    back a question at a time (:meth:`numpy`) or a range at a time (:meth:`read`), after
    they were all appended. Values written before :meth:`fit` widened the type keep
    their narrower type in the file; reads give every value in the widest type. The file
    is deleted when closed (or collected)."""

    __slots__ = ("_buffer_values", "_file", "_segments", "_spilled", "_bytes")

    def __init__(self, buffer_values: int | None = None) -> None:
        super().__init__()  # values: the buffer, the values not written yet
        self._buffer_values = buffer_values or BUFFER_VALUES
        self._file: IO[bytes] | None = None
        # per write: (first row, rows, typecode, offset in the file)
        self._segments: list[tuple[int, int, str, int]] = []
        self._spilled = 0  # rows in the file
        self._bytes = 0  # its size

    def append(self, value: int) -> None:
        super().append(value)
        self.spill_if_full()

    def extend(self, values: list[int]) -> None:
        """Append values that fit already (:meth:`fit` first)."""
        self.values.extend(values)
        self.spill_if_full()

    def spill_if_full(self) -> None:
        """Write the buffer once it holds ``buffer_values``. A caller appending to
        ``values`` itself (array's own append, no Python call a value) calls this every
        so many rows: the buffer then holds at most that many rows' values more."""
        if len(self.values) >= self._buffer_values:
            self._flush()

    def __len__(self) -> int:
        return self._spilled + len(self.values)

    def _flush(self) -> None:
        data = self.values.tobytes()
        self._file = spill(self._file, data, "corpus-ints-")
        self._segments.append((self._spilled, len(self.values), self.values.typecode,
                               self._bytes))
        self._spilled += len(self.values)
        self._bytes += len(data)
        self.values = array(self.values.typecode)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Values ``start`` to ``stop`` (a new array of the widest type so far)."""
        stop = min(stop, len(self))
        out = np.empty(max(stop - start, 0), dtype=f"i{self.values.itemsize}")
        if stop <= start:
            return out
        for first, rows, code, offset in self._segments:
            lo, hi = max(first, start), min(first + rows, stop)
            if lo >= hi:
                continue
            size = array(code).itemsize
            assert self._file is not None
            data = read_back(self._file, offset + (lo - first) * size, (hi - lo) * size)
            out[lo - start:hi - start] = np.frombuffer(data, dtype=f"i{size}")
        lo = max(self._spilled, start)
        if lo < stop:  # from the buffer
            buffered = np.frombuffer(self.values, dtype=out.dtype)
            out[lo - start:] = buffered[lo - self._spilled:stop - self._spilled]
        return out

    def numpy(self) -> np.ndarray:
        """Every value (a new array of the widest type so far)."""
        return self.read(0, len(self))

    def close(self) -> None:
        """Delete the file; the column is empty after."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._segments = []
        self._spilled = self._bytes = 0
        self.values = array(self.values.typecode)


def spill_every(count: int, columns: Iterable[SpilledInts]) -> None:
    """For a caller that appends to its columns' ``values`` itself (array's own append, no
    Python call a value): at every :data:`SPILL_EVERY`-th item (``count`` items so far),
    write the buffers that are full to their files."""
    if not count % SPILL_EVERY:
        for column in columns:
            column.spill_if_full()
