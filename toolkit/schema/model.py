"""The schema model (pydantic): unknown keys and wrong types are refused; the cross-field
checks run after it (:mod:`.checks`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Literal

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..kinds import KINDS, kind_of
from ..rules import RULES, Majority
from .checks import (
    DEFAULT_SPAN_FIELD,
    UNIT_CONTEXT_FIELDS,
    UNIT_ITEM_FIELDS,
    Unit,
    check_schema,
)

# The kinds of question (single, multi, spans, rating, text, yesno and any registered
# later) and what each means live in toolkit.kinds; YESNO_VALUES is re-exported here.


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    """A label: a stable ``value`` (what is stored) and what annotators see."""

    value: str
    text: str | None = None
    description: str | None = None
    hotkey: str | None = None

    @property
    def display(self) -> str:
        return self.text if self.text is not None else self.value


class When(_Strict):
    """Show a question only when another single/multi/yesno question has one of these answers."""

    question: str
    equals: list[str]

    @field_validator("equals", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, (str, bool, int)) else value


class Question(_Strict):
    """One question of the schema; which keys apply depends on ``kind``."""

    name: str
    kind: str  # a name in toolkit.kinds.KINDS
    title: str | None = None
    description: str | None = None
    required: bool = False
    labels: list[Label] = Field(default_factory=list)
    # The item field the question is about (spans: the field the spans are on);
    # default: the unit's main field (comment: text, article: body).
    field: str | None = None
    allow_overlap: bool = False  # spans: may two spans overlap?
    scale: int | None = None  # rating: 1..scale
    when: When | None = None
    # show a model's answer pre-filled to annotators? None: the kind's default
    # (Kind.suggest_by_default: on for closed questions, off for spans and free text)
    suggest: bool | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> Any:
        """One of the registered kinds (refused as pydantic refuses a Literal)."""
        return _registered(value, KINDS)

    @field_validator("labels", mode="before")
    @classmethod
    def _labels_forms(cls, value: Any) -> Any:
        """Accept ``{agree: موافق}``, ``{agree: {text: ..}}`` and ``[agree, {value: ..}]``."""
        if isinstance(value, dict):
            out = []
            for key, spec in value.items():
                if spec is None or isinstance(spec, str):
                    out.append({"value": str(key), "text": spec})
                elif isinstance(spec, dict):
                    out.append({"value": str(key), **spec})
                else:
                    out.append({"value": str(key), "text": str(spec)})
            return out
        if isinstance(value, list):
            return [{"value": str(v)} if isinstance(v, (str, int)) else v for v in value]
        return value

    @property
    def label_values(self) -> list[str]:
        """The stored values, in schema order (also the ClassLabel order)."""
        return kind_of(self.kind).label_values(self)

    @property
    def prompt(self) -> str:
        return self.title or self.name

    @property
    def suggests(self) -> bool:
        """Are a model's answers to this question shown to annotators (``suggest``, else
        the kind's default)?"""
        return self.suggest if self.suggest is not None else \
            kind_of(self.kind).suggest_by_default


def _registered(value: Any, registry: Mapping[str, Any]) -> Any:
    """``value`` when it names an entry of ``registry`` (kinds, rules); else refused as
    pydantic refuses a Literal, listing the names."""
    if isinstance(value, str) and value in registry:
        return value
    names = [repr(name) for name in registry]
    expected = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    raise PydanticCustomError("literal_error", "Input should be {expected}",
                              {"expected": expected})


class AnnotationPolicy(_Strict):
    """How many annotators see each item, and how their answers become one label."""

    overlap: int = Field(default=1, ge=1)
    rule: str = Majority.name  # a name in toolkit.rules.RULES
    min_annotations: int = Field(default=1, ge=1)
    # Near-duplicate comments (duplicate_of in the corpus): which copies are annotated.
    # See toolkit.ingest.near_duplicates.copies_not_pushed.
    near_duplicates: Literal["annotate_once", "once_per_article", "annotate_each"] = (
        "once_per_article"
    )
    @field_validator("rule", mode="before")
    @classmethod
    def _known_rule(cls, value: Any) -> Any:
        """One of the registered rules (toolkit.rules)."""
        return _registered(value, RULES)

    # rules with a confidence only: an item whose chosen label has a lower posterior is unresolved
    min_confidence: float | None = Field(default=None, gt=0, le=1)
    # Label Studio accounts (e-mail, or user id) whose answer on a task is ground truth
    adjudicators: list[str | int] = Field(default_factory=list)
    # rules with a model (crowdlab) only: a likely label error whose score (1 - the
    # out-of-fold model's probability of the label) is at least this goes to the
    # adjudication tab (it stays in the dataset)
    label_error_above: float | None = Field(default=None, gt=0, le=1)

    @field_validator("min_confidence", "label_error_above", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticCustomError("boolean_refused", "must be a number between 0 and 1 "
                                      "(e.g. 0.8), not a boolean")
        return value

    @field_validator("adjudicators", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        value = [value] if isinstance(value, (str, int)) else value
        if isinstance(value, list) and any(isinstance(v, bool) for v in value):
            raise PydanticCustomError("boolean_refused", "an adjudicator is a Label Studio "
                                      "account's e-mail or user id, not a boolean")
        return value


class DatasetDefaults(_Strict):
    """Defaults for `corpus build`: splits, grouping against leakage, seed, license."""

    splits: dict[str, float] = Field(
        default_factory=lambda: {"train": 0.8, "validation": 0.1, "test": 0.1}
    )
    group_by: str = "article_id"
    stratify_by: str | None = None
    # Items whose texts are near-duplicates at this Jaccard threshold (looser than ingest's
    # 0.75 for annotate-once: recall first) are kept in one split; None: the corpus's
    # clusters only. See toolkit.ingest.near_duplicates.
    split_near_duplicates: float | None = Field(default=0.5, gt=0, le=1)
    seed: int = 42
    license: str = "cc-by-4.0"
    task_categories: list[str] = Field(default_factory=lambda: ["text-classification"])


STRATIFY_KEYS = ("site", "article", "month", "length")


class Selection(_Strict):
    """A budgeted, reproducible sample of the corpus's units (toolkit.selection): how many,
    stratified by what, with which seed, among which units."""

    budget: int = Field(ge=1)  # units in the sample (`corpus push --budget` overrides it)
    stratify_by: list[Literal["site", "article", "month", "length"]] = Field(
        default_factory=list)
    seed: int = Field(default=0, ge=0)
    min_length: int | None = Field(default=None, ge=0)  # characters of the unit's text
    max_length: int | None = Field(default=None, ge=1)

    @field_validator("stratify_by", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("budget", "seed", "min_length", "max_length", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticCustomError("boolean_refused", "must be a whole number, not a boolean")
        return value


class Schema(_Strict):
    """A whole annotation project."""

    name: str
    version: str
    title: str
    language: str = "ar"
    direction: Literal["rtl", "ltr"] = "rtl"
    unit: Unit
    guidelines: str = ""
    questions: list[Question]
    annotation: AnnotationPolicy = Field(default_factory=AnnotationPolicy)
    dataset: DatasetDefaults = Field(default_factory=DatasetDefaults)
    # None: push sends every unit (unless `corpus push --budget`)
    selection: Selection | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value

    def question(self, name: str) -> Question:
        for question in self.questions:
            if question.name == name:
                return question
        raise KeyError(name)

    @property
    def question_names(self) -> list[str]:
        return [q.name for q in self.questions]

    @property
    def item_fields(self) -> tuple[str, ...]:
        return UNIT_ITEM_FIELDS[self.unit]

    @property
    def context_fields(self) -> tuple[str, ...]:
        return UNIT_CONTEXT_FIELDS[self.unit]

    def target_field(self, question: Question) -> str:
        """The item field a question is bound to (Label Studio's ``toName``), any kind."""
        return question.field or DEFAULT_SPAN_FIELD[self.unit]

    @model_validator(mode="after")
    def _cross_field(self, info: ValidationInfo) -> Schema:
        # The loader runs these checks itself to report each with its line and column.
        if not (info.context or {}).get("defer_cross_checks"):
            problems = check_schema(self)
            if problems:
                raise ValueError("; ".join(p.message for p in problems))
        return self

    def canonical_json(self) -> bytes:
        """The canonical form: sorted keys, defaults filled in, no YAML formatting.

        Keys added after the first release (``annotation.near_duplicates``,
        ``annotation.min_confidence``, ``annotation.adjudicators``, ``selection``,
        ``annotation.label_error_above``, a question's ``suggest``,
        ``dataset.split_near_duplicates``) are left out while at
        their default, so a schema that does not use them keeps the content hash it had
        before they existed."""
        dumped = self.model_dump(mode="json")
        if dumped.get("selection") is None:
            dumped.pop("selection", None)
        for question in dumped["questions"]:
            if question.get("suggest") is None:
                question.pop("suggest", None)
        if dumped["dataset"].get("split_near_duplicates") == 0.5:
            dumped["dataset"].pop("split_near_duplicates")
        policy = dumped["annotation"]
        for key in ("near_duplicates", "min_confidence", "adjudicators", "label_error_above"):
            default = AnnotationPolicy.model_fields[key].get_default(call_default_factory=True)
            if policy.get(key) == default:
                policy.pop(key, None)
        return orjson.dumps(dumped, option=orjson.OPT_SORT_KEYS)

    @property
    def content_hash(self) -> str:
        """sha256 of the canonical form, shortened; recorded in snapshots and datasets."""
        return "sha256:" + hashlib.sha256(self.canonical_json()).hexdigest()[:16]
