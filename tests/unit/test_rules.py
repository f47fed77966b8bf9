"""Business rules: totals, lifecycle, updates, flags, rate limit, configuration."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders import rules
from orders.errors import (
    ConfigUnavailable,
    FeatureDisabled,
    IllegalTransition,
    InvalidRequest,
    NotModifiable,
)
from orders.model import Address, DeliveryType, LineItem, Payment, Status
from orders.requests import NewOrder, OrderUpdate

NOW = 1_716_552_000_000  # 2024-05-24T12:00:00Z


def item(price: str, quantity: int = 1, product: str = "p") -> LineItem:
    return LineItem(product_id=product, quantity=quantity, price=Decimal(price))


def new_request(**changes) -> NewOrder:
    fields = {
        "customer_id": "customer-1",
        "items": (item("8.50", 2), item("4.95")),
        "delivery_address": Address("1 Main Street", "Dublin", "D01"),
        "delivery_type": DeliveryType.STANDARD,
        "payments": (Payment("card", Decimal("21.95")),),
        "body": {},
    }
    fields.update(changes)
    return NewOrder(**fields)


def pending_order():
    return rules.new_order(
        new_request(),
        partner="acme-eats",
        order_id="00000000-0000-4000-8000-000000000001",
        now_ms=NOW,
    )


def order_in(status: Status):
    from dataclasses import replace

    return replace(pending_order(), status=status)


# --- totals -------------------------------------------------------------------------------
def test_total_is_the_exact_decimal_sum():
    # Given prices whose binary floating-point sum is inexact
    items = [item("0.10", 3), item("0.20")]
    # When the total is computed
    total = rules.compute_total(items)
    # Then it is exactly 0.50
    assert total == Decimal("0.50")
    assert str(total) == "0.50"


def test_total_rounds_half_up_to_the_cent():
    # Given a sum that ends in half a cent
    assert rules.compute_total([item("0.005")]) == Decimal("0.01")
    assert rules.compute_total([item("0.0049")]) == Decimal("0.00")


def test_loyalty_points_are_whole_currency_units():
    assert rules.loyalty_points(Decimal("21.95")) == 21
    assert rules.loyalty_points(Decimal("0.99")) == 0
    assert rules.loyalty_points(Decimal("100.00")) == 100


# --- new orders ---------------------------------------------------------------------------
def test_a_new_order_is_pending_at_version_1_with_its_creation_time():
    # Given a request and a clock
    # When the order is made
    order = pending_order()
    # Then it is pending, version 1, keyed by the creation time, with the computed total
    assert order.status is Status.PENDING
    assert order.version == 1
    assert order.timestamp == NOW
    assert order.created_at == order.updated_at == "2024-05-24T12:00:00.000Z"
    assert order.total == Decimal("21.95")


# --- lifecycle ----------------------------------------------------------------------------
LEGAL = {
    (Status.PENDING, Status.CONFIRMED),
    (Status.PENDING, Status.CANCELLED),
    (Status.CONFIRMED, Status.PREPARING),
    (Status.CONFIRMED, Status.CANCELLED),
    (Status.PREPARING, Status.OUT_FOR_DELIVERY),
    (Status.OUT_FOR_DELIVERY, Status.DELIVERED),
}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_transitions_follow_the_lifecycle(current, target):
    # Given an order in `current`
    # When it is asked to go to `target`
    # Then only the lifecycle's edges (and staying put) are allowed
    if (current, target) in LEGAL or current is target:
        rules.check_transition(current, target)
    else:
        with pytest.raises(IllegalTransition):
            rules.check_transition(current, target)


def test_delivered_and_cancelled_are_final():
    assert rules.TRANSITIONS[Status.DELIVERED] == frozenset()
    assert rules.TRANSITIONS[Status.CANCELLED] == frozenset()


# --- updates ------------------------------------------------------------------------------
def test_an_update_bumps_the_version_and_keeps_the_key():
    # Given a pending order
    order = pending_order()
    # When it is confirmed later
    updated = rules.apply_update(order, OrderUpdate(status=Status.CONFIRMED), now_ms=NOW + 1500)
    # Then the status and version change, the key and creation time do not
    assert updated.status is Status.CONFIRMED
    assert updated.version == 2
    assert (updated.order_id, updated.timestamp, updated.created_at) == (
        order.order_id,
        order.timestamp,
        order.created_at,
    )
    assert updated.updated_at == "2024-05-24T12:00:01.500Z"


def test_new_items_recompute_the_total():
    # Given a pending order of 21.95
    # When its items are replaced
    updated = rules.apply_update(pending_order(), OrderUpdate(items=(item("9.99", 3),)), now_ms=NOW)
    # Then the total is the new items' total
    assert updated.total == Decimal("29.97")


def test_other_changes_keep_the_total():
    address = Address("2 Side Street", "Cork", "T12")
    updated = rules.apply_update(pending_order(), OrderUpdate(delivery_address=address), now_ms=NOW)
    assert updated.total == Decimal("21.95")
    assert updated.delivery_address == address


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.PENDING])
def test_contents_change_only_while_pending(status):
    # Given an order past pending
    # When its items change
    # Then it is refused
    with pytest.raises(NotModifiable):
        rules.apply_update(order_in(status), OrderUpdate(items=(item("1"),)), now_ms=NOW)


def test_contents_and_confirmation_in_one_update_while_pending():
    update = OrderUpdate(status=Status.CONFIRMED, items=(item("1.00"),))
    updated = rules.apply_update(pending_order(), update, now_ms=NOW)
    assert (updated.status, updated.total) == (Status.CONFIRMED, Decimal("1.00"))


def test_expected_version_comes_from_the_body_or_if_match():
    assert rules.expected_version(None, None) is None
    assert rules.expected_version(3, None) == 3
    assert rules.expected_version(None, 4) == 4
    assert rules.expected_version(5, 5) == 5
    with pytest.raises(InvalidRequest):
        rules.expected_version(1, 2)


# --- feature flags ------------------------------------------------------------------------
def test_express_delivery_needs_its_flag():
    request = new_request(delivery_type=DeliveryType.EXPRESS)
    with pytest.raises(FeatureDisabled) as refused:
        rules.check_new_order_features(request, rules.FeatureFlags(express_delivery=False))
    assert refused.value.field == "deliveryType"
    rules.check_new_order_features(request, rules.FeatureFlags(express_delivery=True))


def test_several_payments_need_their_flag():
    request = new_request(payments=(Payment("card", Decimal(1)), Payment("cash", Decimal(2))))
    with pytest.raises(FeatureDisabled) as refused:
        rules.check_new_order_features(request, rules.FeatureFlags())
    assert refused.value.field == "payments"
    rules.check_new_order_features(request, rules.FeatureFlags(multiple_payments=True))


def test_one_or_no_payment_needs_no_flag():
    rules.check_new_order_features(new_request(payments=()), rules.FeatureFlags())
    rules.check_new_order_features(new_request(), rules.FeatureFlags())


def test_update_flags_apply_only_to_what_the_update_sends():
    rules.check_update_features(OrderUpdate(status=Status.CONFIRMED), rules.FeatureFlags())
    with pytest.raises(FeatureDisabled):
        rules.check_update_features(
            OrderUpdate(delivery_type=DeliveryType.EXPRESS), rules.FeatureFlags()
        )


def test_flags_parse_from_the_parameter():
    flags = rules.FeatureFlags.from_mapping(
        {"expressDelivery": False, "loyaltyProgram": True, "multiplePayments": False}
    )
    assert flags == rules.FeatureFlags(loyalty_program=True)
    # A missing or non-boolean flag is off
    assert rules.FeatureFlags.from_mapping({"expressDelivery": "yes"}) == rules.FeatureFlags()
    with pytest.raises(ConfigUnavailable):
        rules.FeatureFlags.from_mapping(["not", "an", "object"])


# --- rate limit ---------------------------------------------------------------------------
def test_rate_limit_allows_up_to_the_limit():
    assert not rules.rate_limit_exceeded(149, 150)
    assert rules.rate_limit_exceeded(150, 150)
    assert not rules.rate_limit_exceeded(10_000, 0)  # 0 disables the limit


def test_retry_after_is_when_the_oldest_order_leaves_the_hour():
    # Given the oldest order in the window placed 59 minutes 30.2 seconds ago
    oldest = NOW - (59 * 60 + 30) * 1000 - 200
    # Then the client may retry in 30 seconds (rounded up)
    assert rules.retry_after_seconds(oldest, NOW) == 30
    assert rules.retry_after_seconds(NOW - rules.HOUR_MS, NOW) == 1
    assert rules.retry_after_seconds(None, NOW) == 1
    # Whole seconds, rounded up: 1,001 ms is 2 s, and an order placed just now is an hour
    assert rules.retry_after_seconds(NOW - rules.HOUR_MS + 1_001, NOW) == 2
    assert rules.retry_after_seconds(NOW, NOW) == 3_600


def test_an_update_with_payments_replaces_them_and_one_without_keeps_them():
    order = pending_order()
    split = (Payment("card", Decimal("10.00")), Payment("voucher", Decimal("11.95")))
    # A PUT that sends payments replaces the order's
    assert rules.apply_update(order, OrderUpdate(payments=split), now_ms=NOW + 1).payments == split
    # A PUT that does not (a status change) leaves them as they were
    confirmed = rules.apply_update(order, OrderUpdate(status=Status.CONFIRMED), now_ms=NOW + 1)
    assert confirmed.payments == order.payments
    # Sending payments is a change of contents: only while pending
    with pytest.raises(NotModifiable):
        rules.apply_update(confirmed, OrderUpdate(payments=split), now_ms=NOW + 2)
    # Several payments are what the multiplePayments flag gates; a status change is not
    assert rules.update_uses_flagged_features(OrderUpdate(payments=split))
    assert not rules.update_uses_flagged_features(OrderUpdate(status=Status.CONFIRMED))
    assert not rules.update_uses_flagged_features(OrderUpdate(payments=split[:1]))


# --- configuration ------------------------------------------------------------------------
def test_api_config_parses_the_parameter():
    config = rules.ApiConfig.from_mapping(
        {"defaultTimeout": 500, "maxOrdersPerHour": 150, "retryAttempts": 3}
    )
    assert config == rules.ApiConfig(
        default_timeout_ms=500, max_orders_per_hour=150, retry_attempts=3
    )
    assert rules.ApiConfig.from_mapping({}) == rules.ApiConfig()


def test_api_config_bounds_are_inclusive_and_zero_disables_the_rate_limit():
    # The smallest values each setting accepts are accepted as they are
    config = rules.ApiConfig.from_mapping(
        {"defaultTimeout": 1, "maxOrdersPerHour": 0, "retryAttempts": 0}
    )
    assert config == rules.ApiConfig(default_timeout_ms=1, max_orders_per_hour=0, retry_attempts=0)
    assert not rules.rate_limit_exceeded(10_000, config.max_orders_per_hour)
    with pytest.raises(ConfigUnavailable):
        rules.ApiConfig.from_mapping({"maxOrdersPerHour": -1})


@pytest.mark.parametrize(
    "raw",
    [
        {"defaultTimeout": 0},
        {"retryAttempts": -1},
        {"maxOrdersPerHour": "150"},
        {"defaultTimeout": True},
        "not an object",
    ],
)
def test_invalid_api_config_is_a_config_error(raw):
    with pytest.raises(ConfigUnavailable):
        rules.ApiConfig.from_mapping(raw)
