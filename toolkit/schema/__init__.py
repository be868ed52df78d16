"""The annotation schema: one YAML file that drives the Label Studio config,
validation, aggregation, the dataset features and the dataset card.

    model    the pydantic model: unknown keys and wrong types are refused
    checks   cross-field checks of a parsed schema (Problem at a YAML path)
    load     YAML with positions -> model -> checks; one line per problem, file:line:col

The YAML format is documented in schemas/README.md.
"""

from __future__ import annotations

from ..kinds import YESNO_VALUES
from .checks import (
    DEFAULT_SPAN_FIELD,
    SLUG,
    UNIT_CONTEXT_FIELDS,
    UNIT_GROUP_KEYS,
    UNIT_ITEM_FIELDS,
    Loc,
    Problem,
    Unit,
    check_schema,
)
from .load import MAX_SCHEMA_BYTES, load_schema, parse_schema, read_schema_text
from .model import AnnotationPolicy, DatasetDefaults, Label, Question, Schema, Selection, When

__all__ = [
    "DEFAULT_SPAN_FIELD",
    "MAX_SCHEMA_BYTES",
    "SLUG",
    "UNIT_CONTEXT_FIELDS",
    "UNIT_GROUP_KEYS",
    "UNIT_ITEM_FIELDS",
    "YESNO_VALUES",
    "AnnotationPolicy",
    "DatasetDefaults",
    "Label",
    "Loc",
    "Problem",
    "Question",
    "Schema",
    "Selection",
    "Unit",
    "When",
    "check_schema",
    "load_schema",
    "parse_schema",
    "read_schema_text",
]
