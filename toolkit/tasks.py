"""Corpus + schema -> Label Studio task payloads, each with a stable key.

The task data is a shared contract (validate, aggregate and build read it):

- comment unit: {corpus_key, unit, unit_id, article_id, comment_id, source, position,
  author, time_raw, text, article_title, article_body}
- article unit: {corpus_key, unit, unit_id, article_id, source, title, body}

``corpus_key`` = ``"<schema.name>:<unit id>"`` identifies a task across pushes (Label
Studio has no upsert and ignores ids in imported tasks). Texts are passed through
untouched: annotation offsets point into exactly these strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .corpus import Article, read_corpus
from .schema import Schema


def corpus_key(schema: Schema, unit_id: str) -> str:
    """The stable key of one unit's task under a schema."""
    return f"{schema.name}:{unit_id}"


def comment_task(schema: Schema, article: Article, index: int) -> dict:
    """The task data of the ``index``-th comment of ``article``."""
    comment = article.comments[index]
    return {
        "corpus_key": corpus_key(schema, comment.id),
        "unit": "comment",
        "unit_id": comment.id,
        "article_id": article.id,
        "comment_id": comment.id,
        "source": article.source,
        "position": comment.position,
        "author": comment.author,
        "time_raw": comment.time_raw,
        "text": comment.text,
        "article_title": article.title,
        "article_body": article.body,
    }


def article_task(schema: Schema, article: Article) -> dict:
    """The task data of one article."""
    return {
        "corpus_key": corpus_key(schema, article.id),
        "unit": "article",
        "unit_id": article.id,
        "article_id": article.id,
        "source": article.source,
        "title": article.title,
        "body": article.body,
    }


def iter_task_data(schema: Schema, articles: Iterable[Article]) -> Iterator[dict]:
    """One task data dict per unit of the schema, in corpus order (streamed)."""
    for article in articles:
        if schema.unit == "article":
            yield article_task(schema, article)
        else:
            for index in range(len(article.comments)):
                yield comment_task(schema, article, index)


def tasks_from_corpus(schema: Schema, corpus_path: Path | str) -> Iterator[dict]:
    """Stream the task data of a corpus file under a schema."""
    return iter_task_data(schema, read_corpus(Path(corpus_path)))
