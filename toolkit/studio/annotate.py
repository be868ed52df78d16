"""Annotating through the API: annotator accounts and annotations made on their behalf.

Label Studio lets an admin create users and record an annotation as another
user's (``completed_by``), which is how the demo and the integration tests get
several annotators without several logins (checked on 1.23.2, see GUIDE).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from ..errors import StudioError
from .connection import Studio, studio_errors

ANNOTATOR_EMAIL_DOMAIN = "annotators.corpus-toolkit.invalid"


def annotator_email(username: str) -> str:
    """The e-mail address the toolkit gives the API-made annotator ``username``."""
    return f"{username}@{ANNOTATOR_EMAIL_DOMAIN}"


def ensure_annotator(studio: Studio, username: str) -> int:
    """The user id of annotator ``username``, creating the account on first use.

    The account gets a random password that is not kept: these accounts exist
    to own annotations made through the API, not to log in.
    """
    email = annotator_email(username)
    with studio_errors(studio.url, "listing users"):
        for user in studio.client.users.list():
            if (user.email or "").lower() == email:
                return int(user.id)
    with studio_errors(studio.url, f"creating annotator {username}"):
        user = studio.client.users.create(
            username=username, email=email, password=secrets.token_urlsafe(16)
        )
    return int(user.id)


def annotators_of(studio: Studio, task_id: int) -> set[int]:
    """Ids of the users who already have an annotation on task ``task_id``."""
    with studio_errors(studio.url, f"reading annotations of task {task_id}"):
        annotations = studio.client.annotations.list(id=task_id)
    owners: set[int] = set()
    for annotation in annotations:
        owner: Any = annotation.completed_by
        if isinstance(owner, Mapping):
            owner = owner.get("id")
        if owner is not None:
            owners.add(int(owner))
    return owners


def submit_annotation(
    studio: Studio, task_id: int, result: list[dict], *, user_id: int, lead_time: float = 0.0
) -> int:
    """Record ``result`` on task ``task_id`` as a submitted annotation of ``user_id``."""
    with studio_errors(studio.url, f"annotating task {task_id}"):
        annotation = studio.client.annotations.create(
            id=task_id, result=result, completed_by=user_id, lead_time=lead_time
        )
    if annotation.id is None:
        raise StudioError(
            f"Label Studio at {studio.url} did not record the annotation on task {task_id}"
        )
    return int(annotation.id)
