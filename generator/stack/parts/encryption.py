"""The stack's customer-managed KMS key: table, queues, topic, log groups, Lambda environment."""

from __future__ import annotations

from dataclasses import dataclass

from awacs.aws import PolicyDocument
from troposphere import Sub, Template, kms

from generator.stack import names
from generator.stack.context import Context
from generator.stack.parts import policies


@dataclass(frozen=True)
class Encryption:
    key: kms.Key
    alias: kms.Alias


def build(t: Template, ctx: Context) -> Encryption:
    key = t.add_resource(
        kms.Key(
            names.DATA_KEY,
            Description=Sub("Encrypts the data of the food-delivery stack ${AWS::StackName}"),
            EnableKeyRotation=True,
            PendingWindowInDays=30 if ctx.environment.retain_data else 7,
            KeyPolicy=PolicyDocument(
                Version="2012-10-17",
                Statement=[
                    policies.key_administration(),
                    policies.cloudwatch_alarms_publish_encrypted(),
                    policies.cloudwatch_logs_encrypt_log_groups(),
                ],
            ),
            # A retained table or queue is unreadable without its key: the key follows the data.
            DeletionPolicy=ctx.data_policy,
            UpdateReplacePolicy=ctx.data_policy,
        )
    )
    alias = t.add_resource(
        kms.Alias(
            names.DATA_KEY_ALIAS,
            AliasName=Sub("alias/food-delivery/${AWS::StackName}"),
            TargetKeyId=key.ref(),
        )
    )
    return Encryption(key=key, alias=alias)
