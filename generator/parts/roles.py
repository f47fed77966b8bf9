"""IAM roles: one least-privilege role per function, and API Gateway's logging role."""

from __future__ import annotations

from dataclasses import dataclass

from awacs.aws import PolicyDocument, Statement
from awacs.helpers.trust import make_simple_assume_policy
from troposphere import Sub, Template, iam

from generator import names
from generator.context import Context
from generator.parts import policies
from generator.parts.encryption import Encryption
from generator.parts.logs import LogGroups
from generator.parts.parameters import Parameters
from generator.parts.queues import Queues
from generator.parts.storage import Storage


@dataclass(frozen=True)
class Roles:
    order_processor: iam.Role
    query_orders: iam.Role
    api_gateway_cloudwatch: iam.Role


def _lambda_role(logical_id: str, statements: list[Statement]) -> iam.Role:
    return iam.Role(
        logical_id,
        AssumeRolePolicyDocument=make_simple_assume_policy("lambda.amazonaws.com"),
        Policies=[
            iam.Policy(
                PolicyName="least-privilege",
                PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=statements),
            )
        ],
    )


def build(
    t: Template,
    ctx: Context,
    encryption: Encryption,
    storage: Storage,
    queues: Queues,
    parameters: Parameters,
    log_groups: LogGroups,
) -> Roles:
    order_processor = t.add_resource(
        _lambda_role(
            names.ORDER_PROCESSOR_ROLE,
            [
                policies.write_own_logs(log_groups.order_processor),
                policies.put_traces(),
                policies.write_orders(storage.orders_table),
                policies.read_orders(storage.orders_table, storage.index_name),
                policies.use_idempotency_records(storage.idempotency_table),
                policies.read_parameters(
                    "ReadApiConfigAndFeatureFlags", [parameters.api_config, parameters.feature_flags]
                ),
                policies.send_to(queues.dead_letter_queue),
                policies.encrypt_messages_with(encryption.key),
            ],
        )
    )
    query_orders = t.add_resource(
        _lambda_role(
            names.QUERY_ORDERS_ROLE,
            [
                policies.write_own_logs(log_groups.query_orders),
                policies.put_traces(),
                policies.read_orders(storage.orders_table, storage.index_name),
                policies.read_parameters("ReadApiConfig", [parameters.api_config]),
                policies.decrypt_with(encryption.key),
            ],
        )
    )
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
    return Roles(
        order_processor=order_processor,
        query_orders=query_orders,
        api_gateway_cloudwatch=api_gateway_cloudwatch,
    )
