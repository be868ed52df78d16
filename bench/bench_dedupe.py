"""Near-duplicate detection: speed, memory and pair precision/recall against injected copies.

    python bench/bench_dedupe.py [--comments 100000] [--threshold 0.75] [--compare 20000]

Builds a seeded corpus of ``--comments`` comments (Arabic-like words drawn from a
Zipf vocabulary, 1 to 40 words each, every original distinct). Into it go
**edited copies** (``--copy-rate`` of the originals get 1-4 copies, each with 1-3
edits of the kinds copies differ in: diacritics, tatweel, a stretched letter,
hamza/alef, ya/alef maqsura, ta marbuta, punctuation added or dropped, emoji, a
space added or removed, and in comments of 8 words or more a word added or
dropped: in a shorter one that makes another comment, not a copy) and **hard negatives** (pairs of
comments quoting the same long sentence with different words around it, and
comments that share a stock opening), which must not be joined.

Comments are fed in batches of ``--batch``, in corpus order, as ingest does. Each
method runs in its own process (``RAYON_NUM_THREADS=1``: one core) on the same
comments; it prints comments/s (wall clock, and CPU time of that process, which
a shared machine disturbs less), peak memory above the process's RSS with the
comments loaded, the number of clusters, and pair
precision and recall (a pair = two comments in one cluster; truth = two comments
of one injected family). Methods: ``exact`` (the matching form equal: the
baseline), ``rensa`` (toolkit.ingest.near_duplicates, the one the toolkit uses)
and ``datasketch`` (the same algorithm and settings with datasketch's MinHash and
MinHashLSH; run on the first ``--compare`` comments only, it is much slower).
Targets (issue 11): precision >= 0.95, recall >= 0.90, >= 20,000 comments/s on one
core at 1,000,000 comments, peak under 2 GB.

Measured here (2 shared cores, load 7-11; `--comments 1000000 --compare 20000`):

    method       comments    wall/s     CPU/s  peak MB  clusters precision  recall
    exact       1,000,000    31,706    71,972      390    71,577     1.000   0.664
    rensa       1,000,000    10,189    24,405    1,928    78,115     0.999   0.967
    datasketch     20,000     2,867     5,674      169        67     1.000   1.000
    rensa          20,000    13,867    28,101       54        66     1.000   0.985
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.ingest.near_duplicates import (  # noqa: E402
    BANDS,
    BATCH,
    NUM_PERM,
    SHORT,
    NearDuplicateIndex,
    match_form,
    shingles,
)

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
EMOJI = ["😂", "👍", "🌹", "❤️", "🤲", "😡", "🇯🇴", "💔"]
PUNCT = ["!", "؟", "،", ".", "...", "!!", "؛", ":"]
WORD_EDITS_FROM = 8  # words added, dropped or changed only in comments this long
SENTENCE_EDITS_FROM = 12  # a sentence added in front or behind only to comments this long
STOCK = ["والله العظيم", "حسبي الله ونعم الوكيل", "اللهم انصر", "يا جماعة الخير"]


def make_vocab(rng: random.Random, size: int = 4000) -> list[str]:
    words = set()
    while len(words) < size:
        word = "".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 7)))
        if rng.random() < 0.15:
            word = rng.choice("أإآ") + word
        if rng.random() < 0.15:
            word += rng.choice(["ة", "ى", "ي", "ه"])
        words.add(word)
    return sorted(words)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab = make_vocab(self.rng)
        self.weights = [1 / (rank + 1) for rank in range(len(self.vocab))]

    def words(self, count: int) -> list[str]:
        return self.rng.choices(self.vocab, self.weights, k=count)

    def comment(self) -> str:
        rng = self.rng
        count = rng.choice([1, 2, 3]) if rng.random() < 0.2 else rng.randint(4, 40)
        text = " ".join(self.words(count))
        if rng.random() < 0.3:
            text += rng.choice(PUNCT)
        return text

    # --- edits --------------------------------------------------------------
    def edit(self, text: str) -> str:
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            text = rng.choice(EDITS)(self, text)
        return text

    def _pos(self, text: str) -> int:
        return self.rng.randrange(len(text) + 1)

    def diacritics(self, text: str) -> str:
        marks = "\u064e\u064f\u0650\u0651\u0652\u064b"
        chars = list(text)
        for i in sorted(self.rng.sample(range(len(chars)), min(len(chars), 4)), reverse=True):
            if chars[i] in LETTERS:
                chars.insert(i + 1, self.rng.choice(marks))
        return "".join(chars)

    def tatweel(self, text: str) -> str:
        spots = [i for i, c in enumerate(text[:-1]) if c in LETTERS and text[i + 1] in LETTERS]
        if not spots:
            return text
        i = self.rng.choice(spots) + 1
        return text[:i] + "ـ" * self.rng.randint(1, 3) + text[i:]

    def stretch(self, text: str) -> str:
        spots = [i for i, c in enumerate(text) if c in LETTERS]
        if not spots:
            return text
        i = self.rng.choice(spots)
        return text[: i + 1] + text[i] * self.rng.randint(2, 5) + text[i + 1 :]

    def _swap(self, text: str, pairs: list[tuple[str, str]]) -> str:
        for old, new in self.rng.sample(pairs, len(pairs)):
            if old in text:
                return text.replace(old, new, 1)
        return text

    def hamza(self, text: str) -> str:
        return self._swap(text, [("أ", "ا"), ("إ", "ا"), ("ا", "أ"), ("آ", "ا")])

    def ya(self, text: str) -> str:
        return self._swap(text, [("ى", "ي"), ("ي", "ى")])

    def ta_marbuta(self, text: str) -> str:
        return self._swap(text, [("ة", "ه"), ("ه", "ة")])

    def punctuation(self, text: str) -> str:
        for mark in PUNCT:
            if text.endswith(mark):
                return text[: -len(mark)]
        i = self._pos(text)
        return text[:i] + self.rng.choice(PUNCT) + text[i:]

    def emoji(self, text: str) -> str:
        where = self.rng.choice([0, len(text), self._pos(text)])
        return text[:where] + " " + self.rng.choice(EMOJI) * self.rng.randint(1, 3) + text[where:]

    def add_word(self, text: str) -> str:
        words = text.split(" ")
        if len(words) < WORD_EDITS_FROM:  # a word more in a short comment makes another one
            return text
        words.insert(self.rng.randrange(len(words) + 1), self.words(1)[0])
        return " ".join(words)

    def drop_word(self, text: str) -> str:
        words = text.split(" ")
        if len(words) < WORD_EDITS_FROM:
            return text
        del words[self.rng.randrange(len(words))]
        return " ".join(words)

    def change_word(self, text: str) -> str:
        words = text.split(" ")
        if len(words) < WORD_EDITS_FROM:
            return text
        words[self.rng.randrange(len(words))] = self.words(1)[0]
        return " ".join(words)

    def sentence_before(self, text: str) -> str:
        # a sentence added in front: only to a comment long enough to stay the larger part
        if len(text.split(" ")) < SENTENCE_EDITS_FROM:
            return text
        return " ".join(self.words(self.rng.randint(3, 6))) + self.rng.choice([". ", "، "]) + text

    def sentence_after(self, text: str) -> str:
        if len(text.split(" ")) < SENTENCE_EDITS_FROM:
            return text
        return text + self.rng.choice([". ", " ", "! "]) + " ".join(
            self.words(self.rng.randint(3, 6)))

    def spacing(self, text: str) -> str:
        spaces = [i for i, c in enumerate(text) if c == " "]
        if spaces and self.rng.random() < 0.5:
            i = self.rng.choice(spaces)
            return text[:i] + text[i + 1 :]  # two words joined
        i = self.rng.choice(spaces) if spaces else 0
        return text[:i] + "  " + text[i:]  # a doubled space

    # --- hard negatives -----------------------------------------------------
    def quote_pair(self) -> tuple[str, str]:
        # The quote is about half of each comment: Jaccard around 0.5.
        quote = "«" + " ".join(self.words(18)) + "»"
        first = " ".join(self.words(12)) + " " + quote + " " + " ".join(self.words(5))
        second = " ".join(self.words(10)) + " " + quote + " " + " ".join(self.words(7))
        return first, second

    def stock(self) -> str:
        return self.rng.choice(STOCK) + " " + " ".join(self.words(self.rng.randint(4, 12)))


EDITS = [
    Generator.diacritics, Generator.tatweel, Generator.stretch, Generator.hamza, Generator.ya,
    Generator.ta_marbuta, Generator.punctuation, Generator.emoji, Generator.add_word,
    Generator.drop_word, Generator.spacing, Generator.change_word, Generator.sentence_before,
    Generator.sentence_after,
]


def make_corpus(total: int, copy_rate: float, seed: int) -> tuple[list[str], list[int]]:
    """(texts, family) where family[i] is the injected family of comment i (-1: none)."""
    gen = Generator(seed)
    rng = gen.rng
    texts: list[str] = []
    family: list[int] = []
    forms: set[str] = set()
    copies: list[tuple[int, str]] = []
    families = 0

    def unique(text: str) -> bool:
        form = match_form(text)
        if form in forms:
            return False
        forms.add(form)
        return True

    while len(texts) + len(copies) < total:
        roll = rng.random()
        if roll < 0.01:
            for text in gen.quote_pair():
                if unique(text):
                    texts.append(text)
                    family.append(-1)
            continue
        text = gen.stock() if roll < 0.02 else gen.comment()
        if not unique(text):
            continue
        if rng.random() < copy_rate:
            texts.append(text)
            family.append(families)
            for _ in range(rng.randint(1, 4)):
                copies.append((families, gen.edit(text)))
            families += 1
        else:
            texts.append(text)
            family.append(-1)
    # Copies go anywhere after their original (pasted later, under other articles).
    rows = list(zip(texts, family, strict=True))
    first_at = {fam: i for i, (_, fam) in enumerate(rows) if fam >= 0}
    inserts = sorted(((rng.randint(first_at[fam] + 1, len(rows)), fam, text)
                      for fam, text in copies), key=lambda item: item[0])
    out: list[tuple[str, int]] = []
    pending = iter(inserts)
    nxt = next(pending, None)
    for position, row in enumerate(rows):
        while nxt is not None and nxt[0] == position:
            out.append((nxt[2], nxt[1]))
            nxt = next(pending, None)
        out.append(row)
    while nxt is not None:
        out.append((nxt[2], nxt[1]))
        nxt = next(pending, None)
    out = out[:total]
    return [t for t, _ in out], [f for _, f in out]


def pairs_of(groups: dict[object, list[int]]) -> set[tuple[int, int]]:
    return {pair for members in groups.values() if len(members) > 1
            for pair in combinations(members, 2)}


def score(dup_of: list[int | None], family: list[int]) -> tuple[float, float, int]:
    clusters: dict[int, list[int]] = defaultdict(list)
    for index, rep in enumerate(dup_of):
        clusters[index if rep is None else rep].append(index)
    truth: dict[int, list[int]] = defaultdict(list)
    for index, fam in enumerate(family):
        if fam >= 0:
            truth[fam].append(index)
    predicted, true = pairs_of(clusters), pairs_of(truth)
    hit = len(predicted & true)
    precision = hit / len(predicted) if predicted else 1.0
    recall = hit / len(true) if true else 1.0
    return precision, recall, sum(1 for m in clusters.values() if len(m) > 1)


class ExactIndex:
    """The baseline: the same matching form, equal or not."""

    def __init__(self, threshold: float) -> None:
        self.first: dict[str, int] = {}
        self.seen = 0

    def add(self, texts, ids):
        out = []
        for text in texts:
            form = match_form(text)
            first = self.first.setdefault(form, self.seen)
            out.append(None if first == self.seen else ids_of(first))
            self.seen += 1
        return out


class DatasketchIndex:
    """toolkit's algorithm and settings, with datasketch's MinHash and MinHashLSH."""

    def __init__(self, threshold: float) -> None:
        from datasketch import MinHash, MinHashLSH

        self.MinHash = MinHash
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM,
                              params=(BANDS, NUM_PERM // BANDS))
        self.sketches: list = []
        self.rep: list[int] = []
        self.exact: dict[str, int] = {}
        self.seen = 0

    def add(self, texts, ids):
        out = []
        forms = [match_form(text) for text in texts]
        long_forms = [f for f in forms if len(f) >= SHORT]
        sketches = iter(self.MinHash.bulk([shingles(f) for f in long_forms],
                                          num_perm=NUM_PERM))
        for form in forms:
            index = self.seen
            self.seen += 1
            rep = self.exact.get(form)
            sketch = next(sketches) if len(form) >= SHORT else None
            if rep is None and sketch is not None:
                for key in self.lsh.query(sketch):
                    if sketch.jaccard(self.sketches[key]) >= self.threshold:
                        candidate = self.rep[key]
                        rep = candidate if rep is None else min(rep, candidate)
            self.exact.setdefault(form, index if rep is None else rep)
            out.append(None if rep is None else ids_of(rep))
            if sketch is not None:
                key = len(self.sketches)
                self.sketches.append(sketch)
                self.rep.append(index if rep is None else rep)
                self.lsh.insert(key, sketch)
        return out


def ids_of(index: int) -> str:
    return str(index)


def _rss_kb() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def _peak_kb() -> int:
    """The process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across fork + exec)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(name: str, factory, texts: list[str], threshold: float, batch: int):
    """(dup_of, wall s, CPU s, peak MB above the RSS before detection)."""
    gc.collect()
    before = _rss_kb()
    wall, cpu = time.perf_counter(), time.process_time()
    index = factory(threshold)
    ids = [str(i) for i in range(len(texts))]
    dup_of: list[int | None] = []
    for start in range(0, len(texts), batch):
        found = index.add(texts[start : start + batch], ids[start : start + batch])
        dup_of.extend(None if rep is None else int(rep) for rep in found)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = max(0, _peak_kb() - before) / 1024
    del index
    return dup_of, wall, cpu, peak


METHODS = {"exact": ExactIndex, "rensa": NearDuplicateIndex, "datasketch": DatasketchIndex}


def worker(args) -> None:
    """One method in a fresh process (so its peak memory is its own): prints JSON."""
    texts: list[str] = []
    family: list[int] = []
    with open(args.worker_input, "rb") as handle:
        for _, line in zip(range(args.count), handle, strict=False):
            text, fam = json.loads(line)
            texts.append(text)
            family.append(fam)
    dup_of, wall, cpu, peak = run(args.worker, METHODS[args.worker], texts, args.threshold,
                                  args.batch)
    precision, recall, clusters = score(dup_of, family)
    print(json.dumps({"wall": wall, "cpu": cpu, "peak": peak, "precision": precision,
                      "recall": recall, "clusters": clusters}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--compare", type=int, default=20_000,
                        help="comments given to datasketch (0: skip it)")
    parser.add_argument("--threshold", type=float, default=0.75)
    parser.add_argument("--copy-rate", type=float, default=0.1)
    parser.add_argument("--batch", type=int, default=BATCH,
                        help="comments per call (ingest sends about BATCH)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--worker", choices=list(METHODS), help=argparse.SUPPRESS)
    parser.add_argument("--worker-input", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    started = time.perf_counter()
    texts, family = make_corpus(args.comments, args.copy_rate, args.seed)
    injected = sum(1 for f in family if f >= 0)
    print(f"corpus: {len(texts):,} comments, {injected:,} in injected families "
          f"({len(set(f for f in family if f >= 0)):,} families), made in "
          f"{time.perf_counter() - started:.1f} s; threshold {args.threshold}, "
          f"{NUM_PERM} permutations, {BANDS} bands, exact-only under {SHORT} chars")
    methods = [("exact", len(texts)), ("rensa", len(texts))]
    if args.compare:
        try:
            import datasketch  # noqa: F401
        except ImportError:
            print("datasketch: not installed (pip install datasketch), skipped")
        else:
            methods.append(("datasketch", min(args.compare, len(texts))))
            if args.compare < len(texts):
                methods.append(("rensa", min(args.compare, len(texts))))
    print(f"{'method':<11}{'comments':>10}{'wall/s':>10}{'CPU/s':>10}{'peak MB':>9}"
          f"{'clusters':>10}{'precision':>10}{'recall':>8}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "comments.jsonl"
        with corpus.open("w", encoding="utf-8") as handle:
            for text, fam in zip(texts, family, strict=True):
                handle.write(json.dumps([text, fam], ensure_ascii=False) + "\n")
        del texts, family
        for name, count in methods:
            answer = subprocess.run(
                [sys.executable, __file__, "--worker", name, "--worker-input", str(corpus),
                 "--count", str(count), "--threshold", str(args.threshold),
                 "--batch", str(args.batch)],
                check=True, capture_output=True, text=True, env={**os.environ,
                                                                 "RAYON_NUM_THREADS": "1"},
            ).stdout
            r = json.loads(answer)
            print(f"{name:<11}{count:>10,}{count / r['wall']:>10,.0f}{count / r['cpu']:>10,.0f}"
                  f"{r['peak']:>9,.0f}{r['clusters']:>10,}{r['precision']:>10.3f}"
                  f"{r['recall']:>8.3f}", flush=True)


if __name__ == "__main__":
    main()
