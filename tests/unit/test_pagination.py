"""The listing's limit and its opaque nextToken."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest

from orders.errors import InvalidRequest
from orders.pagination import (
    DEFAULT_LIMIT,
    PageStart,
    check_customer_id,
    decode_token,
    encode_token,
    parse_limit,
)

START = PageStart("customer-1", "7d7a1c8e-3c1b-4e8e-9f0a-2b6d5c4e3f21", 1_716_552_000_000)


def test_a_token_round_trips():
    # Given a page start
    # When it is encoded and decoded for the same customer
    token = encode_token(START)
    # Then it is the same start, and the token is URL-safe
    assert decode_token(token, "customer-1") == START
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_token_for_another_customer_is_refused():
    with pytest.raises(InvalidRequest) as refused:
        decode_token(encode_token(START), "customer-2")
    assert refused.value.field == "nextToken"


def test_every_single_character_edit_is_detected():
    # Given a valid token
    token = encode_token(START)
    # When any one character is changed
    for position in range(len(token)):
        replacement = "A" if token[position] != "A" else "B"
        edited = token[:position] + replacement + token[position + 1 :]
        # Then it is refused (or, at the very end, decodes to the same bytes)
        with contextlib.suppress(InvalidRequest):
            assert decode_token(edited, "customer-1") == START


def test_a_forged_payload_without_the_checksum_is_refused():
    payload = json.dumps({"c": "customer-1", "o": START.order_id, "t": 1, "v": 1}).encode()
    forged = base64.urlsafe_b64encode(b"\0" * 16 + payload).decode()
    with pytest.raises(InvalidRequest):
        decode_token(forged, "customer-1")


@pytest.mark.parametrize("token", ["", "x", "!!!!", "A" * 600, "ÿÿÿÿ"])
def test_garbage_tokens_are_refused(token):
    with pytest.raises(InvalidRequest):
        decode_token(token, "customer-1")


def test_a_token_with_a_bad_order_id_is_refused():
    with pytest.raises(InvalidRequest):
        decode_token(encode_token(PageStart("customer-1", "not-a-uuid", 1)), "customer-1")


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, DEFAULT_LIMIT), ("1", 1), ("100", 100), ("020", 20)]
)
def test_limits(raw, expected):
    assert parse_limit(raw) == expected


@pytest.mark.parametrize("raw", ["0", "101", "-5", "ten", "2.0", "", "1000"])
def test_bad_limits_are_refused(raw):
    with pytest.raises(InvalidRequest) as refused:
        parse_limit(raw)
    assert refused.value.field == "limit"


def test_customer_ids_follow_the_schema_pattern():
    assert check_customer_id("customer_1-A") == "customer_1-A"
    for bad in ["", "a b", "a/b", "x" * 65]:
        with pytest.raises(InvalidRequest):
            check_customer_id(bad)


def minted(customer_id="customer-1", order_id=START.order_id, timestamp=START.timestamp):
    """A token with a valid checksum, as anyone can mint one: the checksum key is no secret."""
    return encode_token(PageStart(customer_id, order_id, timestamp))


@pytest.mark.parametrize("timestamp", [10**40, 2**53, -1])
def test_a_minted_token_with_a_timestamp_out_of_range_is_refused(timestamp):
    # Given a token with a valid checksum whose timestamp DynamoDB would refuse (over 38
    # digits: ValidationException, a 500) or that no order can have
    token = minted(timestamp=timestamp)
    # When it is decoded
    # Then it is a 400 naming nextToken, before any query
    with pytest.raises(InvalidRequest) as refused:
        decode_token(token, "customer-1")
    assert refused.value.field == "nextToken"


def test_the_largest_timestamp_in_range_is_accepted():
    assert decode_token(minted(timestamp=2**53 - 1), "customer-1").timestamp == 2**53 - 1
    assert decode_token(minted(timestamp=0), "customer-1").timestamp == 0


@pytest.mark.parametrize("timestamp", [1.5, 1e3, "1716552000000", True, None])
def test_a_minted_token_with_a_timestamp_that_is_not_an_integer_is_refused(timestamp):
    with pytest.raises(InvalidRequest):
        decode_token(minted(timestamp=timestamp), "customer-1")


@pytest.mark.parametrize("customer_id", ["x" * 65, "a b", "", "ä"])
def test_a_minted_token_for_a_customer_id_the_schema_refuses_is_refused(customer_id):
    # Given a token minted for a customer id that breaks the schema's pattern or length, and
    # a listing asked for with that same id (decode_token does not rely on its caller's check)
    token = minted(customer_id=customer_id)
    # When it is decoded
    # Then it is refused
    with pytest.raises(InvalidRequest):
        decode_token(token, customer_id)


@pytest.mark.parametrize(
    "order_id",
    [
        "7D7A1C8E-3C1B-4E8E-9F0A-2B6D5C4E3F21",
        "{7d7a1c8e-3c1b-4e8e-9f0a-2b6d5c4e3f21}",
        "",
        "x" * 5000,
    ],
)
def test_a_minted_token_whose_order_id_is_not_a_uuid_is_refused(order_id):
    with pytest.raises(InvalidRequest):
        decode_token(minted(order_id=order_id), "customer-1")
