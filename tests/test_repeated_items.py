"""RepeatedItems: each answer's item number made from the items' sizes when a slice is asked
for (the competence fits' answers come item by item), never held whole; the fits and the
competence figures on it equal those on the whole array, to the bit."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.review.competence import competence, competence_multi
from toolkit.rules.dawid_skene import (
    Answers,
    RepeatedItems,
    binary_relevance_coded,
    dawid_skene,
    one_coin_dawid_skene,
)


@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.integers(0, 6), min_size=1, max_size=40), data=st.data())
def test_slices_and_answers_are_those_of_the_repeated_array(sizes, data):
    sizes_array = np.array(sizes, dtype=np.int8)
    whole = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes_array)
    items = RepeatedItems(sizes_array)
    assert len(items) == len(whole)
    first = data.draw(st.integers(-3, len(whole) + 3))
    end = data.draw(st.integers(-3, len(whole) + 3))
    got = items[first:end]
    assert got.dtype == np.int32
    assert np.array_equal(got, whole[first:end])
    assert np.array_equal(items[first:], whole[first:])
    if len(whole):
        answer = data.draw(st.integers(-len(whole), len(whole) - 1))
        assert items[answer] == whole[answer]
        assert items.max() == whole.max()


def test_an_answer_out_of_range_or_a_stepped_slice_is_refused():
    items = RepeatedItems(np.array([2, 1], dtype=np.int8))
    with pytest.raises(IndexError):
        items[3]
    with pytest.raises(TypeError):
        items[::2]
    with pytest.raises(ValueError):
        RepeatedItems(np.zeros(3, dtype=np.int8)).max()


def _coded(seed: int = 3, n_items: int = 20_000, k: int = 3):
    """Answers in item order, coded: 1 to 4 answers an item, 12 annotators of mixed skill."""
    rng = random.Random(seed)
    skill = [rng.uniform(0.4, 0.95) for _ in range(12)]
    sizes, annotator, label = [], [], []
    for _ in range(n_items):
        truth = rng.randrange(k)
        who = rng.sample(range(12), rng.randint(1, 4))
        sizes.append(len(who))
        for w in who:
            annotator.append(w)
            label.append(truth if rng.random() < skill[w] else rng.randrange(k))
    return (np.array(sizes, dtype=np.int8), np.array(annotator, dtype=np.int8),
            np.array(label, dtype=np.int8))


def _same_model(a, b) -> None:
    assert a.iterations == b.iterations
    assert np.array_equal(a.priors, b.priors)
    assert np.array_equal(a.confusion, b.confusion)
    assert np.array_equal(a.posteriors, b.posteriors)
    assert np.array_equal(a.chosen, b.chosen)


@pytest.mark.parametrize("fit", [dawid_skene, one_coin_dawid_skene])
def test_a_fit_on_repeated_items_equals_the_fit_on_the_whole_array(fit):
    sizes, annotator, label = _coded()
    whole = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    items, annotators, labels = range(len(sizes)), [f"a{w}" for w in range(12)], [0, 1, 2]
    held = fit(Answers(items, annotators, labels, whole, annotator, label))
    made = fit(Answers(items, annotators, labels, RepeatedItems(sizes), annotator, label))
    _same_model(held, made)
    gold = {item: 0 for item in range(0, len(sizes), 7)}  # answer by answer: items[item[a]]
    assert competence(held, gold=gold) == competence(made, gold=gold)


def test_binary_relevance_on_repeated_items_equals_it_on_the_whole_array():
    sizes, annotator, vote = _coded(seed=9, k=4)  # vote: the code of one of four label sets
    table = np.array([[False, False], [True, False], [False, True], [True, True]])
    whole = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    items, annotators = range(len(sizes)), [f"a{w}" for w in range(12)]

    def base(item):
        return Answers(items, annotators, [False, True], item, annotator,
                       np.broadcast_to(np.int8(0), (len(annotator),)))

    held = binary_relevance_coded(base(whole), table, ["insult", "threat"], vote=vote)
    made = binary_relevance_coded(base(RepeatedItems(sizes)), table, ["insult", "threat"],
                                  vote=vote)
    for name in ("insult", "threat"):
        _same_model(held.models[name], made.models[name])
    assert competence_multi(held) == competence_multi(made)
