"""Optimistic locking under real concurrency: separate processes, as separate Lambda environments.

(One Lambda environment never runs two invocations at once, and Powertools' resolver is not
thread-safe, so the concurrent writers are processes, not threads.)
"""

from __future__ import annotations

import multiprocessing
import uuid

import pytest

from orders import rules
from orders.errors import VersionConflict
from orders.model import Status
from orders.requests import OrderUpdate
from store.orders_table import OrdersTable
from tests.integration import concurrent_worker
from tests.support.api import A, put_event

WRITERS = 10


def test_concurrent_updates_from_the_same_version_have_exactly_one_winner(
    stack, created, monkeypatch, atomic_dynamodb_endpoint
):
    # Given a pending order at version 1, and ten writers that all read version 1, whose
    # DynamoDB applies each conditional write atomically (see atomic_dynamodb_endpoint)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WRITERS)
    results = context.Queue()
    event = put_event(created["orderId"], {"status": "confirmed", "version": 1})
    warm_up = put_event(str(uuid.uuid4()), {"status": "confirmed"})
    with monkeypatch.context() as environment:
        environment.setenv("AWS_ENDPOINT_URL_DYNAMODB", atomic_dynamodb_endpoint)
        writers = [
            context.Process(
                target=concurrent_worker.put_after_barrier,
                args=(warm_up, event, barrier, results),
            )
            for _ in range(WRITERS)
        ]
        # When they all update it at once
        for writer in writers:
            writer.start()
        statuses = sorted(results.get(timeout=120) for _ in writers)
        for writer in writers:
            writer.join(timeout=60)
    # Then exactly one wins and the others get 409
    assert statuses == [200] + [409] * (WRITERS - 1)
    assert all(writer.exitcode == 0 for writer in writers)
    # And the order moved exactly one version
    reply = stack.get(created["orderId"])
    assert (reply.body["status"], reply.body["version"]) == ("confirmed", 2)


def test_a_lost_race_is_a_409_even_when_the_stale_check_passed(stack, created):
    # Given two writers that both read version 1 (the table adapter, on an injected client)
    table = OrdersTable(lambda: stack.dynamodb, stack.orders_table)
    current = table.get(A, created["orderId"])
    first = rules.apply_update(
        current, OrderUpdate(status=Status.CONFIRMED), now_ms=current.timestamp + 1
    )
    second = rules.apply_update(
        current, OrderUpdate(status=Status.CANCELLED), now_ms=current.timestamp + 2
    )
    # When both write, each conditionally on version 1
    table.replace(first, expected_version=1)
    # Then the second loses on DynamoDB's condition, not on a read
    with pytest.raises(VersionConflict):
        table.replace(second, expected_version=1)
    assert stack.get(created["orderId"]).body["status"] == "confirmed"


class ResentOnce:
    """A DynamoDB client whose PutItem is sent twice, as botocore resends a request whose
    response timed out after DynamoDB had applied it: the second send meets the first's write."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    def put_item(self, **request):
        self._client.put_item(**request)
        return self._client.put_item(**request)


def test_an_update_whose_first_attempt_landed_is_not_a_conflict(stack, created):
    # Given a table adapter whose PutItem is resent after it landed
    resent = ResentOnce(stack.dynamodb)
    table = OrdersTable(lambda: resent, stack.orders_table)
    current = table.get(A, created["orderId"])
    update = rules.apply_update(
        current, OrderUpdate(status=Status.CONFIRMED), now_ms=current.timestamp + 1
    )
    # When the update is written from version 1
    table.replace(update, expected_version=1)
    # Then it succeeded (the resend met this very write, not another writer's)
    assert table.get(A, created["orderId"]) == update
    # And another writer from version 1 still loses
    other = rules.apply_update(
        current, OrderUpdate(status=Status.CANCELLED), now_ms=current.timestamp + 2
    )
    with pytest.raises(VersionConflict):
        OrdersTable(lambda: stack.dynamodb, stack.orders_table).replace(other, expected_version=1)
    # And the id of the write is never part of the order's JSON
    assert "writeId" not in stack.get(created["orderId"]).body
