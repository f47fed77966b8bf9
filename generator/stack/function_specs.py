"""The API's Lambda functions: one entry each, and the runtime they share.

An entry says what the function is (handler, memory, timeout) and what it may use. What it
uses decides both its environment (each resource's name or URL, under the variable its code
reads) and its role's statements, so a function can read nothing it may not touch and is
given nothing it does not read. The parts (log groups, roles, functions, alarms, dashboard)
iterate over FUNCTIONS: adding a function is one entry here plus its handler code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from generator.stack import names, scanner_skips

# The Lambda runtime, and the CPython version `package` fetches wheels for.
RUNTIME = "python3.13"
PYTHON_VERSION = RUNTIME.removeprefix("python")
ARCHITECTURE = "x86_64"
# Lambda's platform for that architecture: wheels are fetched for it, never the builder's.
WHEEL_PLATFORM = "manylinux2014_x86_64"


class Resource(Enum):
    """What a function may use; the value is the environment variable that names it."""

    ORDERS_TABLE = "ORDERS_TABLE_NAME"
    IDEMPOTENCY_TABLE = "IDEMPOTENCY_TABLE_NAME"
    DEAD_LETTER_QUEUE = "DLQ_URL"
    API_CONFIG = "API_CONFIG_PARAMETER"
    FEATURE_FLAGS = "FEATURE_FLAGS_PARAMETER"
    PARTNER_REGISTRY = "PARTNER_REGISTRY_PARAMETER"

    @property
    def variable(self) -> str:
        return self.value


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # the stem of its logical ids: names.function_id(name), role_id, ...
    handler: str
    memory_mb: int
    timeout_seconds: int
    reads: frozenset[Resource]
    writes: frozenset[Resource] = frozenset()
    # Its id in alarm metric math (lower case, unique).
    metric_id: str = ""
    # A DeadLetterConfig: only asynchronous invocations reach it (API Gateway's are not).
    asynchronous_dead_letters: bool = False
    # Reserved concurrency from the template's ReservedConcurrency parameter.
    reserved_concurrency: bool = False
    scanner_skips: tuple[tuple[str, str], ...] = ()

    @property
    def uses(self) -> frozenset[Resource]:
        return self.reads | self.writes

    @property
    def function_id(self) -> str:
        return names.function_id(self.name)


ORDER_PROCESSOR = FunctionSpec(
    name=names.ORDER_PROCESSOR,
    handler="order_processor.handler",
    memory_mb=1024,
    timeout_seconds=30,
    reads=frozenset(
        {
            Resource.ORDERS_TABLE,
            Resource.IDEMPOTENCY_TABLE,
            Resource.API_CONFIG,
            Resource.FEATURE_FLAGS,
            Resource.PARTNER_REGISTRY,
        }
    ),
    writes=frozenset(
        {Resource.ORDERS_TABLE, Resource.IDEMPOTENCY_TABLE, Resource.DEAD_LETTER_QUEUE}
    ),
    metric_id="processor",
    asynchronous_dead_letters=True,
    reserved_concurrency=True,
)

QUERY_ORDERS = FunctionSpec(
    name=names.QUERY_ORDERS,
    handler="query_orders.handler",
    memory_mb=512,
    timeout_seconds=10,
    reads=frozenset({Resource.ORDERS_TABLE, Resource.API_CONFIG, Resource.PARTNER_REGISTRY}),
    metric_id="query",
    scanner_skips=(
        scanner_skips.NO_DLQ_FOR_SYNCHRONOUS_FUNCTION,
        scanner_skips.NO_RESERVED_CONCURRENCY_FOR_READS,
    ),
)

FUNCTIONS: tuple[FunctionSpec, ...] = (ORDER_PROCESSOR, QUERY_ORDERS)
