"""The use cases of OrderService, on test doubles of the domain's own ports (orders/ports.py).

The doubles implement OrderRepository and ConfigSource, the domain's interfaces; none of them
stands for an AWS API (the DynamoDB adapter is tested against moto in tests/integration).
"""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal

import pytest

from orders import rules
from orders.errors import ConfigUnavailable, OrderAlreadyExists, StoreUnavailable
from orders.model import Address, DeliveryType, LineItem, Order, Payment, Status
from orders.partners import PartnerRegistry, Registration
from orders.ports import Page
from orders.requests import NewOrder, OrderUpdate
from orders.service import OrderService, Outcome, epoch_ms

NOW = 1_716_552_000_000
ORDER_ID = "00000000-0000-4000-8000-000000000001"
PARTNER = "acme-eats"


def new_request() -> NewOrder:
    return NewOrder(
        customer_id="customer-1",
        items=(LineItem("p", 2, Decimal("8.50")),),
        delivery_address=Address("1 Main Street", "Dublin", "D01"),
        delivery_type=DeliveryType.STANDARD,
        payments=(Payment("card", Decimal("17.00")),),
        body={},
    )


class MemoryOrders:
    """OrderRepository in memory. `put_new_errors` are raised by the next put_new calls, after
    the write (as when DynamoDB stored the item but the answer never reached the client)."""

    def __init__(self, put_new_errors=()):
        self.orders: dict[tuple[str, str], Order] = {}  # by (partner, order id)
        self.put_new_calls = 0
        self.put_new_errors = list(put_new_errors)

    def put_new(self, order):
        self.put_new_calls += 1
        key = (order.partner, order.order_id)
        if self.put_new_errors:
            self.orders.setdefault(key, order)
            raise self.put_new_errors.pop(0)
        if key in self.orders:  # DynamoDB's attribute_not_exists(orderId)
            raise OrderAlreadyExists(f"order {order.order_id} is already stored")
        self.orders[key] = order

    def get(self, partner, order_id):
        return self.orders.get((partner, order_id))

    def replace(self, order, *, expected_version):
        self.orders[(order.partner, order.order_id)] = order

    def list_for_customer(self, partner, customer_id, *, limit, start):
        return Page((), None)

    def count_since(self, partner, customer_id, since_ms, *, stop_at):
        return 0

    def oldest_since(self, partner, customer_id, since_ms):
        return None


LOYALTY_ON = rules.FeatureFlags(loyalty_program=True)


class Config:
    """ConfigSource with fixed values; flags=None stands for feature-flags that cannot be read."""

    def __init__(self, flags=LOYALTY_ON):
        self.flags = flags
        self.flag_reads = 0

    def api_config(self):
        return rules.ApiConfig()

    def feature_flags(self):
        self.flag_reads += 1
        if self.flags is None:
            raise ConfigUnavailable("feature-flags: SSM unreachable")
        return self.flags

    def partners(self):
        return PartnerRegistry({"client-a": Registration(PARTNER, "key-a")})


class NoDeadLetters:
    def send(self, order, *, reason):  # pragma: no cover - must not be reached
        raise AssertionError(f"order {order.order_id} queued: {reason}")


def service(orders, config=None):
    return OrderService(
        orders=orders,
        config=config or Config(),
        dead_letters=NoDeadLetters(),
        clock=lambda: NOW,
        new_id=lambda: ORDER_ID,
    )


def test_a_timed_out_write_that_landed_is_a_created_order_not_a_conflict():
    # Given a table that stores the order but whose answer is lost, so that botocore's retry
    # of the PutItem finds the order there and its condition fails (OrderAlreadyExists)
    orders = MemoryOrders(
        put_new_errors=[OrderAlreadyExists(f"order {ORDER_ID} is already stored")]
    )
    # When the order is placed
    placement = service(orders).place(PARTNER, new_request())
    # Then it is created, with the order as stored (a fresh uuid4: only our own write can be there)
    assert placement.outcome is Outcome.CREATED
    assert placement.body["orderId"] == ORDER_ID
    assert placement.body["status"] == "pending"
    assert placement.body["total"] == 17
    assert placement.body["loyaltyPoints"] == 17
    assert list(orders.orders) == [(PARTNER, ORDER_ID)]
    assert orders.put_new_calls == 1


def test_a_table_outage_still_goes_to_the_dead_letter_path():
    # Given a table that is down (the conflict tolerance above must not swallow outages)
    orders = MemoryOrders(put_new_errors=[StoreUnavailable("PutItem: ServiceUnavailable")])
    # When the order is placed without a dead-letter queue to fall back on
    placing = OrderService(
        orders=orders, config=Config(), clock=lambda: NOW, new_id=lambda: ORDER_ID
    )
    # Then the outage reaches the caller (503)
    with pytest.raises(StoreUnavailable):
        placing.place(PARTNER, new_request())


def stored_pending(orders):
    order = rules.new_order(new_request(), partner="acme-eats", order_id=ORDER_ID, now_ms=NOW)
    orders.orders[(PARTNER, ORDER_ID)] = order
    return order


@pytest.mark.parametrize(
    "update",
    [
        OrderUpdate(status=Status.CONFIRMED),
        OrderUpdate(
            delivery_type=DeliveryType.STANDARD, payments=(Payment("cash", Decimal("17.00")),)
        ),
    ],
)
def test_an_update_that_no_flag_gates_does_not_read_the_flags(update):
    # Given a stored pending order and feature-flags that cannot be read
    orders = MemoryOrders()
    stored_pending(orders)
    config = Config(flags=None)
    # When it gets a status change, or standard delivery and a single payment
    updated = service(orders, config).update(PARTNER, ORDER_ID, update)
    # Then the update goes through without reading the flags
    assert updated.version == 2
    assert config.flag_reads == 0


@pytest.mark.parametrize(
    "update",
    [
        OrderUpdate(delivery_type=DeliveryType.EXPRESS),
        OrderUpdate(payments=(Payment("card", Decimal("7.00")), Payment("cash", Decimal("10.00")))),
    ],
)
def test_an_update_of_what_flags_gate_still_needs_them(update):
    # Given a stored pending order and feature-flags that cannot be read
    orders = MemoryOrders()
    stored_pending(orders)
    # When the update asks for express delivery or several payments (features the flags gate)
    # Then the update is refused as unavailable (503), not let through unchecked
    with pytest.raises(ConfigUnavailable):
        service(orders, Config(flags=None)).update(PARTNER, ORDER_ID, update)


def test_the_clock_is_epoch_milliseconds():
    # The table's sort key, the rate limit's hour and createdAt all assume milliseconds
    before = time.time()
    now = epoch_ms()
    after = time.time()
    assert before * 1000 - 1 <= now <= after * 1000 + 1


def test_with_an_idempotency_key_every_attempt_names_the_same_order():
    # Given two services (two execution environments), no idempotency store between them
    first, second = MemoryOrders(), MemoryOrders()
    a = OrderService(orders=first, config=Config(), clock=lambda: NOW)
    b = OrderService(orders=second, config=Config(), clock=lambda: NOW + 5)
    # When the same customer's request with the same key runs in each
    one = a.place(PARTNER, new_request(), idempotency_key="key-1").body["orderId"]
    two = b.place(PARTNER, new_request(), idempotency_key="key-1").body["orderId"]
    # Then both name the same order; another key, or another customer, names another
    assert one == two
    assert a.place(PARTNER, new_request(), idempotency_key="key-2").body["orderId"] != one
    other_customer = replace(new_request(), customer_id="customer-2")
    assert a.place(PARTNER, other_customer, idempotency_key="key-1").body["orderId"] != one
    # And another partner's same customer and key names another order too
    assert a.place("city-couriers", new_request(), idempotency_key="key-1").body["orderId"] != one


def test_a_retry_after_an_attempt_that_stored_the_order_answers_that_order():
    # Given an order stored by an attempt that died before it answered
    orders = MemoryOrders()
    earlier = OrderService(orders=orders, config=Config(), clock=lambda: NOW)
    stored = earlier.place(PARTNER, new_request(), idempotency_key="key-1").body
    # When the client retries with the same key, a minute later, in another environment
    retry = OrderService(orders=orders, config=Config(), clock=lambda: NOW + 60_000)
    placement = retry.place(PARTNER, new_request(), idempotency_key="key-1")
    # Then it is created, and the answer is the order as stored (not a second one)
    assert placement.outcome is Outcome.CREATED
    assert placement.body["orderId"] == stored["orderId"]
    assert placement.body["createdAt"] == stored["createdAt"]
    assert len(orders.orders) == 1
    # found by reading, not by a second write (the table's key is the id and the creation
    # time: a write at another time would store a second item of the same id)
    assert orders.put_new_calls == 1
