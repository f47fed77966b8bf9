"""The order API's contract: every route declared once.

A route says what API Gateway serves (method, path, the function behind it, the scope and the
API key it needs, the body's model), what the API documents of it (operation id, summary,
answers, headers, parameters, links) and what the cost estimate assumes each request of it
does. The template's API (stack/parts/api.py), the functions' descriptions, the OpenAPI
document, the cost estimate and serve's example all derive from ROUTES; a path string of the
API appears nowhere else in the generator.

The Lambda code cannot import the generator: its entry points declare the same routes, and
the header and path patterns and order statuses below, for themselves. A contract test
compares both sides, in both directions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from generator.stack import names
from generator.stack.function_specs import ORDER_PROCESSOR, QUERY_ORDERS, FunctionSpec
from generator.stack.scopes import Scope, required_scope


@dataclass(frozen=True)
class ApiPath:
    """A resource of the REST API: a path, and its logical id in the template."""

    path: str
    logical_id: str

    @property
    def parent_path(self) -> str:
        return self.path.rpartition("/")[0]

    @property
    def part(self) -> str:
        return self.path.rpartition("/")[2]

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(part[1:-1] for part in self.path.split("/") if part.startswith("{"))


ORDERS = ApiPath("/orders", names.ORDERS_RESOURCE)
ORDER = ApiPath("/orders/{orderId}", names.ORDER_RESOURCE)
CUSTOMER = ApiPath("/orders/customer", names.CUSTOMER_RESOURCE)
CUSTOMER_ORDERS = ApiPath("/orders/customer/{customerId}", names.CUSTOMER_ORDERS_RESOURCE)
# Parents before children: the template's resources are built in this order.
API_PATHS = (ORDERS, ORDER, CUSTOMER, CUSTOMER_ORDERS)


@dataclass(frozen=True)
class Model:
    """A request body's JSON schema: API Gateway validates with it, and the handler with the
    same file of handlers/schemas."""

    logical_id: str
    name: str
    schema_file: str


ORDER_MODEL = Model(names.ORDER_MODEL, "Order", "order.json")
ORDER_UPDATE_MODEL = Model(names.ORDER_UPDATE_MODEL, "OrderUpdate", "order_update.json")
MODELS = (ORDER_MODEL, ORDER_UPDATE_MODEL)


class Body(StrEnum):
    """What an answer carries: the name of its schema in the OpenAPI document."""

    ORDER = "StoredOrder"
    ORDER_PAGE = "OrderPage"
    QUEUED = "Queued"
    ERROR = "Error"  # the handlers' errors
    GATEWAY = "GatewayMessage"  # API Gateway's own
    ERROR_OR_GATEWAY = "Error|GatewayMessage"


@dataclass(frozen=True)
class Answer:
    status: int
    why: str
    body: Body | None


@dataclass(frozen=True)
class Header:
    """A request header the API reads; its pattern is the handlers' (anchored)."""

    name: str
    description: str
    pattern: str


@dataclass(frozen=True)
class Traffic:
    """What the cost estimate assumes of the route: requests per order, and what each one
    costs the backend."""

    per_order: Decimal
    # Billed function time, an average with cold starts included.
    duration_ms: Decimal
    # Orders read one by one from the table, strongly consistent (a Query on the key).
    orders_read: int = 0
    # Orders read by each eventually consistent Query on the customer index.
    index_queries: tuple[int, ...] = ()
    # Orders written; each write also writes the index (the item carries its keys).
    orders_written: int = 0
    # Powertools idempotency records written (in progress, then completed).
    idempotency_writes: int = 0


@dataclass(frozen=True)
class Route:
    method: str
    resource: ApiPath
    function: FunctionSpec
    operation_id: str
    summary: str
    answers: tuple[Answer, ...]
    traffic: Traffic
    model: Model | None = None
    query_parameters: tuple[str, ...] = ()  # optional ones
    headers: tuple[Header, ...] = ()
    # JSON schemas of path and query parameters (a string where none is given)
    parameter_schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # OpenAPI links from an answer (by status) to other operations
    links: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    # A request a user can try on serve (the banner prints it)
    example: str = ""
    # The usage plan's throttle and quota count per key.
    api_key_required: bool = True

    @property
    def path(self) -> str:
        return self.resource.path

    @property
    def scope(self) -> Scope:
        """The scope a partner's access token must carry for this route."""
        return required_scope(self.method)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


# What the handlers check, documented as they check it.
ORDER_STATUSES = (
    "pending",
    "confirmed",
    "preparing",
    "out_for_delivery",
    "delivered",
    "cancelled",
)
IDEMPOTENCY_KEY = Header(
    "Idempotency-Key",
    "A retry with the same key gets the first answer (24 hours)",
    r"^[\x21-\x7e]{1,255}$",
)
IF_MATCH = Header(
    "If-Match",
    'The version read (its ETag, e.g. "3"; or *): a stale one is a 409',
    r'^(\*|(W/)?"?[1-9][0-9]{0,6}"?)$',
)
CUSTOMER_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_ORDER_ID = {"type": "string", "minLength": 1, "maxLength": 128}
_CUSTOMER_ID = {"type": "string", "pattern": CUSTOMER_ID_PATTERN}

ROUTES = (
    Route(
        "POST",
        ORDERS,
        ORDER_PROCESSOR,
        operation_id="createOrder",
        summary="Place an order (the total is computed by the server)",
        model=ORDER_MODEL,
        answers=(
            Answer(201, "The stored order, pending", Body.ORDER),
            Answer(202, "Accepted; stored later from the dead-letter queue", Body.QUEUED),
            Answer(
                400,
                "Malformed JSON, a body the schema refuses, an amount past the cent, or a "
                "feature the feature flags switch off",
                Body.ERROR_OR_GATEWAY,
            ),
            Answer(
                409, "Idempotency-Key reused with another body, or still in progress", Body.ERROR
            ),
            Answer(
                429,
                "Too many orders of this customer this hour, or throttled",
                Body.ERROR_OR_GATEWAY,
            ),
        ),
        headers=(IDEMPOTENCY_KEY,),
        links={
            201: {
                "GetOrder": {
                    "operationId": "getOrder",
                    "parameters": {"orderId": "$response.body#/orderId"},
                },
                "UpdateOrder": {
                    "operationId": "updateOrder",
                    "parameters": {"orderId": "$response.body#/orderId"},
                },
                "ListCustomerOrders": {
                    "operationId": "listCustomerOrders",
                    "parameters": {"customerId": "$request.body#/customerId"},
                },
            }
        },
        traffic=Traffic(
            per_order=Decimal(1),
            duration_ms=Decimal(150),
            index_queries=(1,),  # the rate limit counts the customer's orders of the hour
            orders_written=1,
            idempotency_writes=2,
        ),
    ),
    Route(
        "PUT",
        ORDER,
        ORDER_PROCESSOR,
        operation_id="updateOrder",
        summary="Change an order's status, or its contents while pending",
        model=ORDER_UPDATE_MODEL,
        answers=(
            Answer(200, "The updated order", Body.ORDER),
            Answer(
                400,
                "Malformed JSON, a body the schema refuses, an amount past the cent, a feature "
                "the feature flags switch off, or a body version that disagrees with If-Match",
                Body.ERROR_OR_GATEWAY,
            ),
            Answer(404, "No such order", Body.ERROR),
            Answer(
                409, "Illegal transition, contents after pending, or a stale version", Body.ERROR
            ),
        ),
        headers=(IF_MATCH,),
        parameter_schemas={"orderId": _ORDER_ID},
        # One per status change: confirmed, preparing, out_for_delivery, delivered.
        traffic=Traffic(
            per_order=Decimal(4), duration_ms=Decimal(80), orders_read=1, orders_written=1
        ),
    ),
    Route(
        "GET",
        ORDER,
        QUERY_ORDERS,
        operation_id="getOrder",
        summary="Read an order",
        answers=(Answer(200, "The order", Body.ORDER), Answer(404, "No such order", Body.ERROR)),
        parameter_schemas={"orderId": _ORDER_ID},
        traffic=Traffic(per_order=Decimal(2), duration_ms=Decimal(40), orders_read=1),
    ),
    Route(
        "GET",
        CUSTOMER_ORDERS,
        QUERY_ORDERS,
        operation_id="listCustomerOrders",
        summary="A customer's orders, newest first, a page at a time",
        query_parameters=("limit", "nextToken"),
        answers=(
            Answer(200, "A page of orders", Body.ORDER_PAGE),
            Answer(
                400, "A bad limit or customer id, or a page token the API did not issue", Body.ERROR
            ),
        ),
        parameter_schemas={
            "customerId": _CUSTOMER_ID,
            "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
            "nextToken": {"type": "string", "minLength": 1, "maxLength": 512},
        },
        example="/orders/customer/c-42",
        traffic=Traffic(per_order=Decimal(1), duration_ms=Decimal(50), index_queries=(5,)),
    ),
)


def routes_of(function: FunctionSpec) -> tuple[Route, ...]:
    return tuple(route for route in ROUTES if route.function == function)


def find_route(method: str, path: str) -> Route | None:
    """The route declared for this method and path, if any."""
    return next((r for r in ROUTES if (r.method, r.path) == (method, path)), None)
