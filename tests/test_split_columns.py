"""Build deals the splits on int columns (toolkit.dataset.splits.SplitRows, build._assign):
the same assignment, cluster names and B051 findings as the per-row tuple form it replaced
(kept below as the reference), on random records with corpus marks AND text groups,
repeated unit ids, labels that compare equal across types, and a previous build."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from pathlib import Path

import numpy
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.columns import string_codes
from toolkit.dataset.build import _assign, _count_in_splits, _split_rows
from toolkit.dataset.first_pass import RunColumn
from toolkit.dataset.splits import SplitRows, _strata, assign_splits
from toolkit.findings import Report
from toolkit.schema import load_schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = load_schema(ROOT / "schemas" / "comment_stance.yaml")


# --- the reference: the per-row form build used before (str-keyed union-find) ---------

def _join_groups(pairs: Iterable[tuple[str, Hashable]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    first_group: dict[Hashable, str] = {}
    for group, cluster in pairs:
        root(group)
        if cluster is None:
            continue
        other = first_group.setdefault(cluster, group)
        a, b = root(group), root(other)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {key: root(key) for key in parent}


def _group_stratum(labels: list) -> Hashable:
    counted = Counter(label for label in labels if label is not None)
    if not counted:
        return None
    top = max(counted.values())
    return min((label for label, n in counted.items() if n == top), key=str)


def _reference(schema, rows, previous, marks, report):
    fractions = dict(schema.dataset.splits)
    marks_checked = marks is not None
    texts_checked = any(near is not None for *_, near in rows)
    marks = marks or {}
    joined = _join_groups(pair for _, unit_id, _, near in rows for pair in (
        (unit_id, ("cluster", marks.get(unit_id, unit_id))),
        (unit_id, ("text", near if near is not None else unit_id))))
    name: dict[str, str] = {}
    for unit_id, root in joined.items():
        first = marks.get(unit_id, unit_id)
        if first < name.get(root, first + "\uffff"):
            name[root] = first
    triples = [(group, name[joined[unit_id]], label) for group, unit_id, label, _ in rows]
    by_group = _join_groups((group, cluster) for group, cluster, _ in triples)
    labels: dict[str, list] = {}
    for group, _, label in triples:
        labels.setdefault(by_group[group], []).append(label)
    pinned: dict[str, str] = {}
    for group in sorted(previous):
        if group in by_group and previous[group] in fractions:
            pinned.setdefault(by_group[group], previous[group])
    dealt = assign_splits([(key, len(members), _group_stratum(members))
                           for key, members in labels.items()],
                          fractions, schema.dataset.seed, fixed=pinned)
    split_of = {group: dealt[key] for group, key in by_group.items()}
    if not (marks_checked or texts_checked):
        return split_of, None
    members: dict[str, list[str]] = defaultdict(list)
    for group, cluster, _ in triples:
        members[cluster].append(group)
    clusters = {key: groups for key, groups in members.items() if len(groups) > 1}
    spanning = sorted(((len(set(groups)), key) for key, groups in clusters.items()
                       if len(set(groups)) > 1), key=lambda pair: (-pair[0], pair[1]))
    for count, key in spanning[:5]:
        report.info("B051", key, f"near-duplicate cluster of {len(clusters[key])} items joins "
                    f"{count} `{schema.dataset.group_by}` groups",
                    "dealt as one group: all its items are in one split")
    return split_of, {
        "largest": (spanning[0][1], spanning[0][0], len({group for group, *_ in triples}))
        if spanning else None,
        "corpus": marks_checked,
        "split_threshold": schema.dataset.split_near_duplicates if texts_checked else None,
        "clusters": len(clusters),
        "items_in_clusters": sum(len(groups) for groups in clusters.values()),
        "copies": sum(len(groups) - 1 for groups in clusters.values()),
        "joining_groups": len(spanning),
    }


# --- the columns, as FirstPass keeps them (values interned with their type) ------------

def _interned(values: list) -> tuple[numpy.ndarray, list]:
    ids: dict[tuple, int] = {}
    distinct: list = []
    column = []
    for value in values:
        found = ids.setdefault((value, type(value)), len(distinct))
        if found == len(distinct):
            distinct.append(value)
        column.append(found)
    return numpy.array(column, dtype=numpy.int64), distinct


LABELS = [None, "agree", "disagree", "neutral", 1, True, 1.0, "1"]

records = st.lists(st.tuples(
    st.integers(0, 25).map(lambda n: f"c{n}"),          # unit id (repeats: duplicate tasks)
    st.integers(0, 12).map(lambda n: f"article-{n}"),   # group
    st.sampled_from(LABELS),                             # stratify label
    st.integers(0, 30),                                  # text group: an earlier record
    st.booleans(),                                       # a row (else rejected)
), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(records,
       st.one_of(st.none(), st.dictionaries(st.integers(0, 25).map(lambda n: f"c{n}"),
                                            st.sampled_from(["c0", "c3", "c7", "b9", "z1"]))),
       st.booleans(),
       st.dictionaries(st.integers(0, 12).map(lambda n: f"article-{n}"),
                       st.sampled_from(["train", "validation", "test", "gone"])),
       st.integers(0, 5))
def test_columns_deal_as_the_per_row_form_did(data, marks, with_texts, previous, seed):
    schema = SCHEMA.model_copy(update={"dataset": SCHEMA.dataset.model_copy(
        update={"seed": seed})})
    units = [unit for unit, *_ in data]
    near = numpy.array([min(earlier, i) for i, (*_, earlier, _) in enumerate(data)],
                       dtype=numpy.int64) if with_texts else None
    rows = numpy.array([i for i, (*_, row) in enumerate(data) if row], dtype=numpy.int64)
    groups, group_keys = _interned([group for _, group, *_ in data])
    labels, label_values = _interned([label for _, _, label, *_ in data])
    tuples = [(data[i][1], units[i], data[i][2], units[near[i]] if near is not None else None)
              for i in rows.tolist()]
    expected_report, report = Report(), Report()
    expected = _reference(schema, tuples, previous, marks, expected_report)

    split_rows, name_of = _split_rows(units, groups, group_keys, labels, label_values, rows,
                                      near, marks)
    got = _assign(schema, split_rows, name_of, previous, report,
                  marks_checked=marks is not None,
                  texts_checked=near is not None and len(rows) > 0)
    assert got == expected
    assert [f.line() for f in report.findings] == [f.line() for f in expected_report.findings]
    in_splits = _count_in_splits(schema, split_rows, got[0])
    assert in_splits == {name: sum(1 for group, *_ in tuples if expected[0][group] == name)
                         for name in schema.dataset.splits}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from(LABELS)), min_size=1,
                max_size=40))
def test_a_joined_groups_stratum_is_its_most_frequent_label_as_a_counter_counts(data):
    # True, 1 and 1.0 are one label (named by the first met); ties: the smallest by str,
    # then the first met ("1" and 1 print alike)
    groups = numpy.array([group for group, _ in data], dtype=numpy.int64)
    labels, label_values = _interned([label for _, label in data])
    rows = SplitRows(groups, [f"g{n}" for n in range(7)], labels, label_values)
    got = _strata(rows, groups, 7)
    expected = [_group_stratum([label for group, label in data if group == n])
                for n in range(7)]
    assert [(type(x), x) for x in got] == [(type(x), x) for x in expected]


def test_joined_naming_with_marks_and_text_groups():
    # c2 copies c1 (corpus mark), c3's text is near c2's: one cluster across three
    # articles, named by the earliest first (c1), reported once with its 3 items
    units = ["c3", "c2", "c1", "c4"]
    groups, group_keys = _interned(["a3", "a2", "a1", "a4"])
    labels, label_values = _interned(["agree", "agree", "neutral", "agree"])
    near = numpy.array([0, 0, 2, 3], dtype=numpy.int64)
    split_rows, name_of = _split_rows(units, groups, group_keys, labels, label_values,
                                      numpy.arange(4), near, {"c2": "c1"})
    report = Report()
    split_of, figures = _assign(SCHEMA, split_rows, name_of, {}, report, marks_checked=True,
                                texts_checked=True)
    assert split_of["a1"] == split_of["a2"] == split_of["a3"]
    assert figures == {"largest": ("c1", 3, 4), "corpus": True,
                       "split_threshold": SCHEMA.dataset.split_near_duplicates,
                       "clusters": 1, "items_in_clusters": 3, "copies": 2,
                       "joining_groups": 1}
    assert [f.line() for f in report.findings] == [
        "c1: info[B051 cluster-joins-groups]: near-duplicate cluster of 3 items joins 3 "
        "`article_id` groups; dealt as one group: all its items are in one split"]


def test_string_codes_tell_a_hash_collision_from_a_shared_key():
    keys = ["x", "y", "x", "z"]
    collided = numpy.array([7, 7, 7, 9], dtype=numpy.int64)  # "y" collides with "x"
    codes = string_codes(collided, keys.__getitem__).tolist()
    assert codes[0] == codes[2] and len({codes[0], codes[1], codes[3]}) == 3


# --- RunColumn: runs of equal values, interned at the end as a dict interned them --------

column_values = st.lists(st.one_of(
    st.sampled_from(["art-1", "art-2", "مقال-٣", "", "1"]),  # runs, repeats, Arabic, empty
    st.sampled_from([None, 1, True, 1.0, 0, False])), max_size=80)


@settings(max_examples=300, deadline=None)
@given(column_values)
def test_run_column_interns_as_a_dict_of_value_and_type_would(values):
    column = RunColumn()
    for value in values:
        column.append(value)
    assert len(column) == len(values)
    codes, distinct = column.interned()
    expected_codes, expected_distinct = _interned(values)
    assert codes.tolist() == expected_codes.tolist()
    assert distinct == expected_distinct
    assert [type(v) for v in distinct] == [type(v) for v in expected_distinct]
    assert [column[i] for i in range(len(values))] == values
    assert [type(column[i]) for i in range(len(values))] == [type(v) for v in values]
    assert column.distinct() == len(expected_distinct)


def test_run_column_keeps_one_run_per_article_of_consecutive_comments():
    column = RunColumn()
    for article in ["a1"] * 5 + ["a2"] * 3 + ["a1"] * 2:
        column.append(article)
    assert column.runs.tolist() == [0] * 5 + [1] * 3 + [2] * 2  # three runs, two values
    codes, distinct = column.interned()
    assert distinct == ["a1", "a2"] and codes.tolist() == [0] * 5 + [1] * 3 + [0] * 2
