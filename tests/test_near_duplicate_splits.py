"""No near-duplicate cluster straddles two splits: the split groups are the union of the
schema's groups and the clusters (toolkit.dataset.splits.assign_joined_splits, build)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy
import pyarrow.parquet as pq
import pytest
import yaml
from dataset_fixture import make_inputs
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.corpus import read_corpus, write_corpus
from toolkit.dataset import build_dataset
from toolkit.dataset.build import _assign, _split_rows
from toolkit.dataset.splits import assign_joined_splits
from toolkit.findings import Report
from toolkit.ingest.near_duplicates import split_groups
from toolkit.schema import load_schema

FRACTIONS = {"train": 0.8, "validation": 0.1, "test": 0.1}

items = st.lists(
    st.tuples(
        st.integers(0, 40).map(lambda n: f"article-{n}"),
        st.one_of(st.none(), st.integers(0, 15).map(lambda n: f"cluster-{n}")),
        st.sampled_from([None, "agree", "disagree", "neutral"]),
    ),
    min_size=1, max_size=300,
)


@settings(max_examples=200, deadline=None)
@given(items, st.integers(0, 2**31), st.dictionaries(
    st.integers(0, 40).map(lambda n: f"article-{n}"), st.sampled_from(list(FRACTIONS))))
def test_no_cluster_straddles_two_splits_on_random_corpora(data, seed, previous):
    split_of, joined = assign_joined_splits(data, FRACTIONS, seed, fixed=previous)
    assert set(split_of) == {group for group, _, _ in data}
    seen: dict[str, str] = {}
    for group, cluster, _ in data:
        if cluster is not None:
            assert seen.setdefault(cluster, split_of[group]) == split_of[group]
    # Groups no cluster joins keep the previous build's split.
    for group, split in previous.items():
        if group in joined and joined[group] == group and all(
                joined[g] != group for g in joined if g != group):
            assert split_of[group] == split


ROOT = Path(__file__).resolve().parent.parent


def test_joined_groups_are_transitive():
    _, joined = assign_joined_splits([("a", "x", None), ("b", "x", None), ("b", "y", None),
                                      ("c", "y", None), ("d", None, None)], FRACTIONS, 0)
    assert joined == {"a": "a", "b": "a", "c": "a", "d": "d"}


def test_build_deals_a_cluster_as_one_and_says_so(tmp_path):
    schema, corpus, snapshot = make_inputs(tmp_path)
    marks = {"a2-1": "a1-1", "a3-1": "a1-1", "a5-1": "a4-2", "a6-1": "a2-3"}
    articles = [replace(a, comments=tuple(replace(c, duplicate_of=marks.get(c.id))
                                          for c in a.comments)) for a in read_corpus(corpus)]
    write_corpus(corpus, articles)
    result = build_dataset(snapshot, schema, out=tmp_path / "ds", corpus=corpus)
    split_of = {}
    for files in result.splits:
        for path in files.paths:
            for row in pq.read_table(tmp_path / "ds" / path).to_pylist():
                split_of[row["comment_id"]] = files.name
    for copy, first in marks.items():
        assert split_of[copy] == split_of[first]
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert ("3 clusters holding 7 items (4 copies); 3 clusters join several `article_id` "
            "groups") in card
    assert sorted(f.line() for f in result.report.findings if f.code == "B051") == [
        "a1-1: info[B051 cluster-joins-groups]: "
        "near-duplicate cluster of 3 items joins 3 `article_id` groups; "
        "dealt as one group: all its items are in one split",
        "a2-3: info[B051 cluster-joins-groups]: "
        "near-duplicate cluster of 2 items joins 2 `article_id` groups; "
        "dealt as one group: all its items are in one split",
        "a4-2: info[B051 cluster-joins-groups]: "
        "near-duplicate cluster of 2 items joins 2 `article_id` groups; "
        "dealt as one group: all its items are in one split",
    ]


def test_build_without_the_corpus_still_groups_near_duplicate_texts(tmp_path):
    schema, _, snapshot = make_inputs(tmp_path)
    result = build_dataset(snapshot, schema, out=tmp_path / "ds")
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "The corpus file was not given: no copy names its cluster's first comment" in card
    assert "at the looser Jaccard 0.5 (recall first" in card
    assert result.splits  # built


def test_a_copy_not_pushed_gets_its_first_comments_labels_in_its_own_row(tmp_path):
    schema, corpus, snapshot = make_inputs(tmp_path)
    # a6-2 and a6-3 were never pushed; a6-2 copies a6-1 (resolved: agree) under its article.
    marks = {"a6-2": "a6-1", "a2-1": "a1-1"}
    write_corpus(corpus, [replace(a, comments=tuple(replace(c, duplicate_of=marks.get(c.id))
                                                    for c in a.comments))
                          for a in read_corpus(corpus)])
    result = build_dataset(snapshot, schema, out=tmp_path / "ds", corpus=corpus)
    rows = {}
    for files in result.splits:
        for path in files.paths:
            for row in pq.read_table(tmp_path / "ds" / path).to_pylist():
                rows[row["comment_id"]] = (files.name, row)
    split, copy = rows["a6-2"]
    first_split, first = rows["a6-1"]
    assert (copy["stance"], copy["stance_provenance"], copy["duplicate_of"],
            copy["n_annotators"], copy["annotations"]) == (first["stance"], "duplicate", "a6-1",
                                                           0, [])
    assert copy["text"] == "ثاني تعليق" and split == first_split
    assert rows["a2-1"][1]["duplicate_of"] == "a1-1"  # pushed (another article): annotated
    assert rows["a2-1"][1]["stance_provenance"] != "duplicate"
    assert rows["a1-1"][1]["duplicate_of"] is None and "a6-3" not in rows
    assert result.balance.copies == 1 and result.balance.adds_up
    assert ("near-duplicate copies not pushed, in the splits with their first comment's "
            "labels: 1") in result.balance.lines()


BASES = [
    "الحكومة لم تفعل شيئا للمواطن البسيط منذ سنوات والاسعار ترتفع كل يوم بلا رقيب",
    "المنتخب لعب مباراة رائعة امس والجمهور كان في الموعد رغم البرد الشديد في الملعب",
    "هذا المقال يكشف الحقيقة التي يخفيها الاعلام عن الناس منذ زمن طويل جدا",
    "اتمنى ان يتم اصلاح الطرق في قريتنا قبل الشتاء القادم لان الوضع صعب",
]
EDITS = [
    lambda t: t.replace("ة", "ه"), lambda t: t.replace("ي", "ى"), lambda t: t + " 😡😡",
    lambda t: "للاسف " + t, lambda t: t + " وهذا هو الواقع", lambda t: t.replace(" ", "  "),
    lambda t: t.replace("ا", "أ", 1), lambda t: t + "!!!", lambda t: t.replace("ل", "لـــ", 1),
]


SCHEMA = load_schema(ROOT / "schemas" / "comment_stance.yaml")


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(BASES) - 1),
                          st.lists(st.integers(0, len(EDITS) - 1), min_size=1, max_size=3)),
                min_size=2, max_size=12),
       st.integers(0, 3))
def test_no_near_duplicate_pair_is_ever_in_two_splits(copies, seed):
    # each base text and its edited copies, every one under an article of its own
    texts = list(BASES)
    family = list(range(len(BASES)))
    for base, edits in copies:
        text = BASES[base]
        for edit in edits:
            text = EDITS[edit](text)
        texts.append(text)
        family.append(base)
    near = split_groups(texts)
    units = [f"a{n}-1" for n in range(len(texts))]
    schema = SCHEMA.model_copy(update={"dataset": SCHEMA.dataset.model_copy(
        update={"seed": seed})})
    count = len(texts)
    rows, name_of = _split_rows(units, numpy.arange(count), [f"a{n}" for n in range(count)],
                                numpy.zeros(count, dtype=numpy.int64), [None],
                                numpy.arange(count), numpy.asarray(near), None)
    split_of, _ = _assign(schema, rows, name_of, {}, Report(), marks_checked=False,
                          texts_checked=True)
    for i in range(len(texts)):
        for j in range(i):
            if family[i] == family[j]:
                assert split_of[f"a{i}"] == split_of[f"a{j}"], (texts[i], texts[j])


def test_split_near_duplicates_is_a_threshold_in_0_1_or_null(tmp_path):
    from toolkit.dataset.build import _text_groups
    from toolkit.errors import InputError

    data = yaml.safe_load((ROOT / "schemas" / "comment_stance.yaml").read_text(encoding="utf-8"))
    for value, grouped in ((None, False), (0.6, True)):
        data["dataset"]["split_near_duplicates"] = value
        path = tmp_path / f"s{value}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        groups = _text_groups(load_schema(path))
        assert (groups is not None) == grouped
        if groups is not None:
            assert groups.threshold == 0.6
            groups.close()
    data["dataset"]["split_near_duplicates"] = 0
    path = tmp_path / "zero.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="split_near_duplicates"):
        load_schema(path)
