"""The customer listing's `limit` and its opaque `nextToken`.

A token is base64url(checksum + JSON of where the next page starts, and for which customer).
The checksum is an integrity check, not authenticity: it is keyed with a constant, not a
secret, so it catches edited or truncated tokens, but anyone can mint a token that passes it.
So every field is also checked against what a real page start can hold (a customer id of the
schema's pattern, a UUID order id, a timestamp in epoch milliseconds below 2**53); a token
that fails is a 400, never a number DynamoDB refuses (over 38 digits: ValidationException, a
500). A token grants nothing: it only moves the start within the one customer's listing,
which the same request may read anyway.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from orders.errors import InvalidRequest
from orders.model import is_order_id

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_TOKEN_VERSION = 1
_CHECKSUM_KEY = b"food-delivery/nextToken/v1"
_CHECKSUM_SIZE = 16
_MAX_TOKEN_LENGTH = 512
_LIMIT = re.compile(r"[0-9]{1,3}")
# The customer id pattern of order.json: what a customer listing's path may carry.
CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Timestamps are epoch milliseconds (about 1.7e12 now): integers below 2**53 are far beyond
# any real one, exact as JSON numbers in every client, and well inside DynamoDB's 38 digits.
MAX_TIMESTAMP = 2**53 - 1


@dataclass(frozen=True)
class PageStart:
    """Where a page starts: the last order of the previous page (the index's full key)."""

    customer_id: str
    order_id: str
    timestamp: int


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not _LIMIT.fullmatch(raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be an integer from 1 to {MAX_LIMIT}", field="limit")
    return int(raw)


def check_customer_id(customer_id: str) -> str:
    if not CUSTOMER_ID.fullmatch(customer_id):
        raise InvalidRequest(
            "customerId must be 1 to 64 letters, digits, '-' or '_'", field="customerId"
        )
    return customer_id


def encode_token(start: PageStart) -> str:
    payload = json.dumps(
        {"c": start.customer_id, "o": start.order_id, "t": start.timestamp, "v": _TOKEN_VERSION},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    raw = _checksum(payload) + payload
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_token(token: str, customer_id: str) -> PageStart:
    """The page start in token; InvalidRequest if it is damaged, minted for another customer,
    or holds a start no real page can have (see the module docstring)."""
    invalid = InvalidRequest("nextToken is not valid for this listing", field="nextToken")
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise invalid from None
    checksum, payload = raw[:_CHECKSUM_SIZE], raw[_CHECKSUM_SIZE:]
    if not hmac.compare_digest(checksum, _checksum(payload)):
        raise invalid
    try:
        fields = json.loads(payload)
        start = PageStart(customer_id=fields["c"], order_id=fields["o"], timestamp=fields["t"])
        version = fields["v"]
    except (ValueError, KeyError, TypeError):
        raise invalid from None
    if (
        version != _TOKEN_VERSION
        or not isinstance(start.customer_id, str)
        or not CUSTOMER_ID.fullmatch(start.customer_id)
        or start.customer_id != customer_id
        or not isinstance(start.order_id, str)
        or not is_order_id(start.order_id)
        or isinstance(start.timestamp, bool)
        or not isinstance(start.timestamp, int)
        or not 0 <= start.timestamp <= MAX_TIMESTAMP
    ):
        raise invalid
    return start


def _checksum(payload: bytes) -> bytes:
    return hmac.new(_CHECKSUM_KEY, payload, hashlib.sha256).digest()[:_CHECKSUM_SIZE]
