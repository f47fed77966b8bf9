"""Business rules: totals, lifecycle, feature flags, the hourly rate limit, configuration."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from orders.errors import (
    ConfigUnavailable,
    FeatureDisabled,
    IllegalTransition,
    InvalidRequest,
    NotModifiable,
)
from orders.model import CENT, DeliveryType, LineItem, Order, Status, iso_timestamp
from orders.requests import NewOrder, OrderUpdate

HOUR_MS = 3_600_000

# Lifecycle: pending -> confirmed -> preparing -> out_for_delivery -> delivered;
# cancelled from pending or confirmed. delivered and cancelled are final.
TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.PENDING: frozenset({Status.CONFIRMED, Status.CANCELLED}),
    Status.CONFIRMED: frozenset({Status.PREPARING, Status.CANCELLED}),
    Status.PREPARING: frozenset({Status.OUT_FOR_DELIVERY}),
    Status.OUT_FOR_DELIVERY: frozenset({Status.DELIVERED}),
    Status.DELIVERED: frozenset(),
    Status.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class ApiConfig:
    """The `api-config` parameter. Defaults are the design's values."""

    default_timeout_ms: int = 500
    max_orders_per_hour: int = 150
    retry_attempts: int = 3

    @classmethod
    def from_mapping(cls, raw: Any) -> ApiConfig:
        if not isinstance(raw, Mapping):
            raise ConfigUnavailable("api-config is not a JSON object")
        defaults = cls()
        return cls(
            default_timeout_ms=_config_int(raw, "defaultTimeout", defaults.default_timeout_ms, 1),
            max_orders_per_hour=_config_int(
                raw, "maxOrdersPerHour", defaults.max_orders_per_hour, 0
            ),
            retry_attempts=_config_int(raw, "retryAttempts", defaults.retry_attempts, 0),
        )


@dataclass(frozen=True)
class FeatureFlags:
    """The `feature-flags` parameter. A flag that is missing is off."""

    express_delivery: bool = False
    loyalty_program: bool = False
    multiple_payments: bool = False

    @classmethod
    def from_mapping(cls, raw: Any) -> FeatureFlags:
        if not isinstance(raw, Mapping):
            raise ConfigUnavailable("feature-flags is not a JSON object")
        return cls(
            express_delivery=raw.get("expressDelivery") is True,
            loyalty_program=raw.get("loyaltyProgram") is True,
            multiple_payments=raw.get("multiplePayments") is True,
        )


def compute_total(items: Iterable[LineItem]) -> Decimal:
    """Sum of price x quantity, rounded half-up to the cent. Never taken from the client."""
    total = sum((item.price * item.quantity for item in items), Decimal(0))
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def loyalty_points(total: Decimal) -> int:
    """One point per whole currency unit."""
    return int(total.to_integral_value(rounding="ROUND_FLOOR"))


def check_features(
    flags: FeatureFlags,
    *,
    delivery_type: DeliveryType | None,
    payment_count: int | None,
) -> None:
    """FeatureDisabled if the request uses what a flag switches off."""
    if delivery_type is DeliveryType.EXPRESS and not flags.express_delivery:
        raise FeatureDisabled("express delivery is not available", field="deliveryType")
    if payment_count is not None and payment_count > 1 and not flags.multiple_payments:
        raise FeatureDisabled("an order takes a single payment", field="payments")


def check_new_order_features(request: NewOrder, flags: FeatureFlags) -> None:
    check_features(flags, delivery_type=request.delivery_type, payment_count=len(request.payments))


def update_uses_flagged_features(update: OrderUpdate) -> bool:
    """Whether check_update_features could refuse the update (what check_features gates)."""
    return update.delivery_type is DeliveryType.EXPRESS or (
        update.payments is not None and len(update.payments) > 1
    )


def check_update_features(update: OrderUpdate, flags: FeatureFlags) -> None:
    check_features(
        flags,
        delivery_type=update.delivery_type,
        payment_count=None if update.payments is None else len(update.payments),
    )


# The namespace of order ids derived from an Idempotency-Key (uuid5): fixed forever, or a
# retry across a release would name another order.
ORDER_ID_NAMESPACE = uuid.UUID("5b0f4e6c-8f2a-4d1e-9c3b-7a6d2e1f0c94")


def order_id_for(partner: str, customer_id: str, idempotency_key: str) -> str:
    """The order a request with this Idempotency-Key places, whichever attempt runs it.

    The partner and the customer are part of the name, so two partners' or two customers'
    keys never name the same order."""
    return str(uuid.uuid5(ORDER_ID_NAMESPACE, f"{partner}\n{customer_id}\n{idempotency_key}"))


def new_order(request: NewOrder, *, partner: str, order_id: str, now_ms: int) -> Order:
    created_at = iso_timestamp(now_ms)
    return Order(
        order_id=order_id,
        partner=partner,
        timestamp=now_ms,
        customer_id=request.customer_id,
        status=Status.PENDING,
        items=request.items,
        delivery_address=request.delivery_address,
        delivery_type=request.delivery_type,
        payments=request.payments,
        total=compute_total(request.items),
        created_at=created_at,
        updated_at=created_at,
        version=1,
    )


def check_transition(current: Status, target: Status) -> None:
    if target is not current and target not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"an order cannot go from {current.value} to {target.value}", field="status"
        )


def apply_update(order: Order, update: OrderUpdate, *, now_ms: int) -> Order:
    """The order after the update, with the next version; 409 errors for what may not change.

    A status equal to the current one is not a transition (nothing to check). Contents may
    change only while the order is pending, and a change of items recomputes the total.
    """
    if update.status is not None:
        check_transition(order.status, update.status)
    if update.changes_contents and order.status is not Status.PENDING:
        raise NotModifiable(
            f"the contents of a {order.status.value} order cannot change; only pending orders"
        )
    items = update.items if update.items is not None else order.items
    return replace(
        order,
        status=update.status if update.status is not None else order.status,
        items=items,
        total=compute_total(items) if update.items is not None else order.total,
        delivery_address=(
            update.delivery_address
            if update.delivery_address is not None
            else order.delivery_address
        ),
        delivery_type=update.delivery_type
        if update.delivery_type is not None
        else order.delivery_type,
        payments=update.payments if update.payments is not None else order.payments,
        updated_at=iso_timestamp(now_ms),
        version=order.version + 1,
    )


def expected_version(body_version: int | None, if_match: int | None) -> int | None:
    """The version the client read: body `version` or If-Match; both must agree."""
    if body_version is not None and if_match is not None and body_version != if_match:
        raise InvalidRequest(
            f"version {body_version} in the body disagrees with If-Match {if_match}",
            field="version",
        )
    return body_version if body_version is not None else if_match


def rate_limit_exceeded(orders_in_window: int, max_orders_per_hour: int) -> bool:
    """True if one more order would exceed the limit. A limit of 0 disables the check."""
    return max_orders_per_hour > 0 and orders_in_window >= max_orders_per_hour


def retry_after_seconds(oldest_in_window_ms: int | None, now_ms: int) -> int:
    """Seconds until the oldest order in the window leaves it (at least 1)."""
    if oldest_in_window_ms is None:
        return 1
    remaining_ms = oldest_in_window_ms + HOUR_MS - now_ms
    return max(1, math.ceil(remaining_ms / 1000))


def _config_int(raw: Mapping[str, Any], key: str, default: int, minimum: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigUnavailable(f"api-config {key} must be an integer >= {minimum}, got {value!r}")
    return value
