"""Krippendorff's alpha from per-item value counts, with a bootstrap 95% interval.

The data of one question is a table: one row per item (with two or more
annotators), one column per value, each cell how many annotators gave that
value (the ``value_counts`` input of the ``krippendorff`` package). The point
estimate is the package's figure (``toolkit.agreement`` computes it); this
module adds the interval by resampling *items* with replacement (percentile
bootstrap, ``replicates`` times, seeded so a report is reproducible).

It is fast at any size because items with the same row of counts are the same
to alpha: rows are grouped into their distinct patterns (a few dozen for three
annotators and four labels, whatever the number of items), a replicate draws how
many times each pattern is taken (one multinomial draw), and each replicate's
coincidence matrix is a weighted sum of the patterns' matrices.

``blocks`` splits the columns into several variables whose alphas are averaged,
as `corpus agree` does for multi choice (each label a yes/no decision, the
question's alpha the mean over the labels where it is defined).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

REPLICATES = 1000
SEED = 20240229


def _coincidences(patterns: np.ndarray) -> np.ndarray:
    """Per pattern (P x V counts) its coincidence matrix (P x V x V)."""
    counts = patterns.astype(float)
    m = counts.sum(axis=1)
    scale = np.where(m >= 2, 1.0 / np.maximum(m - 1, 1), 0.0)
    outer = counts[:, :, None] * counts[:, None, :]
    diagonal = np.einsum("pv,vw->pvw", counts, np.eye(counts.shape[1]))
    return (outer - diagonal) * scale[:, None, None]


def _alphas(o: np.ndarray, level: str, domain: np.ndarray) -> np.ndarray:
    """Alpha per replicate from coincidence matrices (B x V x V); NaN where undefined."""
    n_c = o.sum(axis=2)  # B x V
    n = n_c.sum(axis=1)  # B
    if level == "nominal":
        delta = 1.0 - np.eye(o.shape[1])[None, :, :]
    elif level == "interval":
        d = domain[:, None] - domain[None, :]
        delta = (d * d)[None, :, :]
    else:  # ordinal: (sum of n_g from c to k - (n_c + n_k) / 2)^2, per replicate
        cum = np.cumsum(n_c, axis=1)
        lo = np.minimum.outer(np.arange(o.shape[1]), np.arange(o.shape[1]))
        hi = np.maximum.outer(np.arange(o.shape[1]), np.arange(o.shape[1]))
        between = cum[:, hi] - cum[:, lo] + n_c[:, lo]
        d = between - (n_c[:, :, None] + n_c[:, None, :]) / 2.0
        delta = d * d
    observed = (o * delta).sum(axis=(1, 2))
    expected = (n_c[:, :, None] * n_c[:, None, :] * delta).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * observed / expected
    return np.where(expected > 0, alpha, np.nan)


def alpha_from_counts(counts: np.ndarray, level: str = "nominal",
                      domain: Sequence[float] | None = None,
                      blocks: Sequence[slice] | None = None) -> float | None:
    """Alpha of an items x values count table (mean over ``blocks`` where defined)."""
    counts = np.asarray(counts)
    if counts.ndim != 2 or not counts.shape[0]:
        return None
    weights = np.ones((1, counts.shape[0]))
    values = _block_alphas(_coincidences_by_block(counts, blocks), weights, level, domain)
    return None if np.isnan(values[0]) else float(values[0])


def _coincidences_by_block(patterns: np.ndarray,
                           blocks: Sequence[slice] | None) -> list[np.ndarray]:
    blocks = blocks or [slice(0, patterns.shape[1])]
    return [_coincidences(patterns[:, block]).reshape(len(patterns), -1) for block in blocks]


def _block_alphas(per_block: list[np.ndarray], weights: np.ndarray, level: str,
                  domain: Sequence[float] | None) -> np.ndarray:
    """Per replicate (rows of ``weights``: how often each pattern is taken) the mean alpha
    over the blocks where it is defined; NaN where none is."""
    alphas = []
    for flat in per_block:
        v = int(round(np.sqrt(flat.shape[1])))
        o = (weights @ flat).reshape(len(weights), v, v)
        dom = np.asarray(domain if domain is not None and len(domain) == v else range(v),
                         dtype=float)
        alphas.append(_alphas(o, level, dom))
    stacked = np.vstack(alphas)  # blocks x B
    defined = ~np.isnan(stacked)
    total = np.where(defined, stacked, 0.0).sum(axis=0)
    count = defined.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def bootstrap_alpha(counts: np.ndarray, level: str = "nominal",
                    domain: Sequence[float] | None = None,
                    blocks: Sequence[slice] | None = None, *,
                    replicates: int = REPLICATES, seed: int = SEED,
                    confidence: float = 0.95) -> tuple[float, float] | None:
    """The percentile bootstrap interval of alpha, items resampled with replacement.
    None when there are fewer than two items or alpha is undefined in most replicates."""
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[0] < 2:
        return None
    patterns, multiplicity = np.unique(counts, axis=0, return_counts=True)
    return bootstrap_patterns(patterns, multiplicity, level, domain, blocks,
                              replicates=replicates, seed=seed, confidence=confidence)


def bootstrap_patterns(patterns: np.ndarray, multiplicity: np.ndarray, level: str = "nominal",
                       domain: Sequence[float] | None = None,
                       blocks: Sequence[slice] | None = None, *,
                       replicates: int = REPLICATES, seed: int = SEED,
                       confidence: float = 0.95) -> tuple[float, float] | None:
    """:func:`bootstrap_alpha` of a table given as distinct rows and how often each occurs."""
    patterns = np.asarray(patterns)
    multiplicity = np.asarray(multiplicity, dtype=np.int64)
    total = int(multiplicity.sum())
    if total < 2 or not len(patterns):
        return None
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(total, multiplicity / total, size=replicates).astype(float)
    values = _block_alphas(_coincidences_by_block(patterns, blocks), weights, level, domain)
    values = values[~np.isnan(values)]
    if len(values) < replicates / 2:
        return None
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)
