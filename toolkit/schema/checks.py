"""Cross-field checks of a schema that passed field validation (what pydantic's per-field
validation cannot see), each a :class:`Problem` at a path into the YAML document."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
)

from ..kinds import choice_kinds, kind_of
from ..rules import RULES, rule_of

if TYPE_CHECKING:
    from .model import Schema


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
    if pol.label_error_above is not None and not rule_of(pol.rule).needs_model:
        voted = [name for name, rule in RULES.items() if rule.needs_model]
        bad(("annotation", "label_error_above"), f"label_error_above applies only to the "
            f"rules where a model votes ({', '.join(voted)}; the rule is {pol.rule}); remove "
            f"it or set `rule: {voted[0]}`", at_key=True)
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

    # The sample (toolkit.selection).
    sel = schema.selection
    if sel is not None:
        seen_strata: set[str] = set()
        for si, key in enumerate(sel.stratify_by):
            if key in seen_strata:
                bad(("selection", "stratify_by", si), f"stratify_by lists {key!r} twice; "
                    "remove one")
            seen_strata.add(key)
            if key == "article" and schema.unit == "article":
                bad(("selection", "stratify_by", si), "stratify_by 'article' needs comment "
                    "units (each article is its own unit here); use site, month or length")
        if sel.min_length is not None and sel.max_length is not None \
                and sel.min_length > sel.max_length:
            bad(("selection", "min_length"), f"min_length ({sel.min_length}) is more than "
                f"max_length ({sel.max_length}): no unit could be sampled; lower it")
        if schema.unit == "comment" and pol.near_duplicates == "annotate_each":
            bad(("selection",), "a sample holds at most one comment per near-duplicate "
                "cluster (copies are labelled through their first), which "
                "`annotation.near_duplicates: annotate_each` contradicts; use annotate_once "
                "or once_per_article, or remove selection", at_key=True)

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
