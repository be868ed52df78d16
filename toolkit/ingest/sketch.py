"""Matching forms of comments and their MinHash sketches, in numpy, a batch at a time.

    keys, digests, sizes = sketch_batch(forms)

A comment's matching form (:func:`toolkit.ingest.near_duplicates.match_form`) is cut
into character 5-grams ("shingles"); each 5-gram is hashed to 64 bits, and the form's
sketch is, for each of :data:`NUM_PERM` hash functions ``(a * h + b) >> 32``, the
smallest value over its 5-grams (MinHash: the share of equal rows of two sketches
estimates the Jaccard similarity of the two 5-gram sets).

Why numpy and not rensa (which the toolkit used before): rensa computes a sketch in
Rust, but each sketch then leaves it as 128 Python ints (11 microseconds a comment,
as long as the hashing itself), and the 5-grams go in as Python bytes objects (another
11). Here the whole batch is one array of code points: the 5-grams of every form are
hashed at once, the 128 rows are computed for all of them at once, and nothing per
5-gram or per row is a Python object. Measured in bench/bench_dedupe.py.

Every 5-gram counts. The toolkit used to keep only a content-defined third of the
5-grams of forms of 150 characters or more, to save time; but a copy whose added
sentence carried it over 150 characters was then compared as a third against a whole
and looked like another comment (Jaccard 0.27 for a true copy at 0.8): 42 of the 168
families split at the looser threshold on the bench were such pairs. Sampling every
form alike instead cost precision (0.994 against 1.000 at the strict threshold, at one
in three).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy

from .arabic import normalize

__all__ = [
    "NUM_PERM", "SEED", "SHINGLE", "band_keys", "match_form", "minhash", "shingle_hashes",
]

NUM_PERM = 128
SHINGLE = 5
SEED = 1103
_CHUNK = 8_192  # 5-grams per numpy pass (a 128 x CHUNK uint32 matrix: 4 MB)

_U64 = numpy.uint64
_rng = numpy.random.default_rng(SEED)
# Row i of a sketch: the smallest ((h ^ b_i) * a_i) mod 2**32 over the form's 5-gram
# hashes h (32 bits), a_i odd: a bijection of the 32-bit values per row. Tested against
# the exact Jaccard of random sets: bias under 0.002 and the binomial spread
# sqrt(J (1 - J) / 128), as a 64-bit multiply-shift family gives, at twice its speed.
_A = _rng.integers(0, 2**32, NUM_PERM, dtype=numpy.uint64).astype(numpy.uint32) | numpy.uint32(1)
_B = _rng.integers(0, 2**32, NUM_PERM, dtype=numpy.uint64).astype(numpy.uint32)
# Weights of a 5-gram's code points (odd, 32 bits).
_W = _rng.integers(0, 2**32, SHINGLE, dtype=numpy.uint64).astype(numpy.uint32) | numpy.uint32(1)


# Anything that is not a letter or a digit (spaces, punctuation, emoji, symbols, "_").
_NOT_WORD = re.compile(r"[\W_]+")
# A letter written several times in a row (جداااا, ههههههه) -> once. Runs of two fold
# too: a stretched alef after an alef (آاااا -> اااا) must meet its original (آا ->
# اا), and since both sides of every comparison fold alike, genuine double letters
# (الله) cost nothing.
_STRETCHED = re.compile(r"(\w)(?=\1)")  # each letter the same letter follows


def match_form(text: str) -> str:
    """The matching form of a comment: Arabic-normalized, letters and digits only (no
    spaces, punctuation or emoji), stretched letters written once.

    Used for comparing only; never stored in place of the text.
    """
    form = normalize(text).replace(" ", "")
    if not form.isalnum():
        form = _NOT_WORD.sub("", form)
    if _STRETCHED.search(form):
        form = _STRETCHED.sub("", form)
    return form


# xorshift-multiply finalizers: (type, shift, multiplier, shift, multiplier, shift)
_FMIX32 = (numpy.uint32, 16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)  # murmur3, 5-gram hashes
_SPLITMIX64 = (numpy.uint64, 30, 0xBF58476D1CE4E5B9, 27, 0x94D049BB133111EB, 31)  # band keys


def _finalize(h: numpy.ndarray, constants: tuple) -> numpy.ndarray:
    """Mix the bits of ``h`` in place with a finalizer (:data:`_FMIX32`, :data:`_SPLITMIX64`)."""
    kind, first, multiply, second, again, third = constants
    h ^= h >> kind(first)
    h *= kind(multiply)
    h ^= h >> kind(second)
    h *= kind(again)
    h ^= h >> kind(third)
    return h


def shingle_hashes(forms: Sequence[str]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(hashes, counts): the 32-bit hashes of the 5-grams of every form, form after form,
    and how many each form has. Every form must have at least :data:`SHINGLE` characters
    and no NUL (matching forms hold letters and digits only).
    """
    count = len(forms)
    lengths = numpy.fromiter(map(len, forms), dtype=numpy.int64, count=count)
    # the forms joined by NUL: a 5-gram holding a NUL crosses two forms
    codes = numpy.frombuffer("\0".join(forms).encode("utf-32-le"), dtype=numpy.uint32)
    windows = len(codes) - SHINGLE + 1
    # a 5-gram's hash: its code points weighted (mod 2**32), then murmur3's finalizer;
    # 32-bit arithmetic: half the memory traffic of 64 (measured 1.1 against 3.0 us a form)
    h = codes[:windows] * _W[0]
    for k in range(1, SHINGLE):
        h += codes[k : k + windows] * _W[k]
    keep = numpy.ones(windows, dtype=bool)
    separators = numpy.cumsum(lengths[:-1] + 1) - 1
    for k in range(SHINGLE):
        keep[separators - k] = False
    return _finalize(h[keep], _FMIX32), lengths - (SHINGLE - 1)


def minhash(hashes: numpy.ndarray, counts: numpy.ndarray) -> numpy.ndarray:
    """The (forms, NUM_PERM) uint32 sketches of forms whose 5-gram hashes are ``hashes``,
    ``counts[i]`` of them for form ``i`` (each at least 1)."""
    total = len(counts)
    out = numpy.empty((total, NUM_PERM), dtype=numpy.uint32)
    ends = numpy.cumsum(counts)
    first = 0
    while first < total:
        start = int(ends[first - 1]) if first else 0
        # as many forms as fit in one chunk of 5-grams (at least one)
        last = max(first + 1, int(numpy.searchsorted(ends, start + _CHUNK, side="right")))
        stop = int(ends[last - 1])
        values = hashes[None, start:stop] ^ _B[:, None]
        values *= _A[:, None]
        offsets = (ends[first:last] - counts[first:last]) - start
        out[first:last] = numpy.minimum.reduceat(values, offsets, axis=1).T
        first = last
    return out


def band_keys(digests: numpy.ndarray, rows: int) -> numpy.ndarray:
    """(forms, NUM_PERM // rows) uint64: one key per band of ``rows`` consecutive rows of
    each sketch; two sketches share a key where the band's rows are all equal (up to a
    64-bit hash collision)."""
    bands = NUM_PERM // rows
    shaped = digests[:, : bands * rows].reshape(len(digests), bands, rows).astype(numpy.uint64)
    keys = numpy.zeros((len(digests), bands), dtype=numpy.uint64)
    for r in range(rows):
        keys *= _U64(0x9E3779B97F4A7C15)
        keys += shaped[:, :, r]
        keys = _finalize(keys, _SPLITMIX64)
    return keys
