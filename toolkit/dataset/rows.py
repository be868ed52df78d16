"""Rows of the dataset: columns, their Features, and encoding answers into them.

The features are declared, never inferred: the question columns come from
toolkit.dataset.features (via _sources), and this module adds the ids, text, context,
provenance, annotator count and the per-annotator ``annotations`` column around
them. Values are encoded here (label name -> ClassLabel index, "yes" -> True)
so Parquet can be written straight from Arrow, without datasets re-encoding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
from datasets import ClassLabel, Features, LargeList, List, Value

from ..kinds import kind_of
from ..review.answers import Span
from ..rules import rule_of
from ..schema import Schema
from ._sources import Item

PROVENANCE_SUFFIX = "_provenance"
# The row's probability of having been chosen by the sample `corpus push --budget` drew
# (toolkit.selection: n_h / N_h of its stratum); null without a sample.
INCLUSION_PROBABILITY = "inclusion_probability"
CONFIDENCE_SUFFIX = "_confidence"


def confidence_questions(schema: Schema) -> set[str]:
    """The questions with a ``<question>_confidence`` column: those a label model decides
    (their kind has a ``label_model``, toolkit.rules.label_model), none unless the rule
    gives confidences."""
    if not rule_of(schema.annotation.rule).gives_confidence:
        return set()
    return {q.name for q in schema.questions if kind_of(q.kind).label_model is not None}


class EncodeError(ValueError):
    """A value does not fit its feature (e.g. a label the schema does not have)."""


def id_columns(schema: Schema, *, with_context: bool, keep_authors: bool) -> list[str]:
    """The leading columns copied from task data, in order."""
    if schema.unit == "comment":
        columns = ["comment_id", "article_id", "source", "position", "text", "article_title"]
        if with_context:
            columns.append("article_body")
        if keep_authors:
            columns.insert(4, "author")
        columns.append("duplicate_of")  # near-duplicate copies: their cluster's first comment
        return columns
    return ["article_id", "source", "title", "body"]


def row_features(schema: Schema, questions: Features, *, with_context: bool,
                 keep_authors: bool, sampled: bool = False) -> Features:
    """The full row Features: ids and text, one label + provenance per question, annotations;
    ``sampled`` (the items are a sample: schema ``selection`` or a manifest) adds
    ``inclusion_probability``, so datasets built without a sample are as before."""
    spec: dict[str, Any] = {}
    for column in id_columns(schema, with_context=with_context, keep_authors=keep_authors):
        spec[column] = Value("int32") if column == "position" else Value("string")
    confident = confidence_questions(schema)
    for question in schema.questions:
        spec[question.name] = questions[question.name]
        spec[question.name + PROVENANCE_SUFFIX] = Value("string")
        if question.name in confident:
            spec[question.name + CONFIDENCE_SUFFIX] = Value("float32")
    spec["n_annotators"] = Value("int32")
    if sampled:
        spec[INCLUSION_PROBABILITY] = Value("float64")
    per_annotator: dict[str, Any] = {"annotator": Value("string")}
    for question in schema.questions:
        per_annotator[question.name] = questions[question.name]
    spec["annotations"] = List(per_annotator)
    return Features(spec)


def compile_encoder(feature: Any, where: str) -> Callable[[Any], Any]:
    """A function that turns a Python answer into the Arrow value of ``feature``.

    A struct (a span) is encoded as a tuple of its fields in the feature's order,
    not a dict: pyarrow reads tuples as structs too, about five times faster.
    """
    if isinstance(feature, ClassLabel):
        index = {name: i for i, name in enumerate(feature.names)}

        def encode_label(value: Any) -> Any:
            if value is None:
                return None
            try:
                return index[value]
            except (KeyError, TypeError):
                raise EncodeError(f"{where}: {value!r} is not one of {feature.names}") from None

        return encode_label
    if isinstance(feature, (List, LargeList)):
        inner = compile_encoder(feature.feature, where)
        return lambda value: None if value is None else [inner(v) for v in value]
    if isinstance(feature, list):  # legacy list-of-one-feature form
        inner = compile_encoder(feature[0], where)
        return lambda value: None if value is None else [inner(v) for v in value]
    if isinstance(feature, dict):
        parts = {key: compile_encoder(sub, f"{where}.{key}") for key, sub in feature.items()}
        items = list(parts.items())
        span_fields = Span._fields
        # A Span (the usual value of a spans question) is read by position, no dict made.
        by_position = [(key, span_fields.index(key) if key in span_fields else None, part)
                       for key, part in items]

        def encode_struct(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is Span:
                return tuple(part(None if i is None else value[i]) for _, i, part in by_position)
            if hasattr(value, "_asdict"):  # another named tuple
                value = value._asdict()
            if not isinstance(value, dict):
                raise EncodeError(f"{where}: expected an object, got {value!r}")
            return tuple(part(value.get(key)) for key, part in items)

        return encode_struct
    if isinstance(feature, Value):
        return _value_encoder(feature.dtype, where)
    raise TypeError(f"{where}: no encoder for feature {feature!r}")


def _value_encoder(dtype: str, where: str) -> Callable[[Any], Any]:
    if dtype == "bool":
        def encode_bool(value: Any) -> Any:
            if value is None or isinstance(value, bool):
                return value
            if value in ("yes", "no"):
                return value == "yes"
            raise EncodeError(f"{where}: {value!r} is not yes/no")

        return encode_bool
    if dtype.startswith(("int", "uint")):
        def encode_int(value: Any) -> Any:
            if value is None or (isinstance(value, int) and not isinstance(value, bool)):
                return value
            raise EncodeError(f"{where}: {value!r} is not an integer")

        return encode_int
    if dtype in ("string", "large_string"):
        def encode_text(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, list):  # Label Studio keeps text answers as a list
                return "\n".join(str(v) for v in value)
            return str(value)

        return encode_text
    return lambda value: value


class Pseudonyms:
    """Annotator id -> "annotator_N", numbered in order of first appearance.

    Build feeds the items in their final (sorted) order, so the numbering is
    stable within one dataset and independent of Label Studio's ordering.
    """

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def __call__(self, annotator: str) -> str:
        name = self._names.get(annotator)
        if name is None:
            name = self._names[annotator] = f"annotator_{len(self._names) + 1}"
        return name

    def __len__(self) -> int:
        return len(self._names)


class RowEncoder:
    """Turns an aggregated Item into one encoded row of ``features``.

    A row is a list of the column values in ``features`` order (not a dict: build
    spools every row until the splits are known, and :func:`rows_table` turns a
    row group's rows into Arrow columns by transposing them). The ``annotations``
    value is a list of tuples, one per annotator: the pseudonym, then each
    question's encoded answer, in the order of the annotations struct's fields.
    """

    def __init__(self, schema: Schema, features: Features, *, with_context: bool,
                 keep_authors: bool, probabilities: Mapping[str, float] | None = None,
                 pseudonymize: bool = True) -> None:
        # corpus key -> inclusion probability (the sample's manifest); a near-duplicate
        # copy labelled through its first comment (no task) is chosen with its first
        self.probabilities = probabilities or {}
        self._sampled = INCLUSION_PROBABILITY in features
        self._key_prefix = f"{schema.name}:"
        self.columns = id_columns(schema, with_context=with_context, keep_authors=keep_authors)
        self.questions = [q.name for q in schema.questions]
        # Multi choice and spans: "none of them" is an answer, written [] (null = unresolved).
        self.set_valued = {q.name for q in schema.questions if kind_of(q.kind).set_valued}
        self.encoders = {name: compile_encoder(features[name], name) for name in self.questions}
        self.pseudonyms = Pseudonyms()
        # False: rows keep the annotator ids as Label Studio has them, and
        # :meth:`name_annotators` replaces them later, in the rows' final order (build
        # encodes rows as it reads the snapshot, before the order is known)
        self._pseudonymize = pseudonymize
        self._unit_column = (self.columns.index("comment_id") if "comment_id" in self.columns
                             else None)
        # (name, set-valued, encoder, memo of encoded answers) per question, in schema order.
        self._plan: list[tuple[str, bool, Any, dict]] = [
            (name, name in self.set_valued, self.encoders[name], {}) for name in self.questions]
        confident = confidence_questions(schema)
        self._confidence = [name in confident for name in self.questions]
        self._any_confidence = bool(confident)

    def encode(self, item: Item) -> list:
        """One row; raises EncodeError when a label or answer does not fit the schema."""
        data = item.data
        row: list[Any] = [data.get(column) for column in self.columns]
        if self._unit_column is not None and row[self._unit_column] is None:
            row[self._unit_column] = item.unit_id
        labels, provenances = item.labels, item.provenance
        plan = self._plan
        for name, set_valued, encode, memo in plan:
            label = labels.get(name)
            provenance = provenances.get(name)
            if label is None and set_valued and provenance != "unresolved":
                label = ()
            row.append(_memo_encode(encode, memo, label))
            # a plain str: the same in Arrow, and far cheaper to spool than an enum member
            row.append(provenance if provenance is None or type(provenance) is str
                       else str.__str__(provenance))
        if self._any_confidence:  # a label-model rule: insert each confidence after its provenance
            confidence = item.confidence
            at = len(row) - 2 * len(plan)
            for (name, _, _, _), has in zip(plan, self._confidence, strict=True):
                at += 2
                if has:
                    row.insert(at, confidence.get(name))
                    at += 1
        row.append(item.n_annotators)
        if self._sampled:
            row.append(self._probability(item))
        annotations = []
        pseudonyms = self.pseudonyms if self._pseudonymize else _same
        for annotator, answers in item.annotations:
            entry: list[Any] = [pseudonyms(annotator)]
            for name, set_valued, encode, memo in plan:
                answer = answers.get(name)
                if answer is None:
                    if not set_valued:  # every encoder maps None to None
                        entry.append(None)
                        continue
                    answer = ()
                entry.append(_memo_encode(encode, memo, answer))
            annotations.append(tuple(entry))
        row.append(annotations)
        return row

    def name_annotators(self, row: list) -> list:
        """``row`` (encoded with ``pseudonymize=False``) with its annotators' pseudonyms, numbered
        in the order rows are given here."""
        pseudonyms = self.pseudonyms
        row[-1] = [(pseudonyms(entry[0]), *entry[1:]) for entry in row[-1]]
        return row


    def _probability(self, item: Item) -> float | None:
        if not self.probabilities:
            return None
        found = self.probabilities.get(item.corpus_key)
        first = item.data.get("duplicate_of")
        if found is None and first and item.task_id is None:
            found = self.probabilities.get(self._key_prefix + str(first))
        return found


def _same(annotator: Any) -> Any:
    return annotator


def rows_table(rows: list[list], features: Features) -> pa.Table:
    """The Arrow table of encoded rows (see :class:`RowEncoder`), typed by ``features``.

    Built column by column: ``zip(*rows)`` transposes the rows, and each column
    becomes one ``pa.array`` of its declared type. The ``annotations`` column
    (a list of structs per row) is assembled from its parts: the row offsets
    into one flat list of annotator entries, whose tuples are transposed into
    one child array per struct field. The same values and types as
    ``pa.Table.from_pylist`` of dict rows, without a dict per row and annotator.
    """
    schema = features.arrow_schema
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = []
    for field_, values in zip(schema, columns, strict=True):
        if field_.name == "annotations":
            arrays.append(_annotations_array(values, field_.type))
        else:
            arrays.append(pa.array(values, type=field_.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _annotations_array(values: tuple, list_type: pa.DataType) -> pa.Array:
    offsets = [0]
    entries: list[tuple] = []
    for entry_list in values:
        entries.extend(entry_list)
        offsets.append(len(entries))
    struct_type = list_type.value_type
    fields = [struct_type.field(i) for i in range(struct_type.num_fields)]
    children = list(zip(*entries, strict=True)) if entries else [() for _ in fields]
    parts = [pa.array(child, type=f.type) for f, child in zip(fields, children, strict=True)]
    struct = pa.StructArray.from_arrays(parts, fields=fields)
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), struct, type=list_type)


def _memo_encode(encode: Callable[[Any], Any], memo: dict, value: Any) -> Any:
    """``encode(value)``, remembered for strings and tuples: answers repeat a lot (a few
    labels, the same label sets). Only those types are keys, so True/1/1.0, equal as
    dict keys, never share an entry. Encoded values are shared between rows; they
    are only read (by Arrow) afterwards."""
    kind = type(value)
    if kind is str or kind is tuple:
        try:
            return memo[value]
        except KeyError:
            encoded = memo[value] = encode(value)
            return encoded
        except TypeError:  # an unhashable part (not an answer extract_answers makes)
            pass
    return encode(value)

