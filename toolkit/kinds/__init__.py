"""Question kinds: one class per kind, and the registry from the YAML ``kind:`` name.

    single  multi  yesno     choice.py   labels from a list
    spans                    spans.py    stretches of the item text, labelled
    rating  text             scalar.py   one value

Each kind owns what differs by kind (see :class:`Kind`); the stages ask the kind of
a question (``kind_of(question.kind)``) and never test its name. A new kind is one
subclass of :class:`Kind` passed to :func:`register`; the schema then accepts it.
"""

from __future__ import annotations

from ..registry import Registry
from .base import Kind, ResultState
from .choice import YESNO_VALUES, Multi, Single, YesNo
from .scalar import Rating, Text
from .spans import Span, Spans

__all__ = [
    "KINDS",
    "YESNO_VALUES",
    "Kind",
    "ResultState",
    "Span",
    "choice_kinds",
    "kind_of",
    "register",
    "unregister",
]

#: kind name -> the kind, in registration order (the order schema errors list them in)
KINDS: Registry[Kind] = Registry()
register = KINDS.register
unregister = KINDS.unregister


def kind_of(name: str) -> Kind:
    """The kind registered under ``name``; KeyError when there is none."""
    return KINDS[name]


def choice_kinds() -> list[str]:
    """The names of the kinds whose answers are labels from a list, in registry order."""
    return [name for name, kind in KINDS.items() if kind.choice]


for _kind in (Single, Multi, Spans, Rating, Text, YesNo):
    register(_kind)
