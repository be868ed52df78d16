"""One ingest, the same article twice; an ingest that reads nothing; a killed ingest's tmp.

Issue 13, items 2, 3 and 11 (the ingest part).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.cli import main
from toolkit.corpus import read_corpus
from toolkit.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "000_dab86e570d492265.txt"
SIXTH = "    زائر\n\n    ·منذ يوم\n    تعليق سادس جديد\n"


def _recrawled(tmp_path: Path) -> tuple[Path, Path]:
    """The seed page as crawled twice: the second crawl has a sixth comment at the end."""
    first, second = tmp_path / "crawl1", tmp_path / "crawl2"
    first.mkdir()
    second.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (first / SEED.name).write_text(text, encoding="utf-8")
    cut = text.index("5\n\nالأكثر")
    newer = text[:cut].replace("التعليقات (5)", "التعليقات (6)") + SIXTH + text[cut:]
    (second / SEED.name).write_text(newer, encoding="utf-8")
    return first, second


def test_a_page_crawled_twice_keeps_the_second_crawls_new_comment(tmp_path):
    first, second = _recrawled(tmp_path)
    out = tmp_path / "corpus.jsonl"
    result = ingest([first, second], out=out)
    [article] = read_corpus(out)
    assert len(article.comments) == 6
    assert article.comments[-1].text == "تعليق سادس جديد"
    assert article.comments[-1].position == 6
    [alone] = list(read_corpus(_ingested(tmp_path, second)))
    assert [c.id for c in article.comments] == [c.id for c in alone.comments]
    assert (result.articles, result.comments, result.duplicates) == (1, 6, 1)
    [finding] = [f for f in result.report.findings if f.code == "I050"]
    assert finding.level == "warning"
    assert finding.where == f"{second / SEED.name}"
    assert "1 comment(s)" in finding.message


def _ingested(tmp_path: Path, *inputs: Path) -> Path:
    out = tmp_path / "alone.jsonl"
    ingest(list(inputs), out=out)
    return out


def test_a_page_crawled_twice_unchanged_is_an_info_only(tmp_path):
    first, _ = _recrawled(tmp_path)
    out = tmp_path / "corpus.jsonl"
    result = ingest([first, first], out=out)
    [article] = read_corpus(out)
    assert len(article.comments) == 5
    assert [f.code for f in result.report.findings] == ["I007"]


def test_csv_same_article_under_two_ids_unites_the_comments(tmp_path, capsys):
    source = tmp_path / "x.csv"
    source.write_text(
        "article_id,title,body,author,time,text\n"
        "A,Same title,Same body,u1,منذ سنة,comment one\n"
        "B,Same title,Same body,u2,منذ سنة,comment two\n"
        "B,Same title,Same body,u1,منذ سنة,comment one\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.jsonl"
    assert main(["ingest", str(source), "-o", str(out)]) == 0
    [article] = read_corpus(out)
    assert article.id == "A"
    assert [(c.author, c.text, c.position) for c in article.comments] == [
        ("u1", "comment one", 1), ("u2", "comment two", 2),
    ]
    assert all(c.id.startswith("A-") and c.article_id == "A" for c in article.comments)
    captured = capsys.readouterr()
    assert (
        f"{source}:3: warning[I050 recrawl-merged]: same article as A from {source}:2"
        in captured.err
    )
    assert "1 articles, 2 comments" in captured.out


def test_an_ingest_that_reads_nothing_leaves_the_corpus_as_it_was(tmp_path, capsys):
    out = tmp_path / "exports" / "corpus.jsonl"
    assert main(["ingest", str(ROOT / "samples"), "-o", str(out)]) == 0
    before = out.read_bytes()
    assert before.count(b"\n") == 9
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.txt").symlink_to(tmp_path / "nowhere")  # unreadable (also as root)
    capsys.readouterr()
    assert main(["ingest", str(bad), "-o", str(out)]) == 2
    assert out.read_bytes() == before
    captured = capsys.readouterr()
    assert f"{out}: warning[I052 nothing-read]: no article was read from the inputs" in captured.err
    assert f"({out} left as it was)" in captured.out


def test_an_ingest_into_a_new_file_that_reads_nothing_still_writes_it(tmp_path):
    out = tmp_path / "corpus.jsonl"
    result = ingest([], out=out)
    assert out.read_bytes() == b""
    assert result.written


def test_a_stale_tmp_of_a_killed_ingest_is_removed(tmp_path):
    out = tmp_path / "corpus.jsonl"
    stale = tmp_path / "corpus.jsonl.tmp"
    stale.write_bytes(b'{"id": "half a line')
    result = ingest([SEED], out=out)
    assert not stale.exists()
    assert [f.code for f in result.report.findings] == ["I053"]
    assert len(list(read_corpus(out))) == 1


def test_the_near_duplicate_index_of_a_killed_ingest_is_removed(tmp_path):
    """A run killed by SIGKILL leaves its index folder beside the corpus; the next run on
    that corpus removes it (I053), and leaves another corpus's folder alone (its run may
    be going on: it holds that corpus's lock, not this one's)."""
    out = tmp_path / "corpus.jsonl"
    stale = tmp_path / "corpus.jsonl.near-duplicates-k1ll3d"
    stale.mkdir()
    (stale / "digests").write_bytes(b"\0" * 512)
    other = tmp_path / "other.jsonl.near-duplicates-ru2n1n"
    other.mkdir()
    result = ingest([SEED], out=out)
    assert not stale.exists() and other.is_dir()
    assert [(f.code, f.where) for f in result.report.findings] == [("I053", str(stale))]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.jsonl", other.name]
    assert len(list(read_corpus(out))) == 1
