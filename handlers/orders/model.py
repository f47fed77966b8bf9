"""The order and its parts, and their shapes: the document, the public JSON and the message.

The document uses the API's attribute names and `Decimal` numbers, plus the partner the order
belongs to; `to_public()` is what the partner is answered (JSON-ready numbers, no `partner`:
the caller is that partner); `to_message()` is the document as JSON for the dead-letter
queue, partner included, so a redriven order keeps its owner.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    PREPARING = "preparing"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class DeliveryType(StrEnum):
    STANDARD = "standard"
    EXPRESS = "express"


# Money is kept to the cent.
CENT = Decimal("0.01")


class MalformedOrder(ValueError):
    """A stored or queued document that is not an order."""


@dataclass(frozen=True)
class LineItem:
    product_id: str
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    zip_code: str


@dataclass(frozen=True)
class Payment:
    method: str
    amount: Decimal


@dataclass(frozen=True)
class Order:
    order_id: str
    timestamp: int  # creation time, epoch milliseconds: the table's sort key
    customer_id: str
    status: Status
    items: tuple[LineItem, ...]
    delivery_address: Address
    delivery_type: DeliveryType
    total: Decimal
    created_at: str
    updated_at: str
    version: int
    partner: str  # the partner that placed it: no other may see or change it
    payments: tuple[Payment, ...] = field(default=())

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "orderId": self.order_id,
            "partner": self.partner,
            "timestamp": self.timestamp,
            "customerId": self.customer_id,
            "status": self.status.value,
            "items": [
                {"productId": item.product_id, "quantity": item.quantity, "price": item.price}
                for item in self.items
            ],
            "deliveryAddress": {
                "street": self.delivery_address.street,
                "city": self.delivery_address.city,
                "zipCode": self.delivery_address.zip_code,
            },
            "deliveryType": self.delivery_type.value,
            "total": self.total,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "version": self.version,
        }
        if self.payments:
            document["payments"] = [
                {"method": payment.method, "amount": payment.amount} for payment in self.payments
            ]
        return document

    def to_public(self) -> dict[str, Any]:
        public: dict[str, Any] = json_ready(self.to_document())
        del public["partner"]
        return public

    def to_message(self) -> dict[str, Any]:
        message: dict[str, Any] = json_ready(self.to_document())
        return message

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Order:
        """Rebuild an order from DynamoDB's item or a queued message; MalformedOrder if it
        is not one."""
        try:
            return cls(
                order_id=_text(document["orderId"]),
                timestamp=_integer(document["timestamp"]),
                customer_id=_text(document["customerId"]),
                status=Status(document["status"]),
                items=tuple(
                    LineItem(
                        product_id=_text(item["productId"]),
                        quantity=_integer(item["quantity"]),
                        price=_decimal(item["price"]),
                    )
                    for item in document["items"]
                ),
                delivery_address=Address(
                    street=_text(document["deliveryAddress"]["street"]),
                    city=_text(document["deliveryAddress"]["city"]),
                    zip_code=_text(document["deliveryAddress"]["zipCode"]),
                ),
                delivery_type=DeliveryType(document.get("deliveryType", "standard")),
                total=_decimal(document["total"]),
                created_at=_text(document["createdAt"]),
                updated_at=_text(document.get("updatedAt", document["createdAt"])),
                version=_integer(document["version"]),
                partner=_text(document["partner"]),
                payments=tuple(
                    Payment(method=_text(payment["method"]), amount=_decimal(payment["amount"]))
                    for payment in document.get("payments") or ()
                ),
            )
        except (KeyError, TypeError, ValueError, InvalidOperation) as error:
            raise MalformedOrder(f"not an order document: {error!r}") from error


def is_order_id(value: str) -> bool:
    """Order ids are canonical (lower-case, hyphenated) UUIDs, as new_order_id makes them."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: an int if integral, else a float.

    Prices and totals have at most two decimal places (the validation enforces it), so the
    float's shortest repr is the same decimal number.
    """
    return int(value) if value == value.to_integral_value() else float(value)


def json_ready(value: Any) -> Any:
    """A copy of value with every Decimal turned into a JSON number (json_number)."""
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, Mapping):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(item) for item in value]
    return value


def iso_timestamp(epoch_ms: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC with milliseconds, e.g. 2024-05-01T12:00:00.123Z."""
    moment = dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    if value != int(value):
        raise ValueError(f"expected an integer, got {value}")
    return int(value)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    # str() first: Decimal(0.1) would carry the float's binary error.
    return value if isinstance(value, Decimal) else Decimal(str(value))
