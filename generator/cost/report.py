"""An estimate (estimate.py) as a plain-text table for people, or as JSON-ready
data for machines (money and quantities as strings: they are Decimals)."""

from __future__ import annotations

import re
import textwrap
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from generator.cost.estimate import Estimate
from generator.cost.line_items import LineItem, PartnerCost
from generator.cost.prices import MILLION, ONE, PRICE_REGION, PRICES_AS_OF, US_EAST_1, Price
from generator.cost.units import whole

WIDTH = 96
HEADINGS = ("service", "item", "a month", "price (USD)", "USD")
MACHINE_PLACES = Decimal("0.000001")
# textwrap breaks at ASCII whitespace only: a no-break space holds a route together.
NO_BREAK = "\N{NO-BREAK SPACE}"
ROUTE_SPACE = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) (?=/)")


def to_text(estimate: Estimate) -> str:
    lines = [*_wrapped(_title(estimate)), ""]
    lines += _table(estimate)
    lines += ["", *_wrapped(_comparison(estimate))]
    if estimate.partner is not None:
        lines += ["", *_wrapped(_partner(estimate.partner))]
    if estimate.notes:
        lines += ["", "Notes:", *_bullets(estimate.notes)]
    lines += ["", "Assumptions:", *_bullets(estimate.assumptions)]
    lines += ["", f"Prices ({PRICE_REGION}, as of {PRICES_AS_OF}):", *_bullets(US_EAST_1.sources)]
    return "\n".join(lines) + "\n"


def to_data(estimate: Estimate) -> dict[str, Any]:
    table = estimate.orders_table
    return {
        "stack": _stack(estimate),
        "environment": estimate.environment,
        "orders_per_day": estimate.orders_per_day,
        "requests_per_day": _machine(estimate.requests_per_day),
        "region": estimate.region,
        "prices": {
            "region": PRICE_REGION,
            "as_of": PRICES_AS_OF,
            "currency": "USD",
            "sources": list(US_EAST_1.sources),
        },
        "items": [_item_data(line) for line in estimate.items],
        "total_usd": str(estimate.total_usd),
        "orders_table": None
        if table is None
        else {
            "table": table.table,
            "billing_in_template": "on-demand" if table.on_demand_in_template else "provisioned",
            "capacity": table.capacity,
            "provisioned_usd": None
            if table.provisioned_usd is None
            else str(table.provisioned_usd),
            "on_demand_usd": str(table.on_demand_usd),
        },
        "partner": None
        if estimate.partner is None
        else {
            "requests_per_day": estimate.partner.requests_per_day,
            "token_minutes": estimate.partner.token_minutes,
            "tokens_reused": [_item_data(line) for line in estimate.partner.reused],
            "tokens_reused_usd": str(estimate.partner.reused_usd),
            "token_per_request": [_item_data(line) for line in estimate.partner.per_request],
            "token_per_request_usd": str(estimate.partner.per_request_usd),
        },
        "notes": list(estimate.notes),
        "assumptions": list(estimate.assumptions),
    }


def _item_data(line: LineItem) -> dict[str, str]:
    return {
        "service": line.service,
        "item": line.item,
        "quantity": _machine(line.quantity),
        "unit": line.price.unit,
        "unit_price_usd": str(line.price.usd),
        "per": str(line.price.per),
        "usd": str(line.usd),
    }


def _stack(estimate: Estimate) -> str:
    return f"food-delivery-{estimate.environment}"


def _title(estimate: Estimate) -> str:
    return (
        f"{_stack(estimate)} at {estimate.orders_per_day:,} orders a day "
        f"({whole(estimate.requests_per_day)} API requests a day): monthly estimate in USD, "
        f"{PRICE_REGION} prices of {PRICES_AS_OF}"
    )


def _table(estimate: Estimate) -> list[str]:
    rows = [
        (line.service, line.item, _amount(line), _price(line.price), str(line.usd))
        for line in estimate.items
    ]
    widths = [max(len(row[column]) for row in [HEADINGS, *rows]) for column in range(5)]

    def line(cells: tuple[str, ...]) -> str:
        left = [cell.ljust(width) for cell, width in zip(cells[:2], widths[:2], strict=True)]
        right = [cell.rjust(width) for cell, width in zip(cells[2:], widths[2:], strict=True)]
        return "  ".join([*left, *right]).rstrip()

    rule = "-" * len(line(HEADINGS))
    total = ("total", "", "", "", str(estimate.total_usd))
    return [line(HEADINGS), rule, *(line(row) for row in rows), rule, line(total)]


def _partner(partner: PartnerCost) -> str:
    reused, per_request = partner.reused[-1], partner.per_request[-1]
    return (
        f"One partner at its usage plan's quota ({partner.requests_per_day:,} requests a "
        f"day) costs, for its app client and tokens: {partner.reused_usd} USD a month when it "
        f"reuses each token for its {partner.token_minutes} minutes "
        f"({_amount(reused)}); {partner.per_request_usd} USD when it asks for a token for "
        f"every request ({_amount(per_request)})."
    )


def _comparison(estimate: Estimate) -> str:
    table = estimate.orders_table
    if table is None:
        return "The template has no orders table."
    if table.provisioned_usd is None:
        return (
            f"{table.table} is on-demand in this template: {table.on_demand_usd} USD a month "
            "at this workload (the template provisions no capacity to compare with)."
        )
    return (
        f"{table.table} provisioned as in the template ({table.capacity}): "
        f"{table.provisioned_usd} USD a month at this workload; on-demand: "
        f"{table.on_demand_usd} USD a month."
    )


def _bullets(texts: tuple[str, ...]) -> list[str]:
    return [line for text in texts for line in _wrapped(text, indent="  - ")]


def _wrapped(text: str, *, indent: str = "") -> list[str]:
    """Lines of at most WIDTH that never split a route (`GET /orders/{orderId}`)."""
    kept = ROUTE_SPACE.sub(lambda match: match[1] + NO_BREAK, text)
    lines = textwrap.wrap(
        kept,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=" " * len(indent),
        break_on_hyphens=False,
    )
    return [line.replace(NO_BREAK, " ") for line in lines]


def _amount(line: LineItem) -> str:
    return f"{_quantity(line.quantity)} {line.price.unit}"


def _price(price: Price) -> str:
    """`3.50 / 1M`, `0.03 / 10,000`, `0.0000166667`: the unit is beside the quantity."""
    if price.per == ONE:
        return str(price.usd)
    if price.per >= MILLION:
        return f"{price.usd} / {price.per / MILLION:f}M"
    return f"{price.usd} / {price.per:,}"


def _quantity(value: Decimal) -> str:
    """Whole above 100, two decimals above 1, two significant digits below."""
    if value == value.to_integral_value() or value >= 100:
        return whole(value)
    if value >= 1:
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    places = Decimal(1).scaleb(value.adjusted() - 1)
    return f"{value.quantize(places, rounding=ROUND_HALF_UP):f}"


def _machine(value: Decimal) -> str:
    return f"{value.quantize(MACHINE_PLACES, rounding=ROUND_HALF_UP).normalize():f}"
