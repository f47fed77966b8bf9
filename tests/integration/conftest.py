"""Integration fixtures: the real Lambda entries against moto's HTTP server.

Tables come from the generator's own template (`create_tables_from_template`), the SSM
parameters carry the template's values, and boto3 reaches moto through AWS_ENDPOINT_URL.
Every stack has its own uuid-named table, queue and parameters, so tests never share state.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import boto3
import pytest

from tests.support.aws import create_tables_from_template, parameter_values

# Powertools reads these when the handler modules are imported (Lambda sets them before
# that); the values are the template's.
POWERTOOLS_DEFAULTS = {
    "POWERTOOLS_SERVICE_NAME": "food-delivery-api",
    "POWERTOOLS_METRICS_NAMESPACE": "FoodDelivery",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}
for _name, _value in POWERTOOLS_DEFAULTS.items():
    os.environ.setdefault(_name, _value)

import order_processor  # noqa: E402  (after the Powertools environment above)
import query_orders  # noqa: E402

EVENTS = Path(__file__).resolve().parent.parent / "events"
HANDLERS = {"order_processor": order_processor.handler, "query_orders": query_orders.handler}
# The template's own api-config retries 3 times; tests that point a client at a closed port
# keep that (botocore's backoff for connection errors is tens of milliseconds).


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
    response = HANDLERS[function](copy.deepcopy(dict(event)), LambdaContext())
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
    def post(self, body: Any = None, *, headers: Mapping[str, str] | None = None, raw: str | None = None) -> Reply:
        event = load_event("post_order.json")
        event["body"] = raw if raw is not None else json.dumps(order_body() if body is None else body)
        _add_headers(event, headers)
        return invoke("order_processor", event)

    def put(self, order_id: str, body: Any, *, headers: Mapping[str, str] | None = None, raw: str | None = None) -> Reply:
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
        items = self.dynamodb.scan(TableName=self.orders_table, ConsistentRead=True)["Items"]
        return items

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

    def queue_depth(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


def put_event(order_id: str, body: Any, *, headers: Mapping[str, str] | None = None, raw: str | None = None) -> dict[str, Any]:
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


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext()


@dataclass(frozen=True)
class MotoClients:
    dynamodb: Any
    sqs: Any
    ssm: Any


@pytest.fixture(scope="session")
def moto_clients(moto_server: str) -> MotoClients:
    """The tests' own boto3 clients on moto (for setup and assertions)."""
    session = boto3.session.Session()
    return MotoClients(
        *(session.client(service, endpoint_url=moto_server) for service in ("dynamodb", "sqs", "ssm"))
    )


@pytest.fixture
def make_stack(
    moto_server: str,
    moto_clients: MotoClients,
    rendered_templates: Mapping[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Stack]:
    """Build a stack from the dev template on moto and point the handlers' environment at it.

    api_config / feature_flags replace the template's SSM values (as dicts) when given.
    """
    template = rendered_templates["dev"]

    def build(
        api_config: Mapping[str, Any] | None = None,
        feature_flags: Mapping[str, Any] | None = None,
    ) -> Stack:
        monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
        for variable in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_SSM"):
            monkeypatch.delenv(variable, raising=False)
        for name, value in POWERTOOLS_DEFAULTS.items():
            monkeypatch.setenv(name, value)
        suffix = uuid.uuid4().hex[:12]
        dynamodb, sqs, ssm = moto_clients.dynamodb, moto_clients.sqs, moto_clients.ssm
        orders_table, idempotency_table = f"orders-{suffix}", f"idempotency-{suffix}"
        create_tables_from_template(
            dynamodb, template, {"OrdersTable": orders_table, "IdempotencyTable": idempotency_table}
        )
        queue_url = sqs.create_queue(QueueName=f"orders-dlq-{suffix}")["QueueUrl"]
        values = parameter_values(template)
        api_config_name = f"/food-delivery/test-{suffix}/api-config"
        flags_name = f"/food-delivery/test-{suffix}/feature-flags"
        ssm.put_parameter(
            Name=api_config_name,
            Type="String",
            Value=json.dumps(api_config) if api_config is not None else values["ApiConfigParameter"],
        )
        ssm.put_parameter(
            Name=flags_name,
            Type="String",
            Value=json.dumps(feature_flags) if feature_flags is not None else values["FeatureFlagsParameter"],
        )
        stack = Stack(
            orders_table=orders_table,
            idempotency_table=idempotency_table,
            queue_url=queue_url,
            api_config_parameter=api_config_name,
            feature_flags_parameter=flags_name,
            dynamodb=dynamodb,
            sqs=sqs,
            ssm=ssm,
        )
        for name, value in stack.environment().items():
            monkeypatch.setenv(name, value)
        return stack

    return build


@pytest.fixture
def stack(make_stack: Callable[..., Stack]) -> Stack:
    return make_stack()


@pytest.fixture
def template_api_config(rendered_templates: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(parameter_values(rendered_templates["dev"])["ApiConfigParameter"])


@pytest.fixture
def template_flags(rendered_templates: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(parameter_values(rendered_templates["dev"])["FeatureFlagsParameter"])


@pytest.fixture
def created(stack: Stack) -> Iterator[dict[str, Any]]:
    """An order placed through the API (201), as the API returned it."""
    reply = stack.post()
    assert reply.status == 201, reply.body
    yield reply.body
