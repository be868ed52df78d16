"""`corpus studio up | down | status`: the local Label Studio."""

from __future__ import annotations

from pathlib import Path

import typer

from ..paths import DEFAULT_CREDENTIALS, DEFAULT_DATA_DIR
from ..studio import server
from .output import out_console, say

studio_app = typer.Typer(
    name="studio",
    help=(
        "The local Label Studio (127.0.0.1, data in .corpus/label-studio/, login and API key "
        "in .corpus/credentials, mode 0600).\n\nExample: corpus studio up"
    ),
    no_args_is_help=True,
)

DataDir = typer.Option(
    DEFAULT_DATA_DIR, "--data-dir", help="Label Studio's data folder (SQLite, media, log)."
)
CredentialsPath = typer.Option(
    DEFAULT_CREDENTIALS, "--credentials", help="Where the login and API key are kept (0600)."
)


@studio_app.command("up")
def up(
    port: int = typer.Option(server.DEFAULT_PORT, "--port", help="Port on 127.0.0.1."),
    data_dir: Path = DataDir,
    credentials: Path = CredentialsPath,
    workers: int = typer.Option(
        server.DEFAULT_WORKERS,
        "--workers",
        min=1,
        help=(
            "Server processes; more than 1 runs Label Studio under gunicorn (the `server` "
            "extra installs it) and serves parallel requests, e.g. corpus pull's, on several "
            "cores; 1 runs `label-studio start`."
        ),
    ),
    timeout: float = typer.Option(180.0, "--timeout", help="Seconds to wait for it to answer."),
) -> None:
    """Start the local Label Studio on 127.0.0.1 (reuses it when already running).

    The first start initialises it (about a minute) and creates an admin
    account with a random password and an API key, kept in the credentials
    file (mode 0600) and never printed.

    Example: corpus studio up --port 8080
    """
    st = server.up(
        port=port,
        data_dir=data_dir,
        credentials_path=credentials,
        workers=workers,
        timeout=timeout,
        say=say,
    )
    verb = "started" if st.started_now else "already running"
    out_console.print(f"Label Studio {verb} at {st.url} (pid {st.pid})", markup=False)
    out_console.print(f"Login and API key: {st.credentials_path}", markup=False)


@studio_app.command("down")
def down(data_dir: Path = DataDir) -> None:
    """Stop the local Label Studio that `corpus studio up` started (by its recorded pid).

    Example: corpus studio down
    """
    if server.down(data_dir=data_dir):
        out_console.print("Label Studio stopped.")
    else:
        out_console.print(f"No Label Studio started by corpus is running for {data_dir}.")


@studio_app.command("status")
def status(data_dir: Path = DataDir, credentials: Path = CredentialsPath) -> None:
    """Say whether the local Label Studio runs, its URL and where its credentials are.

    Never prints the key itself. Exits 1 when it is not running.

    Example: corpus studio status
    """
    st = server.status(data_dir=data_dir, credentials_path=credentials)
    state = "running" if st.running else "not running"
    out_console.print(f"Label Studio: {state}", markup=False)
    out_console.print(f"URL: {st.url or '-'}", markup=False)
    if st.pid:
        out_console.print(f"pid: {st.pid}", markup=False)
    creds = st.credentials_path if st.credentials_path.exists() else "(none yet)"
    out_console.print(f"Credentials: {creds}", markup=False)
    out_console.print(f"Log: {st.log_path}", markup=False)
    if not st.running:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(studio_app, name="studio")
