"""Runs in a separate process (a Lambda execution environment of its own): see test_concurrency."""

from __future__ import annotations

from typing import Any

from tests.support.api import LambdaContext


def put_after_barrier(
    warm_up: dict[str, Any], event: dict[str, Any], barrier: Any, results: Any
) -> None:
    import order_processor  # the environment's cold start, before the race

    # A first invocation (a 404) reads the SSM config and creates the clients.
    order_processor.handler(warm_up, LambdaContext())
    barrier.wait(timeout=60)
    response = order_processor.handler(event, LambdaContext())
    results.put(response["statusCode"])
