"""What the stack *does*, assumed: how big an order is, how much is logged, how long the stack
has run, how keys and tracing are used. What each route's requests do is declared with the
route (stack/api_contract.py). Every estimate prints the assumptions, in words."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from generator.cost.units import READ_UNIT_BYTES, WRITE_UNIT_BYTES, ZERO, plain
from generator.stack.api_contract import ROUTES, Traffic


def _declared_traffic() -> Mapping[str, Traffic]:
    return MappingProxyType({str(route): route.traffic for route in ROUTES})


def _log_bytes() -> Mapping[str, int]:
    return MappingProxyType({"DEBUG": 4000, "INFO": 1200, "WARNING": 500, "ERROR": 500})


@dataclass(frozen=True)
class Assumptions:
    # Each route's requests (`POST /orders` -> what an order asks of it), as the API contract
    # declares them, in its order.
    routes: Mapping[str, Traffic] = field(default_factory=_declared_traffic)
    order_item_bytes: int = 1024
    # How long the orders table (and the execution log, which never expires) has grown.
    months_running: int = 12
    # Per invocation, by the function's POWERTOOLS_LOG_LEVEL; Lambda's own lines included.
    function_log_bytes: Mapping[str, int] = field(default_factory=_log_bytes)
    access_log_bytes: int = 500
    execution_log_bytes: int = 2000
    data_trace_log_bytes: int = 3000
    # How often each resource encrypted with a key calls KMS (services cache data keys).
    kms_requests_per_encrypted_resource_hour: Decimal = Decimal(12)
    trace_reservoir_per_second: Decimal = Decimal(1)
    trace_rate: Decimal = Decimal("0.05")
    # API Gateway's metrics per method when detailed metrics are on (its documented list).
    metrics_per_method: int = 7
    dead_letter_messages_a_month: Decimal = ZERO
    alarm_emails_a_month: Decimal = ZERO
    # Token requests a day per app client when partners reuse each token for its life (one
    # process each): a day's worth of its validity. Without reuse, one per API request.
    token_reuse_processes: int = 1


ASSUMPTIONS = Assumptions()


def describe(assumptions: Assumptions, uses: Mapping[str, Traffic]) -> tuple[str, ...]:
    """The assumptions in words, for the routes the template has (uses: by route)."""
    per_order = sum((use.per_order for use in uses.values()), ZERO)
    item = assumptions.order_item_bytes
    requests = ", ".join(f"{route} {plain(use.per_order)}" for route, use in uses.items())
    durations = ", ".join(f"{route} {plain(use.duration_ms)} ms" for route, use in uses.items())
    calls = "; ".join(f"{route}: {_calls(use)}" for route, use in uses.items())
    levels = ", ".join(
        f"{size:,} at {level}" for level, size in assumptions.function_log_bytes.items()
    )
    requests = ", ".join(f"{route} {plain(use.per_order)}" for route, use in uses.items())
    durations = ", ".join(f"{route} {plain(use.duration_ms)} ms" for route, use in uses.items())
    calls = "; ".join(f"{route}: {_calls(use)}" for route, use in uses.items())
    levels = ", ".join(
        f"{size:,} at {level}" for level, size in assumptions.function_log_bytes.items()
    )
    return (
        (
            f"requests per order: {requests} ({plain(per_order)} in all); no CORS "
            "preflights (partners call from servers)"
        ),
        (
            "traffic spread evenly over the day, a month of 730 hours: daily peaks would "
            "raise auto-scaled provisioned capacity, not on-demand prices"
        ),
        (
            "billed function time per request, cold starts included (assumed, not measured "
            f"on AWS): {durations}"
        ),
        (
            f"an order is a {item:,}-byte item: {math.ceil(item / WRITE_UNIT_BYTES)} write "
            f"unit; read alone, {math.ceil(item / READ_UNIT_BYTES)} strongly consistent "
            "read unit; every write also writes the index"
        ),
        f"DynamoDB calls per request, as the handlers make them: {calls}",
        (
            f"storage after {assumptions.months_running} months: every order is kept (table, "
            "index, backup), and so is API Gateway's execution log, which never expires"
        ),
        (
            f"log bytes per invocation: {levels}; access log {assumptions.access_log_bytes:,}"
            f" a request; execution log {assumptions.execution_log_bytes:,} a request (+"
            f"{assumptions.data_trace_log_bytes:,} with data trace); kept as ingested "
            "(CloudWatch compresses what it keeps: an upper bound)"
        ),
        (
            "each resource encrypted with a key calls KMS "
            f"{plain(assumptions.kms_requests_per_encrypted_resource_hour)} times an hour "
            "(data keys are cached)"
        ),
        (
            f"X-Ray samples {plain(assumptions.trace_reservoir_per_second)} request a "
            f"second and {plain(assumptions.trace_rate * 100)} % of the rest"
        ),
        (
            f"API detailed metrics: {assumptions.metrics_per_method} per method with "
            "traffic; custom metrics: the dashboard's, and Powertools' ColdStart per function"
        ),
        (
            "no dead-letter messages, no alarm e-mails; SSM reads are cached (standard "
            "throughput is free)"
        ),
        (
            "each partner's app client asks for a token when its last one expires, from "
            f"{assumptions.token_reuse_processes} process; no user of the pool signs in "
            "(no monthly active users)"
        ),
        "prices: first tier, no free tier, no data transfer out, no tax",
    )


def _calls(use: Traffic) -> str:
    calls = []
    if use.orders_read:
        calls.append(f"{use.orders_read} order read")
    calls.extend(f"1 index query ({_orders(n)})" for n in use.index_queries)
    if use.orders_written:
        calls.append(f"{use.orders_written} order written")
    if use.idempotency_writes:
        calls.append(f"{use.idempotency_writes} idempotency records written")
    return ", ".join(calls) or "none"


def _orders(count: int) -> str:
    return f"{count} order" if count == 1 else f"{count} orders"
