"""Krippendorff's alpha from per-unit value counts, in memory linear in the units.

The ``krippendorff`` package builds the coincidence matrix from a units x values x
values float array (several of them at once: about 0.8 KB per unit with five values),
which dominated the agreement figures' peak memory on large snapshots. Here the
coincidence matrix is summed one cell at a time over the units, the standard formula

    o_ck = sum over units u of (n_uc * n_uk - [c == k] * n_uc) / (max(m_u, 2) - 1)

(n_uc: how many annotators gave unit u the value c, m_u = sum over c of n_uc), with one
units-long temporary at a time. Each cell's terms are added in unit order, one after
the other, as numpy does when the package sums its array over the units axis, and the
rest (expected coincidences, distances, alpha) follows the package's formulas on
values x values arrays: the figure is the package's to the last bit
(tests/test_alpha.py compares them on random data, every level, missing values).
"""

from __future__ import annotations

import numpy as np

LEVELS = ("nominal", "ordinal", "interval")

# the package's messages, kept: they reach the report's notes ("alpha undefined: ...")
NO_DOMAIN = "There has to be more than one value in the domain."
NO_PAIR = "There has to be at least one unit with values assigned by at least two coders."


class Coincidences:
    """The values x values coincidence matrix, summed over units given a chunk at a time
    (:meth:`add`, units x values counts): each cell's sum carries on from one chunk to
    the next, one term after the other, so the matrix is the same to the last bit as
    from all the units at once, and a caller never holds every unit's counts."""

    def __init__(self, n_values: int) -> None:
        self.o = np.zeros((n_values, n_values), dtype=np.float64)
        self.paired = False  # some unit has values from at least two coders

    def add(self, counts: np.ndarray) -> None:
        counts = np.asarray(counts)
        sums = counts.sum(axis=1)
        self.paired = self.paired or bool((sums > 1).any())
        divisor = (np.maximum(sums, 2) - 1).astype(np.float64)
        del sums
        o = self.o
        for c in range(o.shape[0]):
            column = counts[:, c]
            for k in range(c, o.shape[0]):
                pairs = column * counts[:, k]
                if c == k:
                    pairs -= column
                terms = pairs / divisor
                del pairs
                # cumulative sum from the cell's sum so far: added one after the other in
                # unit order (np.sum would add pairwise, a different rounding); the terms
                # are never negative, so starting from 0.0 adds nothing
                o[c, k] = o[k, c] = np.cumsum(np.concatenate(([o[c, k]], terms)))[-1]
                del terms


def coincidences(counts: np.ndarray) -> np.ndarray:
    """The values x values coincidence matrix of units x values ``counts``."""
    counts = np.asarray(counts)
    summed = Coincidences(counts.shape[1])
    summed.add(counts)
    return summed.o


def _distances(domain: np.ndarray, n_v: np.ndarray, level: str) -> np.ndarray:
    """values x values distances, as the package's metrics compute them."""
    v1, v2 = domain[:, np.newaxis], domain[np.newaxis, :]
    if level == "nominal":
        return (v1 != v2).astype(np.float64)
    if level == "interval":
        return (v1 - v2).astype(np.float64) ** 2
    if level == "ordinal":
        indices = np.arange(len(domain))
        i1, i2 = indices[:, np.newaxis], indices[np.newaxis, :]
        i1, i2 = np.minimum(i1, i2), np.maximum(i1, i2)
        ranges = np.dstack((i1, i2 + 1))
        between = np.add.reduceat(np.append(n_v, 0), ranges.reshape(-1))[::2].reshape(
            *i1.shape)
        return (between - np.divide(n_v[i1] + n_v[i2], 2, dtype=np.float64)) ** 2
    raise ValueError(f"unknown level of measurement {level!r}")


def alpha(counts: np.ndarray, domain: np.ndarray | None = None,
          level: str = "nominal") -> float:
    """``krippendorff.alpha(value_counts=counts, value_domain=domain,
    level_of_measurement=level)``, for the nominal, ordinal and interval levels; raises
    ValueError as the package does (one value in the domain, no unit with two values)."""
    counts = np.asarray(counts)
    domain = np.arange(counts.shape[1]) if domain is None else np.asarray(domain)
    if counts.shape[1] != len(domain):
        raise ValueError("The value domain should be equal to the number of columns of "
                         "value_counts.")
    if len(domain) <= 1:
        raise ValueError(NO_DOMAIN)
    if (counts.sum(axis=-1) <= 1).all():
        raise ValueError(NO_PAIR)
    return alpha_of(coincidences(counts), domain, level)


def alpha_of(o: np.ndarray, domain: np.ndarray, level: str = "nominal") -> float:
    """Alpha from the coincidence matrix ``o`` (:class:`Coincidences`) over ``domain``."""
    n_v = o.sum(axis=0)
    e = np.divide(np.outer(n_v, n_v) - np.diagflat(n_v), n_v.sum() - 1, dtype=np.float64)
    d = _distances(domain, n_v, level)
    return float(1 - (o * d).sum() / (e * d).sum())
