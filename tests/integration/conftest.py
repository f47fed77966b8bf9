"""Integration fixtures: the real Lambda entries against moto's HTTP server.

Tables come from the generator's own template (`create_tables_from_template`), the SSM
parameters carry the template's values, and boto3 reaches moto through AWS_ENDPOINT_URL.
Every stack has its own uuid-named table, queue and parameters, so tests never share state.

TEST_DYNAMODB=local runs the same tests with the tables in Amazon's DynamoDB Local instead
(started once per test process, from the cache; AWS_ENDPOINT_URL_DYNAMODB points the handlers
at it), SQS and SSM staying on moto: CI runs them so once more (.ci/run), to catch what moto's
DynamoDB accepts and DynamoDB does not, or answers otherwise.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from tests.support.api import (
    POWERTOOLS_DEFAULTS,
    SAMPLE_PARTNERS,
    LambdaContext,
    Stack,
    registry_value,
)
from tests.support.aws import create_tables_from_template, parameter_values

TEST_DYNAMODB = "TEST_DYNAMODB"  # "moto" (the default) or "local"
LANES = ("moto", "local")

# The functions' client timeout when a test does not set one. The template's 500 ms is for
# DynamoDB on AWS; moto on a busy 2-core machine can take longer for a call, and a test that
# is not about timeouts must not see a timeout. Tests of timeouts set their own.
MOTO_TIMEOUT_MS = 10_000


@pytest.fixture(autouse=True)
def _patient_ssm_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """SSM's fixed client timeout (2 s on AWS), likewise raised for moto on a busy machine."""
    import store.clients

    monkeypatch.setattr(store.clients, "SSM_TIMEOUT_MS", MOTO_TIMEOUT_MS)


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext()


@pytest.fixture(scope="session")
def dynamodb_endpoint(moto_server: str) -> Iterator[str]:
    """Where the tables are: moto's server, or DynamoDB Local with TEST_DYNAMODB=local."""
    lane = os.environ.get(TEST_DYNAMODB, "moto")
    if lane not in LANES:
        raise pytest.UsageError(f"{TEST_DYNAMODB} is {lane!r}: expected one of {LANES}")
    if lane == "moto":
        yield moto_server
        return
    from localapi.dynamodb_local import DynamoDBLocal
    from tests.support import prerequisites

    database = DynamoDBLocal(*prerequisites.dynamodb_local())
    try:
        yield database.start()
    finally:
        database.stop()


@pytest.fixture
def atomic_dynamodb_endpoint(dynamodb_endpoint: str) -> Iterator[str]:
    """A DynamoDB endpoint that applies each conditional write atomically, as DynamoDB does,
    over the same tables: DynamoDB Local itself, or moto answering one request at a time
    (SerialMotoServer says why)."""
    if os.environ.get(TEST_DYNAMODB, "moto") == "local":
        yield dynamodb_endpoint
        return
    from tests.support.aws import SerialMotoServer

    with SerialMotoServer() as serial:
        yield serial.url


@pytest.fixture
def redrive_endpoints(moto_server: str, dynamodb_endpoint: str) -> tuple[list[str], dict[str, str]]:
    """How `python -m handlers.redrive` reaches the tests' stacks from a process of its own: the
    arguments and the environment variables to add. Its --endpoint-url names one endpoint for
    SQS and DynamoDB, as the operations guide shows it; where the tables are elsewhere (the
    DynamoDB Local lane), each service's endpoint goes in the environment instead, as boto3
    reads it."""
    if dynamodb_endpoint == moto_server:
        return ["--endpoint-url", moto_server], {}
    return [], {"AWS_ENDPOINT_URL": moto_server, "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint}


@dataclass(frozen=True)
class MotoClients:
    dynamodb: Any  # on dynamodb_endpoint: moto's, or DynamoDB Local
    sqs: Any
    ssm: Any


@pytest.fixture(scope="session")
def moto_clients(moto_server: str, dynamodb_endpoint: str) -> MotoClients:
    """The tests' own boto3 clients on moto, and where the tables are (setup, assertions)."""
    session = boto3.session.Session()
    return MotoClients(
        session.client("dynamodb", endpoint_url=dynamodb_endpoint),
        session.client("sqs", endpoint_url=moto_server),
        session.client("ssm", endpoint_url=moto_server),
    )


@pytest.fixture
def make_stack(
    moto_server: str,
    dynamodb_endpoint: str,
    moto_clients: MotoClients,
    rendered_templates: Mapping[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Stack]:
    """Build a stack from the dev template on moto and point the handlers' environment at it.

    api_config / feature_flags replace the template's SSM values (as dicts) when given.
    """
    template = rendered_templates["dev"]
    template_config = json.loads(parameter_values(template)["ApiConfigParameter"])

    def build(
        api_config: Mapping[str, Any] | None = None,
        feature_flags: Mapping[str, Any] | None = None,
    ) -> Stack:
        monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
        for variable in ("AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_SSM"):
            monkeypatch.delenv(variable, raising=False)
        # (moto's own address in the moto lane: a test that takes DynamoDB down and back up
        # sets it back to dynamodb_endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint)
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
        config = dict(api_config or json.loads(values["ApiConfigParameter"]))
        if config.get("defaultTimeout") == template_config["defaultTimeout"]:
            config["defaultTimeout"] = MOTO_TIMEOUT_MS
        ssm.put_parameter(Name=api_config_name, Type="String", Value=json.dumps(config))
        flags = (
            json.dumps(feature_flags)
            if feature_flags is not None
            else values["FeatureFlagsParameter"]
        )
        ssm.put_parameter(Name=flags_name, Type="String", Value=flags)
        # The registry as the template writes it, for the sample partners' clients and keys
        registry_name = f"/food-delivery/test-{suffix}/partners"
        ssm.put_parameter(Name=registry_name, Type="String", Value=registry_value(SAMPLE_PARTNERS))
        stack = Stack(
            orders_table=orders_table,
            idempotency_table=idempotency_table,
            queue_url=queue_url,
            api_config_parameter=api_config_name,
            feature_flags_parameter=flags_name,
            partner_registry_parameter=registry_name,
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
    return reply.body


class StoppableServer:
    """A second moto server in this process: it serves the same moto backends as moto_server
    (what the tests write through moto_server it sees), on its own port, and can be stopped,
    after which connections to its port are refused: an outage of whatever points at it."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        from tests.support.aws import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.running = False

    def start(self) -> None:
        self._server.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._server.stop()
            self.running = False


@pytest.fixture
def stoppable_server(moto_server: str) -> Iterator[StoppableServer]:
    server = StoppableServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
