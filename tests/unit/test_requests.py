"""Request bodies: JSON parsing with Decimal, schema validation naming the field."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import fastjsonschema
import pytest

from orders import requests
from orders.errors import InvalidRequest, ValidationFailed
from orders.model import DeliveryType, Status
from orders.requests import _check_money, parse_json, parse_new_order, parse_order_update

BODY = {
    "customerId": "customer-1",
    "items": [{"productId": "margherita", "quantity": 2, "price": 8.5}],
    "deliveryAddress": {"street": "1 Main Street", "city": "Dublin", "zipCode": "D01"},
}


def body(**changes):
    return parse_json(json.dumps({**BODY, **changes}))


def test_numbers_are_parsed_as_decimal():
    # Given a JSON body with a fractional price
    # When it is parsed
    parsed = parse_json('{"price": 0.1}')
    # Then the price is the exact decimal, never a float
    assert parsed["price"] == Decimal("0.1")
    assert isinstance(parsed["price"], Decimal)


@pytest.mark.parametrize("text", [None, "", "  ", "{", "{'a': 1}", "NaN", "[Infinity]"])
def test_missing_or_malformed_json_is_invalid(text):
    with pytest.raises(InvalidRequest):
        parse_json(text)


def test_a_valid_order_becomes_a_request():
    request = parse_new_order(body())
    assert request.customer_id == "customer-1"
    assert request.items[0].price == Decimal("8.5")
    assert request.items[0].quantity == 2
    assert request.delivery_type is DeliveryType.STANDARD
    assert request.payments == ()


VIOLATIONS = [
    (
        {"items": [{"productId": "p", "quantity": 0, "price": 1}]},
        "items[0].quantity",
        "bigger than or equal to 1",
    ),
    (
        {"items": [{"productId": "p", "quantity": 2.5, "price": 1}]},
        "items[0].quantity",
        "integer",
    ),
    (
        {"items": [{"productId": "p", "quantity": True, "price": 1}]},
        "items[0].quantity",
        "integer",
    ),
    ({"items": [{"productId": "p", "price": 1}]}, "items[0]", "quantity"),
    (
        {"deliveryAddress": {"street": "s", "city": "c", "zipCode": 1}},
        "deliveryAddress.zipCode",
        "string",
    ),
    ({"payments": [{"method": "bitcoin", "amount": 1}]}, "payments[0].method", "one of"),
    ({"extra": 1}, None, "body must not contain"),
]


@pytest.mark.parametrize(("changes", "field", "words"), VIOLATIONS)
def test_schema_violations_name_the_field(changes, field, words):
    # Given a body that breaks order.json
    # When it is validated
    with pytest.raises(ValidationFailed) as refused:
        parse_new_order(body(**changes))
    # Then the error names the field in readable words, without fastjsonschema's "data"
    assert refused.value.field == field
    assert refused.value.message.startswith(field or "body")
    assert words in refused.value.message
    assert "data" not in refused.value.message


@pytest.fixture
def generated_validators(tmp_path: Path) -> Iterator[Path]:
    """The compiled_schemas package as `package` writes it into the zip, on the path."""
    package = tmp_path / requests.COMPILED_SCHEMAS
    package.mkdir()
    (package / "__init__.py").write_text("")
    for schema in sorted(requests.SCHEMA_DIR.glob("*.json")):
        code = fastjsonschema.compile_to_code(requests.load_schema(schema.name))
        (package / f"{schema.stem}.py").write_text(code)
    sys.path.insert(0, str(tmp_path))
    requests._validator.cache_clear()
    try:
        yield package
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.startswith(requests.COMPILED_SCHEMAS)]:
            del sys.modules[name]
        requests._validator.cache_clear()


@pytest.mark.parametrize(("changes", "field", "words"), VIOLATIONS)
def test_the_zips_generated_validators_answer_as_the_schema_compiled_here(
    generated_validators, changes, field, words
):
    # Given the validators generated as the zip holds them
    # When a body that breaks order.json is validated
    with pytest.raises(ValidationFailed) as refused:
        parse_new_order(body(**changes))
    # Then the generated module judged it, and said what the schema compiled here says
    assert requests._validator(requests.ORDER_SCHEMA).__module__ == "compiled_schemas.order"
    assert (refused.value.field, refused.value.message.startswith(field or "body")) == (field, True)
    assert words in refused.value.message
    # And a valid order and a valid update pass
    assert parse_new_order(body()).customer_id == "customer-1"
    assert parse_order_update({"status": "confirmed"}).status is Status.CONFIRMED


def test_without_generated_validators_the_schema_is_compiled_here():
    requests._validator.cache_clear()
    assert requests._validator(requests.ORDER_SCHEMA).__module__ != "compiled_schemas.order"


def test_a_body_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        parse_new_order([1, 2])
    assert refused.value.message.startswith("body must be object")


@pytest.mark.parametrize("price", ["1.005", "0.001"])
def test_money_has_at_most_two_decimal_places(price):
    with pytest.raises(ValidationFailed) as refused:
        parse_new_order(parse_json(json.dumps(BODY).replace("8.5", price)))
    assert refused.value.field == "items[0].price"


def test_trailing_zeros_do_not_count_as_places():
    request = parse_new_order(parse_json(json.dumps(BODY).replace("8.5", "8.500")))
    assert request.items[0].price == Decimal("8.5")


@pytest.mark.parametrize(
    ("price", "kept"),
    [
        ("8.500", "8.50"),
        ("0E-500", "0.00"),
        ("1.1000000000000000000000000000000000000000000", "1.10"),
        ("7", "7.00"),
        ("1E+2", "100.00"),
    ],
)
def test_money_is_kept_to_the_cent_however_it_is_written(price, kept):
    # Given a price with no significant digit past the cent, written with odd exponents or
    # more digits than Decimal's 28-digit precision
    # When the order is parsed
    request = parse_new_order(parse_json(json.dumps(BODY).replace("8.5", price)))
    # Then the price kept is the same amount with exactly two decimal places
    assert str(request.items[0].price) == kept


@pytest.mark.parametrize(
    "price",
    [
        "1.0000000000000000000000000001",  # normalize() would round this to 1
        "1.00000000000000000000000000000000000000001",
        "0.0000000000000000000000000000000000000000000001",
    ],
)
def test_a_digit_past_the_cent_is_refused_however_far(price):
    with pytest.raises(ValidationFailed) as refused:
        parse_new_order(parse_json(json.dumps(BODY).replace("8.5", price)))
    assert refused.value.field == "items[0].price"


def test_an_amount_too_long_to_quantize_is_refused_not_a_crash():
    # Given an amount whose cents need more digits than Decimal's precision (the schema's
    # maximum stops this before; the check must not rely on that)
    # When it is checked
    with pytest.raises(ValidationFailed) as refused:
        _check_money(Decimal("123456789012345678901234567.5"), "items[0].price")
    # Then it is a validation error naming the field, not decimal.InvalidOperation
    assert refused.value.field == "items[0].price"


def test_payment_amounts_are_kept_to_the_cent_too():
    # Given a payment amount written with an absurd exponent
    raw = json.dumps({**BODY, "payments": [{"method": "card", "amount": "@"}]}).replace(
        '"@"', "0E-500"
    )
    # When it is parsed
    request = parse_new_order(parse_json(raw))
    # Then it is kept as 0.00
    assert str(request.payments[0].amount) == "0.00"


def test_an_update_with_a_status_and_a_version():
    update = parse_order_update({"status": "confirmed", "version": 3})
    assert (update.status, update.version, update.changes_contents) == (Status.CONFIRMED, 3, False)


def test_an_update_of_contents():
    update = parse_order_update(
        parse_json('{"items": [{"productId": "p", "quantity": 1, "price": 2.5}]}')
    )
    assert update.changes_contents
    assert update.items[0].price == Decimal("2.5")


@pytest.mark.parametrize("raw", [{}, {"version": 2}])
def test_an_update_that_changes_nothing_is_refused(raw):
    with pytest.raises(ValidationFailed):
        parse_order_update(raw)


def test_an_update_cannot_move_the_order_to_another_customer():
    with pytest.raises(ValidationFailed):
        parse_order_update({"customerId": "other", "status": "confirmed"})
