"""The local Label Studio: start, stop and inspect the server `corpus studio up` runs.

Layout (defaults; every path can be given explicitly):

    .corpus/credentials              JSON {url, email, password, api_key, data_dir}, mode 0600
    .corpus/label-studio/            LABEL_STUDIO_BASE_DATA_DIR: SQLite database, media, .env
    .corpus/label-studio/server.pid  JSON {pid, port, url, started, proc_start}
    .corpus/label-studio/server.log  the server's stdout and stderr (never ours)

The API key: Label Studio 1.23 creates organizations with legacy tokens disabled,
and the personal access tokens it offers instead are JWT refresh tokens, signed
with the server's SECRET_KEY, that expire and must be exchanged for short-lived
access tokens before every raw HTTP call. The first start therefore runs
``label-studio init`` with ``--enable-legacy-api-token`` and a random token of
ours (``LABEL_STUDIO_USER_TOKEN``, passed in the environment so it never shows in
the process list): the key is known before the server runs, it never expires,
both the SDK (``Authorization: Token``) and plain httpx calls accept it, and no
HTTP login dance is needed. When a key is refused all the same (e.g. a data
folder initialised by hand), :func:`obtain_api_key` runs the session flow the
GUIDE describes: log in with the csrftoken, enable legacy tokens through
``/api/jwt/settings``, read ``/api/current-user/token``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx

from ..errors import SetupError, StudioError
from ..paths import DEFAULT_CREDENTIALS, DEFAULT_DATA_DIR, replacing
from .credentials import Credentials, read_credentials, write_credentials

DEFAULT_PORT = 8080
# Two gunicorn worker processes: parallel requests (pull's export chunks, pages) are
# served on both cores; measured in bench/bench_pull.py. 1 = `label-studio start`.
DEFAULT_WORKERS = 2
HOST = "127.0.0.1"
ADMIN_EMAIL = "admin@corpus.local"
INIT_MARKER = "corpus-initialized"
PID_FILE = "server.pid"
LOG_FILE = "server.log"

# Environment entries that would change which database or user the local server uses.
_CLEARED_ENV = (
    "LABEL_STUDIO_USERNAME",
    "LABEL_STUDIO_PASSWORD",
    "LABEL_STUDIO_USER_TOKEN",
    "DATABASE_NAME",
    "LABEL_STUDIO_DATABASE_NAME",
)


@dataclass(frozen=True)
class ServerStatus:
    """The answer of :func:`status` and :func:`up`; holds no secret."""

    running: bool
    url: str | None
    pid: int | None
    data_dir: Path
    credentials_path: Path
    log_path: Path
    started_now: bool = False


# ---------------------------------------------------------------- files


def _proc_start_time(pid: int) -> str | None:
    """The kernel's start time of a process (Linux /proc), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(data_dir: Path) -> dict | None:
    """The recorded server process, only if that very process still runs."""
    path = data_dir / PID_FILE
    try:
        record = json.loads(path.read_text())
        pid = int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        return None
    recorded = record.get("proc_start")
    if recorded is not None and _proc_start_time(pid) not in (None, recorded):
        return None  # the pid was reused by another process
    return record


# ---------------------------------------------------------------- the executable


def label_studio_executable() -> str:
    """The `label-studio` next to this Python (a venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "label-studio"
    if beside.exists():
        return str(beside)
    found = shutil.which("label-studio")
    if found:
        return found
    raise SetupError(
        "label-studio is not installed; install the server extra: "
        "pip install -e '.[server]' (or `make test`, which does it)"
    )


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED_ENV}
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            # SQLite in data_dir unless the caller chose a database: DJANGO_DB=default with
            # POSTGRE_NAME/USER/PASSWORD/HOST/PORT (kept as given) is Label Studio on PostgreSQL.
            "DJANGO_DB": os.environ.get("DJANGO_DB") or "sqlite",
            "LATEST_VERSION_CHECK": "false",
            # get_env() reads LABEL_STUDIO_X before X: blank out the shell's HOST/USERNAME.
            "LABEL_STUDIO_HOST": "",
            "LABEL_STUDIO_USERNAME": "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nobody listens on right now (for tests and benches)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- init, start, stop


def _init(data_dir: Path, creds: Credentials, log_path: Path, timeout: float) -> None:
    """Run `label-studio init` once: migrations, the admin account, its legacy token."""
    env = _server_env(data_dir)
    env.update(
        {
            "LABEL_STUDIO_USERNAME": creds.email,
            "LABEL_STUDIO_PASSWORD": creds.password,
            "LABEL_STUDIO_USER_TOKEN": creds.api_key,
        }
    )
    cmd = [label_studio_executable(), "init", "--no-browser", "-q", "--enable-legacy-api-token"]
    with log_path.open("ab") as log:
        log.write(f"\n=== corpus: label-studio init at {_now()} ===\n".encode())
        log.flush()
        try:
            done = subprocess.run(
                cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                timeout=timeout, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise StudioError(
                f"`label-studio init` did not finish within {timeout:.0f} s; see {log_path}"
            ) from exc
    if done.returncode != 0:
        raise StudioError(
            f"`label-studio init` failed (exit {done.returncode}); see {log_path}"
        )
    with replacing(data_dir / INIT_MARKER) as tmp:
        tmp.write_text(_now() + "\n")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _start_command(port: int, workers: int, data_dir: Path) -> list[str]:
    if workers <= 1:
        return [
            label_studio_executable(), "start", "--no-browser",
            "--internal-host", HOST, "--port", str(port),
        ]
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        raise SetupError(
            "--workers > 1 needs gunicorn next to this Python: pip install gunicorn"
        )
    import label_studio

    site = Path(label_studio.__file__).parent
    return [
        str(gunicorn), "core.wsgi:application", "--chdir", str(site),
        "-w", str(workers), "-b", f"{HOST}:{port}", "--timeout", "600",
    ]


def _healthy(url: str) -> bool:
    try:
        response = httpx.get(f"{url}/health", timeout=3)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _key_works(url: str, api_key: str) -> bool:
    response = httpx.get(
        f"{url}/api/current-user/whoami",
        headers={"Authorization": f"Token {api_key}"},
        timeout=30,
    )
    return response.status_code == 200


def obtain_api_key(url: str, email: str, password: str) -> str:
    """Log in with a session and return the user's legacy API token, enabling legacy
    tokens for the organization first (GUIDE, "Label Studio facts")."""
    with httpx.Client(base_url=url, timeout=30, follow_redirects=False) as session:
        session.get("/user/login/")
        csrf = session.cookies.get("csrftoken")
        if not csrf:
            raise StudioError(f"{url}: no csrftoken cookie from /user/login/; is it Label Studio?")
        login = session.post(
            "/user/login/",
            data={"email": email, "password": password, "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{url}/user/login/"},
        )
        if login.status_code not in (302, 303) or "sessionid" not in session.cookies:
            raise StudioError(f"{url}: login as {email} failed; check the credentials file")
        headers = {"X-CSRFToken": session.cookies.get("csrftoken", csrf) or "", "Referer": url}
        enabled = session.post(
            "/api/jwt/settings", json={"legacy_api_tokens_enabled": True}, headers=headers
        )
        if enabled.status_code >= 400:
            raise StudioError(
                f"{url}: could not enable legacy API tokens (HTTP {enabled.status_code})"
            )
        token = session.get("/api/current-user/token", headers=headers)
        if token.status_code != 200:
            raise StudioError(f"{url}: could not read the API token (HTTP {token.status_code})")
        return token.json()["token"]


def up(
    *,
    port: int = DEFAULT_PORT,
    data_dir: Path = DEFAULT_DATA_DIR,
    credentials_path: Path = DEFAULT_CREDENTIALS,
    workers: int = DEFAULT_WORKERS,
    timeout: float = 180.0,
    init_timeout: float = 600.0,
    say: Callable[[str], None] | None = None,
) -> ServerStatus:
    """Start the local Label Studio (initialising it on first start) and wait until healthy.

    Idempotent: when the server recorded in ``data_dir`` still runs, returns its status.
    ``say`` receives progress lines (the CLI prints them on stderr).
    """
    say = say or (lambda _line: None)
    data_dir = Path(data_dir).absolute()
    credentials_path = Path(credentials_path).absolute()
    log_path = data_dir / LOG_FILE
    running = _read_pid(data_dir)
    if running is not None:
        return status(data_dir=data_dir, credentials_path=credentials_path)
    if not _port_free(port):
        raise SetupError(
            f"port {port} on {HOST} is in use by another program; choose one with --port"
        )
    url = f"http://{HOST}:{port}"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)

    creds = read_credentials(credentials_path)
    if not (data_dir / INIT_MARKER).exists():
        if creds is not None and creds.data_dir == str(data_dir):
            pass  # an earlier init was interrupted: keep the account it may have created
        else:
            creds = None
        creds = creds or Credentials(
            url=url,
            email=ADMIN_EMAIL,
            password=secrets.token_urlsafe(12),
            api_key=secrets.token_hex(20),
            data_dir=str(data_dir),
        )
        # Written before init so that a crash mid-way never loses the account's password.
        write_credentials(credentials_path, creds)
        say(f"First start: initialising Label Studio in {data_dir} (about a minute) ...")
        _init(data_dir, creds, log_path, init_timeout)
    elif creds is None:
        raise SetupError(
            f"{data_dir} holds a Label Studio but {credentials_path} is missing; restore it, "
            f"or delete {data_dir} to start afresh"
        )
    creds = Credentials(creds.url, creds.email, creds.password, creds.api_key, str(data_dir))
    if creds.url != url:
        creds = Credentials(url, creds.email, creds.password, creds.api_key, str(data_dir))
    write_credentials(credentials_path, creds)

    say(f"Starting Label Studio on {url} (log: {log_path}) ...")
    env = _server_env(data_dir)
    if workers > 1:
        env["DJANGO_SETTINGS_MODULE"] = "core.settings.label_studio"
    with log_path.open("ab") as log:
        log.write(f"\n=== corpus: start on {url} at {_now()} ===\n".encode())
        log.flush()
        process = subprocess.Popen(
            _start_command(port, workers, data_dir),
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: `down` stops it and its workers
        )
    record = {
        "pid": process.pid,
        "port": port,
        "url": url,
        "workers": workers,
        "started": _now(),
        "proc_start": _proc_start_time(process.pid),
    }
    with replacing(data_dir / PID_FILE) as tmp:  # never a torn pid file
        tmp.write_text(json.dumps(record) + "\n")

    deadline = time.monotonic() + timeout
    while not _healthy(url):
        if process.poll() is not None:
            (data_dir / PID_FILE).unlink(missing_ok=True)
            raise StudioError(
                f"Label Studio exited during start (exit {process.returncode}); see {log_path}"
            )
        if time.monotonic() > deadline:
            _stop_pid(process.pid)
            (data_dir / PID_FILE).unlink(missing_ok=True)
            raise StudioError(
                f"Label Studio did not answer on {url} within {timeout:.0f} s; see {log_path}"
            )
        time.sleep(0.5)

    if not _key_works(url, creds.api_key):
        say("The stored API key was refused; obtaining one by logging in ...")
        key = obtain_api_key(url, creds.email, creds.password)
        creds = Credentials(url, creds.email, creds.password, key, str(data_dir))
        write_credentials(credentials_path, creds)
    result = status(data_dir=data_dir, credentials_path=credentials_path)
    return ServerStatus(**{**result.__dict__, "started_now": True})


def _stop_pid(pid: int, timeout: float = 20.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            finished = 0 if _alive(pid) else pid
        if finished == pid or not _alive(pid):
            return
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def down(*, data_dir: Path = DEFAULT_DATA_DIR) -> bool:
    """Stop the server `up` started in ``data_dir``; False when none was running."""
    data_dir = Path(data_dir).absolute()
    record = _read_pid(data_dir)
    if record is None:
        (data_dir / PID_FILE).unlink(missing_ok=True)
        return False
    _stop_pid(int(record["pid"]))
    (data_dir / PID_FILE).unlink(missing_ok=True)
    return True


def status(
    *, data_dir: Path = DEFAULT_DATA_DIR, credentials_path: Path = DEFAULT_CREDENTIALS
) -> ServerStatus:
    """Whether the local server runs, its URL, and where its credentials are."""
    data_dir = Path(data_dir).absolute()
    record = _read_pid(data_dir)
    url = record["url"] if record else None
    if url is None:
        creds = read_credentials(credentials_path)
        url = creds.url if creds else None
    return ServerStatus(
        running=record is not None and _healthy(record["url"]),
        url=url,
        pid=int(record["pid"]) if record else None,
        data_dir=data_dir,
        credentials_path=Path(credentials_path).absolute(),
        log_path=data_dir / LOG_FILE,
    )
