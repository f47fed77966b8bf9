"""Runs in a separate process (a Lambda execution environment of its own): see test_concurrency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Context:
    function_name: str = "food-delivery-test-function"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = (
        "arn:aws:lambda:eu-west-1:123456789012:function:food-delivery-test-function"
    )
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def put_after_barrier(
    warm_up: dict[str, Any], event: dict[str, Any], barrier: Any, results: Any
) -> None:
    import order_processor  # the environment's cold start, before the race

    # A first invocation (a 404) reads the SSM config and creates the clients.
    order_processor.handler(warm_up, _Context())
    barrier.wait(timeout=60)
    response = order_processor.handler(event, _Context())
    results.put(response["statusCode"])
