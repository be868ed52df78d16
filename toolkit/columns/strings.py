"""Strings kept as UTF-8 in one buffer, no Python object per string."""

from __future__ import annotations

from array import array
from collections.abc import Iterator


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
