"""Article and Comment records, and the corpus JSONL file that holds them.

The corpus file is the contract between ingest and every later stage: one JSON
object per line per article, keys in a fixed order, UTF-8 unescaped. Stored
text is exactly what the source said (BOM, CRLF and page indentation aside):
annotation offsets point into these strings, so nothing here normalizes text.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from .errors import InputError
from .paths import (
    DEFAULT_CORPUS,  # noqa: F401  (where ingest writes and push reads)
    DEFAULT_LOCK_TIMEOUT,
    Say,
    exclusive,
    replacing,
)


@dataclass(frozen=True)
class Comment:
    """A reader comment under an article; ``position`` is 1-based in page order."""

    id: str
    article_id: str
    position: int
    text: str
    author: str | None = None
    time_raw: str | None = None
    age_days: int | None = None
    time_estimated: str | None = None  # ISO date, only when ingest was given --crawled-at
    reply_to: str | None = None
    # The first comment (corpus order) of this one's near-duplicate cluster, or None
    # (toolkit.ingest.near_duplicates). Not part of the task data sent to Label Studio.
    duplicate_of: str | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "article_id": self.article_id,
            "position": self.position,
            "author": self.author,
            "time_raw": self.time_raw,
            "age_days": self.age_days,
            "time_estimated": self.time_estimated,
            "reply_to": self.reply_to,
            "duplicate_of": self.duplicate_of,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Comment:
        return cls(
            id=data["id"],
            article_id=data["article_id"],
            position=data["position"],
            text=data["text"],
            author=data.get("author"),
            time_raw=data.get("time_raw"),
            age_days=data.get("age_days"),
            time_estimated=data.get("time_estimated"),
            reply_to=data.get("reply_to"),
            duplicate_of=data.get("duplicate_of"),
        )


@dataclass(frozen=True)
class Article:
    """A news article with its comments; ``source`` names where it was read from."""

    id: str
    source: str
    title: str
    body: str
    comment_count_declared: int | None = None
    url: str | None = None
    published: str | None = None
    comments: tuple[Comment, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            "title": self.title,
            "body": self.body,
            "comment_count_declared": self.comment_count_declared,
            "comments": [c.to_dict() for c in self.comments],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Article:
        return cls(
            id=data["id"],
            source=data["source"],
            title=data["title"],
            body=data["body"],
            comment_count_declared=data.get("comment_count_declared"),
            url=data.get("url"),
            published=data.get("published"),
            comments=tuple(Comment.from_dict(c) for c in data.get("comments", [])),
        )


def dumps_article(article: Article) -> bytes:
    """One corpus line (without the newline), byte-stable for the same article."""
    return orjson.dumps(article.to_dict())


def write_corpus(path: Path, articles: Iterable[Article]) -> int:
    """Write articles to ``path`` (JSONL), atomically; returns how many were written."""
    with replacing(path, unique=True) as tmp, tmp.open("wb") as out:
        return dump_corpus(out, articles)


def dump_corpus(out: BinaryIO, articles: Iterable[Article]) -> int:
    """Write articles as JSONL lines to an open file; returns how many were written."""
    count = 0
    for article in articles:
        out.write(dumps_article(article))
        out.write(b"\n")
        count += 1
    return count


def read_corpus(path: Path) -> Iterator[Article]:
    """Stream the articles of a corpus file; a bad line raises InputError naming it."""
    fix = "re-create the file with `corpus ingest`"
    for number, record in iter_jsonl(path, what="corpus file", hint=fix):
        try:
            yield Article.from_dict(record)
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}:{number}: not a corpus record ({exc}); {fix}") from exc


# Reading the toolkit's own JSONL files (corpus, predictions, push ledger), line by line.
# Scraper JSONL inputs are read by toolkit.ingest.jsonl instead: there a bad line is a
# finding and the rest of the file is still read; here it is an InputError.


def iter_jsonl(
    path: Path | str,
    *,
    what: str,
    hint: str = "",
    missing_ok: bool = False,
    on_bad_line: Callable[[int, orjson.JSONDecodeError], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) for each non-blank line of ``path``, streamed.

    A file that cannot be opened raises InputError ``<path>: cannot read the <what>
    (<reason>)``, except an absent one with ``missing_ok`` (nothing is yielded). A
    line that is not JSON raises InputError ``<path>:<line>: not JSON (...); <hint>``,
    unless ``on_bad_line(number, error)`` is given: then it is called and the line
    skipped (the ledger's torn last line after a kill).
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        if missing_ok:
            return
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                if on_bad_line is not None:
                    on_bad_line(number, exc)
                    continue
                raise InputError(
                    f"{path}:{number}: not JSON ({exc})" + (f"; {hint}" if hint else "")
                ) from exc
            yield number, value


def corpus_lock_path(corpus: Path | str) -> Path:
    """``.<name>.lock`` beside the corpus file (a symlink's target: the file written);
    there only while a run writes the corpus."""
    real = Path(os.path.realpath(corpus))
    return real.with_name(f".{real.name}.lock")


@contextmanager
def corpus_lock(corpus: Path | str, *, timeout: float = DEFAULT_LOCK_TIMEOUT,
                say: Say | None = None) -> Iterator[Path]:
    """Hold the corpus file's write lock: two runs writing one corpus (two ingests, two
    syncs) take turns, each reading the corpus the other wrote; never a torn file or
    a lost input. Raises :class:`Busy` after ``timeout`` seconds of waiting."""
    path = corpus_lock_path(corpus)

    def waiting(holder: str) -> str:
        return (f"Another run is writing {corpus}{holder}; waiting for it (up to "
                f"{timeout:g} s) ...")

    def busy(holder: str) -> str:
        return (f"another run{holder} is still writing {corpus} after {timeout:g} s "
                f"(lock {path}); nothing was written: run this again when it has finished")

    with exclusive(path, timeout=timeout, busy=busy, waiting=waiting, say=say, remove=True):
        yield path
