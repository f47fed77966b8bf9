"""The workload: the template's routes at a number of orders a day, and what that asks of
DynamoDB (request units a day, by dimension)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from generator.cost.assumptions import Assumptions
from generator.cost.template_facts import DIMENSIONS, TemplateFacts
from generator.cost.units import READ_UNIT_BYTES, SECONDS_A_DAY, WRITE_UNIT_BYTES, ZERO
from generator.stack.api_contract import Traffic


@dataclass(frozen=True)
class Load:
    """The template's routes with what an order asks of each (in the assumptions' order)."""

    orders_per_day: Decimal
    routes: Mapping[str, tuple[str, Traffic]]  # route -> (its function, its use)
    unassumed_routes: tuple[str, ...]

    @property
    def uses(self) -> dict[str, Traffic]:
        """What an order asks of each route, by route."""
        return {route: use for route, (_, use) in self.routes.items()}

    @classmethod
    def of(cls, facts: TemplateFacts, assumptions: Assumptions, orders_per_day: int) -> Load:
        functions = facts.routes()
        return cls(
            orders_per_day=Decimal(orders_per_day),
            routes={
                route: (functions[route], use)
                for route, use in assumptions.routes.items()
                if route in functions
            },
            unassumed_routes=tuple(sorted(set(functions) - set(assumptions.routes))),
        )

    def per_day(self, use: Traffic) -> Decimal:
        return self.orders_per_day * use.per_order

    def requests_per_day(self, function: str | None = None) -> Decimal:
        return sum(
            (self.per_day(use) for name, use in self.routes.values() if function in (None, name)),
            ZERO,
        )

    def seconds_per_day(self, function: str) -> Decimal:
        return sum(
            (
                self.per_day(use) * use.duration_ms / 1000
                for name, use in self.routes.values()
                if name == function
            ),
            ZERO,
        )

    @property
    def methods_with_traffic(self) -> int:
        return sum(1 for _, use in self.routes.values() if self.per_day(use) > 0)


@dataclass(frozen=True)
class Demand:
    """DynamoDB request units a day: the orders table's dimensions, and idempotency writes."""

    units: Mapping[str, Decimal]  # by template_facts.DIMENSIONS
    idempotency_writes: Decimal
    idempotency_records: Decimal  # kept a day (TTL)

    @classmethod
    def of(cls, load: Load, assumptions: Assumptions, *, indexes: int) -> Demand:
        """indexes: the orders table's global secondary indexes. Each one gets every write;
        the first gets the index queries (with none, they would read the table)."""
        item = assumptions.order_item_bytes
        write = Decimal(math.ceil(item / WRITE_UNIT_BYTES))
        strong_read = Decimal(math.ceil(item / READ_UNIT_BYTES))
        units = dict.fromkeys(DIMENSIONS, ZERO)
        idempotency_writes = idempotency_records = ZERO
        queried = "index read" if indexes else "table read"
        for _, use in load.routes.values():
            requests = load.per_day(use)
            # Eventually consistent: half a unit per 4 KB the query reads.
            query_units = sum(
                (Decimal(math.ceil(n * item / READ_UNIT_BYTES)) / 2 for n in use.index_queries),
                ZERO,
            )
            units["table read"] += requests * use.orders_read * strong_read
            units[queried] += requests * query_units
            units["table write"] += requests * use.orders_written * write
            units["index write"] += requests * use.orders_written * write * indexes
            idempotency_writes += requests * use.idempotency_writes * write
            idempotency_records += requests if use.idempotency_writes else ZERO
        return cls(units, idempotency_writes, idempotency_records)

    def per_second(self, dimension: str) -> Decimal:
        return self.units[dimension] / SECONDS_A_DAY

    def reads(self) -> Decimal:
        return self.units["table read"] + self.units["index read"]

    def writes(self) -> Decimal:
        return self.units["table write"] + self.units["index write"]
