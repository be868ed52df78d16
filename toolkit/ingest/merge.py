"""Adding newly ingested articles to an existing corpus (what `corpus sync` does).

`corpus ingest` writes a corpus from its inputs alone. A team lead's daily run
brings only new pages, and the corpus must keep what it had: merging is an
upsert by article id. An article met again under its id is united with the stored
one (:func:`recrawled`: the stored comments stay as they are, also those the new crawl
lacks, reported as I056; its new comments are appended; comment ids are
content-based, so the comments already pushed keep theirs); an article met again under another id
(same normalized title + body, e.g. through another format) is kept once, as
stored, and reported; new articles are appended in input order. New comments are
matched for near-duplicates against the whole corpus (toolkit.ingest.near_duplicates);
what the corpus already says about its comments' ``duplicate_of`` stays.

Within one ingest, an article met twice (a page crawled twice, a CSV with the
same title and body under two ids) is stored once, under the first copy's id,
with the comments of every copy united by their content ids
(:func:`merge_copies`): the second crawl's new comments are not lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from ..corpus import Article, read_corpus, write_corpus
from ..findings import Report
from ._common import dedupe_key, rebased_comment
from .copy_index import index_folder_prefix
from .near_duplicates import (
    DEFAULT_THRESHOLD,
    NearDuplicateIndex,
    feeding,
    keep_stored_firsts,
    mark_corpus,
)


def merge_corpus(existing: Path | str, new: Path | str, *, out: Path | str,
                 report: Report | None = None,
                 near_duplicates: float | None = DEFAULT_THRESHOLD) -> Report:
    """Write ``out`` = ``existing`` upserted with the articles of ``new``.

    Memory holds the new articles (a day's batch), one key per stored article and the
    stored comments' marks (:func:`toolkit.ingest.near_duplicates.keep_stored_firsts`).
    Counts ``merge_updated``, ``merge_added`` and ``duplicates`` in the report.
    """
    report = report if report is not None else Report()
    fresh: dict[str, Article] = {a.id: a for a in read_corpus(Path(new))}
    fresh_keys = {dedupe_key(a.title, a.body): a.id for a in fresh.values()}
    placed: set[str] = set()
    stored: dict[str, str | None] = {}  # every stored comment's duplicate_of (they stay)

    def merged() -> Iterator[Article]:
        for article in read_corpus(Path(existing)):
            stored.update((c.id, c.duplicate_of) for c in article.comments)
            replacement = fresh.get(article.id)
            if replacement is not None:
                placed.add(article.id)
                replacement = recrawled(article, replacement, report)
                report.counts["merge_updated"] += replacement != article
                yield replacement
                continue
            twin = fresh_keys.get(dedupe_key(article.title, article.body))
            if twin is not None and twin not in placed:
                placed.add(twin)
                report.counts["duplicates"] += 1
                report.info("I007", twin, f"same article as {article.id} already in the "
                            "corpus", "kept the stored one")
            yield article
        for article_id, article in fresh.items():
            if article_id not in placed:
                report.counts["merge_added"] += 1
                yield article

    if near_duplicates is None:
        write_corpus(Path(out), merged())
        return report
    # every comment is matched (the index on disk, beside the corpus); then the stored
    # marks are put back, and a new comment joins its cluster's stored first
    with NearDuplicateIndex(near_duplicates, workdir=Path(out).parent,
                            prefix=index_folder_prefix(Path(out))) as index:
        write_corpus(Path(out), feeding(merged(), index))
        mark_corpus(Path(out), index, report)
    keep_stored_firsts(Path(out), stored)
    return report


def unite(article: Article, copy: Article) -> tuple[Article, int]:
    """``article`` with the comments of ``copy`` (the same article met again) it lacks.

    Comments are matched by id after moving the copy's onto ``article``'s id (ids are
    content-based: the same comment gets the same id); the new ones are appended
    after the stored ones, positions following on. Returns (article, comments added).
    """
    have = {c.id for c in article.comments}
    added = []
    for comment in copy.comments:
        comment = rebased_comment(comment, article.id)
        if comment.id not in have:
            have.add(comment.id)
            added.append(comment)
    if not added:
        return article, 0
    start = len(article.comments)
    added = [replace(c, position=start + n) for n, c in enumerate(added, start=1)]
    return replace(article, comments=article.comments + tuple(added)), len(added)


def merge_copies(articles: Iterable[Article], copies: dict[str, list[tuple[str, Article]]],
                 report: Report) -> Iterator[Article]:
    """``articles`` with each one's later ``copies`` united into it.

    ``copies`` maps a stored article's id to (``"<id> from <source>"``, copy) pairs, as
    :func:`toolkit.ingest.iter_articles` collects them.

    A copy that brings comments is a warning (I050) naming both and the number of
    comments added (counted in ``comments``); one that brings none is an info.
    """
    for article in articles:
        for first, copy in copies.get(article.id, ()):
            article, added = unite(article, copy)
            if added:
                report.counts["comments"] += added
                report.warning(
                    "I050", copy.source,
                    f"same article as {first} (same title and body), with {added} "
                    "comment(s) it lacks",
                    f"stored once as {article.id}, with the comments of both copies",
                )
            else:
                report.info("I007", copy.source,
                            f"same article as {first}",
                            "stored once (the first); this copy skipped")
        yield article


def recrawled(stored: Article, fresh: Article, report: Report) -> Article:
    """A stored article met again: the new crawl's fields, the stored comments as they
    are (text, position, ``duplicate_of``), then the new crawl's new comments.

    A stored comment the new crawl lacks (deleted on the site, cut by the crawler) is
    kept and reported (I056): a corpus only grows.
    """
    united, _ = unite(stored, fresh)
    fresh_ids = {rebased_comment(c, stored.id).id for c in fresh.comments}
    missing = [c.id for c in stored.comments if c.id not in fresh_ids]
    if missing:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        report.info("I056", fresh.source,
                    f"the new crawl of article {stored.id} lacks {len(missing)} stored "
                    f"comment(s) ({shown})", "kept them in the corpus")
    return replace(fresh, id=stored.id, comments=united.comments)
