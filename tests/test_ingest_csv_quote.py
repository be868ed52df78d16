"""A CSV cell whose quote is never closed must not swallow the rows below it (issue 13, item 7)."""

from __future__ import annotations

from toolkit.corpus import read_corpus
from toolkit.ingest import ingest

HEADER = "article_id,title,body,author,time,text\n"


def _run(tmp_path, text: str):
    source = tmp_path / "u.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    result = ingest([source], out=out)
    return source, result, list(read_corpus(out))


def test_the_repro_reports_the_line_and_keeps_the_next_row(tmp_path):
    source, result, articles = _run(
        tmp_path, HEADER + '1,T,B,A,منذ يوم,"unterminated\n2,T,B,A,منذ يوم,ok\n'
    )
    assert [f.line() for f in result.report.findings] == [
        f"{source}:2: error[I054 unclosed-quote]: a quote (\") in this row is not closed "
        "where its cell ends: "
        "the row runs over 1 line(s) below, and its line '2,T,B,A,منذ يوم,ok' reads as a row "
        "of its own; skipped line 2; read on from line 3; close the quote and ingest again"
    ]
    assert [(a.id, [c.text for c in a.comments]) for a in articles] == [("2", ["ok"])]


def test_rows_after_the_bad_one_keep_their_line_numbers(tmp_path):
    source, result, articles = _run(
        tmp_path,
        HEADER + '1,T,B,A,منذ يوم,first\n'
        '1,T,B,A,منذ يوم,"broken\n'
        '1,T,B,A,منذ يوم,third\n'
        '2,U,C,A,منذ يوم,"fine, over\ntwo lines"\n'
        '3,V,D,A,منذ يوم,last\n',
    )
    assert [(f.code, f.where) for f in result.report.findings] == [("I054", f"{source}:3")]
    assert [(a.id, a.source, [c.text for c in a.comments]) for a in articles] == [
        ("1", "u.csv:2", ["first", "third"]),
        ("2", "u.csv:5", ["fine, over\ntwo lines"]),
        ("3", "u.csv:7", ["last"]),
    ]


def test_a_quoted_text_over_several_lines_is_not_flagged(tmp_path):
    _, result, [article] = _run(
        tmp_path, HEADER + '1,T,B,A,منذ يوم,"one line\nand, another, with commas"\n'
    )
    assert result.report.findings == []
    assert article.comments[0].text == "one line\nand, another, with commas"
