"""The connection to a Label Studio: where it is, its key, and errors mapped to ours.

Where: explicit ``url``/``api_key`` arguments (the CLI's ``--url``/``--api-key``),
else the environment (``LABEL_STUDIO_URL``/``LABEL_STUDIO_API_KEY``, the SDK's own
names), else the local server's credentials file written by `corpus studio up`.
The local key is only used for the local URL: it is never sent to another server.

Failures: every request, through the SDK or raw, goes over one ``httpx.Client``
whose transport retries with backoff what is safe to retry (connection refused,
e.g. while the server restarts: any method, the request never left; 502/503/504
and dropped connections: GET/HEAD/OPTIONS/PUT/DELETE only, so that an import is
never sent twice) and says so on stderr, then raises :class:`StudioUnreachable`.
A refused key (401/403) raises :class:`StudioAuthError` naming the URL, never the
key. :func:`studio_errors` maps the SDK's remaining ``ApiError``s to
:class:`StudioError` with one line.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..errors import SetupError, StudioAuthError, StudioError, StudioUnreachable
from .credentials import DEFAULT_CREDENTIALS, read_credentials

if TYPE_CHECKING:  # the SDK takes ~0.6 s to import: only commands that connect pay for it
    from label_studio_sdk import LabelStudio

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUS = frozenset({502, 503, 504})


def safe_url(url: str) -> str:
    """The URL without user info, query or fragment: fit for messages and snapshots."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets (else "::1:8080" has no port)
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def check_url(url: str, where: str = "--url/LABEL_STUDIO_URL") -> None:
    """Raise UsageError naming ``url`` (without user info) when it is not an http(s) URL.

    Checked before anything else uses it: ``urlsplit(url).port`` raises ValueError on a
    port such as 99999, and a garbage URL without a key must be named as the problem.
    """
    shown = re.sub(r"//[^/?#]*@", "//", url)  # user:password@ never goes into a message
    reason = _url_problem(url)
    if reason is None:
        return
    raise SetupError(
        f"{where} {shown!r} is not a usable Label Studio URL: {reason}; give one like "
        "http://127.0.0.1:8080"
    )


# A host name's labels: letters (any script: an IDN is encoded when connecting), digits,
# hyphens, underscores, separated by single dots. "%zz" or "a b" is no host to look up.
_HOST_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)*\.?")


def _url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a Label Studio's address, or None when it can."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        reason = str(exc)
        return reason[:1].lower() + reason[1:]
    if parts.scheme not in ("http", "https"):
        return "it does not start with http:// or https://"
    if not parts.hostname:
        return "it has no host name"
    if ":" not in parts.hostname and not _HOST_NAME.fullmatch(parts.hostname):
        return f"{parts.hostname!r} is not a host name"
    if parts.query or url.rstrip().endswith("?"):
        return "it has a query string (?...), which Label Studio's address never has"
    if parts.fragment or "#" in url:
        return "it has a fragment (#...), which Label Studio's address never has"
    return None


# Lines from parallel threads (pull's workers) are written whole, one at a time.
_SAY_LOCK = threading.RLock()


def _stderr(line: str) -> None:
    # One write of the whole line: print() writes the text and the newline separately, and
    # a second thread's line could land between them.
    with _SAY_LOCK:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


class RetryTransport(httpx.BaseTransport):
    """Retries what is safe to retry, with exponential backoff, and says so."""

    def __init__(
        self,
        url: str,
        *,
        retries: int = 6,
        backoff: float = 0.5,
        max_delay: float = 8.0,
        say: Callable[[str], None] = _stderr,
    ) -> None:
        self._inner = httpx.HTTPTransport()
        self._url = safe_url(url)
        self._retries = retries
        self._backoff = backoff
        self._max_delay = max_delay
        self._say = say

    def _wait(self, attempt: int, reason: str) -> None:
        delay = min(self._backoff * 2**attempt, self._max_delay)
        line = (
            f"Label Studio at {self._url}: {reason}; retrying in {delay:.1f} s "
            f"(attempt {attempt + 2} of {self._retries + 1})"
        )
        with _SAY_LOCK:  # whole lines, also through a caller's `say`
            self._say(line)
        time.sleep(delay)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        idempotent = request.method in IDEMPOTENT
        for attempt in range(self._retries + 1):
            last = attempt == self._retries
            try:
                response = self._inner.handle_request(request)
            except httpx.ConnectError as exc:
                if last:
                    raise StudioUnreachable(
                        f"no answer from Label Studio at {self._url} after "
                        f"{self._retries + 1} attempts (connection refused or no route); "
                        "is it running? (`corpus studio status`)"
                    ) from exc
                self._wait(attempt, "connection refused")
                continue
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                if not idempotent or last:
                    raise StudioUnreachable(
                        f"Label Studio at {self._url} dropped the connection during "
                        f"{request.method} {request.url.path}"
                        + ("" if idempotent else "; it may or may not have been applied")
                    ) from exc
                self._wait(attempt, "connection dropped")
                continue
            if response.status_code in RETRY_STATUS and idempotent and not last:
                response.read()
                response.close()
                self._wait(attempt, f"HTTP {response.status_code}")
                continue
            if response.status_code in RETRY_STATUS and idempotent:
                response.close()
                raise StudioUnreachable(
                    f"Label Studio at {self._url} answered HTTP {response.status_code} "
                    f"{self._retries + 1} times to {request.method} {request.url.path}"
                )
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self._inner.close()


def _auth_hook(url: str, source: str) -> Callable[[httpx.Response], None]:
    def check(response: httpx.Response) -> None:
        if response.status_code == 401:
            raise StudioAuthError(
                f"Label Studio at {url} refused the API key (HTTP 401) from {source}; "
                "check it, or run `corpus studio up` for the local server"
            )
        if response.status_code == 403 and response.request.url.path.startswith(
            "/api/current-user"
        ):
            raise StudioAuthError(
                f"Label Studio at {url} refused the API key (HTTP 403) from {source}"
            )

    return check


@dataclass
class Studio:
    """A checked connection: the SDK client and a raw httpx client sharing one transport."""

    url: str
    api_key: str = field(repr=False)
    client: LabelStudio = field(repr=False)
    http: httpx.Client = field(repr=False)
    source: str = ""

    def whoami(self) -> dict:
        """The user the key belongs to; raises StudioAuthError / StudioUnreachable."""
        response = self.http.get("/api/current-user/whoami")
        raise_for_status(response, self.url)
        try:
            user = response.json()
        except json.JSONDecodeError:
            user = None
        if not isinstance(user, dict):
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            raise StudioError(
                f"{self.url} answered GET /api/current-user/whoami with {kind}, not a "
                "Label Studio user; is this the address of a Label Studio (nothing after "
                "its host and port)?"
            )
        return user

    def close(self) -> None:
        self.http.close()


def resolve(
    url: str | None = None,
    api_key: str | None = None,
    *,
    credentials_path: Path | str = DEFAULT_CREDENTIALS,
) -> tuple[str, str, str]:
    """(url, api_key, where they came from), by the order in the module docstring.

    A given URL that is not a usable http(s) URL raises UsageError naming it, before the
    key is looked for.
    """
    url = url or os.environ.get("LABEL_STUDIO_URL") or None
    api_key = api_key or os.environ.get("LABEL_STUDIO_API_KEY") or None
    if url is not None:
        check_url(url)
    source = "--api-key/LABEL_STUDIO_API_KEY"
    if api_key is None or url is None:
        creds = read_credentials(Path(credentials_path))
        if creds is not None and (url is None or safe_url(url) == safe_url(creds.url)):
            url = url or creds.url
            if api_key is None:
                api_key = creds.api_key
                source = str(credentials_path)
    if url is None:
        raise SetupError(
            "no Label Studio to talk to: pass --url/--api-key, set LABEL_STUDIO_URL and "
            "LABEL_STUDIO_API_KEY, or start the local one with `corpus studio up`"
        )
    if api_key is None:
        raise SetupError(
            f"no API key for {safe_url(url)}: pass --api-key or set LABEL_STUDIO_API_KEY "
            "(Label Studio: Account & Settings -> Access Token)"
        )
    return url.rstrip("/"), api_key, source


def connect(
    url: str | None = None,
    api_key: str | None = None,
    *,
    credentials_path: Path | str = DEFAULT_CREDENTIALS,
    retries: int = 6,
    timeout: float = 600.0,
    check: bool = True,
    say: Callable[[str], None] = _stderr,
) -> Studio:
    """Resolve, build the clients, and (``check``) verify the key with one request."""
    url, api_key, source = resolve(url, api_key, credentials_path=credentials_path)
    shown = safe_url(url)
    transport = RetryTransport(url, retries=retries, say=say)
    hooks = {"response": [_auth_hook(shown, source)]}
    sdk_http = httpx.Client(
        transport=transport, timeout=timeout, event_hooks=hooks, follow_redirects=True
    )
    # max_retries=0: retrying is the transport's job (the SDK would also re-POST on 5xx).
    from label_studio_sdk import LabelStudio

    client = LabelStudio(
        base_url=url, api_key=api_key, max_retries=0, timeout=timeout, httpx_client=sdk_http
    )
    # The SDK's own header logic (legacy "Token", or JWT refresh -> "Bearer") for raw calls too.
    wrapper = client._client_wrapper

    class _SdkAuth(httpx.Auth):
        def auth_flow(self, request: httpx.Request
                      ) -> Generator[httpx.Request, httpx.Response, None]:
            request.headers["Authorization"] = wrapper.get_headers()["Authorization"]
            yield request

    raw = httpx.Client(
        base_url=url, transport=transport, timeout=timeout, event_hooks=hooks, auth=_SdkAuth()
    )
    studio = Studio(url=shown, api_key=api_key, client=client, http=raw, source=source)
    if check:
        with studio_errors(shown):
            studio.whoami()
    return studio


def raise_for_status(response: httpx.Response, url: str) -> None:
    """One line for an HTTP error answer of a raw call (401 is handled by the hook)."""
    if response.status_code < 400:
        return
    detail = response.text[:200].replace("\n", " ")
    raise StudioError(
        f"Label Studio at {url}: {response.request.method} {response.request.url.path} "
        f"answered HTTP {response.status_code}: {detail}"
    )


@contextmanager
def studio_errors(url: str, doing: str = "") -> Iterator[None]:
    """Turn the SDK's and httpx's exceptions into the toolkit's, with one line."""
    from label_studio_sdk.core.api_error import ApiError

    where = f"Label Studio at {safe_url(url)}" + (f" ({doing})" if doing else "")
    try:
        yield
    except ApiError as exc:
        if exc.status_code in (401, 403):
            raise StudioAuthError(
                f"{where} refused the API key (HTTP {exc.status_code})"
            ) from exc
        body = exc.body
        if isinstance(body, dict):
            body = body.get("detail") or body.get("validation_errors") or body
        text = str(body).replace("\n", " ")[:300]
        raise StudioError(f"{where}: HTTP {exc.status_code}: {text}") from exc
    except httpx.TimeoutException as exc:
        raise StudioUnreachable(f"{where}: no answer in time ({exc.__class__.__name__})") from exc
    except httpx.HTTPError as exc:
        raise StudioUnreachable(f"{where}: {exc.__class__.__name__}: {exc}") from exc
