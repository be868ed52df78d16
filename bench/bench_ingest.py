"""Ingest speed: N synthetic seed-layout pages, ingest time vs merely reading the files.

    python bench/bench_ingest.py [--pages 5000] [--comments 5] [--repeat 5]
                                 [--near-duplicates off]
    python bench/bench_ingest.py --jsonl-comments 10000000 [--from FILE]

``--jsonl-comments N``: one JSONL file of articles holding N comments in all (20 an
article; texts from ``--from``, a file bench_dedupe.py generated, else made here), ingested
once with near-duplicate detection on, in a child process: wall and CPU time (the
process and its workers), peak memory of the process and of a worker, against a bare read
of the same file (each line parsed with orjson). Issue 21: 10 million comments in under
4 GB.

Generates the pages in a temporary folder (seed-sized: title, its repeat, nine
paragraphs with a sub-heading, five indented comments, site chrome), then in the
same run times, ``--repeat`` times each and alternating, (1) the bare read: walk
the folder, read every file's bytes and decode them as UTF-8 (what ingest must do
at the least before it can look at a page), and (2) `toolkit.ingest.ingest` of
the folder into a corpus file. Prints the medians, pages per second, pages per
minute, and the ratio ingest / bare read (of the medians). Targets (issue 2):
>= 20,000 pages a minute on one core, ratio <= 10. The machine is shared, so the
single runs are printed too. Also prints peak RSS growth to show that memory
does not grow with the number of pages.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.ingest import ingest  # noqa: E402
from toolkit.ingest.near_duplicates import parse_threshold  # noqa: E402
from toolkit.runtime import give_back_freed_memory  # noqa: E402

WORDS = (
    "الحكومة الاتفاق روسيا واشنطن المعارضة الشعب السوري الرئيس وزارة الخارجية بيان "
    "الصحيفة المباحثات الطرفين عدة أسابيع للوصول صيغة الولايات المتحدة الغارات حلب دمشق "
    "التعاون العسكري المنطقة الأمن الدولي مجلس قرار الأمم المتحدة مشترك جديد هدف"
).split()
NAMES = ["علي علاو", "وائل", "غرباء...مسافر غريب", "أم يوسف 🌸", "ابن البلد 🇯🇴", "قارئ"]
TIMES = ["منذ 7 سنوات 8 أشهر", "منذ سنتين", "منذ ٣ أيام", "منذ ساعتين", "منذ شهر وأسبوعين"]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def make_page(rng: random.Random, comments: int) -> str:
    title = _sentence(rng, 10)[:-1]
    lines = [title, "", title]
    for index in range(9):
        lines += [_sentence(rng, 40), ""]
        if index == 4:
            lines += ["خطوات حاسمة", ""]
    lines += [f"التعليقات ({comments})", ""]
    for _ in range(comments):
        lines += [
            "    " + rng.choice(NAMES), "",
            "    ·" + rng.choice(TIMES),
            "    " + _sentence(rng, rng.randint(8, 70)), "",
        ]
    lines[-1:] = ["5", "", "الأكثر قراءة", "", "💡 أهم المواضيع", "", "✨ أهم التصنيفات"]
    return "\n".join(lines)


def _peak_kb() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def jsonl_run(args: argparse.Namespace) -> None:
    """The ``--jsonl-comments`` mode (module docstring)."""
    per_article = 20
    with tempfile.TemporaryDirectory(prefix="bench-ingest-", dir=Path(__file__).parent) as tmp:
        source = Path(tmp) / "articles.jsonl"
        rng = random.Random(args.seed)
        texts = (orjson.loads(line)[0] for line in open(args.source, "rb")) if args.source \
            else (_sentence(rng, rng.randint(4, 40)) for _ in iter(int, 1))
        started = time.perf_counter()
        with source.open("wb") as handle:
            for number in range(args.jsonl_comments // per_article):
                comments = [{"text": next(texts), "author": rng.choice(NAMES)}
                            for _ in range(per_article)]
                handle.write(orjson.dumps({
                    "id": f"a{number}", "title": f"{_sentence(rng, 8)} {number}",
                    "body": _sentence(rng, 60), "url": f"https://example.com/{number}",
                    "comments": comments}) + b"\n")
        size = source.stat().st_size
        print(f"{args.jsonl_comments:,} comments in {args.jsonl_comments // per_article:,} "
              f"articles, {size / 2**30:.2f} GiB, made in {time.perf_counter() - started:.0f} s",
              flush=True)
        code = ("import json, resource, sys, time\n"
                f"sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})\n"
                f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
                "from bench_ingest import _peak_kb\n"
                "from toolkit.ingest import ingest\n"
                "from toolkit.runtime import give_back_freed_memory\n"
                "give_back_freed_memory()\n"  # as the `corpus` process sets itself up
                "w, c = time.perf_counter(), time.process_time()\n"
                f"r = ingest([{str(source)!r}], out={str(Path(tmp) / 'corpus.jsonl')!r})\n"
                "w, c = time.perf_counter() - w, time.process_time() - c\n"
                "ch = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
                "print(json.dumps({'wall': w, 'cpu': c + ch.ru_utime + ch.ru_stime,"
                " 'peak': _peak_kb() / 1024, 'worker': ch.ru_maxrss / 1024,"
                " 'comments': r.comments, 'copies': r.report.counts['near_duplicates']}))\n")
        answer = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                           capture_output=True, text=True).stdout)
        wall, cpu = time.perf_counter(), time.process_time()
        with source.open("rb") as handle:
            for line in handle:
                orjson.loads(line)
        read_wall, read_cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"ingest: {answer['wall']:.0f} s wall, {answer['cpu']:.0f} s CPU (with its workers), "
          f"{answer['comments'] / answer['wall']:,.0f} comments/s; {answer['copies']:,} "
          f"near-duplicate copies marked")
    print(f"peak memory: {answer['peak']:,.0f} MB the ingest process, {answer['worker']:,.0f} MB "
          f"a sketching worker (target: under 4 GB)")
    print(f"bare read (orjson per line): {read_wall:.0f} s wall, {read_cpu:.0f} s CPU; ingest / "
          f"bare read {answer['wall'] / read_wall:.1f}x wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--comments", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (median)")
    parser.add_argument("--near-duplicates", default=None, metavar="JACCARD|off",
                        help="near-duplicate detection as `corpus ingest` (default: on, 0.75)")
    parser.add_argument("--jsonl-comments", type=int, default=0,
                        help="the one-big-JSONL mode with this many comments (docstring)")
    parser.add_argument("--from", dest="source", type=Path,
                        help="comment texts for --jsonl-comments (bench_dedupe's corpus file)")
    args = parser.parse_args()
    if args.jsonl_comments:
        jsonl_run(args)
        return
    give_back_freed_memory()  # as the `corpus` process sets itself up (toolkit.runtime)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        total_bytes = 0
        for number in range(args.pages):
            text = make_page(rng, args.comments).encode("utf-8")
            total_bytes += len(text)
            (folder / f"{number:06d}_{rng.getrandbits(64):016x}.txt").write_bytes(text)

        def bare_read() -> int:
            """Read and decode every file, as ingest must at the least (no parsing)."""
            chars = 0
            for root, _dirs, files in os.walk(folder):
                for name in sorted(files):
                    chars += len((Path(root) / name).read_bytes().decode("utf-8"))
            return chars

        def timed(run):
            start, cpu = time.perf_counter(), time.process_time()
            value = run()
            return time.perf_counter() - start, time.process_time() - cpu, value

        bare_read()  # warm the page cache so both runs read from memory
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        read_times: list[float] = []
        ingest_times: list[float] = []
        read_cpu: list[float] = []
        ingest_cpu: list[float] = []
        for _ in range(args.repeat):
            seconds, cpu, _chars = timed(bare_read)
            read_times.append(seconds)
            read_cpu.append(cpu)
            seconds, cpu, result = timed(
                lambda: ingest([folder], out=Path(tmp) / "corpus.jsonl",
                               near_duplicates=parse_threshold(args.near_duplicates))
            )
            ingest_times.append(seconds)
            ingest_cpu.append(cpu)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    assert result.articles == args.pages, result.report.findings[:3]
    read_seconds = statistics.median(read_times)
    ingest_seconds = statistics.median(ingest_times)
    rate = args.pages / ingest_seconds
    print(f"pages: {args.pages} ({total_bytes / args.pages / 1024:.1f} KiB each, "
          f"{args.comments} comments), {result.comments} comments ingested")
    print(f"runs: bare read {' '.join(f'{t:.3f}' for t in read_times)} s; "
          f"ingest {' '.join(f'{t:.3f}' for t in ingest_times)} s")
    print(f"median of {args.repeat}: bare read (read + UTF-8 decode): {read_seconds:.3f} s   "
          f"ingest: {ingest_seconds:.3f} s")
    print(f"ingest: {rate:,.0f} pages/s = {rate * 60:,.0f} pages/min (target >= 20,000/min)")
    print(f"ratio ingest / bare read: {ingest_seconds / read_seconds:.1f}x (target <= 10x)")
    cpu_ratio = statistics.median(ingest_cpu) / statistics.median(read_cpu)
    print(f"CPU time (less disturbed by other processes), median: bare read "
          f"{statistics.median(read_cpu):.3f} s, ingest {statistics.median(ingest_cpu):.3f} s, "
          f"ratio {cpu_ratio:.1f}x")
    print(f"peak RSS growth during ingest: {(rss_after - rss_before) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
