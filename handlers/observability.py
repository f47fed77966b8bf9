"""Logger, Tracer and Metrics: created once, here, and imported by both entry points.

Powertools configures them from its own environment variables (below); the template sets
them for each function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

# Read by Powertools, not by our code; the contract test checks the template sets them.
POWERTOOLS_ENVIRONMENT = (
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
)
CORRELATION_ID_PATH = correlation_paths.API_GATEWAY_REST  # API Gateway's request id

# Metric names.
ORDER_CREATED = "OrderCreated"
ORDER_QUEUED = "OrderQueued"
ORDER_REPLAYED = "OrderReplayed"
ORDER_UPDATED = "OrderUpdated"
ORDER_READ = "OrderRead"
ORDERS_LISTED = "OrdersListed"
# One error metric per status answered.
ERROR_METRICS = {
    400: "BadRequest",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    429: "RateLimited",
    500: "InternalError",
    503: "ServiceUnavailable",
}
# Every metric the functions emit (the template's dashboard graphs some of them).
EMITTED_METRICS = (
    ORDER_CREATED,
    ORDER_QUEUED,
    ORDER_REPLAYED,
    ORDER_UPDATED,
    ORDER_READ,
    ORDERS_LISTED,
    *ERROR_METRICS.values(),
)

# The libraries whose calls become X-Ray subsegments.
TRACED_MODULES = ("botocore",)

logger = Logger()
metrics = Metrics()


@functools.cache
def tracer() -> Tracer:
    """The one Tracer, created on the first invocation rather than at import: creating it
    imports the X-Ray SDK (and with it botocore), which alone costs more than boto3's import.
    The cost moves to the first request; it does not go away.

    Only botocore is patched: every call the functions make to AWS goes through it. Patching
    all the X-Ray SDK supports (its default) imports requests, sqlite3 and a dozen more
    modules on the first request, which cost as much as everything else in a cold start.
    """
    return Tracer(patch_modules=TRACED_MODULES)


def capture_lambda_handler(handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """`tracer().capture_lambda_handler(handler)`, with the Tracer created on first call.

    capture_response=False: by default Powertools puts the handler's whole response into the
    trace as metadata, and our responses are orders with customers' delivery addresses (X-Ray
    keeps traces for 30 days, for anyone allowed to read them). Errors are still captured.
    Explicit here, so POWERTOOLS_TRACER_CAPTURE_RESPONSE cannot turn it back on.
    """
    traced: list[Callable[[Any, Any], Any]] = []

    @functools.wraps(handler)
    def wrapper(event: Any, context: Any) -> Any:
        if not traced:
            traced.append(
                tracer().capture_lambda_handler(handler, capture_response=False, capture_error=True)
            )
        return traced[0](event, context)

    return wrapper


def count(metric_name: str) -> None:
    metrics.add_metric(name=metric_name, unit=MetricUnit.Count, value=1)
