"""A monthly cost estimate of one facts, from its rendered template: `python -m generator cost`.

What the stack *is* comes from the template (template_facts.py reads it): memory sizes, the
routes and the function behind each, the orders table's billing mode, capacity and
auto-scaling, point-in-time recovery, log retention, the alarms and their metrics, the
dashboard, the web ACL and its rules, keys, parameter tiers, tracing, detailed metrics. What
the stack *does* is declared with each route (stack/api_contract.py) or assumed
(assumptions.py), and printed with every estimate. Prices are prices.py's.

Money is Decimal throughout; each line is rounded to the cent once and the total is the sum
of the rounded lines, so a printed table adds up. The cents are arithmetic, not precision:
the assumptions move the total far more.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from generator.cost import line_items
from generator.cost.assumptions import ASSUMPTIONS, Assumptions, describe
from generator.cost.line_items import LineItem, PartnerCost, TableBilling, partner_cost, total
from generator.cost.prices import PRICE_REGION, US_EAST_1, Prices
from generator.cost.template_facts import TemplateFacts
from generator.cost.units import SECONDS_A_DAY, whole
from generator.cost.workload import Demand, Load
from generator.stack.function_specs import Resource


@dataclass(frozen=True)
class Estimate:
    environment: str
    orders_per_day: int
    region: str
    requests_per_day: Decimal
    items: tuple[LineItem, ...]
    orders_table: TableBilling | None
    assumptions: tuple[str, ...]
    notes: tuple[str, ...]
    partner: PartnerCost | None = None

    @property
    def total_usd(self) -> Decimal:
        return total(self.items)


def estimate(
    template: Mapping[str, Any],
    *,
    environment: str,
    orders_per_day: int,
    region: str = PRICE_REGION,
    assumptions: Assumptions = ASSUMPTIONS,
    prices: Prices = US_EAST_1,
) -> Estimate:
    facts = TemplateFacts(template)
    load = Load.of(facts, assumptions, orders_per_day)
    demand = Demand.of(load, assumptions, indexes=facts.index_count(Resource.ORDERS_TABLE))
    orders_table = line_items.orders_table(facts, demand, prices)
    return Estimate(
        environment=environment,
        orders_per_day=orders_per_day,
        region=region,
        requests_per_day=load.requests_per_day(),
        items=line_items.monthly(
            facts, load, demand, orders_table=orders_table, assumptions=assumptions, prices=prices
        ),
        orders_table=orders_table,
        assumptions=describe(assumptions, load.uses),
        notes=tuple(_notes(facts, load, demand, region)),
        partner=partner_cost(facts, prices),
    )


def _notes(facts: TemplateFacts, load: Load, demand: Demand, region: str) -> Iterator[str]:
    if region != PRICE_REGION:
        yield (
            f"these are {PRICE_REGION} prices: {region} has its own (most regions cost more); "
            "see the pricing pages"
        )
    per_day = load.requests_per_day()
    for plan in facts.of_type("AWS::ApiGateway::UsagePlan").values():
        quota = plan.get("Quota", {})
        limit = int(quota.get("Limit", 0))
        if quota.get("Period") == "DAY" and 0 < limit < per_day:
            yield (
                f"{whole(per_day)} requests a day exceed the usage plan's quota of "
                f"{whole(Decimal(limit))} a day per API key: they need "
                f"{math.ceil(per_day / limit)} keys (partners) at least"
            )
    rate = facts.stage_setting("ThrottlingRateLimit")
    if rate is not None and per_day / SECONDS_A_DAY > Decimal(str(rate)):
        yield (
            f"{whole(per_day / SECONDS_A_DAY)} requests a second on average exceed the "
            f"stage's throttle of {rate} a second"
        )
    table = facts.named_by_functions(Resource.ORDERS_TABLE)
    throughputs = facts.throughputs(table) if table else {}
    for dimension, throughput in throughputs.items():
        if throughput.throttles(demand.per_second(dimension)):
            yield (
                f"{table} {dimension}s would be throttled: demand is above the most it can "
                "provision"
            )
    if load.unassumed_routes:
        yield "no requests assumed for " + ", ".join(load.unassumed_routes)
