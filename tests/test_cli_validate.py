"""`corpus validate`: exit codes, stdout summary, stderr findings, --json."""

from __future__ import annotations

import json

from annotation_builders import SCHEMA_PATH, annotation, choice, span, task

import toolkit.cli.validate as command
from toolkit.cli import main
from toolkit.studio.snapshot import write_snapshot

TEXT = "محمد صلاح في ليفربول"


def _snapshot(tmp_path, with_error: bool):
    extra = [choice("sentiment", "angry")] if with_error else []
    tasks = [task(1, TEXT, [annotation(k, k, [choice("stance", "agree"), *(extra if k == 1 else []),
                                              span("targets", 0, 9, "محمد صلاح", "person")])
                            for k in (1, 2, 3)])]
    path = tmp_path / "snap.json"
    write_snapshot(path, {"schema_name": "comment_stance"}, tasks)
    return path


def test_clean_snapshot_exits_0(tmp_path, capsys):
    assert main(["validate", str(_snapshot(tmp_path, False)), "--schema", str(SCHEMA_PATH)]) == 0
    captured = capsys.readouterr()
    assert "1 tasks, 3 submitted annotations, 6 results" in captured.out
    assert "0 error(s), 0 warning(s)" in captured.out
    assert captured.err == ""


def test_errors_exit_1_with_findings_on_stderr_and_json(tmp_path, capsys):
    out = tmp_path / "report.json"
    code = main(["validate", str(_snapshot(tmp_path, True)), "-s", str(SCHEMA_PATH),
                 "--json", str(out)])
    assert code == 1
    captured = capsys.readouterr()
    assert ("task 1 [comment_stance:c1] annotation 1 by annotator 1: error[V002]: 'angry' is not "
            "a label of question 'sentiment'") in captured.err
    assert "V002" in captured.out and "unknown-label" in captured.out
    assert "V002" not in captured.out.split("V002")[0]  # summary only once per row
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [f["code"] for f in data["findings"]] == ["V002"]
    assert data["counts"]["tasks"] == 1


def test_malformed_snapshot_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("not json at all", encoding="utf-8")
    assert main(["validate", str(bad), "-s", str(SCHEMA_PATH)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "not JSON" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_snapshot_of_another_schema_is_one_line_exit_2(tmp_path, capsys):
    """Not one V001 per result: the snapshot names the schema it was pulled for."""
    path = tmp_path / "other.json"
    write_snapshot(path, {"schema_name": "article_entities", "schema_hash": "sha256:1"},
                   [task(1, TEXT, [annotation(1, 1, [choice("entities_x", "y")])])])
    assert main(["validate", str(path), "-s", str(SCHEMA_PATH)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        f"Error: {path}: the snapshot was pulled for schema 'article_entities', not "
        "'comment_stance'; pass the schema it was pulled with")
    assert "V001" not in captured.out + captured.err


def test_other_version_of_the_schema_is_one_warning(tmp_path):
    from annotation_builders import schema

    from toolkit.review import validate_snapshot

    path = tmp_path / "older.json"
    write_snapshot(path, {"schema_name": "comment_stance", "schema_hash": "sha256:0000"},
                   [task(1, TEXT, [annotation(k, k, [choice("stance", "agree")])
                                   for k in (1, 2, 3)])])
    report = validate_snapshot(path, schema())
    assert [(f.code, f.message) for f in report.findings] == [
        ("V020", f"the snapshot was pulled under schema sha256:0000; the schema given is "
                 f"{schema().content_hash} (a different version)")]


def test_without_json_only_the_printed_findings_are_kept(tmp_path, capsys, monkeypatch):
    """Without --json, validate keeps the findings it prints (the first SHOWN errors and
    warnings) and counts the rest: the same lines, the same "... and N more", the same
    summary and exit status as keeping them all (an error after the last kept one)."""
    monkeypatch.setattr(command, "SHOWN", 2)
    lone = [task(k, TEXT, [annotation(k, 1, [choice("stance", "agree")])]) for k in (1, 2, 3, 4)]
    wrong = task(5, TEXT, [annotation(9, k, [choice("stance", "agree"),
                                             *([choice("sentiment", "angry")] if k == 1 else [])])
                           for k in (1, 2, 3)])
    path = tmp_path / "snap.json"
    write_snapshot(path, {"schema_name": "comment_stance"}, [*lone, wrong])
    outputs = []
    for extra in ([], ["--json", str(tmp_path / "all.json")]):
        assert main(["validate", str(path), "-s", str(SCHEMA_PATH), *extra]) == 1
        captured = capsys.readouterr()
        outputs.append((captured.out, [line for line in captured.err.splitlines()
                                       if not line.startswith("Report written")]))
    assert outputs[0] == outputs[1]
    out, err = outputs[0]
    assert len(err) == 3 and err[2] == "... and 3 more (see the JSON report)"
    assert "1 error(s), 4 warning(s)" in out
    kept = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))["findings"]
    assert [f["code"] for f in kept].count("V002") == 1 and len(kept) == 5
