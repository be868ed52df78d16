"""Bad input the hostile test of issue 13 met: one line on stderr, exit 2, no traceback."""

from __future__ import annotations

import pytest

from toolkit.cli import main
from toolkit.errors import SetupError
from toolkit.studio.connection import resolve

SCHEMA = "schemas/comment_stance.yaml"


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("Error: "), err
    return lines[0]


def test_binary_schema_file_is_one_line(tmp_path, capsys):
    """Issue 13 item 8: a file of control bytes raised yaml's ReaderError (a traceback)."""
    bad = tmp_path / "b.yaml"
    bad.write_bytes(b"\x00\x01\x02")
    assert main(["schema", "check", str(bad)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"Error: {bad}:1:1: not valid YAML: character #x0000"), line


def test_control_character_inside_a_schema_names_its_line_and_column(tmp_path, capsys):
    bad = tmp_path / "c.yaml"
    bad.write_text("name: x\nti\x07tle: y\n", encoding="utf-8")
    assert main(["schema", "check", str(bad)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"Error: {bad}:2:3: not valid YAML: character #x0007"), line


def test_url_with_a_port_out_of_range_is_one_line(monkeypatch, capsys):
    """Issue 13 item 8: LABEL_STUDIO_URL=http://127.0.0.1:99999 raised ValueError (port)."""
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:99999")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "x")
    assert main(["pull", "--schema", SCHEMA]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "'http://127.0.0.1:99999' is not a usable Label Studio URL: port out of range" in line


def test_garbage_url_without_a_key_names_the_url(monkeypatch, tmp_path):
    """Issue 13 item 13: the URL is the problem to name, not the missing key."""
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.setenv("LABEL_STUDIO_URL", "not a url")
    with pytest.raises(SetupError) as info:
        resolve(credentials_path=tmp_path / "none")
    assert str(info.value).startswith(
        "--url/LABEL_STUDIO_URL 'not a url' is not a usable Label Studio URL: it does not "
        "start with http:// or https://"
    )


def test_bad_url_message_never_shows_a_password(tmp_path):
    with pytest.raises(SetupError) as info:
        resolve("http://user:s3cret@[::1", "k", credentials_path=tmp_path / "none")
    assert "s3cret" not in str(info.value)
    assert "'http://[::1'" in str(info.value)


@pytest.mark.parametrize("argv, start", [
    (["push", "--bogus"], "Error: No such option: --bogus"),
    (["push"], "Error: Missing option '--schema'"),
    (["pull", "--schema", SCHEMA, "--workers", "0"], "Error: Invalid value for '--workers'"),
    (["no-such-stage"], "Error: No such command 'no-such-stage'."),
])
def test_usage_errors_are_one_line_not_a_box(argv, start, capsys):
    """Issue 13 item 13: typer printed usage, a hint and a 3-line box (5 lines)."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    line = _one_error_line(captured.err)
    assert line.startswith(start), line
    assert line.endswith("--help`)"), line
    assert "╭" not in captured.err and captured.out == ""


def test_help_still_works(capsys):
    assert main(["push", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: corpus push" in out and "--dry-run" in out
    assert main(["--help"]) == 0
    assert "Usage: corpus" in capsys.readouterr().out


def test_out_without_dry_run_is_refused_before_anything_is_pushed(tmp_path, monkeypatch,
                                                                  capsys):
    """Issue 13 item 13: `push --out F` without --dry-run pushed for real and ignored F."""
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:1")  # nothing listens there
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "k")
    out = tmp_path / "tasks.json"
    assert main(["push", "--schema", SCHEMA, "--corpus", "samples/none.jsonl",
                 "--out", str(out)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"Error: --out {out} is only for --dry-run"), line
    assert "nothing was pushed" in line
    assert not out.exists()


# /dev/zero takes the same path, but old code ate memory on it: not tried here
@pytest.mark.parametrize("device", ["/dev/null"])
def test_schema_check_of_a_device_is_one_line(device, capsys):
    """Issue 17 item 12: `corpus schema check /dev/zero` grew memory until killed."""
    assert main(["schema", "check", device]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line == f"Error: {device}: a device, not a schema file; give the path of the " \
                   "schema's YAML file", line


# Issue 17 item 11: URLs that gave a traceback or 30 s of retries.

@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1:8080?x=1", "it has a query string (?...)"),
    ("http://127.0.0.1:8080/?a=b", "it has a query string (?...)"),
    ("http://127.0.0.1:8080/#top", "it has a fragment (#...)"),
    ("http://%zz", "'%zz' is not a host name"),
    ("http://a b:8080", "'a b' is not a host name"),
])
def test_unusable_url_is_one_line_at_once(url, reason, capsys):
    """A query string raised JSONDecodeError from whoami; %zz was retried for 30 s."""
    import time

    started = time.monotonic()
    assert main(["pull", "--schema", SCHEMA, "--url", url, "--api-key", "k"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"Error: --url/LABEL_STUDIO_URL {url!r} is not a usable Label "
                           f"Studio URL: {reason}"), line
    assert line.endswith("give one like http://127.0.0.1:8080"), line
    assert time.monotonic() - started < 5


def test_ipv6_url_keeps_its_brackets(tmp_path):
    """`--url http://[::1]:8080` raised ValueError: safe_url dropped the brackets."""
    from toolkit.studio.connection import safe_url

    assert safe_url("http://user:pw@[::1]:8080/?q=1") == "http://[::1]:8080"
    assert resolve("http://[::1]:8080", "k", credentials_path=tmp_path / "none")[0] == (
        "http://[::1]:8080")


@pytest.fixture
def html_server():
    """A web server that is not Label Studio: every path answers 200 with an HTML page."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            body = b"<!doctype html><title>not Label Studio</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_server_answering_html_is_one_line(html_server, capsys):
    """What a query string led to: an HTML page where whoami's JSON was expected."""
    assert main(["pull", "--schema", SCHEMA, "--url", html_server + "/somewhere",
                 "--api-key", "k"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line == (f"Error: {html_server}/somewhere answered GET /api/current-user/whoami "
                    "with text/html, not a Label Studio user; is this the address of a Label "
                    "Studio (nothing after its host and port)?"), line
