"""Ingest tells its progress: bytes read (one big JSONL file) and comments marked after the
near-duplicate pass; the CLI draws bars on a terminal only."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

from toolkit.cli import main
from toolkit.corpus import read_corpus
from toolkit.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["الحكومة", "الوزير", "القاهرة", "الشعب", "كلام", "صحيح", "مقال", "ممتاز", "أبدا",
         "الشرطة", "جماعة", "المدرسة", "الطريق", "السوق", "الاسعار", "الكهرباء", "المستشفى",
         "الجامعة", "الرياضة", "المنتخب", "البرلمان", "الانتخابات", "الميزانية", "الضرائب"]


def _jsonl(path: Path, articles: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for n in range(articles):
            handle.write(json.dumps({
                "id": f"art{n}", "title": f"عنوان المقال رقم {n}", "body": f"نص المقال {n} " * 20,
                "url": f"https://example.com/{n}",
                "comments": [{"text": " ".join(random.Random(10 * n + k).sample(WORDS, 8)),
                              "author": "ا"} for k in range(3)]}, ensure_ascii=False) + "\n")
    return path


def test_ingest_tells_bytes_read_and_comments_marked(tmp_path):
    source = _jsonl(tmp_path / "articles.jsonl", 400)
    read: list[tuple[int, int | None]] = []
    marked: list[tuple[int, int | None]] = []
    result = ingest([source], out=tmp_path / "corpus.jsonl",
                    reading_progress=lambda done, total: read.append((done, total)),
                    marking_progress=lambda done, total: marked.append((done, total)))
    size = source.stat().st_size
    assert result.comments == 1200
    assert read[-1] == (size, size)  # every byte told, against the inputs' size
    assert [done for done, _ in read] == sorted(done for done, _ in read)
    assert marked[-1] == (1200, 1200)  # every comment marked
    assert sum(len(a.comments) for a in read_corpus(tmp_path / "corpus.jsonl")) == 1200


def test_ingest_draws_its_bars_on_a_terminal_only(tmp_path, capsys, monkeypatch):
    from rich.console import Console

    from toolkit.cli import ingest as cli_ingest
    from toolkit.cli import output

    monkeypatch.setattr(cli_ingest, "_PROGRESS_MIN_COMMENTS", 1)  # a bar even for a few
    source = _jsonl(tmp_path / "articles.jsonl", 50)
    assert main(["ingest", str(source), "--out", str(tmp_path / "corpus.jsonl")]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # not a terminal: nothing extra
    assert captured.out.startswith("1 files -> 50 articles, 150 comments")
    screen = io.StringIO()
    monkeypatch.setattr(output, "err_console", Console(file=screen, force_terminal=True,
                                                       width=100))
    assert main(["ingest", str(source), "--out", str(tmp_path / "corpus.jsonl")]) == 0
    assert "near-duplicates" in screen.getvalue() and "━" in screen.getvalue()
