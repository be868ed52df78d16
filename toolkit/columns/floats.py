"""Floats appended by group (an annotator's lead times), kept in a temporary file; the
sum of a row of floats given a piece at a time, with the bits of numpy's sum of the row."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import IO

import numpy as np

from .spill import read_back, spill

_SIGN = np.uint64(1 << 63)
_DIGIT_BITS = 16  # the bits of the floats' order keys counted per pass (4 passes)


class GroupedFloats:
    """Floats appended by group, held in memory up to ``buffer_values`` in all and then
    written to a temporary file: memory holds the buffer and, per group, where its values
    lie in the file, never the values of every group. :meth:`values` reads one group's
    values back (that group's memory); :meth:`median` is the median of all of them,
    found by counting in passes over the file, never holding them together. NaN has no
    place in the order and is refused; -0.0 counts as below 0.0."""

    def __init__(self, buffer_values: int = 1 << 17) -> None:
        self._buffers: dict[str, array] = {}
        self._segments: dict[str, list[tuple[int, int]]] = {}  # (first value, values)
        self._counts: dict[str, int] = {}
        self._buffer_values = buffer_values
        self._buffered = 0
        self._file: IO[bytes] | None = None
        self._written = 0  # values in the file

    def append(self, group: str, value: float) -> None:
        if value != value:
            raise ValueError("NaN cannot be ordered")
        values = self._buffers.get(group)
        if values is None:
            values = self._buffers[group] = array("d")
            self._counts.setdefault(group, 0)
            self._segments.setdefault(group, [])
        values.append(value)
        self._counts[group] += 1
        self._buffered += 1
        if self._buffered >= self._buffer_values:
            self._flush()

    def __len__(self) -> int:
        return sum(self._counts.values())

    def groups(self) -> list[str]:
        """The groups, in order of their first value."""
        return list(self._counts)

    def count(self, group: str) -> int:
        """How many values ``group`` has (0 for a group never seen)."""
        return self._counts.get(group, 0)

    def _flush(self) -> None:
        parts = []
        for group, values in self._buffers.items():
            if values:
                parts.append(values.tobytes())
                self._segments[group].append((self._written, len(values)))
                self._written += len(values)
        self._file = spill(self._file, b"".join(parts), "corpus-floats-")
        self._buffers = {group: array("d") for group in self._buffers}
        self._buffered = 0

    def values(self, group: str) -> np.ndarray:
        """``group``'s values (float64), in the order they came."""
        parts = [self._read(first, n) for first, n in self._segments.get(group, [])]
        parts.append(np.array(self._buffers.get(group, array("d")), dtype=np.float64))
        return np.concatenate(parts)

    def _read(self, first: int, n: int) -> np.ndarray:
        assert self._file is not None  # a segment was written
        return np.frombuffer(read_back(self._file, first * 8, n * 8), dtype=np.float64)

    def _chunks(self) -> Iterator[np.ndarray]:
        """Every value, a chunk at a time (the file's, then the buffers')."""
        for first in range(0, self._written, self._buffer_values):
            yield self._read(first, min(self._buffer_values, self._written - first))
        for values in self._buffers.values():
            if values:
                yield np.frombuffer(values, dtype=np.float64)

    def median(self) -> float | None:
        """``np.median`` of every value of every group (None when there is none): the
        middle value, or the mean of the two middle ones, each found by its rank."""
        n = len(self)
        if not n:
            return None
        if n % 2:
            return self._ranked(n // 2)
        return float(np.mean([self._ranked(n // 2 - 1), self._ranked(n // 2)]))

    def _ranked(self, rank: int) -> float:
        """The value of ``rank`` (0: the smallest) among all: a float's order key (its bits,
        the sign bit flipped for positive floats, every bit for negative ones, so that the
        keys sort as the floats do) is found 16 bits at a time, from the highest, by
        counting the keys of each 16-bit digit under the digits found so far."""
        prefix = 0
        for shift in range(64 - _DIGIT_BITS, -1, -_DIGIT_BITS):
            counts = np.zeros(1 << _DIGIT_BITS, dtype=np.int64)
            for chunk in self._chunks():
                keys = _order_keys(chunk)
                if shift + _DIGIT_BITS < 64:
                    keys = keys[keys >> np.uint64(shift + _DIGIT_BITS) == np.uint64(prefix)]
                digits = (keys >> np.uint64(shift)) & np.uint64((1 << _DIGIT_BITS) - 1)
                counts += np.bincount(digits.astype(np.int64), minlength=1 << _DIGIT_BITS)
            below = np.cumsum(counts)
            digit = int(np.searchsorted(below, rank, side="right"))
            if digit:
                rank -= int(below[digit - 1])
            prefix = (prefix << _DIGIT_BITS) | digit
        key = np.array([prefix], dtype=np.uint64)
        bits = np.where(key & _SIGN, key ^ _SIGN, ~key)
        return float(bits.view(np.float64)[0])

    def close(self) -> None:
        """Delete the file; the values are gone."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._buffers, self._segments, self._counts = {}, {}, {}
        self._written = self._buffered = 0


def _order_keys(values: np.ndarray) -> np.ndarray:
    """Keys that sort as ``values`` do: positive floats with the sign bit set, negative
    ones with every bit flipped."""
    bits = values.view(np.uint64)
    return np.where(bits & _SIGN, ~bits, bits | _SIGN)


class PiecewiseSum:
    """``np.add.reduce(row)`` of a float64 row given a piece at a time (:meth:`add`), to
    its last bit, without the row: numpy sums a long contiguous row a buffer
    (``np.getbufsize()`` values) at a time, pairwise inside each, the buffers' sums one
    after the other from 0.0; this holds back what does not fill a buffer yet and sums
    the same buffers. A mean over a million items holds a buffer, not a float each."""

    def __init__(self) -> None:
        self.total = 0.0
        self.count = 0
        self._pending: np.ndarray = np.empty(0)

    def add(self, values: np.ndarray) -> None:
        block = np.getbufsize()
        pending = np.concatenate((self._pending, values)) if len(self._pending) else values
        full = len(pending) - len(pending) % block
        for start in range(0, full, block):
            self.total += float(np.add.reduce(pending[start:start + block]))
        self._pending = pending[full:].copy()
        self.count += len(values)

    def sum(self) -> float:
        """The row's sum so far (what is pending counted as the last buffer, as numpy)."""
        if not len(self._pending):
            return self.total
        return self.total + float(np.add.reduce(self._pending))
