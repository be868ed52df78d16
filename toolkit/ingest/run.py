"""Ingest: raw news pages (.txt), JSONL and CSV -> one corpus JSONL file.

    from toolkit.ingest import ingest
    result = ingest(["samples/"], out="exports/corpus.jsonl")
    result.articles, result.comments, result.report.findings

Inputs are files or folders (walked recursively, sorted, hidden files skipped);
the format comes from the extension (``.txt``, ``.jsonl``/``.ndjson``, ``.csv``)
or ``fmt``. Articles are written as they are parsed (and their comments sketched for
the near-duplicate index on disk, toolkit.ingest.copy_index): memory holds one input file
and the set of dedupe keys (16 bytes per article), never the corpus. An article
met again (same normalized title + body, through any file or format) is stored
once, with the comments of every copy (a page crawled twice), and reported;
memory then also holds the copies' comments until the end of the run (a second
pass over the written file unites them). Problems become findings in
``result.report``; an input that cannot be read at all is also listed in
``result.unreadable``. Each article's
``source`` (published in the dataset) is never an absolute path: see
:func:`source_name`; findings name the paths as given.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import chain
from pathlib import Path

from ..corpus import Article, corpus_lock, dump_corpus, read_corpus, write_corpus
from ..errors import InputError, OptionError
from ..findings import Report
from ..paths import DEFAULT_CORPUS, DEFAULT_LOCK_TIMEOUT, Say, replacing, unique_temporaries
from ._common import Context, dedupe_key
from ._decode import UndecodableError, decode
from .copy_index import index_folder_prefix
from .csvfile import read_csv
from .jsonl import read_jsonl
from .merge import merge_copies
from .near_duplicates import (
    DEFAULT_THRESHOLD,
    NearDuplicateIndex,
    feeding,
    keep_stored_firsts,
    mark_corpus,
    stored_marks,
)
from .page import parse_page

__all__ = ["FORMATS", "IngestResult", "discover", "ingest", "iter_articles", "source_name"]

FORMATS = {".txt": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_NAME_HASH = re.compile(r"(?:^|[_\-.])([0-9a-f]{8,64})$")

Progress = Callable[[Path, int, int], None]


@dataclass
class IngestResult:
    """What a run did: counts, the findings, and the inputs that could not be read."""

    out: Path | None
    report: Report
    unreadable: list[str] = field(default_factory=list)
    written: bool = True  # False: no article was read, an existing ``out`` was left as it was

    @property
    def files(self) -> int:
        return self.report.counts["files"]

    @property
    def articles(self) -> int:
        return self.report.counts["articles"]

    @property
    def comments(self) -> int:
        return self.report.counts["comments"]

    @property
    def duplicates(self) -> int:
        return self.report.counts["duplicates"]


def discover(
    inputs: Iterable[str | Path], fmt: str | None = None
) -> Iterator[tuple[Path, str | None]]:
    """(path, format) for each input file, folders walked in sorted order.

    The format is ``fmt`` for files named on their own, else from the extension;
    inside folders a file with another extension gets ``fmt`` when given, else
    None (the caller reports it as skipped). A named file with an unknown
    extension comes out as ``"unknown"``, a path that does not exist as ``"missing"``.
    """
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    child = Path(root) / name
                    yield child, FORMATS.get(child.suffix.lower(), fmt)
        elif path.exists():
            yield path, fmt or FORMATS.get(path.suffix.lower(), "unknown")
        else:
            yield path, "missing"


def _read_bytes(path: Path, report: Report) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        report.error("I001", str(path), f"cannot read ({exc.strerror})", "skipped the file")
        return None


def _decode_file(path: Path, data: bytes, report: Report) -> str | None:
    try:
        decoded = decode(data)
    except UndecodableError as exc:
        report.error(
            "I004",
            f"{path}:{exc.line}",
            f"not UTF-8 (byte 0x{exc.byte:02x}) and not clearly windows-1256 Arabic",
            "skipped the file; re-save it as UTF-8",
        )
        return None
    if decoded.encoding != "utf-8":
        report.warning(
            "I005",
            str(path),
            f"not UTF-8; it reads as {decoded.encoding} Arabic text",
            f"decoded it as {decoded.encoding}",
        )
    return decoded.text


def _articles_of(path: Path, fmt: str, ctx: Context) -> Iterator[Article] | None:
    """The articles of one file; None when it could not be read at all."""
    report = ctx.report
    if fmt == "jsonl":
        try:
            handle = path.open("rb")
        except OSError as exc:
            report.error("I001", str(path), f"cannot read ({exc.strerror})", "skipped")
            return None
        if os.fstat(handle.fileno()).st_size == 0:
            handle.close()
            report.warning("I006", str(path), "empty file", "nothing to ingest from it")
            return iter(())

        def lines() -> Iterator[bytes]:
            with handle:
                first = True
                pending = 0  # bytes not yet told to ctx.bytes_read (told by the megabyte)
                for line in handle:
                    if ctx.bytes_read is not None:
                        pending += len(line)
                        if pending >= 1 << 20:
                            ctx.bytes_read(pending)
                            pending = 0
                    if first and line.startswith(b"\xef\xbb\xbf"):
                        line = line[3:]
                    first = False
                    yield line
                if ctx.bytes_read is not None and pending:
                    ctx.bytes_read(pending)

        return read_jsonl(path, lines(), ctx)
    data = _read_bytes(path, report)
    if data is None:
        return None
    if not data or data.isspace():  # as `not data.strip()`, without copying the file
        report.warning("I006", str(path), "empty file", "nothing to ingest from it")
        return iter(())
    text = _decode_file(path, data, report)
    if text is None:
        return None
    if not text or text.isspace():
        report.warning("I006", str(path), "empty file (only a BOM or spaces)", "nothing to ingest")
        return iter(())
    if fmt == "csv":
        return read_csv(path, text, ctx)
    match = _NAME_HASH.search(path.stem)
    name_id = match.group(1) if match else None
    article = parse_page(text, source=str(path), article_id=name_id, ctx=ctx)
    return iter((article,))


def source_name(path: Path, given: Path) -> str:
    """What an article records as its ``source`` (published in the dataset): never absolute.

    A relative input keeps the path as typed (``samples/000_x.txt``). An absolute
    one is made relative to the current folder when under it, else named by the
    input's own name plus the path inside it (``/home/me/pages`` ->
    ``pages/000_x.txt``), so no home folder or machine layout leaks out.
    """
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        pass
    inside = path.relative_to(given) if path != given else Path()
    return str(Path(given.name) / inside)  # given "/" has no name: the path inside it


def _check_format(fmt: str | None) -> None:
    if fmt is not None and fmt not in set(FORMATS.values()):
        raise OptionError(f"unknown format {fmt!r}; use one of txt, jsonl, csv")


def iter_articles(
    inputs: Iterable[str | Path],
    *,
    report: Report,
    fmt: str | None = None,
    crawled_at: date | None = None,
    progress: Progress | None = None,
    unreadable: list[str] | None = None,
    copies: dict[str, list[tuple[str, Article]]] | None = None,
    reading_progress: Callable[[int, int | None], None] | None = None,
) -> Iterator[Article]:
    """Stream the deduplicated articles of ``inputs``; findings and counts go to ``report``.

    ``progress(path, done, total)`` is called after each file, ``reading_progress(bytes
    read, bytes in all the inputs)`` as a JSONL file is read (and after each other file):
    the bar of a run with one big file. Paths that could
    not be read at all are appended to ``unreadable`` when given. An article met
    again (same normalized title + body) is not yielded twice: with ``copies``
    given, the later copy is kept there under the stored article's id (with the
    stored one's ``"<id> from <path as typed>"`` for findings), for
    :func:`toolkit.ingest.merge.merge_copies` to unite its comments with the
    stored ones (what :func:`ingest` does); without, it is skipped and reported.
    """
    _check_format(fmt)
    inputs = [Path(item) for item in inputs]
    total = sum(1 for _ in discover(inputs, fmt)) if progress else 0
    ctx = Context(report=report, crawled_at=crawled_at)
    if reading_progress is not None:
        all_bytes = sum(_size(path) for path, found in discover(inputs, fmt)
                        if found not in (None, "missing", "unknown"))
        read = 0

        def told(count: int) -> None:
            nonlocal read
            read += count
            reading_progress(read, all_bytes)

        ctx = Context(report=report, crawled_at=crawled_at, bytes_read=told)
    counts = report.counts
    seen_keys: dict[bytes, tuple[str, str]] = {}  # dedupe key -> (stored id, "id from source")
    seen_ids: set[str] = set()
    for count in ("files", "articles", "comments", "duplicates"):
        counts.setdefault(count, 0)
    files = ((given, found) for given in inputs for found in discover([given], fmt))
    for done, (given, (path, file_fmt)) in enumerate(files, start=1):
        articles: Iterator[Article] | None
        if file_fmt == "missing":
            report.error("I001", str(path), "no such file or folder", "skipped")
            articles = None
        elif file_fmt == "unknown":
            report.error(
                "I002",
                str(path),
                f"unknown input format {path.suffix or '(no extension)'!r}",
                "skipped; name it .txt/.jsonl/.csv or pass --format",
            )
            articles = None
        elif file_fmt is None:
            report.info("I003", str(path), "not a .txt/.jsonl/.csv file", "skipped")
            articles = iter(())
        else:
            counts["files"] += 1
            articles = _articles_of(path, file_fmt, ctx)
            if file_fmt != "jsonl" and ctx.bytes_read is not None:
                ctx.bytes_read(_size(path))
        if articles is None:
            if unreadable is not None:
                unreadable.append(str(path))
        else:
            typed, shown = str(path), source_name(path, Path(given))
            for article in articles:
                key = dedupe_key(article.title, article.body)
                first = seen_keys.get(key)
                if first is not None:
                    counts["duplicates"] += 1
                    if copies is not None:  # united with the stored one after the stream
                        kept = replace(article, title="", body="")  # memory: comments only
                        copies.setdefault(first[0], []).append((first[1], kept))
                        continue
                    report.info(
                        "I007",
                        article.source,
                        f"same article as {first[1]}",
                        "stored once (the first); this copy skipped",
                    )
                    continue
                if article.id in seen_ids:
                    article = _renamed(article, seen_ids, report)
                seen_keys[key] = (article.id, f"{article.id} from {article.source}")
                seen_ids.add(article.id)
                counts["articles"] += 1
                counts["comments"] += len(article.comments)
                if shown != typed and article.source.startswith(typed):
                    # Findings name the path as typed; the stored source is never absolute.
                    article = replace(article, source=shown + article.source[len(typed):])
                yield article
        if progress:
            progress(path, done, total)


def _size(path: Path) -> int:
    """A file's size for the progress bar; 0 when it cannot be read (reported when read)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _renamed(article: Article, seen_ids: set[str], report: Report) -> Article:
    """A different article whose id is taken gets ``<id>~2`` (then ~3, ...).

    Its comments' ids and ``reply_to`` move along, so replies still point into it.
    """
    number = 2
    while f"{article.id}~{number}" in seen_ids:
        number += 1
    new_id = f"{article.id}~{number}"
    report.warning(
        "I008",
        article.source,
        f"article id {article.id!r} is already used by a different article",
        f"stored this one as {new_id!r}",
    )
    prefix = f"{article.id}-"

    def moved(comment_id: str | None) -> str | None:
        # Comment ids and reply_to both start with "<article id>-" (build_comments).
        if comment_id is not None and comment_id.startswith(prefix):
            return f"{new_id}-{comment_id[len(prefix):]}"
        return comment_id

    comments = tuple(
        replace(c, article_id=new_id, id=moved(c.id) or c.id, reply_to=moved(c.reply_to))
        for c in article.comments
    )
    return replace(article, id=new_id, comments=comments)


def ingest(
    inputs: Iterable[str | Path],
    *,
    out: str | Path = DEFAULT_CORPUS,
    fmt: str | None = None,
    crawled_at: date | None = None,
    progress: Progress | None = None,
    near_duplicates: float | None = DEFAULT_THRESHOLD,
    say: Say | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    marking_progress: Callable[[int, int | None], None] | None = None,
    reading_progress: Callable[[int, int | None], None] | None = None,
) -> IngestResult:
    """Ingest ``inputs`` into the corpus file ``out`` (written atomically, streamed).

    Same inputs in, byte-identical file out. See the module docstring.
    ``progress(path, done, total)`` hears of each input file read, ``reading_progress(bytes,
    total)`` of the bytes read, ``marking_progress(done, total)`` of the comments marked
    after the near-duplicate pass. An article met again is
    stored once, its copies' comments united with it (I050). A run that reads no article
    leaves an existing ``out`` as it was (I052; ``result.written`` is then False). Comments
    get ``duplicate_of`` by near-duplicate matching at Jaccard ``near_duplicates`` (None:
    off; see toolkit.ingest.near_duplicates).

    Runs writing one ``out`` take turns (:func:`toolkit.corpus.corpus_lock`; ``say`` hears
    that this one waits, :class:`toolkit.errors.Busy` after ``lock_timeout`` s); each writes
    its own temporary, and the ones a killed run left are removed first (I053).
    """
    _check_format(fmt)  # before anything is written (iter_articles checks only when read)
    with corpus_lock(out, say=say, timeout=lock_timeout):
        return ingest_unlocked(inputs, out=out, fmt=fmt, crawled_at=crawled_at,
                               progress=progress, near_duplicates=near_duplicates,
                               marking_progress=marking_progress,
                               reading_progress=reading_progress)


def ingest_unlocked(
    inputs: Iterable[str | Path],
    *,
    out: str | Path,
    fmt: str | None = None,
    crawled_at: date | None = None,
    progress: Progress | None = None,
    near_duplicates: float | None = DEFAULT_THRESHOLD,
    marking_progress: Callable[[int, int | None], None] | None = None,
    reading_progress: Callable[[int, int | None], None] | None = None,
) -> IngestResult:
    """:func:`ingest` for a caller that holds ``corpus_lock(out)`` (`corpus sync`)."""
    _check_format(fmt)
    report = Report()
    unreadable: list[str] = []
    out_path = Path(out)
    _remove_stale_tmp(out_path, report)
    copies: dict[str, list[tuple[str, Article]]] = {}
    articles = iter_articles(
        inputs,
        report=report,
        fmt=fmt,
        crawled_at=crawled_at,
        progress=progress,
        unreadable=unreadable,
        copies=copies,
        reading_progress=reading_progress,
    )
    first = next(articles, None)  # the inputs are read before the corpus is touched
    written = True
    if first is None and out_path.exists():
        written = False
        report.warning(
            "I052",
            str(out_path),
            "no article was read from the inputs",
            "left the existing corpus file as it was",
        )
    else:
        stored = _previous_marks(out_path, report) if near_duplicates is not None else {}
        # <out>.tmp is renamed over <out> once, at the end: a failure in any pass
        # leaves the previous corpus as it was
        with replacing(out_path, unique=True) as staged:
            index = _index(near_duplicates, out_path)
            try:
                stream = chain(() if first is None else (first,), articles)
                with staged.open("wb") as handle:  # sketched as they are written
                    dump_corpus(handle, stream if index is None else feeding(stream, index))
                if copies:  # only when an article came twice: its copies' comments are
                    # united with it, and the comments sketched again in their final order
                    united = merge_copies(read_corpus(staged), copies, report)
                    if index is not None:
                        index.close()
                        index = _index(near_duplicates, out_path)
                    write_corpus(staged, united if index is None else feeding(united, index))
                if index is not None:
                    mark_corpus(staged, index, report, on_progress=marking_progress)
            finally:
                if index is not None:
                    index.close()
            if stored:  # a re-ingest: a cluster's first stays the one the corpus chose
                keep_stored_firsts(staged, stored)
    report.counts["warnings"] = len(report.warnings)
    report.counts["errors"] = len(report.errors)
    return IngestResult(out=out_path, report=report, unreadable=unreadable, written=written)


def _index(threshold: float | None, out: Path) -> NearDuplicateIndex | None:
    """The near-duplicate index of one run (None: detection off), its files beside ``out``
    (the corpus's disk has room for a corpus)."""
    return None if threshold is None else NearDuplicateIndex(
        threshold, workdir=out.parent, prefix=index_folder_prefix(out))


def _previous_marks(out: Path, report: Report) -> dict[str, str | None]:
    """The marks of the corpus ``out`` is about to replace (empty when there is none); a
    corpus that cannot be read is reported (I057) and replaced with fresh marks."""
    if not out.is_file():
        return {}
    try:
        return stored_marks(read_corpus(out))
    except InputError as exc:
        report.warning("I057", str(out), f"the corpus being replaced cannot be read ({exc})",
                       "near-duplicate clusters chosen afresh; their first comments may move")
        return {}


def _unmarked(article: Article) -> Article:
    """``article`` with no comment marked ``duplicate_of`` (to be matched again)."""
    if not any(c.duplicate_of for c in article.comments):
        return article
    return replace(article, comments=tuple(replace(c, duplicate_of=None) for c in article.comments))


def _remove_stale_tmp(out: Path, report: Report) -> None:
    """Remove the temporaries a killed run (SIGKILL, power loss) could not clean up: its
    ``<out>.<pid>-<random>.tmp`` (and the second pass's inside it), and the fixed
    ``<out>.tmp`` / ``<out>.tmp.tmp`` of older versions. Called under the corpus lock:
    no other writer of ``out`` is running."""
    legacy = [out.with_name(out.name + ".tmp"), out.with_name(out.name + ".tmp.tmp")]
    for stale in [*legacy, *unique_temporaries(out)]:
        if stale.is_file() and not stale.is_symlink():
            stale.unlink(missing_ok=True)
            report.info("I053", str(stale), "left by an interrupted run", "removed it")
    # and the near-duplicate index's folder (this corpus's runs only: their name says so)
    prefix = index_folder_prefix(out)
    folders = out.parent.iterdir() if out.parent.is_dir() else iter(())
    for stale in sorted(folders):
        if stale.name.startswith(prefix) and stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
            report.info("I053", str(stale), "near-duplicate index left by an interrupted run",
                        "removed it")
