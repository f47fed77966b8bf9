"""Lambda: the order-processing and the query function (code from the artifact in S3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from troposphere import If, NoValue, Ref, Template, awslambda

from generator import names, scanner_skips
from generator.context import Context
from generator.parts.encryption import Encryption
from generator.parts.logs import LogGroups
from generator.parts.parameters import Parameters
from generator.parts.queues import Queues
from generator.parts.roles import Roles
from generator.parts.storage import Storage
from generator.scanner_skips import checkov_metadata

RUNTIME = "python3.12"
ARCHITECTURE = "x86_64"
ORDER_PROCESSOR_HANDLER = "order_processor.handler"
QUERY_ORDERS_HANDLER = "query_orders.handler"


@dataclass(frozen=True)
class Functions:
    order_processor: awslambda.Function
    query_orders: awslambda.Function


def _observability_environment(ctx: Context) -> dict[str, Any]:
    return {
        "POWERTOOLS_SERVICE_NAME": names.SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": names.METRICS_NAMESPACE,
        "POWERTOOLS_LOG_LEVEL": ctx.environment.log_level,
    }


def _function(
    logical_id: str,
    ctx: Context,
    *,
    description: str,
    handler: str,
    memory: int,
    timeout: int,
    role: Any,
    log_group: Any,
    encryption: Encryption,
    variables: Mapping[str, Any],
    skips: tuple[tuple[str, str], ...] = (),
    **extra: Any,
) -> awslambda.Function:
    return awslambda.Function(
        logical_id,
        Description=description,
        Runtime=RUNTIME,
        Architectures=[ARCHITECTURE],
        Handler=handler,
        Code=awslambda.Code(
            S3Bucket=Ref(ctx.inputs.artifact_bucket), S3Key=Ref(ctx.inputs.artifact_key)
        ),
        MemorySize=memory,
        Timeout=timeout,
        Role=role.get_att("Arn"),
        TracingConfig=awslambda.TracingConfig(Mode="Active"),
        LoggingConfig=awslambda.LoggingConfig(LogGroup=log_group.ref()),
        KmsKeyArn=encryption.key.get_att("Arn"),
        Environment=awslambda.Environment(Variables=dict(sorted(variables.items()))),
        Metadata=checkov_metadata(scanner_skips.NO_VPC, *skips),
        **extra,
    )


def build(
    t: Template,
    ctx: Context,
    encryption: Encryption,
    storage: Storage,
    queues: Queues,
    parameters: Parameters,
    log_groups: LogGroups,
    roles: Roles,
) -> Functions:
    order_processor = t.add_resource(
        _function(
            names.ORDER_PROCESSOR_FUNCTION,
            ctx,
            description="Food delivery: POST /orders and PUT /orders/{orderId}",
            handler=ORDER_PROCESSOR_HANDLER,
            memory=1024,
            timeout=30,
            role=roles.order_processor,
            log_group=log_groups.order_processor,
            encryption=encryption,
            variables={
                "ORDERS_TABLE_NAME": storage.orders_table.ref(),
                "IDEMPOTENCY_TABLE_NAME": storage.idempotency_table.ref(),
                "DLQ_URL": queues.dead_letter_queue.ref(),
                "TABLE_NAME_PARAMETER": parameters.table_name.ref(),
                "API_CONFIG_PARAMETER": parameters.api_config.ref(),
                "FEATURE_FLAGS_PARAMETER": parameters.feature_flags.ref(),
                **_observability_environment(ctx),
            },
            # Only asynchronous invocations reach this; the handler itself sends what it
            # could not store (API Gateway invokes synchronously).
            DeadLetterConfig=awslambda.DeadLetterConfig(
                TargetArn=queues.dead_letter_queue.get_att("Arn")
            ),
            ReservedConcurrentExecutions=If(
                names.HAS_RESERVED_CONCURRENCY, Ref(ctx.inputs.reserved_concurrency), NoValue
            ),
        )
    )
    query_orders = t.add_resource(
        _function(
            names.QUERY_ORDERS_FUNCTION,
            ctx,
            description="Food delivery: GET /orders/{orderId} and GET /orders/customer/{customerId}",
            handler=QUERY_ORDERS_HANDLER,
            memory=512,
            timeout=10,
            role=roles.query_orders,
            log_group=log_groups.query_orders,
            encryption=encryption,
            variables={
                "ORDERS_TABLE_NAME": storage.orders_table.ref(),
                "API_CONFIG_PARAMETER": parameters.api_config.ref(),
                **_observability_environment(ctx),
            },
            skips=(
                scanner_skips.NO_DLQ_FOR_SYNCHRONOUS_FUNCTION,
                scanner_skips.NO_RESERVED_CONCURRENCY_FOR_READS,
            ),
        )
    )
    return Functions(order_processor=order_processor, query_orders=query_orders)
