"""The credentials file `corpus studio up` writes: the local server's login and API key.

    .corpus/credentials   JSON {url, email, password, api_key, data_dir}, mode 0600

Read by the connection (the local key, for the local URL only) and written by the
local server's manager; kept apart so the remote client never imports the latter.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..paths import DEFAULT_CREDENTIALS, replacing

__all__ = ["DEFAULT_CREDENTIALS", "Credentials", "read_credentials", "write_credentials"]


@dataclass(frozen=True)
class Credentials:
    """What `corpus studio up` writes to the credentials file (0600)."""

    url: str
    email: str
    password: str
    api_key: str
    data_dir: str | None = None

    def to_dict(self) -> dict:
        return {
            "url": self.url,
            "email": self.email,
            "password": self.password,
            "api_key": self.api_key,
            "data_dir": self.data_dir,
        }

    def __repr__(self) -> str:  # keep secrets out of logs and tracebacks
        return f"Credentials(url={self.url!r}, email={self.email!r}, password=***, api_key=***)"


def write_credentials(path: Path, creds: Credentials) -> None:
    """Write the credentials JSON atomically, readable by the owner only (0600)."""
    with replacing(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(creds.to_dict(), handle, indent=2)
            handle.write("\n")
        os.chmod(tmp, 0o600)


def read_credentials(path: Path) -> Credentials | None:
    """The credentials file's content, or None when there is none."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path}: unreadable credentials file ({exc.__class__.__name__}); "
            "delete it and run `corpus studio up` again"
        ) from exc
    try:
        return Credentials(
            url=data["url"],
            email=data["email"],
            password=data["password"],
            api_key=data["api_key"],
            data_dir=data.get("data_dir"),
        )
    except (KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: credentials file lacks {exc}; delete it and run `corpus studio up` again"
        ) from exc
