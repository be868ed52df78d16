"""Property: validate never crashes on random snapshot-shaped JSON (findings or SnapshotError)."""

from __future__ import annotations

import orjson
from annotation_builders import schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.aggregate import aggregate_task
from toolkit.agreement import compute_agreement
from toolkit.errors import SnapshotError
from toolkit.validate import validate_snapshot, validate_tasks

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
