"""`corpus push --budget` (and the schema's `selection:`) offline: the dry run writes
exactly the sample and its manifest; bad values are one line, exit 2; without a budget
nothing changes."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from toolkit.cli import main
from toolkit.errors import SchemaError
from toolkit.schema import load_schema, parse_schema
from toolkit.tasks import tasks_from_corpus

ROOT = Path(__file__).resolve().parent.parent
STANCE = ROOT / "schemas" / "comment_stance.yaml"


@pytest.fixture
def corpus(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ledger of a real server is read
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    path = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(ROOT / "samples"), "--out", str(path)]) == 0
    capsys.readouterr()
    return path


def _push(corpus: Path, out: Path, *extra: str, schema: Path = STANCE) -> int:
    return main(["push", "--schema", str(schema), "--corpus", str(corpus), "--dry-run",
                 "--out", str(out), *extra])


def test_budget_3_writes_exactly_3_tasks_and_the_manifest(corpus, tmp_path, capsys):
    out = tmp_path / "sample.json"
    assert _push(corpus, out, "--budget", "3") == 0
    printed = capsys.readouterr().out
    tasks = orjson.loads(out.read_bytes())
    assert len(tasks) == 3
    manifest = orjson.loads((tmp_path / "sample.selection.json").read_bytes())
    assert (manifest["budget"], manifest["seed"], manifest["population"], manifest["sample"]) \
        == (3, 0, 22, 3)
    assert manifest["strata"] == [{"stratum": {}, "population": 22, "sample": 3,
                                   "already_pushed": 0, "probability": 3 / 22}]
    assert sorted(u["corpus_key"] for u in manifest["units"]) == sorted(
        t["data"]["corpus_key"] for t in tasks)
    assert "Sample: 3 of the 22 comments that may be sampled (budget 3, seed 0" in printed
    assert "3 written, 0 already present, 0 skipped (in the corpus twice), 19 not in the " \
        "sample = the corpus's 22 comments" in printed
    again = tmp_path / "again.json"  # the same seed: the same sample, byte for byte
    assert _push(corpus, again, "--budget", "3") == 0
    assert again.read_bytes() == out.read_bytes()


def test_a_budget_larger_than_the_population_pushes_all_and_says_so(corpus, tmp_path, capsys):
    out = tmp_path / "all.json"
    assert _push(corpus, out, "--budget", "50") == 0
    captured = capsys.readouterr()
    assert len(orjson.loads(out.read_bytes())) == 22
    assert "budget 50 is more than the 22 comments that may be sampled: all 22 are in the " \
        "sample" in captured.err


def test_without_a_budget_the_dry_run_writes_every_unit_as_before(corpus, tmp_path):
    out = tmp_path / "tasks.json"
    assert _push(corpus, out) == 0
    schema = load_schema(STANCE)
    expected = b"[" + b",".join(b"\n" + orjson.dumps({"data": d})
                                for d in tasks_from_corpus(schema, corpus)) + b"\n]\n"
    assert out.read_bytes() == expected
    assert not (tmp_path / "tasks.selection.json").exists()


def test_budget_0_is_one_usage_line(corpus, tmp_path, capsys):
    assert _push(corpus, tmp_path / "t.json", "--budget", "0") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["Error: Invalid value for '--budget': Input should be greater than or "
                   "equal to 1 (see `corpus push --help`)"]


SCHEMA = """\
name: toy_sample
version: '1'
title: A sampled toy
unit: comment
questions:
  - {{name: stance, kind: single, labels: [agree, disagree]}}
selection:
{selection}
"""


def _schema(tmp_path: Path, selection: str) -> Path:
    path = tmp_path / "toy.yaml"
    path.write_text(SCHEMA.format(selection=selection), encoding="utf-8")
    return path


@pytest.mark.parametrize(("selection", "line"), [
    ("  budget: 0", "toy.yaml:8:11: selection.budget: input should be greater than or equal to "
     "1, got 0; fix the value"),
    ("  budget: 5\n  stratify_by: [site, weekday]", "toy.yaml:9:23: selection.stratify_by[1] "
     "(weekday): input should be 'site', 'article', 'month' or 'length', got 'weekday'; fix "
     "the value"),
])
def test_bad_selection_values_are_one_schema_line(corpus, tmp_path, capsys, selection, line):
    schema = _schema(tmp_path, selection)
    assert _push(corpus, tmp_path / "t.json", schema=schema) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"Error: {tmp_path}/{line}"]


def test_the_schemas_selection_is_used_and_the_budget_option_overrides_it(corpus, tmp_path,
                                                                          capsys):
    schema = _schema(tmp_path, "  budget: 4\n  stratify_by: [site, length]\n  seed: 7")
    out = tmp_path / "t.json"
    assert _push(corpus, out, schema=schema) == 0
    assert len(orjson.loads(out.read_bytes())) == 4
    manifest = orjson.loads((tmp_path / "t.selection.json").read_bytes())
    assert (manifest["seed"], manifest["stratify_by"]) == (7, ["site", "length"])
    assert sum(s["population"] for s in manifest["strata"]) == 22
    assert manifest["length_bands"] == ["0-39", "40-159", "160-399", "400+"]
    assert _push(corpus, out, "--budget", "6", schema=schema) == 0
    six = {t["data"]["corpus_key"] for t in orjson.loads(out.read_bytes())}
    assert len(six) == 6 and {u["corpus_key"] for u in manifest["units"]} <= six


def test_a_schema_without_selection_keeps_its_content_hash():
    text = STANCE.read_text(encoding="utf-8")
    plain = parse_schema(text, "x.yaml")
    assert b'"selection"' not in plain.canonical_json()
    assert plain.content_hash == "sha256:658ee5d41874e0a7"  # as before the key existed
    sampled = parse_schema(text + "selection: {budget: 10}\n", "x.yaml")
    assert sampled.content_hash != plain.content_hash


def test_selection_contradicting_annotate_each_is_refused(tmp_path):
    text = SCHEMA.format(selection="  budget: 5") + "annotation: {near_duplicates: annotate_each}\n"
    with pytest.raises(SchemaError, match="at most one comment per near-duplicate cluster"):
        parse_schema(text, "x.yaml")
