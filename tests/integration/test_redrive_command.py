"""`python -m handlers.redrive` as an operator meets it: what it reports while messages are in
flight, the region from AWS_REGION, no Powertools needed, and one-line errors."""

from __future__ import annotations

import ast
import json
import os
import uuid
from pathlib import Path

import pytest

import redrive
from tests.support import cli
from tests.support.aws import FAKE_CREDENTIALS, closed_port_url

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"


def run_redrive(*args: str, env: dict[str, str] | None = None):
    return cli.run(["-m", "handlers.redrive", *args], env={**(env or os.environ), "PYTHONPATH": ""})


def queued(stack) -> str:
    """An order message as the handler queues it; returns its order id."""
    order_id = str(uuid.uuid4())
    order = {
        "orderId": order_id,
        "timestamp": 1_716_552_000_000,
        "customerId": "c-1",
        "status": "pending",
        "items": [{"productId": "p", "quantity": 1, "price": 9.5}],
        "deliveryAddress": {"street": "1 Main St", "city": "Springfield", "zipCode": "12345"},
        "deliveryType": "standard",
        "total": 9.5,
        "createdAt": "2024-05-24T12:00:00.000Z",
        "updatedAt": "2024-05-24T12:00:00.000Z",
        "version": 1,
        "partner": "acme-eats",
    }
    stack.sqs.send_message(
        QueueUrl=stack.queue_url, MessageBody=json.dumps({"reason": "test", "order": order})
    )
    return order_id


def test_messages_in_flight_are_reported_and_fail_the_run(stack, capsys):
    # Given two queued orders, one of them received by another reader (invisible for a minute)
    queued(stack)
    queued(stack)
    stack.sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=1, VisibilityTimeout=60)
    # When the redrive runs
    status = redrive.main(stack.redrive_arguments())
    # Then it stores the one it sees, and says one is still in flight instead of "nothing left"
    out = capsys.readouterr().out
    assert "received 1, stored 1, already stored 0, left in the queue 0, in flight 1" in out
    assert "run again once their visibility timeout has passed" in out
    assert status == 1


def test_an_empty_queue_is_success(stack, capsys):
    queued(stack)
    assert redrive.main(stack.redrive_arguments()) == 0
    assert "left in the queue 0, in flight 0" in capsys.readouterr().out
    assert stack.queue_depth() == 0


def test_region_from_aws_region_alone(stack, redrive_endpoints):
    # Given credentials and AWS_REGION only (boto3 itself reads AWS_DEFAULT_REGION)
    arguments, endpoints = redrive_endpoints
    env = cli.without_aws_settings()
    env.update({k: v for k, v in FAKE_CREDENTIALS.items() if k != "AWS_DEFAULT_REGION"})
    env.update(endpoints)
    order_id = queued(stack)
    # When the redrive runs from the checkout, as the README shows
    result = run_redrive(*stack.redrive_arguments(*arguments), env=env)
    # Then it works
    assert result.returncode == 0, result.stderr
    assert stack.stored_order_ids() == [order_id]


def test_the_redrive_needs_neither_powertools_nor_botocore_of_its_own():
    # Given the redrive and what it imports, in a fresh interpreter
    lambda_only = "{'aws_lambda_powertools', 'fastjsonschema', 'aws_xray_sdk'}"
    loaded = "{m.split('.')[0] for m in sys.modules}"
    code = f"import sys, redrive; print(sorted({loaded} & {lambda_only}))"
    result = cli.run(["-c", code], cwd=HANDLERS)
    # Then it loads none of the Lambda-only packages
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    # And its own code imports no botocore: the store maps AWS errors to domain errors
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse((HANDLERS / "redrive.py").read_text()))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert not {name for name in imported if name.split(".")[0] in ("boto3", "botocore")}


def test_a_queue_that_does_not_exist_is_a_one_line_error(stack, moto_server):
    env = {**os.environ, **FAKE_CREDENTIALS}
    url = stack.queue_url.rsplit("/", 1)[0] + "/no-such-queue"
    result = run_redrive(
        "--queue-url", url, "--table", stack.orders_table, "--endpoint-url", moto_server, env=env
    )
    cli.assert_clean_error(result, 2, f"cannot use the queue {url}", "check --queue-url")


def test_an_unreachable_endpoint_is_a_one_line_error():
    endpoint = closed_port_url()
    env = {**os.environ, **FAKE_CREDENTIALS}
    result = run_redrive(
        "--queue-url",
        f"{endpoint}/123456789012/dlq",
        "--table",
        "orders",
        "--endpoint-url",
        endpoint,
        env=env,
    )
    cli.assert_clean_error(result, 2, "Could not connect to the endpoint URL")


@pytest.mark.parametrize(
    ("missing", "message"),
    [("credentials", "no AWS credentials"), ("region", "no AWS region: pass --region")],
)
def test_missing_credentials_or_region_is_a_one_line_error(missing, message):
    env = cli.without_aws_settings()
    if missing == "region":
        env.update({k: v for k, v in FAKE_CREDENTIALS.items() if "REGION" not in k})
    else:
        env["AWS_REGION"] = "eu-west-1"
    result = run_redrive(
        "--queue-url",
        "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq",
        "--table",
        "orders",
        env=env,
    )
    cli.assert_clean_error(result, 2, message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--table", "orders"], "the following arguments are required: --queue-url"),
        (["--queue-url", "dlq", "--table", "orders"], "is not a queue URL"),
        (
            [
                "--queue-url",
                "https://sqs.eu-west-1.amazonaws.com/1/q",
                "--table",
                "t",
                "--endpoint-url",
                "127.0.0.1:9",
            ],
            "is not an endpoint URL",
        ),
    ],
)
def test_bad_arguments_are_a_one_line_usage_error(args, message):
    cli.assert_clean_error(run_redrive(*args), 2, message)
