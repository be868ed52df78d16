"""The toolkit's exceptions.

Every error a user can cause or meet is one of these; the CLI's single top-level
handler turns them into one line on stderr and an exit status, never a traceback.

    ToolkitError              base; ``exit_code`` says how the CLI exits
    ├── InputError            an input file cannot be read or understood (exit 2)
    │   ├── SchemaError       a schema file is invalid (names file, line, column)
    │   └── SnapshotError     a snapshot file is not a readable Label Studio export
    ├── UsageError            command-line options that do not fit together (exit 2;
    │                         raised by the CLI only)
    ├── OptionError           a library call got a value it cannot use (a format, a pull
    │                         source, a repo name, an output folder holding other files)
    ├── EmptyDatasetRefused   a build with no rows would replace a dataset that has some (exit 1)
    ├── SetupError            something the toolkit needs is not set up: no Label Studio
    │                         URL or key, label-studio not installed, a port in use, no token
    ├── StudioError           Label Studio cannot be reached or refused us (exit 2)
    │   ├── StudioAuthError   the API key was refused (401/403)
    │   └── StudioUnreachable no answer at the URL, after retries
    ├── PublishError          the Hugging Face Hub refused the upload or could not be reached
    ├── Busy                  another run holds the lock it needs, past --lock-timeout (exit 2)
    └── Interrupted           Ctrl-C: says what was done and how to continue (exit 130)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .findings import Finding


class ToolkitError(Exception):
    """Base of every error the toolkit raises on purpose."""

    exit_code: int = 2


class InputError(ToolkitError):
    """An input file cannot be read or understood."""


class SchemaError(InputError):
    """A schema file is invalid; the message names file, line and column."""


class SnapshotError(InputError):
    """A snapshot file is not JSON, not a Label Studio export, or truncated."""


class UsageError(ToolkitError):
    """Command-line options or arguments that do not fit together (the CLI raises it;
    the library raises the domain errors below)."""


class OptionError(ToolkitError):
    """A library call was given a value it cannot use."""


class SetupError(ToolkitError):
    """Something the toolkit needs is not set up (a server, a key, a tool, a token)."""


class EmptyDatasetRefused(ToolkitError):
    """A build with no rows would replace a dataset that has rows; nothing was changed.
    ``findings``: the build's findings so far (why the rows went), for the caller to show."""

    exit_code = 1

    def __init__(self, message: str, *, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings: list[Finding] = list(findings)


class StudioError(ToolkitError):
    """Label Studio answered with an error we cannot work around."""


class StudioAuthError(StudioError):
    """Label Studio refused the API key."""


class StudioUnreachable(StudioError):
    """Nothing answered at the Label Studio URL, even after retries."""


class PublishError(ToolkitError):
    """The Hugging Face Hub refused the upload, or could not be reached."""


class Busy(ToolkitError):
    """Another run holds a lock this one needs (e.g. a push of the same schema), too long."""


class Interrupted(ToolkitError):
    """The user pressed Ctrl-C; the message says what was done and how to continue."""

    exit_code = 130
