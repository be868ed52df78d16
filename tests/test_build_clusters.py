"""`corpus build` sees the clusters without --corpus, and says when one empties a split
(issue 17, item 10)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from dataset_fixture import make_inputs

from toolkit.cli import main
from toolkit.corpus import read_corpus, write_corpus
from toolkit.dataset import build_dataset

# one comment of every article is a copy of a1-1: the cluster joins all six articles
MARKS = {"a2-1": "a1-1", "a3-1": "a1-1", "a4-1": "a1-1", "a5-1": "a1-1", "a6-1": "a1-1"}


def _marked(tmp_path: Path, marks: dict[str, str]) -> tuple[Path, Path, Path]:
    schema, corpus, snapshot = make_inputs(tmp_path)
    articles = [replace(a, comments=tuple(replace(c, duplicate_of=marks.get(c.id))
                                          for c in a.comments)) for a in read_corpus(corpus)]
    write_corpus(corpus, articles)
    return schema, corpus, snapshot


def test_build_without_corpus_reads_the_default_corpus(tmp_path, monkeypatch, capsys):
    marks = {"a2-1": "a1-1", "a3-1": "a1-1", "a5-1": "a4-2", "a6-1": "a2-3"}
    schema, corpus, snapshot = _marked(tmp_path, marks)
    monkeypatch.chdir(tmp_path)
    os.makedirs("exports")
    corpus.rename("exports/corpus.jsonl")
    assert main(["build", str(snapshot), "-s", str(schema), "-o", "ds"]) == 0
    captured = capsys.readouterr()
    assert ("Reading the corpus exports/corpus.jsonl (the default; --corpus to choose "
            "another) for near-duplicate clusters and the balance") in captured.err
    assert "corpus units: " in captured.out
    card = Path("ds/README.md").read_text(encoding="utf-8")
    assert "3 clusters holding 7 items (4 copies)" in card
    assert "not checked" not in card


def test_build_without_any_corpus_warns_that_copies_may_straddle_splits(tmp_path, capsys):
    schema, _, snapshot = make_inputs(tmp_path)
    os.chdir(tmp_path)  # no exports/corpus.jsonl here
    try:
        assert main(["build", str(snapshot), "-s", str(schema), "-o", str(tmp_path / "ds")]) == 0
    finally:
        os.chdir(Path(__file__).parent.parent)
    err = capsys.readouterr().err
    [line] = [x for x in err.splitlines() if "B052" in x]
    assert line == (f"{snapshot}: warning[B052 clusters-not-checked]: built without the corpus "
                    "file, so near-duplicate clusters are not known and copies may land in "
                    "two splits; give --corpus (default exports/corpus.jsonl)")


def test_an_empty_test_split_names_the_cluster_that_took_every_article(tmp_path):
    schema, corpus, snapshot = _marked(tmp_path, MARKS)
    result = build_dataset(snapshot, schema, out=tmp_path / "ds", corpus=corpus)
    empty = [f for f in result.report.findings if f.code == "B003"]
    assert empty, [f.line() for f in result.report.findings]
    for finding in empty:
        assert "near-duplicate cluster a1-1 joins 5 of the 6 `article_id` groups into one" \
            in finding.message, finding.line()
