"""Build in bounded memory: Parquet shards named as the Hub names them, loadable whole and
streamed; the rows wait on disk in sorted runs and come back in the same order (the
same bytes as a build that kept them in memory); rebuilds are byte-identical."""

from __future__ import annotations

import os
import subprocess
import sys
from array import array
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import yaml

from tests.dataset_fixture import make_inputs
from toolkit.columns import IntColumn, StringColumn
from toolkit.dataset import build_dataset, first_pass, spool
from toolkit.dataset.first_pass import Record
from toolkit.dataset.spool import SortedSpool

ROOT = Path(__file__).resolve().parent.parent
TINY = 600  # bytes of Arrow rows per shard: one or two rows each


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _rows(folder):
    out: dict[str, list] = {}
    for path in sorted((folder / "data").glob("*.parquet")):
        out.setdefault(path.name.split("-")[0], []).extend(pq.read_table(path).to_pylist())
    return out


@pytest.fixture
def inputs(tmp_path):
    return make_inputs(tmp_path)


def test_several_shards_per_split_load_whole_and_streamed(tmp_path, inputs):
    schema, corpus, snapshot = inputs
    whole = build_dataset(snapshot, schema, out=tmp_path / "whole", corpus=corpus)
    sharded = build_dataset(snapshot, schema, out=tmp_path / "sharded", corpus=corpus,
                            max_shard_bytes=TINY)
    train = next(s for s in sharded.splits if s.name == "train")
    assert train.num_examples == 6 and len(train.paths) >= 3
    assert train.paths == [f"data/train-{i:05d}-of-{len(train.paths):05d}.parquet"
                           for i in range(len(train.paths))]
    assert sorted(p.name for p in (tmp_path / "sharded" / "data").iterdir()) == sorted(
        path.split("/")[1] for s in sharded.splits for path in s.paths)
    # the same rows, in the same order, as one file per split
    assert [s.paths for s in whole.splits] == [[f"data/{s.name}-00000-of-00001.parquet"]
                                               for s in whole.splits]
    assert _rows(tmp_path / "sharded") == _rows(tmp_path / "whole")
    # the card's configs name every shard; dataset_info's sizes are the same
    card = (tmp_path / "sharded" / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("---")[1])
    files = {entry["split"]: entry["path"] for entry in front["configs"][0]["data_files"]}
    assert files["train"] == train.paths
    whole_card = (tmp_path / "whole" / "README.md").read_text(encoding="utf-8")
    whole_info = yaml.safe_load(whole_card.split("---")[1])["dataset_info"]["splits"]
    assert front["dataset_info"]["splits"] == whole_info
    loaded = datasets.load_dataset(str(tmp_path / "sharded"))
    assert {name: loaded[name].num_rows for name in loaded} == {
        s.name: s.num_examples for s in sharded.splits}
    assert loaded["train"].to_list() == _rows(tmp_path / "whole")["train"]
    streamed = datasets.load_dataset(str(tmp_path / "sharded"), streaming=True)
    assert list(streamed["train"]) == loaded["train"].to_list()
    assert streamed["train"].features == loaded["train"].features


def test_sharded_rebuild_is_byte_identical(tmp_path, inputs):
    schema, corpus, snapshot = inputs
    out = tmp_path / "ds"
    build_dataset(snapshot, schema, out=out, corpus=corpus, max_shard_bytes=TINY)
    first = _files(out)
    assert sum(name.startswith("data/train-") for name in first) >= 3
    build_dataset(snapshot, schema, out=out, corpus=corpus, max_shard_bytes=TINY)  # over it
    assert _files(out) == first
    build_dataset(snapshot, schema, out=tmp_path / "other", corpus=corpus, max_shard_bytes=TINY)
    assert _files(tmp_path / "other") == first


def test_rows_spilled_to_disk_come_back_the_same(tmp_path, inputs, monkeypatch):
    """Runs of 2 rows on disk, merged back: the same files as a build held in memory (the
    dataset's rows, and the rejected rows, which wait sorted on disk too)."""
    schema, corpus, snapshot = inputs
    build_dataset(snapshot, schema, out=tmp_path / "memory", corpus=corpus)
    runs: list[int] = []
    merged = SortedSpool.merged

    def counting(self):
        runs.append(self.runs)
        return merged(self)

    monkeypatch.setattr(spool, "RUN_ROWS", 2)
    monkeypatch.setattr(SortedSpool, "merged", counting)
    build_dataset(snapshot, schema, out=tmp_path / "disk", corpus=corpus)
    assert len(runs) == 2 and runs[0] >= 4  # the rows went to disk in several runs
    assert runs[1] >= 1  # and the rejected rows
    assert _files(tmp_path / "disk") == _files(tmp_path / "memory")


def test_first_pass_keeps_columns_not_rows(tmp_path, inputs, monkeypatch):
    """What build keeps per task through the read: its unit id in one buffer of strings and
    small ints in arrays (no text, no answers, no object per task); the rows are in the
    spool."""
    schema, corpus, snapshot = inputs
    seen: list[first_pass.FirstPass] = []
    init = first_pass.FirstPass.__init__

    def keep(self, *args, **kwargs):
        init(self, *args, **kwargs)
        seen.append(self)

    monkeypatch.setattr(first_pass.FirstPass, "__init__", keep)
    build_dataset(snapshot, schema, out=tmp_path / "ds", corpus=corpus)
    (state,) = seen
    assert len(state) >= 13
    assert type(state.unit_ids) is StringColumn
    assert [state.unit_ids[i] for i in range(3)] == ["a1-1", "a1-2", "a1-3"]
    assert state.corpus_keys == {}  # all `<schema>:<unit id>`: no string kept
    for column in (state.task_ids, state.statuses):
        assert type(column) is array and len(column) == len(state)
    for small in (state.n_annotators, state.reasons, state.labels, state.signature_ids):
        assert type(small) is IntColumn and len(small) == len(state)
        assert small.values.itemsize == 1  # a byte a task while the values fit
    assert state.record(0).n_annotators == state.n_annotators.values[0] == 3
    # articles and groups: a run per article (its comments come one after the other)
    for column in (state.articles, state.groups):
        assert type(column) is first_pass.RunColumn and len(column) == len(state)
        assert type(column.runs) is array
    assert state.articles[0] == "a1" and state.groups[0] == "a1"
    record = state.record(0)
    assert type(record) is Record and record.corpus_key == f"{schema_name(schema)}:{record.unit_id}"
    texts = {row["text"] for rows in _rows(tmp_path / "ds").values() for row in rows}
    assert not set(map(str, record)) & texts
    assert state.first_items == {}  # emptied once the copies were made


def schema_name(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["name"]


def test_spool_merges_runs_in_key_order(tmp_path):
    store = SortedSpool(tmp_path, run_rows=3)
    keys = [("b", 2), ("a", 1), ("c", 0), ("a", 0), ("b", 1), ("a", 5), ("c", 9)]
    for tag, key in enumerate(keys):
        store.add(key, tag, {"row": tag})
    assert store.runs == 2
    out = list(store.merged())
    assert [entry[0] for entry in out] == sorted(keys)
    assert [entry[2]["row"] for entry in out] == [3, 1, 5, 4, 0, 2, 6]


def test_cli_build_to_a_pipe_shows_no_bar(tmp_path, inputs):
    """`corpus build --max-shard-mb` with stdout and stderr to pipes: the shards, and on
    stderr only the findings (no bar, not even the line breaks a transient bar leaves)."""
    schema, corpus, snapshot = inputs
    out = tmp_path / "ds"
    code = ("import sys; from toolkit.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run(
        [sys.executable, "-c", code, "build", str(snapshot), "-s", str(schema), "-o", str(out),
         "--corpus", str(corpus), "--max-shard-mb", str(TINY / 1024 / 1024)],
        capture_output=True, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
    assert "  train: 6 rows (data/train-00000-of-000" in done.stdout
    assert "building" not in done.stderr and "━" not in done.stderr
    assert all(line.strip() for line in done.stderr.splitlines())  # no blank lines
