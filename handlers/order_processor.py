"""Lambda entry: POST /orders and PUT /orders/{orderId} (API Gateway REST, proxy integration)."""

from __future__ import annotations

import cold_start  # first: it pauses the garbage collector while the rest is imported

import os
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response

import http_api
import runtime
from observability import (
    CORRELATION_ID_PATH,
    ORDER_CREATED,
    ORDER_QUEUED,
    ORDER_REPLAYED,
    ORDER_UPDATED,
    capture_lambda_handler,
    count,
    logger,
    metrics,
)
from orders.partners import WRITE
from orders.requests import parse_new_order, parse_order_update
from orders.service import OrderService, Outcome

# The environment variables this module's code reads (all of them, through read_settings).
REQUIRED_ENVIRONMENT = (
    "ORDERS_TABLE_NAME",
    "IDEMPOTENCY_TABLE_NAME",
    "DLQ_URL",
    "API_CONFIG_PARAMETER",
    "FEATURE_FLAGS_PARAMETER",
    "PARTNER_REGISTRY_PARAMETER",
)
STATUS_BY_OUTCOME = {Outcome.CREATED: 201, Outcome.QUEUED: 202}
METRIC_BY_OUTCOME = {Outcome.CREATED: ORDER_CREATED, Outcome.QUEUED: ORDER_QUEUED}

app = http_api.make_resolver()


def read_settings(environ: Mapping[str, str] = os.environ) -> runtime.ServiceSettings:
    return runtime.read_settings(environ, REQUIRED_ENVIRONMENT)


def service() -> OrderService:
    return runtime.order_service(read_settings())


@app.post("/orders")
def create_order() -> Response[Any]:
    event = app.current_event
    use_cases = service()
    partner = use_cases.identify(http_api.caller(event), scope=WRITE)
    logger.append_keys(partner=partner)
    request = parse_new_order(http_api.json_body(event))
    placement = use_cases.place(partner, request, idempotency_key=http_api.idempotency_key(event))
    count(ORDER_REPLAYED if placement.replayed else METRIC_BY_OUTCOME[placement.outcome])
    logger.info(
        "order placed",
        extra={
            "orderId": placement.body["orderId"],
            "outcome": placement.outcome.value,
            "replayed": placement.replayed,
        },
    )
    headers = {}
    if placement.outcome is Outcome.CREATED:
        headers = http_api.order_headers(placement.body["version"])
    return http_api.json_response(STATUS_BY_OUTCOME[placement.outcome], placement.body, headers)


@app.put("/orders/<order_id>")
def update_order(order_id: str) -> Response[Any]:
    event = app.current_event
    use_cases = service()
    partner = use_cases.identify(http_api.caller(event), scope=WRITE)
    logger.append_keys(partner=partner)
    update = parse_order_update(http_api.json_body(event))
    order = use_cases.update(partner, order_id, update, if_match=http_api.if_match_version(event))
    count(ORDER_UPDATED)
    logger.info("order updated", extra={"orderId": order_id, "version": order.version})
    return http_api.json_response(200, order.to_public(), http_api.order_headers(order.version))


@cold_start.ends_cold_start_after_first_call
@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH, clear_state=True)
@capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    runtime.bind_invocation(context)
    return app.resolve(event, context)
