"""Near-duplicate comments: copies that differ in spelling, marks, punctuation, emoji, a word.

    index = NearDuplicateIndex(threshold=0.75)
    index.add(["comment text", ...], ["comment id", ...])   # -> duplicate_of per comment

News comment sections are full of copies: the same comment pasted under several
articles, spam campaigns, a stock phrase with a stretched letter. Exact matching
misses them, so each comment is reduced to a **matching form** (:func:`match_form`:
today's Arabic normalization, plus stretched letters, punctuation, emoji and spacing
folded away) and compared by the Jaccard similarity of its character 5-gram sets,
estimated with MinHash (128 permutations) and found through locality-sensitive
hashing (rensa's ``RMinHashLSH``, 16 bands of 8 rows; each candidate is then
checked against the threshold on the MinHash estimate). Measured on the bench:
32 bands of 4 rows found 0.984 of the copies' pairs, 16 bands 0.982, at half the
index memory (about 1.3 KB a comment in all), which keeps a million comments
under 2 GB. Forms of :data:`SAMPLE_FROM` characters or more are
shingled by a content-defined third of their 5-grams (those whose first two
characters hash to 0 mod 3: a copy keeps the same ones wherever its text moved),
which halved detection's CPU time on seed-sized comments (bench_ingest) for a
pair recall of 0.972 instead of 0.982 on bench_dedupe. A comment whose matching
form has fewer than :data:`SHORT` characters ("شكرا", "صح") matches only a comment
with the same form: a few shared 5-grams mean nothing there. A comment whose form has
fewer than :data:`COMPARABLE` characters (emoji only, punctuation only, "ههههه") has
nothing to compare: it is never a copy of a different comment, only of the same text
(``👍👍👍`` twice is one cluster; ``👍👍👍``, ``👎👎👎``, ``😡``, ``؟؟؟`` and ``!!!`` are
five comments, whose meaning is the article's, not their own).

Clusters are formed in corpus order, as comments arrive (ingest streams, and
`corpus sync` matches a new day's comments against the whole corpus): a comment
that matches earlier ones joins the cluster of the earliest of them, and its
``duplicate_of`` is that cluster's first comment; one that matches none starts a
cluster (``duplicate_of`` None). A comment once written never changes its
``duplicate_of``, so two clusters are never merged after the fact. Stored text is
never changed; only the matching form is normalized.

Why rensa (Rust, MIT) and not datasketch: the same algorithm and settings give the
same precision and recall on bench/bench_dedupe.py's corpus (5,000 comments:
precision 1.000 both, recall 0.966 rensa, 0.975 datasketch), while rensa used
about 8 times less CPU (21,400 against 2,700 comments/s) and less memory. Why these
settings: char 5-grams (BigCode, FineWeb) of the matching form without spaces (a
split or joined word costs little); threshold 0.75, measured on 30,000 comments:
pair recall 0.993 / 0.984 / 0.959 at 0.70 / 0.75 / 0.80, precision 1.000 at all
three; 0.75 keeps a margin above the hard negatives (comments sharing a long quote
are near 0.5) and sits in the 0.7-0.8 range the web-scale projects use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from hashlib import blake2b
from pathlib import Path

import numpy

from ..corpus import Article, read_corpus, write_corpus
from ..findings import Report
from .arabic import normalize

__all__ = [
    "BATCH",
    "COMPARABLE",
    "DEFAULT_THRESHOLD",
    "KEEP_ALL",
    "NUM_PERM",
    "SHORT",
    "Cluster",
    "NearDuplicateIndex",
    "keep_stored_firsts",
    "mark_near_duplicates",
    "match_form",
    "parse_threshold",
    "shingles",
]

DEFAULT_THRESHOLD = 0.75
NUM_PERM = 128
BANDS = 16  # of 8 rows: P(candidate) 0.81 at Jaccard 0.75, 0.99 at 0.85
SEED = 1103
SHINGLE = 5
SHORT = 25  # matching forms shorter than this match only when equal
COMPARABLE = 2  # matching forms shorter than this (emoji, punctuation only) match no other text
SAMPLE_FROM = 150  # forms this long are shingled by a content-defined third (shingles())
BATCH = 1024  # comments sketched per call (rensa's per-call cost is paid once a batch)
LARGEST = 5  # clusters shown in the summary and reported as findings

# Anything that is not a letter or a digit (spaces, punctuation, emoji, symbols, "_").
_NOT_WORD = re.compile(r"[\W_]+")
# A letter written several times in a row (جداااا, ههههههه) -> once. Runs of two fold
# too: a stretched alef after an alef (آاااا -> اااا) must meet its original (آا ->
# اا), and since both sides of every comparison fold alike, genuine double letters
# (الله) cost nothing.
_STRETCHED = re.compile(r"(\w)(?=\1)")  # each letter the same letter follows


def match_form(text: str) -> str:
    """The matching form of a comment: Arabic-normalized, letters and digits only (no
    spaces, punctuation or emoji), stretched letters written once.

    Used for comparing only; never stored in place of the text.
    """
    form = normalize(text).replace(" ", "")
    if not form.isalnum():
        form = _NOT_WORD.sub("", form)
    if _STRETCHED.search(form):
        form = _STRETCHED.sub("", form)
    return form


def shingles(form: str) -> list[bytes]:
    """The character 5-grams of a matching form (the form itself when shorter), as bytes.

    Bytes because rensa hashes them several times faster than non-ASCII ``str``:
    one byte a character in windows-1256 (Arabic, Latin, digits: nearly every
    comment), else four (UTF-32) with the windows cut on character boundaries.
    """
    try:
        data, width = form.encode("cp1256"), 1
    except UnicodeEncodeError:
        data, width = form.encode("utf-32-le"), 4
    size = SHINGLE * width
    if len(data) <= size:
        return [data]
    if width == 1 and len(data) >= SAMPLE_FROM:
        # Long forms: the 5-grams whose first two characters hash to 0 mod 3, about a
        # third. Chosen by content, so a copy keeps the same ones wherever its text
        # moved, and the Jaccard similarity of the samples estimates the whole's; it
        # saves two thirds of the Python slicing, the largest cost of detection.
        codes = numpy.frombuffer(data, dtype=numpy.uint8)
        anchors = (codes[:-4].astype(numpy.uint16) * 31 + codes[1:-3]) % 3 == 0
        return [data[i : i + size] for i in numpy.flatnonzero(anchors).tolist()]
    return [data[i : i + size] for i in range(0, len(data) - size + width, width)]


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


def _exact_key(form: str) -> bytes:
    return blake2b(form.encode("utf-8"), digest_size=8).digest()


def _match_key(form: str, text: str) -> bytes:
    """The exact-match key of a comment: its matching form, or, when the form is shorter
    than :data:`COMPARABLE` (emoji, punctuation, one letter: nothing to compare), its
    text itself (outer spaces aside), in a key space no form can reach."""
    if len(form) >= COMPARABLE:
        return _exact_key(form)
    return b"\0" + _exact_key(text.strip())


class NearDuplicateIndex:
    """Every comment seen so far, for matching the next ones (see the module docstring).

    Memory: one MinHash (128 x 4 bytes) and its LSH entries per comment of at
    least :data:`SHORT` characters, an 8-byte key per distinct matching form, and
    the ids of cluster representatives.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        from rensa import RMinHash, RMinHashLSH  # imported when detection is on

        self.threshold = threshold
        self._minhash = RMinHash
        self._lsh = RMinHashLSH(threshold=threshold, num_perm=NUM_PERM, num_bands=BANDS)
        self._sketches: list = []  # LSH key -> sketch
        self._rep_of_key: list[int] = []  # LSH key -> index of its cluster's first comment
        self._exact: dict[bytes, int] = {}  # matching form -> index of its cluster's first
        self._ids: list[str] = []  # comment index -> id, for representatives only ("" else)
        self.seen = 0
        self.copies = 0
        self.clusters: dict[int, Cluster] = {}  # representative index -> its cluster (>= 2)
        self._article_of_rep: list[str] = []  # comment index -> article id (representatives)

    def add(
        self, texts: Sequence[str], ids: Sequence[str], articles: Sequence[str] | None = None
    ) -> list[str | None]:
        """Match ``texts`` (in corpus order) against everything added before, then add them.

        Returns each one's ``duplicate_of``: the id of its cluster's first comment,
        or None when it starts a cluster. Comments of the same batch match each other
        too, earlier ones first. ``articles`` (each comment's article id) feeds the
        clusters' article counts.
        """
        forms = [match_form(text) for text in texts]
        long_rows = [row for row, form in enumerate(forms) if len(form) >= SHORT]
        sketches = (
            self._minhash.from_token_sets(
                [shingles(forms[row]) for row in long_rows], NUM_PERM, SEED
            )
            if long_rows
            else []
        )
        sketch_of = dict(zip(long_rows, sketches, strict=True))
        result: list[str | None] = []
        for row, form in enumerate(forms):
            index = self.seen
            self.seen += 1
            key = _match_key(form, texts[row])
            rep = self._exact.get(key)
            sketch = sketch_of.get(row)
            if rep is None and sketch is not None:
                rep = self._best_match(sketch)
            article = articles[row] if articles is not None else ""
            if rep is None:
                self._ids.append(ids[row])
                self._article_of_rep.append(article)
                self._exact[key] = index
                rep_index = index
                result.append(None)
            else:
                self._ids.append("")
                self._article_of_rep.append("")
                self._exact.setdefault(key, rep)
                rep_index = rep
                self.copies += 1
                cluster = self.clusters.get(rep)
                if cluster is None:
                    cluster = self.clusters[rep] = Cluster(
                        self._ids[rep], example=texts[row][:80],
                        articles={self._article_of_rep[rep]},
                    )
                cluster.size += 1
                cluster.articles.add(article)
                result.append(self._ids[rep])
            if sketch is not None:
                lsh_key = len(self._sketches)
                self._sketches.append(sketch)
                self._rep_of_key.append(rep_index)
                self._lsh.insert(lsh_key, sketch)
        return result

    def _best_match(self, sketch) -> int | None:
        best: int | None = None
        for lsh_key in self._lsh.query(sketch):
            rep = self._rep_of_key[lsh_key]
            if (best is None or rep < best) and (
                sketch.jaccard(self._sketches[lsh_key]) >= self.threshold
            ):
                best = rep
        return best

    def largest(self, count: int = LARGEST) -> list[Cluster]:
        """The ``count`` largest clusters (ties: the earliest first)."""
        ordered = sorted(self.clusters.items(), key=lambda item: (-item[1].size, item[0]))
        return [cluster for _, cluster in ordered[:count]]

    def summarize(self, report: Report) -> None:
        """Counts (``near_duplicate_clusters``, ``comments_in_clusters``,
        ``near_duplicates``) and one I060 finding per largest cluster, into ``report``."""
        counts = report.counts
        counts["near_duplicate_clusters"] = len(self.clusters)
        counts["comments_in_clusters"] = sum(c.size for c in self.clusters.values())
        counts["near_duplicates"] = self.copies
        for cluster in self.largest():
            report.info(
                "I060",
                cluster.representative,
                f"near-duplicate cluster of {cluster.size} comments under "
                f"{len(cluster.articles)} article(s), e.g. {cluster.example!r}",
                "copies marked duplicate_of this comment; their text is kept",
            )


class _All:
    """A container holding everything (``keep`` for an article whose comments all stay)."""

    def __contains__(self, item: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True


KEEP_ALL = _All()


@dataclass
class Cluster:
    """A near-duplicate cluster met so far: its first comment, size, articles, an example."""

    representative: str
    size: int = 1
    example: str = ""  # the text of its first copy, cut to 80 characters
    articles: set[str] = field(default_factory=set)


def mark_near_duplicates(
    articles: Iterable[Article],
    index: NearDuplicateIndex,
    *,
    keep: Iterable[object] | None = None,
) -> Iterator[Article]:
    """``articles`` with each comment's ``duplicate_of`` set, streamed in order.

    Articles are held until about :data:`BATCH` comments have come (one rensa call
    a batch). ``keep``, when given, runs beside ``articles``: for each article a
    container of the comment ids whose stored ``duplicate_of`` stays as it is
    (`corpus sync` keeps what the corpus already says about its comments, and
    matches only the new ones; they still enter the index, so new comments match
    them).
    """
    keeps = iter(keep) if keep is not None else None
    pending: list[tuple[Article, object]] = []
    waiting = 0

    def flush() -> Iterator[Article]:
        texts = [c.text for article, _ in pending for c in article.comments]
        ids = [c.id for article, _ in pending for c in article.comments]
        where = [article.id for article, _ in pending for _ in article.comments]
        found = iter(index.add(texts, ids, where))
        for article, kept in pending:
            comments = []
            changed = False
            for comment in article.comments:
                duplicate_of = next(found)
                if kept and comment.id in kept:  # type: ignore[operator]
                    duplicate_of = comment.duplicate_of
                if duplicate_of != comment.duplicate_of:
                    comment = replace(comment, duplicate_of=duplicate_of)
                    changed = True
                comments.append(comment)
            yield replace(article, comments=tuple(comments)) if changed else article
        pending.clear()

    for article in articles:
        pending.append((article, next(keeps) if keeps is not None else ()))
        waiting += len(article.comments)
        if waiting >= BATCH:
            yield from flush()
            waiting = 0
    if pending:
        yield from flush()


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
