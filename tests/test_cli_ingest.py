"""`corpus ingest` end to end: summary on stdout, findings on stderr, exit status, --report."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.cli import main
from toolkit.corpus import read_corpus

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_DIR = SEEDS if SEEDS.is_dir() else None
DATA = ROOT / "tests" / "data" / "ingest"


def test_ingest_seed_folder(tmp_path, capsys):
    folder = tmp_path / "seeds"
    folder.mkdir()
    seed = (SEED_DIR or ROOT / "samples") / "000_dab86e570d492265.txt"
    (folder / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(folder), "--out", str(out), "--crawled-at", "2024-03-01"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == (
        f"1 files -> 1 articles, 5 comments in {out}; duplicates 0, warnings 0, errors 0"
    )
    assert captured.err == ""
    [article] = read_corpus(out)
    assert [c.author for c in article.comments] == [
        "ياشباب النصرة أبتعدوا عن راية القاعدة رحمة بمحبيكم",
        "علي علاو",
        "غرباء...مسافر غريب ..عين الصقر",
        "ستتحول روسيا صديق للسورين في حال طرد المليشيات الأرهابية الشيعية",
        "وائل",
    ]
    assert {(c.time_raw, c.age_days, c.time_estimated) for c in article.comments} == {
        ("منذ 7 سنوات 8 أشهر", 2800, "2016-07-01")
    }


def test_bad_inputs_exit_2_naming_the_unreadable_one(tmp_path, capsys):
    out, report = tmp_path / "corpus.jsonl", tmp_path / "report.json"
    samples = [str(p) for p in sorted((ROOT / "samples").glob("0*.txt"))]
    samples += [str(ROOT / "samples" / "articles.jsonl"), str(ROOT / "samples" / "comments.csv")]
    code = main(["ingest", str(DATA), *samples, "--out", str(out), "--report", str(report)])
    assert code == 2
    captured = capsys.readouterr()
    assert "13 articles" in captured.out and "warnings 5, errors 5" in captured.out
    err_lines = captured.err.strip().split("\n")
    assert len(err_lines) == 11  # ten findings, one line each, and the closing error
    assert err_lines[-1] == (
        f"Error: could not read 1 input(s): {DATA / 'latin1.txt'}; the others were ingested"
    )
    assert "Traceback" not in captured.err
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["counts"]["articles"] == 13
    assert len(data["findings"]) == 10
    assert {(f["code"], f["name"]) for f in data["findings"]} >= {
        ("I006", "empty"), ("I005", "encoding"), ("I004", "not-utf8"), ("I019", "no-title"),
        ("I021", "comment-count"), ("I010", "bad-json"), ("I011", "missing-field"),
        ("I014", "missing-columns"),
    }


def test_bad_crawled_at_is_a_usage_error(tmp_path, capsys):
    code = main(["ingest", str(ROOT / "samples"), "--out", str(tmp_path / "c.jsonl"),
                 "--crawled-at", "yesterday"])
    assert code == 2
    assert "--crawled-at 'yesterday' is not a date" in capsys.readouterr().err


def test_unknown_format_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "new-folder" / "c.jsonl"
    code = main(["ingest", str(ROOT / "samples"), "--out", str(out), "--format", "xml"])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "Error: unknown format 'xml'; use one of txt, jsonl, csv"
    )
    assert not (tmp_path / "new-folder").exists()
