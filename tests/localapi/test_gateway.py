"""The gateway's decisions, one request at a time, without HTTP: routing as API Gateway
matches resources, the proxy event it builds, validation, and what it makes of a function's
answer. The functions are recorded, not run (their pools are stood in for by a recorder)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from localapi.functions import CRASHED, TIMED_OUT, Invocation
from localapi.gateway import ApiKey, Gateway, Request
from localapi.template import read_api
from localapi.tokens import AppClient, TokenIssuer

KEY = ApiKey(logical_id="PartnerAcmeEatsApiKey", key_id="key-id", value="the-key")
SCOPES = ("orders-api/orders.read", "orders-api/orders.write")
CLIENT = AppClient("client-a", "secret-a", ("client_credentials",), SCOPES, 3600)
ISSUER = TokenIssuer(
    issuer="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_local",
    find_client={CLIENT.client_id: CLIENT}.get,
)
TOKEN = ISSUER.issue(CLIENT.client_id, SCOPES)


class Recorder:
    """Stands in for a function's pool: keeps the events, answers what the test says."""

    def __init__(self, answer: Invocation | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.timeouts: list[float] = []
        self.answer_within: list[float] = []
        self.answer = answer or Invocation(
            response={"statusCode": 200, "headers": {"X-From": "function"}, "body": "{}"}
        )

    def invoke(
        self, event: dict[str, Any], context: Any, timeout: float, *, answer_by: float
    ) -> Invocation:
        self.events.append(event)
        self.timeouts.append(timeout)
        self.answer_within.append(answer_by - time.monotonic())
        return self.answer


@pytest.fixture
def template() -> dict[str, Any]:
    return render(ENVIRONMENTS["dev"]).editable()


def gateway(template: dict[str, Any], **answers: Invocation) -> tuple[Gateway, dict[str, Recorder]]:
    api = read_api(template)
    recorders = {name: Recorder(answers.get(name)) for name in api.functions}
    built = Gateway(
        api=api,
        pools=recorders,  # type: ignore[arg-type]
        function_names={name: f"{name}-local" for name in api.functions},
        function_arns={
            name: f"arn:aws:lambda:us-east-1:123456789012:function:{name}" for name in api.functions
        },
        api_keys=[KEY],
        authorizer=ISSUER,
    )
    return built, recorders


def request(method: str, target: str, body: bytes = b"", **headers: str) -> Request:
    sent = [
        ("x-api-key", KEY.value),
        ("Authorization", f"Bearer {TOKEN}"),
        ("Content-Type", "application/json"),
        *headers.items(),
    ]
    return Request(method=method, target=target, headers=sent, body=body)


def test_a_literal_segment_wins_over_a_path_variable(template: dict[str, Any]) -> None:
    api = read_api(template)
    assert api.match("/orders/customer") == ("/orders/customer", {})
    assert api.match("/orders/customer/c-1") == (
        "/orders/customer/{customerId}",
        {"customerId": "c-1"},
    )
    assert api.match("/orders/abc") == ("/orders/{orderId}", {"orderId": "abc"})
    assert api.match("/orders//x") is None
    assert api.match("/orders/abc/def") is None


def test_the_proxy_event_is_what_api_gateway_builds(template: dict[str, Any]) -> None:
    # Given a listing request with repeated query parameters and a repeated header
    gw, recorders = gateway(template)
    gw.handle(
        Request(
            method="GET",
            target="/orders/customer/c%2D1?limit=5&limit=7&nextToken=",
            headers=[
                ("x-api-key", KEY.value),
                ("Authorization", TOKEN),  # API Gateway takes the token with or without "Bearer"
                ("X-Trace", "a"),
                ("x-trace", "b"),
                ("Host", "127.0.0.1:3000"),
            ],
            source_ip="127.0.0.9",
        )
    )
    [event] = recorders["QueryOrdersFunction"].events
    # Then the event has the REST (v1) shape
    assert event["resource"] == "/orders/customer/{customerId}"
    assert event["path"] == "/orders/customer/c%2D1"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"customerId": "c-1"}
    assert event["queryStringParameters"] == {"limit": "7", "nextToken": ""}
    assert event["multiValueQueryStringParameters"] == {"limit": ["5", "7"], "nextToken": [""]}
    assert event["multiValueHeaders"]["X-Trace"] == ["a"]
    assert event["multiValueHeaders"]["x-trace"] == ["b"]
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "dev"
    assert context["resourcePath"] == "/orders/customer/{customerId}"
    assert context["path"] == "/dev/orders/customer/c%2D1"
    assert context["identity"]["sourceIp"] == "127.0.0.9"
    assert (context["identity"]["apiKey"], context["identity"]["apiKeyId"]) == ("the-key", "key-id")
    assert context["requestId"]
    # And the authorizer's claims, every value a string, dates as API Gateway writes them
    claims = context["authorizer"]["claims"]
    assert claims["client_id"] == claims["sub"] == "client-a"
    assert (claims["token_use"], claims["scope"]) == ("access", " ".join(SCOPES))
    assert claims["version"] == "2"
    assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}", claims["exp"])
    assert all(isinstance(value, str) for value in claims.values())


def test_a_body_that_is_not_utf8_reaches_the_function_as_base64(template: dict[str, Any]) -> None:
    gw, recorders = gateway(template)
    gw.handle(
        request("PUT", "/orders/x", b"\xff\xfe", **{"Content-Type": "application/octet-stream"})
    )
    [event] = recorders["OrderProcessorFunction"].events
    assert (event["body"], event["isBase64Encoded"]) == ("//4=", True)


def test_the_integration_waits_at_most_the_function_timeout(template: dict[str, Any]) -> None:
    gw, recorders = gateway(template)
    gw.handle(request("GET", "/orders/x"))
    gw.handle(
        request("POST", "/orders", json.dumps({"x": 1}).encode(), **{"Content-Type": "text/plain"})
    )
    # 10 s for the query function, 29 s (API Gateway's limit) for the 30 s one
    assert recorders["QueryOrdersFunction"].timeouts == [10.0]
    assert recorders["OrderProcessorFunction"].timeouts == [29.0]
    # and, for both, the wait for a free environment counts within API Gateway's 29 s
    [query_within] = recorders["QueryOrdersFunction"].answer_within
    [processor_within] = recorders["OrderProcessorFunction"].answer_within
    assert 28.0 < query_within <= 29.0
    assert 28.0 < processor_within <= 29.0


@pytest.mark.parametrize(
    ("answer", "status", "body"),
    [
        (Invocation(failure=TIMED_OUT), 504, b'{"message": "Endpoint request timed out"}'),
        (Invocation(failure=CRASHED), 502, b'{"message": "Internal server error"}'),
        (
            Invocation(error={"type": "KeyError", "message": "x"}),
            502,
            b'{"message": "Internal server error"}',
        ),
        (Invocation(response="not a proxy response"), 502, b'{"message": "Internal server error"}'),
        (Invocation(response={"statusCode": "abc"}), 502, b'{"message": "Internal server error"}'),
        (
            Invocation(response={"statusCode": 200, "body": {"not": "text"}}),
            502,
            b'{"message": "Internal server error"}',
        ),
        (
            Invocation(response={"statusCode": 200, "body": "x", "isBase64Encoded": True}),
            502,
            b'{"message": "Internal server error"}',
        ),
    ],
)
def test_what_the_gateway_makes_of_a_failed_or_malformed_answer(
    template: dict[str, Any], answer: Invocation, status: int, body: bytes
) -> None:
    gw, _ = gateway(template, QueryOrdersFunction=answer)
    response = gw.handle(request("GET", "/orders/x"))
    assert (response.status, response.body) == (status, body)
    assert ("Access-Control-Allow-Origin", "*") in response.headers  # DEFAULT_5XX


def test_a_proxy_response_is_passed_through(template: dict[str, Any]) -> None:
    answer = Invocation(
        response={
            "statusCode": 201,
            "headers": {"ETag": '"1"', "X-One": "a"},
            "multiValueHeaders": {"X-One": ["b", "c"]},
            "body": "aGk=",
            "isBase64Encoded": True,
        }
    )
    gw, _ = gateway(template, QueryOrdersFunction=answer)
    response = gw.handle(request("GET", "/orders/x"))
    assert response.status == 201
    assert response.body == b"hi"
    assert ("ETag", '"1"') in response.headers
    # multiValueHeaders replace the single value of the same name
    assert [value for name, value in response.headers if name == "X-One"] == ["b", "c"]
    assert ("Content-Type", "application/json") in response.headers


def test_a_body_over_ten_megabytes_is_refused(template: dict[str, Any]) -> None:
    gw, recorders = gateway(template)
    response = gw.handle(request("POST", "/orders", b" " * (10 * 1024 * 1024 + 1)))
    assert response.status == 413
    assert not recorders["OrderProcessorFunction"].events


def test_a_body_that_is_not_json_fails_the_model(template: dict[str, Any]) -> None:
    gw, recorders = gateway(template)
    response = gw.handle(request("POST", "/orders", b"{not json"))
    assert (response.status, response.body) == (400, b'{"message": "Invalid request body"}')
    assert not recorders["OrderProcessorFunction"].events


def test_a_required_query_parameter_is_checked_when_the_validator_asks(
    template: dict[str, Any],
) -> None:
    # Given a template copy in which the listing requires `limit`
    resources = template["Resources"]
    resources["CustomerOrdersGetMethod"]["Properties"]["RequestParameters"][
        "method.request.querystring.limit"
    ] = True
    gw, recorders = gateway(template)
    # When it is missing, or blank, Then API Gateway answers 400 and names it
    for target in ("/orders/customer/c-1", "/orders/customer/c-1?limit="):
        response = gw.handle(request("GET", target))
        assert response.status == 400
        assert response.body == b'{"message": "Missing required request parameters: [limit]"}'
    assert gw.handle(request("GET", "/orders/customer/c-1?limit=2")).status == 200
    assert len(recorders["QueryOrdersFunction"].events) == 1
