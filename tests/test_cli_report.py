"""`corpus report` on the command line: the page's path, its default place, bad inputs."""

from __future__ import annotations

import os

from dataset_fixture import make_inputs

from toolkit.cli import main
from toolkit.dataset import build_dataset
from toolkit.schema import load_schema


def test_report_writes_the_page_and_prints_its_path(tmp_path, capsys):
    schema, corpus, snapshot = make_inputs(tmp_path)
    build_dataset(snapshot, load_schema(schema), out=tmp_path / "dataset", corpus=corpus)
    out = tmp_path / "page" / "report.html"
    code = main(["report", str(snapshot), "-s", str(schema), "--corpus", str(corpus),
                 "--dataset", str(tmp_path / "dataset"), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.strip() == f"Report written to {out}"
    page = out.read_text(encoding="utf-8")
    assert "موافق (agree)" in page and "split test" in page


def test_default_place_is_exports_schema_report_html(tmp_path, capsys):
    schema, _, snapshot = make_inputs(tmp_path)
    before = os.getcwd()
    os.chdir(tmp_path)
    try:
        code = main(["report", str(snapshot), "-s", str(schema)])
    finally:
        os.chdir(before)
    assert code == 0
    assert (tmp_path / "exports" / "comment_stance" / "report.html").is_file()
    assert "exports/comment_stance/report.html" in capsys.readouterr().out


def test_bad_inputs_are_one_line_exit_2(tmp_path, capsys):
    schema, _, snapshot = make_inputs(tmp_path)
    cases = [
        (["report", str(tmp_path / "missing.json"), "-s", str(schema)], "cannot read"),
        (["report", str(snapshot), "-s", str(schema), "--dataset", str(tmp_path)],
         "not a dataset folder written by `corpus build`"),
        (["report", str(snapshot), "-s", "schemas/article_entities.yaml"],
         "pulled for schema 'comment_stance'"),
    ]
    for argv, message in cases:
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, argv
        assert message in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1, err
