"""Ints kept in the narrowest array type that holds them (one byte each while they fit)."""

from __future__ import annotations

from array import array

import numpy as np


class IntColumn:
    """Ints appended in the narrowest array type that holds them so far: one byte each
    while they stay below 128 (the answer codes of a question with a few labels, the
    annotators of a small team), widened once, by a copy, when :meth:`fit` is told of a
    larger one. Values are never below -128."""

    __slots__ = ("values", "limit")
    _WIDER = {"b": ("h", 2**15 - 1), "h": ("i", 2**31 - 1), "i": ("q", 2**63 - 1)}

    def __init__(self) -> None:
        self.values = array("b")
        self.limit = 127

    def fit(self, high: int) -> None:
        """Make room for values up to ``high``."""
        while high > self.limit:
            code, self.limit = self._WIDER[self.values.typecode]
            self.values = array(code, self.values)

    def __len__(self) -> int:
        return len(self.values)

    def numpy(self) -> np.ndarray:
        """The values as a numpy view of their type (valid until the next append)."""
        return np.frombuffer(self.values, dtype=f"i{self.values.itemsize}")
