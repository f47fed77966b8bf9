"""Lambda: one function per lambda_functions entry, code from the artifact in S3."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from troposphere import If, NoValue, Ref, Template, awslambda

from generator.stack import names, scanner_skips
from generator.stack.api_contract import routes_of
from generator.stack.context import Context
from generator.stack.function_specs import ARCHITECTURE, RUNTIME, FunctionSpec
from generator.stack.parts.logs import LogGroups
from generator.stack.parts.roles import Roles
from generator.stack.parts.wiring import Wiring
from generator.stack.scanner_skips import checkov_metadata


@dataclass(frozen=True)
class Functions:
    specs: tuple[FunctionSpec, ...]
    by_name: Mapping[str, awslambda.Function]

    def __getitem__(self, spec: FunctionSpec) -> awslambda.Function:
        return self.by_name[spec.name]

    def __iter__(self) -> Iterator[tuple[FunctionSpec, awslambda.Function]]:
        """(spec, function), in the order of the specs."""
        return ((spec, self.by_name[spec.name]) for spec in self.specs)


def description(spec: FunctionSpec) -> str:
    """`Food delivery: POST /orders and PUT /orders/{orderId}`: the routes it serves."""
    routes = " and ".join(str(route) for route in routes_of(spec))
    return f"Food delivery: {routes or spec.name}"


def environment(spec: FunctionSpec, ctx: Context, wiring: Wiring) -> dict[str, Any]:
    """The names of what the function uses, and Powertools' settings."""
    variables: dict[str, Any] = {
        resource.variable: wiring.resource(resource).ref() for resource in spec.uses
    }
    variables.update(
        POWERTOOLS_SERVICE_NAME=names.SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE=names.METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL=ctx.environment.log_level,
    )
    return dict(sorted(variables.items()))


def _function(
    spec: FunctionSpec, ctx: Context, *, wiring: Wiring, log_groups: LogGroups, roles: Roles
) -> awslambda.Function:
    optional: dict[str, Any] = {}
    if spec.asynchronous_dead_letters:
        # Only asynchronous invocations reach this; the handler itself sends what it could
        # not store (API Gateway invokes synchronously).
        optional["DeadLetterConfig"] = awslambda.DeadLetterConfig(
            TargetArn=wiring.queues.dead_letter_queue.get_att("Arn")
        )
    if spec.reserved_concurrency:
        optional["ReservedConcurrentExecutions"] = If(
            names.HAS_RESERVED_CONCURRENCY, Ref(ctx.inputs.reserved_concurrency), NoValue
        )
    return awslambda.Function(
        spec.function_id,
        Description=description(spec),
        Runtime=RUNTIME,
        Architectures=[ARCHITECTURE],
        Handler=spec.handler,
        Code=awslambda.Code(
            S3Bucket=Ref(ctx.inputs.artifact_bucket), S3Key=Ref(ctx.inputs.artifact_key)
        ),
        MemorySize=spec.memory_mb,
        Timeout=spec.timeout_seconds,
        Role=roles.functions[spec.name].get_att("Arn"),
        TracingConfig=awslambda.TracingConfig(Mode="Active"),
        LoggingConfig=awslambda.LoggingConfig(LogGroup=log_groups.functions[spec.name].ref()),
        KmsKeyArn=wiring.encryption.key.get_att("Arn"),
        Environment=awslambda.Environment(Variables=environment(spec, ctx, wiring)),
        Metadata=checkov_metadata(scanner_skips.NO_VPC, *spec.scanner_skips),
        **optional,
    )


def build(
    t: Template, ctx: Context, *, wiring: Wiring, log_groups: LogGroups, roles: Roles
) -> Functions:
    return Functions(
        specs=ctx.functions,
        by_name={
            spec.name: t.add_resource(
                _function(spec, ctx, wiring=wiring, log_groups=log_groups, roles=roles)
            )
            for spec in ctx.functions
        },
    )
