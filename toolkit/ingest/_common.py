"""What every reader shares: the run context, stable ids, comment times, the dedupe key."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from hashlib import blake2b

from ..corpus import Comment
from ..findings import Report
from .arabic import normalized_utf8, parse_relative_time


@dataclass
class Context:
    """Per-run settings and the report every reader adds its findings to."""

    report: Report
    crawled_at: date | None = None
    bytes_read: Callable[[int], None] | None = None  # hears of the bytes of a file read


@dataclass(frozen=True)
class RawComment:
    """A comment as a reader found it, before ids and times are worked out."""

    text: str
    author: str | None = None
    time_raw: str | None = None
    id: str | None = None
    reply_to: str | None = None
    where: str = ""


def _digest(*parts: str, size: int) -> str:
    return blake2b("\x1f".join(parts).encode("utf-8"), digest_size=size).hexdigest()


def content_id(title: str, body: str) -> str:
    """An article id from its stored text, for sources that give none (16 hex digits)."""
    return _digest(title, body, size=8)


def dedupe_key(title: str, body: str) -> bytes:
    """Two articles with the same key are the same article (normalized title + body).

    The hash of ``(normalize(title) + "\\x00" + normalize(body)).encode("utf-8")``,
    fed in pieces so the body is never copied into a concatenation.
    """
    digest = blake2b(normalized_utf8(title), digest_size=16)
    digest.update(b"\x00")
    digest.update(normalized_utf8(body))
    return digest.digest()


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=4096)  # pages repeat the same few phrases; a pure function; bounded
def comment_time(
    time_raw: str | None, crawled_at: date | None
) -> tuple[int | None, str | None, bool]:
    """(age_days, time_estimated, understood) for a comment's time as the source wrote it.

    A relative time ("منذ 7 سنوات 8 أشهر") gives the age, and with ``crawled_at`` the
    estimated date. An ISO date or timestamp (as JSONL scrapers write) is the date
    itself, and with ``crawled_at`` gives the age.
    """
    if not time_raw:
        return None, None, True
    relative = parse_relative_time(time_raw)
    if relative is not None:
        estimated = relative.before(crawled_at).isoformat() if crawled_at else None
        return relative.age_days, estimated, True
    if _ISO_DATE.match(time_raw):
        try:
            when = datetime.fromisoformat(time_raw.replace("Z", "+00:00")).date()
        except ValueError:
            return None, None, False
        age = (crawled_at - when).days if crawled_at else None
        return age, when.isoformat(), True
    return None, None, False


def build_comments(
    article_id: str, raw: list[RawComment], ctx: Context
) -> tuple[Comment, ...]:
    """Comments with stable ids, positions (1-based, in source order) and times.

    Ids: ``<article id>-<the source's comment id>`` when the source has one (and
    ``reply_to`` likewise, so it names a corpus comment id); otherwise content-based,
    ``<article id>-<hash of article id, author and text>``, with ``-2``, ``-3``...
    for exact repeats in page order. Content-based rather than positional so that
    a re-scrape that finds a new comment does not renumber the older ones (and
    their annotations). The time is left out of the hash on purpose: "منذ 7 سنوات"
    becomes "منذ 8 سنوات" on the next crawl. Comment ids are unique across the
    corpus because they start with the article id (the task key needs that).
    """
    seen: dict[str, int] = {}
    comments = []
    for position, item in enumerate(raw, start=1):
        if item.id:
            base = f"{article_id}-{item.id}"
        else:
            base = f"{article_id}-{_digest(article_id, item.author or '', item.text, size=6)}"
        count = seen.get(base, 0) + 1
        seen[base] = count
        comment_id = base if count == 1 else f"{base}-{count}"
        age_days, estimated, understood = comment_time(item.time_raw, ctx.crawled_at)
        if not understood:
            ctx.report.warning(
                "I009",
                item.where,
                f"comment time {item.time_raw!r} is not a relative time or ISO date",
                "kept as time_raw; age_days left empty",
            )
        comments.append(
            Comment(
                id=comment_id,
                article_id=article_id,
                position=position,
                text=item.text,
                author=item.author,
                time_raw=item.time_raw,
                age_days=age_days,
                time_estimated=estimated,
                reply_to=f"{article_id}-{item.reply_to}" if item.reply_to else None,
            )
        )
    return tuple(comments)


def rebased_comment(comment: Comment, article_id: str) -> Comment:
    """``comment`` as :func:`build_comments` would have made it under ``article_id``.

    A content-based id is recomputed (its hash covers the article id); a source id
    and ``reply_to`` keep their part after ``<old article id>-``. So the same
    comment under two article ids (one article met twice) gets one id.
    """
    old = comment.article_id
    if old == article_id:
        return comment
    content = f"{old}-{_digest(old, comment.author or '', comment.text, size=6)}"

    def moved(comment_id: str | None) -> str | None:
        if comment_id is None:
            return None
        if comment_id == content or comment_id.startswith(content + "-"):
            rest = comment_id[len(content):]  # "" or the "-2" of an exact repeat
            digest = _digest(article_id, comment.author or "", comment.text, size=6)
            return f"{article_id}-{digest}{rest}"
        if comment_id.startswith(old + "-"):
            return f"{article_id}-{comment_id[len(old) + 1:]}"
        return comment_id

    reply_to = comment.reply_to
    if reply_to is not None and reply_to.startswith(old + "-"):
        reply_to = f"{article_id}-{reply_to[len(old) + 1:]}"
    return replace(comment, id=moved(comment.id) or comment.id, article_id=article_id,
                   reply_to=reply_to)
