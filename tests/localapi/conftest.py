"""`python -m generator serve` as a user runs it, on a free port, and a plain HTTP client."""

from __future__ import annotations

import http.client
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.aws import free_port

ROOT = Path(__file__).resolve().parents[2]
READY = "Ctrl-C stops it"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Served:
    """A running `serve`: its URL, API key, output lines, and a client."""

    process: subprocess.Popen[str]
    url: str
    api_key: str
    lines: list[str] = field(default_factory=list)

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        key: bool = True,
        raw: bytes | None = None,
    ) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if key:
            sent.setdefault("x-api-key", self.api_key)
        payload = (
            raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        )
        host, port = self.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            connection.request(method, path, body=payload, headers=sent)
            response = connection.getresponse()
            return Reply(
                response.status,
                {name.lower(): value for name, value in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    def log_lines_since(self, count: int) -> list[str]:
        return self.lines[count:]

    def wait_for_line(
        self, predicate: Callable[[str], bool], timeout: float = 10, *, since: int = 0
    ) -> str:
        """The first line (from line number `since` on) that predicate accepts."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[since:]:
                if predicate(line):
                    return line
            time.sleep(0.05)
        raise AssertionError("no such line in serve's output:\n" + "\n".join(self.lines[-30:]))

    def stop(self, signum: int = signal.SIGINT, timeout: float = 15) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)


def start_serve(*arguments: str, api_key: str = "local-test-key", timeout: float = 60) -> Served:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "serve",
            "--port",
            str(port),
            "--api-key",
            api_key,
            *arguments,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    served = Served(process=process, url=f"http://127.0.0.1:{port}", api_key=api_key)
    ready: queue.Queue[bool] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            served.lines.append(line.rstrip("\n"))
            if READY in line:
                ready.put(True)
        ready.put(False)

    threading.Thread(target=read, daemon=True).start()
    try:
        started = ready.get(timeout=timeout)
    except queue.Empty:
        started = False
    if not started:
        served.stop(signal.SIGKILL)
        raise AssertionError("serve did not start:\n" + "\n".join(served.lines[-40:]))
    return served


@pytest.fixture(scope="package")
def served() -> Iterator[Served]:
    """The dev API, served from its template as the generator builds it."""
    running = start_serve("--env", "dev")
    yield running
    running.stop()
