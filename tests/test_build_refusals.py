"""What build refuses (issue 13): replacing a dataset with an empty one (item 4), and rows
with a null label where the schema requires an answer (item 5)."""

from __future__ import annotations

import orjson
import pytest
from dataset_fixture import make_inputs

from toolkit.cli import main
from toolkit.dataset import build_dataset
from toolkit.errors import EmptyDatasetRefused
from toolkit.schema import load_schema
from toolkit.studio.snapshot import open_snapshot, write_snapshot


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _rejected(folder):
    path = folder / "rejected" / "rejected.jsonl"
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _rewrite(snapshot, dest, change):
    """Copy a snapshot, passing every task through ``change`` (in place)."""
    snap = open_snapshot(snapshot)
    tasks = list(snap.tasks())
    for task in tasks:
        change(task)
    header = {k: v for k, v in snap.header.items() if k != "counts"}
    write_snapshot(dest, header, tasks)
    return dest


# ---- item 4: a 0-task snapshot over a good dataset ------------------------------------------

@pytest.fixture()
def good(tmp_path):
    schema, corpus, snapshot = make_inputs(tmp_path)
    out = tmp_path / "dataset"
    assert main(["build", str(snapshot), "-s", str(schema), "-o", str(out)]) == 0
    assert any((out / "data").iterdir())
    return schema, out


def test_empty_snapshot_does_not_replace_a_good_dataset(good, tmp_path, capsys):
    schema, out = good
    before = _files(out)
    empty = tmp_path / "e.json"
    empty.write_text("[]")
    capsys.readouterr()
    assert main(["build", str(empty), "--schema", str(schema), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert lines[0].startswith(f"Error: {out}: this build has no rows (0 snapshot tasks"), lines
    assert "nothing was changed" in lines[0] and "--allow-empty" in lines[0]
    assert _files(out) == before
    assert not (tmp_path / ".dataset.building").exists()


def test_library_raises_the_domain_error(good, tmp_path):
    schema, out = good
    empty = tmp_path / "e.json"
    empty.write_text("[]")
    with pytest.raises(EmptyDatasetRefused) as info:
        build_dataset(empty, load_schema(schema), out=out)
    assert info.value.exit_code == 1


def test_allow_empty_replaces_it_when_asked(good, tmp_path, capsys):
    schema, out = good
    empty = tmp_path / "e.json"
    empty.write_text("[]")
    assert main(["build", str(empty), "-s", str(schema), "-o", str(out), "--allow-empty"]) == 0
    assert not list((out / "data").glob("*.parquet"))
    assert "balance: adds up" in capsys.readouterr().out


def test_empty_build_into_a_new_folder_is_fine(tmp_path):
    schema, _, _ = make_inputs(tmp_path)
    empty = tmp_path / "e.json"
    empty.write_text("[]")
    result = build_dataset(empty, load_schema(schema), out=tmp_path / "fresh")
    assert result.splits == [] and (tmp_path / "fresh" / "README.md").is_file()


# ---- item 5: a required answer missing -------------------------------------------------------

def _rename_stance(task):
    for annotation in task["annotations"]:
        for result in annotation["result"]:
            if result["from_name"] == "stance":
                result["from_name"] = "stance_v2"


def test_renamed_required_question_rejects_items_never_null_rows(tmp_path, capsys):
    schema, _, snapshot = make_inputs(tmp_path)
    renamed = _rewrite(snapshot, tmp_path / "renamed.json", _rename_stance)
    out = tmp_path / "ds"
    result = build_dataset(renamed, load_schema(schema), out=out)
    assert result.splits == []  # every annotated item lacks stance
    rows = _rejected(out)
    missing = [r for r in rows if r["code"] == "missing_required"]
    # the 9 items that resolve in the original build, the tie (stance was its only
    # disagreement) and the one with the unknown label 'maybe' (now under an unknown question)
    assert len(missing) == 11
    assert all("required question(s) 'stance'" in r["reason"] for r in missing)
    b050 = [f for f in result.report.findings if f.code == "B050"]
    assert len(b050) == 1 and "11 item(s) have no usable answer to required question " \
        "'stance'" in b050[0].message
    assert result.balance.adds_up
    assert result.balance.rejected["missing_required"] == 11


def test_one_item_without_its_required_answer_is_rejected_the_rest_kept(tmp_path):
    schema, _, snapshot = make_inputs(tmp_path)

    def drop_stance_of_a1_3(task):
        if task["data"]["unit_id"] == "a1-3":
            for annotation in task["annotations"]:
                annotation["result"] = [r for r in annotation["result"]
                                        if r["from_name"] != "stance"]

    changed = _rewrite(snapshot, tmp_path / "changed.json", drop_stance_of_a1_3)
    out = tmp_path / "ds"
    result = build_dataset(changed, load_schema(schema), out=out)
    assert sum(s.num_examples for s in result.splits) == 8  # 9 before
    [row] = [r for r in _rejected(out) if r["code"] == "missing_required"]
    assert row["unit_id"] == "a1-3" and row["n_annotators"] == 3
    import datasets

    loaded = datasets.load_dataset(str(out))
    stances = [s for split in loaded.values() for s in split["stance"]]
    assert len(stances) == 8 and None not in stances


def test_cli_build_of_a_renamed_question_over_a_good_dataset_changes_nothing(good, tmp_path,
                                                                             capsys):
    """Both together: the rename leaves no rows, so the good dataset stays."""
    schema, out = good
    before = _files(out)
    renamed = _rewrite(tmp_path / "snapshot.json", tmp_path / "renamed.json", _rename_stance)
    capsys.readouterr()
    assert main(["build", str(renamed), "-s", str(schema), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "warning[B050 missing-required]" in err and "Error: " in err
    assert _files(out) == before
