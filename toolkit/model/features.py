"""Character n-gram TF-IDF features, in numpy: fitted and applied without scikit-learn.

What it computes is exactly scikit-learn's
``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
lowercase=False)`` on the Arabic matching normalization of each text
(:func:`toolkit.ingest.arabic.normalize`): the same vocabulary (sorted terms, document
frequency at least ``min_df``), the same smoothed idf, ``1 + log(count)`` term
frequencies and L2-normalized rows (tests/test_model_features.py checks it against
scikit-learn). It is its own code for two reasons: a saved model is applied with numpy
alone (no pickled scikit-learn object is ever loaded), and it is several times faster.
``char_wb`` n-grams never cross a word boundary, so a text's counts are the sum of its
words' counts: each distinct word is cut into n-grams once, and the texts' counts are
gathered from the words with array operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..ingest.arabic import normalize

__all__ = ["CHUNK", "Rows", "TfidfFeatures", "char_wb_ngrams", "prepare"]

#: texts transformed per array pass (bounds the memory of a pass to a few hundred MB)
CHUNK = 20_000


def prepare(text: object) -> str:
    """The text the features are computed on: the matching normalization (alef and
    hamza forms, ta marbuta, diacritics, digits, case, whitespace folded)."""
    return normalize(text) if isinstance(text, str) else ""


def char_wb_ngrams(word: str, low: int = 2, high: int = 5) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of one word: the word padded with a space on
    each side, cut into every n-gram of length ``low`` to ``high``; a padded word no
    longer than n is one n-gram (itself), counted once."""
    word = f" {word} "
    size = len(word)
    out: list[str] = []
    for n in range(low, min(high, size) + 1):
        out.extend([word[i:i + n] for i in range(size - n + 1)])
    return out


@dataclass
class Rows:
    """A sparse matrix in CSR form (row pointers, column indices, values), numpy only."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_columns: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def row_of_entries(self) -> np.ndarray:
        """The row of every stored entry."""
        return np.repeat(np.arange(self.n_rows), np.diff(self.indptr))

    def to_scipy(self):  # -> scipy.sparse.csr_matrix, for scikit-learn (training only)
        from scipy.sparse import csr_matrix

        return csr_matrix((self.data, self.indices, self.indptr),
                          shape=(self.n_rows, self.n_columns))


def _counts(texts: Sequence[str], term_ids: Callable[[str], np.ndarray],
            n_terms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row of each entry, column, count) of the n-gram counts of ``texts`` (prepared),
    sorted by row then column; ``term_ids(word)`` gives a word's n-gram columns."""
    word_index: dict[str, int] = {}
    words: list[np.ndarray] = []
    pairs: list[int] = []  # the word of each (text, word) occurrence
    lengths = np.zeros(len(texts), dtype=np.int64)
    for row, text in enumerate(texts):
        split = text.split()
        lengths[row] = len(split)
        for word in split:
            index = word_index.get(word)
            if index is None:
                index = word_index[word] = len(words)
                words.append(term_ids(word))
            pairs.append(index)
    empty = np.zeros(0, dtype=np.int64)
    if not pairs:
        return empty, empty, empty
    per_word = np.array([len(w) for w in words], dtype=np.int64)
    starts = np.zeros(len(words), dtype=np.int64)
    np.cumsum(per_word[:-1], out=starts[1:])
    flat = np.concatenate(words).astype(np.int64) if words else empty
    occurrence = np.asarray(pairs, dtype=np.int64)
    size = per_word[occurrence]
    total = int(size.sum())
    if total == 0:
        return empty, empty, empty
    # every n-gram of every word occurrence: its word's slice of ``flat``
    first = np.repeat(starts[occurrence] - (np.cumsum(size) - size), size)
    columns = flat[first + np.arange(total)]
    rows = np.repeat(np.repeat(np.arange(len(texts)), lengths), size)
    keys: np.ndarray = rows * n_terms + columns
    # a stable sort (timsort): the keys come in runs, text after text, so it does little
    # more than sort each text's few hundred keys (np.unique's sort is 4x slower here)
    keys.sort(kind="stable")
    runs = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(runs, len(keys)))
    keys = keys[runs]
    return keys // n_terms, keys % n_terms, counts


class TfidfFeatures:
    """A fitted vocabulary (terms in column order) and its idf; :meth:`fit` makes one,
    :meth:`transform` applies it (see the module docstring)."""

    def __init__(self, terms: list[str], idf: np.ndarray, *, ngram_range: tuple[int, int]
                 = (2, 5)) -> None:
        self.terms = terms
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_range = ngram_range
        self.vocabulary = {term: i for i, term in enumerate(terms)}

    @classmethod
    def fit(cls, texts: Sequence[str], *, min_df: int = 2,
            ngram_range: tuple[int, int] = (2, 5)) -> TfidfFeatures:
        """The vocabulary of ``texts`` (prepared): every n-gram in at least ``min_df``
        texts, sorted; idf = ln((1 + n) / (1 + df)) + 1 (scikit-learn's smooth idf)."""
        low, high = ngram_range
        provisional: dict[str, int] = {}

        def ids(word: str) -> np.ndarray:
            return np.fromiter((provisional.setdefault(g, len(provisional))
                                for g in char_wb_ngrams(word, low, high)), dtype=np.int64)

        frequency: np.ndarray = np.zeros(0, dtype=np.int64)
        for start in range(0, len(texts), CHUNK):
            # the provisional ids grow with each chunk: ``n_terms`` bounds them from above
            _, columns, _ = _counts(texts[start:start + CHUNK], ids, 1 << 31)
            found = np.bincount(columns, minlength=len(provisional))
            found[:len(frequency)] += frequency
            frequency = found
        names = np.array(list(provisional), dtype=object)
        keep = np.flatnonzero(frequency >= min_df)
        order = keep[np.argsort(names[keep], kind="stable")]
        idf = np.log((1 + len(texts)) / (1 + frequency[order])) + 1.0
        return cls([str(t) for t in names[order]], idf, ngram_range=ngram_range)

    def term_ids(self, word: str) -> np.ndarray:
        """The columns of a word's n-grams that are in the vocabulary (others dropped)."""
        get = self.vocabulary.get
        low, high = self.ngram_range
        found = [i for i in map(get, char_wb_ngrams(word, low, high)) if i is not None]
        return np.asarray(found, dtype=np.int64)

    def chunks(self, texts: Sequence[str]) -> Iterator[Rows]:
        """:meth:`transform` in pieces of :data:`CHUNK` texts (for progress and memory)."""
        for start in range(0, len(texts), CHUNK):
            yield self._transform(texts[start:start + CHUNK])

    def transform(self, texts: Sequence[str]) -> Rows:
        """The TF-IDF rows of ``texts`` (prepared): sublinear tf x idf, L2-normalized."""
        return stack(list(self.chunks(texts)), len(self.terms))

    def _transform(self, texts: Sequence[str]) -> Rows:
        rows, columns, counts = _counts(texts, self.term_ids, max(len(self.terms), 1))
        values = (1.0 + np.log(counts)) * self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(texts)))
        norms[norms == 0] = 1.0
        values = values / norms[rows]
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
        return Rows(indptr, columns, values, len(self.terms))


def stack(parts: list[Rows], n_columns: int) -> Rows:
    """Rows one after the other."""
    if not parts:
        return Rows(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64),
                    np.zeros(0), n_columns)
    offsets = np.cumsum([0] + [p.indptr[-1] for p in parts[:-1]])
    indptr = np.concatenate([parts[0].indptr[:1]] + [p.indptr[1:] + off
                                                     for p, off in zip(parts, offsets,
                                                                       strict=True)])
    return Rows(indptr, np.concatenate([p.indices for p in parts]),
                np.concatenate([p.data for p in parts]), n_columns)
