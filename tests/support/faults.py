"""Faults where real ones surface: a TCP proxy on 127.0.0.1 in front of moto whose behaviour
the test switches (through, refuse, slow, drop mid-request), and botocore's event hooks for what
only the service itself can say (throttling).

The proxy speaks no HTTP and knows no AWS API: it moves bytes, or fails to, as a network does.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

THROUGH = "through"  # bytes flow both ways
REFUSE = "refuse"  # the connection is closed at once: the service is down
SLOW = "slow"  # the answer comes after `delay` seconds: past a client's timeout
DROP = "drop"  # the request reaches the service, the answer never comes back


class FaultProxy:
    def __init__(self, upstream_url: str = "", *, delay: float = 2.0) -> None:
        """upstream_url may be given later (`proxy.upstream = URL`), before traffic flows."""
        self.upstream = upstream_url
        self.delay = delay
        self.mode = THROUGH
        self.connections = 0
        # Requests this says yes to are answered `delay` late whatever the mode (they still
        # reach the service): one call held in flight while the rest go through.
        self.hold_if: Callable[[bytes], bool] | None = None
        self.held = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(client, self.mode), daemon=True).start()

    def _serve(self, client: socket.socket, mode: str) -> None:
        with client:
            if mode == REFUSE:
                return
            host, port = self.upstream.removeprefix("http://").split(":")
            try:
                upstream = socket.create_connection((host, int(port)), timeout=30)
            except OSError:
                return
            with upstream:
                self._relay(client, upstream, mode)

    def _relay(self, client: socket.socket, upstream: socket.socket, mode: str) -> None:
        """One request-response exchange per connection (botocore keeps connections alive;
        closing after each answer only makes it reconnect)."""
        client.settimeout(30)
        request = _read_http_message(client)
        if not request:
            return
        upstream.sendall(request)
        response = _read_http_message(upstream)
        if mode == DROP:
            return  # the service did the work; the client never hears of it
        held = self.hold_if is not None and self.hold_if(request)
        if held:
            self.held += 1
        if mode == SLOW or held:
            time.sleep(self.delay)
        with contextlib.suppress(OSError):
            client.sendall(response)

    def close(self) -> None:
        self._closing = True
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()


def _read_http_message(sock: socket.socket) -> bytes:
    """One HTTP/1.1 message (headers and a Content-Length or chunked body), as bytes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    headers = {
        line.split(b":", 1)[0].strip().lower(): line.split(b":", 1)[1].strip()
        for line in head.split(b"\r\n")[1:]
        if b":" in line
    }
    if b"content-length" in headers:
        length = int(headers[b"content-length"])
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while not body.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return head + b"\r\n\r\n" + body


@contextlib.contextmanager
def fault_proxy(upstream_url: str, *, delay: float = 2.0) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream_url, delay=delay)
    try:
        yield proxy
    finally:
        proxy.close()


class Throttle:
    """A botocore `before-send` hook: a share of DynamoDB's calls answered as DynamoDB answers
    a table over its capacity (HTTP 400, ProvisionedThroughputExceededException), decided by
    a seeded random draw; the rest go through. botocore's retries see it as they would."""

    BODY = (
        b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",'
        b'"message":"The level of configured provisioned throughput for the table was exceeded."}'
    )

    def __init__(self, share: float, seed: int = 7) -> None:
        self.share = share
        self.throttled = 0
        self.calls = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def __call__(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        with self._lock:
            self.calls += 1
            if self._random.random() >= self.share:
                return None
            self.throttled += 1
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "throttled"}
        return AWSResponse(request.url, 400, headers, _Raw(self.BODY))


class _Raw:
    """What AWSResponse reads its body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body
