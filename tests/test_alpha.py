"""toolkit.review.alpha is the krippendorff package's figure (the reference), to the bit;
and the agreement figures computed a chunk of pairs at a time are the same."""

from __future__ import annotations

import itertools
import warnings

import krippendorff
import numpy as np
import pytest
from report_simulation import SCHEMA, simulate_snapshot

from toolkit.review import agreement, agreement_for_snapshot
from toolkit.review.agreement import _Entries
from toolkit.review.alpha import NO_DOMAIN, NO_PAIR, alpha, coincidences
from toolkit.schema import load_schema


def _reference(counts: np.ndarray, domain: np.ndarray, level: str) -> float | str:
    try:
        return float(krippendorff.alpha(value_counts=counts, value_domain=domain,
                                        level_of_measurement=level))
    except ValueError as exc:
        return str(exc)


def _ours(counts: np.ndarray, domain: np.ndarray, level: str) -> float | str:
    try:
        return alpha(counts, domain, level)
    except ValueError as exc:
        return str(exc)


def _random_counts(rng: np.random.Generator, units: int, values: int, coders: int,
                   missing: float) -> np.ndarray:
    """units x values counts of a coders x units reliability matrix with missing values."""
    data = rng.integers(0, values, size=(coders, units))
    given = rng.random((coders, units)) >= missing
    return np.stack([((data == v) & given).sum(axis=0) for v in range(values)], axis=1)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
@pytest.mark.parametrize("seed", range(8))
def test_alpha_equals_the_package_on_random_data(level, seed):
    rng = np.random.default_rng(seed)
    for units in (1, 7, 300, 20_000):
        values = int(rng.integers(2, 8))
        counts = _random_counts(rng, units, values, coders=int(rng.integers(2, 9)),
                                missing=float(rng.random() * 0.8))
        domain = np.arange(values, dtype=float) * float(rng.choice([1.0, 0.5, 3.7]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 when all agree by chance
            expected, got = _reference(counts, domain, level), _ours(counts, domain, level)
        if isinstance(expected, str) or np.isnan(expected):
            assert got == expected or (isinstance(got, float) and np.isnan(got))
        else:
            assert got == pytest.approx(expected, abs=1e-12)
            assert got == expected  # in fact the same float: same terms, same order


def test_alpha_on_krippendorff_example_and_reliability_data():
    # the package's docstring example, 3 coders x 15 units, missing values as nan
    data = np.array([
        [np.nan, np.nan, np.nan, np.nan, np.nan, 3, 4, 1, 2, 1, 1, 3, 3, np.nan, 3],
        [1, np.nan, 2, 1, 3, 3, 4, 3, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
        [np.nan, np.nan, 2, 1, 3, 4, 4, np.nan, 2, 1, 1, 3, 3, np.nan, 4]])
    domain = np.array([1.0, 2.0, 3.0, 4.0])
    counts = np.stack([(data == v).sum(axis=0) for v in domain], axis=1)
    assert round(alpha(counts, domain, "nominal"), 6) == 0.691358
    assert round(alpha(counts, domain, "interval"), 6) == 0.810845
    for level in ("nominal", "ordinal", "interval"):
        assert alpha(counts, domain, level) == pytest.approx(
            krippendorff.alpha(reliability_data=data, value_domain=domain,
                               level_of_measurement=level), abs=1e-12)


def test_coincidences_are_the_standard_formula():
    counts = np.array([[2, 1, 0], [0, 0, 3], [1, 0, 0], [1, 1, 1]])
    # o_ck = sum_u (n_uc n_uk - [c == k] n_uc) / (m_u - 1); a unit with one value adds 0
    expected = np.array([[2 / 2 + 0 + 0 + 0, 2 / 2 + 1 / 2, 1 / 2],
                         [2 / 2 + 1 / 2, 0 + 0 / 2, 1 / 2],
                         [1 / 2, 1 / 2, 6 / 2]])
    assert np.array_equal(coincidences(counts), expected)


def test_refusals_carry_the_package_messages():
    with pytest.raises(ValueError, match=NO_DOMAIN):
        alpha(np.array([[3], [2]]), np.array([0]))
    with pytest.raises(ValueError, match=NO_PAIR):
        alpha(np.array([[1, 0], [0, 1]]), np.array([0, 1]))
    assert _ours(np.array([[1, 0], [0, 1]]), np.array([0, 1]), "nominal") == _reference(
        np.array([[1, 0], [0, 1]]), np.array([0, 1]), "nominal")


def test_agreement_figures_do_not_depend_on_the_pair_chunks(tmp_path, monkeypatch):
    # the per-pair counts (Cohen's kappa, multi choice Cohen, span F1) are summed a chunk
    # of pairs at a time: the same figures with chunks of 5 pairs as with one chunk
    snapshot = simulate_snapshot(tmp_path / "snapshot.json", tasks=300, annotators=9)
    schema = load_schema(SCHEMA)
    whole = agreement_for_snapshot(snapshot, schema).to_dict()
    monkeypatch.setattr(agreement, "_CHUNK", 5)
    chunked = agreement_for_snapshot(snapshot, schema).to_dict()
    assert chunked == whole
    stance = next(q for q in whole["questions"] if q["question"] == "stance")
    assert stance["alpha"] is not None and len(stance["cohen_kappa"]) > 10


@pytest.mark.parametrize("step", [1 << 20, 7])
@pytest.mark.parametrize("size_type", [np.int64, np.int8])
def test_entries_pairs_are_every_two_annotators_of_an_item_in_name_order(
        monkeypatch, step, size_type):
    # _Entries makes its pairs in int32 a chunk of items at a time (one item a chunk with a
    # step of 7 pairs), from sizes as the collector keeps them (one byte each): check them
    # against the definition (each item's annotators two by two, the first the earlier)
    monkeypatch.setattr(agreement, "_CHUNK", step)
    rng = np.random.default_rng(5)
    names = [f"a{k:02d}" for k in range(12)]
    sizes = rng.integers(2, 6, size=200)
    annotator = np.concatenate([rng.choice(12, size=s, replace=False) for s in sizes])
    entries = _Entries(sizes.astype(size_type), annotator.astype(np.int64), names)
    assert entries.starts.tolist() == np.concatenate(([0], np.cumsum(sizes)[:-1])).tolist()
    expected, start = [], 0
    for size in sizes:
        for i, j in itertools.combinations(range(start, start + size), 2):
            a, b = sorted((int(annotator[i]), int(annotator[j])))
            expected.append((a * 12 + b, i, j))
        start += size
    got = sorted((key, f, s) for first, second in entries.pairs()
                 for key, f, s in zip(entries.keys_of(first, second).tolist(), first.tolist(),
                                      second.tolist(), strict=True))
    want = sorted((key, min(i, j, key=lambda e: annotator[e]),
                   max(i, j, key=lambda e: annotator[e])) for key, i, j in expected)
    assert got == want
    assert entries.pair_keys.tolist() == sorted({key for key, *_ in want})
    assert all(annotator[f] < annotator[s] for _, f, s in got)
