"""SNS: the alert topic, encrypted with the stack key, and an optional e-mail subscription."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Ref, Template, sns

from generator import names
from generator.context import Context
from generator.parts.encryption import Encryption

DISPLAY_NAME = "Food Delivery API Alerts"


@dataclass(frozen=True)
class Alerts:
    topic: sns.Topic
    email_subscription: sns.SubscriptionResource


def build(t: Template, ctx: Context, encryption: Encryption) -> Alerts:
    topic = t.add_resource(
        sns.Topic(
            names.ALERT_TOPIC,
            DisplayName=DISPLAY_NAME,
            # A customer-managed key whose policy admits cloudwatch.amazonaws.com: with the
            # AWS-managed alias/aws/sns, alarm notifications are dropped.
            KmsMasterKeyId=encryption.key.get_att("Arn"),
        )
    )
    subscription = t.add_resource(
        sns.SubscriptionResource(
            names.ALERT_SUBSCRIPTION,
            Condition=names.HAS_ALERT_EMAIL,
            Protocol="email",
            Endpoint=Ref(ctx.inputs.alert_email),
            TopicArn=topic.ref(),
        )
    )
    return Alerts(topic=topic, email_subscription=subscription)
