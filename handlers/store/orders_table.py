"""The orders table: key orderId (S) + timestamp (N); its index customerIdIndex: customerId +
timestamp.

Partners are kept apart by the keys themselves: an item's `orderId` is
`<partner>#<order id>` and its `customerId` `<partner>#<customer id>`, so every Query names
one partner's key and can only find that partner's items (a FilterExpression would read the
other partner's items and drop them after the read). The partner's name is also an attribute
of its own (`partner`), which an update's condition checks. The API never shows the prefixes:
they are added on the way in and taken off on the way out. Partner names have no `#` and
neither have customer ids (orders/pagination.CUSTOMER_ID) or order ids (UUIDs).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from decimal import DecimalException
from typing import Any

from botocore.exceptions import ClientError

from orders.errors import OrderAlreadyExists, OrderRefused, StoreUnavailable, VersionConflict
from orders.model import Order
from orders.pagination import PageStart
from orders.ports import Page
from store.clients import NETWORK_ERRORS, describe, error_code

CUSTOMER_INDEX = "customerIdIndex"
SEPARATOR = "#"
CONDITION_FAILED = "ConditionalCheckFailedException"
# The attribute holding the id of an update's write (never part of the order's JSON).
WRITE_ID = "writeId"
# Errors that mean the request itself is wrong: never retried, and not an outage. A write
# refused so becomes OrderRefused (it is about that order), a read RequestRefused (a bug);
# every other error code becomes StoreUnavailable.
REFUSED_REQUEST_CODES = frozenset({"ValidationException", "SerializationException"})


class RequestRefused(RuntimeError):
    """DynamoDB refused a request as malformed: a bug in this code (the API answers 500)."""


class OrdersTable:
    """OrderRepository on DynamoDB. `client` is called for the client on every request, so
    the client can follow api-config (timeouts, retries) and is created only when needed."""

    def __init__(
        self, client: Callable[[], Any], table_name: str, index_name: str = CUSTOMER_INDEX
    ):
        self._client = client
        self.table_name = table_name
        self.index_name = index_name

    def put_new(self, order: Order) -> None:
        try:
            self._call(
                "put_item",
                TableName=self.table_name,
                Item=_serialize(order),
                ConditionExpression="attribute_not_exists(orderId)",
            )
        except _ConditionFailed:
            raise OrderAlreadyExists(f"order {order.order_id} is already stored") from None
        except RequestRefused as refusal:
            raise OrderRefused(order.order_id, str(refusal)) from refusal

    def get(self, partner: str, order_id: str) -> Order | None:
        # The key is composite (orderId + timestamp): an id alone needs a Query.
        response = self._call(
            "query",
            TableName=self.table_name,
            KeyConditionExpression="orderId = :orderId",
            ExpressionAttributeValues={":orderId": {"S": qualified(partner, order_id)}},
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        return _order(items[0]) if items else None

    def replace(self, order: Order, *, expected_version: int) -> None:
        # An id of this write: when botocore retries a PutItem whose first attempt landed
        # (its response timed out), the retry fails the condition on our own write. The id
        # tells that from another writer's.
        write_id = uuid.uuid4().hex
        try:
            self._call(
                "put_item",
                TableName=self.table_name,
                Item={**_serialize(order), WRITE_ID: {"S": write_id}},
                # The key already names the partner; the condition says so again.
                ConditionExpression=(
                    "attribute_exists(orderId) AND #version = :expected AND #partner = :partner"
                ),
                ExpressionAttributeNames={"#version": "version", "#partner": "partner"},
                ExpressionAttributeValues={
                    ":expected": {"N": str(expected_version)},
                    ":partner": {"S": order.partner},
                },
            )
        except RequestRefused as refusal:
            raise OrderRefused(order.order_id, str(refusal)) from refusal
        except _ConditionFailed:
            if self._write_id(order.partner, order.order_id) == write_id:
                return
            raise VersionConflict(
                f"order {order.order_id} changed since version {expected_version}; read it again",
                field="version",
            ) from None

    def _write_id(self, partner: str, order_id: str) -> str | None:
        response = self._call(
            "query",
            TableName=self.table_name,
            KeyConditionExpression="orderId = :orderId",
            ExpressionAttributeValues={":orderId": {"S": qualified(partner, order_id)}},
            ProjectionExpression=WRITE_ID,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        write_id: str | None = items[0].get(WRITE_ID, {}).get("S") if items else None
        return write_id

    def list_for_customer(
        self, partner: str, customer_id: str, *, limit: int, start: PageStart | None
    ) -> Page:
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": self.index_name,
            "KeyConditionExpression": "customerId = :customerId",
            "ExpressionAttributeValues": {":customerId": {"S": qualified(partner, customer_id)}},
            "ScanIndexForward": False,  # newest first
            # One more than asked: tells whether a next page exists, so no page is empty.
            "Limit": limit + 1,
        }
        if start is not None:
            request["ExclusiveStartKey"] = {
                "customerId": {"S": qualified(partner, start.customer_id)},
                "orderId": {"S": qualified(partner, start.order_id)},
                "timestamp": {"N": str(start.timestamp)},
            }
        response = self._call("query", **request)
        orders = tuple(_order(item) for item in response.get("Items", []))
        if len(orders) > limit:
            orders = orders[:limit]
            last = orders[-1]
            return Page(orders, PageStart(customer_id, last.order_id, last.timestamp))
        last_key = response.get("LastEvaluatedKey")
        if last_key and orders:  # the read stopped at DynamoDB's 1 MB page size
            last = orders[-1]
            return Page(orders, PageStart(customer_id, last.order_id, last.timestamp))
        return Page(orders, None)

    def count_since(self, partner: str, customer_id: str, since_ms: int, *, stop_at: int) -> int:
        count = 0
        request: dict[str, Any] = self._window_query(partner, customer_id, since_ms)
        request["Select"] = "COUNT"
        while count < stop_at:
            request["Limit"] = stop_at - count
            response = self._call("query", **request)
            count += response.get("Count", 0)
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return count

    def oldest_since(self, partner: str, customer_id: str, since_ms: int) -> int | None:
        request = self._window_query(partner, customer_id, since_ms)
        response = self._call(
            "query",
            **request,
            ScanIndexForward=True,
            Limit=1,
            ProjectionExpression="#timestamp",
        )
        items = response.get("Items", [])
        return int(items[0]["timestamp"]["N"]) if items else None

    def _window_query(self, partner: str, customer_id: str, since_ms: int) -> dict[str, Any]:
        return {
            "TableName": self.table_name,
            "IndexName": self.index_name,
            "KeyConditionExpression": "customerId = :customerId AND #timestamp > :since",
            "ExpressionAttributeNames": {"#timestamp": "timestamp"},
            "ExpressionAttributeValues": {
                ":customerId": {"S": qualified(partner, customer_id)},
                ":since": {"N": str(since_ms)},
            },
        }

    def _call(self, operation: str, **request: Any) -> Mapping[str, Any]:
        """Call DynamoDB; outages become StoreUnavailable, a failed condition _ConditionFailed."""
        client = self._client()
        try:
            response: Mapping[str, Any] = getattr(client, operation)(**request)
            return response
        except ClientError as error:
            code = error_code(error)
            if code == CONDITION_FAILED:
                raise _ConditionFailed() from error
            if code in REFUSED_REQUEST_CODES:
                raise RequestRefused(describe(error)) from error
            raise StoreUnavailable(describe(error)) from error
        except NETWORK_ERRORS as error:
            raise StoreUnavailable(f"{operation}: {describe(error)}") from error


class _ConditionFailed(Exception):
    """A conditional write lost: each caller says what that means."""


def qualified(partner: str, value: str) -> str:
    """A key attribute's value: the partner's name, then the API's value."""
    return f"{partner}{SEPARATOR}{value}"


def _unqualified(partner: str, value: Any) -> Any:
    prefix = partner + SEPARATOR
    return value[len(prefix) :] if isinstance(value, str) and value.startswith(prefix) else None


def _order(item: Mapping[str, Any]) -> Order:
    """The order in a table item, its key attributes without the partner's prefix."""
    document = _deserialize(item)
    partner = document.get("partner")
    if isinstance(partner, str):
        for key in ("orderId", "customerId"):
            document[key] = _unqualified(partner, document.get(key))
    return Order.from_document(document)


def _serialize(order: Order) -> dict[str, Any]:
    """The order as a DynamoDB item, keys qualified by its partner; RequestRefused if it holds a
    value DynamoDB cannot (a number of more than 38 digits: decimal.Inexact or Rounded in
    boto3's serializer)."""
    from boto3.dynamodb.types import TypeSerializer  # boto3 is loaded once a client exists

    # An empty key attribute is DynamoDB's ValidationException; with the partner's prefix in
    # front it would no longer be empty, so it is refused here.
    if not order.order_id or not order.customer_id:
        raise RequestRefused("an empty order id or customer id (a key attribute)")
    document = order.to_document()
    document["orderId"] = qualified(order.partner, order.order_id)
    document["customerId"] = qualified(order.partner, order.customer_id)
    serializer = TypeSerializer()
    try:
        return {key: serializer.serialize(value) for key, value in document.items()}
    except DecimalException as error:
        raise RequestRefused(
            f"a number DynamoDB cannot store exactly ({type(error).__name__})"
        ) from error
    except TypeError as error:
        raise RequestRefused(f"a value DynamoDB cannot store ({error})") from error


def _deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {key: deserializer.deserialize(value) for key, value in item.items()}
