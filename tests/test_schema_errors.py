"""Each bad schema fails with one line naming file, line:column and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import SchemaError
from toolkit.schema import load_schema, parse_schema

BAD = Path(__file__).parent / "data" / "schemas"

# fixture -> (line:col, words the one line must contain)
CASES = {
    "invalid_yaml": ("8:4", "not valid YAML"),
    "python_tag": ("3:8", "python/object/apply:os.system' is not allowed: a schema file is "
                   "plain data; remove the tag"),
    "missing_key": ("6:5", "questions[0] (stance): missing key 'kind'; add it: one of single"),
    "unknown_key": ("8:5", "questions[0] (stance): unknown key 'lables'; did you mean 'labels'?"),
    "duplicate_question": ("9:11", "duplicate question name 'stance' (also questions[0], "
                           "line 6:11); rename one"),
    "duplicate_label": ("11:9", "duplicate label 'agree' in question 'stance' (also line 9:9)"),
    "duplicate_label_mapping": ("10:7", "key 'agree' appears twice in this mapping (also at "
                                "line 9, column 7)"),
    "empty_labels": ("8:13", "question 'offensive' (multi) has no labels; list at least one"),
    "spans_bad_field": ("8:12", "question 'targets' is on field 'body', which a comment task "
                        "does not have; use one of: text"),
    "when_missing_question": ("11:22", "names question 'offensiv', which does not exist; "
                              "use one of: offensive"),
    "when_missing_label": ("11:41", "tests label 'maybe', which question 'offensive' does not "
                           "have; use one of: yes, no"),
    "not_slug": ("1:7", "name 'Comment Stance' is not a slug"),
    "splits_sum": ("10:11", "split fractions sum to 1.1, not 1; adjust them"),
    "rating_no_scale": ("6:5", "rating question 'toxicity' has no scale; add e.g. `scale: 5`"),
    "hotkey_clash": ("13:41", "hotkey '1' of sentiment/positive is already used at line 9:36"),
    "stratify_not_single": ("10:16", "stratify_by 'offensive' is a multi question; name a "
                            "single-choice question"),
    "min_over_overlap": ("11:20", "min_annotations (3) is more than overlap (2)"),
}


def test_every_fixture_has_a_case():
    assert {p.stem for p in BAD.glob("*.yaml")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_schema_one_line(name):
    path = BAD / f"{name}.yaml"
    where, words = CASES[name]
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    message = str(info.value)
    assert "\n" not in message, message
    assert message.startswith(f"{path}:{where}: "), message
    assert words in message, message
    assert info.value.problems == [message]


def test_several_problems_are_all_reported_one_line_each():
    text = """\
name: Bad Name
version: "1"
title: T
unit: comment
questions:
  - name: stance
    kind: single
    labels: [agree]
  - name: stance
    kind: single
    labels: []
dataset:
  splits: {train: 0.5}
"""
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "x.yaml")
    lines = str(info.value).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        "x.yaml:1:7", "x.yaml:9:11", "x.yaml:11:13", "x.yaml:13:11"]


def test_wrong_type_names_the_value():
    text = "name: m\nversion: '1'\ntitle: T\nunit: comment\nquestions:\n" \
           "  - {name: s, kind: single, labels: [a]}\nannotation:\n  overlap: three\n"
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "x.yaml")
    assert str(info.value).startswith("x.yaml:8:12: annotation.overlap: input should be a "
                                      "valid integer")
    assert "'three'" in str(info.value)


def test_unknown_kind_lists_the_kinds():
    text = "name: m\nversion: '1'\ntitle: T\nunit: comment\nquestions:\n" \
           "  - name: s\n    kind: choice\n"
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "x.yaml")
    assert str(info.value).startswith("x.yaml:7:11: questions[0] (s).kind: input should be "
                                      "'single', 'multi', 'spans', 'rating', 'text' or 'yesno'")


@pytest.mark.parametrize("text, where, words", [
    ("", "x.yaml: ", "the file is empty"),
    ("- a\n- b\n", "x.yaml:1:1: ", "must be a mapping of keys"),
    ("a: &x [1]\nb: *x\n", "x.yaml:2:4: ", "YAML aliases (*name) are not supported"),
    ("name: !!python/name:os.system ''\n", "x.yaml:1:7: ", "is not allowed"),
    ("name: m\n  bad: [\n", "x.yaml:", "not valid YAML"),
])
def test_yaml_level_problems(text, where, words):
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "x.yaml")
    assert str(info.value).startswith(where), str(info.value)
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_python_tag_is_never_constructed(tmp_path):
    marker = tmp_path / "ran"
    text = f"name: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(SchemaError):
        parse_schema(text, "x.yaml")
    assert not marker.exists()


def test_control_character_in_a_label_is_refused():
    text = ("name: m\nversion: '1'\ntitle: T\nunit: comment\nquestions:\n"
            "  - name: s\n    kind: single\n    labels: {a: \"x\\x07y\"}\n")
    with pytest.raises(SchemaError, match=r"x.yaml:8:17: .*control character"):
        parse_schema(text, "x.yaml")


# Issue 17 item 12: hostile schema files gave a traceback or never ended.

SHIPPED = Path(__file__).parent.parent / "schemas" / "comment_stance.yaml"


def _one_line(path, where=""):
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    message = str(info.value)
    assert "\n" not in message, message
    assert message.startswith(f"{path}:{where}"), message
    return message


def test_lone_surrogate_escape_is_one_line(tmp_path):
    """``title: "x\\ud800y"`` raised TypeError (orjson: surrogates not allowed)."""
    text = SHIPPED.read_text(encoding="utf-8").replace(
        'title: "Reader comments: stance, tone and targets"', 'title: "x\\ud800y"')
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    message = _one_line(path, "5:8: ")
    assert "the escape \\ud800 is half of a UTF-16 surrogate pair" in message


def test_deep_nesting_is_one_line(tmp_path):
    """5,000 nested brackets raised RecursionError."""
    path = tmp_path / "n.yaml"
    path.write_text("name: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert "nested more than 64 levels deep" in _one_line(path, "1:70: ")


def test_huge_integer_is_one_line(tmp_path):
    """A 5,000-digit integer raised ValueError (int max str digits)."""
    path = tmp_path / "i.yaml"
    path.write_text("name: x\nversion: " + "9" * 5000 + "\n", encoding="utf-8")
    assert "a number of 5000 digits is too long" in _one_line(path, "2:10: ")


def test_named_pipe_is_refused_without_waiting(tmp_path):
    """A named pipe blocked forever, waiting for a writer."""
    import os
    import threading

    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            load_schema(fifo)
        except BaseException as exc:  # noqa: BLE001  (handed to the test's thread)
            outcome.append(exc)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # unblock the old reader so the thread ends
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail("load_schema waited on a named pipe")
    assert isinstance(outcome[0], SchemaError), outcome
    assert str(outcome[0]) == (f"{fifo}: a named pipe, not a schema file; give the path of "
                               "the schema's YAML file")


def test_device_and_folder_are_refused(tmp_path):
    """/dev/zero grew memory until killed; /dev/null (safe to try on old code) read as empty."""
    assert _one_line(Path("/dev/null")) == ("/dev/null: a device, not a schema file; give "
                                            "the path of the schema's YAML file")
    assert _one_line(tmp_path).startswith(f"{tmp_path}: a folder, not a schema file")


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)  # sparse: nothing written to disk
    assert _one_line(path) == (f"{path}: larger than 16 MiB, too large for a schema file; "
                               "check that this is the schema file")
