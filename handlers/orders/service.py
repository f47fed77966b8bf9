"""The use cases: place, update, get and list orders. Entry points call one method each."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger

from orders import rules
from orders.errors import (
    OrderAlreadyExists,
    OrderNotFound,
    RateLimited,
    StoreUnavailable,
    VersionConflict,
)
from orders.model import Order, is_order_id
from orders.pagination import check_customer_id, decode_token, encode_token
from orders.partners import Caller, identify
from orders.ports import ConfigSource, DeadLetters, IdempotencyGuard, OrderRepository
from orders.requests import NewOrder, OrderUpdate

logger = Logger(child=True)


class Outcome(StrEnum):
    CREATED = "created"  # stored in the table
    QUEUED = "queued"  # the table could not take it: it waits in the dead-letter queue


@dataclass(frozen=True)
class Placement:
    outcome: Outcome
    body: Mapping[str, Any]
    replayed: bool = False  # the answer of an earlier request with the same Idempotency-Key


def epoch_ms() -> int:
    return time.time_ns() // 1_000_000


def new_order_id() -> str:
    return str(uuid.uuid4())


class OrderService:
    def __init__(
        self,
        *,
        orders: OrderRepository,
        config: ConfigSource,
        dead_letters: DeadLetters | None = None,
        idempotency: IdempotencyGuard | None = None,
        clock: Callable[[], int] = epoch_ms,
        new_id: Callable[[], str] = new_order_id,
    ) -> None:
        self._orders = orders
        self._config = config
        self._dead_letters = dead_letters
        self._idempotency = idempotency
        self._clock = clock
        self._new_id = new_id

    # --- who is calling ----------------------------------------------------------------
    def identify(self, caller: Caller, *, scope: str) -> str:
        """The partner making the request (Forbidden if it is none, through the wrong key or
        without the scope); every use case below works on that partner's orders only."""
        return identify(caller, scope=scope, registry=self._config.partners())

    # --- POST /orders -------------------------------------------------------------------
    def place(
        self,
        partner: str,
        request: NewOrder,
        *,
        idempotency_key: str | None = None,
    ) -> Placement:
        """Store a new order (or queue it if the table is down); once per Idempotency-Key."""
        flags = self._config.feature_flags()
        rules.check_new_order_features(request, flags)
        # With a key, every attempt of the request names the same order: a retry after an
        # attempt that stored it and then died finds it, instead of storing a second one.
        order_id = (
            rules.order_id_for(partner, request.customer_id, idempotency_key)
            if idempotency_key is not None
            else self._new_id()
        )

        def operation() -> Mapping[str, Any]:
            return self._place(
                partner, request, flags, order_id, retried=idempotency_key is not None
            )

        if idempotency_key is None or self._idempotency is None:
            return _placement(operation(), replayed=False)
        guarded = self._idempotency.run(
            key=idempotency_key,
            # A key is one partner's customer's: another's same key is another request.
            scope=f"{partner}#{request.customer_id}",
            payload=request.body,
            operation=operation,
        )
        return _placement(guarded.result, replayed=guarded.replayed)

    def _place(
        self,
        partner: str,
        request: NewOrder,
        flags: rules.FeatureFlags,
        order_id: str,
        *,
        retried: bool,
    ) -> Mapping[str, Any]:
        """The placement as plain JSON data (an idempotent answer must be storable).

        retried: the id may be an earlier attempt's (it comes from an Idempotency-Key). The
        table's key is the id *and* the creation time, so a PutItem's condition cannot see an
        order of the same id stored at another time: look for it first. (Two attempts at once
        are kept apart by the idempotency record; only with its table down could both pass.)
        """
        if retried:
            stored = self._stored(partner, order_id)
            if stored is not None:
                return self._created(stored, flags)
        now = self._clock()
        self._enforce_rate_limit(partner, request.customer_id, now)
        order = rules.new_order(request, partner=partner, order_id=order_id, now_ms=now)
        try:
            self._orders.put_new(order)
        except OrderAlreadyExists:
            # The id is this request's own (a fresh uuid4, or the one its Idempotency-Key
            # names), so the stored order is too: an earlier attempt wrote it (a PutItem
            # retried after it landed, or a run cut short after its write). It is the order
            # created, as it was stored.
            logger.warning(
                "order found already stored by an earlier attempt of this request",
                extra={"orderId": order.order_id},
            )
            order = self._orders.get(partner, order.order_id) or order
        except StoreUnavailable as failure:
            if self._dead_letters is None:
                raise
            logger.warning(
                "orders table unavailable: queueing the order",
                extra={"orderId": order.order_id, "reason": failure.reason},
            )
            self._dead_letters.send(order, reason=failure.reason)
            body: dict[str, Any] = {"orderId": order.order_id, "status": Outcome.QUEUED.value}
            return {"outcome": Outcome.QUEUED.value, "body": body}
        return self._created(order, flags)

    def _stored(self, partner: str, order_id: str) -> Order | None:
        """The partner's order of that id if the table holds it; None if not, or if the table
        cannot say (the write that follows finds out, or the order goes to the dead-letter
        queue)."""
        try:
            return self._orders.get(partner, order_id)
        except StoreUnavailable:
            return None

    @staticmethod
    def _created(order: Order, flags: rules.FeatureFlags) -> Mapping[str, Any]:
        body = order.to_public()
        if flags.loyalty_program:
            body["loyaltyPoints"] = rules.loyalty_points(order.total)
        return {"outcome": Outcome.CREATED.value, "body": body}

    def _enforce_rate_limit(self, partner: str, customer_id: str, now: int) -> None:
        """429 past maxOrdersPerHour for the partner's customer (another partner's orders for
        a customer of the same id do not count). Fails open: a table outage must not block
        the DLQ path."""
        limit = self._config.api_config().max_orders_per_hour
        if limit <= 0:
            return
        since = now - rules.HOUR_MS
        try:
            count = self._orders.count_since(partner, customer_id, since, stop_at=limit)
            if not rules.rate_limit_exceeded(count, limit):
                return
            oldest = self._orders.oldest_since(partner, customer_id, since)
        except StoreUnavailable as failure:
            logger.warning(
                "rate limit not checked: orders table unavailable",
                extra={"customerId": customer_id, "reason": failure.reason},
            )
            return
        raise RateLimited(limit, rules.retry_after_seconds(oldest, now))

    # --- PUT /orders/{orderId} ---------------------------------------------------------
    def update(
        self, partner: str, order_id: str, update: OrderUpdate, *, if_match: int | None = None
    ) -> Order:
        """Apply a status change and/or new contents, with optimistic locking on `version`."""
        expected = rules.expected_version(update.version, if_match)
        # Read the flags only when the update uses what they gate: a status change must not
        # depend on SSM (feature-flags has no safe default to fall back on).
        if rules.update_uses_flagged_features(update):
            rules.check_update_features(update, self._config.feature_flags())
        current = self.get(partner, order_id)
        if expected is not None and expected != current.version:
            raise VersionConflict(
                f"order {order_id} is at version {current.version}, not {expected}",
                field="version",
            )
        updated = rules.apply_update(current, update, now_ms=self._clock())
        self._orders.replace(updated, expected_version=current.version)
        return updated

    # --- GET /orders/{orderId} ----------------------------------------------------------
    def get(self, partner: str, order_id: str) -> Order:
        """The partner's order; another partner's is OrderNotFound, as if it did not exist."""
        if not is_order_id(order_id):
            raise OrderNotFound(order_id)
        order = self._orders.get(partner, order_id)
        if order is None:
            raise OrderNotFound(order_id)
        return order

    # --- GET /orders/customer/{customerId} ----------------------------------------------
    def list_for_customer(
        self, partner: str, customer_id: str, *, limit: int, token: str | None
    ) -> tuple[tuple[Order, ...], str | None]:
        """The partner's orders for the customer, newest first, and the token of the next
        page (or None). Another partner's orders for a customer of that id are not listed."""
        check_customer_id(customer_id)
        start = decode_token(token, customer_id) if token is not None else None
        page = self._orders.list_for_customer(partner, customer_id, limit=limit, start=start)
        next_token = encode_token(page.next_start) if page.next_start is not None else None
        return page.orders, next_token


def _placement(result: Mapping[str, Any], *, replayed: bool) -> Placement:
    return Placement(outcome=Outcome(result["outcome"]), body=result["body"], replayed=replayed)
