"""Near-duplicate comments: copies that differ in spelling, marks, punctuation, emoji, a word.

    index = NearDuplicateIndex(threshold=0.75)
    write_corpus(staged, feeding(articles, index))   # sketched on the way
    mark_corpus(staged, index, report)               # duplicate_of set, summary in report

News comment sections are full of copies: the same comment pasted under several
articles, spam campaigns, a stock phrase with a stretched letter. Exact matching
misses them, so each comment is reduced to a **matching form** (:func:`match_form`:
today's Arabic normalization, plus stretched letters, punctuation, emoji and spacing
folded away) and compared by the Jaccard similarity of its character 5-gram sets,
estimated with MinHash (128 rows, toolkit.ingest.sketch) and found through
locality-sensitive hashing: sketches sharing one of 16 bands of 8 rows are compared,
and a pair counts when the share of equal rows reaches the threshold. The index lives
on disk and is resolved once, after the last comment (toolkit.ingest.copy_index): memory
holds a few numbers per comment, not the corpus nor its sketches.

A comment whose matching form has fewer than :data:`SHORT` characters ("شكرا", "صح")
matches only a comment with the same form: a few shared 5-grams mean nothing there. A
comment whose form has fewer than :data:`COMPARABLE` characters (emoji only,
punctuation only, "ههههه") has nothing to compare: it is never a copy of a different
comment, only of the same text (``👍👍👍`` twice is one cluster; ``👍👍👍``, ``👎👎👎``,
``😡``, ``؟؟؟`` and ``!!!`` are five comments, whose meaning is the article's, not their
own).

**Two thresholds, two jobs.** Annotate-once (a copy takes its cluster's first comment's
labels) must never join two different comments: the strict threshold
(:data:`DEFAULT_THRESHOLD`, 0.75) and the clusters below. Split grouping (no copy in
two splits of the dataset) must never separate two copies, and grouping a few more
comments together costs nothing: `corpus build` groups at a looser threshold
(:data:`DEFAULT_SPLIT_THRESHOLD`, 0.5, with 32 bands of 4 rows so that pairs near 0.5
are found at all; schema key ``dataset.split_near_duplicates``).

Clusters are formed in corpus order: a comment that matches earlier ones joins the
cluster of the earliest of them, and its ``duplicate_of`` is that cluster's first
comment; one that matches none starts a cluster (``duplicate_of`` None). A comment
never changes its cluster because of a later one, so two clusters are never merged
after the fact. Stored text is never changed; only the matching form is normalized.

Why these settings: char 5-grams (BigCode, FineWeb) of the matching form without
spaces (a split or joined word costs little); threshold 0.75 keeps a margin above the
hard negatives (comments sharing a long quote are near 0.5) and sits in the 0.7-0.8
range the web-scale projects use. Measured figures (precision, recall, speed, memory):
bench/bench_dedupe.py and docs/scale.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy

from ..corpus import Article, read_corpus, write_corpus
from ..findings import Report
from .copy_index import COMPARABLE, PARALLEL_FROM, SHORT, Found, NearDuplicateIndex
from .sketch import match_form

__all__ = [
    "COMPARABLE",
    "DEFAULT_SPLIT_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "PARALLEL_FROM",
    "SHORT",
    "Cluster",
    "NearDuplicateIndex",
    "duplicate_of",
    "feeding",
    "keep_stored_firsts",
    "mark_corpus",
    "match_form",
    "parse_threshold",
    "split_groups",
]

DEFAULT_THRESHOLD = 0.75
DEFAULT_SPLIT_THRESHOLD = 0.5  # bench_dedupe: split-grouping recall 0.9966-0.9970 at 300k to 10M
LARGEST = 5  # clusters shown in the summary and reported as findings

def parse_threshold(value: str | float | None) -> float | None:
    """``--near-duplicates`` value -> a Jaccard threshold in (0, 1], or None for ``off``.

    Raises ValueError with a one-line reason for anything else.
    """
    if value is None:
        return DEFAULT_THRESHOLD
    if isinstance(value, str):
        if value.strip().lower() in ("off", "no", "none", "0"):
            return None
        try:
            value = float(value)
        except ValueError:
            raise ValueError(
                f"--near-duplicates {value!r} is not a number; give a Jaccard threshold "
                f"such as {DEFAULT_THRESHOLD} or 'off'"
            ) from None
    if not 0 < value <= 1:
        raise ValueError(
            f"--near-duplicates {value} is outside (0, 1]; give a Jaccard threshold such as "
            f"{DEFAULT_THRESHOLD} or 'off'"
        )
    return float(value)


@dataclass
class Cluster:
    """A near-duplicate cluster: its first comment, size, articles, an example."""

    representative: str
    size: int = 1
    example: str = ""  # the text of its first copy, cut to 80 characters
    articles: set[str] = field(default_factory=set)


Progress = Callable[[int, int | None], None]


def duplicate_of(texts: Sequence[str], ids: Sequence[str],
                 threshold: float = DEFAULT_THRESHOLD) -> list[str | None]:
    """Each text's ``duplicate_of`` (the id of its cluster's first text; None for a first),
    for texts in corpus order: the marks ingest gives, for a list in memory."""
    with NearDuplicateIndex(threshold) as index:
        index.add(texts)
        first = index.resolve().first.tolist()
    return [None if rep == n else ids[rep] for n, rep in enumerate(first)]


def split_groups(texts: Iterable[str], threshold: float = DEFAULT_SPLIT_THRESHOLD, *,
                 workdir: str | Path | None = None) -> numpy.ndarray:
    """For ``texts`` in order, the position of the earliest text of each one's group at the
    loose ``threshold``: texts joined by any chain of pairs at or above it (split grouping,
    recall first; see the module docstring). Memory: the index's few numbers a text."""
    with NearDuplicateIndex(DEFAULT_THRESHOLD, loose=threshold, workdir=workdir) as index:
        index.add(texts)
        group = index.resolve().group
    assert group is not None  # asked for with loose=
    return group


def feeding(articles: Iterable[Article], index: NearDuplicateIndex) -> Iterator[Article]:
    """``articles`` as they come, their comments' texts added to ``index`` on the way (it
    sketches them a batch at a time, beside the caller's writing)."""
    for article in articles:
        index.add(c.text for c in article.comments)
        yield article


def mark_corpus(path: Path, index: NearDuplicateIndex, report: Report, *,
                on_progress: Progress | None = None) -> Found:
    """Rewrite the corpus file ``path`` with each comment's ``duplicate_of``, from ``index``
    fed with its comments in file order (:func:`feeding`); counts and one I060 finding per
    largest cluster go to ``report``. Returns what the index found.

    Memory: the index's answer (a number a comment), and the ids of the comments that
    are the first of a cluster, taken as the rewrite meets them.
    """
    found = index.resolve()
    first = found.first
    total = len(first)
    own = numpy.arange(total)
    copies = first != own
    sizes = numpy.bincount(first, minlength=total)
    firsts_with_copies = numpy.flatnonzero(sizes > 1)
    # the largest clusters (ties: the earliest first)
    top = firsts_with_copies[numpy.lexsort((firsts_with_copies,
                                            -sizes[firsts_with_copies]))[:LARGEST]]
    clusters = {int(rep): Cluster("", size=int(sizes[rep])) for rep in top.tolist()}
    wanted = numpy.zeros(total, dtype=bool)
    wanted[firsts_with_copies] = True
    ids: dict[int, str] = {}
    position = 0

    def marked() -> Iterator[Article]:
        nonlocal position
        for article in read_corpus(path):
            comments = []
            changed = False
            for comment in article.comments:
                k = position
                position += 1
                rep = int(first[k])
                if wanted[k]:
                    ids[k] = comment.id
                mark = ids[rep] if rep != k else None
                cluster = clusters.get(rep)
                if cluster is not None:
                    cluster.articles.add(article.id)
                    if rep == k:
                        cluster.representative = comment.id
                    elif not cluster.example:
                        cluster.example = comment.text[:80]
                if mark != comment.duplicate_of:
                    comment = replace(comment, duplicate_of=mark)
                    changed = True
                comments.append(comment)
            if on_progress is not None:
                on_progress(position, total)
            yield replace(article, comments=tuple(comments)) if changed else article
        if position != total:
            raise RuntimeError(f"{path}: {position} comments read back, {total} were matched")

    write_corpus(path, marked())
    counts = report.counts
    counts["near_duplicate_clusters"] = len(firsts_with_copies)
    counts["comments_in_clusters"] = int(sizes[firsts_with_copies].sum())
    counts["near_duplicates"] = int(copies.sum())
    for rep in top.tolist():
        cluster = clusters[rep]
        report.info(
            "I060",
            cluster.representative,
            f"near-duplicate cluster of {cluster.size} comments under "
            f"{len(cluster.articles)} article(s), e.g. {cluster.example!r}",
            "copies marked duplicate_of this comment; their text is kept",
        )
    return found

def copies_not_pushed(policy: str, articles: Iterable[Article]) -> dict[str, str]:
    """Copy comment id -> its cluster's first comment id, for the copies a schema's
    ``annotation.near_duplicates`` policy leaves unannotated (see schemas/README.md).

    ``articles`` is one read of the corpus. A cluster's first comment comes before its
    copies in corpus order and ids are unique, so "its first comment is under the same
    article" is "its first comment was met earlier in this article". Memory holds one
    article's ids and the answer, never the corpus.
    """
    if policy == "annotate_each":
        return {}
    skip: dict[str, str] = {}
    for article in articles:
        here: set[str] = set()
        for comment in article.comments:
            first = comment.duplicate_of
            if first and (policy == "annotate_once" or first in here):
                skip[comment.id] = first
            here.add(comment.id)
    return skip



def stored_marks(articles: Iterable[Article]) -> dict[str, str | None]:
    """Comment id -> ``duplicate_of`` of every comment of a corpus (before it is rewritten),
    for :func:`keep_stored_firsts`."""
    return {c.id: c.duplicate_of for article in articles for c in article.comments}


def keep_stored_firsts(path: Path, stored: Mapping[str, str | None]) -> bool:
    """Rewrite the corpus file ``path`` (just marked from scratch, or merged) so that the
    first comment of a cluster stays the one the corpus had chosen (``stored``: the
    previous file's marks, :func:`stored_marks`); returns whether anything changed.

    A comment the corpus had keeps its ``duplicate_of`` (unless it named a stored comment
    that is gone); a new comment whose cluster holds a stored comment points to that stored
    comment's first (the earliest such, in corpus order); only a cluster of new comments
    alone gets a new first. So a recrawl bringing an earlier copy (under an earlier
    article) never makes an unannotated comment the first whose labels its copies take.
    Two reads of ``path``; memory: ``stored`` and one entry per cluster with stored members.
    """
    present: set[str] = set()  # stored firsts still in the file (stored mark None)
    candidates: dict[str, list[str]] = {}  # computed first -> stored firsts of its members
    differs = False
    for article in read_corpus(path):
        for comment in article.comments:
            if comment.id not in stored:
                continue
            mark = stored[comment.id]
            if mark is None:
                present.add(comment.id)
            candidates.setdefault(comment.duplicate_of or comment.id, []).append(
                mark or comment.id)
            differs |= comment.duplicate_of != mark
    if not differs:
        return False

    def final(comment_id: str, computed: str | None) -> str | None:
        mark = stored.get(comment_id, "")
        if mark is None or mark in present or (mark and mark not in stored):
            return mark  # as the corpus says (also a first it never held)
        first = computed or comment_id
        first = next((s for s in candidates.get(first, ()) if s in present), first)
        return None if first == comment_id else first

    def restamped() -> Iterator[Article]:
        for article in read_corpus(path):
            comments = tuple(
                c if (mark := final(c.id, c.duplicate_of)) == c.duplicate_of
                else replace(c, duplicate_of=mark) for c in article.comments)
            yield replace(article, comments=comments)

    write_corpus(path, restamped())
    return True
