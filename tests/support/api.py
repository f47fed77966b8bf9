"""Calling the Lambda entries as API Gateway does: sample events, a Lambda context, replies.

Shared by the integration tests (stacks built by hand on moto) and the e2e tests (stacks
deployed by CloudFormation on moto).
"""

from __future__ import annotations

import base64
import copy
import importlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).resolve().parents[1] / "events"
# Powertools reads these when the handler modules are imported (Lambda sets them before
# that); the values are the template's. tests/conftest.py puts them in the environment.
POWERTOOLS_DEFAULTS = {
    "POWERTOOLS_SERVICE_NAME": "food-delivery-api",
    "POWERTOOLS_METRICS_NAMESPACE": "FoodDelivery",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}
ENTRY_MODULES = ("order_processor", "query_orders")
READ = "orders-api/orders.read"
WRITE = "orders-api/orders.write"


@dataclass(frozen=True)
class PartnerIdentity:
    """A partner as the registry parameter and API Gateway's events name it."""

    name: str
    client_id: str
    api_key_id: str


# The sample events' partner first (its client id and key id are theirs), then another.
SAMPLE_PARTNERS = (
    PartnerIdentity("acme-eats", "1example23456789abcdefghij", "k1a2b3c4d5"),
    PartnerIdentity("city-couriers", "2example23456789abcdefghij", "k6e7f8g9h0"),
)
A, B = (partner.name for partner in SAMPLE_PARTNERS)


def registry_value(partners: tuple[PartnerIdentity, ...]) -> str:
    """The partner registry parameter's value, as the template builds it."""
    return json.dumps(
        {p.client_id: {"apiKeyId": p.api_key_id, "partner": p.name} for p in partners},
        sort_keys=True,
    )


def as_partner(
    event: dict[str, Any],
    partner: PartnerIdentity,
    *,
    scopes: tuple[str, ...] = (READ, WRITE),
    token_use: str = "access",
    api_key_id: str | None = None,
) -> dict[str, Any]:
    """The event as API Gateway builds it for this partner's verified token (claims are
    strings, as the Cognito authorizer passes them) and the API key it sent."""
    claims = event["requestContext"]["authorizer"]["claims"]
    claims.update(
        sub=partner.client_id,
        client_id=partner.client_id,
        token_use=token_use,
        scope=" ".join(scopes),
    )
    event["requestContext"]["identity"]["apiKeyId"] = api_key_id or partner.api_key_id
    return event


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


@dataclass
class LambdaContext:
    """A Lambda context object (what the runtime passes to a handler), not an AWS API."""

    function_name: str = "food-delivery-test-function"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = (
        "arn:aws:lambda:eu-west-1:123456789012:function:food-delivery-test-function"
    )
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: Any

    @property
    def error_code(self) -> str | None:
        return self.body.get("error", {}).get("code") if isinstance(self.body, dict) else None


def invoke(function: str, event: Mapping[str, Any]) -> Reply:
    """Call a Lambda entry as API Gateway would and parse its proxy response."""
    # Imported on first use: Powertools reads its environment at import (tests/conftest.py sets it).
    assert function in ENTRY_MODULES, function
    entry = importlib.import_module(function)
    response = entry.handler(copy.deepcopy(dict(event)), LambdaContext())
    headers = {name.lower(): value for name, value in (response.get("headers") or {}).items()}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers[name.lower()] = values[-1]
    body = response.get("body")
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return Reply(response["statusCode"], headers, json.loads(body) if body else None)


def order_body(**changes: Any) -> dict[str, Any]:
    """The sample event's order, with changes."""
    body = json.loads(load_event("post_order.json")["body"])
    body.update(changes)
    return body


@dataclass
class Stack:
    """One test's resources on moto, and boto3 clients for the test's own checks."""

    orders_table: str
    idempotency_table: str
    queue_url: str
    api_config_parameter: str
    feature_flags_parameter: str
    partner_registry_parameter: str
    dynamodb: Any
    sqs: Any
    ssm: Any
    # The partners the registry holds, by name.
    partners: Mapping[str, PartnerIdentity] = field(
        default_factory=lambda: {partner.name: partner for partner in SAMPLE_PARTNERS}
    )

    def environment(self) -> dict[str, str]:
        return {
            "ORDERS_TABLE_NAME": self.orders_table,
            "IDEMPOTENCY_TABLE_NAME": self.idempotency_table,
            "DLQ_URL": self.queue_url,
            "API_CONFIG_PARAMETER": self.api_config_parameter,
            "FEATURE_FLAGS_PARAMETER": self.feature_flags_parameter,
            "PARTNER_REGISTRY_PARAMETER": self.partner_registry_parameter,
        }

    # --- the API, through the real entry points, as one partner (A unless named) ------
    def post(
        self,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        raw: str | None = None,
        partner: str = A,
    ) -> Reply:
        event = load_event("post_order.json")
        event["body"] = (
            raw if raw is not None else json.dumps(order_body() if body is None else body)
        )
        _add_headers(event, headers)
        return invoke("order_processor", as_partner(event, self.partners[partner]))

    def put(
        self,
        order_id: str,
        body: Any,
        *,
        headers: Mapping[str, str] | None = None,
        raw: str | None = None,
        partner: str = A,
    ) -> Reply:
        event = put_event(order_id, body, headers=headers, raw=raw)
        return invoke("order_processor", as_partner(event, self.partners[partner]))

    def get(self, order_id: str, *, partner: str = A) -> Reply:
        return invoke("query_orders", as_partner(get_event(order_id), self.partners[partner]))

    def list(self, customer_id: str, *, partner: str = A, **query: str) -> Reply:
        event = list_event(customer_id, **query)
        return invoke("query_orders", as_partner(event, self.partners[partner]))

    # --- direct reads, for assertions -------------------------------------------------
    def stored_orders(self) -> list[dict[str, Any]]:
        return self.dynamodb.scan(TableName=self.orders_table, ConsistentRead=True)["Items"]

    def stored_order_ids(self) -> list[str]:
        """The ids of the orders the table holds, as the API shows them (the table's key
        carries the partner's name in front: `acme-eats#<id>`)."""
        return [item["orderId"]["S"].split("#", 1)[1] for item in self.stored_orders()]

    def queued_messages(self) -> list[dict[str, Any]]:
        """Every message in the dead-letter queue (each made invisible for a while)."""
        messages: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=30
            ).get("Messages", [])
            if not batch:
                return messages
            messages += batch

    def redrive_arguments(self, *extra: str) -> list[str]:
        """`python -m handlers.redrive` arguments for this stack's queue and table."""
        return [
            "--queue-url", self.queue_url,
            "--table", self.orders_table,
            "--wait-seconds", "0",
            *extra,
        ]  # fmt: skip

    def queue_depth(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


def get_event(order_id: str) -> dict[str, Any]:
    event = load_event("get_order.json")
    event["path"] = f"/orders/{order_id}"
    event["pathParameters"] = {"orderId": order_id}
    return event


def list_event(customer_id: str, **query: str) -> dict[str, Any]:
    event = load_event("get_customer_orders.json")
    event["path"] = f"/orders/customer/{customer_id}"
    event["pathParameters"] = {"customerId": customer_id}
    event["queryStringParameters"] = dict(query) or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    return event


def put_event(
    order_id: str, body: Any, *, headers: Mapping[str, str] | None = None, raw: str | None = None
) -> dict[str, Any]:
    event = load_event("put_order.json")
    event["path"] = f"/orders/{order_id}"
    event["pathParameters"] = {"orderId": order_id}
    event["body"] = raw if raw is not None else json.dumps(body)
    _add_headers(event, headers)
    return event


def _add_headers(event: dict[str, Any], headers: Mapping[str, str] | None) -> None:
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
