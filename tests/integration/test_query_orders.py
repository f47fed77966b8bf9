"""GET /orders/{orderId} and GET /orders/customer/{customerId}."""

from __future__ import annotations

import base64
import uuid

import pytest

from tests.support.api import invoke, load_event, order_body


def place(stack, count, customer="customer-0001"):
    ids = []
    for _ in range(count):
        reply = stack.post(order_body(customerId=customer))
        assert reply.status == 201
        ids.append(reply.body["orderId"])
    return ids


def test_get_returns_the_stored_order(stack, created):
    # Given a placed order
    # When it is fetched by id alone (the table's key also has the timestamp)
    reply = stack.get(created["orderId"])
    # Then it is the same order, without the POST-only loyalty points
    assert reply.status == 200
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.headers["content-type"] == "application/json"
    expected = {key: value for key, value in created.items() if key != "loyaltyPoints"}
    assert reply.body == expected


@pytest.mark.parametrize(
    "order_id",
    ["8d1f9f5e-0000-4000-8000-000000000404", "not-a-uuid", "x" * 3000],
    ids=["unknown", "not-a-uuid", "3000-characters"],
)
def test_get_unknown_or_malformed_id_is_a_404(stack, order_id):
    # Given an id that no order has (or that no order could have)
    # When it is fetched
    reply = stack.get(order_id)
    # Then it is a 404 in the error format
    assert reply.status == 404
    assert reply.error_code == "OrderNotFound"


def test_listing_is_newest_first(stack):
    # Given three orders of one customer and one of another
    ids = place(stack, 3)
    place(stack, 1, customer="customer-0002")
    # When the customer's orders are listed
    reply = stack.list("customer-0001")
    # Then they come newest first, only theirs, with no next page
    assert reply.status == 200
    listed = reply.body["orders"]
    assert [order["customerId"] for order in listed] == ["customer-0001"] * 3
    timestamps = [order["timestamp"] for order in listed]
    assert timestamps == sorted(timestamps, reverse=True)
    assert {order["orderId"] for order in listed} == set(ids)
    assert reply.body["nextToken"] is None


def test_pages_follow_next_token_to_the_end(stack):
    # Given five orders
    ids = place(stack, 5)
    # When they are read two at a time, following nextToken
    seen, token, pages = [], None, 0
    while True:
        query = {"limit": "2", **({"nextToken": token} if token else {})}
        reply = stack.list("customer-0001", **query)
        assert reply.status == 200
        pages += 1
        seen += [order["orderId"] for order in reply.body["orders"]]
        token = reply.body["nextToken"]
        if token is None:
            break
    # Then every order comes exactly once, in three pages, none of them empty
    assert pages == 3
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


def test_default_limit_is_20(stack):
    # Given 21 orders
    place(stack, 21)
    # When listed without a limit
    reply = stack.list("customer-0001")
    # Then 20 come back, with a token for the rest
    assert len(reply.body["orders"]) == 20
    assert reply.body["nextToken"]


def test_customer_with_no_orders_gets_an_empty_list(stack):
    reply = stack.list("nobody")
    assert reply.status == 200
    assert reply.body == {"orders": [], "nextToken": None}


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", ""])
def test_bad_limit_is_a_400(stack, limit):
    # Given a limit outside 1..100 or not a number
    # When the listing is asked for
    reply = stack.list("customer-0001", limit=limit)
    # Then it is a 400 naming limit
    assert reply.status == 400
    assert reply.body["error"]["field"] == "limit"


def test_limit_100_is_accepted(stack):
    assert stack.list("customer-0001", limit="100").status == 200


def first_token(stack, customer="customer-0001"):
    reply = stack.list(customer, limit="1")
    assert reply.body["nextToken"]
    return reply.body["nextToken"]


def test_tampered_token_is_a_400(stack):
    # Given a real token with one character changed
    place(stack, 2)
    token = first_token(stack)
    tampered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    # When it is used
    reply = stack.list("customer-0001", nextToken=tampered)
    # Then it is a 400, not a 500
    assert reply.status == 400
    assert reply.body["error"]["field"] == "nextToken"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "!!!",
        base64.urlsafe_b64encode(b'{"orderId": "x"}').decode(),
        "A" * 2000,
    ],
)
def test_undecodable_token_is_a_400(stack, token):
    reply = stack.list("customer-0001", nextToken=token)
    assert reply.status == 400
    assert reply.body["error"]["field"] == "nextToken"


def test_token_of_another_customer_is_a_400(stack):
    # Given a token minted for customer-0002's listing
    place(stack, 2, customer="customer-0002")
    token = first_token(stack, "customer-0002")
    # When it is used on customer-0001's listing
    reply = stack.list("customer-0001", nextToken=token)
    # Then it is a 400
    assert reply.status == 400
    assert reply.body["error"]["field"] == "nextToken"


def test_a_minted_token_with_a_41_digit_timestamp_is_a_400(stack):
    # Given a token with a valid checksum (its key is no secret) whose timestamp is 10**40
    from orders.pagination import PageStart, encode_token

    place(stack, 1)
    token = encode_token(PageStart("customer-0001", str(uuid.uuid4()), 10**40))
    # When it is used
    reply = stack.list("customer-0001", nextToken=token)
    # Then it is a 400 naming nextToken, never DynamoDB's ValidationException as a 500
    assert reply.status == 400
    assert reply.body["error"]["field"] == "nextToken"


def test_invalid_customer_id_is_a_400(stack):
    reply = stack.list("bad customer!")
    assert reply.status == 400
    assert reply.body["error"]["field"] == "customerId"


def test_unknown_route_is_a_json_404_with_cors(stack):
    # Given a path no route serves
    event = load_event("get_order.json")
    event["path"] = "/nowhere"
    # When it reaches the function
    reply = invoke("query_orders", event)
    # Then the 404 is in the API's error format, with the CORS header
    assert reply.status == 404
    assert reply.error_code == "RouteNotFound"
    assert reply.headers["access-control-allow-origin"] == "*"


def test_header_names_are_case_insensitive(stack):
    # Given an HTTP/2 client sending lower-case header names only
    event = load_event("post_order.json")
    event["headers"] = {name.lower(): value for name, value in event["headers"].items()}
    event["multiValueHeaders"] = {
        name.lower(): value for name, value in event["multiValueHeaders"].items()
    }
    event["headers"]["idempotency-key"] = "lower-case-key"
    # When it posts twice with the same key
    first = invoke("order_processor", event)
    second = invoke("order_processor", event)
    # Then the key was seen: one order, one answer
    assert first.status == second.status == 201
    assert first.body == second.body
    assert len(stack.stored_orders()) == 1
