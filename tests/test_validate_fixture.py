"""validate / aggregate / agree on a snapshot captured from a REAL Label Studio 1.23.2
(written by tests/test_validate_integration.py with CORPUS_CAPTURE_FIXTURES=1): the
export's exact shape, with one deliberate error of each kind."""

from __future__ import annotations

from pathlib import Path

from annotation_builders import schema

from toolkit.review import agreement_for_snapshot, validate_snapshot
from toolkit.review.aggregate import aggregate_task
from toolkit.studio.snapshot import open_snapshot

HERE = Path(__file__).parent / "data" / "snapshots"
SNAPSHOT = HERE / "ls_1.23.2_errors.json"
CORPUS = HERE / "ls_1.23.2_errors.corpus.jsonl"


def _schema():
    return schema().model_copy(update={"name": "validate_it", "title": "Validate integration"})


def test_real_export_findings():
    report = validate_snapshot(SNAPSHOT, _schema(), corpus=CORPUS)
    found = sorted((f.code, f.task_key.split(":")[1]) for f in report.findings)
    assert found == sorted([
        ("V001", "k01"), ("V002", "k02"), ("V003", "k03"), ("V004", "k04"), ("V005", "k05"),
        ("V006", "k06"), ("V007", "k07"), ("V008", "k08"), ("V009", "k09"), ("V010", "k10"),
        ("V013", "k11"), ("V015", "k12"), ("V014", "k12"), ("V016", "k13"), ("V011", "k14"),
    ])
    assert report.counts["tasks"] == 14 and report.counts["cancelled"] == 1
    assert report.counts["drafts"] == 1 and report.counts["submitted"] == 42


def test_real_export_header_hash_differs_says_older_version():
    s = _schema()
    s = s.model_copy(update={"version": "2"})  # another content hash than the header's
    report = validate_snapshot(SNAPSHOT, s)
    unknown = [f for f in report.findings if f.code == "V001"]
    assert len(unknown) == 1 and "older schema version" in unknown[0].message
    assert report.findings[0].code == "V020"


def test_real_export_aggregates():
    s = _schema()
    items = {t["data"]["unit_id"]: aggregate_task(t, s) for t in open_snapshot(SNAPSHOT).tasks()}
    assert items["k11"].n_annotators == 3  # annotator a twice counts once
    assert items["k12"].n_annotators == 2 and items["k12"].cancelled == 1
    assert items["k13"].drafts == 1 and items["k13"].labels["stance"] == "agree"
    assert all(item.labels["stance"] == "agree" for item in items.values())
    assert items["k01"].provenance["stance"] == "unanimous"
    agreement = agreement_for_snapshot(SNAPSHOT, s)
    stance = next(q for q in agreement.questions if q.question == "stance")
    # k04: annotator a left stance unanswered, so 13 of 14 items agree fully
    assert stance.items == 14 and round(stance.full_agreement, 2) == round(1300 / 14, 2)
