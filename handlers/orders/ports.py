"""What the use cases need from the outside world. `store/` implements these with boto3."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from orders.model import Order
from orders.pagination import PageStart
from orders.partners import PartnerRegistry
from orders.rules import ApiConfig, FeatureFlags


@dataclass(frozen=True)
class Page:
    orders: tuple[Order, ...]
    # Where the next page starts, or None when there is none.
    next_start: PageStart | None


class OrderRepository(Protocol):
    """Every read and write is one partner's: another partner's orders are not there for it
    (the adapter keeps them apart in its keys, not by filtering what it read)."""

    def put_new(self, order: Order) -> None:
        """Store a new order of order.partner; OrderAlreadyExists if its id is taken;
        StoreUnavailable on outage."""

    def get(self, partner: str, order_id: str) -> Order | None: ...

    def replace(self, order: Order, *, expected_version: int) -> None:
        """Write order if the partner's stored one still has expected_version, else
        VersionConflict."""

    def list_for_customer(
        self, partner: str, customer_id: str, *, limit: int, start: PageStart | None
    ) -> Page: ...

    def count_since(self, partner: str, customer_id: str, since_ms: int, *, stop_at: int) -> int:
        """The partner's orders for the customer created after since_ms (counting may stop at
        stop_at)."""

    def oldest_since(self, partner: str, customer_id: str, since_ms: int) -> int | None:
        """Creation time of the partner's oldest order for the customer after since_ms."""


class DeadLetters(Protocol):
    def send(self, order: Order, *, reason: str) -> None:
        """Queue an order the table could not take; DeadLetterUnavailable if that fails too."""


class ConfigSource(Protocol):
    def api_config(self) -> ApiConfig: ...

    def feature_flags(self) -> FeatureFlags: ...

    def partners(self) -> PartnerRegistry: ...


@dataclass(frozen=True)
class Guarded:
    """What an idempotent operation answered, and whether it was a replay of a stored answer."""

    result: Mapping[str, Any]
    replayed: bool


class IdempotencyGuard(Protocol):
    def run(
        self,
        *,
        key: str,
        scope: str,
        payload: Mapping[str, Any],
        operation: Callable[[], Mapping[str, Any]],
    ) -> Guarded:
        """Run operation once per (key, scope); a repeat returns the first result."""
