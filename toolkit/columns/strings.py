"""Strings kept as UTF-8 in one buffer, or in a temporary file, no Python object per
string."""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Iterator
from typing import IO

from .spill import spill


class StringColumn:
    """Strings appended one after the other, kept as UTF-8 in one buffer with their end
    offsets: about the string's length plus 8 bytes each, where a list of str costs some
    60 bytes more, and no object per string that outlives the parse it came from (those
    pin the memory of the parse around them)."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q")

    def append(self, value: str) -> None:
        self._data += value.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._data))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        if index < 0:
            index += len(self._ends)
        start = self._ends[index - 1] if index else 0  # IndexError past the end, as a list
        return self._data[start:self._ends[index]].decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))


class SpilledStrings:
    """Strings appended to a temporary file (UTF-8, each after its length in 4 bytes),
    none kept in memory beyond a buffer of ``buffer_bytes``: for strings read back
    rarely and a few at a time (:meth:`pick`), e.g. to tell a hash collision from a
    repeated key. The file is deleted when closed (or collected)."""

    def __init__(self, buffer_bytes: int = 1 << 20) -> None:
        self._file: IO[bytes] | None = None
        self._buffer = bytearray()
        self._buffer_bytes = buffer_bytes
        self._count = 0

    def append(self, value: str) -> None:
        data = value.encode("utf-8", "surrogatepass")
        self._buffer += len(data).to_bytes(4, "little")
        self._buffer += data
        self._count += 1
        if len(self._buffer) >= self._buffer_bytes:
            self._flush()

    def __len__(self) -> int:
        return self._count

    def _flush(self) -> None:
        self._file = spill(self._file, self._buffer, "corpus-strings-")
        self._buffer.clear()

    def __getitem__(self, row: int) -> str:
        """One string (a pass over the file as far as it: for a few)."""
        return self.pick([row])[row]

    def pick(self, rows: Iterable[int]) -> dict[int, str]:
        """The strings of ``rows`` (row -> string), read in one pass over the file as far
        as the last of them."""
        wanted = set(rows)
        found: dict[int, str] = {}
        if not wanted:
            return found
        last = max(wanted)
        if last >= self._count or min(wanted) < 0:
            raise IndexError(f"row {last if last >= self._count else min(wanted)} of "
                             f"{self._count} strings")
        self._flush()
        file = self._file
        assert file is not None  # made by the flush
        file.seek(0)
        for row in range(last + 1):
            size = int.from_bytes(file.read(4), "little")
            if row in wanted:
                found[row] = file.read(size).decode("utf-8", "surrogatepass")
            else:
                file.seek(size, os.SEEK_CUR)
        file.seek(0, os.SEEK_END)  # appends go on at the end
        return found

    def close(self) -> None:
        """Delete the file; the strings are gone."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._buffer = bytearray()
