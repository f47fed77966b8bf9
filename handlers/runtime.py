"""Wiring: the domain's OrderService on the store's AWS adapters, built from a function's settings.

Built on the first request and reused while the settings stay the same (on Lambda, for the
life of the execution environment). Nothing here runs at import.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from orders.service import OrderService
from store.clients import AwsClients
from store.config import ParameterConfig
from store.orders_table import OrdersTable

# The Python this code and the wheels bundled with it are for: the Lambda runtime the template
# must name (a contract test compares the two).
PYTHON_VERSION = "3.13"

# The Lambda context of the invocation in progress: only the store's adapters need it.
_invocation: ContextVar[Any] = ContextVar("lambda_context", default=None)


def bind_invocation(lambda_context: Any) -> None:
    """Called by an entry point as an invocation starts."""
    _invocation.set(lambda_context)


class MissingEnvironment(RuntimeError):
    """The function's environment lacks variables its code reads (a deployment error)."""


@dataclass(frozen=True)
class ServiceSettings:
    orders_table: str
    api_config_parameter: str
    partner_registry_parameter: str
    feature_flags_parameter: str | None = None
    idempotency_table: str | None = None
    dead_letter_queue_url: str | None = None


# The environment variable that carries each setting (the template sets them by these names).
VARIABLES: Mapping[str, str] = {
    "orders_table": "ORDERS_TABLE_NAME",
    "api_config_parameter": "API_CONFIG_PARAMETER",
    "feature_flags_parameter": "FEATURE_FLAGS_PARAMETER",
    "partner_registry_parameter": "PARTNER_REGISTRY_PARAMETER",
    "idempotency_table": "IDEMPOTENCY_TABLE_NAME",
    "dead_letter_queue_url": "DLQ_URL",
}


def read_settings(environ: Mapping[str, str], variables: Iterable[str]) -> ServiceSettings:
    """The settings carried by exactly these variables of environ (MissingEnvironment if any
    is absent); a setting whose variable is not among them is None."""
    present = require_environment(environ, variables)
    setting_of = {variable: setting for setting, variable in VARIABLES.items()}
    return ServiceSettings(**{setting_of[name]: value for name, value in present.items()})


def require_environment(environ: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """Exactly these variables from environ; MissingEnvironment names any that are absent."""
    names = tuple(names)
    missing = [name for name in names if not environ.get(name)]
    if missing:
        raise MissingEnvironment(f"environment variables not set: {', '.join(missing)}")
    return {name: environ[name] for name in names}


@functools.lru_cache(maxsize=8)
def order_service(settings: ServiceSettings) -> OrderService:
    return build_order_service(settings, AwsClients())


def build_order_service(settings: ServiceSettings, clients: AwsClients) -> OrderService:
    """The service on these clients (tests pass `AwsClients(prebuilt=...)` to inject)."""
    config = ParameterConfig(
        clients,
        api_config_name=settings.api_config_parameter,
        feature_flags_name=settings.feature_flags_parameter,
        partner_registry_name=settings.partner_registry_parameter,
    )

    def client_for(service: str) -> Callable[[], Any]:
        # api-config's timeout and retries shape the data clients; it is cached for 5 minutes.
        def client() -> Any:
            api_config = config.api_config()
            return clients.get(
                service,
                timeout_ms=api_config.default_timeout_ms,
                retry_attempts=api_config.retry_attempts,
            )

        return client

    # Imported only by a function that has them (query_orders has neither): a cold start
    # loads no module it does not use.
    if settings.dead_letter_queue_url:
        from store.dead_letters import DeadLetterQueue
    if settings.idempotency_table:
        from store.idempotency import PowertoolsIdempotency

    dynamodb = client_for("dynamodb")
    return OrderService(
        orders=OrdersTable(dynamodb, settings.orders_table),
        config=config,
        dead_letters=(
            DeadLetterQueue(client_for("sqs"), settings.dead_letter_queue_url)
            if settings.dead_letter_queue_url
            else None
        ),
        idempotency=(
            PowertoolsIdempotency(
                dynamodb, settings.idempotency_table, lambda_context=_invocation.get
            )
            if settings.idempotency_table
            else None
        ),
    )
