"""Idempotency-Key on POST /orders, through Powertools Idempotency on its DynamoDB table.

The table has Powertools' default layout (key `id`, TTL attribute `expiration`). If the
table cannot be reached the order still goes through, without the guarantee (and a warning
in the log): an outage of DynamoDB must still reach the dead-letter path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from orders.errors import IdempotencyKeyReused, OrderError, RequestInProgress
from orders.ports import Guarded

logger = Logger(child=True)

KEY_PREFIX = "create-order"
EXPIRES_AFTER_SECONDS = 24 * 3600


@dataclass
class _Run:
    """What the guarded operation did in this invocation (nothing, if the answer was replayed)."""

    started: bool = False
    result: Mapping[str, Any] | None = None
    failure: OrderError | None = None


class PowertoolsIdempotency:
    """IdempotencyGuard: one answer per (Idempotency-Key, customer) for 24 hours."""

    def __init__(
        self,
        client: Callable[[], Any],
        table_name: str,
        *,
        expires_after_seconds: int = EXPIRES_AFTER_SECONDS,
        persistence_layer: Any = None,
        lambda_context: Callable[[], Any] = lambda: None,
    ) -> None:
        """persistence_layer: a Powertools BasePersistenceLayer to use instead of DynamoDB's.
        lambda_context: the current invocation's context (Powertools lets an in-progress record
        expire when that invocation times out); the entry point binds it, not the domain."""
        self._lambda_context = lambda_context
        self._client = client
        self.table_name = table_name
        self._expires_after = expires_after_seconds
        self._injected_layer = persistence_layer
        self._layer: Any = None
        self._config: Any = None

    def run(
        self,
        *,
        key: str,
        scope: str,
        payload: Mapping[str, Any],
        operation: Callable[[], Mapping[str, Any]],
    ) -> Guarded:
        from aws_lambda_powertools.utilities.idempotency import idempotent_function
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        run = _Run()

        def create_order(request: Mapping[str, Any]) -> Mapping[str, Any]:
            run.started = True
            try:
                run.result = operation()
            except OrderError as failure:
                run.failure = failure
                raise
            return run.result

        guarded = idempotent_function(
            create_order,
            data_keyword_argument="request",
            persistence_store=self._persistence_layer(),
            config=self._idempotency_config(self._lambda_context()),
            key_prefix=KEY_PREFIX,
        )
        try:
            result = guarded(request={"idempotencyKey": key, "scope": scope, "payload": payload})
        except IdempotencyAlreadyInProgressError as error:
            raise RequestInProgress(
                "a request with this Idempotency-Key is in progress; retry shortly"
            ) from error
        except IdempotencyValidationError as error:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was used with a different order", field="Idempotency-Key"
            ) from error
        except IdempotencyPersistenceLayerError as error:
            return self._without_store(run, operation, error)
        return Guarded(result=result, replayed=not run.started)

    def _without_store(
        self, run: _Run, operation: Callable[[], Mapping[str, Any]], error: Exception
    ) -> Guarded:
        """The idempotency table failed: answer as if there were no Idempotency-Key."""
        logger.warning(
            "idempotency table unavailable: proceeding without idempotency",
            extra={"table": self.table_name, "reason": repr(error.__cause__ or error)},
        )
        if not run.started:  # failed before the operation: run it unguarded
            return Guarded(result=operation(), replayed=False)
        if run.result is not None:  # the order was placed; only its record is missing
            return Guarded(result=run.result, replayed=False)
        if run.failure is not None:  # the operation's own error, not the table's
            raise run.failure
        raise error

    def _persistence_layer(self) -> Any:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        if self._injected_layer is not None:
            return self._injected_layer
        client = self._client()
        if self._layer is None or self._layer.client is not client:
            self._layer = DynamoDBPersistenceLayer(table_name=self.table_name, boto3_client=client)
        return self._layer

    def _idempotency_config(self, lambda_context: Any) -> Any:
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

        if self._config is None:
            self._config = IdempotencyConfig(
                event_key_jmespath="[idempotencyKey, scope]",
                payload_validation_jmespath="payload",
                raise_on_no_idempotency_key=True,
                expires_after_seconds=self._expires_after,
            )
        # Lets Powertools expire an in-progress record when the invocation times out.
        if hasattr(lambda_context, "get_remaining_time_in_millis"):
            self._config.register_lambda_context(lambda_context)
        return self._config
