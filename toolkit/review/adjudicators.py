"""Which annotations come from an adjudicator named in the schema (``annotation.adjudicators``).

An adjudicator's submitted answer on a task counts as ground truth, like an
annotation marked ground truth in Label Studio. Accounts are named by username
or email; an annotation in a Label Studio export says who made it in
``created_username`` ("<first> <last> <email>, <user id>", or "<username>
<email>, <id>" depending on the account) and ``completed_by`` (the user id, or
an object with ``email``). An account matches when it equals, ignoring case,
one of the words before the ", <id>" of ``created_username`` (so the email or
the username), the whole of that part, or ``completed_by``'s email.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def accounts_key(accounts: Iterable[str]) -> frozenset[str]:
    """The schema's adjudicators, normalised for :func:`by_adjudicator`."""
    return frozenset(a.strip().lower() for a in accounts if a and a.strip())


def by_adjudicator(annotation: Mapping[str, Any], accounts: frozenset[str]) -> bool:
    """Whether ``annotation`` was made by one of ``accounts`` (from :func:`accounts_key`)."""
    if not accounts:
        return False
    given = annotation.get("created_username")
    if isinstance(given, str):
        head, comma, tail = given.rpartition(",")
        name = (head if comma and tail.strip().isdigit() else given).strip().lower()
        if name and (name in accounts or any(word in accounts for word in name.split())):
            return True
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        email = who.get("email")
        if isinstance(email, str) and email.strip().lower() in accounts:
            return True
    return False
