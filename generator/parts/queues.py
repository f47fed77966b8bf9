"""SQS: the dead-letter queue that keeps every order the table could not take."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Template, sqs

from generator import names
from generator.context import Context
from generator.parts.encryption import Encryption

FOURTEEN_DAYS = 14 * 24 * 60 * 60


@dataclass(frozen=True)
class Queues:
    dead_letter_queue: sqs.Queue


def build(t: Template, ctx: Context, encryption: Encryption) -> Queues:
    dead_letter_queue = t.add_resource(
        sqs.Queue(
            names.DEAD_LETTER_QUEUE,
            MessageRetentionPeriod=FOURTEEN_DAYS,
            KmsMasterKeyId=encryption.key.get_att("Arn"),
            # Reusing a data key for 5 minutes keeps KMS calls (and cost) per message low.
            KmsDataKeyReusePeriodSeconds=300,
            DeletionPolicy=ctx.data_policy,
            UpdateReplacePolicy=ctx.data_policy,
        )
    )
    return Queues(dead_letter_queue=dead_letter_queue)
