"""IAM and key-policy statements, named by what they allow (awacs: a typo fails at import)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from awacs import dynamodb, kms, logs, sns, sqs, ssm, xray
from awacs.aws import (
    Action,
    Allow,
    ArnLike,
    Bool,
    Condition,
    Deny,
    Everybody,
    Principal,
    Statement,
    StringEquals,
)
from troposphere import AccountId, AWSObject, Sub

from generator.stack.substitution import logical_id, placeholder

ANY_RESOURCE = "*"


def allow(sid: str, actions: Iterable[Action], resources: Iterable[Any]) -> Statement:
    return Statement(Sid=sid, Effect=Allow, Action=list(actions), Resource=list(resources))


def index_arn(table: AWSObject, index_name: str) -> Sub:
    return Sub(f"{placeholder(table, 'Arn')}/index/{index_name}")


def parameter_arn(parameter: AWSObject) -> Sub:
    # Ref of an SSM parameter is its name, which starts with "/".
    return Sub(
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
        + placeholder(parameter)
    )


# --- Lambda execution roles -------------------------------------------------------------


def write_own_logs(log_group: AWSObject) -> Statement:
    return allow(
        "WriteOwnLogs",
        [logs.CreateLogStream, logs.PutLogEvents],
        [log_group.get_att("Arn")],
    )


def put_traces() -> Statement:
    # X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level permissions.
    return allow("PutTraces", [xray.PutTraceSegments, xray.PutTelemetryRecords], [ANY_RESOURCE])


def write_orders(table: AWSObject) -> Statement:
    return allow("WriteOrders", [dynamodb.PutItem, dynamodb.UpdateItem], [table.get_att("Arn")])


def read_orders(table: AWSObject, index_name: str) -> Statement:
    return allow(
        "ReadOrders",
        [dynamodb.GetItem, dynamodb.Query],
        [table.get_att("Arn"), index_arn(table, index_name)],
    )


def use_idempotency_records(table: AWSObject) -> Statement:
    return allow(
        "UseIdempotencyRecords",
        [dynamodb.GetItem, dynamodb.PutItem, dynamodb.UpdateItem, dynamodb.DeleteItem],
        [table.get_att("Arn")],
    )


def read_parameters(parameters: Iterable[AWSObject]) -> Statement:
    """ReadApiConfigAndFeatureFlags: named after the parameters (logical id minus "Parameter")."""
    parameters = list(parameters)
    sid = "Read" + "And".join(logical_id(p).removesuffix("Parameter") for p in parameters)
    return allow(
        sid,
        [ssm.GetParameter, ssm.GetParameters],
        [parameter_arn(parameter) for parameter in parameters],
    )


def send_to(queue: AWSObject) -> Statement:
    return allow("SendToDeadLetterQueue", [sqs.SendMessage], [queue.get_att("Arn")])


def decrypt_with(key: AWSObject) -> Statement:
    # Lambda decrypts the function's environment, encrypted with the stack's key.
    return allow("DecryptWithDataKey", [kms.Decrypt], [key.get_att("Arn")])


def encrypt_messages_with(key: AWSObject) -> Statement:
    # SendMessage to an SSE-KMS queue needs a data key from the queue's KMS key.
    return allow(
        "EncryptMessagesWithDataKey", [kms.GenerateDataKey, kms.Decrypt], [key.get_att("Arn")]
    )


# --- the data key's own policy -------------------------------------------------------------


def key_administration() -> Statement:
    # Delegates access to IAM policies of this account; without it the key is unmanageable.
    return Statement(
        Sid="AccountAdministersKeyThroughIam",
        Effect=Allow,
        Principal=Principal("AWS", Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
        Action=[Action("kms", "*")],
        Resource=[ANY_RESOURCE],
    )


def cloudwatch_alarms_publish_encrypted() -> Statement:
    # Without this, alarms publishing to the encrypted topic are dropped silently.
    return Statement(
        Sid="CloudWatchAlarmsPublishToEncryptedTopic",
        Effect=Allow,
        Principal=Principal("Service", "cloudwatch.amazonaws.com"),
        Action=[kms.Decrypt, Action("kms", "GenerateDataKey*")],
        Resource=[ANY_RESOURCE],
    )


def cloudwatch_logs_encrypt_log_groups() -> Statement:
    return Statement(
        Sid="CloudWatchLogsEncryptThisAccountsLogGroups",
        Effect=Allow,
        Principal=Principal("Service", Sub("logs.${AWS::Region}.amazonaws.com")),
        Action=[
            Action("kms", "Encrypt*"),
            Action("kms", "Decrypt*"),
            Action("kms", "ReEncrypt*"),
            Action("kms", "GenerateDataKey*"),
            Action("kms", "Describe*"),
        ],
        Resource=[ANY_RESOURCE],
        Condition=Condition(
            ArnLike(
                "kms:EncryptionContext:aws:logs:arn",
                Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"),
            )
        ),
    )


# --- resource policies of the queue and the topic -------------------------------------------


def deny_without_tls(sid: str, actions: Iterable[Action], resources: Iterable[Any]) -> Statement:
    """Refuse these actions to anyone, account included, over plain HTTP."""
    return Statement(
        Sid=sid,
        Effect=Deny,
        Principal=Principal(Everybody),
        Action=list(actions),
        Resource=list(resources),
        Condition=Condition(Bool("aws:SecureTransport", "false")),
    )


def cloudwatch_alarms_publish_to(topic: AWSObject) -> Statement:
    """This account's alarms, and nobody else's, publish to the topic."""
    return Statement(
        Sid="CloudWatchAlarmsPublish",
        Effect=Allow,
        Principal=Principal("Service", "cloudwatch.amazonaws.com"),
        Action=[sns.Publish],
        Resource=[topic.ref()],
        Condition=Condition(
            [
                ArnLike(
                    "aws:SourceArn",
                    Sub(
                        "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"
                    ),
                ),
                StringEquals("aws:SourceAccount", AccountId),
            ]
        ),
    )
