"""`corpus sync` merges newly ingested articles into the existing corpus (upsert by id)."""

from __future__ import annotations

from toolkit.corpus import Article, Comment, read_corpus, write_corpus
from toolkit.ingest.merge import merge_corpus


def _article(ident: str, title: str, comments: tuple[str, ...] = ()) -> Article:
    return Article(
        id=ident, source=f"{ident}.txt", title=title, body=f"نص {title}",
        comments=tuple(Comment(id=f"{ident}-{i}", article_id=ident, position=i, text=text)
                       for i, text in enumerate(comments, start=1)),
    )


def test_upsert_by_id_keeps_stored_articles_and_appends_new_ones(tmp_path):
    corpus, batch = tmp_path / "corpus.jsonl", tmp_path / "new.jsonl"
    write_corpus(corpus, [_article("a", "أولى", ("تعليق",)), _article("b", "ثانية")])
    write_corpus(batch, [
        _article("c", "ثالثة"),
        _article("a", "أولى", ("تعليق", "تعليق جديد")),  # re-scraped: one comment more
        _article("b-copy", "ثانية"),  # the same article through another format
    ])
    report = merge_corpus(corpus, batch, out=corpus)
    merged = list(read_corpus(corpus))
    assert [a.id for a in merged] == ["a", "b", "c"]
    assert [c.text for c in merged[0].comments] == ["تعليق", "تعليق جديد"]
    assert (report.counts["merge_updated"], report.counts["merge_added"],
            report.counts["duplicates"]) == (1, 1, 1)
    [duplicate] = report.findings
    assert duplicate.line() == (
        "b-copy: info[I007 duplicate]: same article as b already in the corpus; "
        "kept the stored one")


def test_merging_the_same_batch_twice_changes_nothing(tmp_path):
    corpus, batch = tmp_path / "corpus.jsonl", tmp_path / "new.jsonl"
    write_corpus(corpus, [_article("a", "أولى")])
    write_corpus(batch, [_article("b", "ثانية")])
    merge_corpus(corpus, batch, out=corpus)
    once = corpus.read_bytes()
    report = merge_corpus(corpus, batch, out=corpus)
    assert corpus.read_bytes() == once
    assert report.counts["merge_added"] == 0 and report.counts["merge_updated"] == 0
