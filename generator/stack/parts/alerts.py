"""SNS: the alert topic, encrypted with the stack key, and an optional e-mail subscription."""

from __future__ import annotations

from dataclasses import dataclass

from awacs import sns as sns_actions
from awacs.aws import PolicyDocument
from troposphere import Ref, Template, sns

from generator.stack import names
from generator.stack.context import Context
from generator.stack.parts import policies
from generator.stack.parts.encryption import Encryption

DISPLAY_NAME = "Food Delivery API Alerts"


@dataclass(frozen=True)
class Alerts:
    topic: sns.Topic
    policy: sns.TopicPolicy
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
    # Replaces SNS's default policy: this account's IAM policies still decide who in it may
    # use the topic, its alarms may publish, and no one may publish over plain HTTP.
    policy = t.add_resource(
        sns.TopicPolicy(
            names.ALERT_TOPIC_POLICY,
            Topics=[topic.ref()],
            PolicyDocument=PolicyDocument(
                Version="2012-10-17",
                Statement=[
                    policies.cloudwatch_alarms_publish_to(topic),
                    policies.deny_without_tls(
                        "DenyPublishWithoutTls", [sns_actions.Publish], [topic.ref()]
                    ),
                ],
            ),
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
    return Alerts(topic=topic, policy=policy, email_subscription=subscription)
