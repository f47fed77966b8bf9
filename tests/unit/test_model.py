"""The order's stored document and public JSON."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from orders.model import MalformedOrder, Order, iso_timestamp, json_ready
from tests.unit.test_rules import pending_order


def test_document_round_trip():
    # Given an order
    order = pending_order()
    # When it is turned into its document and back
    # Then it is the same order
    assert Order.from_document(order.to_document()) == order


def test_an_order_round_trips_through_a_queue_message_with_its_partner():
    # Given an order's message, as the dead-letter queue carries it
    order = pending_order()
    text = json.dumps(order.to_message())
    # When it is read back with Decimal numbers (as the redrive does)
    restored = Order.from_document(json.loads(text, parse_float=Decimal))
    # Then nothing was lost, money and owner included
    assert restored == order
    assert restored.total == Decimal("21.95")
    assert restored.partner == "acme-eats"


def test_the_public_json_does_not_name_the_partner():
    # The caller is that partner; and without its partner it is not a document to store
    public = pending_order().to_public()
    assert "partner" not in public
    with pytest.raises(MalformedOrder):
        Order.from_document(public)


def test_public_json_has_plain_numbers():
    public = pending_order().to_public()
    assert public["total"] == 21.95
    assert isinstance(public["total"], float)
    assert public["items"][0]["quantity"] == 2
    assert isinstance(public["items"][0]["quantity"], int)
    assert public["status"] == "pending"


def test_json_ready_converts_nested_decimals():
    assert json_ready({"a": [Decimal("1"), Decimal("1.50")], "b": "x"}) == {"a": [1, 1.5], "b": "x"}


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"requestContext": {}},
        {**pending_order().to_document(), "status": "lost"},
        {**pending_order().to_document(), "timestamp": "yesterday"},
        {**pending_order().to_document(), "version": Decimal("1.5")},
        {**pending_order().to_document(), "items": [{"productId": 1}]},
        # Numbers stored as text: DynamoDB's N type never deserializes to a string
        {**pending_order().to_document(), "total": "21.95"},
        {**pending_order().to_document(), "version": "1"},
        {**pending_order().to_document(), "timestamp": True},
    ],
)
def test_what_is_not_an_order_is_malformed(document):
    with pytest.raises(MalformedOrder):
        Order.from_document(document)


def test_iso_timestamps_keep_milliseconds():
    assert iso_timestamp(0) == "1970-01-01T00:00:00.000Z"
    assert iso_timestamp(1_716_552_000_007) == "2024-05-24T12:00:00.007Z"
