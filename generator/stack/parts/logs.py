"""CloudWatch log groups: one per function (the functions log there, not to a default group)
and one for the API's access log. Encrypted with the stack key; retention from the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from troposphere import Template, logs

from generator.stack import names
from generator.stack.context import Context
from generator.stack.parts.encryption import Encryption


@dataclass(frozen=True)
class LogGroups:
    functions: Mapping[str, logs.LogGroup]  # by function name
    api_access: logs.LogGroup


def _log_group(logical_id: str, retention_days: int, encryption: Encryption) -> logs.LogGroup:
    return logs.LogGroup(
        logical_id,
        RetentionInDays=retention_days,
        KmsKeyId=encryption.key.get_att("Arn"),
        # Explicitly deleted with the stack: its events expire within days anyway.
        DeletionPolicy="Delete",
        UpdateReplacePolicy="Delete",
    )


def build(t: Template, ctx: Context, encryption: Encryption) -> LogGroups:
    return LogGroups(
        functions={
            spec.name: t.add_resource(
                _log_group(
                    names.log_group_id(spec.name), ctx.environment.log_retention_days, encryption
                )
            )
            for spec in ctx.functions
        },
        api_access=t.add_resource(
            _log_group(
                names.API_ACCESS_LOG_GROUP, ctx.environment.access_log_retention_days, encryption
            )
        ),
    )
