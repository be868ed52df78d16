"""The base class of question kinds, and the vote-counting rules kinds share.

A kind owns everything that differs from one kind of question to another: its
schema rules, its Label Studio control, reading its answers out of Label Studio
results (and validating them), writing results (the demo's annotator), its
``datasets`` feature, how its votes are aggregated, which agreement figure it
gets, and whether the card counts its labels. The stages call these methods and
never test a kind's name.

The kinds are a leaf: they import the schema model, :mod:`.labelxml` and the
Protocols of :mod:`.hooks` (what the stages hand them) and nothing of the stages.
``datasets`` is imported inside :meth:`Kind.feature`, so importing the kinds costs
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from ..schema import Question, Schema
    from .hooks import AgreementSink, Check, ResultChecker

from ..provenance import Provenance

# Provenance of an aggregated label (see toolkit.review.aggregate).
UNANIMOUS = Provenance.UNANIMOUS
MAJORITY = Provenance.MAJORITY
UNRESOLVED = Provenance.UNRESOLVED

#: a kind's ``label_model``: one label per item (single, yes/no, rating)
ONE_LABEL = "one_label"
#: a kind's ``label_model``: a set of labels, decided label by label (multi choice)
PER_LABEL = "per_label"

#: the HTML report's key of "no answer" / "none of these" in a label distribution
NONE_KEY = "(none)"

Bad = Callable[..., None]  # bad(loc, message, at_key=False): one schema problem


def _second(pair: tuple) -> Any:
    return pair[1]


def plurality(votes: list[Any], n: int) -> tuple[Any, str]:
    """Whole answers: the first most common answer when more than half gave it."""
    counts: dict[Any, int] = {}
    for vote in votes:
        counts[vote] = counts.get(vote, 0) + 1
    value, count = max(counts.items(), key=_second)  # the first most common, as Counter's
    if count * 2 > n:
        return value, MAJORITY
    return None, UNRESOLVED


def per_part_majority(votes: list[Any], n: int, *, order: list[str] | None) -> tuple[Any, str]:
    """Multi choice labels or spans: keep each part more than half chose; a half is a tie."""
    counts: dict[Any, int] = {}
    for vote in votes:
        for part in set(vote or ()):
            counts[part] = counts.get(part, 0) + 1
    kept = []
    for part, count in counts.items():
        if count * 2 == n:
            return None, UNRESOLVED
        if count * 2 > n:
            kept.append(part)
    if order is not None:
        rank = {value: i for i, value in enumerate(order)}
        kept.sort(key=lambda v: (rank.get(v, len(rank)), v))
    else:
        kept.sort()
    return (tuple(kept) if kept else None), MAJORITY


class ResultState:
    """One annotation being validated: what its results answered so far.

    ``answered``: question -> the value `when` conditions and required checks look at;
    ``spans``: spans question -> (start, end) of each well-formed span (overlap check);
    ``extracted``: the answers as extract_answers reads them, built on the fast paths
    only (None once any result needs the careful path); ``marked``: spans question ->
    its Span tuples (extracted); ``ids``: (where, key, task id, annotation id, annotator)
    for the findings.
    """

    __slots__ = ("answered", "spans", "extracted", "marked", "ids")

    def __init__(self, extracted: dict | None, ids: tuple) -> None:
        self.answered: dict[str, Any] = {}
        self.spans: dict[str, list] = {}
        self.extracted = extracted
        self.marked: dict[str, list] | None = None
        self.ids = ids


class Kind:
    """One kind of question (the YAML ``kind:``). Subclass, set ``name``, override what
    differs, and :func:`toolkit.kinds.register` it."""

    name: ClassVar[str] = ""
    #: answers are labels from a list: a `when` may test them
    choice: ClassVar[bool] = False
    #: an answer is a set (multi choice, spans): no answer and an empty one are the same,
    #: and "none of these" is an answer (written [] in the dataset)
    set_valued: ClassVar[bool] = False
    #: the schema's `labels:` must be given ("required"), must not be ("forbidden"), or may
    labels_rule: ClassVar[str] = "forbidden"
    #: its answers are marked on the item text: the control sits with the text field
    marks_text: ClassVar[bool] = False
    #: may be the split's stratification (dataset.stratify_by, or the default)
    stratifiable: ClassVar[bool] = False
    #: free text: never makes an item unresolved, gets no agreement figure
    free_text: ClassVar[bool] = False
    #: aggregation may remember its answer per tuple of votes (the same few recur)
    memo_votes: ClassVar[bool] = True
    #: the card's label distribution counts its answers
    in_distribution: ClassVar[bool] = True
    #: the agreement figure it gets (None: none)
    agreement_method: ClassVar[str | None] = None
    #: `corpus agree` shows pairwise span F1 for it
    span_f1: ClassVar[bool] = False
    #: Label Studio's result type (``type`` of a result item)
    result_type: ClassVar[str] = ""
    #: the HTML report draws its label distribution (answers from a known set of values)
    report_distribution: ClassVar[bool] = False
    #: what the report's distribution counts: "items", or "spans" (several per item)
    report_unit: ClassVar[str] = "items"
    #: Krippendorff's alpha level of its answers ("nominal", "ordinal"), for the report's
    #: bootstrap interval; None: no alpha. Set-valued kinds: one binary alpha per label.
    #: A kind with an alpha that is not set-valued also gets the report's confusion
    #: against the aggregated label (one value per answer).
    alpha_level: ClassVar[str | None] = None
    #: how a label-model rule re-decides it (toolkit.rules.label_model): ONE_LABEL
    #: (one label per item), PER_LABEL (a set: label by label, binary relevance), or None
    #: (the majority rule's label is kept, as for spans and free text)
    label_model: ClassVar[str | None] = None
    #: a model's answer is shown pre-filled to annotators unless the question says
    #: ``suggest: false`` (closed questions); off by default where a suggestion anchors
    #: the answer too strongly to be worth it (spans, free text): ``suggest: true`` opts in
    suggest_by_default: ClassVar[bool] = False

    # -- schema -------------------------------------------------------------------------
    def label_values(self, question: Question) -> list[str]:
        """The stored values, in schema order (also the ClassLabel order)."""
        return [label.value for label in question.labels]

    def check(self, question: Question, loc: tuple, set_keys: set[str], bad: Bad) -> None:
        """The schema rules of this kind, reported through ``bad(loc, message, at_key=)``."""
        self.check_labels(question, loc, set_keys, bad)
        self.check_scale(question, loc, set_keys, bad)
        if "allow_overlap" in set_keys and not self.marks_text:
            bad((*loc, "allow_overlap"), f"allow_overlap applies only to spans questions; "
                f"remove it from {question.name!r}", at_key=True)

    def check_labels(self, q: Question, loc: tuple, set_keys: set[str], bad: Bad) -> None:
        if self.labels_rule == "required" and not q.labels:
            bad((*loc, "labels") if "labels" in set_keys else loc,
                f"question {q.name!r} ({q.kind}) has no labels; list at least one label")
        if self.labels_rule == "forbidden" and q.labels:
            bad((*loc, "labels"), f"question {q.name!r} is {q.kind}: labels do not apply; "
                "remove them", at_key=True)

    def check_scale(self, q: Question, loc: tuple, set_keys: set[str], bad: Bad) -> None:
        if "scale" in set_keys:
            bad((*loc, "scale"), f"scale applies only to rating questions; remove it from "
                f"{q.name!r}", at_key=True)

    # -- Label Studio: the control, the instructions ---------------------------------------
    def label_rows(self, question: Question, captions: Mapping[str, str]) -> list[tuple]:
        """(stored value, display text, description, hotkey) per label, in schema order."""
        return [(lb.value, lb.display, lb.description, lb.hotkey) for lb in question.labels]

    def control(self, parent: Element, schema: Schema, question: Question) -> None:
        """Add the question's Label Studio control (XML) under ``parent``."""
        raise NotImplementedError(f"kind {self.name!r} has no Label Studio control")

    # -- reading answers out of Label Studio results --------------------------------------
    def read(self, value: dict, data: Mapping[str, Any] | None, field: str | None) -> Any:
        """One result's ``value`` -> its answer, or None when it holds none (lenient: never
        raises; reporting odd shapes is :meth:`validate`'s job). Kinds that ``gathers``
        return a list of parts that add up over the annotation's results, which
        :meth:`combine` turns into the answer. ``data``: the task's data; ``field``: the
        field the question is on (spans check their offsets against it)."""
        raise NotImplementedError

    #: results of one question add up (choices, spans) rather than the last one counting
    gathers: ClassVar[bool] = False

    def combine(self, parts: list, order: Mapping[str, int]) -> Any:
        """The answer from the gathered parts (None: no answer). ``order``: label -> rank."""
        return parts

    def validate(self, checker: ResultChecker, state: ResultState, name: str,
                 question: Question, value: dict, data: dict) -> None:
        """Check one result of an annotation (``checker`` records the findings); record
        what it answered in ``state``. A kind implements this, or :meth:`validator` for
        speed."""
        raise NotImplementedError

    def validator(self, checker: ResultChecker, question: Question) -> Check:
        """``check(state, value, data)`` for each result of ``question``, made once per
        schema: the built-in kinds close over what they look up (labels, field), as the
        validator calls it for every result of a snapshot. By default :meth:`validate`."""
        name, validate = question.name, self.validate

        def check(state: ResultState, value: dict, data: dict) -> None:
            validate(checker, state, name, question, value, data)

        return check

    # -- writing results (the demo's annotator) ---------------------------------------------
    def write(self, question: Question, answer: Any, texts: Mapping[str, str],
              to_name: str) -> list[tuple[str, dict]]:
        """Label Studio result values for one answer: [(result id, value)]. ``texts``: the
        task's text fields; ``to_name``: the field the question is on."""
        raise NotImplementedError

    # -- the dataset -----------------------------------------------------------------------
    def feature(self, question: Question) -> Any:
        """The ``datasets`` feature of the question's column."""
        raise NotImplementedError

    # -- aggregation -----------------------------------------------------------------------
    def disagreement(self, question: Question, votes: list[Any], n: int) -> tuple[Any, str]:
        """(label, provenance) from ``n`` votes that are not all the same (majority rule)."""
        return plurality(votes, n)

    def model_labels(self, question: Question) -> list[Any]:
        """The answers the label model tells apart, in the order that breaks its ties
        (schema order); for ``binary_relevance``, the labels decided one by one."""
        return self.label_values(question)

    # -- agreement -------------------------------------------------------------------------
    def agree(self, question: Question, sink: AgreementSink) -> None:
        """Choose the question's agreement figures: call one method of ``sink``."""
        raise NotImplementedError

    # -- the HTML report (toolkit.html_report) ---------------------------------------------
    def answer_values(self, question: Question) -> list[Any]:
        """The values its answers hold, in the order the report lists them (and the
        columns of its alpha's value counts); values outside are listed after them."""
        return self.label_values(question)

    def answer_key(self, value: Any) -> str:
        """An answer's value as the report keys it (the stored value shown beside the
        display text): None -> "(none)", else its text."""
        return NONE_KEY if value is None else str(value)

    def answer_parts(self, value: Any) -> tuple:
        """What an aggregated answer adds to the label distribution: the value itself, or
        (set-valued kinds) each of its labels; empty: counted as "(none)"."""
        return (value,)

    def stored_parts(self, question: Question, value: Any) -> tuple:
        """:meth:`answer_parts` of a value as the built dataset stores it (its Parquet
        column: class indices for labels)."""
        return (value,)

    def __repr__(self) -> str:
        return f"<kind {self.name}>"
