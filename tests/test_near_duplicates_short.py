"""Emoji-only and punctuation-only comments are not near-duplicates of each other
(issue 17, item 9)."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.corpus import read_corpus
from toolkit.ingest import ingest
from toolkit.ingest.near_duplicates import duplicate_of


def _copies(texts: list[str]) -> list[str | None]:
    return duplicate_of(texts, [f"c{n}" for n in range(len(texts))])


def test_emoji_and_punctuation_only_comments_are_not_one_cluster():
    assert _copies(["👍👍👍", "👎👎👎", "😡", "؟؟؟", "!!!", "...", "❤️"]) == [None] * 7


def test_identical_emoji_only_text_is_still_an_exact_duplicate():
    assert _copies(["👍👍👍", "😡", "👍👍👍", " 👍👍👍 ", "👍👍"]) == [
        None, None, "c0", "c0", None]


def test_a_one_letter_form_is_too_short_to_compare():
    assert _copies(["ههههه", "هه!!", "ههههه"]) == [None, None, "c0"]


def test_ingest_marks_none_of_the_issues_comments(tmp_path: Path):
    source = tmp_path / "in.jsonl"
    rows = [{"id": "a1", "title": "عنوان أول", "body": "نص أول",
             "comments": [{"text": t} for t in ["👍👍👍", "👎👎👎", "😡", "؟؟؟", "!!!", "..."]]},
            {"id": "a2", "title": "عنوان ثان", "body": "نص ثان", "comments": [{"text": "❤️"}]}]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                      encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    result = ingest([source], out=out)
    assert [c.duplicate_of for a in read_corpus(out) for c in a.comments] == [None] * 7
    assert result.report.counts["near_duplicate_clusters"] == 0
    assert not [f for f in result.report.findings if f.code == "I060"]
