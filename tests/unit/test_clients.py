"""boto3 clients: lazy, shaped by api-config, injectable. Creating a client contacts nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from store.clients import AwsClients

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"


def test_api_config_shapes_timeouts_and_retries():
    # Given the template's api-config (500 ms, 3 retries)
    clients = AwsClients()
    # When the DynamoDB client is asked for with those values
    client = clients.get("dynamodb", timeout_ms=500, retry_attempts=3)
    # Then botocore has 0.5 s timeouts and standard retries: 3 retries, 4 attempts in all
    config = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (0.5, 0.5)
    assert config.retries == {"mode": "standard", "total_max_attempts": 4}


def test_one_client_per_configuration():
    clients = AwsClients()
    first = clients.get("sqs", timeout_ms=500, retry_attempts=3)
    assert clients.get("sqs", timeout_ms=500, retry_attempts=3) is first
    assert clients.get("sqs", timeout_ms=1000, retry_attempts=3) is not first


def test_injected_clients_are_used_as_they_are():
    sentinel = object()
    clients = AwsClients(prebuilt={"dynamodb": sentinel})
    assert clients.get("dynamodb", timeout_ms=500, retry_attempts=3) is sentinel


def test_endpoint_comes_from_the_environment(monkeypatch):
    # Given AWS_ENDPOINT_URL_DYNAMODB (boto3 >= 1.28 reads it itself)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
    # When a client is created
    client = AwsClients().get("dynamodb")
    # Then it points there
    assert client.meta.endpoint_url == "http://127.0.0.1:9"


def test_importing_the_entries_reads_no_environment_and_loads_no_boto3():
    # Given a fresh interpreter with none of the functions' variables set
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.endswith(("_NAME", "_URL", "_PARAMETER"))
    }
    code = (
        "import sys, order_processor, query_orders, redrive\n"
        "heavy = sorted(\n"
        "    m for m in ('boto3', 'aws_xray_sdk', 'fastjsonschema') if m in sys.modules\n"
        ")\n"
        "print(','.join(heavy))\n"
    )
    # When the entry modules are imported
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=HANDLERS,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Then the import succeeds and left the heavy modules for the first request
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
