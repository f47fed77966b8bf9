"""What the Idempotency-Key guard does when its store fails at each point of a request.

The store here is a Powertools persistence layer kept in memory (Powertools' documented
extension point), made to fail where a test says; it stands for no AWS API.
"""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyItemAlreadyExistsError
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

from orders.errors import IdempotencyKeyReused, RateLimited
from store.idempotency import PowertoolsIdempotency


class StoreDown(Exception):
    pass


class MemoryLayer(BasePersistenceLayer):
    def __init__(self, fail_on: set[str] | None = None):
        super().__init__()
        self.records: dict = {}
        self.fail_on = fail_on or set()

    def _check(self, operation):
        if operation in self.fail_on:
            raise StoreDown(operation)

    def _get_record(self, idempotency_key):
        self._check("get")
        return self.records[idempotency_key]

    def _put_record(self, data_record):
        self._check("put")
        old = self.records.get(data_record.idempotency_key)
        if old is not None:
            self._validate_payload(
                data_payload=data_record, stored_data_record=old
            )  # as DynamoDB's does
            raise IdempotencyItemAlreadyExistsError(old_data_record=old)
        self.records[data_record.idempotency_key] = data_record

    def _update_record(self, data_record):
        self._check("update")
        self.records[data_record.idempotency_key] = data_record

    def _delete_record(self, data_record):
        self._check("delete")
        self.records.pop(data_record.idempotency_key, None)


class Counter:
    """An operation that places numbered orders."""

    def __init__(self, error: Exception | None = None):
        self.calls = 0
        self.error = error

    def __call__(self):
        self.calls += 1
        if self.error is not None:
            raise self.error
        return {"outcome": "created", "body": {"orderId": f"order-{self.calls}"}}


class LambdaContext:
    def get_remaining_time_in_millis(self):
        return 30_000


def run(guard, operation, payload=None):
    return guard.run(
        key="k",
        scope="customer-1",
        payload=payload or {"a": 1},
        operation=operation,
    )


def guard(layer):
    return PowertoolsIdempotency(
        lambda: None, "unused", persistence_layer=layer, lambda_context=LambdaContext
    )


def test_a_repeat_gets_the_first_answer_without_running_again():
    # Given a working store
    g, operation = guard(MemoryLayer()), Counter()
    # When the same key runs twice
    first, second = run(g, operation), run(g, operation)
    # Then the operation ran once and the repeat is a replay of its answer
    assert operation.calls == 1
    assert (first.replayed, second.replayed) == (False, True)
    assert second.result == first.result


def test_store_down_before_the_operation_runs_it_unguarded():
    # Given a store that cannot record the in-progress request
    g, operation = guard(MemoryLayer(fail_on={"put"})), Counter()
    # When a request comes
    result = run(g, operation)
    # Then the order is still placed, once
    assert operation.calls == 1
    assert result.result["body"]["orderId"] == "order-1"


def test_store_down_after_the_operation_keeps_its_answer_and_does_not_run_it_twice():
    # Given a store that fails to record the answer (after the order was placed)
    g, operation = guard(MemoryLayer(fail_on={"update"})), Counter()
    # When a request comes
    result = run(g, operation)
    # Then the placed order's answer comes back and the operation is not repeated
    assert operation.calls == 1
    assert result.result["body"]["orderId"] == "order-1"


def test_a_domain_error_survives_a_store_that_cannot_clean_up():
    # Given an operation refused (429) and a store that cannot delete the in-progress record
    g = guard(MemoryLayer(fail_on={"delete"}))
    operation = Counter(error=RateLimited(1, 30))
    # When a request comes
    # Then the client gets the 429, not a store error, and the operation ran once
    with pytest.raises(RateLimited):
        run(g, operation)
    assert operation.calls == 1


def test_the_same_key_with_another_payload_is_refused():
    g = guard(MemoryLayer())
    run(g, Counter(), payload={"a": 1})
    with pytest.raises(IdempotencyKeyReused):
        run(g, Counter(), payload={"a": 2})
