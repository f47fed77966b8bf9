"""Hostile input, beyond what a schema generator tries, through the local API: each is a 4XX
with an error body, never a 5XX, and no function's worker dies of it."""

from __future__ import annotations

import base64
import json
import socket

import pytest

from tests.localapi.conftest import Served
from tests.support.api import order_body
from tests.support.http import Reply

ORDER = json.dumps(order_body())
TEN_MB = 10 * 1024 * 1024
# The gateway validates JSON bodies against the model; another content type goes straight to
# the function, which must hold its own ground.
PAST_THE_GATEWAY = {"Content-Type": "text/plain"}


def _items_of(size: int) -> bytes:
    """A JSON order of about `size` bytes (a huge product id)."""
    filler = "x" * (size - len(ORDER) - 100)
    return ORDER.replace('"productId": "', f'"productId": "{filler}', 1).encode()


def _with(old: str, new: str) -> bytes:
    assert old in ORDER
    return ORDER.replace(old, new, 1).encode()


HOSTILE_BODIES = {
    "just under 10 MB": _items_of(TEN_MB - 1_000),
    "deeply nested arrays": b"[" * 100_000 + b"]" * 100_000,
    "deeply nested objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "a huge price": _with('"price": 8.5', '"price": 1e400'),
    "a tiny price": _with('"price": 8.5', '"price": 1e-400'),
    "an exponent beyond any decimal": _with('"price": 8.5', '"price": 1e99999999999999999999'),
    "a 5000-digit quantity": _with('"quantity": 2', '"quantity": ' + "9" * 5000),
    "a fractional quantity": _with('"quantity": 2', '"quantity": 2.0'),
    "NaN": _with('"price": 8.5', '"price": NaN'),
    "Infinity": _with('"price": 8.5', '"price": -Infinity'),
    "a duplicated name": _with('"customerId": "', '"customerId": "first", "customerId": "'),
    "invalid UTF-8": ORDER.encode().replace(b"Main", b"M\xffin", 1),
    "a lone surrogate": _with('"street": "', '"street": "\\udbff'),
    "a body in base64": __import__("base64").b64encode(ORDER.encode()),
    "a JSON string": b'"' + ORDER.replace('"', '\\"').encode() + b'"',
    "an empty body": b"",
}


def _assert_client_error(reply: Reply) -> None:
    assert 400 <= reply.status < 500, (reply.status, reply.body[:300])
    body = reply.json()
    assert isinstance(body.get("error"), dict) or isinstance(body.get("message"), str), body


@pytest.fixture
def workers(served: Served) -> list[int]:
    """The worker processes before the test; none may be gone after it."""
    from tests.localapi.test_serve import _alive, _children

    before = _children(served.process.pid)
    yield before
    assert [pid for pid in before if not _alive(pid)] == [], "a worker died"


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
@pytest.mark.parametrize("headers", [{}, PAST_THE_GATEWAY], ids=["json", "past-the-gateway"])
def test_a_hostile_body_is_a_client_error(
    served: Served, workers: list[int], name: str, headers: dict[str, str]
) -> None:
    body = HOSTILE_BODIES[name]
    # POST (the model of the create schema) and PUT (the update schema) alike
    for method, path in (
        ("POST", "/orders"),
        ("PUT", "/orders/00000000-0000-4000-8000-000000000000"),
    ):
        _assert_client_error(served.call(method, path, raw=body, headers=headers))


def test_a_body_over_ten_megabytes_is_refused_by_the_gateway(served: Served) -> None:
    reply = served.call("POST", "/orders", raw=_items_of(TEN_MB + 1_000), headers=PAST_THE_GATEWAY)
    assert reply.status == 413
    assert reply.json() == {"message": "Request Too Long"}


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-16",
        "APPLICATION/JSON",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "",
        "*/*",
    ],
)
def test_odd_content_types_are_validated_or_refused(
    served: Served, workers: list[int], content_type: str
) -> None:
    reply = served.call(
        "POST", "/orders", raw=b'{"customerId": "c-1"}', headers={"Content-Type": content_type}
    )
    _assert_client_error(reply)


@pytest.mark.parametrize(
    "path",
    [
        "/orders/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/orders/%00",
        "/orders/%ZZ",
        "/orders/%F0%9F%8D%95",
        "/orders/" + "a" * 5000,
        "/orders/customer/%00",
        "/orders/customer/%F0%9F%8D%95",
        "/orders/customer/" + "c" * 5000,
        "/orders/customer/c-1%2Fx",
    ],
)
def test_odd_path_parameters_are_client_errors(
    served: Served, workers: list[int], path: str
) -> None:
    _assert_client_error(served.call("GET", path))


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=1e2",
        "limit=%D9%A3",  # an Arabic-Indic digit
        "limit=" + "9" * 10_000,
        "nextToken=" + "A" * 20_000,
        "nextToken=%00",
        "nextToken=" + "%FF" * 100,
        "limit=5&" + "&".join(f"p{index}=v" for index in range(3_000)),
    ],
)
def test_odd_query_strings_are_client_errors_or_ignored(
    served: Served, workers: list[int], query: str
) -> None:
    reply = served.call("GET", f"/orders/customer/c-1?{query}")
    if reply.status == 200:  # parameters the API does not know are ignored, as API Gateway does
        assert query.startswith("limit=5&")
        return
    _assert_client_error(reply)


@pytest.mark.parametrize(
    "headers",
    [
        [("If-Match", '"1", "2"')],
        [("If-Match", "W/" + "9" * 100)],
        [("If-Match", "\u00e9")],
        [("Idempotency-Key", "a b")],
        [("Idempotency-Key", "k" * 300)],
    ],
    ids=["two-etags", "huge-etag", "non-ascii-etag", "key-with-space", "long-key"],
)
def test_odd_headers_are_client_errors(
    served: Served, workers: list[int], headers: list[tuple[str, str]]
) -> None:
    method, path = ("PUT", "/orders/00000000-0000-4000-8000-000000000000")
    if headers[0][0] == "Idempotency-Key":
        method, path = "POST", "/orders"
    body = b'{"status": "confirmed"}' if method == "PUT" else ORDER.encode()
    _assert_client_error(served.call(method, path, raw=body, headers=dict(headers)))


def test_a_repeated_header_counts_once_with_its_last_value(served: Served) -> None:
    # Given two x-api-key headers, a wrong one then the right one: API Gateway reads the last
    import http.client

    host, port = served.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("GET", "/orders/customer/c-1")
    connection.putheader("X-Api-Key", "wrong")
    connection.putheader("x-api-key", served.api_key)
    connection.putheader("Authorization", f"Bearer {served.token()}")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 200, response.read()
    connection.close()


def _exchange(served: Served, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Raw bytes sent on a connection of their own, and the answer read until serve closes the
    connection (a TimeoutError if it does not): its status, headers (lower-case) and body."""
    host, port = served.url.removeprefix("http://").split(":")
    received = b""
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request)
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(": ")
        headers[name.lower()] = value
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    "content_length",
    [
        b"Content-Length: abc",
        b"Content-Length: -1",
        b"Content-Length: +2",
        b"Content-Length: 2e0",
        b"Content-Length: ",
        b"Content-Length: 2\r\nContent-Length: 3",
    ],
    ids=["abc", "negative", "signed", "exponent", "empty", "two-that-differ"],
)
def test_a_malformed_content_length_is_a_bad_request_and_the_connection_closes(
    served: Served, workers: list[int], content_length: bytes
) -> None:
    # Given a request whose Content-Length is not one number of bytes
    request = (
        b"POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + content_length
        + b"\r\n\r\n{}"
    )
    before = served.settled_line_count()
    # When it is sent
    status, headers, body = _exchange(served, request)
    # Then the gateway answers it with its own 400 (and the template's DEFAULT_4XX headers),
    # and closes the connection, whose next byte it cannot find
    assert (status, body) == (400, b'{"message":"Bad Request"}')
    assert headers["x-amzn-errortype"] == "BadRequestException"
    assert headers["connection"] == "close"
    assert headers["access-control-allow-origin"] == "*"
    served.wait_for_line(lambda line: '"POST /orders" 400' in line, since=before)
    assert not [line for line in served.log_lines_since(before) if "Traceback" in line]
    # And serve goes on answering
    assert served.call("GET", "/_local/openapi.json", key=False, token=None).status == 200


def _basic(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials).decode()


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic",
        "Basic ",
        "Basic !!!notbase64",
        _basic(b"no-colon-here"),
        _basic(b":secret"),
        _basic(b":"),
        _basic(b"\xff\xfe:secret"),
        _basic(b"x" * 129 + b":secret"),
        _basic(b"not-an-id:secret"),
        _basic(b"unknownclient:secret"),
    ],
    ids=[
        "no-credentials",
        "empty-credentials",
        "not-base64",
        "no-colon",
        "empty-client-id",
        "only-a-colon",
        "not-utf-8",
        "client-id-too-long",
        "client-id-with-a-dash",
        "unknown-client",
    ],
)
def test_a_malformed_basic_credential_is_cognitos_invalid_client(
    served: Served, authorization: str
) -> None:
    # Given a token request whose HTTP Basic credentials cannot name an app client
    before = served.settled_line_count()
    # When it is sent
    reply = served.request_token(b"grant_type=client_credentials", authorization)
    # Then the token endpoint answers as Cognito's does to a failed client authentication
    assert (reply.status, reply.body) == (400, b'{"error":"invalid_client"}')
    served.wait_for_line(lambda line: '"POST /oauth2/token" 400' in line, since=before)
    assert not [line for line in served.log_lines_since(before) if "Traceback" in line]


def test_a_partners_client_id_with_an_empty_secret_is_invalid_client(served: Served) -> None:
    partner = next(iter(served.partners.values()))
    credentials = _basic(f"{partner.client_id}:".encode())
    reply = served.request_token(b"grant_type=client_credentials", credentials)
    assert (reply.status, reply.body) == (400, b'{"error":"invalid_client"}')
