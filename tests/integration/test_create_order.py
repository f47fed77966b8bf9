"""POST /orders through the real entry point, on moto."""

from __future__ import annotations

import base64
import json
import uuid
from decimal import Decimal

import pytest

from tests.support.api import order_body


def test_post_stores_a_pending_order_with_a_server_side_total(stack):
    # Given the sample order (2 x 8.50 + 1 x 4.95)
    # When it is posted
    reply = stack.post()
    # Then it is created as a pending order, version 1, with a total computed from its items
    assert reply.status == 201
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.headers["etag"] == '"1"'
    order = reply.body
    assert uuid.UUID(order["orderId"]).version == 4
    assert order["status"] == "pending"
    assert order["version"] == 1
    assert order["total"] == 21.95
    assert order["customerId"] == "customer-0001"
    assert isinstance(order["timestamp"], int)
    assert order["createdAt"].endswith("Z")
    # And the table holds exactly that order under its composite key, the partner's, whose
    # name also qualifies the index's key
    [item] = stack.stored_orders()
    assert item["orderId"] == {"S": f"acme-eats#{order['orderId']}"}
    assert item["timestamp"] == {"N": str(order["timestamp"])}
    assert item["customerId"] == {"S": "acme-eats#customer-0001"}
    assert item["partner"] == {"S": "acme-eats"}
    assert "partner" not in order
    assert Decimal(item["total"]["N"]) == Decimal("21.95")


def test_total_is_exact_decimal_arithmetic(stack):
    # Given prices whose float sum is inexact (3 x 0.1 + 0.2)
    body = order_body(
        items=[
            {"productId": "a", "quantity": 3, "price": 0.1},
            {"productId": "b", "quantity": 1, "price": 0.2},
        ],
        payments=[{"method": "card", "amount": 0.5}],
    )
    # When the order is posted
    reply = stack.post(body)
    # Then the total is exactly 0.50
    assert reply.status == 201
    assert reply.body["total"] == 0.5
    assert Decimal(stack.stored_orders()[0]["total"]["N"]) == Decimal("0.50")


def test_loyalty_points_when_the_program_is_on(stack):
    # Given the template's flags (loyaltyProgram on)
    # When an order of 21.95 is posted
    reply = stack.post()
    # Then the response carries one point per whole currency unit
    assert reply.body["loyaltyPoints"] == 21


def test_no_loyalty_points_when_the_program_is_off(make_stack, template_flags):
    # Given loyaltyProgram switched off
    stack = make_stack(feature_flags={**template_flags, "loyaltyProgram": False})
    # When an order is posted
    reply = stack.post()
    # Then it is created without points
    assert reply.status == 201
    assert "loyaltyPoints" not in reply.body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": [{"productId": "p", "quantity": 0, "price": 1}]}, "items[0].quantity"),
        ({"items": [{"productId": "p", "quantity": 1.5, "price": 1}]}, "items[0].quantity"),
        ({"items": [{"productId": "p", "quantity": 1, "price": "1"}]}, "items[0].price"),
        ({"items": []}, "items"),
        ({"customerId": ""}, "customerId"),
        ({"deliveryAddress": {"street": "s", "city": "c"}}, "deliveryAddress"),
        ({"deliveryType": "drone"}, "deliveryType"),
        ({"total": 1}, None),  # a client total is not accepted at all
    ],
)
def test_schema_violation_is_a_400_naming_the_field(stack, change, field):
    # Given an order that breaks the schema
    body = order_body(**change)
    # When it is posted
    reply = stack.post(body)
    # Then it is refused with 400, the message names the field, and nothing is stored
    assert reply.status == 400
    assert reply.error_code == "ValidationError"
    assert reply.body["error"].get("field") == field
    assert (field or "body") in reply.body["error"]["message"]
    assert reply.headers["access-control-allow-origin"] == "*"
    assert stack.stored_orders() == []


def test_a_price_with_more_than_two_decimals_is_refused(stack):
    # Given a price of 1.005
    body = order_body(items=[{"productId": "p", "quantity": 1, "price": 1.005}])
    # When it is posted
    reply = stack.post(body)
    # Then it is a 400 naming the price
    assert reply.status == 400
    assert reply.body["error"]["field"] == "items[0].price"


def with_money(price: str, amount: str = "21.95") -> str:
    """The sample order as raw JSON text, one item at `price` and a payment of `amount`,
    both written exactly as given (json.dumps cannot write 0E-500)."""
    body = order_body(
        items=[{"productId": "p", "quantity": 1, "price": "@price@"}],
        payments=[{"method": "card", "amount": "@amount@"}],
    )
    return json.dumps(body).replace('"@price@"', price).replace('"@amount@"', amount)


@pytest.mark.parametrize(
    ("price", "stored"),
    [
        ("0E-500", Decimal("0")),  # zero with an absurd exponent
        ("1.1000000000000000000000000000000000000000000", Decimal("1.1")),  # trailing zeros only
        ("8.500", Decimal("8.5")),
    ],
)
def test_odd_but_valid_prices_are_stored_with_two_decimal_places(stack, price, stored):
    # Given a price that has at most two significant decimal places, however it is written
    # When the order is posted
    reply = stack.post(raw=with_money(price))
    # Then it is created (never a 500), and the price and total are stored to the cent
    assert reply.status == 201, reply.body
    assert reply.body["items"][0]["price"] == float(stored)
    [item] = stack.stored_orders()
    stored_price = item["items"]["L"][0]["M"]["price"]["N"]
    assert Decimal(stored_price) == stored
    assert Decimal(item["total"]["N"]) == stored
    assert -Decimal(stored_price).as_tuple().exponent <= 2


@pytest.mark.parametrize(
    ("price", "amount", "field"),
    [
        ("1.0000000000000000000000000001", "21.95", "items[0].price"),  # 28 decimals
        ("1.00000000000000000000000000000000000000001", "21.95", "items[0].price"),
        ("8.5", "0.0000000000000000000000000000000000000000000001", "payments[0].amount"),
        ("8.5", "1.0000000000000000000000000001", "payments[0].amount"),
    ],
)
def test_money_with_more_than_two_decimal_places_is_a_400_however_small(
    stack, price, amount, field
):
    # Given money with a significant digit past the cent, far past Decimal's 28-digit precision
    # When the order is posted
    reply = stack.post(raw=with_money(price, amount))
    # Then it is a 400 naming the field (not a 500, and not silently rounded), and nothing is stored
    assert reply.status == 400, reply.body
    assert reply.error_code == "ValidationError"
    assert reply.body["error"]["field"] == field
    assert stack.stored_orders() == []


@pytest.mark.parametrize("raw", ["{not json", "", "   ", "[1, 2]", "NaN", '"text"'])
def test_malformed_or_non_object_body_is_a_400(stack, raw):
    # Given a body that is not a JSON object
    # When it is posted
    reply = stack.post(raw=raw)
    # Then it is a 400 in the error format
    assert reply.status == 400
    assert reply.error_code in {"InvalidRequest", "ValidationError"}
    assert set(reply.body["error"]) >= {"code", "message"}


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than the JSON parser goes (a RecursionError)
        '{"a":' * 50_000 + "1" + "}" * 50_000,
    ],
)
def test_json_nested_too_deeply_is_a_400_not_a_500(stack, raw):
    # A client can send this; it once made the handler answer 500 (found by the hostile-input
    # checks of the local API)
    reply = stack.post(raw=raw)
    assert reply.status == 400
    assert reply.body["error"] == {
        "code": "InvalidRequest",
        "message": "the request body is nested too deeply",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"customerId": "', '"customerId": "a", "customerId": "'), "appears twice in one object"),
        (('"price": 8.5', '"price": 1e99999999999999999999'), "a number out of any range"),
    ],
)
def test_a_duplicated_name_or_an_impossible_number_is_a_400(stack, change, message):
    # Found through the local API: the exponent was a 500 (decimal.InvalidOperation), and a
    # duplicated name was read as its last value where another parser might read the first
    old, new = change
    body = json.dumps(order_body())
    assert old in body
    reply = stack.post(raw=body.replace(old, new, 1))
    assert reply.status == 400
    assert message in reply.body["error"]["message"]
    assert stack.stored_orders() == []


@pytest.mark.parametrize(
    ("where", "text"),
    [("items", "\\ud800"), ("deliveryAddress", "\\udfff"), ("deliveryAddress", "a\\udc00b")],
)
def test_a_lone_surrogate_escape_is_a_400_and_nothing_is_stored_or_queued(stack, where, text):
    # Given an order whose text holds a \uXXXX escape of half a surrogate pair: valid JSON,
    # but no UTF-8 can carry it (it once went to the dead-letter queue as "queued", and from
    # there could never be stored)
    body = json.dumps(order_body())
    if where == "items":
        body = body.replace('"productId": "', f'"productId": "{text}', 1)
    else:
        body = body.replace('"street": "', f'"street": "{text}', 1)
    reply = stack.post(raw=body)
    assert reply.status == 400
    assert reply.error_code == "InvalidRequest"
    assert stack.stored_orders() == []
    assert stack.queue_depth() == 0


def test_a_surrogate_pair_is_one_character_and_is_stored(stack):
    body = json.dumps(order_body()).replace('"street": "', '"street": "\\ud83c\\udf55 ', 1)
    reply = stack.post(raw=body)
    assert reply.status == 201, reply.body
    assert reply.body["deliveryAddress"]["street"].startswith("\U0001f355 ")


def test_base64_encoded_body_is_decoded(stack):
    # Given API Gateway delivering the body base64-encoded
    from tests.support.api import invoke, load_event

    event = load_event("post_order.json")
    event["body"] = base64.b64encode(json.dumps(order_body()).encode()).decode()
    event["isBase64Encoded"] = True
    # When it is posted
    reply = invoke("order_processor", event)
    # Then it is created like any other
    assert reply.status == 201


def test_express_delivery_is_refused_while_its_flag_is_off(stack):
    # Given the template's flags (expressDelivery off)
    # When an express order is posted
    reply = stack.post(order_body(deliveryType="express"))
    # Then it is a 400 with its own code, naming the field
    assert reply.status == 400
    assert reply.error_code == "FeatureDisabled"
    assert reply.body["error"]["field"] == "deliveryType"


def test_express_delivery_is_accepted_when_its_flag_is_on(make_stack, template_flags):
    # Given expressDelivery switched on
    stack = make_stack(feature_flags={**template_flags, "expressDelivery": True})
    # When an express order is posted
    reply = stack.post(order_body(deliveryType="express"))
    # Then it is created as express
    assert reply.status == 201
    assert reply.body["deliveryType"] == "express"


def test_several_payments_are_refused_while_their_flag_is_off(stack):
    # Given the template's flags (multiplePayments off)
    body = order_body(
        payments=[{"method": "card", "amount": 10}, {"method": "voucher", "amount": 11.95}]
    )
    # When an order with two payments is posted
    reply = stack.post(body)
    # Then it is a 400 naming payments
    assert reply.status == 400
    assert reply.error_code == "FeatureDisabled"
    assert reply.body["error"]["field"] == "payments"


def test_several_payments_are_accepted_when_their_flag_is_on(make_stack, template_flags):
    # Given multiplePayments switched on
    stack = make_stack(feature_flags={**template_flags, "multiplePayments": True})
    body = order_body(
        payments=[{"method": "card", "amount": 10}, {"method": "voucher", "amount": 11.95}]
    )
    # When an order with two payments is posted
    reply = stack.post(body)
    # Then it is created with both
    assert reply.status == 201
    assert len(reply.body["payments"]) == 2


def test_rate_limit_answers_429_with_retry_after(make_stack, template_api_config):
    # Given a limit of 2 orders per hour
    stack = make_stack(api_config={**template_api_config, "maxOrdersPerHour": 2})
    # When a customer posts a third order within the hour
    first, second, third = (stack.post() for _ in range(3))
    # Then the first two are created and the third is a 429 with Retry-After (seconds)
    assert (first.status, second.status) == (201, 201)
    assert third.status == 429
    assert third.error_code == "RateLimited"
    retry_after = int(third.headers["retry-after"])
    assert 1 <= retry_after <= 3600
    assert third.headers["access-control-allow-origin"] == "*"
    assert len(stack.stored_orders()) == 2


def test_rate_limit_counts_each_customer_separately(make_stack, template_api_config):
    # Given a limit of 1 order per hour, used up by one customer
    stack = make_stack(api_config={**template_api_config, "maxOrdersPerHour": 1})
    assert stack.post().status == 201
    assert stack.post().status == 429  # a limit of one is a limit, not "off"
    # When another customer orders
    reply = stack.post(order_body(customerId="customer-0002"))
    # Then that order is created
    assert reply.status == 201


def test_the_rate_limit_window_is_the_last_hour_exactly(stack):
    # Given orders of one customer placed exactly one hour before now, and 1 ms later
    from orders import rules
    from orders.requests import parse_json, parse_new_order
    from store.orders_table import OrdersTable

    table = OrdersTable(lambda: stack.dynamodb, stack.orders_table)
    now = 1_716_552_000_000
    request = parse_new_order(parse_json(json.dumps(order_body(customerId="window-edge"))))
    for placed in (now - rules.HOUR_MS, now - rules.HOUR_MS + 1, now):
        table.put_new(
            rules.new_order(request, partner="acme-eats", order_id=str(uuid.uuid4()), now_ms=placed)
        )
    # When the window since an hour ago is counted
    since = now - rules.HOUR_MS
    # Then the order placed exactly an hour ago has left it; the other two are in it
    assert table.count_since("acme-eats", "window-edge", since, stop_at=10) == 2
    assert table.oldest_since("acme-eats", "window-edge", since) == now - rules.HOUR_MS + 1
    # And another partner's customer of the same id has none in it
    assert table.count_since("city-couriers", "window-edge", since, stop_at=10) == 0
