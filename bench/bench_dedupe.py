"""Near-duplicate detection: speed, memory and pair precision/recall against injected copies.

    python bench/bench_dedupe.py [--comments 300000] [--compare 300000] [--corpus FILE]
                                 [--threshold 0.75] [--loose 0.5]

Generates (two processes; ``--corpus FILE`` keeps it for the next run) a seeded corpus
of ``--comments`` comments: Arabic-like words drawn from a Zipf vocabulary of each
500,000-comment chunk, 1 to 40 words each, every original distinct. Into it go
**edited copies** (``--copy-rate`` of the originals get 1-4 copies, each with 1-3 edits
of the kinds issue 21 lists: diacritics, tatweel, a stretched letter, hamza/alef,
ya/alef maqsura, ta marbuta, punctuation added or dropped, emoji, a space added or
removed; in comments of 8 words or more a word added, dropped or changed, and in
comments of 12 words or more a sentence of 3-6 words added in front or behind) and
**hard negatives** (pairs of comments quoting the same long sentence with different
words around it, and comments sharing a stock opening), which must not be joined.

Each run reads the corpus file as ingest would (streaming, batches of BATCH), in its own
process, at 300,000, 1,000,000 and ``--comments``:

- ``toolkit``: toolkit.ingest.copy_index.NearDuplicateIndex, on disk, with the strict
  ``--threshold`` (annotate-once) and the ``--loose`` one (split grouping) in one pass;
- ``rensa``: the toolkit's detection before issue 21 (rensa's MinHash and in-memory
  RMinHashLSH, 16 bands of 8 rows, one core), on the first ``--compare`` comments: the
  baseline, and the library the toolkit used.

Printed: wall and CPU seconds (the process and its worker processes), comments/s wall,
peak memory (VmHWM) of the process and the largest of its workers, the index's size on
disk, pair precision and recall of the clusters (a pair = two comments in one cluster;
truth = two comments of one injected family, or two with the same matching form), and
of the loose groups (recall first) with the largest group; then where the wall time of
the toolkit went and how many candidate pairs it compared.

Issue 21's targets at 10,000,000 comments: peak under 4 GB, at least 40,000 comments/s
wall on this 2-core machine, precision >= 0.99 for annotate-once, recall >= 0.99 for
split grouping. Measured figures: docs/scale.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from hashlib import blake2b
from itertools import accumulate
from pathlib import Path

import numpy
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.ingest.copy_index import BATCH, COMPARABLE, SHORT, NearDuplicateIndex  # noqa: E402
from toolkit.ingest.near_duplicates import (  # noqa: E402
    DEFAULT_SPLIT_THRESHOLD,
    DEFAULT_THRESHOLD,
    match_form,
)
from toolkit.runtime import give_back_freed_memory  # noqa: E402

CHUNK = 500_000  # comments generated per process job (each with its own vocabulary)
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
        weights = [1 / (rank + 1) for rank in range(len(self.vocab))]
        self.cum_weights = list(accumulate(weights))

    def words(self, count: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum_weights, k=count)

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
    """(texts, family) where family[i] is the injected family of comment i (-1: none).

    Every comment outside the families has a matching form of its own."""
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


# --- the baseline: the toolkit's detection before issue 21 (rensa's in-memory LSH) ------
def old_shingles(form: str) -> list[bytes]:
    """The 5-grams as the toolkit cut them before (cp1256 bytes; a content-defined third
    of them for forms of 150 characters or more)."""
    try:
        data, width = form.encode("cp1256"), 1
    except UnicodeEncodeError:
        data, width = form.encode("utf-32-le"), 4
    size = 5 * width
    if len(data) <= size:
        return [data]
    if width == 1 and len(data) >= 150:
        codes = numpy.frombuffer(data, dtype=numpy.uint8)
        anchors = (codes[:-4].astype(numpy.uint16) * 31 + codes[1:-3]) % 3 == 0
        return [data[i : i + size] for i in numpy.flatnonzero(anchors).tolist()]
    return [data[i : i + size] for i in range(0, len(data) - size + width, width)]


class RensaIndex:
    """The toolkit's detection before: rensa MinHash + RMinHashLSH (16 bands of 8 rows) in
    memory, clusters formed as comments come (the same rule as the toolkit's)."""

    def __init__(self, threshold: float) -> None:
        from rensa import RMinHash, RMinHashLSH

        self.minhash, self.threshold = RMinHash, threshold
        self.lsh = RMinHashLSH(threshold=threshold, num_perm=128, num_bands=16)
        self.sketches: list = []
        self.rep_of_key: list[int] = []
        self.exact: dict[str, int] = {}
        self.first: list[int] = []

    def add(self, texts: list[str]) -> None:
        forms = [match_form(t) for t in texts]
        rows = [n for n, f in enumerate(forms) if len(f) >= SHORT]
        sketches = dict(zip(rows, self.minhash.from_token_sets(
            [old_shingles(forms[n]) for n in rows], 128, 1103) if rows else [], strict=True))
        for n, form in enumerate(forms):
            index = len(self.first)
            key = form if len(form) >= COMPARABLE else "\0" + texts[n].strip()
            rep = self.exact.get(key)
            sketch = sketches.get(n)
            if rep is None and sketch is not None:
                for lsh_key in self.lsh.query(sketch):
                    candidate = self.rep_of_key[lsh_key]
                    if (rep is None or candidate < rep) and (
                            sketch.jaccard(self.sketches[lsh_key]) >= self.threshold):
                        rep = candidate
            rep = index if rep is None else rep
            self.exact.setdefault(key, rep)
            self.first.append(rep)
            if sketch is not None:
                self.rep_of_key.append(rep)
                self.lsh.insert(len(self.sketches), sketch)
                self.sketches.append(sketch)


# --- scoring ----------------------------------------------------------------------------
def pair_scores(predicted: numpy.ndarray, truth: numpy.ndarray) -> tuple[float, float]:
    """Pair precision and recall of the partition ``predicted`` against ``truth`` (a pair
    = two comments with the same label), without listing pairs."""

    def pairs(*labels: numpy.ndarray) -> int:
        _, counts = numpy.unique(numpy.stack(labels, axis=1), axis=0, return_counts=True)
        return int((counts * (counts - 1) // 2).sum())

    both, said, true = pairs(predicted, truth), pairs(predicted), pairs(truth)
    return (both / said if said else 1.0), (both / true if true else 1.0)


def truth_labels(path: Path, count: int) -> numpy.ndarray:
    """The truth of the first ``count`` comments: one label per injected family, and for a
    comment outside the families its matching form's key (identical forms are copies)."""
    labels = numpy.empty(count, dtype=numpy.int64)
    with path.open("rb") as handle:
        for n, line in zip(range(count), handle, strict=False):
            _, family, form_key = orjson.loads(line)
            labels[n] = family if family >= 0 else -1 - (form_key & 0x3FFFFFFFFFFFFFFF)
    return labels


# --- generating -------------------------------------------------------------------------
def _chunk(args: tuple[int, float, int]) -> list[bytes]:
    """One chunk of the corpus (its own seed and vocabulary) as JSONL lines."""
    size, copy_rate, seed = args
    texts, family = make_corpus(size, copy_rate, seed)
    out = []
    for text, fam in zip(texts, family, strict=True):
        key = int.from_bytes(blake2b(match_form(text).encode(), digest_size=8).digest(), "little")
        out.append(json.dumps([text, fam, key], ensure_ascii=False).encode() + b"\n")
    return out


def generate(path: Path, total: int, copy_rate: float, seed: int) -> None:
    """``total`` comments in chunks of CHUNK (two processes), families numbered apart."""
    sizes = [min(CHUNK, total - start) for start in range(0, total, CHUNK)]
    jobs = [(size, copy_rate, seed * 1000 + k) for k, size in enumerate(sizes)]
    with ProcessPoolExecutor(2) as pool, path.open("wb") as handle:
        for k, lines in enumerate(pool.map(_chunk, jobs)):
            for line in lines:
                text, fam, key = json.loads(line)
                if fam >= 0:
                    line = json.dumps([text, fam + k * CHUNK, key],
                                      ensure_ascii=False).encode() + b"\n"
                handle.write(line)


# --- measuring --------------------------------------------------------------------------
def _peak_kb() -> int:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across fork + exec)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _texts(path: Path, count: int, batch: int):
    with path.open("rb") as handle:
        texts: list[str] = []
        for _, line in zip(range(count), handle, strict=False):
            texts.append(orjson.loads(line)[0])
            if len(texts) == batch:
                yield texts
                texts = []
        if texts:
            yield texts


def worker(args) -> None:
    """One method on the first ``--count`` comments, in a fresh process: prints JSON."""
    give_back_freed_memory()  # as the `corpus` process sets itself up (toolkit.runtime)
    path = Path(args.worker_input)
    wall, cpu = time.perf_counter(), time.process_time()
    disk = 0
    if args.worker == "toolkit":
        index = NearDuplicateIndex(args.threshold, loose=args.loose or None,
                                   workdir=args.workdir)
        for texts in _texts(path, args.count, BATCH):
            index.add(texts)
        adding = time.perf_counter() - wall
        found = index.resolve()
        steps = {"reading + sketching": adding, **found.seconds}
        candidates = found.candidate_pairs
        disk = sum(f.stat().st_size for f in Path(index._tmp.name).iterdir())
        index.close()
        first, group = found.first, found.group
    else:
        old = RensaIndex(args.threshold)
        for texts in _texts(path, args.count, 1024):
            old.add(texts)
        first, group, candidates = numpy.array(old.first), None, 0
        steps = {}
    wall = time.perf_counter() - wall
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu + children.ru_utime + children.ru_stime
    peak_main, peak_worker = _peak_kb() / 1024, children.ru_maxrss / 1024
    truth = truth_labels(path, args.count)
    precision, recall = pair_scores(first, truth)
    result = {"wall": wall, "cpu": cpu, "candidates": candidates, "steps": steps,
              "peak_main": peak_main,
              "peak_worker": peak_worker, "disk": disk / 2**20, "precision": precision,
              "recall": recall,
              "clusters": int((numpy.bincount(first) > 1).sum())}
    if group is not None:
        result["loose_precision"], result["loose_recall"] = pair_scores(group, truth)
        result["largest_group"] = int(numpy.bincount(group).max())
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=300_000,
                        help="the largest corpus (smaller sizes of 300k and 1M run first)")
    parser.add_argument("--compare", type=int, default=300_000,
                        help="comments given to the baseline (rensa in memory; 0: skip it)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--loose", type=float, default=DEFAULT_SPLIT_THRESHOLD,
                        help="the split-grouping threshold (0: none, as `corpus ingest`)")
    parser.add_argument("--sizes", default="",
                        help="comma-separated corpus sizes to run (default 300k, 1M, --comments)")
    parser.add_argument("--copy-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--corpus", type=Path,
                        help="the generated corpus file, kept and reused (made if missing)")
    parser.add_argument("--worker", choices=["toolkit", "rensa"], help=argparse.SUPPRESS)
    parser.add_argument("--worker-input", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    with tempfile.TemporaryDirectory(prefix="bench-dedupe-", dir=ROOT) as tmp:
        corpus = args.corpus or Path(tmp) / "comments.jsonl"
        if not corpus.exists():
            started = time.perf_counter()
            generate(corpus, args.comments, args.copy_rate, args.seed)
            print(f"generated {args.comments:,} comments in "
                  f"{time.perf_counter() - started:.0f} s: {corpus}", flush=True)
        with corpus.open("rb") as handle:
            available = sum(1 for _ in handle)
        wanted = ([int(n) for n in args.sizes.split(",")] if args.sizes
                  else [300_000, 1_000_000, args.comments])
        sizes = sorted({min(n, available) for n in wanted})
        runs = [("rensa", min(args.compare, available))] if args.compare else []
        runs += [("toolkit", n) for n in sizes]
        loose = f"loose {args.loose} (32 bands of 4 rows)" if args.loose else "no loose pass"
        print(f"thresholds: strict {args.threshold} (16 bands of 8 rows), {loose}; 128 rows; "
              f"exact only under {SHORT} characters")
        print(f"{'method':<8}{'comments':>11}{'wall s':>8}{'CPU s':>8}{'/s wall':>9}"
              f"{'peak MB':>9}{'+worker':>8}{'disk MB':>8}{'precision':>10}{'recall':>7}"
              f"{'loose rec':>10}{'l. prec':>8}{'largest':>8}", flush=True)
        for name, count in runs:
            answer = subprocess.run(
                [sys.executable, __file__, "--worker", name, "--worker-input", str(corpus),
                 "--count", str(count), "--threshold", str(args.threshold),
                 "--loose", str(args.loose), "--workdir", tmp],
                check=True, capture_output=True, text=True,
                env={**os.environ, "RAYON_NUM_THREADS": "1"}).stdout
            r = json.loads(answer)
            loose = (f"{r['loose_recall']:>10.4f}{r['loose_precision']:>8.3f}"
                     f"{r['largest_group']:>8}" if "loose_recall" in r
                     else f"{'-':>10}{'-':>8}{'-':>8}")
            print(f"{name:<8}{count:>11,}{r['wall']:>8.1f}{r['cpu']:>8.1f}"
                  f"{count / r['wall']:>9,.0f}{r['peak_main']:>9,.0f}{r['peak_worker']:>8,.0f}"
                  f"{r['disk']:>8,.0f}{r['precision']:>10.4f}{r['recall']:>7.3f}{loose}",
                  flush=True)
            if r["steps"]:
                print("          wall s: " + ", ".join(f"{step} {seconds:.1f}" for step, seconds
                                                    in r["steps"].items())
                      + f"; {r['candidates']:,} candidate pairs", flush=True)


if __name__ == "__main__":
    main()
