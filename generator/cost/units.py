"""The units of the estimate: a month, a day, a gigabyte, DynamoDB's request units, and how
numbers are printed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HOURS_A_MONTH = Decimal(730)  # the month of AWS's pricing pages
SECONDS_A_DAY = Decimal(86_400)
GB = Decimal(1024**3)
CENT = Decimal("0.01")
ZERO = Decimal(0)
# DynamoDB counts 100 bytes of overhead per item in storage, in the table and in an index.
ITEM_OVERHEAD_BYTES = 100
WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096


def a_month(per_day: Decimal) -> Decimal:
    return per_day * HOURS_A_MONTH / 24


def plain(value: Decimal) -> str:
    """5, 0.5, 70: a Decimal without exponent or trailing zeros."""
    return f"{value.normalize():f}"


def whole(value: Decimal) -> str:
    """12,345: rounded half up, with thousands separators."""
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
