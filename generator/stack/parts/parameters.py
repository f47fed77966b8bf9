"""SSM parameters under /food-delivery/<stack name>/: the table name, API config, feature flags,
and the partner registry.

They are plain String parameters: CloudFormation cannot create a SecureString, and none of
these values is secret (the registry holds app client ids and API key ids, never a secret or
a key's value).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from troposphere import Sub, Template, ssm

from generator.stack import names
from generator.stack.context import Context
from generator.stack.parts.partners import Partners
from generator.stack.parts.storage import Storage
from generator.stack.substitution import placeholder

API_CONFIG: Mapping[str, Any] = MappingProxyType(
    {"maxOrdersPerHour": 150, "defaultTimeout": 500, "retryAttempts": 3}
)
FEATURE_FLAGS: Mapping[str, bool] = MappingProxyType(
    {"expressDelivery": False, "loyaltyProgram": True, "multiplePayments": False}
)


# A Standard parameter holds 4 KB. Cognito's app client ids are 26 characters, API key ids 10.
STANDARD_PARAMETER_BYTES = 4096
CLIENT_ID_LENGTH = 26
API_KEY_ID_LENGTH = 10


@dataclass(frozen=True)
class Parameters:
    table_name: ssm.Parameter
    api_config: ssm.Parameter
    feature_flags: ssm.Parameter
    partner_registry: ssm.Parameter


def partner_registry_value(partners: Partners) -> str:
    """{"<app client id>": {"apiKeyId": "<its partner's key id>", "partner": "<name>"}}, with
    ${...} placeholders that Fn::Sub fills with the clients' and keys' Refs."""
    registry = {
        placeholder(entry.app_client): {
            "apiKeyId": placeholder(entry.api_key),
            "partner": entry.partner.name,
        }
        for entry in partners.credentials
    }
    text = _json(registry)
    longest = len(text) + sum(
        CLIENT_ID_LENGTH
        - len(placeholder(entry.app_client))
        + API_KEY_ID_LENGTH
        - len(placeholder(entry.api_key))
        for entry in partners.credentials
    )
    if longest > STANDARD_PARAMETER_BYTES:
        raise ValueError(
            f"the partner registry of {len(partners.credentials)} partners takes {longest} bytes, "
            f"over a Standard SSM parameter's {STANDARD_PARAMETER_BYTES}"
        )
    return text


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(dict(value), sort_keys=True, separators=(",", ":"))


def _parameter(logical_id: str, leaf: str, value: Any, description: str) -> ssm.Parameter:
    return ssm.Parameter(
        logical_id,
        Name=Sub(f"{names.PARAMETER_PATH}/{leaf}"),
        Type="String",
        Tier="Standard",
        Value=value,
        Description=description,
    )


def build(t: Template, ctx: Context, storage: Storage, partners: Partners) -> Parameters:
    return Parameters(
        table_name=t.add_resource(
            _parameter(
                names.TABLE_NAME_PARAMETER,
                names.TABLE_NAME_PARAMETER_LEAF,
                storage.orders_table.ref(),
                "Name of the orders table",
            )
        ),
        api_config=t.add_resource(
            _parameter(
                names.API_CONFIG_PARAMETER,
                names.API_CONFIG_PARAMETER_LEAF,
                _json(API_CONFIG),
                "Order API settings: hourly order limit per customer, client timeout (ms), retries",
            )
        ),
        feature_flags=t.add_resource(
            _parameter(
                names.FEATURE_FLAGS_PARAMETER,
                names.FEATURE_FLAGS_PARAMETER_LEAF,
                _json(FEATURE_FLAGS),
                "Feature flags of the order API (not secret: a String parameter)",
            )
        ),
        partner_registry=t.add_resource(
            _parameter(
                names.PARTNER_REGISTRY_PARAMETER,
                names.PARTNER_REGISTRY_PARAMETER_LEAF,
                Sub(partner_registry_value(partners)),
                "Partners by app client id, with the id of each one's API key (no secrets)",
            )
        ),
    )
