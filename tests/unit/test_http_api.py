"""The HTTP glue: error mapping by type, CORS and JSON on every answer, header parsing.

A resolver from `make_resolver()` with routes that raise; events are the sample files.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

import http_api
from orders import errors

EVENTS = Path(__file__).resolve().parent.parent / "events"


class LambdaContext:
    function_name = "unit"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:unit"
    aws_request_id = "unit-request"


def sample(name="get_order.json", **changes):
    event = json.loads((EVENTS / name).read_text())
    event.update(changes)
    return event


def resolver_raising(error: Exception):
    app = http_api.make_resolver()

    @app.get("/orders/<order_id>")
    def fail(order_id):
        raise error

    return app


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (errors.InvalidRequest("bad"), 400, "InvalidRequest"),
        (errors.ValidationFailed("items[0] bad", field="items[0]"), 400, "ValidationError"),
        (errors.FeatureDisabled("off", field="deliveryType"), 400, "FeatureDisabled"),
        (errors.OrderNotFound("x"), 404, "OrderNotFound"),
        (errors.VersionConflict("stale"), 409, "VersionConflict"),
        (errors.IllegalTransition("no"), 409, "IllegalTransition"),
        (errors.NotModifiable("no"), 409, "NotModifiable"),
        (errors.IdempotencyKeyReused("no"), 409, "IdempotencyKeyReused"),
        (errors.RequestInProgress("wait"), 409, "RequestInProgress"),
        (errors.RateLimited(150, 42), 429, "RateLimited"),
        (
            errors.StoreUnavailable("put_item: EndpointConnectionError at 10.0.0.1"),
            503,
            "ServiceUnavailable",
        ),
        (errors.DeadLetterUnavailable("sqs down"), 503, "ServiceUnavailable"),
        (errors.ConfigUnavailable("ssm down"), 503, "ServiceUnavailable"),
        (KeyError("secret-internal-name"), 500, "InternalError"),
    ],
)
def test_errors_map_to_status_by_type(error, status, code):
    # Given a route that raises
    app = resolver_raising(error)
    # When it is called
    response = app.resolve(sample(), LambdaContext())
    body = json.loads(response["body"])
    # Then the status follows the exception's type, in the error format, as JSON with CORS
    assert response["statusCode"] == status
    assert body["error"]["code"] == code
    headers = {k.lower(): v[-1] for k, v in response["multiValueHeaders"].items()}
    assert headers["content-type"] == "application/json"
    assert headers["access-control-allow-origin"] == "*"
    # And nothing internal leaks (reasons of 503s and exceptions of 500s stay in the log)
    assert "EndpointConnectionError" not in response["body"]
    assert "secret-internal-name" not in response["body"]


def test_429_says_when_to_retry():
    response = resolver_raising(errors.RateLimited(150, 42)).resolve(sample(), LambdaContext())
    assert response["multiValueHeaders"]["Retry-After"] == ["42"]


def test_an_unknown_route_is_a_json_404():
    app = http_api.make_resolver()
    response = app.resolve(sample(path="/elsewhere"), LambdaContext())
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["error"]["code"] == "RouteNotFound"


def event(headers=None, body=None, base64_encoded=False):
    return APIGatewayProxyEvent(
        {"headers": headers, "body": body, "isBase64Encoded": base64_encoded}
    )


@pytest.mark.parametrize(
    ("value", "version"),
    [(None, None), ("*", None), ("3", 3), ('"3"', 3), ('W/"12"', 12), (' "7" ', 7)],
)
def test_if_match_carries_a_version(value, version):
    headers = {"if-match": value} if value is not None else {}
    assert http_api.if_match_version(event(headers)) == version


@pytest.mark.parametrize("value", ["abc", '"0"', '"-1"', '"1.5"', '"1", "2"'])
def test_a_bad_if_match_is_refused(value):
    with pytest.raises(errors.InvalidRequest):
        http_api.if_match_version(event({"If-Match": value}))


def test_headers_are_read_whatever_their_case():
    assert http_api.idempotency_key(event({"IDEMPOTENCY-KEY": "abc"})) == "abc"
    assert http_api.idempotency_key(event(None)) is None


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "é"])
def test_a_bad_idempotency_key_is_refused(key):
    with pytest.raises(errors.InvalidRequest):
        http_api.idempotency_key(event({"Idempotency-Key": key}))


def test_a_base64_body_is_decoded():
    encoded = base64.b64encode(b'{"a": 1.5}').decode()
    assert http_api.json_body(event(body=encoded, base64_encoded=True)) == {"a": pytest.approx(1.5)}


@pytest.mark.parametrize("body", ["***", base64.b64encode(b"\xff\xfe").decode()])
def test_a_bad_base64_body_is_refused(body):
    with pytest.raises(errors.InvalidRequest):
        http_api.json_body(event(body=body, base64_encoded=True))


def test_decimals_serialize_as_numbers():
    from decimal import Decimal

    assert http_api.dumps({"total": Decimal("21.95"), "n": Decimal("2")}) == '{"total":21.95,"n":2}'
