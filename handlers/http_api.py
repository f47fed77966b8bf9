"""HTTP glue shared by both entry points: the resolver, JSON responses, error mapping, headers.

Every response is JSON with `Access-Control-Allow-Origin: *`, errors included. Domain errors
map to a status by their type; anything else is the one place that answers 500, with no
internals in the body (the traceback goes to the log).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from observability import ERROR_METRICS, count, logger
from orders.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    OrderError,
    OrderNotFound,
    RateLimited,
    ServiceUnavailable,
)
from orders.model import json_number
from orders.partners import Caller
from orders.requests import parse_json

JSON = "application/json"
CORS_HEADERS: Mapping[str, str] = {"Access-Control-Allow-Origin": "*"}
STATUS_BY_ERROR: Mapping[type[OrderError], int] = {
    InvalidRequest: 400,
    Forbidden: 403,
    OrderNotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    ServiceUnavailable: 503,
}
# The headers the API reads, as its documentation states them (a contract test compares them
# with the generator's API contract): an order version, as its ETag or bare, or `*`; visible
# ASCII without spaces.
IF_MATCH = re.compile(r'^(\*|(W/)?"?[1-9][0-9]{0,6}"?)$')
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
HEADER_PATTERNS = {"If-Match": IF_MATCH, "Idempotency-Key": IDEMPOTENCY_KEY}


def make_resolver() -> APIGatewayRestResolver:
    """A REST API resolver with the error mapping registered (creates objects only)."""
    app = APIGatewayRestResolver(serializer=dumps)
    for error_type, status in STATUS_BY_ERROR.items():
        app.exception_handler(error_type)(_domain_error_handler(status))
    app.not_found(_not_found)
    app.exception_handler(Exception)(_internal_error)
    return app


def dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"), default=_json_default)


def json_response(
    status: int, body: Any, headers: Mapping[str, str] | None = None
) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=JSON,
        body=body,
        headers={**CORS_HEADERS, **(headers or {})},
    )


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[Any]:
    error = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    count(ERROR_METRICS[status])
    return json_response(status, {"error": error}, headers)


def order_headers(version: int) -> dict[str, str]:
    """An order's ETag is its version: a client can send it back as If-Match."""
    return {"ETag": f'"{version}"'}


def json_body(event: Any) -> Any:
    """The request body as JSON (Decimal numbers); InvalidRequest if missing or malformed."""
    body = event.body
    if body and event.is_base64_encoded:
        try:
            body = base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidRequest("the request body is not valid base64 UTF-8 text") from None
    return parse_json(body)


def header(event: Any, name: str) -> str | None:
    """A request header, by case-insensitive name (Powertools' headers mapping ignores case)."""
    value: str | None = event.headers.get(name)
    return value


def caller(event: Any) -> Caller:
    """The authorizer's claims and the API key's id, as API Gateway put them in the event (the
    key's value and the Authorization header are never read, nor logged)."""
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    identity = context.get("identity") or {}
    claims = authorizer.get("claims") if isinstance(authorizer, Mapping) else None
    key_id = identity.get("apiKeyId") if isinstance(identity, Mapping) else None
    return Caller(
        claims=claims if isinstance(claims, Mapping) else None,
        api_key_id=key_id if isinstance(key_id, str) else None,
    )


def idempotency_key(event: Any) -> str | None:
    key = header(event, "Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidRequest(
            "Idempotency-Key must be 1 to 255 visible ASCII characters", field="Idempotency-Key"
        )
    return key


def if_match_version(event: Any) -> int | None:
    """The version in If-Match (`3`, `"3"` or `W/"3"`); None if absent or `*`."""
    raw = header(event, "If-Match")
    value = None if raw is None else raw.strip()
    if value is None or value == "*":
        return None
    if not IF_MATCH.fullmatch(value):
        raise InvalidRequest('If-Match must be an order version, e.g. "3"', field="If-Match")
    return int(value.removeprefix("W/").strip('"'))


def _domain_error_handler(status: int) -> Callable[[OrderError], Response[Any]]:
    def handle(error: OrderError) -> Response[Any]:
        headers: dict[str, str] = {}
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(error.retry_after_seconds)
        if isinstance(error, ServiceUnavailable):
            logger.error("dependency unavailable", extra={"reason": error.reason})
        else:
            logger.info("request refused", extra={"status": status, "code": error.code})
        return error_response(status, error.code, error.message, field=error.field, headers=headers)

    return handle


def _not_found(_: NotFoundError) -> Response[Any]:
    return error_response(404, "RouteNotFound", "no such route")


def _internal_error(error: Exception) -> Response[Any]:
    # The one catch-all: log everything, tell the client nothing.
    logger.exception("unhandled error")
    return error_response(500, "InternalError", "internal error")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return json_number(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
