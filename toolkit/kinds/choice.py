"""Choice kinds: single choice, multiple choice, yes/no. Answers are labels from a list.

Answers as read (toolkit.review.answers): single -> the stored label value (str);
multi -> tuple of values in schema order (unknown ones last, as met); yesno ->
bool ("yes" -> True, "no" -> False).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from .base import ONE_LABEL, PER_LABEL, Kind, ResultState, per_part_majority
from .hooks import AgreementSink, Check, ResultChecker
from .labelxml import bool_attr, captions, sub, when_attrs

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from ..schema import Question, Schema

# The values a yes/no question stores in Label Studio (its choices) and in the dataset (bool).
YESNO_VALUES: tuple[str, str] = ("yes", "no")


class ChoiceKind(Kind):
    """What the choice kinds share: Label Studio's Choices control and result."""

    choice = True
    labels_rule = "required"
    suggest_by_default = True
    gathers = True
    result_type = "choices"
    agreement_method: ClassVar[str | None] = "alpha nominal"
    report_distribution = True
    alpha_level: ClassVar[str | None] = "nominal"
    #: several labels may be chosen (Label Studio ``choice="multiple"``)
    multiple: ClassVar[bool] = False

    def control(self, parent: Element, schema: Schema, question: Question) -> None:
        options = self.label_rows(question, captions(schema))
        control = sub(
            parent,
            "Choices",
            name=question.name,
            toName=schema.target_field(question),
            choice="multiple" if self.multiple else "single-radio",
            showInline="true" if len(options) <= 6 else None,
            required=bool_attr(question.required),
            **when_attrs(question),
        )
        for value, display, description, hotkey in options:
            sub(control, "Choice", value=display, alias=value, hint=description, hotkey=hotkey)

    def read(self, value: dict, data: Any, field: str | None) -> Any:
        given = value.get("choices")
        if type(given) is list and all(type(c) is str for c in given):
            pass  # the common case: a list of strings, taken as it is
        elif isinstance(given, str):
            given = [given]
        elif isinstance(given, list):
            given = [c for c in given if isinstance(c, str)]
        else:
            given = []
        return given

    def validator(self, checker: ResultChecker, question: Question) -> Check:
        name = question.name
        labels = checker.labels[name]
        answer_of = self.answer_of
        careful = self.check_choices

        def check(state: ResultState, value: dict, data: dict) -> None:
            # The fast path for the well-formed common case: one known label.
            choices = value.get("choices")
            if type(choices) is list and len(choices) == 1:
                choice = choices[0]
                if type(choice) is str and choice in labels:
                    state.answered[name] = choices
                    extracted = state.extracted
                    if extracted is not None:
                        if name in extracted:
                            state.extracted = None
                        else:
                            answer = answer_of(choice)
                            if answer is None:
                                state.extracted = None
                            else:
                                extracted[name] = answer
                    return
            state.extracted = None
            careful(checker, state, question, value)

        return check

    def answer_of(self, choice: str) -> Any:
        """The answer of one known label, as extract_answers reads it (None: none)."""
        return choice

    def check_choices(self, checker: ResultChecker, state: ResultState, question: Question,
                      value: dict) -> None:
        """The careful path: findings for anything unusual in a choices result."""
        ids = state.ids
        choices = value.get("choices")
        if type(choices) is not list or any(type(c) is not str for c in choices):
            checker.malformed(question, "has no list of choices", ids)
            return
        labels = checker.labels[question.name]
        for choice in choices:
            if choice not in labels:
                checker.finding("V002", ids,
                            f"'{choice}' is not a label of question '{question.name}' "
                            f"(labels: {', '.join(question.label_values)})",
                            checker.REJECT_FIX, question.name)
        if not self.multiple and len(choices) > 1:
            checker.finding("V003", ids,
                        f"{len(choices)} choices ({', '.join(choices)}) on single-choice "
                        f"question '{question.name}'",
                        "the first choice is used as this annotator's answer; ask for a fix",
                        question.name)
        if choices:
            previous = state.answered.get(question.name)
            state.answered[question.name] = (previous or []) + choices

    def write(self, question: Question, answer: Any, texts: Mapping[str, str],
              to_name: str) -> list[tuple[str, dict]]:
        return [(question.name, {"choices": [answer]})]


class Single(ChoiceKind):
    name = "single"
    stratifiable = True
    label_model = ONE_LABEL

    def combine(self, parts: list, order: Mapping[str, int]) -> Any:
        return parts[0] if parts else None

    def stored_parts(self, question: Question, value: Any) -> tuple:
        return (None if value is None else question.label_values[value],)  # class index

    def feature(self, question: Question) -> Any:
        from datasets import ClassLabel

        return ClassLabel(names=question.label_values)

    def agree(self, question: Question, sink: AgreementSink) -> None:
        sink.labels(question.label_values)


class YesNo(ChoiceKind):
    name = "yesno"
    labels_rule = "optional"  # only to give "yes" and "no" their display text
    label_model = ONE_LABEL

    def answer_values(self, question: Question) -> list[Any]:
        return [True, False]

    def answer_key(self, value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return super().answer_key(value)

    def label_values(self, question: Question) -> list[str]:
        return list(YESNO_VALUES)

    def model_labels(self, question: Question) -> list[Any]:
        return [True, False]  # the answers are booleans

    def check_labels(self, q: Question, loc: tuple, set_keys: set[str], bad: Any) -> None:
        for li, label in enumerate(q.labels):
            if label.value not in YESNO_VALUES:
                bad((*loc, "labels", li), f"question {q.name!r} is yesno: its labels can "
                    f"only be 'yes' and 'no' (to give their display text), not {label.value!r}")

    def label_rows(self, question: Question, captions: Mapping[str, str]) -> list[tuple]:
        given = {label.value: label for label in question.labels}
        return [
            (value, given[value].display if value in given else captions[value],
             given[value].description if value in given else None,
             given[value].hotkey if value in given else None)
            for value in YESNO_VALUES
        ]

    def answer_of(self, choice: str) -> Any:
        return choice == "yes" if choice == "yes" or choice == "no" else None

    def combine(self, parts: list, order: Mapping[str, int]) -> Any:
        if parts and parts[0] in YESNO_VALUES:
            return parts[0] == "yes"
        return None

    def write(self, question: Question, answer: Any, texts: Mapping[str, str],
              to_name: str) -> list[tuple[str, dict]]:
        if isinstance(answer, bool):
            answer = "yes" if answer else "no"
        return [(question.name, {"choices": [answer]})]

    def feature(self, question: Question) -> Any:
        from datasets import Value

        return Value("bool")

    def agree(self, question: Question, sink: AgreementSink) -> None:
        sink.labels([True, False])  # the answers' values (label_values are "yes"/"no")


class Multi(ChoiceKind):
    name = "multi"
    set_valued = True
    multiple = True
    agreement_method = "alpha nominal per label (binary), mean over labels"
    label_model = PER_LABEL

    def answer_parts(self, value: Any) -> tuple:
        return tuple(value or ())

    def stored_parts(self, question: Question, value: Any) -> tuple:
        names = question.label_values
        return tuple(names[v] for v in value or ())  # class indices

    def validator(self, checker: ResultChecker, question: Question) -> Check:
        name = question.name
        labels = checker.labels[name]
        rank = checker.rank[name]
        careful = self.check_choices

        def check(state: ResultState, value: dict, data: dict) -> None:
            # The fast path for the well-formed common case: known labels only.
            choices = value.get("choices")
            if type(choices) is list and choices and all(
                type(c) is str and c in labels for c in choices
            ):
                answered = state.answered
                answered[name] = answered.get(name, []) + choices
                extracted = state.extracted
                if extracted is not None:
                    if name in extracted:
                        state.extracted = None
                    elif len(choices) == 1:
                        extracted[name] = (choices[0],)
                    else:
                        extracted[name] = tuple(sorted(dict.fromkeys(choices),
                                                       key=rank.__getitem__))
                return
            state.extracted = None
            careful(checker, state, question, value)

        return check

    def combine(self, parts: list, order: Mapping[str, int]) -> Any:
        if not parts:
            return None
        if len(parts) == 1:
            return (parts[0],)
        unique = list(dict.fromkeys(parts))
        known = sorted((v for v in unique if v in order), key=order.__getitem__)
        return tuple(known + [v for v in unique if v not in order])

    def write(self, question: Question, answer: Any, texts: Mapping[str, str],
              to_name: str) -> list[tuple[str, dict]]:
        return [(question.name, {"choices": list(answer)})]

    def feature(self, question: Question) -> Any:
        from datasets import ClassLabel, List

        return List(ClassLabel(names=question.label_values))

    def disagreement(self, question: Question, votes: list[Any], n: int) -> tuple[Any, str]:
        return per_part_majority(votes, n, order=question.label_values)

    def agree(self, question: Question, sink: AgreementSink) -> None:
        sink.per_label(question.label_values)
