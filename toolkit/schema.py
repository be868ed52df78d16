"""The annotation schema: one YAML file that drives the Label Studio config,
validation, aggregation, the dataset features and the dataset card.

This module holds the model (pydantic, so unknown keys and wrong types are
refused) and the loader. The YAML format is documented in schemas/README.md.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Literal

import orjson
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import SchemaError

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")

Kind = Literal["single", "multi", "spans", "rating", "text", "yesno"]
Unit = Literal["comment", "article"]

# Fields of one task, by unit: what a question may point at ("item" fields) and
# the read-only context shown above the item.
UNIT_ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "comment": ("text",),
    "article": ("body", "title"),
}
UNIT_CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "comment": ("article_title", "article_body"),
    "article": (),
}
DEFAULT_SPAN_FIELD: dict[str, str] = {"comment": "text", "article": "body"}

# The values a yes/no question stores in Label Studio (its choices) and in the dataset (bool).
YESNO_VALUES: tuple[str, str] = ("yes", "no")


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
    kind: Kind
    title: str | None = None
    description: str | None = None
    required: bool = False
    labels: list[Label] = Field(default_factory=list)
    field: str | None = None  # spans: the item field the spans are on
    allow_overlap: bool = False  # spans: may two spans overlap?
    scale: int | None = None  # rating: 1..scale
    when: When | None = None

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
        if self.kind == "yesno":
            return list(YESNO_VALUES)
        return [label.value for label in self.labels]

    @property
    def prompt(self) -> str:
        return self.title or self.name


class AnnotationPolicy(_Strict):
    """How many annotators see each item, and how their answers become one label."""

    overlap: int = Field(default=1, ge=1)
    rule: Literal["majority", "unanimous"] = "majority"
    min_annotations: int = Field(default=1, ge=1)


class DatasetDefaults(_Strict):
    """Defaults for `corpus build`: splits, grouping against leakage, seed, license."""

    splits: dict[str, float] = Field(
        default_factory=lambda: {"train": 0.8, "validation": 0.1, "test": 0.1}
    )
    group_by: str = "article_id"
    stratify_by: str | None = None
    seed: int = 42
    license: str = "cc-by-4.0"
    task_categories: list[str] = Field(default_factory=lambda: ["text-classification"])


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

    def span_field(self, question: Question) -> str:
        return question.field or DEFAULT_SPAN_FIELD[self.unit]

    def canonical_json(self) -> bytes:
        """The canonical form: sorted keys, defaults filled in, no YAML formatting."""
        return orjson.dumps(self.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)

    @property
    def content_hash(self) -> str:
        """sha256 of the canonical form, shortened; recorded in snapshots and datasets."""
        return "sha256:" + hashlib.sha256(self.canonical_json()).hexdigest()[:16]


def load_schema(path: str | Path) -> Schema:
    """Read and validate a schema file; raises SchemaError naming file, line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{path}: cannot read the schema file ({exc})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemaError(f"{path}: not valid YAML ({exc})") from exc
    try:
        return Schema.model_validate(data)
    except Exception as exc:  # replaced by positioned errors in the loader proper
        raise SchemaError(f"{path}: {exc}") from exc
