"""`python -m generator serve` as a user runs it, on a free port, and a plain HTTP client."""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support import http
from tests.support.aws import free_port
from tests.support.http import Reply

ROOT = Path(__file__).resolve().parents[2]
READY = "Ctrl-C stops it"
# serve prints each partner's credentials on a line of its banner
PARTNER_LINE = re.compile(
    r"^  (\S+): client id (\S+), client secret (\S+), API key (\S+), scopes (.+)$"
)
A, B, READ_ONLY = "acme-eats", "city-couriers", "ops-reports"
READ, WRITE = "orders-api/orders.read", "orders-api/orders.write"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class ServedPartner:
    """What serve printed of a partner: its app client's credentials and its API key."""

    name: str
    client_id: str
    client_secret: str
    api_key: str
    scopes: tuple[str, ...]

    @property
    def basic(self) -> str:
        pair = f"{self.client_id}:{self.client_secret}".encode()
        return "Basic " + base64.b64encode(pair).decode()


@dataclass
class Served:
    """A running `serve`: its URL, the partners it printed, output lines, and a client that
    calls as a partner (A unless named), with a token and the partner's key."""

    process: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)
    partners: dict[str, ServedPartner] = field(default_factory=dict)
    # Set once serve's output is closed and every line of it is in `lines`.
    output_closed: threading.Event = field(default_factory=threading.Event)
    _tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def api_key(self) -> str:
        """Partner A's API key."""
        return self.partners[A].api_key

    def token(self, partner: str = A, scope: str = "") -> str:
        """An access token of the partner (for these scopes; default: all of the client's),
        reused as a partner should: each token request is billed on AWS."""
        cached = self._tokens.get((partner, scope))
        if cached is None:
            form = "grant_type=client_credentials" + (f"&scope={scope}" if scope else "")
            reply = self.request_token(form.encode(), self.partners[partner].basic)
            assert reply.status == 200, reply.body
            cached = self._tokens[(partner, scope)] = reply.json()["access_token"]
        return cached

    def request_token(
        self, form: bytes, authorization: str | None, content_type: str = FORM
    ) -> Reply:
        headers = {"Content-Type": content_type}
        if authorization is not None:
            headers["Authorization"] = authorization
        return self.call("POST", "/oauth2/token", raw=form, headers=headers, key=False, token=None)

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        key: bool = True,
        raw: bytes | None = None,
        partner: str = A,
        token: str | None = "",
    ) -> Reply:
        """token: "" for a token of the partner, None for no Authorization header, or the
        token to send."""
        sent = {"Content-Type": "application/json", **(headers or {})}
        if key:
            sent.setdefault("x-api-key", self.partners[partner].api_key)
        if token is not None:
            sent.setdefault("Authorization", f"Bearer {token or self.token(partner)}")
        payload = (
            raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        )
        return http.request(self.url, method, path, body=payload, headers=sent)

    def log_lines_since(self, count: int) -> list[str]:
        return self.lines[count:]

    def settled_line_count(self) -> int:
        """The number of output lines once earlier requests' lines are in: a response reaches
        its client before its access-log line (and a function's log may trail its answer), so
        a marker request that runs no function is sent and its own access-log line awaited."""
        marker = f"/settled-{uuid.uuid4().hex}"
        before = len(self.lines)
        self.call("GET", marker, key=False, token=None)
        self.wait_for_line(lambda line: f'"GET {marker}" 403' in line, since=before)
        return len(self.lines)

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


def start_serve(
    *arguments: str,
    dynamodb: str | None = "moto",
    timeout: float = 60,
    new_session: bool = False,
    env: Mapping[str, str] | None = None,
) -> Served:
    """serve with these arguments and `--dynamodb` (None: serve's default, DynamoDB Local where
    Java is found). moto unless told: serve's default downloads DynamoDB Local where it is not
    in the cache, and tests do not reach the network (test_dynamodb_local.py runs serve on it).
    new_session: serve leads a process group of its own, as in a terminal, so that a test
    can signal the whole group as the terminal's Ctrl-C does.
    """
    if dynamodb is not None:
        arguments = (*arguments, "--dynamodb", dynamodb)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", str(port), *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"},
        start_new_session=new_session,
    )
    served = Served(process=process, url=f"http://127.0.0.1:{port}")
    ready: queue.Queue[bool] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            served.lines.append(line.rstrip("\n"))
            partner = PARTNER_LINE.match(line.rstrip("\n"))
            if partner:
                name, client_id, secret, key, scopes = partner.groups()
                served.partners[name] = ServedPartner(
                    name, client_id, secret, key, tuple(scopes.split())
                )
            if READY in line:
                ready.put(True)
        served.output_closed.set()
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
