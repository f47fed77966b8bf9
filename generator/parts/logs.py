"""CloudWatch log groups: one per function (the functions log there, not to a default group)
and one for the API's access log. Encrypted with the stack key; retention from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Template, logs

from generator import names
from generator.context import Context
from generator.parts.encryption import Encryption


@dataclass(frozen=True)
class LogGroups:
    order_processor: logs.LogGroup
    query_orders: logs.LogGroup
    api_access: logs.LogGroup


def _log_group(logical_id: str, ctx: Context, encryption: Encryption) -> logs.LogGroup:
    return logs.LogGroup(
        logical_id,
        RetentionInDays=ctx.environment.log_retention_days,
        KmsKeyId=encryption.key.get_att("Arn"),
        # Explicitly deleted with the stack: its events expire within days anyway.
        DeletionPolicy="Delete",
        UpdateReplacePolicy="Delete",
    )


def build(t: Template, ctx: Context, encryption: Encryption) -> LogGroups:
    return LogGroups(
        order_processor=t.add_resource(
            _log_group(names.ORDER_PROCESSOR_LOG_GROUP, ctx, encryption)
        ),
        query_orders=t.add_resource(_log_group(names.QUERY_ORDERS_LOG_GROUP, ctx, encryption)),
        api_access=t.add_resource(_log_group(names.API_ACCESS_LOG_GROUP, ctx, encryption)),
    )
