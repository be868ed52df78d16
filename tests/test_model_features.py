"""The model's own TF-IDF equals scikit-learn's TfidfVectorizer (char_wb, 2-5, min_df 2,
sublinear tf), and its uncertainty score is margin sampling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.model.features import TfidfFeatures, char_wb_ngrams, prepare
from toolkit.model.priority import most_uncertain_first, uncertainty

TEXTS = ["أوافق على هذا الخبر", "كذب  كذب\nفي الشارع", "", "   ", "ا", "ab", "AB ab",
         "إِنَّ الحكومةَ ٣ قالت", "🙂🙂 نص 🙂", "كلمةطويلةجدابدونفراغات", "a b c d e",
         "الخبر اليوم", "اليوم الخبر في", "x\ty\u200bz"]


def _sklearn(texts):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                 sublinear_tf=True, lowercase=False)
    return vectorizer, vectorizer.fit_transform(texts)


def _same(texts):
    vectorizer, expected = _sklearn(texts)
    features = TfidfFeatures.fit(texts)
    assert features.terms == vectorizer.get_feature_names_out().tolist()
    assert np.allclose(features.idf, vectorizer.idf_, rtol=1e-12)
    got = features.transform(texts).to_scipy()
    assert abs(got - expected).max() < 1e-12 if got.nnz or expected.nnz else True


def test_features_equal_scikit_learns_on_odd_texts():
    _same([prepare(t) for t in TEXTS])


def test_ngrams_are_scikit_learns():
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyze = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                              lowercase=False).build_analyzer()
    for text in TEXTS:
        assert [g for w in text.split() for g in char_wb_ngrams(w)] == analyze(text)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="ابت ثج\nx🙂", max_size=30), min_size=2, max_size=12))
def test_features_equal_scikit_learns_on_any_texts(texts):
    if sum(1 for t in texts if len(t.split())) < 2:
        return  # scikit-learn refuses an empty vocabulary; so does nobody here
    try:
        _sklearn(texts)
    except ValueError:  # "empty vocabulary" after min_df: nothing to compare
        return
    _same(texts)


def test_uncertainty_is_one_minus_the_margin_of_the_top_two():
    p = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.6, 0.1, 0.3], [0.25, 0.25, 0.5]])
    assert np.allclose(uncertainty(p), [1.0, 0.0, 0.7, 0.75])
    assert most_uncertain_first(uncertainty(p)).tolist() == [0, 3, 2, 1]
    labels = np.array([[0.5, 0.9], [0.95, 0.02], [0.7, 0.8]])  # per label: chosen or not
    assert np.allclose(uncertainty(labels, multi_label=True), [1.0, 0.1, 0.6])
    assert uncertainty(np.zeros((0, 3))).shape == (0,)
    with pytest.raises(ValueError, match="at least two classes"):
        uncertainty(np.array([[1.0]]))


def test_equal_scores_keep_their_order():
    assert most_uncertain_first(np.array([0.2, 0.5, 0.5, 0.2])).tolist() == [1, 2, 0, 3]
