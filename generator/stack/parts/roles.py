"""IAM roles: one least-privilege role per function, and API Gateway's logging role."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from awacs.aws import PolicyDocument, Statement
from awacs.helpers.trust import make_simple_assume_policy
from troposphere import Sub, Template, iam, logs

from generator.stack import names
from generator.stack.context import Context
from generator.stack.function_specs import FunctionSpec, Resource
from generator.stack.parts import policies
from generator.stack.parts.logs import LogGroups
from generator.stack.parts.wiring import Wiring

# The parameters a function may read, in the order its statement lists them.
_PARAMETERS = (Resource.API_CONFIG, Resource.FEATURE_FLAGS, Resource.PARTNER_REGISTRY)


@dataclass(frozen=True)
class Roles:
    functions: Mapping[str, iam.Role]  # by function name
    api_gateway_cloudwatch: iam.Role


def statements(spec: FunctionSpec, log_group: logs.LogGroup, wiring: Wiring) -> list[Statement]:
    """What the function may do: its own logs, traces, and exactly what it uses."""
    table = wiring.storage.orders_table
    granted = [policies.write_own_logs(log_group), policies.put_traces()]
    if Resource.ORDERS_TABLE in spec.writes:
        granted.append(policies.write_orders(table))
    if Resource.ORDERS_TABLE in spec.reads:
        granted.append(policies.read_orders(table, wiring.storage.index_name))
    if Resource.IDEMPOTENCY_TABLE in spec.uses:
        granted.append(policies.use_idempotency_records(wiring.storage.idempotency_table))
    parameters = [wiring.resource(r) for r in _PARAMETERS if r in spec.reads]
    if parameters:
        granted.append(policies.read_parameters(parameters))
    key = wiring.encryption.key
    if Resource.DEAD_LETTER_QUEUE in spec.writes:
        # Sending to the SSE-KMS queue needs the key's data keys (Decrypt included).
        granted += [
            policies.send_to(wiring.queues.dead_letter_queue),
            policies.encrypt_messages_with(key),
        ]
    else:
        granted.append(policies.decrypt_with(key))
    return granted


def _lambda_role(logical_id: str, granted: list[Statement]) -> iam.Role:
    return iam.Role(
        logical_id,
        AssumeRolePolicyDocument=make_simple_assume_policy("lambda.amazonaws.com"),
        Policies=[
            iam.Policy(
                PolicyName="least-privilege",
                PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=granted),
            )
        ],
    )


def build(t: Template, ctx: Context, *, wiring: Wiring, log_groups: LogGroups) -> Roles:
    functions = {
        spec.name: t.add_resource(
            _lambda_role(
                names.role_id(spec.name),
                statements(spec, log_groups.functions[spec.name], wiring),
            )
        )
        for spec in ctx.functions
    }
    api_gateway_cloudwatch = t.add_resource(
        iam.Role(
            names.API_GATEWAY_ACCOUNT_ROLE,
            Condition=names.MANAGES_API_GATEWAY_ACCOUNT,
            AssumeRolePolicyDocument=make_simple_assume_policy("apigateway.amazonaws.com"),
            ManagedPolicyArns=[
                Sub(
                    "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                    "AmazonAPIGatewayPushToCloudWatchLogs"
                )
            ],
        )
    )
    return Roles(functions=functions, api_gateway_cloudwatch=api_gateway_cloudwatch)
