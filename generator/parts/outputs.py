"""Stack outputs, each exported as "<stack name>-<suffix>"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Export, Output, Sub, Template

from generator import names
from generator.context import Context
from generator.parts.api import Api
from generator.parts.api_keys import ApiKeys
from generator.parts.monitoring import Monitoring
from generator.parts.queues import Queues
from generator.parts.storage import Storage
from generator.substitution import placeholder


@dataclass(frozen=True)
class Outputs:
    api_url: Output
    api_key_id: Output
    dashboard_url: Output
    table_name: Output
    dead_letter_queue_url: Output


def _output(t: Template, logical_id: str, description: str, value: Any) -> Output:
    return t.add_output(
        Output(
            logical_id,
            Description=description,
            Value=value,
            Export=Export(Sub(f"${{AWS::StackName}}-{names.EXPORT_SUFFIXES[logical_id]}")),
        )
    )


def build(
    t: Template,
    ctx: Context,
    *,
    api: Api,
    api_keys: ApiKeys,
    monitoring: Monitoring,
    storage: Storage,
    queues: Queues,
) -> Outputs:
    return Outputs(
        api_url=_output(
            t,
            names.OUTPUT_API_URL,
            "Base URL of the order API stage",
            Sub(
                f"https://{placeholder(api.rest_api)}.execute-api.${{AWS::Region}}."
                f"${{AWS::URLSuffix}}/{placeholder(api.stage)}/"
            ),
        ),
        api_key_id=_output(
            t,
            names.OUTPUT_API_KEY_ID,
            "Id of the API key (its value: aws apigateway get-api-key --include-value)",
            api_keys.api_key.ref(),
        ),
        dashboard_url=_output(
            t,
            names.OUTPUT_DASHBOARD_URL,
            "CloudWatch dashboard of the stack",
            Sub(
                "https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home"
                f"?region=${{AWS::Region}}#dashboards:name={placeholder(monitoring.dashboard)}"
            ),
        ),
        table_name=_output(
            t, names.OUTPUT_TABLE_NAME, "Name of the orders table", storage.orders_table.ref()
        ),
        dead_letter_queue_url=_output(
            t,
            names.OUTPUT_DLQ_URL,
            "URL of the dead-letter queue of orders not yet stored",
            queues.dead_letter_queue.ref(),
        ),
    )
