"""The report's near-duplicate section, read from the corpus's `duplicate_of` marks
(toolkit.ingest.near_duplicates): shown by `corpus report --corpus` when there are
copies, left out when there are none."""

from __future__ import annotations

from dataclasses import replace

from dataset_fixture import corpus_articles, make_inputs

from toolkit.cli import main
from toolkit.corpus import write_corpus
from toolkit.html_report import gather_report
from toolkit.html_report.gather import near_duplicate_section
from toolkit.schema import load_schema

# comment -> the first comment of its cluster: one cluster of 3 joining articles a1 and a2
# (a1-1, a1-3, a2-1), one of 2 inside a5 (a5-1, a5-2)
MARKS = {"a1-3": "a1-1", "a2-1": "a1-1", "a5-2": "a5-1"}


def _marked_corpus(path):
    articles = []
    for article in corpus_articles():
        comments = tuple(replace(c, duplicate_of=MARKS.get(c.id)) for c in article.comments)
        articles.append(replace(article, comments=comments))
    write_corpus(path, articles)
    return path


def test_section_counts_clusters_copies_and_clusters_across_articles(tmp_path):
    section = near_duplicate_section(_marked_corpus(tmp_path / "corpus.jsonl"))
    assert section["clusters"] == 2
    assert section["members"] == 5 and section["copies"] == 3
    assert section["across_articles"] == 1
    assert section["sizes"] == [{"size": 2, "clusters": 1}, {"size": 3, "clusters": 1}]
    assert section["largest"] == [
        {"size": 3, "articles": 2, "example": "هذا كلام صحيح 👍 والوزير محمد صادق"},
        {"size": 2, "articles": 1, "example": "موضوع مهم جدا"},
    ]


def test_no_copies_no_section(tmp_path):
    schema, corpus, snapshot = make_inputs(tmp_path)
    assert near_duplicate_section(corpus) is None
    report = gather_report(snapshot, load_schema(schema), corpus=corpus)
    assert report.near_duplicates is None


def test_corpus_report_with_a_corpus_shows_the_section(tmp_path, capsys):
    schema, _, snapshot = make_inputs(tmp_path)
    corpus = _marked_corpus(tmp_path / "marked.jsonl")
    report = gather_report(snapshot, load_schema(schema), corpus=corpus)
    assert report.near_duplicates["clusters"] == 2
    assert report.near_duplicates["policy"] == "once_per_article"  # the default
    out = tmp_path / "report.html"
    code = main(["report", str(snapshot), "-s", str(schema), "--corpus", str(corpus),
                 "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert 'id="near-duplicates"' in page
    assert "2 clusters of near-duplicate comments, 5 comments in them" in page
    assert "1 cluster joins comments of several articles" in page
    assert "هذا كلام صحيح 👍 والوزير محمد صادق" in page
    # without the corpus: no section
    code = main(["report", str(snapshot), "-s", str(schema), "--out", str(out)])
    assert code == 0 and 'id="near-duplicates"' not in out.read_text(encoding="utf-8")
