"""Idempotency-Key on POST /orders (Powertools Idempotency on the template's table)."""

from __future__ import annotations

import uuid

from tests.support.api import order_body


def test_same_key_twice_returns_the_first_response(stack):
    # Given a POST with an Idempotency-Key
    key = str(uuid.uuid4())
    first = stack.post(headers={"Idempotency-Key": key})
    # When the client retries it with the same key
    second = stack.post(headers={"Idempotency-Key": key})
    # Then it gets the first response (same status, same order) and one order is stored
    assert first.status == second.status == 201
    assert second.body == first.body
    assert len(stack.stored_orders()) == 1
    # And the idempotency record is in the idempotency table
    records = stack.dynamodb.scan(TableName=stack.idempotency_table)["Items"]
    assert len(records) == 1
    assert records[0]["status"] == {"S": "COMPLETED"}
    assert "expiration" in records[0]


def test_different_keys_make_different_orders(stack):
    first = stack.post(headers={"Idempotency-Key": "key-1"})
    second = stack.post(headers={"Idempotency-Key": "key-2"})
    assert first.body["orderId"] != second.body["orderId"]
    assert len(stack.stored_orders()) == 2


def test_no_key_means_no_deduplication(stack):
    # Given the same body posted twice without a key
    first, second = stack.post(), stack.post()
    # Then these are two orders
    assert first.body["orderId"] != second.body["orderId"]


def test_same_key_from_another_customer_is_another_order(stack):
    # Given two customers whose apps happen to pick the same key
    first = stack.post(order_body(customerId="customer-0001"), headers={"Idempotency-Key": "k"})
    second = stack.post(order_body(customerId="customer-0002"), headers={"Idempotency-Key": "k"})
    # Then each gets their own order
    assert first.status == second.status == 201
    assert first.body["orderId"] != second.body["orderId"]


def test_same_key_with_another_body_is_a_409(stack):
    # Given a key used for one order
    stack.post(headers={"Idempotency-Key": "k"})
    # When it comes back with different items
    other = order_body(items=[{"productId": "p", "quantity": 9, "price": 1}])
    reply = stack.post(other, headers={"Idempotency-Key": "k"})
    # Then it is a 409 and nothing new is stored
    assert reply.status == 409
    assert reply.error_code == "IdempotencyKeyReused"
    assert len(stack.stored_orders()) == 1


def test_a_refused_order_is_not_recorded_as_the_answer(make_stack, template_api_config):
    # Given a customer at the rate limit (1 per hour)
    stack = make_stack(api_config={**template_api_config, "maxOrdersPerHour": 1})
    stack.post()
    # When a POST with a key is refused with 429
    refused = stack.post(headers={"Idempotency-Key": "retry-me"})
    assert refused.status == 429
    # Then no answer is recorded for the key, so a retry is evaluated afresh
    assert stack.dynamodb.scan(TableName=stack.idempotency_table)["Items"] == []
    assert stack.post(headers={"Idempotency-Key": "retry-me"}).status == 429


def test_bad_idempotency_key_is_a_400(stack):
    reply = stack.post(headers={"Idempotency-Key": "has spaces"})
    assert reply.status == 400
    assert reply.body["error"]["field"] == "Idempotency-Key"


def test_unreachable_idempotency_table_does_not_block_the_order(stack, monkeypatch):
    # Given an idempotency table that does not exist (the store fails on every call)
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", f"missing-{uuid.uuid4().hex}")
    # When an order is posted with a key
    reply = stack.post(headers={"Idempotency-Key": "k"})
    # Then it is still created (without the guarantee)
    assert reply.status == 201
    assert len(stack.stored_orders()) == 1
