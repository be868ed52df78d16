"""Who decides an item: the schema's adjudicators and Label Studio's ground-truth stars.

An account that can sign up on a Label Studio server can change its own first and
last name (``PATCH /api/users/<id>/``) and star its own annotation as ground truth
(``PATCH /api/annotations/<id>/``), but not its e-mail (405 on 1.23). So:

- an adjudicator listed in ``annotation.adjudicators`` is matched by the account's
  e-mail (as `corpus pull` records it in the snapshot header's
  ``annotator_emails`` map, or an export's ``completed_by`` object gives it) or by
  user id (an integer entry), never by a name;
- when the schema lists adjudicators, a ground-truth star counts only on an
  adjudicator's annotation; a star on anyone else's is ignored (finding
  :data:`STAR_IGNORED`, naming the account);
- without adjudicators listed, a star decides as it always did, and the review
  says who starred what (:data:`STARS`).

An old snapshot (pulled before ``annotator_emails`` existed, or a plain export)
cannot tell who an adjudicator listed by e-mail is: :data:`UNIDENTIFIED` says so
once, and their answers then count as any annotator's.

:class:`GoldPolicy` holds the decision for one snapshot; ``aggregate_task`` asks it
per task (:meth:`GoldPolicy.decides`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..findings import Finding
from ..schema import Schema

__all__ = ["CONFLICT", "STARS", "STAR_IGNORED", "UNIDENTIFIED", "GoldPolicy", "gold_policy",
           "stars_findings"]

STAR_IGNORED = "A060"   # warning: a ground-truth star on a non-adjudicator's annotation
UNIDENTIFIED = "A061"   # warning: adjudicators listed by e-mail, the snapshot has no e-mails
CONFLICT = "A062"       # warning: two deciding answers on one item disagree
STARS = "A063"          # info: who starred what (no adjudicators listed)


@dataclass(frozen=True)
class GoldPolicy:
    """Which annotations decide an item, for one snapshot under one schema.

    ``listed``: the schema names adjudicators (then only their annotations decide);
    ``ids``: the annotator ids (aggregation's keys) that are adjudicators; ``emails``:
    the schema's e-mail entries, lower-cased, for exports whose ``completed_by`` is an
    object with the e-mail; ``names``: id -> readable name, for findings only."""

    listed: bool = False
    ids: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    names: Mapping[str, str] | None = None

    def is_adjudicator(self, who: str, annotation: Mapping[str, Any]) -> bool:
        """Whether annotator ``who`` (the aggregation key of ``annotation``) is one of the
        schema's adjudicators: by user id, or by the e-mail of a ``completed_by`` object."""
        if who in self.ids:
            return True
        by = annotation.get("completed_by")
        if type(by) is dict and self.emails:
            email = by.get("email")
            return isinstance(email, str) and email.strip().lower() in self.emails
        return False

    def decides(self, who: str, annotation: Mapping[str, Any]) -> bool:
        """Whether ``annotation`` (by ``who``) is ground truth for its item."""
        if self.listed:
            return self.is_adjudicator(who, annotation)
        return bool(annotation.get("ground_truth"))

    def ignored_star(self, who: str, annotation: Mapping[str, Any]) -> bool:
        """A ground-truth star that does not count: on a non-adjudicator's annotation."""
        return (self.listed and bool(annotation.get("ground_truth"))
                and not self.is_adjudicator(who, annotation))

    def label(self, who: str) -> str:
        """``who`` as findings name an account: "annotator 7 (Eve eve@x.org)"."""
        name = self.names.get(who) if self.names else None
        return f"annotator {who} ({name})" if name else f"annotator {who}"


def _entries(accounts: Iterable[str | int]) -> tuple[frozenset[str], frozenset[str]]:
    """The schema's adjudicators as (user ids, lower-cased e-mails)."""
    ids, emails = set(), set()
    for account in accounts:
        if isinstance(account, int) and not isinstance(account, bool):
            ids.add(str(account))
        elif isinstance(account, str) and account.strip():
            emails.add(account.strip().lower())
    return frozenset(ids), frozenset(emails)


def gold_policy(schema: Schema, header: Mapping[str, Any] | None,
                where: str = "snapshot") -> tuple[GoldPolicy, list[Finding]]:
    """The :class:`GoldPolicy` of a snapshot (its ``header``) under ``schema``, and the
    finding :data:`UNIDENTIFIED` when adjudicators listed by e-mail cannot be found in it."""
    header = header if isinstance(header, Mapping) else {}
    names = header.get("annotators")
    names = {str(k): v for k, v in names.items() if isinstance(v, str)} \
        if isinstance(names, Mapping) else {}
    accounts = schema.annotation.adjudicators
    if not accounts:
        return GoldPolicy(names=names), []
    ids, emails = _entries(accounts)
    recorded = header.get("annotator_emails")
    findings: list[Finding] = []
    if isinstance(recorded, Mapping):
        ids = ids | {str(who) for who, email in recorded.items()
                     if isinstance(email, str) and email.strip().lower() in emails}
    elif emails:
        findings.append(Finding(
            "warning", UNIDENTIFIED, where,
            f"the snapshot does not record the annotators' e-mails (pulled by an older "
            f"`corpus pull`, or a plain export), so the adjudicators "
            f"{', '.join(sorted(emails))} cannot be identified",
            "their answers count as any annotator's and ground-truth stars are ignored; "
            "run `corpus pull` again"))
    return GoldPolicy(listed=True, ids=ids, emails=emails, names=names), findings


def stars_findings(starred: Mapping[str, list[Any]], policy: GoldPolicy,
                   where: str = "snapshot") -> list[Finding]:
    """:data:`STARS`, one per account: whose ground-truth stars decided which tasks (no
    adjudicators listed: any account's star decides)."""
    out = []
    for who, tasks in sorted(starred.items()):
        shown = ", ".join(str(t) for t in tasks[:10]) + (", ..." if len(tasks) > 10 else "")
        out.append(Finding(
            "info", STARS, where,
            f"{policy.label(who)} marked {len(tasks)} annotation(s) ground truth, which "
            f"decided task(s) {shown}",
            "no adjudicators are listed in the schema, so any account's star decides; list "
            "them (annotation.adjudicators) to accept only theirs"))
    return out
