"""Real failures, not fakes: DynamoDB, SQS or SSM pointed at a closed port on 127.0.0.1.

boto3 resolves AWS_ENDPOINT_URL_<SERVICE> when a client is created; each test's stack has new
names, so the handlers build new clients under the environment the test sets.

botocore backs off between retries of a refused connection (up to 1, 2, 4 s), so these
stacks set api-config's retryAttempts to 0: every outage is then one refused connection per
call. That retryAttempts reaches the clients is a unit test (tests/unit/test_clients.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import redrive
from tests.support.api import order_body
from tests.support.aws import closed_port_url

REPO = Path(__file__).resolve().parents[2]


import pytest


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
    return [
        "--queue-url", stack.queue_url,
        "--table", stack.orders_table,
        "--wait-seconds", "0",
        "--retry-attempts", "0",
    ]


def test_dynamodb_down_queues_every_order_and_the_redrive_stores_each_once(
    stack, monkeypatch, moto_server, capsys
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
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB")
    status = redrive.main(redrive_args(stack))
    # Then it succeeds, each order is stored exactly once, and the queue is empty
    assert status == 0
    assert "received 6, stored 5, already stored 1, left in the queue 0" in capsys.readouterr().out
    stored = [item["orderId"]["S"] for item in stack.stored_orders()]
    assert sorted(stored) == sorted(order_ids)
    assert stack.queue_depth() == 0
    # And the orders are served as placed (timestamp, total, version 1)
    for body in bodies:
        reply = stack.get(body["order"]["orderId"])
        assert reply.status == 200
        assert reply.body == body["order"]

    # When the redrive runs again, as the README shows it (a command from the checkout)
    second = subprocess.run(
        [sys.executable, "-m", "handlers.redrive", *redrive_args(stack), "--endpoint-url", moto_server],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": ""},
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
    assert "127.0.0.1" not in text and "Endpoint" not in text and "sqs" not in text.lower()


def test_ssm_down_is_a_503(stack, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", closed_port_url())
    reply = stack.post()
    assert reply.status == 503
    assert reply.error_code == "ServiceUnavailable"
    assert stack.stored_orders() == []


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
    assert "not an order" in out and "could not store" in out
    assert stack.queue_depth() == 2
