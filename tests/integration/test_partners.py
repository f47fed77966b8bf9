"""Partners at the handlers, with events as API Gateway builds them after its authorizer: each
partner sees only its own orders, through its own key, with the route's scope.

(An expired, tampered, unsigned or HS256 token never reaches a function: API Gateway answers
401 itself. tests/localapi checks that through `serve`; here the function's own checks of what
API Gateway passes: the claims' token use, scope and client, and the key's id.)
"""

from __future__ import annotations

import io
import json
import logging

import pytest

from tests.support.api import (
    READ,
    SAMPLE_PARTNERS,
    A,
    B,
    as_partner,
    get_event,
    invoke,
    list_event,
    load_event,
    order_body,
    put_event,
)

PARTNER_A, PARTNER_B = SAMPLE_PARTNERS


def test_another_partners_order_and_customer_do_not_exist_for_a_partner(stack):
    # Given an order partner A placed for its customer
    customer = "shared-customer-1"
    order = stack.post(order_body(customerId=customer), partner=A).body
    # When partner B reads it, updates it, and lists that customer
    read = stack.get(order["orderId"], partner=B)
    updated = stack.put(order["orderId"], {"status": "cancelled"}, partner=B)
    listed = stack.list(customer, partner=B)
    # Then B is told the order does not exist, and the customer has no orders
    assert (read.status, read.error_code) == (404, "OrderNotFound")
    assert (updated.status, updated.error_code) == (404, "OrderNotFound")
    assert (listed.status, listed.body) == (200, {"orders": [], "nextToken": None})
    # And A's order is untouched, listed for A only
    assert stack.get(order["orderId"], partner=A).body["status"] == "pending"
    assert [o["orderId"] for o in stack.list(customer, partner=A).body["orders"]] == [
        order["orderId"]
    ]


def test_two_partners_customers_of_the_same_id_are_two_customers(stack):
    # Given partners A and B each with an order for "c-9"
    a = stack.post(order_body(customerId="c-9"), partner=A).body
    b = stack.post(order_body(customerId="c-9"), partner=B).body
    # Then each lists only its own
    assert [o["orderId"] for o in stack.list("c-9", partner=A).body["orders"]] == [a["orderId"]]
    assert [o["orderId"] for o in stack.list("c-9", partner=B).body["orders"]] == [b["orderId"]]


def test_the_same_idempotency_key_of_two_partners_places_two_orders(stack):
    headers = {"Idempotency-Key": "retry-me-1"}
    body = order_body(customerId="c-idem")
    a = stack.post(body, headers=headers, partner=A)
    b = stack.post(body, headers=headers, partner=B)
    again = stack.post(body, headers=headers, partner=A)
    assert (a.status, b.status, again.status) == (201, 201, 201)
    assert a.body["orderId"] != b.body["orderId"]
    assert again.body["orderId"] == a.body["orderId"]  # A's retry is A's first answer
    assert len(stack.stored_orders()) == 2


def test_the_hourly_limit_counts_one_partners_orders_of_the_customer(
    make_stack, template_api_config
):
    # Given a limit of one order an hour per customer, reached by partner A's customer
    stack = make_stack(api_config={**template_api_config, "maxOrdersPerHour": 1})
    assert stack.post(order_body(customerId="c-limit"), partner=A).status == 201
    assert stack.post(order_body(customerId="c-limit"), partner=A).status == 429
    # Then partner B's customer of the same id may still order
    assert stack.post(order_body(customerId="c-limit"), partner=B).status == 201


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"scopes": (READ,)}, "the access token lacks the scope orders-api/orders.write"),
        ({"token_use": "id"}, "an access token of a partner is required"),
        ({"api_key_id": PARTNER_B.api_key_id}, "the API key is not the token's partner's"),
    ],
)
def test_a_write_without_the_scope_an_access_token_or_its_own_key_is_forbidden(stack, change, why):
    event = load_event("post_order.json")
    reply = invoke("order_processor", as_partner(event, PARTNER_A, **change))
    assert (reply.status, reply.error_code) == (403, "Forbidden")
    assert reply.body["error"]["message"] == why
    assert stack.stored_orders() == []


def test_a_client_the_registry_does_not_know_or_no_claims_at_all_is_forbidden(stack, created):
    stranger = type(PARTNER_A)("stranger", "9unknown3456789abcdefghij", PARTNER_A.api_key_id)
    unknown = invoke("query_orders", as_partner(get_event(created["orderId"]), stranger))
    without = get_event(created["orderId"])
    without["requestContext"]["authorizer"] = None
    missing = invoke("query_orders", without)
    for reply in (unknown, missing):
        assert (reply.status, reply.error_code) == (403, "Forbidden")
        assert created["orderId"] not in json.dumps(reply.body)


def test_a_read_only_token_reads_and_lists_but_cannot_update(stack, created):
    read_only = {"scopes": (READ,)}
    read = invoke("query_orders", as_partner(get_event(created["orderId"]), PARTNER_A, **read_only))
    listed = invoke(
        "query_orders", as_partner(list_event(created["customerId"]), PARTNER_A, **read_only)
    )
    update = put_event(created["orderId"], {"status": "confirmed"})
    updated = invoke("order_processor", as_partner(update, PARTNER_A, **read_only))
    assert (read.status, listed.status, updated.status) == (200, 200, 403)


def test_the_authorization_header_and_the_key_value_are_never_logged(stack, created, request):
    # Given the functions' log as they write it, at DEBUG, and requests whose headers carry
    # the token and the key's value
    from observability import logger

    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logger.registered_formatter)
    level = logger.log_level
    logger.addHandler(handler)
    logger.setLevel("DEBUG")

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)

    request.addfinalizer(restore)
    event = load_event("get_order.json")
    token = event["headers"]["Authorization"].removeprefix("Bearer ")
    key_value = event["requestContext"]["identity"]["apiKey"]
    # When partners call, allowed, not found and refused
    assert stack.get(created["orderId"], partner=A).status == 200
    assert stack.get(created["orderId"], partner=B).status == 404
    refused = as_partner(get_event(created["orderId"]), PARTNER_A, token_use="id")
    assert invoke("query_orders", refused).status == 403
    # Then the logs say what happened, and never hold the token or the key's value
    text = written.getvalue()
    assert '"partner":"city-couriers"' in text  # B's 404, logged with who asked
    assert "request refused" in text
    assert token not in text
    assert key_value not in text
