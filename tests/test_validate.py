"""validate: each finding code on a hand-made snapshot in Label Studio's export shape."""

from __future__ import annotations

import json

import pytest
from annotation_builders import annotation, choice, rating, schema, span, task, textarea

from toolkit.corpus import Article, Comment, write_corpus
from toolkit.errors import SnapshotError
from toolkit.findings import CODES, IN_BUILD, REGISTRY
from toolkit.review import validate_snapshot
from toolkit.review.validate import validate_tasks
from toolkit.studio.snapshot import write_snapshot

#: validate's codes: those the registry says what build does about
VALIDATE_CODES = {code: CODES[code] for code in IN_BUILD}

TEXT = "محمد صلاح في ليفربول"
EMOJI_TEXT = "😀😀😀 محمد صلاح لاعب"


def good(ident: int, who: int, extra: list | None = None) -> dict:
    return annotation(ident, who, [choice("stance", "agree"), *(extra or [])])


def three(task_id: int, extra_first: list | None = None, text: str = TEXT) -> dict:
    return task(task_id, text, [good(task_id * 10 + 1, 1, extra_first),
                                good(task_id * 10 + 2, 2), good(task_id * 10 + 3, 3)])


def codes(report) -> list[str]:
    return [f.code for f in report.findings]


def test_clean_task_has_no_findings():
    report = validate_tasks([three(1, [span("targets", 0, 9, "محمد صلاح", "person"),
                                      rating("intensity", 5), textarea("note", "ok"),
                                      choice("offensive", "insult", "threat"),
                                      choice("sarcasm", "yes"),
                                      choice("sarcasm_target", "person")])], schema())
    assert report.findings == []
    assert report.exit_code == 0
    assert report.counts["results"] == 9 and report.counts["submitted"] == 3


@pytest.mark.parametrize(
    ("extra", "code", "question"),
    [
        ([choice("topic", "sports")], "V001", "topic"),
        ([choice("sentiment", "angry")], "V002", "sentiment"),
        ([choice("sentiment", "positive", "negative")], "V003", "sentiment"),
        ([choice("sarcasm_target", "person")], "V005", "sarcasm_target"),
        ([span("targets", 15, 40, "ليفربول", "place")], "V006", "targets"),
        ([span("targets", 0, 4, "صلاح", "person")], "V007", "targets"),
        ([span("targets", 0, 9, "محمد صلاح", "person"),
          span("targets", 5, 12, "صلاح في", "group")], "V009", "targets"),
        ([span("targets", 3, 3, "", "person")], "V010", "targets"),
        ([rating("intensity", 9)], "V017", "intensity"),
        ([span("targets", 0, 4, "محمد", "hero")], "V002", "targets"),
    ],
)
def test_each_error_is_found_once(extra, code, question):
    report = validate_tasks([three(2, extra)], schema())
    assert codes(report) == [code]
    finding = report.findings[0]
    assert finding.question == question
    assert finding.task_key == "comment_stance:c2" and finding.task_id == 2
    assert finding.annotation_id == 21 and finding.annotator == "1"
    assert finding.level == CODES[code][0]
    assert report.exit_code == 1


def test_required_missing():
    t = task(3, TEXT, [annotation(31, 1, [choice("sentiment", "positive")]), good(32, 2),
                       good(33, 3)])
    report = validate_tasks([t], schema())
    assert codes(report) == ["V004"]
    assert "required question 'stance' is not answered" in report.findings[0].message


def test_utf16_offsets_repaired_as_warning():
    # "محمد صلاح" is at code points 4..13, UTF-16 units 7..16 (three astral emoji before it)
    report = validate_tasks([three(4, [span("targets", 7, 16, "محمد صلاح", "person")],
                                   text=EMOJI_TEXT)], schema())
    assert codes(report) == ["V008"]
    assert "4..13" in report.findings[0].message
    assert report.exit_code == 0


def test_unknown_question_says_older_schema_version():
    header = {"schema_hash": "sha256:0000000000000000"}
    report = validate_tasks([three(5, [choice("topic", "x")])], schema(), header=header)
    assert codes(report) == ["V020", "V001"]
    assert "made under an older schema version" in report.findings[1].message
    assert "sha256:0000000000000000" in report.findings[1].message


def test_duplicate_annotator_under_annotated_cancelled_and_drafts():
    t = task(6, TEXT, [good(61, 1), good(62, 1), annotation(63, 2, [], cancelled=True)],
             drafts=[{"id": 5, "user": 3, "result": [choice("stance", "neutral")]}])
    report = validate_tasks([t], schema())
    assert codes(report) == ["V013", "V015", "V016", "V014"]
    assert report.findings[0].annotator == "1" and "61 and 62" in report.findings[0].message
    assert report.counts["cancelled"] == 1 and report.counts["drafts"] == 1
    # two submitted annotations, but one annotator
    assert report.findings[3].message == "1 annotator(s) submitted; the schema asks for 3"


def test_under_annotated_counts_annotators_not_annotations():
    """Annotator 1 submitting twice does not make up for the third annotator; annotations
    without a known annotator count one each."""
    twice = task(16, TEXT, [good(161, 1), good(162, 1), good(163, 2)])
    report = validate_tasks([twice], schema())
    assert codes(report) == ["V013", "V014"]
    assert report.findings[1].message == "2 annotator(s) submitted; the schema asks for 3"
    unknown = task(17, TEXT, [good(171, None), good(172, None), good(173, 2)])
    assert codes(validate_tasks([unknown], schema())) == []


def test_completed_by_as_dict():
    t = three(7)
    t["annotations"][0]["completed_by"] = {"id": 2, "email": "b@example.org"}
    # annotator 2 twice: a duplicate, and two annotators where the schema asks for three
    assert codes(validate_tasks([t], schema())) == ["V013", "V014"]


def test_corpus_text_changed_and_missing(tmp_path):
    comments = (Comment(id="c8", article_id="a1", position=1, text=TEXT),
                Comment(id="c9", article_id="a1", position=2, text="نص قديم"))
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, [Article(id="a1", source="s", title="t", body="b", comments=comments)])
    snap = tmp_path / "snap.json"
    write_snapshot(snap, {"schema_name": "comment_stance"},
                   [three(8), three(9, text="نص جديد"), three(10)])
    report = validate_snapshot(snap, schema(), corpus=corpus)
    assert [(f.code, f.task_id) for f in report.findings] == [("V011", 9), ("V012", 10)]


def test_task_without_key_and_malformed_parts():
    t = three(11)
    del t["data"]["corpus_key"]
    t["annotations"][1]["result"] = "oops"
    t["annotations"].append(7)
    report = validate_tasks([t, [1, 2]], schema())
    assert codes(report) == ["V018", "V019", "V019", "V019"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (b"hello", "not JSON"),
        (b'[{"id": 1, "data": {"text": "x"}}', "not valid JSON, or truncated"),
        (b'{"a": 1}', "not a Label Studio export"),
        (b'[{"id": 1}]', "no 'data' key"),
    ],
)
def test_malformed_snapshot_is_one_clear_error(tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(SnapshotError, match=fragment):
        validate_snapshot(path, schema())


def test_truncated_toolkit_snapshot(tmp_path):
    path = tmp_path / "snap.json"
    write_snapshot(path, {}, [three(12), three(13)])
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 5)])
    with pytest.raises(SnapshotError, match="truncated"):
        validate_snapshot(path, schema())


def test_plain_label_studio_export_and_json_report(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([three(14, [choice("sentiment", "angry")])]), encoding="utf-8")
    report = validate_snapshot(path, schema())
    data = report.to_dict()
    assert data["summary"] == [{"code": "V002", "level": "error", "name": "unknown-label",
                                "question": "sentiment", "count": 1}]
    assert data["findings"][0]["task_key"] == "comment_stance:c14"
    json.dumps(data)  # serializable


def test_every_code_is_documented_with_its_level():
    from pathlib import Path

    docs = (Path(__file__).parent.parent / "docs" / "validate.md").read_text(encoding="utf-8")
    import toolkit.review.validate as module

    for code, (level, name) in VALIDATE_CODES.items():
        assert f"| {code} | {level} | `{name}` |" in docs
        assert f"{code} {level}" in " ".join(module.__doc__.split())


def test_every_code_says_what_build_does_here_and_in_the_docs():
    from pathlib import Path

    from toolkit.review.validate import REJECTS_ITEM

    assert set(VALIDATE_CODES) == {code for code in REGISTRY if code.startswith("V")}
    assert {c for c, text in IN_BUILD.items() if text.startswith("item rejected")} == REJECTS_ITEM
    docs = (Path(__file__).parent.parent / "docs" / "validate.md").read_text(encoding="utf-8")
    for code, (level, name) in VALIDATE_CODES.items():
        assert f"| {code} | {level} | `{name}` |" in docs
        assert f" | {IN_BUILD[code]} |" in docs
