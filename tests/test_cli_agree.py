"""`corpus agree`: tables on stdout, --unresolved JSONL, --json."""

from __future__ import annotations

import json

import pytest
from annotation_builders import SCHEMA_PATH, annotation, choice, task

from toolkit.cli import main
from toolkit.studio.snapshot import write_snapshot


def test_agree_prints_alpha_and_writes_unresolved(tmp_path, capsys):
    rows = [("agree", "agree", "agree"), ("agree", "disagree", "neutral"),
            ("disagree", "disagree", "agree")]
    tasks = [task(i, "نص", [annotation(10 * i + k, k, [choice("stance", v)])
                             for k, v in enumerate(row, start=1)])
             for i, row in enumerate(rows, start=1)]
    snap = tmp_path / "snap.json"
    write_snapshot(snap, {}, tasks)
    unresolved, report = tmp_path / "unresolved.jsonl", tmp_path / "agree.json"
    code = main(["agree", str(snap), "-s", str(SCHEMA_PATH), "--unresolved", str(unresolved),
                 "--json", str(report)])
    assert code == 0
    out = capsys.readouterr().out
    assert "3 items with 2+ annotators" in out and "stance" in out
    lines = [json.loads(line) for line in unresolved.read_text(encoding="utf-8").splitlines()]
    assert lines == [{"corpus_key": "comment_stance:c2", "task_id": 2, "status": "unresolved",
                      "question": "stance", "reason": "no agreed answer for: stance",
                      "answers": {"1": "agree", "2": "disagree", "3": "neutral"}}]
    data = json.loads(report.read_text(encoding="utf-8"))
    stance = next(q for q in data["questions"] if q["question"] == "stance")
    assert stance["items"] == 3 and stance["alpha"] is not None
    assert round(stance["full_agreement"], 1) == 33.3


def test_agree_refuses_a_snapshot_of_another_schema_and_warns_on_another_version(
        tmp_path, capsys):
    from annotation_builders import schema

    from toolkit.review import agreement_for_snapshot

    tasks = [task(1, "نص", [annotation(k, k, [choice("stance", "agree")]) for k in (1, 2)])]
    other = tmp_path / "other.json"
    write_snapshot(other, {"schema_name": "article_entities"}, tasks)
    assert main(["agree", str(other), "-s", str(SCHEMA_PATH)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"Error: {other}: the snapshot was pulled for schema 'article_entities', not "
        "'comment_stance'; pass the schema it was pulled with")
    older = tmp_path / "older.json"
    write_snapshot(older, {"schema_name": "comment_stance", "schema_hash": "sha256:0000"},
                   tasks)
    report = agreement_for_snapshot(older, schema())
    assert [(f.level, f.code) for f in report.findings] == [("warning", "V020")]
    assert report.to_dict()["findings"][0]["message"].startswith(
        "the snapshot was pulled under schema sha256:0000;")


def test_annotator_table_names_annotators_and_the_stage_prints_the_version_warning(
        tmp_path, capsys):
    """Label Studio's export carries `created_username` (" email, id"): the lead sees names."""
    tasks = []
    for i in (1, 2):
        annotations = []
        for k, email in ((3, "huda@example.org"), (4, "omar@example.org")):
            made = annotation(10 * i + k, k, [choice("stance", "agree")])
            made["created_username"] = f" {email}, {k}"
            annotations.append(made)
        tasks.append(task(i, "نص", annotations))
    snap = tmp_path / "snap.json"
    write_snapshot(snap, {"schema_name": "comment_stance", "schema_hash": "sha256:0000"}, tasks)
    assert main(["agree", str(snap), "-s", str(SCHEMA_PATH)]) == 0
    captured = capsys.readouterr()
    # the table drops the e-mail domain where the name before it is unambiguous
    assert "3 (huda)" in captured.out and "4 (omar)" in captured.out
    assert "warning[V020]" in captured.err


def test_json_holds_the_mean_cohen_kappa_shown_in_the_table(tmp_path, capsys):
    rows = [("agree", "agree", "agree"), ("agree", "disagree", "agree"),
            ("disagree", "disagree", "agree"), ("neutral", "neutral", "neutral")]
    tasks = [task(i, "نص", [annotation(10 * i + k, k, [choice("stance", v)])
                             for k, v in enumerate(row, start=1)])
             for i, row in enumerate(rows, start=1)]
    snap, report = tmp_path / "snap.json", tmp_path / "agree.json"
    write_snapshot(snap, {}, tasks)
    assert main(["agree", str(snap), "-s", str(SCHEMA_PATH), "--json", str(report)]) == 0
    out = capsys.readouterr().out
    stance = next(q for q in json.loads(report.read_text(encoding="utf-8"))["questions"]
                  if q["question"] == "stance")
    kappas = [pair["kappa"] for pair in stance["cohen_kappa"].values()]
    assert len(kappas) == 3 and all(k is not None for k in kappas)
    assert stance["cohen_kappa_mean"] == pytest.approx(sum(kappas) / 3)
    assert f"{stance['cohen_kappa_mean']:.3f}" in out
