"""Clients that hold connections without finishing a request, over raw sockets to a `serve` of
their own: each is closed after the idle timeout, and those past the bound on connections
served at once wait their turn instead of each taking a thread."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from localapi.http_server import MAX_CONNECTIONS
from tests.localapi.conftest import Served, start_serve

# serve's --idle-timeout here: short, because the tests wait for it to pass.
IDLE_TIMEOUT = "1"
# How long a test waits for something that follows the idle timeout: generous, for a loaded
# machine; a test that gets there sooner goes on at once.
DEADLINE = 30.0
OPENAPI = "/_local/openapi.json"  # answered by the gateway itself, with no function to wait for


@pytest.fixture(scope="module")
def impatient() -> Iterator[Served]:
    running = start_serve("--idle-timeout", IDLE_TIMEOUT)
    yield running
    running.stop()


def _connect(served: Served) -> socket.socket:
    host, port = served.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=DEADLINE)


def _closed_by_serve(connection: socket.socket) -> bool:
    """Whether serve has closed the connection (waiting for that up to the socket's timeout),
    having sent nothing on it."""
    try:
        return connection.recv(1) == b""
    except TimeoutError:
        return False


def _closed_already(connection: socket.socket) -> bool:
    """Whether serve has closed the connection, without waiting."""
    connection.setblocking(False)
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False  # open, nothing received
    except ConnectionResetError:
        return True


def _threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("Threads:", 1)[1].split()[0])


@pytest.mark.parametrize(
    "sent",
    [
        b"",
        b"GET /orders/cust",
        b"GET /orders/customer/c-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        (
            b"POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 200\r\n\r\n{"customerId": '
        ),
    ],
    ids=["nothing", "half-a-request-line", "headers-never-ended", "body-cut-short"],
)
def test_a_client_that_stops_sending_is_disconnected_after_the_idle_timeout(
    impatient: Served, sent: bytes
) -> None:
    # Given a connection on which a client sent part of a request, or nothing, then stopped
    with _connect(impatient) as connection:
        connection.sendall(sent)
        # Then serve closes it once the idle timeout has passed, answering nothing
        assert _closed_by_serve(connection), f"still open after {DEADLINE} s"
    # And goes on answering others
    assert impatient.call("GET", OPENAPI, key=False, token=None).status == 200


def test_a_kept_alive_connection_left_idle_is_closed_after_the_idle_timeout(
    impatient: Served,
) -> None:
    # Given a connection kept alive after an answer
    host, port = impatient.url.removeprefix("http://").split(":")
    client = http.client.HTTPConnection(host, int(port), timeout=DEADLINE)
    try:
        client.request("GET", OPENAPI)
        response = client.getresponse()
        response.read()
        assert (response.status, response.getheader("Connection")) == (200, None)
        # When the client sends nothing more, then serve closes it after the idle timeout
        assert client.sock is not None
        assert _closed_by_serve(client.sock), f"still open after {DEADLINE} s"
    finally:
        client.close()


def test_connections_past_the_bound_wait_their_turn_and_take_no_thread(
    impatient: Served,
) -> None:
    # Given more connections than serve serves at once, each stopped half-way through a request
    pid = impatient.process.pid
    threads_before = _threads(pid)
    stalled = [_connect(impatient) for _ in range(MAX_CONNECTIONS + 20)]
    try:
        for connection in stalled:
            connection.sendall(b"GET /orders/cust")
        # When a well-formed request comes after them
        reply = impatient.call("GET", OPENAPI, key=False, token=None)
        threads_then = _threads(pid)
        # Then it is answered, in its turn: serve took it only once a thread was free, which
        # the stalled connections ahead of it freed by timing out (at most the bound less one
        # of them can still hold a thread beside it)
        assert reply.status == 200
        closed = sum(_closed_already(connection) for connection in stalled)
        assert closed >= len(stalled) - (MAX_CONNECTIONS - 1), closed
        # And it had no more connection threads then than the bound
        assert threads_then - threads_before <= MAX_CONNECTIONS, (threads_before, threads_then)
        # And the stalled connections still waiting are closed too, in their turn
        for connection in stalled:
            connection.setblocking(True)
            connection.settimeout(DEADLINE)
        assert all(_closed_by_serve(connection) for connection in stalled)
    finally:
        for connection in stalled:
            connection.close()
