"""The HTTP side of `serve`: HTTP/1.1 on 127.0.0.1 in, a Request to the gateway, its
Response out, and one access-log line per request; the local token endpoint and key set; the
OpenAPI document."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from localapi.gateway import MAX_PAYLOAD_BYTES, Gateway, Request, Response
from localapi.responses import MALFORMED_REQUEST, REQUEST_TOO_LARGE
from localapi.tokens import TokenIssuer

# A path the API does not use, where the gateway serves the API's OpenAPI document.
OPENAPI_PATH = "/_local/openapi.json"
# Cognito's token endpoint and key set, on the same port (on AWS: the pool's domain, and the
# issuer's URL).
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path
JWKS_PATH = "/.well-known/jwks.json"
FORM = "application/x-www-form-urlencoded"
# A request arrives on 127.0.0.1 in well under a millisecond, so this only ever ends the
# connections of clients that stopped: half-way through a request, or idle between kept-alive
# requests (clients reopen a connection the server closed). Each such connection holds one of
# the MAX_CONNECTIONS threads until then: a minute bounds how long a stalled client keeps
# others waiting, and is far above any pause of a working client (tests and benchmarks reuse
# a connection within seconds). API Gateway documents no idle timeout for REST APIs' client
# connections (10 minutes for WebSocket APIs'); its 29 s integration timeout is another
# matter: while a request is with the gateway, nothing is read, and no timeout runs.
CONNECTION_TIMEOUT_SECONDS = 60.0
# Connections served at once, one thread each; further ones wait in the listen backlog
# (SOMAXCONN) and are served in turn. Above the workload's burst of 200 requests at once,
# each on its own connection, so that the whole burst reaches the gateway on arrival, as on API
# Gateway (its 29 s integration clock and its throttles see each request then, rather than
# after a wait in the backlog they cannot see), with room for kept-alive connections (a
# browser holds up to 6). A thousand clients that stop half-way hold 256 threads, not 1,000.
MAX_CONNECTIONS = 256
# How often a server waiting for a free thread looks whether it is being shut down.
_POLL_SECONDS = 0.2
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class _Served:
    """What the HTTP handler serves: the gateway, the token endpoint and its keys, the OpenAPI
    document, the access log."""

    gateway: Gateway
    issuer: TokenIssuer | None
    openapi: bytes | None
    log: Callable[[str], None]


def http_server(
    host: str,
    port: int,
    *,
    gateway: Gateway,
    issuer: TokenIssuer | None,
    openapi: Mapping[str, Any] | None,
    log: Callable[[str], None],
    connection_timeout: float = CONNECTION_TIMEOUT_SECONDS,
) -> ThreadingHTTPServer:
    class Handler(_GatewayRequestHandler):
        served = _Served(
            gateway=gateway,
            issuer=issuer,
            openapi=json.dumps(openapi, indent=2).encode() if openapi else None,
            log=log,
        )
        timeout = connection_timeout  # socketserver sets it on each connection's socket

    return _GatewayHttpServer((host, port), Handler, max_connections=MAX_CONNECTIONS)


class _GatewayHttpServer(ThreadingHTTPServer):
    """A thread per connection, up to max_connections at once."""

    # socketserver's default backlog is 5: a burst of clients connecting at once would see
    # connections refused or SYNs retried a second later, which API Gateway never does.
    request_queue_size = socket.SOMAXCONN

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        max_connections: int,
    ) -> None:
        super().__init__(address, handler)
        self._free = threading.BoundedSemaphore(max_connections)
        self._stopping = threading.Event()

    def get_request(self) -> tuple[socket.socket, Any]:
        # Accepting only once a thread is free leaves the others in the listen backlog, where
        # they cost no thread and are accepted in the order they came.
        while not self._free.acquire(timeout=_POLL_SECONDS):
            if self._stopping.is_set():
                raise OSError("the server is shutting down")  # serve_forever then stops
        try:
            return super().get_request()
        except OSError:
            self._free.release()
            raise

    def shutdown_request(self, request: Any) -> None:
        # socketserver calls this once for every connection accepted, whatever became of it.
        try:
            super().shutdown_request(request)
        finally:
            self._free.release()

    def shutdown(self) -> None:
        self._stopping.set()
        super().shutdown()


def _content_length(headers: Message) -> int | None:
    """The body's length (0 without the header), or None when the header is not one number of
    bytes: not digits (`abc`, `-1`), or given twice with different values."""
    values = {value.strip() for value in headers.get_all("Content-Length") or ["0"]}
    if len(values) != 1:
        return None
    [value] = values
    return int(value) if _DIGITS.fullmatch(value) else None


class _GatewayRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 in, Request to the gateway, Response out, and one access-log line."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the headers (40 ms on Linux) on every kept-alive request.
    disable_nagle_algorithm = True
    served: ClassVar[_Served]

    def _serve(self) -> None:
        started = time.perf_counter()
        length = _content_length(self.headers)
        if length is None:
            # Where the body ends is unknown, so nothing after it can be read either.
            self.close_connection = True
            response = self.served.gateway.error_response(MALFORMED_REQUEST, "-")
        elif length > MAX_PAYLOAD_BYTES:
            # Read (up to a bound) and dropped, so the client gets the answer instead of a
            # broken pipe; then the connection closes.
            self._discard(min(length, 2 * MAX_PAYLOAD_BYTES))
            self.close_connection = True
            response = self.served.gateway.error_response(REQUEST_TOO_LARGE, "-")
        elif self.command == "GET" and self.path == OPENAPI_PATH and self.served.openapi:
            response = Response(200, [("Content-Type", "application/json")], self.served.openapi)
        elif self.path in (TOKEN_PATH, JWKS_PATH) and self.served.issuer is not None:
            response = self._identity(self.served.issuer, length)
        else:
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                target=self.path,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
            )
            response = self.served.gateway.handle(request)
        self._write(response)
        latency = (time.perf_counter() - started) * 1000
        answered_by = response.function or response.gateway_error or "-"
        self.served.log(
            f'{self.client_address[0]} "{self.command} {self.path}" {response.status} '
            f"{latency:.1f}ms {answered_by}"
        )

    def _identity(self, issuer: TokenIssuer, length: int) -> Response:
        """The token endpoint (POST, form-encoded) and the key set (GET), as Cognito's."""
        body = self.rfile.read(length) if length else b""
        json_type = [("Content-Type", "application/json")]
        if self.path == JWKS_PATH and self.command == "GET":
            return Response(200, json_type, json.dumps(issuer.jwks()).encode())
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if self.path == TOKEN_PATH and self.command == "POST" and content_type == FORM:
            answer = issuer.token_endpoint(body, self.headers.get("Authorization"))
            return Response(answer.status, json_type, answer.json())
        if self.path == TOKEN_PATH and self.command == "POST":
            return Response(400, json_type, b'{"error":"invalid_request"}')
        return Response(405, json_type, b'{"error":"method not allowed"}')

    def _discard(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                return
            length -= len(chunk)

    def _write(self, response: Response) -> None:
        self.send_response_only(response.status)
        self.send_header("Date", self.date_time_string())
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Quiet: _serve writes one access-log line per request instead."""

    def __getattr__(self, name: str) -> Any:
        # http.server looks up do_<METHOD> for each request: every method, TRACE and made-up
        # ones included, goes to the gateway (which answers an unknown one as API Gateway does).
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)
