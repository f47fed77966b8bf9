"""Lambda entry: GET /orders/{orderId} and GET /orders/customer/{customerId}."""

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
    ORDER_READ,
    ORDERS_LISTED,
    capture_lambda_handler,
    count,
    logger,
    metrics,
)
from orders.pagination import parse_limit
from orders.partners import READ
from orders.service import OrderService

# The environment variables this module's code reads (all of them, through read_settings).
REQUIRED_ENVIRONMENT = ("ORDERS_TABLE_NAME", "API_CONFIG_PARAMETER", "PARTNER_REGISTRY_PARAMETER")

app = http_api.make_resolver()


def read_settings(environ: Mapping[str, str] = os.environ) -> runtime.ServiceSettings:
    return runtime.read_settings(environ, REQUIRED_ENVIRONMENT)


def service() -> OrderService:
    return runtime.order_service(read_settings())


@app.get("/orders/<order_id>")
def get_order(order_id: str) -> Response[Any]:
    use_cases = service()
    partner = use_cases.identify(http_api.caller(app.current_event), scope=READ)
    logger.append_keys(partner=partner)
    order = use_cases.get(partner, order_id)
    count(ORDER_READ)
    return http_api.json_response(200, order.to_public(), http_api.order_headers(order.version))


@app.get("/orders/customer/<customer_id>")
def list_customer_orders(customer_id: str) -> Response[Any]:
    event = app.current_event
    use_cases = service()
    partner = use_cases.identify(http_api.caller(event), scope=READ)
    logger.append_keys(partner=partner)
    orders, next_token = use_cases.list_for_customer(
        partner,
        customer_id,
        limit=parse_limit(event.get_query_string_value("limit")),
        token=event.get_query_string_value("nextToken"),
    )
    count(ORDERS_LISTED)
    return http_api.json_response(
        200, {"orders": [order.to_public() for order in orders], "nextToken": next_token}
    )


@cold_start.ends_cold_start_after_first_call
@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH, clear_state=True)
@capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
