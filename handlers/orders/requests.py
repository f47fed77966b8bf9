"""Request bodies: validated against the JSON Schemas the API Gateway models are built from.

`handlers/schemas/*.json` are the single source of both checks. In the Lambda zip each schema's
validator is already generated (`compiled_schemas/<schema>.py`, written by `python -m generator
package` with fastjsonschema's compile_to_code); elsewhere (a checkout: the tests, serve)
fastjsonschema compiles the schema on first use, to the same code. Never at import. Bodies are
parsed with `Decimal` numbers, so no money ever passes through a float.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DecimalException, InvalidOperation
from pathlib import Path
from typing import Any

from orders.errors import InvalidRequest, ValidationFailed
from orders.model import CENT, Address, DeliveryType, LineItem, Payment, Status

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
ORDER_SCHEMA = "order.json"
ORDER_UPDATE_SCHEMA = "order_update.json"
# Where the zip holds each schema's generated validator (as <package>.<schema file's stem>).
COMPILED_SCHEMAS = "compiled_schemas"


@dataclass(frozen=True)
class NewOrder:
    customer_id: str
    items: tuple[LineItem, ...]
    delivery_address: Address
    delivery_type: DeliveryType
    payments: tuple[Payment, ...]
    # The validated body as sent: what an Idempotency-Key's retry must repeat.
    body: Mapping[str, Any]


@dataclass(frozen=True)
class OrderUpdate:
    status: Status | None = None
    items: tuple[LineItem, ...] | None = None
    delivery_address: Address | None = None
    delivery_type: DeliveryType | None = None
    payments: tuple[Payment, ...] | None = None
    version: int | None = None

    @property
    def changes_contents(self) -> bool:
        return any(
            value is not None
            for value in (self.items, self.delivery_address, self.delivery_type, self.payments)
        )


def parse_json(text: str | None) -> Any:
    """The body as JSON with Decimal numbers; InvalidRequest if it is missing, not JSON (a name
    twice in one object included), nested deeper than the parser goes, or not Unicode text."""
    if text is None or not text.strip():
        raise InvalidRequest("a JSON request body is required")
    try:
        body = json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_object_without_duplicates,
        )
    except RecursionError:
        raise InvalidRequest("the request body is nested too deeply") from None
    except (
        DecimalException
    ):  # an exponent past what a Decimal can hold (e.g. 1e99999999999999999999)
        raise InvalidRequest("the request body holds a number out of any range") from None
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        raise InvalidRequest(f"the request body is not valid JSON: {error}") from error
    if not _is_unicode_text(body):
        # A \ud800-\udfff escape that is not half of a pair decodes to a lone surrogate:
        # no UTF-8 can carry it, so DynamoDB (and every client reading the order) could not.
        raise InvalidRequest("the request body holds a lone surrogate escape: not Unicode text")
    return body


def parse_new_order(body: Any) -> NewOrder:
    _validate(ORDER_SCHEMA, body)
    return NewOrder(
        customer_id=body["customerId"],
        items=_items(body["items"]),
        delivery_address=_address(body["deliveryAddress"]),
        delivery_type=DeliveryType(body.get("deliveryType", DeliveryType.STANDARD.value)),
        payments=_payments(body.get("payments", ())),
        body=body,
    )


def parse_order_update(body: Any) -> OrderUpdate:
    _validate(ORDER_UPDATE_SCHEMA, body)
    update = OrderUpdate(
        status=Status(body["status"]) if "status" in body else None,
        items=_items(body["items"]) if "items" in body else None,
        delivery_address=_address(body["deliveryAddress"]) if "deliveryAddress" in body else None,
        delivery_type=DeliveryType(body["deliveryType"]) if "deliveryType" in body else None,
        payments=_payments(body["payments"]) if "payments" in body else None,
        version=body.get("version"),
    )
    if update.status is None and not update.changes_contents:
        raise ValidationFailed("the update changes nothing: send a status or new contents")
    return update


def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return schema


@functools.cache
def _validator(name: str) -> Callable[[Any], Any]:
    module = f"{COMPILED_SCHEMAS}.{Path(name).stem}"
    try:
        generated = importlib.import_module(module)
    except ModuleNotFoundError as missing:
        if missing.name not in (COMPILED_SCHEMAS, module):
            raise
        import fastjsonschema  # a checkout: compiled on first use only

        return fastjsonschema.compile(load_schema(name))
    validate: Callable[[Any], Any] = generated.validate
    return validate


def _validate(schema_name: str, body: Any) -> None:
    from fastjsonschema import JsonSchemaValueException

    try:
        _validator(schema_name)(body)
    except JsonSchemaValueException as error:
        field = _field_name(error.path)
        message = error.message
        # fastjsonschema names the root "data": say "body" (or the field) instead.
        if message.startswith("data"):
            message = (field or "body") + message[len(error.name or "data") :]
        raise ValidationFailed(message, field=field) from None


def _field_name(path: list[str]) -> str | None:
    """['data', 'items', '0', 'quantity'] -> 'items[0].quantity'; the root -> None."""
    name = ""
    for part in path[1:]:
        name += f"[{part}]" if part.isdigit() else (f".{part}" if name else part)
    return name or None


def _check_money(value: Decimal, field: str) -> Decimal:
    """Money has at most two decimal places, which JSON Schema draft-04 cannot say exactly:
    value to the cent (e.g. 8.500 -> 8.50, 0E-500 -> 0.00); ValidationFailed if a digit
    past the cent is not zero.

    The comparison is exact: Decimal equality never rounds, however many digits value has,
    whereas normalize() rounds to the context's 28 digits (1.0000000000000000000000000001
    would pass as 1). The quantized value is the one kept: the raw one may carry an exponent
    or a digit count that DynamoDB's serializer refuses (decimal.Clamped / Rounded).
    """
    message = f"{field} must be an amount with at most two decimal places"
    try:
        cents = value.quantize(CENT)
    except InvalidOperation:  # more digits than the context's precision
        raise ValidationFailed(message, field=field) from None
    if cents != value:
        raise ValidationFailed(message, field=field)
    return cents


def _items(raw: list[Mapping[str, Any]]) -> tuple[LineItem, ...]:
    return tuple(
        LineItem(
            product_id=item["productId"],
            quantity=int(item["quantity"]),
            price=_check_money(Decimal(item["price"]), f"items[{index}].price"),
        )
        for index, item in enumerate(raw)
    )


def _address(raw: Mapping[str, str]) -> Address:
    return Address(street=raw["street"], city=raw["city"], zip_code=raw["zipCode"])


def _payments(raw: Any) -> tuple[Payment, ...]:
    return tuple(
        Payment(
            method=payment["method"],
            amount=_check_money(Decimal(payment["amount"]), f"payments[{index}].amount"),
        )
        for index, payment in enumerate(raw)
    )


def _is_unicode_text(value: Any) -> bool:
    """Whether every string in value (keys included) can be encoded as UTF-8."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose names are unique. JSON leaves duplicates undefined: one parser keeps
    the first, another the last, so a validator and a handler could read different orders."""
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            raise ValueError(f"the name {name!r} appears twice in one object")
        seen.add(name)
    return dict(pairs)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
