"""Annotator competence from the label models: figures, flags A050-A052, gold accuracy."""

from __future__ import annotations

import numpy as np

import toolkit.review.competence as competence_module
from toolkit.review.competence import (
    CONSTANT,
    SPAMMER,
    TOO_FEW_ITEMS,
    competence,
    competence_multi,
    findings,
)
from toolkit.rules.dawid_skene import binary_relevance, dawid_skene

LABELS = ["agree", "disagree", "neutral"]


def _pool(seed: int = 3, n_items: int = 1500):
    """6 careful (90%), 2 random spammers, 1 always 'agree', 1 with only 10 answers."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n_items)
    rows = []
    for i in range(n_items):
        for w in rng.choice(9, 3, replace=False):
            if w < 6:
                y = truth[i] if rng.random() < 0.9 else (truth[i] + rng.integers(1, 3)) % 3
            elif w < 8:
                y = rng.integers(0, 3)
            else:
                y = 0
            rows.append((i, f"w{w}", LABELS[y]))
    for i in range(10):
        rows.append((i, "newcomer", LABELS[truth[i]]))
    return rows, truth


def test_flags_spammers_constant_and_too_few():
    rows, truth = _pool()
    model = dawid_skene(rows, LABELS)
    table = {c.annotator: c for c in competence(model, question="stance")}
    assert sorted(table) == ["newcomer"] + [f"w{i}" for i in range(9)]
    for w in range(6):
        careful = table[f"w{w}"]
        assert careful.flags == []
        assert careful.accuracy > 0.85 and careful.agreement > 0.85
        assert careful.spammer_score > 0.6
        assert careful.items == sum(1 for _, who, _ in rows if who == f"w{w}")
    assert table["w6"].flags == [SPAMMER] and table["w7"].flags == [SPAMMER]
    assert table["w6"].spammer_score < 0.02
    assert table["w8"].flags == [CONSTANT]
    assert table["newcomer"].flags == [TOO_FEW_ITEMS] and table["newcomer"].items == 10
    lines = [f.line() for f in findings(list(table.values()))]
    assert sum("warning[A050 spammer]" in line for line in lines) == 2
    assert any(line.startswith("annotator w8, question stance: warning[A051 constant-answer]: "
                               "gave the same answer on all") for line in lines)
    assert "annotator newcomer: info[A052 too-few-items]: only 10 items on stance (fewer than " \
        "50); too few to judge their competence; not flagged as spammer or constant" in lines
    assert table["newcomer"].spammer_score is None


def test_gold_accuracy_skips_the_gold_annotator():
    rows = [(1, "lead", "agree"), (1, "a", "agree"), (1, "b", "neutral"),
            (2, "lead", "disagree"), (2, "a", "neutral"), (2, "b", "disagree"),
            (3, "a", "agree"), (3, "b", "agree")]
    model = dawid_skene(rows, LABELS)
    gold = {1: "agree", 2: "disagree"}
    table = {c.annotator: c for c in competence(model, gold=gold,
                                                gold_by={1: "lead", 2: "lead"})}
    assert (table["a"].gold_items, table["a"].gold_accuracy) == (2, 0.5)
    assert (table["b"].gold_items, table["b"].gold_accuracy) == (2, 0.5)
    assert (table["lead"].gold_items, table["lead"].gold_accuracy) == (0, None)
    # without gold nobody has a gold figure
    assert all(c.gold_accuracy is None for c in competence(model))


def test_multi_choice_competence():
    rng = np.random.default_rng(5)
    labels = ["politics", "sport", "economy"]
    truth = [frozenset(v for v in labels if rng.random() < 0.4) for _ in range(800)]
    rows = []
    for i, true in enumerate(truth):
        for w in rng.choice(6, 3, replace=False):
            if w == 4:  # random sets
                chosen = {v for v in labels if rng.random() < 0.5}
            elif w == 5:  # always the same set
                chosen = {"sport"}
            else:
                chosen = {v for v in labels if (v in true) == (rng.random() < 0.92)}
            rows.append((i, f"w{w}", chosen))
    model = binary_relevance(rows, labels)
    table = {c.annotator: c for c in competence_multi(model, question="topics")}
    assert [table[f"w{w}"].flags for w in range(4)] == [[], [], [], []]
    assert table["w4"].flags == [SPAMMER]
    assert table["w5"].flags == [CONSTANT]
    assert table["w0"].agreement > 0.7 and table["w4"].agreement < 0.3


def test_figures_do_not_depend_on_the_step_of_answers(monkeypatch):
    """The per-answer temporaries are made a step of answers at a time: the same figures,
    bit for bit, with steps of 7 answers as with one step for all, single and multi."""
    rows, truth = _pool(n_items=300)
    single = dawid_skene(rows, LABELS)
    gold = {i: LABELS[t] for i, t in enumerate(truth[:40])}
    rng = np.random.default_rng(2)
    sets = [(i, f"w{w}", {v for v in LABELS if rng.random() < 0.3 + 0.1 * (w == 5)}
             if w != 5 else {"agree"})
            for i in range(300) for w in rng.choice(6, 3, replace=False)]
    multi = binary_relevance(sets, LABELS)

    def figures():
        return (repr([c.to_dict() for c in competence(single, question="q", gold=gold)]),
                repr([c.to_dict() for c in competence_multi(multi, question="m")]))

    monkeypatch.setattr(competence_module, "_STEP", 10**9)
    whole = figures()
    assert "'A051'" in whole[1]  # w5 always gives the same set
    monkeypatch.setattr(competence_module, "_STEP", 7)
    assert figures() == whole
