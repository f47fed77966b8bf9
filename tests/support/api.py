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
    dynamodb: Any
    sqs: Any
    ssm: Any

    def environment(self) -> dict[str, str]:
        return {
            "ORDERS_TABLE_NAME": self.orders_table,
            "IDEMPOTENCY_TABLE_NAME": self.idempotency_table,
            "DLQ_URL": self.queue_url,
            "API_CONFIG_PARAMETER": self.api_config_parameter,
            "FEATURE_FLAGS_PARAMETER": self.feature_flags_parameter,
        }

    # --- the API, through the real entry points -------------------------------------
    def post(
        self, body: Any = None, *, headers: Mapping[str, str] | None = None, raw: str | None = None
    ) -> Reply:
        event = load_event("post_order.json")
        event["body"] = (
            raw if raw is not None else json.dumps(order_body() if body is None else body)
        )
        _add_headers(event, headers)
        return invoke("order_processor", event)

    def put(
        self,
        order_id: str,
        body: Any,
        *,
        headers: Mapping[str, str] | None = None,
        raw: str | None = None,
    ) -> Reply:
        event = put_event(order_id, body, headers=headers, raw=raw)
        return invoke("order_processor", event)

    def get(self, order_id: str) -> Reply:
        event = load_event("get_order.json")
        event["path"] = f"/orders/{order_id}"
        event["pathParameters"] = {"orderId": order_id}
        return invoke("query_orders", event)

    def list(self, customer_id: str, **query: str) -> Reply:
        event = load_event("get_customer_orders.json")
        event["path"] = f"/orders/customer/{customer_id}"
        event["pathParameters"] = {"customerId": customer_id}
        event["queryStringParameters"] = dict(query) or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
        return invoke("query_orders", event)

    # --- direct reads, for assertions -------------------------------------------------
    def stored_orders(self) -> list[dict[str, Any]]:
        return self.dynamodb.scan(TableName=self.orders_table, ConsistentRead=True)["Items"]

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
