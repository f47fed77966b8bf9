"""Fuzzing the local API from its OpenAPI document with schemathesis: every operation with
valid and invalid data, then sequences that follow the document's links (create, then read,
update and list what was created). A fixed seed and bounded examples keep it within CI; the
checks: no 5XX, answers that conform to the document (status, headers, bodies), every 4XX with
an error body, schema-valid data refused only for the documented reasons, and authentication
that is enforced (`ignored_auth`: each operation that answered a partner's token and key is
refused without them, or with either one wrong).

Two of schemathesis's default checks do not apply to API Gateway, and are replaced or left
out on purpose:
- `unsupported_method` expects 405 for a method the document does not declare; API Gateway
  (REST) answers 403 `{"message":"Missing Authentication Token"}` (tests/localapi checks that).
- `positive_data_acceptance` expects every schema-valid request to succeed; a few refusals are
  part of the API and documented (DOCUMENTED_REFUSALS): they are allowed, nothing else is.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    positive_data_acceptance,
    unsupported_method,
)

from tests.localapi.conftest import Served, start_serve

pytestmark = pytest.mark.fuzz

OPENAPI = Path(__file__).resolve().parents[2] / "templates" / "food-delivery-openapi.json"
SEED = 20_261_130
EXAMPLES_PER_OPERATION = 40
# 400s the API gives for schema-valid data, with why: (error code, field)
DOCUMENTED_REFUSALS = {
    # the feature flags switch express delivery and several payments off
    ("FeatureDisabled", "deliveryType"),
    ("FeatureDisabled", "payments"),
    # a page token is opaque: a string the schema allows is rarely one the API issued
    ("InvalidRequest", "nextToken"),
    # a PUT's body version and its If-Match header must name the same version
    ("InvalidRequest", "version"),
}
# Money has at most two decimal places, which draft-04 schemas cannot say exactly.
MONEY_FIELDS = ("price", "amount")
# The API's Idempotency-Key (handlers/http_api.py), as the OpenAPI document declares it.
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


def _error(response: Any) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


@schemathesis.check
def client_errors_carry_an_error_body(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4XX says what went wrong: the handlers' {"error": {code, message}} or API
    Gateway's {"message": ...}."""
    if 400 <= response.status_code < 500:
        body = _error(response)
        handler_error = (
            body is not None
            and isinstance(body.get("error"), dict)
            and {"code", "message"} <= set(body["error"])
        )
        gateway_error = body is not None and isinstance(body.get("message"), str)
        assert handler_error or gateway_error, f"{response.status_code} without an error body"
    return None


@schemathesis.check
def valid_data_is_refused_only_for_documented_reasons(
    ctx: Any, response: Any, case: Any
) -> bool | None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code != 400:
        return None
    body = _error(response) or {}
    error = body.get("error") or {}
    code, field = error.get("code"), str(error.get("field"))
    documented = (code, field) in DOCUMENTED_REFUSALS or (
        code == "ValidationError" and field.endswith(MONEY_FIELDS)
    )
    assert documented, f"schema-valid data refused: {response.text}"
    return None


@schemathesis.check
def the_token_is_checked_with_the_right_key(ctx: Any, response: Any, case: Any) -> bool | None:
    """`ignored_auth` takes both credentials away at once, so the key's check alone would
    satisfy it: here a request answered with the token and the key is sent again with the key
    alone, and with a token that is not one, and API Gateway's authorizer must answer 401."""
    from schemathesis.specs.openapi._auth_retry import send_probe

    if not 200 <= response.status_code < 300 or "Authorization" not in (case.headers or {}):
        return None
    if not case.operation.definition.raw.get("security"):  # the preflights: open
        return None
    for authorization in (None, "Bearer not-a-token"):
        probe = case.derive()
        probe.headers.pop("Authorization", None)
        if authorization is not None:
            probe.headers["Authorization"] = authorization
        reply = send_probe(ctx, case, probe)
        assert reply.status_code == 401, f"{authorization!r} answered {reply.status_code}"
    return None


def _to_cents(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: round(item, 2)
            if key in MONEY_FIELDS and isinstance(item, float)
            else _to_cents(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_to_cents(item) for item in value]
    return value


@pytest.fixture(scope="module")
def api_schema(served: Served) -> Any:
    return _schema_against(served)


@pytest.fixture(scope="module")
def own_served() -> Iterator[Served]:
    """A serve for the sequences alone. They are derandomized: hypothesis replays a prefix of
    steps and expects the API to answer as it did (an order there or not, a transition allowed
    or not), which a server that other tests have used in between would not."""
    running = start_serve("--env", "dev")
    _patient_data_clients(running)
    yield running
    running.stop()


def _patient_data_clients(served: Served) -> None:
    """The functions' DynamoDB timeout raised from 500 ms to 10 s, before the first request
    reads it. On a loaded machine a write that outlasts 500 ms (and its retries) is queued and
    answered 202 instead of 201; the link from a created order is not followed then, so the
    state machine would draw otherwise than when hypothesis first ran that prefix, which it
    reports as inconsistent data generation. The queued path has tests of its own."""
    import boto3

    moto = next(
        re.search(r"moto at (http://127\.0\.0\.1:\d+)", line)
        for line in served.lines
        if re.search(r"moto at (http://127\.0\.0\.1:\d+)", line)
    )
    assert moto is not None
    ssm = boto3.client(
        "ssm",
        endpoint_url=moto.group(1),
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    name = "/food-delivery/food-delivery-dev-local/api-config"
    config = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    ssm.put_parameter(
        Name=name, Value=json.dumps({**config, "defaultTimeout": 10_000}), Overwrite=True
    )


def _schema_against(served: Served) -> Any:
    schema = schemathesis.openapi.from_path(str(OPENAPI))
    schema.config.update(base_url=served.url)
    schema.config.generation.update(
        max_examples=EXAMPLES_PER_OPERATION,
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    )

    @schema.hook
    def map_body(context: Any, body: Any) -> Any:
        """Amounts to the cent, the API's rule that the schema cannot say: random floats
        would otherwise almost never make a valid order."""
        return _to_cents(body)

    @schema.hook
    def map_headers(context: Any, headers: Any) -> Any:
        """A valid Idempotency-Key made unique to its request. The server keeps every key it
        has seen, so a key hypothesis draws again in a later example would meet the first
        one's order (409 IdempotencyKeyReused, or that order replayed): the answer, and with
        it whether the link from a created order is followed, would depend on what ran
        before, and hypothesis, replaying a prefix, reports the draws that follow as
        inconsistent data generation. Invalid keys stay as drawn (their 400 does not depend
        on history); idempotency itself has tests of its own."""
        key = (headers or {}).get("Idempotency-Key")
        if isinstance(key, str) and IDEMPOTENCY_KEY.fullmatch(key):
            headers["Idempotency-Key"] = f"{key[:200]}.{uuid.uuid4().hex}"
        return headers

    @schema.auth()
    class Partner:
        """Partner A's token (from serve's token endpoint, reused) and its key, as a partner
        configures them (schemathesis also tries operations without them, and with each one
        wrong: `ignored_auth`)."""

        def get(self, case: Any, ctx: Any) -> tuple[str, str]:
            return served.token(), served.api_key

        def set(self, case: Any, data: tuple[str, str], ctx: Any) -> None:
            token, key = data
            case.headers = {
                **(case.headers or {}),
                "Authorization": f"Bearer {token}",
                "x-api-key": key,
            }

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")
CHECKS = {
    "additional_checks": [
        client_errors_carry_an_error_body,
        valid_data_is_refused_only_for_documented_reasons,
        # Every operation needs the token and the key: without either, or with a wrong one,
        # a request that succeeded with them must be refused.
        ignored_auth,
        the_token_is_checked_with_the_right_key,
    ],
    "excluded_checks": [unsupported_method, positive_data_acceptance],
}


@schema.parametrize()
@seed(SEED)
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_with_valid_and_invalid_data(case: Any) -> None:
    case.call_and_validate(**CHECKS)


def test_sequences_that_follow_the_links(own_served: Served) -> None:
    machine = _schema_against(own_served).as_state_machine()
    answered: set[tuple[str, int]] = set()

    class Checked(machine):  # type: ignore[misc, valid-type]
        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            answered.add((case.operation.label, response.status_code))
            case.validate_response(response, **CHECKS)

    Checked.run(
        settings=settings(
            derandomize=True,  # the same sequences on every run
            deadline=None,
            max_examples=60,
            stateful_step_count=10,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The sequences reached what only a link can: reading, updating and listing an order
    # that an earlier step created
    for reached in (
        ("GET /orders/{orderId}", 200),
        ("PUT /orders/{orderId}", 200),
        ("GET /orders/customer/{customerId}", 200),
    ):
        assert reached in answered, repr(sorted(answered))
