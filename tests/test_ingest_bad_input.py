"""Bad inputs: each gets one clear finding and the other inputs are still ingested."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from toolkit.corpus import read_corpus
from toolkit.ingest import ingest

DATA = Path(__file__).resolve().parent / "data" / "ingest"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _run(tmp_path: Path, *names: str):
    out = tmp_path / "corpus.jsonl"
    inputs = [DATA / name for name in names] + [SAMPLES / "001_4f2c9a7e1b3d5068.txt"]
    result = ingest(inputs, out=out)
    articles = list(read_corpus(out))
    # The good page is always ingested too.
    assert any(a.id == "4f2c9a7e1b3d5068" for a in articles)
    return result, articles


def _lines(result) -> list[str]:
    return [f.line() for f in result.report.findings]


def test_empty_file(tmp_path):
    result, articles = _run(tmp_path, "empty.txt", "bom_only.txt")
    assert _lines(result) == [
        f"{DATA / 'empty.txt'}: warning[I006 empty]: empty file; nothing to ingest from it",
        f"{DATA / 'bom_only.txt'}: warning[I006 empty]: empty file (only a BOM or spaces); "
        "nothing to ingest",
    ]
    assert len(articles) == 1 and result.unreadable == []


def test_windows_1256_page_is_decoded_and_said_so(tmp_path):
    result, articles = _run(tmp_path, "cp1256_page.txt")
    [finding] = result.report.findings
    assert (finding.level, finding.code, finding.name) == ("warning", "I005", "encoding")
    assert "windows-1256" in finding.message and finding.where == str(DATA / "cp1256_page.txt")
    page = next(a for a in articles if a.source.endswith("cp1256_page.txt"))
    assert page.title == "ارتفاع أسعار الخضار في الأسواق"
    assert [(c.author, c.time_raw, c.text) for c in page.comments] == [
        ("تاجر", "منذ 3 أيام", "الأسعار ارتفعت بسبب النقل.")
    ]


def test_undecodable_file_is_unreadable_and_named(tmp_path):
    result, _ = _run(tmp_path, "latin1.txt")
    assert _lines(result) == [
        f"{DATA / 'latin1.txt'}:1: error[I004 not-utf8]: not UTF-8 (byte 0xe9) and not clearly "
        "windows-1256 Arabic; skipped the file; re-save it as UTF-8"
    ]
    assert result.unreadable == [str(DATA / "latin1.txt")]


def test_page_without_a_title(tmp_path):
    result, articles = _run(tmp_path, "no_title.txt")
    assert _lines(result) == [
        f"{DATA / 'no_title.txt'}:1: warning[I019 no-title]: no recognizable title: the page is "
        "empty before the comments header; stored with an empty title"
    ]
    page = next(a for a in articles if a.source.endswith("no_title.txt"))
    assert page.title == "" and [c.text for c in page.comments] == ["تعليق بلا مقال"]


def test_declared_count_differs_from_comments_found(tmp_path):
    result, articles = _run(tmp_path, "count_mismatch.txt")
    assert _lines(result) == [
        f"{DATA / 'count_mismatch.txt'}:6: warning[I021 comment-count]: the header declares 3 "
        "comments but 2 were found; kept the 2 found"
    ]
    page = next(a for a in articles if a.source.endswith("count_mismatch.txt"))
    assert page.comment_count_declared == 3
    assert [c.text for c in page.comments] == ["تعليق أول", "تعليق ثان"]


def test_bad_jsonl_lines(tmp_path):
    result, articles = _run(tmp_path, "bad.jsonl")
    path = DATA / "bad.jsonl"
    lines = _lines(result)
    assert len(lines) == 3
    assert lines[0].startswith(f"{path}:2: error[I010 bad-json]: not JSON (")
    assert lines[0].endswith("; skipped this line")
    assert lines[1] == f"{path}:3: error[I011 missing-field]: no 'body' text; skipped this article"
    assert lines[2] == f"{path}:4: error[I010 bad-json]: a JSON list, not an object; skipped"
    assert [a.id for a in articles if a.source.endswith(f"{path.name}:1")] == ["ok-1"]
    assert not any(a.source.startswith("/") for a in articles)
    assert result.unreadable == []


def test_csv_missing_columns(tmp_path):
    result, articles = _run(tmp_path, "missing_columns.csv")
    [line] = _lines(result)
    assert line.startswith(
        f"{DATA / 'missing_columns.csv'}:1: error[I014 missing-columns]: no body column(s)"
    )
    assert "skipped the file" in line
    assert len(articles) == 1


def test_missing_path_is_unreadable(tmp_path):
    result, _ = _run(tmp_path, "no-such-file.txt")
    assert result.unreadable == [str(DATA / "no-such-file.txt")]
    assert _lines(result) == [
        f"{DATA / 'no-such-file.txt'}: error[I001 unreadable]: no such file or folder; skipped"
    ]


def test_duplicate_across_formats_is_stored_once(tmp_path):
    """The same article as a page and as a JSONL line (spelling variants aside)."""
    page = SAMPLES / "002_9b1e0d44c2a7f315.txt"
    ingest([page], out=tmp_path / "one.jsonl")
    original = next(read_corpus(tmp_path / "one.jsonl"))

    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(
        orjson.dumps(
            {"id": "x1", "title": original.title.replace("أ", "ا"), "body": original.body}
        )
        + b"\n"
    )
    result = ingest([page, copy], out=tmp_path / "both.jsonl")
    assert [a.id for a in read_corpus(tmp_path / "both.jsonl")] == ["9b1e0d44c2a7f315"]
    assert result.duplicates == 1
    assert [f.line() for f in result.report.findings] == [
        f"{copy}:1: info[I007 duplicate]: same article as 9b1e0d44c2a7f315 from {page}; "
        "stored once (the first); this copy skipped"
    ]


def test_everything_at_once_summary_counts(tmp_path):
    out = tmp_path / "corpus.jsonl"
    result = ingest([DATA, *sorted(SAMPLES.glob("0*.txt")), SAMPLES / "articles.jsonl",
                     SAMPLES / "comments.csv"], out=out)
    counts = result.report.counts
    assert counts["articles"] == sum(1 for _ in read_corpus(out)) == 13
    assert (counts["warnings"], counts["errors"]) == (5, 5)
    assert result.unreadable == [str(DATA / "latin1.txt")]


def test_renamed_article_keeps_its_replies_inside_it(tmp_path):
    """Two different articles both called A1: the second becomes A1~2, and its reply
    points to its own first comment (A1~2-c1), not to the other article's."""
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(orjson.dumps({
        "id": "A1", "title": "الأول", "body": "نص الأول",
        "comments": [{"id": "c1", "text": "تعليق"}],
    }) + b"\n")
    second.write_bytes(orjson.dumps({
        "id": "A1", "title": "الثاني", "body": "نص الثاني",
        "comments": [{"id": "c1", "text": "سؤال"}, {"id": "c2", "text": "جواب", "reply_to": "c1"}],
    }) + b"\n")
    result = ingest([first, second], out=tmp_path / "corpus.jsonl")
    one, two = read_corpus(tmp_path / "corpus.jsonl")
    assert [(c.id, c.reply_to) for c in one.comments] == [("A1-c1", None)]
    assert two.id == "A1~2"
    assert [(c.id, c.article_id, c.reply_to) for c in two.comments] == [
        ("A1~2-c1", "A1~2", None), ("A1~2-c2", "A1~2", "A1~2-c1"),
    ]
    assert [(f.code, f.name) for f in result.report.findings] == [("I008", "id-clash")]


def test_failed_corpus_write_leaves_no_temp_file(tmp_path):
    from toolkit.corpus import Article, write_corpus
    from toolkit.errors import InputError

    def articles():
        yield Article(id="a", source="s", title="t", body="b")
        raise InputError("cut short")

    out = tmp_path / "corpus.jsonl"
    with pytest.raises(InputError):
        write_corpus(out, articles())
    assert list(tmp_path.iterdir()) == []


def test_source_is_never_absolute(tmp_path, monkeypatch):
    """Relative inputs as typed; absolute ones relative to the current folder when under
    it, else the input's own name plus the path inside it (no home folder published)."""
    pages = tmp_path / "scrape" / "pages"
    (pages / "sub").mkdir(parents=True)
    seed = SAMPLES / "000_dab86e570d492265.txt"
    (pages / "sub" / seed.name).write_bytes(seed.read_bytes())
    single = tmp_path / "scrape" / "one.txt"
    single.write_bytes((SAMPLES / "001_4f2c9a7e1b3d5068.txt").read_bytes())

    def sources(*inputs) -> list[str]:
        out = tmp_path / "corpus.jsonl"
        ingest(list(inputs), out=out)
        return [a.source for a in read_corpus(out)]

    monkeypatch.chdir(tmp_path / "scrape")
    assert sources(pages, single) == [f"pages/sub/{seed.name}", "one.txt"]
    assert sources("pages", "./one.txt") == [f"pages/sub/{seed.name}", "one.txt"]
    monkeypatch.chdir(pages / "sub")  # one.txt is not under it
    assert sources(pages, single) == [seed.name, "one.txt"]
    assert sources("../../one.txt") == ["../../one.txt"]  # relative: as typed
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert sources(pages) == [f"pages/sub/{seed.name}"]
    monkeypatch.chdir(tmp_path)
    assert sources(pages) == [f"scrape/pages/sub/{seed.name}"]
