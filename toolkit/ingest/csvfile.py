"""CSV inputs: one comment per row, grouped back into articles.

Columns (header names are case-insensitive; aliases in parentheses):
``article_id`` (article, id), ``title``, ``body``, ``author`` (comment_author, name),
``time`` (comment_time, time_raw), ``text`` (comment, comment_text); optional
``comment_id``, ``reply_to``, ``url``, ``published``. A row with an empty text
(and no author or time) is an article without comments. Articles come out in
the order of their first row; a file is grouped in memory (one file at a time).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from ..corpus import Article
from ._common import Context, RawComment, build_comments, content_id
from .jsonl import clean_text

_ALIASES = {
    "article_id": ("article_id", "article", "id"),
    "title": ("title", "article_title"),
    "body": ("body", "article_body"),
    "author": ("author", "comment_author", "name"),
    "time": ("time", "comment_time", "time_raw"),
    "text": ("text", "comment", "comment_text"),
    "comment_id": ("comment_id",),
    "reply_to": ("reply_to",),
    "url": ("url",),
    "published": ("published",),
}
REQUIRED = ("article_id", "title", "body", "text")


def _rows(text: str, path: Path, ctx: Context) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) for each row; the first row is the header.

    A malformed row stops the file with one finding. A row with a cell holding a
    line that reads as a whole row of its own (as many cells as the header) is an
    unterminated quote that swallowed the rows below it: it is reported (I054) and
    skipped, and the file is read on from its next line.
    """
    width = 0
    base = 0  # lines before the current reader's start
    offset = 0  # and their characters
    while True:
        reader = csv.reader(io.StringIO(text[offset:], newline=""))
        last = 0
        restart = None
        try:
            for row in reader:
                first, last = base + last + 1, reader.line_num
                if not width:
                    width = len(row)
                swallowed = _swallowed(row, width)
                if swallowed is not None:
                    ctx.report.error(
                        "I054", f"{path}:{first}",
                        f"a quote (\") in this row is not closed where its cell ends: the "
                        f"row runs over {base + last - first} line(s) below, and its line "
                        f"{swallowed!r} reads as a row of its own",
                        f"skipped line {first}; read on from line {first + 1}; close the "
                        "quote and ingest again",
                    )
                    restart = first
                    break
                yield first, row
        except csv.Error as exc:
            ctx.report.error(
                "I013",
                f"{path}:{base + reader.line_num}",
                f"malformed CSV ({exc})",
                "stopped reading the file here; the rows before were ingested",
            )
            return
        if restart is None:
            return
        for _ in range(restart - base):
            offset = text.index("\n", offset) + 1
        base = restart


def _swallowed(row: list[str], width: int) -> str | None:
    """The first line inside a cell of ``row`` that parses as ``width`` cells, if any."""
    if width < 2:
        return None
    for cell in row:
        if "\n" not in cell:
            continue
        for line in cell.split("\n")[1:]:
            if line.count(",") >= width - 1 and len(next(csv.reader([line]), [])) == width:
                return line
    return None


def read_csv(path: Path, text: str, ctx: Context) -> Iterator[Article]:
    """Articles from a decoded CSV file; a file missing a required column yields none."""
    report = ctx.report
    rows = _rows(text, path, ctx)
    header = next(rows, (1, None))[1]
    if header is None:
        return
    names = [name.strip().lower() for name in header]
    columns: dict[str, int] = {}
    for field, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in names:
                columns[field] = names.index(alias)
                break
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        report.error(
            "I014",
            f"{path}:1",
            f"no {', '.join(missing)} column(s) in the header {header!r}",
            "skipped the file; needed: article_id, title, body, text (author, time optional)",
        )
        return
    absent = [field for field in ("author", "time") if field not in columns]
    if absent:
        report.warning(
            "I015",
            f"{path}:1",
            f"no {', '.join(absent)} column(s)",
            "those comment fields are left empty",
        )

    def cell(row: list[str], field: str) -> str:
        index = columns.get(field)
        return row[index] if index is not None and index < len(row) else ""

    groups: dict[str, dict] = {}
    for line, row in rows:
        where = f"{path}:{line}"  # the row's first line (a cell may span lines)
        if not any(c.strip() for c in row):
            continue
        if len(row) < len(header):
            report.warning(
                "I016", where, f"{len(row)} cells for {len(header)} columns",
                "read the cells present",
            )
        title, body = clean_text(cell(row, "title")), clean_text(cell(row, "body"))
        key = cell(row, "article_id").strip() or content_id(title, body)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "title": title, "body": body, "where": where, "comments": [],
                "url": cell(row, "url").strip() or None,
                "published": cell(row, "published").strip() or None,
            }
        elif (title, body) != (group["title"], group["body"]):
            report.warning(
                "I017", where,
                f"article {key!r} has a different title/body than at {group['where']}",
                "kept the first",
            )
        text = clean_text(cell(row, "text"))
        author = cell(row, "author").strip() or None
        time_raw = cell(row, "time").strip() or None
        if not text:
            if author or time_raw:
                report.warning("I018", where, "a comment with no text", "skipped it")
            continue
        group["comments"].append(
            RawComment(
                text=text, author=author, time_raw=time_raw,
                id=cell(row, "comment_id").strip() or None,
                reply_to=cell(row, "reply_to").strip() or None, where=where,
            )
        )
    for key, group in groups.items():
        yield Article(
            id=key,
            source=group["where"],
            title=group["title"],
            body=group["body"],
            url=group["url"],
            published=group["published"],
            comments=build_comments(key, group["comments"], ctx),
        )
