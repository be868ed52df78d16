"""The numpy label models against crowd-kit's (the reference) on random data, and their
own contract: determinism, tie-break by label order, multi-choice, spammer scores."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.rules import dawid_skene as maths
from toolkit.rules.dawid_skene import (
    binary_relevance,
    dawid_skene,
    encode,
    one_coin_dawid_skene,
    soft_majority,
    spammer_scores,
)

# crowd-kit 1.4.2 under pandas 3 warns about its own use of inplace=/copy=
pytestmark = pytest.mark.filterwarnings("ignore::Warning:crowdkit.*")


def _simulate(seed: int, n_items: int, n_annotators: int, labels: list, per_item: int = 3):
    """Random answers: annotators of random accuracy (some near chance), a skewed prior."""
    rng = np.random.default_rng(seed)
    k = len(labels)
    prior = rng.dirichlet(np.ones(k) * 2)
    truth = rng.choice(k, size=n_items, p=prior)
    accuracy = rng.uniform(1 / k, 0.95, n_annotators)
    rows = []
    for i in range(n_items):
        for w in rng.choice(n_annotators, per_item, replace=False):
            y = truth[i] if rng.random() < accuracy[w] else rng.integers(0, k)
            rows.append((f"item{i}", f"ann{w}", labels[y]))
    return rows, {f"item{i}": labels[t] for i, t in enumerate(truth)}


def _frame(rows):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(rows, columns=["task", "worker", "label"])


CASES = [(1, 300, 8, [0, 1]), (2, 500, 10, ["a", "b", "c"]), (3, 400, 15, [0, 1, 2, 3]),
         (4, 150, 5, ["neg", "neu", "pos", "x", "y"])]


@pytest.mark.parametrize(("seed", "n_items", "n_annotators", "labels"), CASES)
def test_dawid_skene_matches_crowdkit(seed, n_items, n_annotators, labels):
    aggregation = pytest.importorskip("crowdkit.aggregation")
    rows, _ = _simulate(seed, n_items, n_annotators, labels)
    ours = dawid_skene(rows)
    theirs = aggregation.DawidSkene(n_iter=100, tol=1e-5).fit(_frame(rows))
    items, values = ours.answers.items, ours.answers.labels
    assert values == sorted(labels)
    assert ours.iterations == len(theirs.loss_history_)
    expected = theirs.probas_.reindex(index=items, columns=values).to_numpy()
    np.testing.assert_allclose(ours.posteriors, expected, atol=1e-9)
    assert [ours.label(i) for i in range(len(items))] == theirs.labels_.reindex(items).tolist()
    np.testing.assert_allclose(ours.priors, theirs.priors_.reindex(values).to_numpy(), atol=1e-9)
    # crowd-kit's errors_: rows (worker, observed), columns true; ours [w, true, observed]
    for w, annotator in enumerate(ours.answers.annotators):
        table = theirs.errors_.loc[annotator].reindex(index=values, columns=values)
        seen = ~table.isna().all(axis=1).to_numpy()  # crowd-kit keeps observed answers only
        np.testing.assert_allclose(ours.confusion[w].T[seen], table.to_numpy()[seen], atol=1e-8)


@pytest.mark.parametrize(("seed", "n_items", "n_annotators", "labels"), CASES)
def test_one_coin_matches_crowdkit(seed, n_items, n_annotators, labels):
    aggregation = pytest.importorskip("crowdkit.aggregation")
    rows, _ = _simulate(seed, n_items, n_annotators, labels)
    ours = one_coin_dawid_skene(rows)
    theirs = aggregation.OneCoinDawidSkene(n_iter=100, tol=1e-5).fit(_frame(rows))
    items, values = ours.answers.items, ours.answers.labels
    assert ours.iterations == len(theirs.loss_history_)
    expected = theirs.probas_.reindex(index=items, columns=values).to_numpy()
    np.testing.assert_allclose(ours.posteriors, expected, atol=1e-9)
    skills = theirs.skills_.reindex(ours.answers.annotators).to_numpy()
    k = len(values)
    np.testing.assert_allclose(np.diagonal(ours.confusion, axis1=1, axis2=2),
                               np.repeat(skills[:, None], k, axis=1), atol=1e-9)


def test_binary_relevance_matches_crowdkit():
    aggregation = pytest.importorskip("crowdkit.aggregation")
    rng = np.random.default_rng(7)
    labels = ["politics", "sport", "economy", "religion"]
    truth = [frozenset(v for v in labels if rng.random() < 0.3) for _ in range(300)]
    accuracy = rng.uniform(0.55, 0.95, 9)
    rows = []
    for i, true in enumerate(truth):
        for w in rng.choice(9, 3, replace=False):
            chosen = {v for v in labels if (v in true) == (rng.random() < accuracy[w])}
            rows.append((i, int(w), chosen))
    ours = binary_relevance(rows, labels)
    frame = _frame([(i, w, sorted(c)) for i, w, c in rows])
    theirs = aggregation.BinaryRelevance(aggregation.DawidSkene(n_iter=100)).fit(frame)
    expected = theirs.labels_.reindex(ours.items)
    for index, item in enumerate(ours.items):
        assert sorted(ours.label(index)) == sorted(expected[item]), item
    # every label decided, in schema order, with a confidence in [0.5, 1]
    assert ours.labels == labels
    assert ((ours.confidence >= 0.5) & (ours.confidence <= 1)).all()
    assert ours.label(0) == tuple(v for v in labels if v in ours.label(0))


def test_beats_majority_with_spammers():
    rng = np.random.default_rng(11)
    k, n = 3, 3000
    truth = rng.integers(0, k, n)
    accuracy = [0.85] * 6 + [0.6] * 3 + [None] * 4  # None: answers at random
    rows = []
    for i in range(n):
        for w in rng.choice(len(accuracy), 3, replace=False):
            a = accuracy[w]
            y = rng.integers(0, k) if a is None or rng.random() >= a else truth[i]
            rows.append((i, int(w), int(y)))
    model = dawid_skene(rows)
    got = model.chosen == truth[np.asarray(model.answers.items)]
    # the soft majority's argmax is plain majority voting (a tie goes to the lowest label)
    plain = np.argmax(soft_majority(encode(rows, [0, 1, 2])), axis=1) == truth
    assert got.mean() > plain.mean() + 0.03
    # the spammers are the four with the lowest spammer score, all near 0
    score = dict(zip(model.answers.annotators, model.spammer_score, strict=True))
    lowest = sorted(score, key=score.get)[:4]
    assert sorted(lowest) == [9, 10, 11, 12]
    assert max(score[w] for w in lowest) < 0.02 < min(score[w] for w in range(6)) - 0.3


def test_deterministic_and_ties_follow_label_order():
    rows, _ = _simulate(5, 200, 6, ["x", "y", "z"])
    first, second = dawid_skene(rows), dawid_skene(list(rows))
    assert first.posteriors.tobytes() == second.posteriors.tobytes()
    assert first.confusion.tobytes() == second.confusion.tobytes()
    # a perfectly symmetric disagreement: the label listed first wins
    tie = [(1, "a", "x"), (1, "b", "y"), (2, "a", "y"), (2, "b", "x")]
    assert dawid_skene(tie, ["x", "y"]).results() == {1: ("x", 0.5), 2: ("x", 0.5)}
    assert dawid_skene(tie, ["y", "x"]).results() == {1: ("y", 0.5), 2: ("y", 0.5)}
    # labels not listed come after the listed ones; None is a label like any other
    coded = encode([(1, "a", None), (1, "b", "q"), (2, "a", "x")], ["x", "y"])
    assert coded.labels == ["x", "y", None, "q"]
    assert coded.label.tolist() == [2, 3, 0]


def test_unanimous_items_are_certain_and_empty_input():
    model = dawid_skene([(1, "a", "yes"), (1, "b", "yes"), (2, "a", "no"), (2, "b", "no")])
    assert model.results() == {1: ("yes", pytest.approx(1.0)), 2: ("no", pytest.approx(1.0))}
    empty = dawid_skene([], ["yes", "no"])
    assert empty.posteriors.shape == (0, 2) and empty.results() == {}
    assert one_coin_dawid_skene([(1, "a", "only")]).results() == {1: ("only", 1.0)}
    assert binary_relevance([], ["a"]).results() == {}


def test_spammer_scores():
    perfect = np.eye(3)[None]
    constant = np.tile([1.0, 0.0, 0.0], (3, 1))[None]
    uniform = np.full((1, 3, 3), 1 / 3)
    binary = np.array([[[0.8, 0.2], [0.3, 0.7]]])  # sensitivity .8, specificity .7
    scores = spammer_scores(np.concatenate([perfect, constant, uniform]))
    np.testing.assert_allclose(scores, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(spammer_scores(binary), [(0.8 + 0.7 - 1) ** 2])


@pytest.mark.parametrize("fit", [dawid_skene, one_coin_dawid_skene])
def test_fits_do_not_depend_on_steps_or_int_widths(monkeypatch, fit):
    """The fit gathers a step of items at a time and takes answers in the narrow ints a
    collector keeps them in: bit-identical to whole arrays of int64, and to the items given
    in another order (sorted first, stably)."""
    rows, _ = _simulate(9, 120, 7, ["a", "b", "c"])
    coded = encode(rows, ["a", "b", "c"])
    reference = fit(coded)
    narrow = maths.Answers(range(coded.n_items), coded.annotators, coded.labels,
                           coded.item.astype(np.int32), coded.annotator.astype(np.int8),
                           coded.label.astype(np.int8))
    # items in another order, each item's answers in theirs (the order its sums add in)
    order = np.argsort(np.random.default_rng(0).permutation(coded.n_items)[coded.item],
                       kind="stable")
    assert (np.diff(coded.item[order]) < 0).any()
    shuffled = maths.Answers(coded.items, coded.annotators, coded.labels, coded.item[order],
                             coded.annotator[order], coded.label[order])
    monkeypatch.setattr(maths, "_CHUNK_ITEMS", 7)  # 18 steps, the last one short
    for other in (fit(coded), fit(narrow), fit(shuffled)):
        assert other.posteriors.tobytes() == reference.posteriors.tobytes()
        assert other.confusion.tobytes() == reference.confusion.tobytes()
        assert other.iterations == reference.iterations


def test_m_step_adds_in_answer_order_as_bincount(monkeypatch):
    """The per-cell sums made a step at a time (np.add.at into one table) are the bits of
    one np.bincount over every answer, which adds in answer order too."""
    rows, _ = _simulate(11, 90, 6, [0, 1, 2, 3])
    coded = encode(rows, [0, 1, 2, 3])
    monkeypatch.setattr(maths, "_CHUNK_ITEMS", 4)
    layout = maths._Layout(coded)
    posteriors = np.random.default_rng(1).dirichlet(np.ones(4), size=coded.n_items).T.copy()
    m_step = maths._FullMStep(layout)
    for lo, hi, first, end in layout.steps:
        m_step.add(posteriors[:, lo:hi], lo, hi, first, end, layout.cells(first, end))
    confusion, _ = m_step.finish()
    w, k = layout.w, layout.k
    cell = coded.annotator * k + coded.label
    whole = np.stack([np.bincount(cell, weights=row[coded.item], minlength=w * k)
                      for row in posteriors]).reshape(k, w, k).transpose(1, 0, 2)
    whole = np.maximum(whole, maths.EPS)
    whole /= whole.sum(axis=2, keepdims=True)
    assert confusion.tobytes() == np.ascontiguousarray(whole).tobytes()


@pytest.mark.parametrize("fit", [dawid_skene, one_coin_dawid_skene])
def test_fit_holds_one_block_of_posteriors_and_gives_the_whole_arrays_figures(fit):
    """The fit keeps one block of posteriors at a time (20,000 items: three of numpy's
    8,192-float blocks) and adds the priors' sums block by block as numpy sums a long row:
    the bits of the mean of the posteriors computed again for every item. The chosen labels
    and the evidence are those of the same posteriors."""
    assert maths._BLOCK == 8192 and maths._BLOCK == np.getbufsize()
    rows, _ = _simulate(5, 20_000, 12, ["a", "b", "c"])
    model = fit(encode(rows, ["a", "b", "c"]))
    posteriors = model.posteriors
    assert posteriors.shape == (20_000, 3)
    label_major = np.ascontiguousarray(posteriors.T)  # as the fit keeps them: label-major
    assert model.priors.tobytes() == label_major.mean(axis=1).tobytes()
    assert (model.chosen == np.argmax(posteriors, axis=1)).all()
    answers = model.answers
    evidence = np.stack([np.bincount(answers.annotator, weights=posteriors[answers.item, t],
                                     minlength=answers.n_annotators) for t in range(3)], axis=1)
    assert model.evidence.tobytes() == evidence.tobytes()
    assert model.posteriors.tobytes() == posteriors.tobytes()  # computed again: the same


def test_no_iteration_gives_the_soft_majority_vote():
    rows, _ = _simulate(3, 300, 8, [0, 1, 2])
    model = dawid_skene(rows, [0, 1, 2], max_iter=0)
    shares = soft_majority(encode(rows, [0, 1, 2]))
    assert model.iterations == 0 and model.last_step is None
    assert model.posteriors.tobytes() == shares.tobytes()
    assert (model.chosen == np.argmax(shares, axis=1)).all()
