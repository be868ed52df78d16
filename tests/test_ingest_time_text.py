"""A comment whose text looks like a time: the layout decides, not the look (issue 17, item 8)."""

from __future__ import annotations

from pathlib import Path

from toolkit.corpus import read_corpus
from toolkit.ingest import ingest

PAGE = """عنوان المقال

عنوان المقال
نص المقال.

التعليقات (3)

    أحمد

    ·منذ يومين
    تعليق أول

    سارة

    ·منذ يوم
    منذ 3 سنوات

    خالد

    ·منذ ساعة
    تعليق ثالث
"""


def test_a_text_line_that_reads_as_a_time_is_the_comments_text(tmp_path: Path):
    page = tmp_path / "001_aaaaaaaaaaaaaaaa.txt"
    page.write_text(PAGE, encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    result = ingest([page], out=out)
    [article] = read_corpus(out)
    assert [(c.author, c.time_raw, c.text) for c in article.comments] == [
        ("أحمد", "منذ يومين", "تعليق أول"),
        ("سارة", "منذ يوم", "منذ 3 سنوات"),
        ("خالد", "منذ ساعة", "تعليق ثالث"),
    ]
    assert result.report.findings == []


def test_a_bare_time_line_in_the_time_slot_is_still_a_time(tmp_path: Path):
    """A page that writes its times without the dot keeps being read."""
    page = tmp_path / "002_bbbbbbbbbbbbbbbb.txt"
    page.write_text(PAGE.replace("·منذ", "منذ").replace("    منذ 3 سنوات", "    تعليق ثان"),
                    encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    ingest([page], out=out)
    [article] = read_corpus(out)
    assert [(c.author, c.time_raw, c.text) for c in article.comments] == [
        ("أحمد", "منذ يومين", "تعليق أول"),
        ("سارة", "منذ يوم", "تعليق ثان"),
        ("خالد", "منذ ساعة", "تعليق ثالث"),
    ]


def test_a_later_paragraph_that_reads_as_a_time_stays_in_the_text(tmp_path: Path):
    page = tmp_path / "003_cccccccccccccccc.txt"
    page.write_text(PAGE.replace("    منذ 3 سنوات\n", "    رأيي\n\n    منذ 3 سنوات\n"),
                    encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    result = ingest([page], out=out)
    [article] = read_corpus(out)
    assert [c.text for c in article.comments] == ["تعليق أول", "رأيي\n\nمنذ 3 سنوات",
                                                  "تعليق ثالث"]
    assert [c.author for c in article.comments] == ["أحمد", "سارة", "خالد"]
    assert result.report.findings == []
