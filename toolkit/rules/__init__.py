"""Aggregation rules: one class per rule, and the registry from the schema's
``annotation.rule``.

    majority  unanimous       majority.py      counting the answers
    dawid_skene  one_coin     label_model.py   a label model weighs the annotators
                              dawid_skene.py   the label models' maths (numpy)
    crowdlab                  model_vote.py    the annotators and a model's out-of-fold
                              crowdlab.py      probabilities, weighed (CROWDLAB; numpy)

The stages ask the rule of a schema (``rule_of(schema.annotation.rule)``) and
never test its name. A new rule is one subclass of :class:`Rule` passed to
:func:`register`; the schema then accepts it (``tests/test_rules.py`` adds one).
Like the kinds, this package is a leaf: the schema checks a rule's name when it
loads, so the registry sits below the stages.
"""

from __future__ import annotations

from ..registry import Registry
from .base import Decidable, Decided, ModelProvider, ModelVotes, Rule
from .label_model import (
    DawidSkene,
    LabelModelRule,
    OneCoin,
    fit_coded,
    fit_label_model,
    modelled,
)
from .majority import Majority, Unanimous
from .model_vote import CrowdLab

__all__ = [
    "RULES",
    "CrowdLab",
    "DawidSkene",
    "Decidable",
    "Decided",
    "LabelModelRule",
    "Majority",
    "ModelProvider",
    "ModelVotes",
    "OneCoin",
    "Rule",
    "Unanimous",
    "fit_coded",
    "fit_label_model",
    "modelled",
    "register",
    "rule_of",
    "unregister",
]

#: rule name -> the rule, in registration order (the order schema errors list them in)
RULES: Registry[Rule] = Registry()
register = RULES.register
unregister = RULES.unregister


def rule_of(name: str) -> Rule:
    """The rule registered under ``name``; KeyError when there is none."""
    return RULES[name]


for _rule in (Majority, Unanimous, DawidSkene, OneCoin, CrowdLab):
    register(_rule)
