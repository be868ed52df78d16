"""Two runs writing one corpus take turns (issue 17, item 5).

Before, both wrote the fixed ``<corpus>.tmp``: two syncs into one corpus left a cut line
and lost an input; of two ingests into one file, one said it had written its articles
while the file held the other's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.corpus import Article, Comment, read_corpus, write_corpus
from toolkit.errors import Busy
from toolkit.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "000_dab86e570d492265.txt"
PAGES = 400  # enough that two runs' writes overlap


def _pages(folder: Path, tag: str, count: int = PAGES) -> Path:
    """``count`` copies of the seed page, each its own article (title and author tagged)."""
    folder.mkdir()
    seed = SEED.read_text(encoding="utf-8")
    title = seed.split("\n", 1)[0]
    for n in range(count):
        text = seed.replace(title, f"{title} {tag}{n}").replace("وائل", f"وائل {tag}{n}")
        (folder / f"{n:05d}.txt").write_text(text, encoding="utf-8")
    return folder


def _run(*args: str, gate: Path | None = None) -> subprocess.Popen:
    """``corpus ARGS`` in a process of its own; with ``gate``, started once that file exists
    (the process is up and imported by then, so the start is not a second late)."""
    code = ("import os, sys, time; from toolkit.cli import main\n"
            "gate = os.environ.get('GATE')\n"
            "while gate and not os.path.exists(gate): time.sleep(0.01)\n"
            "sys.exit(main(sys.argv[1:]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GATE": str(gate or "")}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _articles(path: Path) -> list[str]:
    return [a.title.rsplit(" ", 1)[1] for a in read_corpus(path)]


def test_two_ingests_into_one_file_take_turns(tmp_path):
    # The second must start while the first is writing; on a loaded machine the first can
    # be done before we see it writing: then try again in a fresh folder, with more pages.
    for attempt in range(3):
        work = tmp_path / f"try{attempt}"
        work.mkdir()
        pages = PAGES * 2 ** attempt
        inputs = [_pages(work / "d", "D", pages), _pages(work / "e", "E", pages)]
        out = work / "ci.jsonl"
        gate = work / "go"
        second = _run("ingest", str(inputs[1]), "--out", str(out), gate=gate)
        first = _run("ingest", str(inputs[0]), "--out", str(out))
        for _ in range(1200):  # the second starts while the first is writing (at most 60 s)
            if list(work.glob("ci.jsonl*.tmp")) or first.poll() is not None:
                break
            time.sleep(0.02)
        if first.poll() is None:
            break
        second.kill()
        second.communicate()
    else:
        raise AssertionError("the first ingest ended before the second started, 3 times")
    gate.touch()
    results = [(p.wait(timeout=300), *p.communicate()) for p in (first, second)]
    assert [code for code, _, _ in results] == [0, 0], results
    assert all("Traceback" not in err for _, _, err in results)
    # whole, and the last to write is the one whose articles it holds: the second did not
    # write over the first's temporary file (whether it had to wait, and so said so, depends
    # on timing; test_the_cli_says_it_waits_for_the_other_writer holds the lock to see it)
    assert sorted(_articles(out)) == sorted(f"E{n}" for n in range(pages))
    assert sorted(p.name for p in work.iterdir()) == ["ci.jsonl", "d", "e", "go"]


def _sync_ingest(corpus: Path, folder: Path) -> subprocess.Popen:
    code = ("import sys; from toolkit.workflows.sync import ingest_into; "
            "print(ingest_into([sys.argv[2]], sys.argv[1]).comments)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, str(corpus), str(folder)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _large_corpus(path: Path, articles: int) -> None:
    """A stored corpus large enough that two merges into it overlap."""
    stored = [Article(id=f"s{n}", source=f"old/{n}.txt", title=f"مقال قديم S{n}",
                      body=f"نص المقال القديم رقم {n}",
                      comments=tuple(Comment(id=f"s{n}-{k}", article_id=f"s{n}", position=k + 1,
                                             text=f"تعليق قديم رقم {k} على المقال {n}")
                                     for k in range(5)))
              for n in range(articles)]
    write_corpus(path, stored)


def test_two_syncs_into_one_corpus_keep_both_inputs(tmp_path):
    """`corpus sync --corpus c.jsonl inD &` and the same with inE: sync's ingest step."""
    corpus = tmp_path / "c.jsonl"
    _large_corpus(corpus, 6000)
    inputs = [_pages(tmp_path / "inD", "D", 20), _pages(tmp_path / "inE", "E", 20)]
    runs = [_sync_ingest(corpus, folder) for folder in inputs]
    results = [(p.wait(timeout=300), *p.communicate()) for p in runs]
    assert [code for code, _, _ in results] == [0, 0], results
    titles = _articles(corpus)  # every line whole (read_corpus raises on a cut one)
    assert len(titles) == 6000 + 2 * 20
    assert set(titles[6000:]) == {f"{tag}{n}" for tag in "DE" for n in range(20)}
    assert not list(tmp_path.glob("c.jsonl.*tmp*"))


def _holder(out: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the corpus's write lock for ``seconds``."""
    code = ("import sys, time; from toolkit.corpus import corpus_lock\n"
            "with corpus_lock(sys.argv[1]):\n"
            "    print('held', flush=True); time.sleep(float(sys.argv[2]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code, str(out), str(seconds)], env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_held_corpus_is_refused_in_one_line_after_the_timeout(tmp_path):
    out = tmp_path / "c.jsonl"
    ingest([SEED], out=out)
    before = out.read_bytes()
    holder = _holder(out, 30)
    try:
        with pytest.raises(Busy) as refused:
            ingest([SEED], out=out, lock_timeout=0.5)
        message = str(refused.value)
        assert "\n" not in message
        assert f"another run (pid {holder.pid}) is still writing {out} after 0.5 s" in message
        assert out.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()


def test_the_cli_says_it_waits_for_the_other_writer(tmp_path, capsys):
    out = tmp_path / "c.jsonl"
    holder = _holder(out, 1.5)
    try:
        assert main(["ingest", str(SEED), "--out", str(out)]) == 0
    finally:
        holder.wait()
    err = capsys.readouterr().err
    assert f"Another run is writing {out} (pid {holder.pid}); waiting for it" in err
    assert len(list(read_corpus(out))) == 1
