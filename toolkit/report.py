"""Findings: one record per problem met in an input, shared by every stage.

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

# Stable finding codes of ingest (I), push (P) and build (B): code -> (level, name). The
# names are the words these findings carried before they had codes. Validate's codes
# (V001-V020) are in toolkit.validate.CODES. docs/findings.md has one row per code of
# every stage, checked by tests/test_findings_doc.py; a code is never reused (B002,
# retired, became V020).
CODES: dict[str, tuple[Level, str]] = {
    "I001": ("error", "unreadable"),
    "I002": ("error", "unknown-format"),
    "I003": ("info", "not-an-input"),
    "I004": ("error", "not-utf8"),
    "I005": ("warning", "encoding"),
    "I006": ("warning", "empty"),
    "I007": ("info", "duplicate"),
    "I008": ("warning", "id-clash"),
    "I009": ("warning", "time-unparsed"),
    "I010": ("error", "bad-json"),
    "I011": ("error", "missing-field"),
    "I012": ("error", "bad-comments"),
    "I013": ("error", "bad-csv"),
    "I014": ("error", "missing-columns"),
    "I015": ("warning", "missing-optional-columns"),
    "I016": ("warning", "short-row"),
    "I017": ("warning", "conflicting-article"),
    "I018": ("warning", "empty-comment"),
    "I019": ("warning", "no-title"),
    "I020": ("warning", "comments-without-header"),
    "I021": ("warning", "comment-count"),
    "I022": ("warning", "comments-unrecognized"),
    "I050": ("warning", "recrawl-merged"),
    "I051": ("error", "comments-not-parsed"),
    "I052": ("warning", "nothing-read"),
    "I053": ("info", "stale-tmp-removed"),
    "I054": ("error", "unclosed-quote"),
    "I055": ("warning", "comment-without-time"),
    "I056": ("info", "recrawl-lacks-comments"),
    "I057": ("warning", "stored-marks-unreadable"),
    "I060": ("info", "near-duplicate-cluster"),
    "P001": ("warning", "duplicate-key"),
    "P002": ("warning", "prediction-unknown-key"),
    "P050": ("info", "copies-removed"),
    "P051": ("warning", "copies-kept"),
    "P052": ("warning", "project-race"),
    "P060": ("info", "copies-not-pushed"),
    # push --budget / schema selection (toolkit.selection)
    "P065": ("info", "budget-exceeds-population"),
    "P066": ("info", "budget-already-pushed"),
    "B001": ("warning", "authors-kept"),
    "B003": ("warning", "empty-split"),
    "B050": ("warning", "missing-required"),
    "B051": ("info", "cluster-joins-groups"),
    "B052": ("warning", "clusters-not-checked"),
    "B060": ("warning", "sample-manifest-missing"),
    # agree, sync: annotator competence (toolkit.review.competence; A055-A059 reserved)
    "A050": ("warning", "spammer"),
    "A051": ("warning", "constant-answer"),
    "A052": ("info", "too-few-items"),
    # the label-model rules (toolkit.rules.label_model)
    "A053": ("warning", "one-answer-unjudged"),
    "A054": ("warning", "min-confidence-one"),
    # who decides an item: adjudicators and ground-truth stars (toolkit.review.adjudicators)
    "A060": ("warning", "star-ignored"),
    "A061": ("warning", "adjudicators-unknown"),
    "A062": ("warning", "deciders-disagree"),
    "A063": ("info", "ground-truth-stars"),
}


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
        if not self.name and self.code in CODES:
            object.__setattr__(self, "name", CODES[self.code][1])

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
