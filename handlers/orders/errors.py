"""Domain errors. The entry points map each type to an HTTP status (never by message text)."""

from __future__ import annotations


class OrderError(Exception):
    """An error the API reports to the client as `{"error": {"code": ..., "message": ...}}`."""

    code = "OrderError"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# 400: the request itself is wrong.
class InvalidRequest(OrderError):
    code = "InvalidRequest"


class ValidationFailed(InvalidRequest):
    """The body breaks the schema (or a rule the schema cannot express); `field` names where."""

    code = "ValidationError"


class FeatureDisabled(InvalidRequest):
    """The request uses a feature that the feature flags switch off."""

    code = "FeatureDisabled"


# 403: the request is not a partner's, or not through its own key.
class Forbidden(OrderError):
    code = "Forbidden"


# 404
class OrderNotFound(OrderError):
    code = "OrderNotFound"

    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} does not exist")
        self.order_id = order_id


# 409: the request is well-formed but conflicts with the order's current state.
class Conflict(OrderError):
    code = "Conflict"


class VersionConflict(Conflict):
    """The client's version is stale, or a concurrent update won the race."""

    code = "VersionConflict"


class IllegalTransition(Conflict):
    code = "IllegalTransition"


class NotModifiable(Conflict):
    """Contents (items, address, delivery type, payments) change only while pending."""

    code = "NotModifiable"


class IdempotencyKeyReused(Conflict):
    """The Idempotency-Key was first used with a different request body."""

    code = "IdempotencyKeyReused"


class RequestInProgress(Conflict):
    """A request with the same Idempotency-Key is still being processed."""

    code = "RequestInProgress"


class OrderAlreadyExists(Conflict):
    """An order with this id is already stored (the redrive counts it as done)."""

    code = "OrderAlreadyExists"


# 429
class RateLimited(OrderError):
    code = "RateLimited"

    def __init__(self, limit: int, retry_after_seconds: int) -> None:
        super().__init__(f"more than {limit} orders in the last hour; retry later")
        self.limit = limit
        self.retry_after_seconds = retry_after_seconds


# 503: a dependency is down. The message the client sees never carries the reason.
class ServiceUnavailable(OrderError):
    code = "ServiceUnavailable"

    def __init__(self, reason: str) -> None:
        super().__init__("the order service is temporarily unavailable; retry later")
        self.reason = reason


class StoreUnavailable(ServiceUnavailable):
    """The orders (or idempotency) table could not be reached after the configured retries."""


class DeadLetterUnavailable(ServiceUnavailable):
    """The dead-letter queue could not take an order that the table could not store."""


class ConfigUnavailable(ServiceUnavailable):
    """The SSM configuration could not be read or is not valid."""


# Not an OrderError: no status fits, so the API answers it as any bug, a 500 that says nothing.
class OrderRefused(Exception):
    """The table refused to store this one order (an empty key, a number it cannot hold
    exactly): a bug when the API built the order, a message to leave behind for the redrive."""

    def __init__(self, order_id: str, reason: str) -> None:
        super().__init__(f"order {order_id!r}: {reason}")
        self.order_id = order_id
        self.reason = reason
