"""Real failures, not fakes: DynamoDB, SQS or SSM pointed at a closed port on 127.0.0.1.

boto3 resolves AWS_ENDPOINT_URL_<SERVICE> when a client is created; each test's stack has new
names, so the handlers build new clients under the environment the test sets.

botocore backs off between retries of a refused connection (up to 1, 2, 4 s), so these
stacks set api-config's retryAttempts to 0: every outage is then one refused connection per
call. That retryAttempts reaches the clients is a unit test (tests/unit/test_clients.py), and
that the handler really makes that many attempts is counted at the end of this module.
SSM's client has fixed limits (store/clients.py); tests of SSM outages set its retries to 0.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

import redrive
import runtime
import store.clients
import store.config
from tests.support.api import order_body
from tests.support.aws import closed_port_url

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def stack(make_stack, template_api_config):
    """A stack whose api-config retries nothing (see the module docstring)."""
    return make_stack(api_config={**template_api_config, "retryAttempts": 0})


def peek(stack):
    """The queue's messages, left visible."""
    return stack.sqs.receive_message(
        QueueUrl=stack.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
    ).get("Messages", [])


def redrive_args(stack):
    return stack.redrive_arguments("--retry-attempts", "0")


def test_dynamodb_down_queues_every_order_and_the_redrive_stores_each_once(
    stack, monkeypatch, dynamodb_endpoint, redrive_endpoints, capsys
):
    # Given DynamoDB unreachable (a closed port) while SQS and SSM stay up
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", closed_port_url())
    # When five orders are posted (two with an Idempotency-Key, whose table is down too)
    replies = [
        stack.post(
            order_body(customerId=f"customer-{index}"),
            headers={"Idempotency-Key": f"key-{index}"} if index < 2 else None,
        )
        for index in range(5)
    ]
    # Then each is accepted as queued, with its id
    assert [reply.status for reply in replies] == [202] * 5
    assert all(reply.body["status"] == "queued" for reply in replies)
    order_ids = {reply.body["orderId"] for reply in replies}
    assert len(order_ids) == 5
    assert all(reply.headers["access-control-allow-origin"] == "*" for reply in replies)
    # And every order is in the dead-letter queue with the reason
    messages = peek(stack)
    bodies = [json.loads(message["Body"]) for message in messages]
    assert {body["order"]["orderId"] for body in bodies} == order_ids
    assert all(body["reason"] for body in bodies)
    assert all(body["order"]["status"] == "pending" for body in bodies)
    # And one message arrives twice (a redelivery): the redrive must still store it once
    stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody=messages[0]["Body"])

    # When DynamoDB is back and the redrive runs
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint)
    status = redrive.main(redrive_args(stack))
    # Then it succeeds, each order is stored exactly once, and the queue is empty
    assert status == 0
    assert "received 6, stored 5, already stored 1, left in the queue 0" in capsys.readouterr().out
    stored = stack.stored_order_ids()
    assert sorted(stored) == sorted(order_ids)
    assert stack.queue_depth() == 0
    # And the orders are served as placed (timestamp, total, version 1)
    for body in bodies:
        reply = stack.get(body["order"]["orderId"])
        assert reply.status == 200
        assert body["order"]["partner"] == "acme-eats"  # the message names the owner
        assert reply.body == {k: v for k, v in body["order"].items() if k != "partner"}

    # When the redrive runs again, as the README shows it (a command from the checkout)
    arguments, endpoints = redrive_endpoints
    second = subprocess.run(
        [sys.executable, "-m", "handlers.redrive", *redrive_args(stack), *arguments],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": "", **endpoints},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then it is a no-op
    assert second.returncode == 0, second.stderr
    assert "received 0, stored 0, already stored 0, left in the queue 0" in second.stdout
    assert len(stack.stored_orders()) == 5


def test_dynamodb_and_sqs_down_is_a_503_that_leaks_nothing(stack, monkeypatch):
    # Given DynamoDB and SQS both unreachable
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", closed_port_url())
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", closed_port_url())
    # When an order is posted
    reply = stack.post()
    # Then the client is told to retry, with no internals in the answer
    assert reply.status == 503
    assert reply.error_code == "ServiceUnavailable"
    assert reply.headers["access-control-allow-origin"] == "*"
    text = json.dumps(reply.body)
    assert "127.0.0.1" not in text
    assert "Endpoint" not in text
    assert "sqs" not in text.lower()


@pytest.fixture
def ssm_fails_fast(monkeypatch):
    """No retries of a refused SSM connection (SSM's client has fixed limits, not api-config's)."""
    monkeypatch.setattr(store.clients, "SSM_RETRY_ATTEMPTS", 0)


def cold_start():
    """Every function's next request builds its service anew, as a new execution environment
    does: nothing read from SSM so far is remembered."""
    runtime.order_service.cache_clear()


def test_ssm_down_on_a_cold_start_refuses_every_request_until_the_partners_are_known(
    stack, monkeypatch, ssm_fails_fast
):
    # Given an order placed while SSM was up
    order = stack.post().body
    # And new execution environments starting while SSM is down (nothing cached yet)
    cold_start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", closed_port_url())
    # When the order is read, listed and confirmed, and a new order is posted
    replies = [
        stack.get(order["orderId"]),
        stack.list(order["customerId"]),
        stack.put(order["orderId"], {"status": "confirmed"}),
        stack.post(),
    ]
    # Then each is a 503: without the partner registry no caller is known (there is no safe
    # default), and nothing is stored or changed
    assert [reply.status for reply in replies] == [503] * 4
    assert {reply.error_code for reply in replies} == {"ServiceUnavailable"}
    assert len(stack.stored_orders()) == 1
    # When SSM is back, Then environments serve again
    monkeypatch.delenv("AWS_ENDPOINT_URL_SSM")
    cold_start()
    assert stack.get(order["orderId"]).body["status"] == "pending"


def test_ssm_down_in_a_warm_environment_serves_reads_and_updates_on_what_it_read(
    stack, monkeypatch, ssm_fails_fast
):
    # Given an environment that read the registry and api-config (not the flags: a read
    # and a status change do not need them)
    cold_start()
    order = stack.post().body
    assert stack.get(order["orderId"]).status == 200
    # When SSM goes down and the cached values are stale
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", closed_port_url())
    monkeypatch.setattr(store.config, "MAX_AGE_SECONDS", 0)
    read = stack.get(order["orderId"])
    confirmed = stack.put(order["orderId"], {"status": "confirmed"})
    # Then they work on the last values read
    assert (read.status, confirmed.status) == (200, 200)
    assert confirmed.body["status"] == "confirmed"


def test_ssm_going_down_after_a_load_keeps_serving_the_last_good_values(
    stack, monkeypatch, ssm_fails_fast, stoppable_server
):
    # Given functions that read SSM through an endpoint that can go down, with no caching
    # (every request refreshes: the 5-minute cache has always just expired)
    monkeypatch.setattr(store.config, "MAX_AGE_SECONDS", 0)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", stoppable_server.url)
    # And an order placed and read while SSM is up (both parameters loaded)
    placed = stack.post()
    assert placed.status == 201
    assert stack.get(placed.body["orderId"]).status == 200
    # When SSM goes down
    stoppable_server.stop()
    # Then new orders are still created, with the flags last read (loyalty points are on)
    posted = stack.post(order_body(customerId="customer-0002"))
    assert posted.status == 201, posted.body
    assert posted.body["loyaltyPoints"] == 21
    # And reads and updates keep working
    assert stack.get(posted.body["orderId"]).status == 200
    assert stack.put(posted.body["orderId"], {"status": "confirmed"}).status == 200
    assert len(stack.stored_orders()) == 2


def test_reads_and_updates_with_dynamodb_down_are_503(stack, monkeypatch):
    # Given DynamoDB unreachable
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", closed_port_url())
    order_id = str(uuid.uuid4())
    # When an order is read, a listing asked for, and an order updated
    replies = [
        stack.get(order_id),
        stack.list("customer-0001"),
        stack.put(order_id, {"status": "confirmed"}),
    ]
    # Then each answer is a 503, not a 404 (nothing to queue: only new orders go to the DLQ)
    assert [reply.status for reply in replies] == [503, 503, 503]
    assert stack.queue_depth() == 0


def test_missing_environment_is_a_500_that_leaks_nothing(stack, monkeypatch):
    # Given a deployment that forgot the DLQ_URL variable
    monkeypatch.delenv("DLQ_URL")
    # When an order is posted
    reply = stack.post()
    # Then it is a 500 whose body says nothing about why
    assert reply.status == 500
    assert reply.body == {"error": {"code": "InternalError", "message": "internal error"}}
    assert reply.headers["access-control-allow-origin"] == "*"


def test_redrive_leaves_what_it_cannot_store_and_says_so(stack, monkeypatch, capsys):
    # Given a message that is not an order (e.g. Lambda's own async dead letter) and one
    # order, while DynamoDB is down
    stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody='{"requestContext": {}}')
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", closed_port_url())
    assert stack.post().status == 202
    # When the redrive runs with DynamoDB still down
    status = redrive.main(redrive_args(stack))
    # Then it fails, names both, and deletes neither
    assert status == 1
    out = capsys.readouterr().out
    assert "left in the queue 2" in out
    assert "not an order" in out
    assert "could not store" in out
    assert stack.queue_depth() == 2


def queued_order(**changes):
    """An order document as the handler queues it, with these changes."""
    return {
        **order_body(),
        "orderId": str(uuid.uuid4()),
        "timestamp": 1_716_552_000_000,
        "status": "pending",
        "total": 21.95,
        "createdAt": "2024-05-24T12:00:00.000Z",
        "updatedAt": "2024-05-24T12:00:00.000Z",
        "version": 1,
        "partner": "acme-eats",
        **changes,
    }


def send_letter(stack, document, raw_order=None):
    body = json.dumps({"reason": "PutItem: test", "order": document})
    if raw_order is not None:  # numbers json.dumps cannot write as they must appear
        body = body.replace('"@raw@"', raw_order)
    stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody=body)
    return document["orderId"]


def test_one_bad_message_does_not_stop_the_redrive(stack, capsys):
    # Given good orders queued around ones DynamoDB or its serializer refuse: a price of 40
    # significant digits (decimal.Inexact in boto3's serializer), an empty orderId (an empty
    # key attribute, refused before DynamoDB sees it with the partner's prefix), and a message
    # that is not an order
    good = [send_letter(stack, queued_order()) for _ in range(2)]
    long_price = send_letter(
        stack,
        queued_order(items=[{"productId": "p", "quantity": 1, "price": "@raw@"}]),
        raw_order="1234567890123456789012345678901234567890",
    )
    empty_id = send_letter(stack, queued_order(orderId=""))
    stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody="not json at all")
    good += [send_letter(stack, queued_order()) for _ in range(2)]
    # When the redrive runs
    status = redrive.main(redrive_args(stack))
    # Then it goes through the whole queue: the good orders are stored and their messages deleted
    out = capsys.readouterr().out
    assert sorted(stack.stored_order_ids()) == sorted(good)
    assert "received 7, stored 4, already stored 0, left in the queue 3" in out
    # And each bad one is reported, with why, and left in the queue
    assert (
        f"could not store (left): order '{long_price}': a number DynamoDB cannot store exactly"
        in out
    )
    assert f"could not store (left): order '{empty_id}': an empty order id" in out
    assert out.count("not an order (left)") == 1
    assert stack.queue_depth() == 3
    # And the run fails, so whoever runs it looks at what is left
    assert status == 1


class HangUp:
    """A TCP port on 127.0.0.1 that accepts each connection and closes it at once, counting
    them: a DynamoDB that is down, where every attempt of a call can be counted."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:  # closed by close()
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        # shutdown() wakes the accept() blocked in the thread (close() alone does not, on Linux)
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        self._thread.join(timeout=5)


@pytest.fixture
def hang_up():
    server = HangUp()
    yield server
    server.close()


def test_with_retries_configured_an_order_still_reaches_the_dead_letter_queue(
    make_stack, template_api_config, monkeypatch
):
    # Given api-config allowing one retry, and DynamoDB at a closed port
    stack = make_stack(api_config={**template_api_config, "retryAttempts": 1})
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", closed_port_url())
    # When an order is posted
    reply = stack.post()
    # Then, once the retries are spent, it is queued: 202 with its id, and in the queue
    assert reply.status == 202, reply.body
    assert reply.body["status"] == "queued"
    [message] = peek(stack)
    assert json.loads(message["Body"])["order"]["orderId"] == reply.body["orderId"]


@pytest.mark.parametrize("retry_attempts", [0, 1])
def test_api_config_retry_attempts_is_what_the_handler_really_retries(
    make_stack, template_api_config, monkeypatch, hang_up, retry_attempts
):
    # Given api-config with retryAttempts N, and a DynamoDB that hangs up on every connection
    stack = make_stack(api_config={**template_api_config, "retryAttempts": retry_attempts})
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", hang_up.url)
    # When an order is posted
    reply = stack.post()
    # Then it is queued (202) after each DynamoDB call was tried N + 1 times: the rate-limit
    # count (which then fails open) and the PutItem
    assert reply.status == 202, reply.body
    assert hang_up.connections == 2 * (retry_attempts + 1)


# --- throttling, slowness and dropped answers ---------------------------------------------


@pytest.fixture
def throttled(monkeypatch):
    """A third of DynamoDB's calls throttled, through botocore's own event hooks (registered on
    the session the handlers' clients are created from)."""
    from tests.support.faults import Throttle

    throttle = Throttle(share=0.3)
    events = store.clients._shared_session().events
    events.register_first("before-send.dynamodb", throttle)
    yield throttle
    events.unregister("before-send.dynamodb", throttle)


def test_a_throttled_table_is_retried_and_no_order_is_lost(
    make_stack, template_api_config, throttled
):
    # Given DynamoDB refusing a third of its calls as over capacity, and the design's 3 retries
    stack = make_stack(api_config={**template_api_config, "retryAttempts": 3})
    # When six orders are posted
    replies = [stack.post(order_body(customerId=f"throttled-{index}")) for index in range(6)]
    # Then every one is accepted: created (retries got through) or queued, never a 5XX
    statuses = [reply.status for reply in replies]
    assert set(statuses) <= {201, 202}, statuses
    assert throttled.throttled > 0
    # And once the table has capacity again, the redrive stores every accepted order once
    throttled.share = 0.0
    assert redrive.main(redrive_args(stack)) == 0
    stored = stack.stored_order_ids()
    assert sorted(stored) == sorted(reply.body["orderId"] for reply in replies)


@pytest.mark.parametrize("mode", ["slow", "drop"])
def test_an_answer_that_never_comes_is_queued_and_stored_once(
    make_stack, template_api_config, monkeypatch, dynamodb_endpoint, mode
):
    # Given DynamoDB behind a proxy whose answers come too late for the 500 ms timeout
    # ("slow") or never ("drop"): each PutItem lands, the client never learns it
    from tests.support.faults import fault_proxy

    stack = make_stack(
        api_config={**template_api_config, "retryAttempts": 1, "defaultTimeout": 300}
    )
    with fault_proxy(dynamodb_endpoint, delay=1.0) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.url)
        proxy.mode = mode
        # When an order is posted
        reply = stack.post(order_body(customerId=f"{mode}-1"))
    # Then it is accepted as queued (or created, when a retry found the first write)
    assert reply.status in {201, 202}, reply.body
    order_id = reply.body["orderId"]
    # And after the redrive it is stored exactly once, however many attempts landed
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint)
    assert redrive.main(redrive_args(stack)) == 0
    assert stack.stored_order_ids() == [order_id]
