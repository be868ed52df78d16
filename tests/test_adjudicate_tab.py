"""The adjudication tab's filter (toolkit.studio.adjudicate.tab_filters): exactly the ids
given, consecutive ids as one range, nothing matched when there is nothing to decide."""

from __future__ import annotations

from types import SimpleNamespace

from toolkit.studio.adjudicate import tab_filters
from toolkit.workflows.adjudicate import to_adjudicate


def _item(task_id, status):
    return SimpleNamespace(task_id=task_id, status=status)


def test_ids_and_runs():
    filters, shown = tab_filters([9, 3, 4, 5, 12, 4])
    assert filters["conjunction"] == "or"
    assert filters["items"] == [
        {"filter": "filter:tasks:id", "operator": "in", "type": "Number",
         "value": {"min": 3, "max": 5}},
        {"filter": "filter:tasks:id", "operator": "equal", "type": "Number", "value": 9},
        {"filter": "filter:tasks:id", "operator": "equal", "type": "Number", "value": 12},
    ]
    assert shown == [3, 4, 5, 9, 12]


def test_nothing_to_decide_matches_no_task():
    filters, shown = tab_filters([])
    assert filters["items"] == [{"filter": "filter:tasks:id", "operator": "equal",
                                 "type": "Number", "value": 0}]
    assert shown == []


def test_at_most_the_limit_of_runs():
    _, shown = tab_filters(range(1, 40, 2), limit=5)  # 20 single ids, 5 kept
    assert shown == [1, 3, 5, 7, 9]


def test_only_unresolved_items_are_adjudicated():
    items = [_item(1, "ok"), _item(2, "unresolved"), _item(3, "too_few_annotations"),
             _item(None, "unresolved"), _item(5, "unresolved")]
    assert to_adjudicate(items) == [2, 5]
