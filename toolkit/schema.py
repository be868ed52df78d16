"""The annotation schema: one YAML file that drives the Label Studio config,
validation, aggregation, the dataset features and the dataset card.

This module holds the model (pydantic, so unknown keys and wrong types are
refused) and the loader. The YAML format is documented in schemas/README.md.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, NoReturn

import orjson
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import SchemaError
from .kinds import KINDS, YESNO_VALUES, choice_kinds, kind_of  # noqa: F401  (YESNO_VALUES)
from .rules import RULES, Majority, rule_of

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")

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
# Task data keys (see tasks.py) a dataset may group its splits by.
UNIT_GROUP_KEYS: dict[str, tuple[str, ...]] = {
    "comment": ("article_id", "comment_id", "unit_id", "source"),
    "article": ("article_id", "unit_id", "source"),
}
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

    @field_validator("min_confidence", mode="before")
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
        ``annotation.min_confidence``, ``annotation.adjudicators``) are left out while
        at their default, so a schema that does not use them keeps the content hash it
        had before they existed."""
        dumped = self.model_dump(mode="json")
        policy = dumped["annotation"]
        for key in ("near_duplicates", "min_confidence", "adjudicators"):
            default = AnnotationPolicy.model_fields[key].get_default(call_default_factory=True)
            if policy.get(key) == default:
                policy.pop(key, None)
        return orjson.dumps(dumped, option=orjson.OPT_SORT_KEYS)

    @property
    def content_hash(self) -> str:
        """sha256 of the canonical form, shortened; recorded in snapshots and datasets."""
        return "sha256:" + hashlib.sha256(self.canonical_json()).hexdigest()[:16]


# --------------------------------------------------------------------------------------
# Cross-field checks (what pydantic's per-field validation cannot see)
# --------------------------------------------------------------------------------------

Loc = tuple[str | int, ...]

# Characters XML 1.0 cannot carry (Label Studio's config is XML): C0 controls but tab/LF/CR.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Problem(BaseModel):
    """One thing wrong with a schema: where (a path into the YAML) and what to do."""

    model_config = ConfigDict(frozen=True)

    loc: Loc
    message: str
    at_key: bool = False  # point at the key itself (not its value)


def _slug_hint(value: str) -> str:
    guess = re.sub(r"[^a-z0-9_]+", "_", value.lower()).strip("_")
    if guess and not guess[0].isalpha():
        guess = "x_" + guess
    return f" (e.g. {guess!r})" if guess and SLUG.match(guess) else ""


def check_schema(schema: Schema) -> list[Problem]:
    """Cross-field checks of a schema that passed field validation; [] when it is fine.

    Locations are paths into the YAML document (``("questions", 2, "labels", 0)``),
    which the loader turns into line:column.
    """
    out: list[Problem] = []

    def bad(loc: Loc, message: str, *, at_key: bool = False) -> None:
        out.append(Problem(loc=loc, message=message, at_key=at_key))

    if not SLUG.match(schema.name):
        bad(("name",), f"name {schema.name!r} is not a slug: use lowercase letters, digits and "
            f"_ starting with a letter{_slug_hint(schema.name)}")
    if not schema.version.strip():
        bad(("version",), "version is empty; give one, e.g. '1' or '2024-06'")
    if not schema.questions:
        bad(("questions",), "questions is empty; add at least one question")

    seen_questions: dict[str, int] = {}
    hotkeys: dict[str, Loc] = {}
    by_name = {q.name: q for q in schema.questions}
    for qi, q in enumerate(schema.questions):
        qloc: Loc = ("questions", qi)
        set_keys = q.model_fields_set
        if not SLUG.match(q.name):
            bad((*qloc, "name"), f"question name {q.name!r} is not a slug: use lowercase letters, "
                f"digits and _ starting with a letter{_slug_hint(q.name)}")
        if q.name in seen_questions:
            first = seen_questions[q.name]
            bad((*qloc, "name"), f"duplicate question name {q.name!r} (also questions[{first}], "
                f"@questions.{first}.name); rename one of them")
        else:
            seen_questions[q.name] = qi

        # Which keys apply to which kind: the kind's own rules.
        kind_of(q.kind).check(q, qloc, set_keys, bad)
        if q.field is not None and q.field not in schema.item_fields:
            have = ", ".join(schema.item_fields)
            bad((*qloc, "field"), f"question {q.name!r} is on field {q.field!r}, which a "
                f"{schema.unit} task does not have; use one of: {have}")

        # Labels: unique values and display texts, sane characters.
        seen_values: dict[str, int] = {}
        seen_display: dict[str, int] = {}
        for li, label in enumerate(q.labels):
            lloc: Loc = (*qloc, "labels", li)
            if not label.value.strip() or label.value != label.value.strip():
                bad(lloc, f"label value {label.value!r} of {q.name!r} is empty or has "
                    "surrounding spaces; write it without them")
            if "," in label.value:
                bad(lloc, f"label value {label.value!r} of {q.name!r} contains a comma, which "
                    "Label Studio's visibleWhen treats as a separator; use _ instead")
            if label.value in seen_values:
                first = seen_values[label.value]
                bad(lloc, f"duplicate label {label.value!r} in question {q.name!r} (also "
                    f"@questions.{qi}.labels.{first}); remove or rename one")
            else:
                seen_values[label.value] = li
            first = seen_display.setdefault(label.display, li)
            if first != li and q.labels[first].value != label.value:
                bad(lloc, f"labels {q.labels[first].value!r} and {label.value!r} of "
                    f"{q.name!r} show the same text {label.display!r} (also "
                    f"@questions.{qi}.labels.{first}); give them different texts")
            if label.hotkey is not None:
                key = label.hotkey.strip().lower()
                if not key:
                    bad((*lloc, "hotkey"), "hotkey is empty; remove it or give a key")
                elif key in hotkeys:
                    other = hotkeys[key]
                    bad((*lloc, "hotkey"), f"hotkey {label.hotkey!r} of {q.name}/{label.value} "
                        f"is already used at @{'.'.join(map(str, other))}; hotkeys are global "
                        "in Label Studio, pick another")
                else:
                    hotkeys[key] = (*lloc, "hotkey")

        if q.when is not None:
            wloc: Loc = (*qloc, "when")
            target = by_name.get(q.when.question)
            if q.when.question == q.name:
                bad((*wloc, "question"), f"question {q.name!r} cannot depend on itself")
            elif target is None:
                have = ", ".join(n for n in by_name if n != q.name)
                bad((*wloc, "question"), f"`when` of {q.name!r} names question "
                    f"{q.when.question!r}, which does not exist; use one of: {have}")
            elif not kind_of(target.kind).choice:
                choices = choice_kinds()
                can = f"{', '.join(choices[:-1])} and {choices[-1]}" if len(choices) > 1 \
                    else choices[0]
                bad((*wloc, "question"), f"`when` of {q.name!r} names {target.name!r}, a "
                    f"{target.kind} question; only {can} answers can be tested")
            else:
                if not q.when.equals:
                    bad((*wloc, "equals"), "`when.equals` is empty; give the answer(s) that "
                        "show this question")
                for ei, value in enumerate(q.when.equals):
                    if value not in target.label_values:
                        bad((*wloc, "equals", ei), f"`when` of {q.name!r} tests label "
                            f"{value!r}, which question {target.name!r} does not have; use "
                            f"one of: {', '.join(target.label_values)}")

    # Annotation policy.
    pol = schema.annotation
    if pol.min_annotations > pol.overlap:
        bad(("annotation", "min_annotations"), f"min_annotations ({pol.min_annotations}) is "
            f"more than overlap ({pol.overlap}): no item could ever qualify; lower it or raise "
            "overlap")
    if pol.min_confidence is not None and not rule_of(pol.rule).gives_confidence:
        confident = [name for name, rule in RULES.items() if rule.gives_confidence]
        bad(("annotation", "min_confidence"), f"min_confidence applies only to the rules "
            f"{', '.join(confident)} (the rule is {pol.rule}); remove it or set "
            f"`rule: {confident[0]}`", at_key=True)
    seen_adjudicators: set[str] = set()
    for ai, account in enumerate(pol.adjudicators):
        if isinstance(account, int):
            if account < 1:
                bad(("annotation", "adjudicators", ai), f"adjudicator {account} is not a Label "
                    "Studio user id (ids start at 1)")
        elif not account.strip() or account != account.strip():
            bad(("annotation", "adjudicators", ai), f"adjudicator {account!r} is empty or has "
                "surrounding spaces; give a Label Studio account's e-mail without them")
        elif "@" not in account:
            bad(("annotation", "adjudicators", ai), f"adjudicator {account!r} is not an e-mail "
                "address: adjudicators are matched by the account's e-mail (which its owner "
                "cannot change) or user id (a number), never by a name anyone can set")
        key = str(account).lower()
        if key in seen_adjudicators:
            bad(("annotation", "adjudicators", ai), f"adjudicator {account!r} is listed twice; "
                "remove one")
        seen_adjudicators.add(key)

    # Dataset defaults.
    ds = schema.dataset
    if not ds.splits:
        bad(("dataset", "splits"), "splits is empty; give e.g. {train: 0.8, validation: 0.1, "
            "test: 0.1}")
    for split, fraction in ds.splits.items():
        if not SLUG.match(split):
            bad(("dataset", "splits", split), f"split name {split!r} is not a slug (lowercase "
                "letters, digits, _)", at_key=True)
        if not 0 < fraction <= 1:
            bad(("dataset", "splits", split), f"split {split!r} has fraction {fraction}; each "
                "must be more than 0 and at most 1")
    total = sum(ds.splits.values())
    if ds.splits and abs(total - 1.0) > 1e-6:
        bad(("dataset", "splits"), f"split fractions sum to {total:g}, not 1; adjust them "
            f"({', '.join(f'{k}: {v:g}' for k, v in ds.splits.items())})")
    if ds.group_by not in UNIT_GROUP_KEYS[schema.unit]:
        bad(("dataset", "group_by"), f"group_by {ds.group_by!r} is not a field of a "
            f"{schema.unit} task; use one of: {', '.join(UNIT_GROUP_KEYS[schema.unit])}")
    if ds.stratify_by is not None:
        target = by_name.get(ds.stratify_by)
        if target is None or not kind_of(target.kind).stratifiable:
            singles = ", ".join(q.name for q in schema.questions
                                if kind_of(q.kind).stratifiable)
            what = "does not exist" if target is None else f"is a {target.kind} question"
            bad(("dataset", "stratify_by"), f"stratify_by {ds.stratify_by!r} {what}; name a "
                f"single-choice question ({singles or 'none defined'}) or remove it")

    # Text that XML cannot carry.
    for loc, text in _texts(schema):
        if _XML_INVALID.search(text):
            bad(loc, "contains a control character that XML (the Label Studio config) cannot "
                "carry; remove it")
    return out


def _texts(schema: Schema):
    """Every user-written string with its location."""
    yield ("title",), schema.title
    yield ("guidelines",), schema.guidelines
    for qi, q in enumerate(schema.questions):
        for key in ("title", "description"):
            if getattr(q, key):
                yield ("questions", qi, key), getattr(q, key)
        for li, label in enumerate(q.labels):
            for key in ("value", "text", "description", "hotkey"):
                if getattr(label, key):
                    yield ("questions", qi, "labels", li, key), getattr(label, key)


# --------------------------------------------------------------------------------------
# The loader: YAML (safe_load semantics) with positions, then the model, then the checks
# --------------------------------------------------------------------------------------


MAX_SCHEMA_BYTES = 16 * 1024 * 1024  # 80,000 labels take ~5 MB; /dev/zero never ends
MAX_SCHEMA_DEPTH = 64  # a real schema nests 5 or 6 levels
MAX_INT_DIGITS = 100
_SURROGATE = re.compile("[\ud800-\udfff]")


class _SchemaLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: ``yes``/``no``/``on``/``off`` stay strings.

    (Under YAML 1.1 a label list ``[yes, no]`` would load as booleans.) Aliases
    (``*name``) are refused where they are written: a schema is small, plain data.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _Refused(self.peek_event().start_mark, "YAML aliases (*name) are not "
                           "supported in a schema file; write the value out")
        # Composing recurses once per level: refuse a deep nest before Python's recursion
        # limit does (5,000 brackets raised RecursionError).
        if self._depth >= MAX_SCHEMA_DEPTH:
            raise _Refused(self.peek_event().start_mark, f"nested more than "
                           f"{MAX_SCHEMA_DEPTH} levels deep; a schema is a few levels of "
                           "keys and lists: check the brackets")
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, yaml.ScalarNode):
            _refuse_surrogates(node)
        return node

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        # int() refuses more than sys.get_int_max_str_digits() digits with a ValueError.
        digits = sum(ch.isdigit() for ch in node.value)
        if digits > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {digits} digits is too long (at most "
                f"{MAX_INT_DIGITS}); write a small number, or quote it to make it text",
                node.start_mark)
        return super().construct_yaml_int(node)


def _refuse_surrogates(node: yaml.ScalarNode) -> None:
    """A ``\\ud800`` escape gives half a UTF-16 pair, which is no character (nor UTF-8)."""
    found = _SURROGATE.search(node.value)
    if found:
        raise _Refused(node.start_mark, f"the escape \\u{ord(found.group()):04x} is half of a "
                       "UTF-16 surrogate pair, not a character; write the character itself "
                       "(or \\U and its 8 hex digits, e.g. \\U0001F600)")


class _Refused(yaml.YAMLError):
    def __init__(self, mark: yaml.Mark, message: str) -> None:
        super().__init__(message)
        self.mark, self.message = mark, message


_SchemaLoader.add_constructor("tag:yaml.org,2002:int", _SchemaLoader.construct_yaml_int)
_SchemaLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SchemaLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class _Positions:
    """Where each path of the YAML document starts: its key and its value."""

    def __init__(self) -> None:
        self.value: dict[Loc, yaml.Mark] = {}
        self.key: dict[Loc, yaml.Mark] = {}
        self.problems: list[tuple[yaml.Mark, str]] = []
        # Every path in the order it was first recorded (in either table): what a subtree
        # added is a slice of it, so aliasing a mapping's subtree reads only that subtree.
        self._order: list[Loc] = []

    def _put(self, marks: dict[Loc, yaml.Mark], loc: Loc, mark: yaml.Mark) -> None:
        if loc not in marks:
            marks[loc] = mark
            self._order.append(loc)

    def walk(self, node: yaml.Node, loader: yaml.SafeLoader, path: Loc = (),
             seen: set[int] | None = None) -> None:
        """Record marks by path; refuse aliases, merge keys and duplicate keys."""
        seen = set() if seen is None else seen
        if id(node) in seen:
            self.problems.append((node.start_mark, "YAML aliases (*name) are not supported in "
                                  "a schema file; write the value out"))
            return
        seen.add(id(node))
        self._put(self.value, path, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            first_at: dict[Any, yaml.Mark] = {}
            for index, (key_node, value_node) in enumerate(node.value):
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append((key_node.start_mark, "a key must be plain text"))
                    continue
                key = key_node.value
                if key == "<<":
                    self.problems.append((key_node.start_mark, "YAML merge keys (<<) are not "
                                          "supported in a schema file; write the keys out"))
                    continue
                if key in first_at:
                    mark = first_at[key]
                    self.problems.append((key_node.start_mark, f"key {key!r} appears twice in "
                                          f"this mapping (also at line {mark.line + 1}, column "
                                          f"{mark.column + 1}); remove or rename one"))
                    continue
                first_at[key] = key_node.start_mark
                sub = (*path, key)
                start = len(self._order)
                self._put(self.key, sub, key_node.start_mark)
                self.walk(value_node, loader, sub, seen)
                # Label mappings ({agree: موافق}) become lists in the model: alias by index
                # (no other mapping does). Only paths recorded since `start` can lie under
                # `sub` (each key is walked once), so this reads the label's subtree, not
                # every path so far (linear, not quadratic, in the number of labels).
                if path[-1:] != ("labels",):
                    continue
                added = self._order[start:]
                for marks in (self.key, self.value):
                    for loc in added:
                        if loc in marks and loc[: len(sub)] == sub:
                            self._put(marks, (*path, index, *loc[len(sub):]), marks[loc])
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._put(self.key, (*path, index), item.start_mark)
                self.walk(item, loader, (*path, index), seen)

    def mark(self, loc: Loc, *, at_key: bool = False) -> yaml.Mark | None:
        loc = tuple(loc)
        while True:
            table = (self.key, self.value) if at_key else (self.value, self.key)
            for marks in table:
                if loc in marks:
                    return marks[loc]
            if not loc:
                return None
            loc, at_key = loc[:-1], False


def _describe(loc: Loc, data: Any) -> str:
    """A readable path: ``questions[2] (stance).labels[0] (agree)``."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int):
            name = None
            if isinstance(node, list) and 0 <= step < len(node):
                node = node[step]
                if isinstance(node, dict) and isinstance(node.get("name"), str):
                    name = node["name"]
                elif isinstance(node, dict) and isinstance(node.get("value"), str):
                    name = node["value"]
                elif isinstance(node, str):
                    name = node
            elif isinstance(node, dict) and 0 <= step < len(node):
                key = list(node)[step]
                name, node = str(key), node[key]
            else:
                node = None
            parts.append(f"[{step}]" + (f" ({name})" if name else ""))
        else:
            parts.append(("." if parts else "") + str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "top level"


_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): Schema,
    ("questions", "*"): Question,
    ("questions", "*", "labels", "*"): Label,
    ("questions", "*", "when"): When,
    ("annotation",): AnnotationPolicy,
    ("dataset",): DatasetDefaults,
}


def _allowed_keys(loc: Loc) -> list[str]:
    shape = tuple("*" if isinstance(step, int) else step for step in loc)
    model = _MODEL_AT.get(shape)
    return list(model.model_fields) if model else []


def _pydantic_problems(exc: ValidationError, data: Any) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        error_type = err["type"]
        where = _describe(loc[:-1], data) if loc else "top level"
        if error_type == "missing":
            hint = ""
            if loc[-1] == "kind":
                hint = ": one of " + ", ".join(KINDS)
            out.append(Problem(loc=loc, message=f"{where}: missing key {loc[-1]!r}; add it{hint}"))
        elif error_type == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            import difflib

            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            out.append(Problem(loc=loc, at_key=True, message=f"{where}: unknown key "
                               f"{loc[-1]!r}; {hint}allowed keys: {', '.join(allowed)}"))
        elif error_type == "model_type" or error_type == "dict_type" and not loc:
            out.append(Problem(loc=loc, message=f"{_describe(loc, data)}: expected a mapping of "
                               f"keys, got {type(err['input']).__name__}"))
        else:
            shown = repr(err.get("input"))
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            msg = err["msg"][0].lower() + err["msg"][1:]
            target = _describe(loc, data)
            out.append(Problem(loc=loc, message=f"{target}: {msg}, got {shown}; fix the value"))
    return out


def _format(path: Path | str, mark: yaml.Mark | None, message: str) -> str:
    if mark is None:
        return f"{path}: {message}"
    return f"{path}:{mark.line + 1}:{mark.column + 1}: {message}"


def _raise(path: Path | str, problems: Sequence[tuple[yaml.Mark | None, str]]) -> NoReturn:
    lines = sorted(problems, key=lambda m: (m[0].line, m[0].column) if m[0] else (-1, -1))
    text = [_format(path, mark, message) for mark, message in lines]
    error = SchemaError("\n".join(text))
    error.problems = text  # type: ignore[attr-defined]
    raise error


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> tuple[yaml.Mark, str]:
    """Where the character YAML refuses is, and one line saying so (not YAML's two)."""
    pos = exc.position if isinstance(exc.position, int) else 0
    line = text.count("\n", 0, pos)
    column = pos - (text.rfind("\n", 0, pos) + 1)
    char = exc.character if isinstance(exc.character, int) else 0
    return (yaml.Mark("<schema>", pos, line, column, None, None),  # type: ignore[arg-type]
            f"not valid YAML: character #x{char:04x} ({exc.reason}); a schema file is "
            "UTF-8 text: remove it, or check that this is the schema file")


def parse_schema(text: str, source: str | Path = "<schema>") -> Schema:
    """Parse and validate schema YAML text; ``source`` names it in error messages.

    Raises SchemaError whose message has one line per problem, each
    ``FILE:LINE:COLUMN: what is wrong; what to do`` (also in ``error.problems``).
    All problems of one phase are reported: YAML syntax stops at the first
    error; otherwise every key/type problem, or (when those are fine) every
    cross-field problem.
    """
    try:
        loader = _SchemaLoader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (e.g. NUL, binary data)
        _raise(source, [_reader_problem(text, exc)])
    try:
        try:
            node = loader.get_single_node()
        except _Refused as exc:
            _raise(source, [(exc.mark, exc.message)])
        except yaml.reader.ReaderError as exc:
            _raise(source, [_reader_problem(text, exc)])
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            what = exc.problem or "syntax error"
            _raise(source, [(mark, f"not valid YAML: {what}"
                             f"{' ' + exc.context if exc.context else ''}; fix the syntax "
                             "(indentation, quotes, colons)")])
        except yaml.YAMLError as exc:
            _raise(source, [(None, f"not valid YAML: {exc}; fix the syntax")])
        if node is None:
            _raise(source, [(None, "the file is empty; a schema needs at least name, version, "
                             "title, unit and questions (see schemas/README.md)")])
        positions = _Positions()
        positions.walk(node, loader)
        if positions.problems:
            _raise(source, positions.problems)
        try:
            data = loader.construct_document(node)
        except yaml.constructor.ConstructorError as exc:
            detail = exc.problem or "cannot construct this value"
            prefix = "could not determine a constructor for the tag"
            if detail.startswith(prefix):
                detail = (f"tag{detail[len(prefix):]} is not allowed: a schema file is plain "
                          "data; remove the tag")
            _raise(source, [(exc.problem_mark, detail)])
        except yaml.MarkedYAMLError as exc:
            _raise(source, [(exc.problem_mark, f"not valid YAML: {exc.problem}")])
    finally:
        loader.dispose()

    if not isinstance(data, dict):
        _raise(source, [(node.start_mark, "the file must be a mapping of keys (name, version, "
                         "title, unit, questions, ...), not a " + type(data).__name__)])
    try:
        schema = Schema.model_validate(data, context={"defer_cross_checks": True})
    except ValidationError as exc:
        problems = _pydantic_problems(exc, data)
    else:
        problems = check_schema(schema)
        if not problems:
            return schema
    lines: list[tuple[yaml.Mark | None, str]] = []
    for problem in problems:
        def _ref(match: re.Match[str]) -> str:
            # Cross references "@questions.3.name" become line:column.
            steps = tuple(int(s) if s.isdigit() else s for s in match.group(1).split("."))
            mark = positions.mark(steps)
            return f"line {mark.line + 1}:{mark.column + 1}" if mark else match.group(1)

        # only "@questions.<n>...": an e-mail in a message (an adjudicator) stays as it is
        message = re.sub(r"@(questions\.\d+(?:\.\w+)*)", _ref, problem.message)
        lines.append((positions.mark(problem.loc, at_key=problem.at_key), message))
    _raise(source, lines)


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_schema_text(path: Path) -> str:
    """The text of a schema file: a regular UTF-8 file of at most MAX_SCHEMA_BYTES.

    Opened without blocking (a named pipe would wait for a writer forever) and checked
    on the open file, so what is read is what was checked; a device such as /dev/zero
    is refused before a byte is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError as exc:
        raise SchemaError(f"{path}: no such schema file; check the path") from exc
    except OSError as exc:
        raise SchemaError(f"{path}: cannot read the schema file ({exc.strerror})") from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SchemaError(f"{path}: {_file_kind(mode)}, not a schema file; give the path "
                          "of the schema's YAML file")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_SCHEMA_BYTES + 1)
        except OSError as exc:
            raise SchemaError(f"{path}: cannot read the schema file ({exc.strerror})") from exc
    if len(data) > MAX_SCHEMA_BYTES:
        raise SchemaError(f"{path}: larger than {MAX_SCHEMA_BYTES // 2**20} MiB, too large "
                          "for a schema file; check that this is the schema file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as read_text() did


def load_schema(path: str | Path) -> Schema:
    """Read and validate a schema file; raises SchemaError naming file, line and column."""
    path = Path(path)
    return parse_schema(read_schema_text(path), path)
