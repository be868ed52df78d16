"""Split assignment: grouped, stratified where possible, deterministic."""

from __future__ import annotations

import random
from collections import Counter

import numpy

from toolkit.dataset.splits import SplitRows, _strata, assign_splits

FRACTIONS = {"train": 0.8, "validation": 0.1, "test": 0.1}


def groups(n: int = 500):
    rng = random.Random(1)
    return [(f"article-{i}", rng.randint(1, 6), rng.choice(["agree", "disagree", "neutral"]))
            for i in range(n)]


def test_same_assignment_whatever_the_input_order():
    data = groups()
    shuffled = list(data)
    random.Random(2).shuffle(shuffled)
    assert assign_splits(data, FRACTIONS, 42) == assign_splits(shuffled, FRACTIONS, 42)
    assert assign_splits(data, FRACTIONS, 42) != assign_splits(data, FRACTIONS, 43)


def test_fractions_are_met_overall_and_per_stratum():
    data = groups()
    assignment = assign_splits(data, FRACTIONS, 42)
    overall: Counter = Counter()
    per_stratum: dict[str, Counter] = {}
    for key, size, stratum in data:
        overall[assignment[key]] += size
        per_stratum.setdefault(stratum, Counter())[assignment[key]] += size
    total = sum(overall.values())
    for name, fraction in FRACTIONS.items():
        assert abs(overall[name] / total - fraction) < 0.02
        for counts in per_stratum.values():
            assert abs(counts[name] / sum(counts.values()) - fraction) < 0.04


def test_small_datasets_still_fill_every_split():
    assignment = assign_splits([(f"a{i}", 1, None) for i in range(10)], FRACTIONS, 0)
    assert Counter(assignment.values()) == {"train": 8, "validation": 1, "test": 1}


def group_stratum(labels: list) -> object:
    """The stratum build deals a group of rows with these labels under."""
    values = list(dict.fromkeys(labels))
    ids = numpy.array([values.index(label) for label in labels], dtype=numpy.int64)
    rows = SplitRows(numpy.zeros(len(labels), dtype=numpy.int64), ["g"], ids, values)
    return _strata(rows, rows.groups, 1)[0]


def test_group_stratum_is_the_most_frequent_label():
    assert group_stratum(["agree", "neutral", "agree", None]) == "agree"
    assert group_stratum(["neutral", "agree"]) == "agree"  # tie: the smallest
    assert group_stratum([None, None]) is None


def test_small_data_still_fills_every_split_when_there_are_enough_groups():
    """The demo's case: six articles, 80/10/10 -> the share rule alone left test empty."""
    small = [("a", 5, "agree"), ("b", 4, "agree"), ("c", 4, "disagree"), ("d", 3, "neutral"),
             ("e", 1, "agree"), ("f", 1, "neutral")]
    for seed in range(20):
        assignment = assign_splits(small, FRACTIONS, seed)
        assert set(assignment.values()) == set(FRACTIONS), seed
        assert Counter(assignment.values())["train"] == 4


def test_fewer_groups_than_splits_leaves_the_extra_split_empty():
    assignment = assign_splits([("a", 3, None), ("b", 2, None)], FRACTIONS, 7)
    assert sorted(assignment) == ["a", "b"]
    assert len(set(assignment.values())) == 2


def test_fixed_groups_keep_their_split_and_new_ones_fill_the_shares():
    data = groups(500)
    before = assign_splits(data[:100], FRACTIONS, 42)
    after = assign_splits(data, FRACTIONS, 42, fixed=before)
    assert {key: after[key] for key in before} == before
    overall: Counter = Counter()
    for key, size, _ in data:
        overall[after[key]] += size
    total = sum(overall.values())
    for name, fraction in FRACTIONS.items():
        assert abs(overall[name] / total - fraction) < 0.02
    # without the previous assignment some earlier groups would have moved
    fresh = assign_splits(data, FRACTIONS, 42)
    assert any(fresh[key] != split for key, split in before.items())
    # unknown split names in ``fixed`` are ignored; pinned groups never fill an empty split
    assert assign_splits([("a", 3, None)], FRACTIONS, 7, fixed={"a": "dev"}) == {"a": "train"}
    pinned = assign_splits([("a", 3, None), ("b", 2, None)], FRACTIONS, 7,
                           fixed={"a": "train", "b": "train"})
    assert pinned == {"a": "train", "b": "train"}
