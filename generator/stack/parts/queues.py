"""SQS: the dead-letter queue that keeps every order the table could not take."""

from __future__ import annotations

from dataclasses import dataclass

from awacs import sqs as sqs_actions
from awacs.aws import Action, PolicyDocument
from troposphere import Template, sqs

from generator.stack import names
from generator.stack.context import Context
from generator.stack.parts import policies
from generator.stack.parts.encryption import Encryption

FOURTEEN_DAYS = 14 * 24 * 60 * 60
# No other queue may name this one its dead-letter queue: it holds orders only.
REDRIVE_ALLOW_POLICY = {"redrivePermission": "denyAll"}


@dataclass(frozen=True)
class Queues:
    dead_letter_queue: sqs.Queue
    policy: sqs.QueuePolicy


def build(t: Template, ctx: Context, encryption: Encryption) -> Queues:
    dead_letter_queue = t.add_resource(
        sqs.Queue(
            names.DEAD_LETTER_QUEUE,
            MessageRetentionPeriod=FOURTEEN_DAYS,
            KmsMasterKeyId=encryption.key.get_att("Arn"),
            # Reusing a data key for 5 minutes keeps KMS calls (and cost) per message low.
            KmsDataKeyReusePeriodSeconds=300,
            RedriveAllowPolicy=REDRIVE_ALLOW_POLICY,
            DeletionPolicy=ctx.data_policy,
            UpdateReplacePolicy=ctx.data_policy,
        )
    )
    # The functions and the redrive reach SQS over HTTPS with IAM; nothing else may, even
    # with credentials, over plain HTTP.
    policy = t.add_resource(
        sqs.QueuePolicy(
            names.DEAD_LETTER_QUEUE_POLICY,
            Queues=[dead_letter_queue.ref()],
            PolicyDocument=PolicyDocument(
                Version="2012-10-17",
                Statement=[
                    policies.deny_without_tls(
                        "DenyWithoutTls",
                        [Action(sqs_actions.prefix, "*")],
                        [dead_letter_queue.get_att("Arn")],
                    )
                ],
            ),
        )
    )
    return Queues(dead_letter_queue=dead_letter_queue, policy=policy)
