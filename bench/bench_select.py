"""The budgeted sample (toolkit.selection.select): time and memory on a big corpus file,
against the baseline of only reading the same file line by line with orjson.

    python bench/bench_select.py [--comments 1000000] [--budget 10000]
                                 [--stratify site,month,length] [--corpus FILE]

Generates a seeded corpus JSONL of ``--comments`` comments (20 per article, 40 sites,
36 months of publication, a third of the articles without a date so their comments'
estimated dates decide the month, texts of 5 to 600 characters, 5% near-duplicate
copies) in a temporary folder (or ``--corpus FILE``: reused when it exists, else
written there and kept). Then, each in its own process, after one read that puts the
file in the page cache:

- ``baseline``: read the file line by line and ``orjson.loads`` every line;
- ``select``: ``select(file, Design(budget, Frame("comment", stratify)))``, the sample
  `corpus push --budget` computes.

Prints per run the wall and CPU time (user + system of that process), peak memory
(``ru_maxrss``) and its growth over the process's size before the run, and the ratio
of select to baseline. Targets (issue 19): 10 million comments in under 60 s, memory
that does not hold the corpus.

Measured here (2 shared cores, `--comments 1000000` and `--comments 10000000`, budget
10,000, stratified by site, month, length): see the commit that added this file, and
toolkit/selection/sample.py's docstring. Again on a quiet machine (nothing else running),
10,000,000 comments (5,651 MB): select 40.7 s wall / 39.9 s CPU, peak 471 MB (growth
425 MB); the bare line read 17.7 s; select / baseline 2.30 wall, 2.25 CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ["الحكومة", "قرار", "المواطن", "الأسعار", "ممتاز", "للأسف", "لماذا", "الشعب",
         "الكهرباء", "المدينة", "الطريق", "نعم", "لا", "شكرا", "الله", "الوزارة", "التعليم",
         "المستشفى", "الصحة", "الجامعة", "العمل", "الشباب", "المستقبل", "حقيقة", "كلام"]


def generate(path: Path, comments: int, seed: int = 7) -> None:
    """Write the bench corpus (see the module docstring)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(5000):  # a pool of texts: generating ten million would dominate
        length = rng.choice((5, 20, 35, 60, 90, 140, 200, 300, 450, 600))
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < length:
            words.append(rng.choice(WORDS))
        texts.append(" ".join(words))
    sites = [f"news{i}.example" for i in range(40)]
    per_article = 20
    written = 0
    article = 0
    with path.open("wb") as out:
        while written < comments:
            article += 1
            aid = f"a{article:08d}"
            year, month = 2022 + rng.randrange(3), 1 + rng.randrange(12)
            dated = rng.random() > 1 / 3
            items = []
            for position in range(1, min(per_article, comments - written) + 1):
                cid = f"{aid}-{position:02d}"
                copy = position > 1 and rng.random() < 0.05
                items.append({
                    "id": cid, "article_id": aid, "position": position, "author": None,
                    "time_raw": "منذ يومين", "age_days": 2,
                    "time_estimated": None if dated else f"{year}-{month:02d}-1{rng.randrange(10)}",
                    "reply_to": None, "duplicate_of": f"{aid}-01" if copy else None,
                    "text": rng.choice(texts)})
            written += len(items)
            out.write(orjson.dumps({
                "id": aid, "source": f"crawl/{aid}.txt",
                "url": f"https://{rng.choice(sites)}/{year}/{month}/{aid}",
                "published": f"{year}-{month:02d}-0{1 + rng.randrange(9)}" if dated else None,
                "title": "عنوان المقال", "body": "نص المقال " * 20,
                "comment_count_declared": None, "comments": items}) + b"\n")


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import orjson
from toolkit.selection import Design, Frame, select
path, what, budget, stratify = {path!r}, {what!r}, {budget}, {stratify!r}
rss_kb = int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() // 1024
usage0 = resource.getrusage(resource.RUSAGE_SELF)
wall = time.perf_counter()
extra = {{}}
if what == "baseline":
    lines = 0
    with open(path, "rb") as handle:
        for line in handle:
            orjson.loads(line)
            lines += 1
    extra = {{"lines": lines}}
else:
    sample = select(path, Design(budget, Frame("comment", tuple(stratify))))
    extra = {{"population": sample.population, "sample": sample.size,
              "strata": len(sample.strata), "copies": sample.copies,
              "chosen": len(sample.chosen)}}
wall = time.perf_counter() - wall
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - usage0.ru_utime - usage0.ru_stime
print(json.dumps({{"wall": wall, "cpu": cpu, "peak_mb": usage.ru_maxrss / 1024,
                   "growth_mb": (usage.ru_maxrss - rss_kb) / 1024, **extra}}))
"""


def run(path: Path, what: str, budget: int, stratify: list[str]) -> dict:
    code = CHILD.format(root=str(ROOT), path=str(path), what=what, budget=budget,
                        stratify=stratify)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--budget", type=int, default=10_000)
    parser.add_argument("--stratify", default="site,month,length")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="reuse this bench corpus (written there when absent)")
    args = parser.parse_args()
    stratify = [s for s in args.stratify.split(",") if s]
    with tempfile.TemporaryDirectory() as folder:
        path = args.corpus or Path(folder) / "corpus.jsonl"
        if not path.exists():
            clock = time.perf_counter()
            generate(path, args.comments)
            print(f"generated {args.comments:,} comments, {path.stat().st_size / 1e6:,.0f} MB "
                  f"in {time.perf_counter() - clock:.0f} s")
        with path.open("rb") as handle:  # into the page cache: both runs read from memory
            while handle.read(1 << 24):
                pass
        base = run(path, "baseline", args.budget, stratify)
        chosen = run(path, "select", args.budget, stratify)
        size = path.stat().st_size  # before the temporary folder goes
    print(f"corpus {size / 1e6:,.0f} MB, {args.comments:,} comments "
          f"({base['lines']:,} lines); budget {args.budget:,}, stratified by "
          f"{', '.join(stratify) or 'nothing'}; {os.cpu_count()} cores")
    print(f"{'run':<10}{'wall s':>9}{'CPU s':>9}{'peak MB':>10}{'growth MB':>11}")
    for name, figures in (("baseline", base), ("select", chosen)):
        print(f"{name:<10}{figures['wall']:>9.1f}{figures['cpu']:>9.1f}"
              f"{figures['peak_mb']:>10.0f}{figures['growth_mb']:>11.0f}")
    print(f"select / baseline: wall {chosen['wall'] / base['wall']:.2f}, CPU "
          f"{chosen['cpu'] / base['cpu']:.2f}; sample {chosen['sample']:,} of "
          f"{chosen['population']:,} comments in {chosen['strata']:,} strata "
          f"({chosen['copies']:,} near-duplicate copies not sampling units)")


if __name__ == "__main__":
    main()
