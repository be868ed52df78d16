"""Retry lines from parallel threads (pull's workers) are printed whole (issue 13, item 13).

Before: ``print(line, file=sys.stderr)`` wrote the text and the newline separately, so two
threads' lines ran together on one line. The fake stderr below holds the first write until a
second one arrives (or 0.5 s pass): without a lock the other thread's line lands between a
line and its newline; with one, the second thread waits its turn.
"""

from __future__ import annotations

import sys
import threading

from toolkit.studio.connection import RetryTransport


class _HoldingStream:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self._lock = threading.Lock()
        self._second = threading.Event()

    def write(self, text: str) -> int:
        with self._lock:
            self.parts.append(text)
            count = len(self.parts)
        if count == 1:
            self._second.wait(0.5)
        else:
            self._second.set()
        return len(text)

    def flush(self) -> None:
        pass


def test_retry_lines_of_two_threads_stay_whole(monkeypatch):
    stream = _HoldingStream()
    monkeypatch.setattr(sys, "stderr", stream)
    transports = [RetryTransport(f"http://127.0.0.1:{port}", retries=2, backoff=0.0)
                  for port in (1, 2)]
    start = threading.Barrier(2)

    def run(transport: RetryTransport) -> None:
        start.wait()
        transport._wait(0, "connection refused")

    threads = [threading.Thread(target=run, args=(t,)) for t in transports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = "".join(stream.parts).splitlines()
    assert sorted(lines) == [
        f"Label Studio at http://127.0.0.1:{port}: connection refused; retrying in 0.0 s "
        "(attempt 2 of 3)" for port in (1, 2)
    ]
