"""Which annotations come from an adjudicator named in the schema (``annotation.adjudicators``).

An adjudicator's submitted answer on a task counts as ground truth, like an
annotation marked ground truth in Label Studio. Accounts are named by username
or email; an annotation in a Label Studio export says who made it in
``created_username`` ("<first> <last> <email>, <user id>", or "<username>
<email>, <id>" depending on the account) and ``completed_by`` (the user id, or
an object with ``email``). An account matches when it equals, ignoring case,
one of the words before the ", <id>" of ``created_username`` (so the email or
the username), the whole of that part, or ``completed_by``'s email.

Label Studio's export (what `corpus pull` reads) gives neither: ``completed_by``
is a bare user id. Pull writes each annotator's name ("first last e-mail", or the
username when the account has none of these) in the snapshot header's
``annotators`` map; :func:`adjudicator_ids` matches the schema's accounts against
it the same way, so an adjudicator is best named by e-mail in the schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["accounts_key", "adjudicator_ids", "by_adjudicator"]


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


def adjudicator_ids(header: Mapping[str, Any] | None, accounts: frozenset[str]) -> frozenset[str]:
    """The user ids (as strings, as aggregation keys annotators) that the snapshot
    header's ``annotators`` map names as one of ``accounts``."""
    names = header.get("annotators") if isinstance(header, Mapping) else None
    if not accounts or not isinstance(names, Mapping):
        return frozenset()
    return frozenset(str(who) for who, name in names.items()
                     if isinstance(name, str) and by_adjudicator({"created_username": name},
                                                                 accounts))
