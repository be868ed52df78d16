"""PiecewiseSum (toolkit.columns) and the chunked Fleiss' kappa built on it: the bits of
numpy's sum and mean of the whole row, without the row."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.columns import PiecewiseSum
from toolkit.review.agreement import _FleissSums, fleiss_kappa


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 60_000),
       cuts=st.lists(st.integers(0, 60_000), max_size=12))
def test_sum_of_pieces_has_the_bits_of_the_whole_sum(seed, n, cuts):
    rng = np.random.default_rng(seed)
    # magnitudes far apart: a sum in another order differs in its last bits
    row = rng.random(n) * rng.choice([1e-6, 1.0, 1e6], n)
    total = PiecewiseSum()
    edges = sorted({0, n, *(c for c in cuts if c < n)})
    for start, stop in zip(edges, edges[1:], strict=False):
        total.add(row[start:stop])
    assert total.count == n
    assert total.sum() == np.add.reduce(row)  # exactly, not approximately
    if n:
        assert total.sum() / total.count == row.mean()


def test_an_order_sensitive_row_summed_naively_differs():
    """The test above can fail: the same row summed in another order has other bits."""
    row = np.random.default_rng(3).random(50_000) * np.random.default_rng(4).choice(
        [1e-6, 1.0, 1e6], 50_000)
    assert sum(row.tolist()) != np.add.reduce(row)  # left to right
    assert math.fsum(row) != np.add.reduce(row)  # correctly rounded


def test_fleiss_in_chunks_equals_the_whole_table_to_the_bit():
    rng = np.random.default_rng(7)
    table = np.zeros((30_000, 4), dtype=np.int64)
    for row in table:  # three raters an item
        for category in rng.choice(4, 3, p=[0.5, 0.3, 0.15, 0.05]):
            row[category] += 1
    chunked = _FleissSums(4)
    for start in range(0, len(table), 7_001):
        chunked.add(table[start:start + 7_001])
    whole = fleiss_kappa(table)
    assert whole is not None and 0.0 < abs(whole) < 1.0
    assert chunked.kappa() == whole
    assert chunked.raters == {3}
    uneven = _FleissSums(4)
    uneven.add(np.array([[2, 0, 0, 0], [1, 1, 1, 0]]))
    assert uneven.kappa() is None and uneven.raters == {2, 3}
