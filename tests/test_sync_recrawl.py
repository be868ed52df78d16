"""`corpus sync` unites a recrawled article with the stored one, as ingest does
(issue 17, item 6): a comment missing from the new crawl stays in the corpus."""

from __future__ import annotations

from pathlib import Path

from toolkit.corpus import read_corpus
from toolkit.workflows.sync import ingest_into

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "000_dab86e570d492265.txt"
SIXTH = "    زائر\n\n    ·منذ يوم\n    تعليق سادس جديد\n"
SECOND = ("    علي علاو\n\n    ·منذ 7 سنوات 8 أشهر\n"
          "    الاتفاق : يمثل شروط السيد الإذعانية على عبده !!!\n\n")


def _recrawl(tmp_path: Path) -> Path:
    """The seed page crawled again: the second comment deleted on the site, a sixth added."""
    text = SEED.read_text(encoding="utf-8")
    assert SECOND in text
    cut = text.index("5\n\nالأكثر")
    newer = text[:cut] + SIXTH + text[cut:]
    newer = newer.replace(SECOND, "").replace("التعليقات (5)", "التعليقات (5)")
    folder = tmp_path / "crawl2"
    folder.mkdir()
    (folder / SEED.name).write_text(newer, encoding="utf-8")
    return folder


def test_sync_keeps_a_comment_the_recrawl_no_longer_has(tmp_path: Path):
    corpus = tmp_path / "corpus.jsonl"
    ingest_into([SEED], corpus)
    [before] = read_corpus(corpus)
    assert len(before.comments) == 5

    result = ingest_into([_recrawl(tmp_path)], corpus)
    [after] = read_corpus(corpus)
    texts = [c.text for c in after.comments]
    assert texts == [c.text for c in before.comments] + ["تعليق سادس جديد"]
    assert "الاتفاق : يمثل شروط السيد الإذعانية على عبده !!!" in texts
    assert after.comments[:5] == before.comments  # stored comments as they were
    assert after.comments[5].position == 6
    assert result.report.counts["merge_updated"] == 1
    [kept] = [f for f in result.report.findings if f.code == "I056"]
    assert kept.where == str(SEED.name) or kept.where.endswith(SEED.name)
    assert "1 stored comment(s)" in kept.message
    assert after.comments[1].id in kept.message


def test_sync_of_the_same_crawl_changes_nothing(tmp_path: Path):
    corpus = tmp_path / "corpus.jsonl"
    ingest_into([SEED], corpus)
    stored = corpus.read_bytes()
    result = ingest_into([SEED], corpus)
    assert corpus.read_bytes() == stored
    assert result.report.counts["merge_updated"] == 0
    assert not [f for f in result.report.findings if f.code == "I056"]
