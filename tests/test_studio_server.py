"""The local Label Studio (`corpus studio up/down/status`) and the connection's errors."""

from __future__ import annotations

import json
import socket
import stat
import subprocess
import sys
import threading
import time

import pytest

from toolkit.cli import main
from toolkit.errors import SetupError, StudioAuthError, StudioError, StudioUnreachable
from toolkit.studio import server
from toolkit.studio.connection import connect, resolve


@pytest.mark.integration
def test_fixture_server_is_up_with_private_credentials(studio):
    st = server.status(data_dir=studio.data_dir, credentials_path=studio.credentials_path)
    assert st.running and st.url == studio.url
    assert st.url.startswith("http://127.0.0.1:")
    mode = stat.S_IMODE(studio.credentials_path.stat().st_mode)
    assert mode == 0o600
    saved = json.loads(studio.credentials_path.read_text())
    assert set(saved) >= {"url", "email", "password", "api_key"}
    assert saved["api_key"] == studio.api_key
    assert studio.connection.whoami()["email"] == studio.admin_email
    log = (studio.data_dir / server.LOG_FILE).read_text(errors="replace")
    assert studio.api_key not in log and studio.admin_password not in log


@pytest.mark.integration
def test_status_cli_names_url_and_credentials_but_never_the_key(studio, capsys):
    code = main(
        ["studio", "status", "--data-dir", str(studio.data_dir),
         "--credentials", str(studio.credentials_path)]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert "Label Studio: running" in out
    assert f"URL: {studio.url}" in out
    assert str(studio.credentials_path) in out
    assert studio.api_key not in out + err and studio.admin_password not in out + err


@pytest.mark.integration
def test_up_again_is_idempotent(studio, capsys):
    code = main(
        ["studio", "up", "--data-dir", str(studio.data_dir),
         "--credentials", str(studio.credentials_path)]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert f"Label Studio already running at {studio.url}" in out
    assert studio.api_key not in out + err


@pytest.mark.integration
def test_wrong_key_is_one_line_naming_the_url_not_the_key(studio, capsys):
    with pytest.raises(StudioAuthError) as caught:
        connect(url=studio.url, api_key="wrong-key-123456")
    message = str(caught.value)
    assert "\n" not in message
    assert studio.url in message and "401" in message
    assert "wrong-key-123456" not in message


@pytest.mark.integration
def test_wrong_key_through_the_sdk_is_mapped_too(studio):
    conn = connect(url=studio.url, api_key="wrong-key-123456", check=False)
    with pytest.raises(StudioAuthError):
        conn.client.projects.list()


@pytest.mark.integration
def test_down_then_retry_while_restarting_then_up(studio, capsys):
    """Stop the server; a request retries (and says so) while it comes back up."""
    assert server.down(data_dir=studio.data_dir) is True
    assert server.status(data_dir=studio.data_dir).running is False
    assert main(["studio", "status", "--data-dir", str(studio.data_dir)]) == 1
    capsys.readouterr()
    port = int(studio.url.rsplit(":", 1)[1])
    restarted: list = []

    def restart() -> None:
        time.sleep(1.0)
        restarted.append(
            server.up(port=port, data_dir=studio.data_dir, credentials_path=studio.credentials_path)
        )

    thread = threading.Thread(target=restart)
    thread.start()
    try:
        conn = connect(url=studio.url, api_key=studio.api_key, retries=10)
        assert conn.whoami()["email"] == studio.admin_email
    finally:
        thread.join()
    assert restarted and restarted[0].url == studio.url
    err = capsys.readouterr().err
    assert "connection refused; retrying" in err
    assert studio.api_key not in err


def test_unreachable_after_retries_is_one_line(capsys):
    port = server.free_port()
    with pytest.raises(StudioUnreachable) as caught:
        connect(url=f"http://127.0.0.1:{port}", api_key="k", retries=2)
    message = str(caught.value)
    assert "\n" not in message and f"127.0.0.1:{port}" in message
    assert "after 3 attempts" in message
    assert capsys.readouterr().err.count("retrying") == 2


def test_secrets_in_url_are_not_printed():
    port = server.free_port()
    with pytest.raises(StudioUnreachable) as caught:
        connect(url=f"http://user:hunter2@127.0.0.1:{port}/", api_key="k", retries=0)
    assert "hunter2" not in str(caught.value)


def test_resolution_order_and_no_local_key_for_another_server(tmp_path, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    creds_path = tmp_path / "credentials"
    with pytest.raises(SetupError, match="corpus studio up"):
        resolve(credentials_path=creds_path)
    server.write_credentials(
        creds_path, server.Credentials("http://127.0.0.1:9999", "a@b.c", "pw", "localkey")
    )
    assert stat.S_IMODE(creds_path.stat().st_mode) == 0o600
    assert resolve(credentials_path=creds_path)[:2] == ("http://127.0.0.1:9999", "localkey")
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://studio.example.org")
    with pytest.raises(SetupError, match="no API key for http://studio.example.org"):
        resolve(credentials_path=creds_path)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "envkey")
    assert resolve(credentials_path=creds_path)[:2] == ("http://studio.example.org", "envkey")
    assert resolve("http://x.org", "argkey", credentials_path=creds_path)[:2] == (
        "http://x.org", "argkey",
    )


def test_down_never_stops_a_process_it_did_not_start(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / server.PID_FILE).write_text(
            json.dumps({"pid": sleeper.pid, "url": "http://127.0.0.1:1", "proc_start": "1"})
        )
        assert server.down(data_dir=tmp_path) is False
        assert sleeper.poll() is None
        assert not (tmp_path / server.PID_FILE).exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_busy_port_is_a_usage_error(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(SetupError, match=f"port {port} .* in use"):
            server.up(port=port, data_dir=tmp_path / "ls", credentials_path=tmp_path / "c")


def test_missing_label_studio_is_a_usage_error(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SetupError, match="label-studio is not installed"):
        server.label_studio_executable()


def test_credentials_repr_hides_secrets():
    creds = server.Credentials("http://h", "e@x", "pw-secret", "key-secret")
    assert "pw-secret" not in repr(creds) and "key-secret" not in repr(creds)


@pytest.mark.integration
def test_session_login_flow_returns_the_admins_working_api_key(studio):
    """The fallback `up` uses when a stored key is refused: GUIDE's session login, legacy
    tokens enabled, the user's token read back (checked against the real server)."""
    key = server.obtain_api_key(studio.url, studio.admin_email, studio.admin_password)
    assert key == studio.api_key
    with pytest.raises(StudioError, match="login as admin@corpus.local failed"):
        server.obtain_api_key(studio.url, studio.admin_email, "not-the-password")
    checked = connect(studio.url, key)
    try:
        assert checked.whoami()["email"] == studio.admin_email
    finally:
        checked.close()
