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


def coincidences(counts: np.ndarray) -> np.ndarray:
    """The values x values coincidence matrix of units x values ``counts``."""
    counts = np.asarray(counts)
    n_values = counts.shape[1]
    divisor = (np.maximum(counts.sum(axis=1), 2) - 1).astype(np.float64)
    o = np.zeros((n_values, n_values), dtype=np.float64)
    for c in range(n_values):
        column = counts[:, c]
        for k in range(c, n_values):
            pairs = column * counts[:, k]
            if c == k:
                pairs -= column
            terms = pairs / divisor
            del pairs
            # cumulative sum: added one after the other in unit order (np.sum would
            # add pairwise, a different rounding)
            total = np.cumsum(terms)[-1] if len(terms) else 0.0
            del terms
            o[c, k] = o[k, c] = total
    return o


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
    o = coincidences(counts)
    n_v = o.sum(axis=0)
    e = np.divide(np.outer(n_v, n_v) - np.diagflat(n_v), n_v.sum() - 1, dtype=np.float64)
    d = _distances(domain, n_v, level)
    return float(1 - (o * d).sum() / (e * d).sum())
