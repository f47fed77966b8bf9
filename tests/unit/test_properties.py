"""Properties of the domain, over inputs hypothesis generates: totals to the cent, the status
lifecycle as a state machine, and page tokens that round-trip and cannot be forged."""

from __future__ import annotations

import string
import uuid
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from orders import rules
from orders.errors import IllegalTransition, InvalidRequest, NotModifiable
from orders.model import CENT, Address, DeliveryType, LineItem, Payment, Status
from orders.pagination import MAX_TIMESTAMP, PageStart, decode_token, encode_token
from orders.requests import NewOrder, OrderUpdate

CENTS = st.integers(min_value=0, max_value=1_000_000).map(lambda cents: Decimal(cents) / 100)
ITEMS = st.lists(
    st.builds(
        LineItem,
        product_id=st.text(string.ascii_letters, min_size=1, max_size=8),
        quantity=st.integers(min_value=1, max_value=100),
        price=CENTS,
    ),
    min_size=1,
    max_size=50,
)
NOW = 1_716_552_000_000


def _order(items: list[LineItem]) -> NewOrder:
    return NewOrder(
        customer_id="customer-1",
        items=tuple(items),
        delivery_address=Address("1 Main Street", "Dublin", "D01"),
        delivery_type=DeliveryType.STANDARD,
        payments=(Payment("card", Decimal("1.00")),),
        body={},
    )


# --- totals -------------------------------------------------------------------------------


@given(ITEMS)
def test_a_total_is_the_exact_sum_in_cents(items: list[LineItem]) -> None:
    total = rules.compute_total(items)
    # Exact: prices in cents times whole quantities need no rounding at all
    assert total == sum((item.price * item.quantity for item in items), Decimal(0))
    assert total == total.quantize(CENT)
    assert total >= 0


@given(ITEMS, st.randoms())
def test_a_total_does_not_depend_on_the_order_of_the_items(
    items: list[LineItem], random: object
) -> None:
    shuffled = list(items)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert rules.compute_total(shuffled) == rules.compute_total(items)


@given(ITEMS, ITEMS)
def test_the_total_of_two_baskets_is_the_sum_of_their_totals(
    first: list[LineItem], second: list[LineItem]
) -> None:
    assert rules.compute_total(first + second) == rules.compute_total(first) + rules.compute_total(
        second
    )


@given(ITEMS)
def test_a_new_order_is_priced_by_the_server(items: list[LineItem]) -> None:
    order = rules.new_order(
        _order(items), partner="acme-eats", order_id=str(uuid.uuid4()), now_ms=NOW
    )
    assert order.total == rules.compute_total(items)
    assert (order.status, order.version) == (Status.PENDING, 1)


# --- the lifecycle ------------------------------------------------------------------------

ALLOWED = {
    Status.PENDING: {Status.CONFIRMED, Status.CANCELLED},
    Status.CONFIRMED: {Status.PREPARING, Status.CANCELLED},
    Status.PREPARING: {Status.OUT_FOR_DELIVERY},
    Status.OUT_FOR_DELIVERY: {Status.DELIVERED},
    Status.DELIVERED: set(),
    Status.CANCELLED: set(),
}


class Lifecycle(RuleBasedStateMachine):
    """Random updates against a model of the lifecycle written out independently of rules.py."""

    def __init__(self) -> None:
        super().__init__()
        items = [LineItem("p", 1, Decimal("9.50"))]
        self.order = rules.new_order(
            _order(items), partner="acme-eats", order_id=str(uuid.uuid4()), now_ms=NOW
        )
        self.status = Status.PENDING
        self.version = 1
        self.clock = NOW

    def _tick(self) -> int:
        self.clock += 1
        return self.clock

    @rule(wanted=st.sampled_from(list(Status)))
    def change_status(self, wanted: Status) -> None:
        allowed = wanted is self.status or wanted in ALLOWED[self.status]
        try:
            self.order = rules.apply_update(
                self.order, OrderUpdate(status=wanted), now_ms=self._tick()
            )
        except IllegalTransition:
            assert not allowed, f"{self.status} -> {wanted} was refused"
            return
        assert allowed, f"{self.status} -> {wanted} was accepted"
        self.status = wanted
        self.version += 1

    @rule(items=ITEMS)
    def change_items(self, items: list[LineItem]) -> None:
        try:
            self.order = rules.apply_update(
                self.order, OrderUpdate(items=tuple(items)), now_ms=self._tick()
            )
        except NotModifiable:
            assert self.status is not Status.PENDING
            return
        assert self.status is Status.PENDING
        assert self.order.total == rules.compute_total(items)
        self.version += 1

    @precondition(lambda self: not ALLOWED[self.status])
    @rule()
    def a_final_status_stays(self) -> None:
        for target in Status:
            if target is not self.status:
                with pytest.raises(IllegalTransition):
                    rules.apply_update(self.order, OrderUpdate(status=target), now_ms=self._tick())

    @invariant()
    def the_order_is_where_the_model_says(self) -> None:
        assert self.order.status is self.status
        assert self.order.version == self.version
        assert self.order.timestamp == NOW  # the sort key never moves


TestLifecycle = Lifecycle.TestCase
TestLifecycle.settings = settings(max_examples=60, stateful_step_count=20, deadline=None)


# --- page tokens --------------------------------------------------------------------------

STARTS = st.builds(
    PageStart,
    customer_id=st.from_regex(r"\A[A-Za-z0-9_-]{1,64}\Z"),
    order_id=st.uuids().map(str),
    timestamp=st.integers(min_value=0, max_value=MAX_TIMESTAMP),
)


@given(STARTS)
def test_a_token_round_trips(start: PageStart) -> None:
    assert decode_token(encode_token(start), start.customer_id) == start


@given(STARTS, st.data())
def test_a_tampered_token_is_refused_or_means_the_same_start(
    start: PageStart, data: st.DataObject
) -> None:
    # Given a token with one character replaced, inserted or removed
    token = encode_token(start)
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    character = data.draw(st.sampled_from(string.ascii_letters + string.digits + "-_=+/"))
    edit = data.draw(st.sampled_from(["replace", "insert", "delete"]))
    tampered = {
        "replace": token[:position] + character + token[position + 1 :],
        "insert": token[:position] + character + token[position:],
        "delete": token[:position] + token[position + 1 :],
    }[edit]
    # Then it is refused, or (an edit of base64's unused bits) names the very same start:
    # no edit can move the listing to another page start
    try:
        decoded = decode_token(tampered, start.customer_id)
    except InvalidRequest as refused:
        field = refused.field
    else:
        assert decoded == start
        return
    assert field == "nextToken"


@given(STARTS, st.from_regex(r"\A[A-Za-z0-9_-]{1,64}\Z"))
def test_a_token_is_only_good_for_its_customer(start: PageStart, other: str) -> None:
    token = encode_token(start)
    if other != start.customer_id:
        with pytest.raises(InvalidRequest):
            decode_token(token, other)


@given(st.text(max_size=600))
def test_any_text_as_a_token_is_a_400_never_a_crash(text: str) -> None:
    # Only InvalidRequest (a 400) may come out: anything else would be a 500
    try:
        decoded = decode_token(text, "customer-1")
    except InvalidRequest:
        return
    assert isinstance(decoded, PageStart)


def test_the_model_matches_the_rules_table() -> None:
    # The state machine's model was written out by hand: it must agree with rules.TRANSITIONS
    assert {status: set(targets) for status, targets in rules.TRANSITIONS.items()} == ALLOWED
