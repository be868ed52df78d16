"""The report's predicted build outcomes: a unit's later tasks are build's duplicate_task,
found after the read from hashes and keys (toolkit.html_report.outcomes), counted as
checking each key as it comes would."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.html_report import outcomes as module
from toolkit.html_report.outcomes import PredictedOutcomes

OUTCOMES = [("in the dataset", None), ("not yet annotated", None),
            ("rejected: unresolved", ("unresolved", "no agreed answer for: stance")),
            ("rejected: invalid", ("invalid", "V002 unknown-label"))]


def _as_they_come(tasks):
    """The reference: a set of the keys seen, checked before anything else."""
    seen, predicted, detail = set(), Counter(), Counter()
    for key, (outcome, why) in tasks:
        if key in seen:
            predicted["rejected: duplicate_task"] += 1
            detail[("duplicate_task", "a second task for a unit already seen")] += 1
            continue
        seen.add(key)
        predicted[outcome] += 1
        if why is not None:
            detail[why] += 1
    return predicted, detail


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["c1", "c2", "c22", "ج٣", "task:7", ""]),
                          st.sampled_from(OUTCOMES)), max_size=40),
       st.booleans())
def test_counts_are_those_of_checking_each_key_as_it_comes(tasks, collide):
    outcomes = PredictedOutcomes()
    if collide:  # every key of one length shares a hash: only equal keys are repeats
        outcomes_hash = len
    else:
        outcomes_hash = hash
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "hash", outcomes_hash, raising=False)
        for key, (outcome, why) in tasks:
            outcomes.add(key, outcome, why)
        predicted, detail = _as_they_come(tasks)
        assert outcomes.predicted == predicted
        assert outcomes.rejected_detail == detail


def test_repeats_are_the_later_tasks_of_a_key(monkeypatch):
    monkeypatch.setattr(module, "hash", lambda key: 0, raising=False)  # all collide
    outcomes = PredictedOutcomes()
    for key in ["a", "b", "a", "c", "b", "a"]:
        outcomes.add(key, "in the dataset")
    assert outcomes.repeats() == [2, 4, 5]
    assert outcomes.predicted == Counter({"in the dataset": 3,
                                          "rejected: duplicate_task": 3})
    with pytest.raises(RuntimeError, match="already counted"):
        outcomes.add("d", "in the dataset")
