"""The listing's limit and its opaque nextToken."""

from __future__ import annotations

import base64
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
        try:
            assert decode_token(edited, "customer-1") == START
        except InvalidRequest:
            pass


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


@pytest.mark.parametrize("raw, expected", [(None, DEFAULT_LIMIT), ("1", 1), ("100", 100), ("020", 20)])
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
