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


@dataclass(frozen=True)
class Finding:
    """One problem: ``where`` names the file (and line) or task, ``action`` what was done."""

    level: Level
    code: str
    where: str
    message: str
    action: str = ""

    def line(self) -> str:
        """The one-line human form: ``file:line: warning[code]: message (action)``."""
        text = f"{self.where}: {self.level}[{self.code}]: {self.message}"
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
