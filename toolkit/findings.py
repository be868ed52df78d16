"""Findings: one record per problem met in an input, shared by every stage, and the one
registry of their codes.

A finding is what becomes "one clear line": where (file, line or task), what is
wrong, and what was done about it. Stages collect findings in a :class:`Report`
instead of printing, so library users get them as data and the CLI decides how
to show them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Literal

Level = Literal["error", "warning", "info"]

@dataclass(frozen=True)
class Code:
    """A finding code and what it means everywhere: its level, its word (the name the
    finding carried before it had a code), whether it makes an item unusable (build
    leaves it out), and what build does about it (validate's codes; docs/validate.md)."""

    code: str
    level: Level
    name: str
    rejects_item: bool = False
    in_build: str | None = None

    @property
    def named_in_line(self) -> bool:
        """Whether a finding's line shows the name (``info[I003 not-an-input]``). Validate's
        lines show the code alone (``error[V002]``, as README and docs/validate.md show
        them); its summary table gives the names."""
        return self.in_build is None


# The one registry of finding codes, of every stage: ingest (I), push (P), validate (V),
# build (B), agree (A). docs/findings.md has one row per code, checked by
# tests/test_findings_doc.py; a code is never reused (B002, retired, became V020).
REGISTRY: dict[str, Code] = {c.code: c for c in (
    # ingest, push, build
    Code("I001", "error", "unreadable"),
    Code("I002", "error", "unknown-format"),
    Code("I003", "info", "not-an-input"),
    Code("I004", "error", "not-utf8"),
    Code("I005", "warning", "encoding"),
    Code("I006", "warning", "empty"),
    Code("I007", "info", "duplicate"),
    Code("I008", "warning", "id-clash"),
    Code("I009", "warning", "time-unparsed"),
    Code("I010", "error", "bad-json"),
    Code("I011", "error", "missing-field"),
    Code("I012", "error", "bad-comments"),
    Code("I013", "error", "bad-csv"),
    Code("I014", "error", "missing-columns"),
    Code("I015", "warning", "missing-optional-columns"),
    Code("I016", "warning", "short-row"),
    Code("I017", "warning", "conflicting-article"),
    Code("I018", "warning", "empty-comment"),
    Code("I019", "warning", "no-title"),
    Code("I020", "warning", "comments-without-header"),
    Code("I021", "warning", "comment-count"),
    Code("I022", "warning", "comments-unrecognized"),
    Code("I050", "warning", "recrawl-merged"),
    Code("I051", "error", "comments-not-parsed"),
    Code("I052", "warning", "nothing-read"),
    Code("I053", "info", "stale-tmp-removed"),
    Code("I054", "error", "unclosed-quote"),
    Code("I055", "warning", "comment-without-time"),
    Code("I056", "info", "recrawl-lacks-comments"),
    Code("I057", "warning", "stored-marks-unreadable"),
    Code("I060", "info", "near-duplicate-cluster"),
    Code("P001", "warning", "duplicate-key"),
    Code("P002", "warning", "prediction-unknown-key"),
    Code("P050", "info", "copies-removed"),
    Code("P051", "warning", "copies-kept"),
    Code("P052", "warning", "project-race"),
    Code("P060", "info", "copies-not-pushed"),
    # push --budget / schema selection (toolkit.selection)
    Code("P065", "info", "budget-exceeds-population"),
    Code("P066", "info", "budget-already-pushed"),
    Code("B001", "warning", "authors-kept"),
    Code("B003", "warning", "empty-split"),
    Code("B050", "warning", "missing-required"),
    Code("B051", "info", "cluster-joins-groups"),
    Code("B052", "warning", "clusters-not-checked"),
    Code("B060", "warning", "sample-manifest-missing"),
    # agree, sync: annotator competence (toolkit.review.competence; A055-A059 reserved)
    Code("A050", "warning", "spammer"),
    Code("A051", "warning", "constant-answer"),
    Code("A052", "info", "too-few-items"),
    # the label-model rules (toolkit.rules.label_model)
    Code("A053", "warning", "one-answer-unjudged"),
    Code("A054", "warning", "min-confidence-one"),
    # agree, build, sync: rule crowdlab (toolkit.rules.model_vote)
    Code("A070", "info", "likely-label-error"),
    # who decides an item: adjudicators and ground-truth stars (toolkit.review.adjudicators)
    Code("A060", "warning", "star-ignored"),
    Code("A061", "warning", "adjudicators-unknown"),
    Code("A062", "warning", "deciders-disagree"),
    Code("A063", "info", "ground-truth-stars"),
    # validate (toolkit.review.validate): every one says what build does about it; those
    # that make the item unusable reject it (rejected/, code "invalid")
    Code("V001", "error", "unknown-question",
         in_build="the answer is ignored; the item is kept"),
    Code("V002", "error", "unknown-label", rejects_item=True,
         in_build="item rejected (the label has no place in the dataset's ClassLabel; "
                  "dropping the answer would change the vote)"),
    Code("V003", "error", "several-choices",
         in_build="item kept; the first choice is the annotator's answer"),
    Code("V004", "error", "required-missing",
         in_build="item kept; the missing answer counts as no answer in the vote"),
    Code("V005", "error", "when-not-met",
         in_build="item kept; the answer is kept"),
    Code("V006", "error", "span-out-of-range", rejects_item=True,
         in_build="item rejected"),
    Code("V007", "error", "span-text-mismatch", rejects_item=True,
         in_build="item rejected"),
    Code("V008", "warning", "span-utf16-repaired",
         in_build="item kept, with the repaired offsets"),
    Code("V009", "error", "span-overlap",
         in_build="item kept, with both spans"),
    Code("V010", "error", "span-empty", rejects_item=True,
         in_build="item rejected"),
    Code("V011", "error", "corpus-text-changed", rejects_item=True,
         in_build="item rejected (offsets may point to other words)"),
    Code("V012", "warning", "not-in-corpus",
         in_build="item kept"),
    Code("V013", "error", "duplicate-annotator",
         in_build="item kept; only the annotator's latest annotation counts"),
    Code("V014", "warning", "under-annotated",
         in_build="item kept; aggregated from the annotators there are (min_annotations decides)"),
    Code("V015", "info", "cancelled",
         in_build="never a vote"),
    Code("V016", "info", "draft",
         in_build="never a vote"),
    Code("V017", "error", "malformed-value", rejects_item=True,
         in_build="item rejected"),
    Code("V018", "warning", "no-task-key",
         in_build="item kept, keyed task:<id>"),
    Code("V019", "error", "malformed-task", rejects_item=True,
         in_build="item rejected"),
    Code("V020", "warning", "schema-changed",
         in_build="one warning; answers read with the schema given"),
)}

#: code -> (level, name), the view most callers need
CODES: dict[str, tuple[Level, str]] = {c.code: (c.level, c.name) for c in REGISTRY.values()}
#: the codes that make an item unusable: build leaves the item out (rejected/, code
#: "invalid", with the first such finding as its reason)
REJECTS_ITEM: frozenset[str] = frozenset(c.code for c in REGISTRY.values() if c.rejects_item)
#: code -> what build does about it, for validate's codes
IN_BUILD: dict[str, str] = {c.code: c.in_build for c in REGISTRY.values()
                            if c.in_build is not None}


@dataclass(frozen=True)
class Finding:
    """One problem: ``where`` names the file (and line) or task, ``action`` what was done.

    ``code`` is stable (I003, V014, ...); ``name`` is its word (``not-an-input``), filled
    from :data:`CODES` when not given.
    """

    level: Level
    code: str
    where: str
    message: str
    action: str = ""
    name: str = field(default="", kw_only=True)  # keyword-only: subclasses add positional fields

    def __post_init__(self) -> None:
        known = REGISTRY.get(self.code)
        if not self.name and known is not None and known.named_in_line:
            object.__setattr__(self, "name", known.name)

    def line(self) -> str:
        """The one-line human form: ``file:line: info[I003 not-an-input]: message; action``."""
        tag = f"{self.code} {self.name}" if self.name else self.code
        text = f"{self.where}: {self.level}[{tag}]: {self.message}"
        return f"{text}; {self.action}" if self.action else text

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    """An ordered list of findings plus free-form counters for the run's summary."""

    findings: list[Finding] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def add(self, level: Level, code: str, where: str, message: str, action: str = "") -> Finding:
        finding = Finding(level, code, where, message, action)
        self.findings.append(finding)
        return finding

    def error(self, code: str, where: str, message: str, action: str = "") -> Finding:
        return self.add("error", code, where, message, action)

    def warning(self, code: str, where: str, message: str, action: str = "") -> Finding:
        return self.add("warning", code, where, message, action)

    def info(self, code: str, where: str, message: str, action: str = "") -> Finding:
        return self.add("info", code, where, message, action)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    def to_dict(self) -> dict:
        return {
            "counts": dict(self.counts),
            "findings": [f.to_dict() for f in self.findings],
        }
