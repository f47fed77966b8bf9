"""No order is lost: orders sent through the local API while DynamoDB and SQS fail and recover
(a faulty network between the functions and moto), then the redrive; and a worker killed in
the middle of a request."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import redrive
from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from generator.stack.sources import HANDLERS
from localapi.aws import free_port
from localapi.local_api import LocalApi
from tests.support import http
from tests.support.api import order_body
from tests.support.faults import DROP, REFUSE, THROUGH, FaultProxy

# No retry: an outage is one refused connection per call. The clients' timeout is generous (moto
# on a busy machine can be slow), and a late answer far later still.
TIMEOUT_MS = 3_000
LATE_SECONDS = 10.0
API_CONFIG = {"defaultTimeout": TIMEOUT_MS, "retryAttempts": 0, "maxOrdersPerHour": 1000}


def _template(order_processor_timeout: int | None = None) -> dict[str, Any]:
    template = render(ENVIRONMENTS["dev"]).editable()
    resources = template["Resources"]
    resources["ApiConfigParameter"]["Properties"]["Value"] = json.dumps(API_CONFIG)
    if order_processor_timeout is not None:
        resources["OrderProcessorFunction"]["Properties"]["Timeout"] = order_processor_timeout
    return template


@pytest.fixture
def proxies() -> Iterator[dict[str, FaultProxy]]:
    made = {service: FaultProxy(delay=LATE_SECONDS) for service in ("dynamodb", "sqs")}
    yield made
    for proxy in made.values():
        proxy.close()


def _start(template: dict[str, Any], proxies: dict[str, FaultProxy]) -> LocalApi:
    local = LocalApi(
        template,
        handlers_dir=HANDLERS,
        port=free_port(),
        # moto's state is per process: each local stack of this process needs its own names
        stack_name=f"faults-{uuid.uuid4().hex[:8]}",
        function_endpoints={service: proxy.url for service, proxy in proxies.items()},
        log=lambda line: None,
    )
    local.start()
    for proxy in proxies.values():
        proxy.upstream = local.aws.endpoint_url
    return local


def partner_headers(local: LocalApi) -> dict[str, str]:
    """The first partner's key, and a token of its own (minted by the local issuer)."""
    partner = local.partners[0]
    assert local.issuer is not None
    assert partner.api_key is not None
    token = local.issuer.issue(partner.client_id, partner.scopes)
    return {"x-api-key": partner.api_key.value, "Authorization": f"Bearer {token}"}


def _post(
    local: LocalApi, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    reply = http.request(
        local.url,
        "POST",
        "/orders",
        body=json.dumps(body).encode(),
        headers={**partner_headers(local), "Content-Type": "application/json", **(headers or {})},
    )
    return reply.status, json.loads(reply.body or b"null")


def _stored_orders(local: LocalApi) -> list[str]:
    dynamodb = local.aws.client("dynamodb")
    table = local.aws.physical_ids["OrdersTable"]
    pages = dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
    # The table's key carries the partner's name in front of the id
    return [item["orderId"]["S"].split("#", 1)[1] for page in pages for item in page["Items"]]


def _redrive(local: LocalApi) -> int:
    return redrive.main(
        [
            "--queue-url", local.aws.physical_ids["OrderDeadLetterQueue"],
            "--table", local.aws.physical_ids["OrdersTable"],
            "--endpoint-url", local.aws.endpoint_url,
            "--region", local.aws.region,
            "--wait-seconds", "0",
        ]
    )  # fmt: skip


@dataclass(frozen=True)
class Phase:
    """The network between the functions and AWS while a phase's orders are sent, and how each
    of those orders must be answered."""

    dynamodb: str
    sqs: str
    answer: int
    # Each PutItem on the orders table reaches DynamoDB, and its answer comes back after the
    # client has given up (held LATE_SECONDS, past the clients' TIMEOUT_MS).
    late_writes: bool = False


# Each phase starts once every order of the one before is answered, so an order meets one
# fault only: refused (nothing stored) or queued (202), never both by chance.
PHASES = (
    Phase(THROUGH, THROUGH, 201),
    Phase(REFUSE, THROUGH, 202),
    Phase(REFUSE, REFUSE, 503),
    Phase(REFUSE, THROUGH, 202),
    Phase(THROUGH, THROUGH, 201),
    # Stored, but the answer is late: the function queues the order too.
    Phase(THROUGH, THROUGH, 202, late_writes=True),
    Phase(THROUGH, THROUGH, 201),
    # Stored, and the answer never comes back.
    Phase(DROP, THROUGH, 202),
    Phase(THROUGH, THROUGH, 201),
)
SENDERS = 4
ORDERS_PER_SENDER_AND_PHASE = 2
# A deadline for each step to be reached, not a window anything must happen in.
STEP_DEADLINE_SECONDS = 120


def test_no_order_is_lost_while_dynamodb_and_sqs_fail_and_recover(
    proxies: dict[str, FaultProxy],
) -> None:
    local = _start(_template(), proxies)
    try:
        # Given orders sent by four clients at once, phase after phase of faults
        answers: list[tuple[int, int, Any]] = []  # (phase, status, body)
        lock = threading.Lock()
        # The phase's faults are set before the senders pass it; they pass it again once
        # every order of the phase is answered.
        step = threading.Barrier(SENDERS + 1, timeout=STEP_DEADLINE_SECONDS)

        def send(sender: int) -> None:
            for phase in range(len(PHASES)):
                step.wait()
                for index in range(ORDERS_PER_SENDER_AND_PHASE):
                    body = order_body(customerId=f"load-{sender}-{phase}-{index}")
                    status, answer = _post(local, body)
                    with lock:
                        answers.append((phase, status, answer))
                step.wait()

        senders = [threading.Thread(target=send, args=(n,)) for n in range(SENDERS)]
        for sender in senders:
            sender.start()
        orders_table = local.aws.physical_ids["OrdersTable"].encode()
        for phase in PHASES:
            proxies["dynamodb"].mode, proxies["sqs"].mode = phase.dynamodb, phase.sqs
            proxies["dynamodb"].hold_if = (
                (lambda request: b"PutItem" in request and orders_table in request)
                if phase.late_writes
                else None
            )
            step.wait()
            step.wait()
        for sender in senders:
            sender.join()

        # Then each order is answered as its phase's faults decide: stored (201), queued (202),
        # or refused (503) when neither the table nor the queue could take it
        per_order = ORDERS_PER_SENDER_AND_PHASE * SENDERS
        for number, phase in enumerate(PHASES):
            statuses = [status for sent_in, status, _ in answers if sent_in == number]
            assert statuses == [phase.answer] * per_order, (phase, statuses)
        accepted = [body["orderId"] for _, status, body in answers if status in (201, 202)]

        # When the table is back and the redrive runs
        assert _redrive(local) == 0
        # Then the table holds exactly the accepted orders, once each: none lost, none twice,
        # none of those refused with a 503
        stored = _stored_orders(local)
        assert len(stored) == len(set(stored))
        assert sorted(stored) == sorted(accepted)
        counts = dict(Counter(status for _, status, _ in answers))
        print(f"sent {len(answers)}: {counts}; stored {len(stored)}")
    finally:
        local.stop()


def _wait_until(condition: Callable[[], bool], failure: str, every: float = 0.05) -> None:
    """Poll condition until it holds; fail with `failure` past the step's deadline."""
    deadline = time.monotonic() + STEP_DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(every)


def test_a_worker_killed_mid_request_leaves_one_order_for_the_retry(
    proxies: dict[str, FaultProxy],
) -> None:
    # Given an order processor with room to wait on DynamoDB (4 s, clients 3.5 s)
    template = _template(order_processor_timeout=4)
    template["Resources"]["ApiConfigParameter"]["Properties"]["Value"] = json.dumps(
        {**API_CONFIG, "defaultTimeout": 3500, "retryAttempts": 0}
    )
    local = _start(template, proxies)
    try:
        # And the order's PutItem held in flight: it reaches DynamoDB (the order is stored),
        # its answer does not come back
        orders_table = local.aws.physical_ids["OrdersTable"].encode()
        proxy = proxies["dynamodb"]
        proxy.delay = 20.0
        proxy.hold_if = lambda request: b"PutItem" in request and orders_table in request
        body, key = order_body(customerId="killed-1"), {"Idempotency-Key": "retry-me"}
        first: list[tuple[int, Any]] = []
        request = threading.Thread(target=lambda: first.append(_post(local, body, key)))
        request.start()
        _wait_until(lambda: proxy.held > 0, "the PutItem never came")

        # When the worker serving it is killed
        [worker] = local.pools["OrderProcessorFunction"].pids(busy_only=True)
        os.kill(worker, signal.SIGKILL)
        request.join(timeout=30)
        # Then the client gets API Gateway's 502
        assert first[0][0] == 502

        # When the client retries with the same Idempotency-Key, until the killed attempt's
        # claim on the key has expired (at the function's timeout: a 409 until then)
        proxy.hold_if = None
        retries: list[tuple[int, Any]] = []
        _wait_until(
            lambda: retries.append(_post(local, body, key)) or retries[-1][0] != 409,
            "the killed attempt's claim on the key never expired",
            every=0.5,
        )
        retried = retries[-1]
        # Then it gets one order, the one the killed attempt had stored
        assert retried[0] == 201, retried
        assert _stored_orders(local) == [retried[1]["orderId"]]
    finally:
        local.stop()
