"""JSONL inputs: one article per line, as a scraper writes them.

``{"id"?, "url"?, "title", "body", "published"?, "comments": [{"id"?, "author"?,
"time"?, "text", "reply_to"?}]}``. Read line by line (a file may be large); a bad
line is reported and skipped, the rest of the file is still read. A file whose
first record has neither title nor body (e.g. a file of annotations lying in the
same folder) is not an articles file: one info finding, and the file is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from ..corpus import Article
from ._common import Context, RawComment, build_comments, content_id
from ._decode import UndecodableError, clean_newlines, decode


def clean_text(text: str) -> str:
    """BOM and CRLF handled, each line's indentation and trailing spaces removed."""
    text = clean_newlines(text)
    if "\n" not in text:
        return text.strip()
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _optional_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def read_jsonl(path: Path, data_lines: Iterator[bytes], ctx: Context) -> Iterator[Article]:
    """Articles from the lines of a JSONL file; findings for the lines that are not."""
    report = ctx.report
    warned_encoding = False
    first_record = True  # a file whose first record is no article is not an input at all
    blank = True
    for number, raw in enumerate(data_lines, start=1):
        where = f"{path}:{number}"
        if not raw.strip():
            continue
        blank = False
        try:
            decoded = decode(raw)
        except UndecodableError as exc:
            report.error(
                "I004", where, f"byte 0x{exc.byte:02x} is not UTF-8", "skipped this line"
            )
            continue
        if decoded.encoding != "utf-8" and not warned_encoding:
            warned_encoding = True
            report.warning(
                "I005",
                where,
                f"not UTF-8; decoded as {decoded.encoding} (Arabic text)",
                "decoded this and any later such lines the same way",
            )
        try:
            record = orjson.loads(decoded.text)
        except orjson.JSONDecodeError as exc:
            report.error("I010", where, f"not JSON ({exc})", "skipped this line")
            continue
        if not isinstance(record, dict):
            report.error(
                "I010", where, f"a JSON {type(record).__name__}, not an object", "skipped"
            )
            continue
        missing = [k for k in ("title", "body") if not isinstance(record.get(k), str)]
        if first_record and len(missing) == 2 and "comments" not in record:
            keys = ", ".join(sorted(record)[:6])
            report.info(
                "I003",
                str(path),
                f"not an articles file: its first record has no title or body (keys: {keys})",
                "skipped the file",
            )
            return
        first_record = False
        if missing:
            report.error(
                "I011",
                where,
                "no " + " and no ".join(f"{k!r} text" for k in missing),
                "skipped this article",
            )
            continue
        title = clean_text(record["title"])
        body = clean_text(record["body"])
        article_id = _optional_str(record.get("id")) or content_id(title, body)
        raw_comments = []
        comments = record.get("comments") or []
        if not isinstance(comments, list):
            report.error("I012", where, "'comments' is not a list", "ignored it")
            comments = []
        for index, item in enumerate(comments, start=1):
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(text, str) or not text.strip():
                report.error(
                    "I011",
                    where,
                    f"comment {index} has no 'text'",
                    "skipped this comment",
                )
                continue
            raw_comments.append(
                RawComment(
                    text=clean_text(text),
                    author=_optional_str(item.get("author")),
                    time_raw=_optional_str(item.get("time")),
                    id=_optional_str(item.get("id")),
                    reply_to=_optional_str(item.get("reply_to")),
                    where=f"{where} (comment {index})",
                )
            )
        declared = record.get("comment_count")
        yield Article(
            id=article_id,
            source=where,
            title=title,
            body=body,
            comment_count_declared=declared if isinstance(declared, int) else None,
            url=_optional_str(record.get("url")),
            published=_optional_str(record.get("published")),
            comments=build_comments(article_id, raw_comments, ctx),
        )
    if blank:
        report.warning("I006", str(path), "empty file (only blank lines)", "nothing to ingest")
