"""Shared fixtures. ``studio``: a REAL Label Studio for the whole test session.

It is started through ``toolkit.studio.server.up`` (the code path of `corpus studio
up`) on a free loopback port with its data in a temporary folder, and stopped at
the end of the session. When label-studio is not installed the integration tests
are skipped locally, but FAIL in CI (``CI=true``): a CI run that silently skipped
them would prove nothing.

``CORPUS_TEST_STUDIO_DIR=/some/folder`` keeps the server's data between sessions
(the ~50 s first initialisation is paid once); the server is still stopped at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from toolkit.studio import server
from toolkit.studio.connection import Studio, connect


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _label_studio_installed() -> bool:
    beside = Path(sys.executable).parent / "label-studio"
    return beside.exists() or shutil.which("label-studio") is not None


@dataclass
class StudioServer:
    """What the ``studio`` fixture yields (contract in the team brief)."""

    url: str
    api_key: str = field(repr=False)
    client: object = field(repr=False)  # label_studio_sdk.LabelStudio
    data_dir: Path
    admin_email: str
    admin_password: str = field(repr=False)
    credentials_path: Path
    connection: Studio = field(repr=False)
    _annotators: dict[str, int] = field(default_factory=dict, repr=False)

    def make_annotator(self, name: str) -> int:
        """The Label Studio user id of annotator ``name``, created on first use."""
        if name in self._annotators:
            return self._annotators[name]
        email = f"{name}@annotators.test"
        for user in self.client.users.list():
            if user.email == email:
                self._annotators[name] = user.id
                return user.id
        user = self.client.users.create(
            username=name, email=email, password=secrets.token_urlsafe(12)
        )
        self._annotators[name] = user.id
        return user.id


@pytest.fixture(scope="session")
def studio(tmp_path_factory: pytest.TempPathFactory):
    """A real Label Studio for the session (see the module docstring)."""
    if not _label_studio_installed():
        message = "label-studio is not installed (pip install -e '.[server]')"
        if _in_ci():
            pytest.fail(f"integration tests need Label Studio in CI: {message}")
        pytest.skip(message)
    keep = os.environ.get("CORPUS_TEST_STUDIO_DIR")
    home = Path(keep) if keep else tmp_path_factory.mktemp("studio")
    data_dir = home / "label-studio"
    credentials_path = home / "credentials"
    status = server.up(
        port=server.free_port(), data_dir=data_dir, credentials_path=credentials_path
    )
    creds = server.read_credentials(credentials_path)
    assert creds is not None
    connection = connect(url=status.url, api_key=creds.api_key)
    try:
        yield StudioServer(
            url=status.url,
            api_key=creds.api_key,
            client=connection.client,
            data_dir=data_dir,
            admin_email=creds.email,
            admin_password=creds.password,
            credentials_path=credentials_path,
            connection=connection,
        )
    finally:
        connection.close()
        server.down(data_dir=data_dir)


@pytest.fixture
def streams(monkeypatch):
    """Counts the reads of a snapshot's task list (every review step streams it):
    ``streams["n"]``."""
    import toolkit.studio.snapshot

    count = {"n": 0}
    real = toolkit.studio.snapshot._iter_tasks

    def counted(path):
        count["n"] += 1
        return real(path)

    monkeypatch.setattr(toolkit.studio.snapshot, "_iter_tasks", counted)
    return count


_CHECKOUT_EXPORTS = Path(__file__).resolve().parent.parent / "exports"


def _files_under(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")} if folder.is_dir() \
        else set()


@pytest.fixture(autouse=True)
def checkout_exports_untouched():
    """No test writes into the checkout's exports/ (a test that runs a stage with its
    default paths must chdir into its tmp folder first): `make test` then `make demo` in
    a fresh clone leaves only the demo's files."""
    before = _files_under(_CHECKOUT_EXPORTS)
    yield
    added = sorted(_files_under(_CHECKOUT_EXPORTS) - before)
    assert not added, f"the test wrote into the checkout's exports/: {added[:5]}"
