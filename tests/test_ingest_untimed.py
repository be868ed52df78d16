"""A comment whose time line (·منذ ...) is missing is not glued onto the comment above it.

Issue 13, item 6: the author line starts a new comment, or the page's comments are
reported as not parsed.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.corpus import read_corpus
from toolkit.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "000_dab86e570d492265.txt"
TIME = "    ·منذ 7 سنوات 8 أشهر\n"
AUTHORS = [
    "ياشباب النصرة أبتعدوا عن راية القاعدة رحمة بمحبيكم",
    "علي علاو",
    "غرباء...مسافر غريب ..عين الصقر",
    "ستتحول روسيا صديق للسورين في حال طرد المليشيات الأرهابية الشيعية",
    "وائل",
]


def _without_times(tmp_path: Path, *numbers: int, extra: str = "") -> Path:
    """The seed page without its ``numbers``-th time lines (1-based), ``extra`` after the 2nd
    comment's text."""
    lines = SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    times = [i for i, line in enumerate(lines) if line == TIME]
    assert len(times) == 5
    if extra:
        lines[times[1] + 1] += extra
    for number in sorted(numbers, reverse=True):
        del lines[times[number - 1]]
    page = tmp_path / SEED.name
    page.write_text("".join(lines), encoding="utf-8")
    return page


def _ingest(tmp_path: Path, page: Path):
    out = tmp_path / "corpus.jsonl"
    result = ingest([page], out=out)
    [article] = read_corpus(out)
    return result, article


def test_the_author_line_starts_a_new_comment(tmp_path):
    page = _without_times(tmp_path, 3)
    result, article = _ingest(tmp_path, page)
    _, seed = _ingest(tmp_path, SEED)
    assert [c.author for c in article.comments] == AUTHORS
    assert [c.text for c in article.comments] == [c.text for c in seed.comments]
    assert [c.id for c in article.comments] == [c.id for c in seed.comments]
    assert [c.time_raw is None for c in article.comments] == [False, False, True, False, False]
    assert [f.line() for f in result.report.findings] == [
        f"{page}:34: warning[I055 comment-without-time]: a comment without its time line "
        "(·منذ ...); the header "
        "declares 5 comments, 4 have one; read 'غرباء...مسافر غريب ..عين الصقر' as the author "
        "of a new comment, time left empty"
    ]


def test_the_first_and_two_neighbouring_comments_without_time(tmp_path):
    for missing in ((1,), (2, 3), (4, 5), (1, 3, 5)):
        result, article = _ingest(tmp_path, _without_times(tmp_path, *missing))
        assert [c.author for c in article.comments] == AUTHORS, missing
        assert [f.code for f in result.report.findings] == ["I055"] * len(missing)
        untimed = [n for n, c in enumerate(article.comments, start=1) if c.time_raw is None]
        assert untimed == list(missing)


def test_a_page_that_does_not_tell_is_not_parsed(tmp_path):
    """The 2nd comment has a second one-line paragraph: it or the next author could start
    the untimed comment; the comments are not read rather than glued."""
    page = _without_times(tmp_path, 3, extra="\n    فقرة ثانية\n")
    result, article = _ingest(tmp_path, page)
    assert article.comments == ()
    [finding] = result.report.findings
    assert (finding.level, finding.code, finding.where) == ("error", "I051", f"{page}:22")
    assert "line(s) 34, 36" in finding.message
    assert finding.action.startswith("page not parsed")


def test_a_comment_of_several_paragraphs_with_its_time_is_left_alone(tmp_path):
    page = _without_times(tmp_path, extra="\n    فقرة ثانية\n\n    وثالثة\n")
    result, article = _ingest(tmp_path, page)
    assert result.report.findings == []
    assert article.comments[1].text.endswith("\n\nفقرة ثانية\n\nوثالثة")
