"""PUT /orders/{orderId}: lifecycle, contents while pending, optimistic locking."""

from __future__ import annotations

import uuid

import pytest

from tests.support.api import order_body

LIFECYCLE = ["confirmed", "preparing", "out_for_delivery", "delivered"]


def walk(stack, order_id, statuses, start_version=1):
    version = start_version
    for status in statuses:
        reply = stack.put(order_id, {"status": status, "version": version})
        assert reply.status == 200, reply.body
        version = reply.body["version"]
    return version


def test_an_order_walks_its_whole_lifecycle(stack, created):
    # Given a pending order
    order_id = created["orderId"]
    # When it is moved through every status in order
    version = walk(stack, order_id, LIFECYCLE)
    # Then it ends delivered, one version per change, and GET sees the same
    assert version == 5
    reply = stack.get(order_id)
    assert reply.body["status"] == "delivered"
    assert reply.body["version"] == 5
    assert reply.headers["etag"] == '"5"'


@pytest.mark.parametrize("before", [[], ["confirmed"]])
def test_cancel_from_pending_or_confirmed(stack, created, before):
    # Given an order that is pending or confirmed
    version = walk(stack, created["orderId"], before)
    # When it is cancelled
    reply = stack.put(created["orderId"], {"status": "cancelled", "version": version})
    # Then it is cancelled
    assert reply.status == 200
    assert reply.body["status"] == "cancelled"


@pytest.mark.parametrize(
    ("before", "target"),
    [
        ([], "preparing"),
        ([], "delivered"),
        (["confirmed", "preparing"], "cancelled"),
        (["confirmed", "preparing"], "confirmed"),
        (LIFECYCLE, "pending"),
        (["cancelled"], "confirmed"),
    ],
)
def test_illegal_transition_is_a_409(stack, created, before, target):
    # Given an order in some status
    version = walk(stack, created["orderId"], before)
    # When a transition outside the lifecycle is asked for
    reply = stack.put(created["orderId"], {"status": target, "version": version})
    # Then it is a 409 and the order is unchanged
    assert reply.status == 409
    assert reply.error_code == "IllegalTransition"
    assert stack.get(created["orderId"]).body["version"] == version


def test_new_items_while_pending_recompute_the_total(stack, created):
    # Given a pending order
    # When its items are replaced
    items = [{"productId": "calzone", "quantity": 3, "price": 9.99}]
    reply = stack.put(created["orderId"], {"items": items, "version": 1})
    # Then the total follows the new items and the version moves on
    assert reply.status == 200
    assert reply.body["total"] == 29.97
    assert reply.body["items"] == items
    assert reply.body["version"] == 2
    assert reply.body["timestamp"] == created["timestamp"]


def test_address_change_while_pending(stack, created):
    # Given a pending order
    address = {"street": "2 Side Street", "city": "Cork", "zipCode": "T12"}
    # When its address changes together with a confirmation
    reply = stack.put(created["orderId"], {"deliveryAddress": address, "status": "confirmed"})
    # Then both apply
    assert reply.status == 200
    assert reply.body["deliveryAddress"] == address
    assert reply.body["status"] == "confirmed"


def test_contents_cannot_change_once_confirmed(stack, created):
    # Given a confirmed order
    version = walk(stack, created["orderId"], ["confirmed"])
    # When its items are changed
    items = [{"productId": "calzone", "quantity": 1, "price": 9.99}]
    reply = stack.put(created["orderId"], {"items": items, "version": version})
    # Then it is a 409
    assert reply.status == 409
    assert reply.error_code == "NotModifiable"


def test_stale_version_in_the_body_is_a_409(stack, created):
    # Given an order already updated to version 2
    walk(stack, created["orderId"], ["confirmed"])
    # When a client that read version 1 updates it
    reply = stack.put(created["orderId"], {"status": "cancelled", "version": 1})
    # Then it is a 409 and the order stays confirmed
    assert reply.status == 409
    assert reply.error_code == "VersionConflict"
    assert stack.get(created["orderId"]).body["status"] == "confirmed"


@pytest.mark.parametrize("if_match", ['"1"', "1", 'W/"1"'])
def test_stale_version_in_if_match_is_a_409(stack, created, if_match):
    # Given an order already updated to version 2
    walk(stack, created["orderId"], ["confirmed"])
    # When a client sends the version it read as If-Match (any case, quoted or not)
    reply = stack.put(created["orderId"], {"status": "cancelled"}, headers={"if-match": if_match})
    # Then it is a 409
    assert reply.status == 409
    assert reply.error_code == "VersionConflict"


def test_current_version_in_if_match_is_accepted(stack, created):
    # Given an order at version 1 (its ETag)
    etag = stack.get(created["orderId"]).headers["etag"]
    # When the ETag comes back as If-Match
    reply = stack.put(created["orderId"], {"status": "confirmed"}, headers={"If-Match": etag})
    # Then the update applies
    assert reply.status == 200


def test_body_version_and_if_match_must_agree(stack, created):
    # Given a body version and an If-Match that differ
    # When the update is sent
    reply = stack.put(
        created["orderId"], {"status": "confirmed", "version": 1}, headers={"If-Match": '"2"'}
    )
    # Then it is a 400
    assert reply.status == 400
    assert reply.body["error"]["field"] == "version"


def test_malformed_if_match_is_a_400(stack, created):
    reply = stack.put(created["orderId"], {"status": "confirmed"}, headers={"If-Match": "abc"})
    assert reply.status == 400
    assert reply.body["error"]["field"] == "If-Match"


def test_update_without_a_version_applies_to_the_current_one(stack, created):
    # Given a client that sends no version
    # When it confirms the order
    reply = stack.put(created["orderId"], {"status": "confirmed"})
    # Then the update applies to whatever version is stored
    assert reply.status == 200
    assert reply.body["version"] == 2


def test_unknown_order_is_a_404(stack):
    # Given an id no order has
    # When it is updated
    reply = stack.put(str(uuid.uuid4()), {"status": "confirmed"})
    # Then it is a 404 in the error format
    assert reply.status == 404
    assert reply.error_code == "OrderNotFound"
    assert reply.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, None),
        ({"version": 1}, None),
        ({"status": "lost"}, "status"),
        ({"status": "confirmed", "version": 0}, "version"),
        ({"items": [{"productId": "p", "quantity": -1, "price": 1}]}, "items[0].quantity"),
        ({"customerId": "someone-else"}, None),
    ],
)
def test_invalid_update_is_a_400(stack, created, body, field):
    # Given an update body that breaks the schema or changes nothing
    # When it is sent
    reply = stack.put(created["orderId"], body)
    # Then it is a 400, naming the field where there is one
    assert reply.status == 400
    assert reply.error_code == "ValidationError"
    assert reply.body["error"].get("field") == field


def test_malformed_json_update_is_a_400(stack, created):
    reply = stack.put(created["orderId"], None, raw="{")
    assert reply.status == 400
    assert reply.error_code == "InvalidRequest"


def test_express_delivery_on_update_follows_its_flag(stack, created):
    # Given expressDelivery off (the template's flags)
    # When a pending order is switched to express
    reply = stack.put(created["orderId"], {"deliveryType": "express"})
    # Then it is refused like on POST
    assert reply.status == 400
    assert reply.error_code == "FeatureDisabled"


def test_several_payments_on_update_follow_their_flag(stack, created):
    payments = [{"method": "card", "amount": 1}, {"method": "cash", "amount": 20.95}]
    reply = stack.put(created["orderId"], {"payments": payments})
    assert reply.status == 400
    assert reply.body["error"]["field"] == "payments"


def test_same_status_is_not_a_transition(stack, created):
    # Given a pending order
    # When "pending" is sent with new items
    items = [{"productId": "p", "quantity": 1, "price": 2}]
    reply = stack.put(created["orderId"], {"status": "pending", "items": items})
    # Then the items change and the order stays pending
    assert reply.status == 200
    assert reply.body["status"] == "pending"
    assert reply.body["total"] == 2


def test_other_orders_are_untouched(stack, created):
    # Given two orders
    other = stack.post(order_body(customerId="customer-0002")).body
    # When one is confirmed
    stack.put(created["orderId"], {"status": "confirmed"})
    # Then the other is still pending at version 1
    reply = stack.get(other["orderId"])
    assert (reply.body["status"], reply.body["version"]) == ("pending", 1)
