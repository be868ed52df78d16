"""`corpus build` on the command line: stdout summary and balance, exit status, help."""

from __future__ import annotations

import datasets
from dataset_fixture import make_inputs

from toolkit.cli import main


def test_build_prints_splits_and_balance(tmp_path, capsys):
    schema, corpus, snapshot = make_inputs(tmp_path)
    out = tmp_path / "dataset"
    code = main(["build", str(snapshot), "--schema", str(schema), "--out", str(out),
                 "--corpus", str(corpus)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = captured.out.splitlines()
    assert f"Dataset written to {out}" in lines
    assert "corpus units: 15 = 13 pushed + 2 not pushed" in lines
    assert ("snapshot tasks: 13 = 9 in splits (6 train + 2 validation + 1 test) + 3 rejected "
            "+ 1 not yet annotated") in lines
    assert "balance: adds up" in lines
    assert captured.err == ""
    assert sum(s.num_rows for s in datasets.load_dataset(str(out)).values()) == 9


def test_keep_authors_warns_on_stderr(tmp_path, capsys):
    schema, _, snapshot = make_inputs(tmp_path)
    code = main(["build", str(snapshot), "-s", str(schema), "-o", str(tmp_path / "ds"),
                 "--keep-authors"])
    captured = capsys.readouterr()
    assert code == 0
    assert "warning[B001 authors-kept]: commenter names (author) are kept" in captured.err
    assert "B001" not in captured.out


def test_unreadable_snapshot_is_one_line_exit_2(tmp_path, capsys):
    schema, _, _ = make_inputs(tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text("not json at all")
    code = main(["build", str(broken), "-s", str(schema), "-o", str(tmp_path / "ds")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"Error: {broken}: not JSON") and err.count("\n") == 1
    assert not (tmp_path / "ds").exists()
