"""A cluster's first comment is stable once chosen (issue 17, item 7): a re-ingest that
brings an earlier copy keeps the stored first; the build's balance counts the copies
waiting for their first comment's labels."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from dataset_fixture import make_inputs

from toolkit.corpus import read_corpus, write_corpus
from toolkit.dataset import build_dataset
from toolkit.ingest import ingest
from toolkit.workflows.sync import ingest_into

LONG = "الحكومة لم تفعل شيئا للمواطن البسيط منذ سنوات والاسعار ترتفع كل يوم"
COPY = "الحكومه لم تفعل شيئاً للمواطن البسيط منذ سنوات، والأسعار ترتفع كل يوم!!"


def _jsonl(path: Path, articles: list[tuple[str, list[str]]]) -> Path:
    path.write_text("".join(json.dumps({"id": ident, "title": f"عنوان {ident}", "body": "نص",
                                        "comments": [{"text": t} for t in texts]},
                                       ensure_ascii=False) + "\n"
                            for ident, texts in articles), encoding="utf-8")
    return path


def _marks(corpus: Path) -> dict[str, tuple[str, str | None]]:
    return {c.text: (c.id, c.duplicate_of) for a in read_corpus(corpus) for c in a.comments}


def test_a_recrawl_bringing_an_earlier_copy_keeps_the_stored_first(tmp_path):
    crawl1 = _jsonl(tmp_path / "crawl1.jsonl", [("a", ["تعليق عادي تحت المقال الاول"]),
                                                 ("b", [LONG])])
    # article a crawled again: a copy of b's comment has appeared under it (before b)
    crawl2 = _jsonl(tmp_path / "crawl2.jsonl", [("a", ["تعليق عادي تحت المقال الاول", COPY])])
    out = tmp_path / "corpus.jsonl"
    ingest([crawl1], out=out)
    first_id, first_mark = _marks(out)[LONG]
    assert first_mark is None

    ingest([crawl1, crawl2], out=out)
    marks = _marks(out)
    assert marks[LONG] == (first_id, None)  # still the first of its cluster
    assert marks[COPY][1] == first_id  # the new copy points to it

    # the same inputs into a new file: the order decides (no stored first)
    fresh = tmp_path / "fresh.jsonl"
    ingest([crawl1, crawl2], out=fresh)
    assert _marks(fresh)[LONG][1] == _marks(fresh)[COPY][0]


def test_sync_matches_a_recrawls_new_copy_to_the_stored_first(tmp_path):
    crawl1 = _jsonl(tmp_path / "crawl1.jsonl", [("a", ["تعليق عادي تحت المقال الاول"]),
                                                 ("b", [LONG])])
    crawl2 = _jsonl(tmp_path / "crawl2.jsonl", [("a", ["تعليق عادي تحت المقال الاول", COPY])])
    corpus = tmp_path / "corpus.jsonl"
    ingest_into([crawl1], corpus)
    ingest_into([crawl2], corpus)
    marks = _marks(corpus)
    assert marks[LONG][1] is None
    assert marks[COPY][1] == marks[LONG][0]


def test_the_balance_counts_copies_whose_first_has_no_labels(tmp_path):
    schema, corpus, snapshot = make_inputs(tmp_path)
    # a6-2 and a6-3 were never pushed; a6-3 copies a6-2 under its article (not pushed by
    # the policy), and a6-2 has no labels: a6-3 has no row, and the balance says why
    marks = {"a6-3": "a6-2"}
    write_corpus(corpus, [replace(a, comments=tuple(replace(c, duplicate_of=marks.get(c.id))
                                                    for c in a.comments))
                          for a in read_corpus(corpus)])
    result = build_dataset(snapshot, schema, out=tmp_path / "ds", corpus=corpus)
    assert result.balance.copies == 0
    assert result.balance.copies_waiting == 1
    assert ("near-duplicate copies not pushed, waiting for their first comment's labels "
            "(not in the dataset): 1") in result.balance.lines()
