"""Stack outputs, each exported as "<stack name>-<suffix>". No secret among them: a partner's
client secret is read with DescribeUserPoolClient, its key's value with GetApiKey."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Export, Output, Sub, Template

from generator.stack import names
from generator.stack.context import Context
from generator.stack.parts.api import Api
from generator.stack.parts.monitoring import Monitoring
from generator.stack.parts.parameters import Parameters
from generator.stack.parts.partners import Partners
from generator.stack.parts.queues import Queues
from generator.stack.parts.storage import Storage
from generator.stack.substitution import placeholder


@dataclass(frozen=True)
class Outputs:
    api_url: Output
    token_url: Output
    user_pool_id: Output
    partner_registry: Output
    partners: tuple[Output, ...]  # each partner's client id and API key id
    dashboard_url: Output
    table_name: Output
    dead_letter_queue_url: Output


def _output(
    t: Template, logical_id: str, description: str, value: Any, suffix: str | None = None
) -> Output:
    suffix = suffix or names.EXPORT_SUFFIXES[logical_id]
    return t.add_output(
        Output(
            logical_id,
            Description=description,
            Value=value,
            Export=Export(Sub(f"${{AWS::StackName}}-{suffix}")),
        )
    )


def _partner_outputs(t: Template, partners: Partners) -> tuple[Output, ...]:
    outputs = []
    for entry in partners.credentials:
        name = entry.partner.name
        outputs += [
            _output(
                t,
                names.partner_client_id_output(name),
                f"App client id of partner {name} (its secret: DescribeUserPoolClient)",
                entry.app_client.ref(),
                names.partner_export_suffix(name, "client-id"),
            ),
            _output(
                t,
                names.partner_api_key_id_output(name),
                f"API key id of partner {name} (its value: aws apigateway get-api-key "
                "--include-value)",
                entry.api_key.ref(),
                names.partner_export_suffix(name, "api-key-id"),
            ),
        ]
    return tuple(outputs)


def build(
    t: Template,
    ctx: Context,
    *,
    api: Api,
    partners: Partners,
    parameters: Parameters,
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
        token_url=_output(
            t,
            names.OUTPUT_TOKEN_URL,
            "Partners' token endpoint (OAuth 2.0 client credentials)",
            Sub(
                f"https://{placeholder(partners.domain)}.auth.${{AWS::Region}}."
                "amazoncognito.com/oauth2/token"
            ),
        ),
        user_pool_id=_output(
            t,
            names.OUTPUT_USER_POOL_ID,
            "User pool of the partners' app clients",
            partners.user_pool.ref(),
        ),
        partner_registry=_output(
            t,
            names.OUTPUT_PARTNER_REGISTRY,
            "SSM parameter mapping each app client id to its partner and API key id",
            parameters.partner_registry.ref(),
        ),
        partners=_partner_outputs(t, partners),
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
