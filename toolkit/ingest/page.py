"""Plain-text news pages in the layout of the seed page (``samples/000_*.txt``).

The layout, top to bottom::

    title
    (blank)
    title again                        <- the repeat is dropped
    body paragraph                     <- paragraphs and short sub-headings,
    (blank)                               separated by blank lines
    ...
    التعليقات (N)                      <- the comments header; N is declared
        author line                    <- whatever the commenter typed as a name
        ·منذ 7 سنوات 8 أشهر             <- the comment's relative time
        comment text                   <- one or more lines / paragraphs
        ...
    5                                  <- site chrome: a stray counter, "الأكثر قراءة",
    الأكثر قراءة                          "💡 أهم المواضيع", ... (not part of the article)

How comments are cut: every time line (``·منذ ...``) starts a comment; a bare
``منذ ...`` phrase counts as one only where a time line can stand (never as the line
right after a time line: that is a comment's text). The last
non-blank line before a time line is that comment's author, unless it is the
first text line of the previous comment (then the comment has no author line,
and the previous comment keeps its text). Everything between a time line and the
next comment's author line is the comment's text. Where the page indents its
comments (the seed does), the first unindented line after the last time line ends
the comments; known chrome headings end them too, and a bare number just before
the chrome (or at the very end) is dropped as the stray counter.
"""

from __future__ import annotations

import re

from ..corpus import Article
from ._common import Context, RawComment, build_comments, content_id
from .arabic import normalize, parse_relative_time

_HEADER = re.compile(r"^(?:ال)?تعليقات\s*(?:[(\[]\s*([0-9٠-٩۰-۹]+)\s*[)\]])?\s*:?$")
_DOTTED_TIME = re.compile(r"^[·•]\s*(منذ.*)$")
_BARE_NUMBER = re.compile(r"^[0-9٠-٩۰-۹]+$")
_SYMBOLS = re.compile(r"[^\w\s]")
_CHROME = frozenset(
    normalize(text)
    for text in (
        "الأكثر قراءة",
        "الأكثر مشاهدة",
        "الأكثر تعليقا",
        "أهم المواضيع",
        "أهم التصنيفات",
        "اقرأ أيضا",
        "مواضيع ذات صلة",
        "أخبار ذات صلة",
        "اخترنا لك",
        "شارك الخبر",
        "تابعنا",
    )
)
_TITLE_MAX = 200  # a first line longer than this, not repeated, is a paragraph, not a title


def is_chrome(line: str) -> bool:
    """A site heading that is not part of any article ("💡 أهم المواضيع", ...)."""
    return len(line) <= 40 and normalize(_SYMBOLS.sub("", line)) in _CHROME


def _time_of(line: str) -> str | None:
    """The relative time of a comment time line ("·منذ ..." or a bare full phrase), else None."""
    match = _DOTTED_TIME.match(line)
    if match:
        return match.group(1)
    if line.startswith("منذ") and len(line) <= 40 and parse_relative_time(line):
        return line
    return None


def _time_lines(lines: list[str], start: int, end: int) -> tuple[list[int], list[str]]:
    """(line indexes, time texts) of the comment time lines among lines start..end-1.

    A dotted line (``·منذ ...``) is always a time line. A bare phrase (``منذ 3 سنوات``)
    is one only on a page that writes no dotted time (its layout), and never as the
    first line after another time line, which is that comment's text (a comment may
    say "منذ 3 سنوات").
    """
    dotted = any(line[:1] in ("·", "•") and _DOTTED_TIME.match(line)
                 for line in lines[start:end])
    times: list[int] = []
    texts: list[str] = []
    after_time = False  # the previous non-blank line was a time line
    for index in range(start, end):
        line = lines[index]
        if not line:
            continue
        found = _time_of(line) if line[0] in "·•" or line[0] == "م" else None
        if found is not None and (_DOTTED_TIME.match(line) or not (dotted or after_time)):
            times.append(index)
            texts.append(found)
            after_time = True
        else:
            after_time = False
    return times, texts


def _paragraphs(lines: list[str], start: int, end: int) -> str:
    """Lines start..end-1 as paragraphs (runs of non-blank lines) joined by a blank line."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines[start:end]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


def _chrome_start(lines: list[str], start: int, end: int, *, numbers: bool = True) -> int:
    """Index of the first chrome heading in start..end-1 (or ``end``); with ``numbers``,
    a bare number line just before it (or trailing) is counted as chrome too."""
    cut = end
    for index in range(start, end):
        line = lines[index]
        if line and is_chrome(line):
            cut = index
            break
    while cut > start and (
        not lines[cut - 1] or (numbers and _BARE_NUMBER.match(lines[cut - 1]))
    ):
        cut -= 1
    return cut


def parse_page(text: str, *, source: str, article_id: str | None, ctx: Context) -> Article:
    """One page's text (already decoded, LF line ends) -> an Article.

    ``article_id`` comes from the file name when it carries a hash; None gives a
    content hash. Problems go to ``ctx.report`` as findings naming ``source:line``.
    """
    raw_lines = text.split("\n")
    lines = [line.strip() for line in raw_lines]
    count = len(lines)
    report = ctx.report

    header = -1
    declared: int | None = None
    for index, line in enumerate(lines):
        matched = _HEADER.match(line) if line and line[-1] in ")]:ت" else None
        if matched:
            header = index
            number = matched.group(1)
            declared = int(number.translate(_DIGIT_MAP)) if number else None
            break
    head_end = header if header >= 0 else _chrome_start(lines, 0, count)

    # Title: the first non-blank line, normally repeated on the next non-blank line.
    first = next((i for i in range(head_end) if lines[i]), -1)
    title = ""
    body_start = first
    if first >= 0:
        candidate = lines[first]
        following = next((i for i in range(first + 1, head_end) if lines[i]), -1)
        repeated = following >= 0 and lines[following] == candidate
        plausible = not (
            _time_of(candidate) or _BARE_NUMBER.match(candidate) or len(candidate) > _TITLE_MAX
        )
        if repeated:
            title, body_start = candidate, following + 1
        elif plausible:
            title, body_start = candidate, first + 1
    if not title:
        what = (
            "the page is empty before the comments header"
            if first < 0
            else f"its first line is not a title ({_describe(lines[first])})"
        )
        report.warning(
            "I019",
            f"{source}:{first + 1 if first >= 0 else 1}",
            f"no recognizable title: {what}",
            "stored with an empty title",
        )
        body_start = max(first, 0)
    body = _paragraphs(lines, body_start, head_end) if body_start >= 0 else ""

    if header < 0:
        stray = next((i for i in range(head_end) if _DOTTED_TIME.match(lines[i])), -1)
        if stray >= 0:
            report.warning(
                "I020",
                f"{source}:{stray + 1}",
                "a comment time line (·منذ ...) but no `التعليقات (N)` header above it",
                "the lines were kept in the body, not read as comments",
            )

    article_id = article_id or content_id(title, body)
    raw_comments = (
        _comments(raw_lines, lines, header, declared, source, ctx) if header >= 0 else []
    )
    if raw_comments is None:  # not parsed (reported): none rather than glued ones
        raw_comments = []
    elif declared is not None and declared != len(raw_comments):
        report.warning(
            "I021",
            f"{source}:{header + 1}",
            f"the header declares {declared} comments but {len(raw_comments)} were found",
            f"kept the {len(raw_comments)} found",
        )
    return Article(
        id=article_id,
        source=source,
        title=title,
        body=body,
        comment_count_declared=declared,
        comments=build_comments(article_id, raw_comments, ctx),
    )


_DIGIT_MAP = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")} | {
    ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")
}


def _describe(line: str) -> str:
    if _time_of(line):
        return f"a comment time {line!r}"
    if len(line) > _TITLE_MAX:
        return f"a {len(line)}-character paragraph"
    return repr(line)


def _comments(
    raw_lines: list[str], lines: list[str], header: int, declared: int | None, source: str,
    ctx: Context,
) -> list[RawComment] | None:
    """The page's comments; None when they could not be told apart (reported)."""
    count = len(lines)
    times, time_texts = _time_lines(lines, header + 1, count)

    # Where the comments end: the first unindented line after the last time line when
    # the page indents its comments; a chrome heading; a bare counter before either.
    end = count
    scan_from = times[-1] + 1 if times else header + 1
    indented = bool(times) and raw_lines[times[-1]][:1].isspace()
    if indented:
        end = next(
            (i for i in range(scan_from, count) if lines[i] and not raw_lines[i][:1].isspace()),
            count,
        )
    end = max(_chrome_start(lines, scan_from, end, numbers=not indented), scan_from)

    if not times:
        leftover = [i for i in range(header + 1, end) if lines[i]]
        if leftover:
            ctx.report.warning(
                "I022",
                f"{source}:{leftover[0] + 1}",
                f"{len(leftover)} line(s) under the comments header but no comment time "
                "line (·منذ ...)",
                "ignored them; no comments read from this page",
            )
        return []

    # Author line of each comment (index) or -1.
    authors: list[int] = []
    bound = header
    for k, time_index in enumerate(times):
        candidate = time_index - 1
        while candidate > bound and not lines[candidate]:
            candidate -= 1
        if candidate <= bound:
            authors.append(-1)
        elif k == 0:
            authors.append(candidate)
        else:
            previous_first_text = next(
                (i for i in range(times[k - 1] + 1, time_index) if lines[i]), time_index
            )
            authors.append(candidate if candidate > previous_first_text else -1)
        bound = time_index

    # Each comment as (author line or -1, time line or -1, first text line, end).
    pieces = []
    for k, time_index in enumerate(times):
        if k + 1 < len(times):
            stop = authors[k + 1] if authors[k + 1] >= 0 else times[k + 1]
        else:
            stop = end
        pieces.append((authors[k], time_index, time_index + 1, stop))
    if declared is not None and declared > len(pieces):
        first_comment = authors[0] if authors[0] >= 0 else times[0]
        pieces = _untimed(lines, header, first_comment, pieces, declared, source, ctx)
        if pieces is None:
            return None
    first_line = pieces[0][0] if pieces[0][0] >= 0 else pieces[0][1]
    stray = [i for i in range(header + 1, first_line) if lines[i]]
    if stray:
        ctx.report.warning(
            "I022",
            f"{source}:{stray[0] + 1}",
            f"{len(stray)} line(s) between the comments header and the first comment",
            "ignored them",
        )

    time_at = dict(zip(times, time_texts, strict=True))  # line index -> its time text
    result: list[RawComment] = []
    for author_index, time_index, text_start, stop in pieces:
        text = _paragraphs(lines, text_start, stop)
        where = f"{source}:{(author_index if author_index >= 0 else time_index) + 1}"
        if not text:
            ctx.report.warning(
                "I018",
                where,
                "a comment with no text",
                "skipped it",
            )
            continue
        result.append(
            RawComment(
                text=text,
                author=lines[author_index] if author_index >= 0 else None,
                time_raw=time_at.get(time_index),  # -1 (no time line): None
                where=where,
            )
        )
    return result


def _spans(lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """The paragraphs of lines start..end-1 as (first line, line after the last)."""
    spans: list[tuple[int, int]] = []
    begin = -1
    for index in range(start, end):
        if lines[index] and begin < 0:
            begin = index
        elif not lines[index] and begin >= 0:
            spans.append((begin, index))
            begin = -1
    if begin >= 0:
        spans.append((begin, end))
    return spans


def _untimed(lines, header, first_comment, pieces, declared, source, ctx):
    """Find the comments whose time line (·منذ ...) is missing, when the header declares more
    comments than there are time lines; else their author line and text would be glued
    onto the comment above.

    In the layout a comment's text follows its time line, and its author line stands
    alone above it, so an untimed comment shows as a one-line paragraph (its author)
    followed by at least one more paragraph (its text): inside the text of a comment
    (never its first paragraph), or between the header and the first comment. Two
    such comments cannot start at neighbouring paragraphs (each has a text). When
    exactly one choice of places gives the missing number of comments, each place
    starts a comment (I055); when there are places but no or several such choices,
    the comments are not read at all (I051), never glued. With no place at all, no
    comment was glued and the caller's count warning says the rest.
    """
    missing = declared - len(pieces)
    # Regions that may hold untimed comments: (piece index or -1, spans, first candidate).
    regions = [(-1, _spans(lines, header + 1, first_comment), 0)]
    regions += [(k, _spans(lines, start, stop), 1) for k, (_, _, start, stop) in enumerate(pieces)]
    places: list[tuple[int, int]] = []  # (region index, span index)
    for r, (_, spans, first) in enumerate(regions):
        places.extend((r, j) for j in range(first, len(spans) - 1)
                      if spans[j][1] - spans[j][0] == 1)
    if not places:
        return pieces
    chosen = _only_choice(places, missing)
    if chosen is None:
        ctx.report.error(
            "I051",
            f"{source}:{header + 1}",
            f"the header declares {declared} comments but there are {len(pieces)} time lines "
            f"(·منذ ...), and the {len(places)} one-line paragraph(s) that could start a comment "
            "without its time line (line(s) "
            f"{', '.join(str(regions[r][1][j][0] + 1) for r, j in places)}) do not tell which "
            "do",
            "page not parsed: stored the article without its comments; restore the "
            "missing time lines and ingest again",
        )
        return None
    starts: dict[int, list[int]] = {}
    for r, j in chosen:
        starts.setdefault(r, []).append(regions[r][1][j][0])
    result = []
    for r, (k, _, _) in enumerate(regions):
        cuts = starts.get(r, [])
        stop = first_comment
        if k >= 0:
            author, time_index, start, stop = pieces[k]
            result.append((author, time_index, start, cuts[0] if cuts else stop))
        for n, line in enumerate(cuts):
            ctx.report.warning(
                "I055",
                f"{source}:{line + 1}",
                f"a comment without its time line (·منذ ...); the header declares {declared} "
                f"comments, {len(pieces)} have one",
                f"read {lines[line]!r} as the author of a new comment, time left empty",
            )
            result.append((line, -1, line + 1, cuts[n + 1] if n + 1 < len(cuts) else stop))
    return result


def _only_choice(places: list[tuple[int, int]], count: int) -> list[tuple[int, int]] | None:
    """The one way to pick ``count`` of ``places`` with no two neighbours, else None.

    Places are (region, paragraph) in page order; neighbours share the region and
    follow each other. ways[i][c]: the ways (counted up to 2) to pick c from places[i:].
    """
    n = len(places)
    if count > n or n * count > 1_000_000:
        return None

    def after(i: int) -> int:  # the first place that may follow a pick of place i
        if i + 1 < n and places[i + 1] == (places[i][0], places[i][1] + 1):
            return i + 2
        return i + 1

    ways = [[0] * (count + 1) for _ in range(n + 2)]
    ways[n][0] = ways[n + 1][0] = 1
    for i in range(n - 1, -1, -1):
        nxt = after(i)
        ways[i][0] = 1
        for c in range(1, count + 1):
            ways[i][c] = min(2, ways[i + 1][c] + ways[nxt][c - 1])
    if ways[0][count] != 1:
        return None
    chosen = []
    i, c = 0, count
    while c:
        if ways[after(i)][c - 1] == 1 and ways[i + 1][c] == 0:
            chosen.append(places[i])
            i, c = after(i), c - 1
        else:
            i += 1
    return chosen
