"""Property: validate never crashes on random snapshot-shaped JSON (findings or SnapshotError)."""

from __future__ import annotations

import orjson
from annotation_builders import schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import SnapshotError
from toolkit.review import validate_snapshot
from toolkit.review.aggregate import aggregate_task
from toolkit.review.agreement import compute_agreement
from toolkit.review.validate import validate_tasks

SCHEMA = schema()
NAMES = st.sampled_from(["stance", "sentiment", "offensive", "sarcasm", "sarcasm_target",
                         "intensity", "targets", "note", "unknown"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 40), st.floats(allow_nan=True),
                    st.text(max_size=8), st.sampled_from(["agree", "yes", "no", "person"]))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)
values = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={
        "choices": st.one_of(st.lists(scalars, max_size=3), scalars),
        "start": st.one_of(st.integers(-3, 30), scalars), "end": st.one_of(st.integers(-3, 30),
                                                                         scalars),
        "text": st.one_of(st.text(max_size=10), st.lists(scalars, max_size=2), scalars),
        "labels": st.one_of(st.lists(scalars, max_size=2), scalars),
        "rating": scalars,
    }),
)
results = st.one_of(json_values, st.fixed_dictionaries(
    {"from_name": st.one_of(NAMES, scalars), "value": values},
    optional={"type": st.text(max_size=6), "to_name": scalars}))
annotations = st.one_of(json_values, st.fixed_dictionaries(
    {"id": scalars, "result": st.one_of(st.lists(results, max_size=5), json_values)},
    optional={"completed_by": st.one_of(scalars, st.dictionaries(
        st.sampled_from(["id", "email"]), scalars)), "was_cancelled": scalars,
        "ground_truth": scalars}))
tasks = st.one_of(json_values, st.fixed_dictionaries(
    {"id": scalars, "data": st.one_of(json_values, st.fixed_dictionaries(
        {"text": st.one_of(st.text(max_size=20), scalars)},
        optional={"corpus_key": scalars}))},
    optional={"annotations": st.one_of(st.lists(annotations, max_size=4), json_values),
              "drafts": st.one_of(st.lists(json_values, max_size=2), json_values)}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tasks, max_size=4))
def test_validate_aggregate_agree_never_crash(task_list):
    report = validate_tasks(task_list, SCHEMA)
    assert report.exit_code in (0, 1)
    assert all(f.code.startswith("V") for f in report.findings)
    dict_tasks = [t for t in task_list if isinstance(t, dict)]
    for t in dict_tasks:
        aggregate_task(t, SCHEMA)
    compute_agreement(dict_tasks, SCHEMA)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=60), json_values.map(orjson.dumps)))
def test_validate_file_gives_findings_or_snapshot_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("snap") / "s.json"
    path.write_bytes(content)
    try:
        validate_snapshot(path, SCHEMA)
    except SnapshotError as exc:
        assert str(exc).startswith(str(path))


# Build reads each result once: the validator collects the answers of well-formed
# annotations, and aggregation reuses them. They must be exactly extract_answers'.
TEXT = "قال الوزير 😂 في القاهرة كلام"
good_values = {
    "stance": st.sampled_from([{"choices": ["agree"]}, {"choices": ["neutral"]},
                               {"choices": ["agree", "disagree"]}, {"choices": ["nope"]}]),
    "sentiment": st.sampled_from([{"choices": ["mixed"]}, {"choices": []}, {"choices": "mixed"}]),
    "offensive": st.lists(st.sampled_from(["threat", "insult", "profanity", "bogus"]),
                          max_size=3).map(lambda c: {"choices": c}),
    "sarcasm": st.sampled_from([{"choices": ["yes"]}, {"choices": ["no"]}, {"choices": ["x"]}]),
    "sarcasm_target": st.sampled_from([{"choices": ["person"]}, {"choices": ["group"]}]),
    "intensity": st.sampled_from([{"rating": 3}, {"rating": 9}, {"rating": 2.0}, {"rating": "4"}]),
    "note": st.sampled_from([{"text": ["ok"]}, {"text": "a"}, {"text": [""]}, {"text": ["a", 1]},
                             {"text": [" "]}]),
    "targets": st.builds(
        lambda start, length, label, shift: {
            "start": start + shift, "end": start + length + shift,
            "text": TEXT[start:start + length], "labels": [label]},
        st.integers(0, len(TEXT) - 1), st.integers(0, 6),
        st.sampled_from(["person", "place", "bogus"]), st.sampled_from([0, 0, 0, 1])),
}
good_results = st.one_of(*[
    st.builds(lambda name, value: {"from_name": name, "value": value}, st.just(name), value)
    for name, value in good_values.items()
], st.just({"from_name": "unknown", "value": {}}), st.just("junk"))
good_annotations = st.builds(
    lambda ident, who, result, gold, cancelled: {
        "id": ident, "completed_by": who, "result": result, "ground_truth": gold,
        "was_cancelled": cancelled},
    st.integers(1, 50), st.integers(1, 4), st.lists(good_results, max_size=7),
    st.booleans(), st.sampled_from([False, False, False, True]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(good_annotations, max_size=5))
def test_collected_answers_equal_extract_answers(annotations):
    from toolkit.review.answers import extract_answers
    from toolkit.review.records import parse_task
    from toolkit.review.validate import task_validator

    task = {"id": 1, "data": {"corpus_key": "comment_stance:c1", "text": TEXT},
            "annotations": annotations}
    record = parse_task(task)
    checker = task_validator(SCHEMA)
    checker.collect = True
    checker.task(record)
    for annotation in record.annotations or ():
        if annotation is None or annotation.answers is None:
            continue  # not collected: aggregation extracts it
        expected = extract_answers(annotation.raw["result"], SCHEMA, task["data"])
        assert annotation.answers == expected
        assert {k: type(v) for k, v in annotation.answers.items()} == {
            k: type(v) for k, v in expected.items()}
    assert aggregate_task(record, SCHEMA) == aggregate_task(task, SCHEMA)


def test_collected_answers_cover_clean_annotations():
    """The clean case is collected (else build would silently extract twice)."""
    from toolkit.review.validate import task_validator

    task = {"id": 1, "data": {"corpus_key": "comment_stance:c1", "text": TEXT},
            "annotations": [{"id": 1, "completed_by": 1, "result": [
                {"from_name": "stance", "value": {"choices": ["agree"]}},
                {"from_name": "offensive", "value": {"choices": ["threat", "insult"]}},
                {"from_name": "sarcasm", "value": {"choices": ["yes"]}},
                {"from_name": "intensity", "value": {"rating": 4}},
                {"from_name": "note", "value": {"text": ["a", "b"]}},
                {"from_name": "targets", "value": {"start": 16, "end": 23, "text": "القاهرة",
                                                   "labels": ["place"]}},
                {"from_name": "targets", "value": {"start": 4, "end": 10, "text": "الوزير",
                                                   "labels": ["person"]}},
            ]}]}
    from toolkit.review.records import parse_task

    record = parse_task(task)
    checker = task_validator(SCHEMA)
    checker.collect = True
    checker.task(record)
    [annotation] = record.annotations or []
    assert annotation is not None
    answers = annotation.answers
    assert answers == {
        "stance": "agree", "offensive": ("insult", "threat"), "sarcasm": True, "intensity": 4,
        "note": "a\nb",
        "targets": ((4, 10, "person", "الوزير"), (16, 23, "place", "القاهرة")),
    }
