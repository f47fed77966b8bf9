"""SSM parameters under /food-delivery/<stack name>/: the table name, API config, feature flags.

They are plain String parameters: CloudFormation cannot create a SecureString, and none of
these values is secret.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from troposphere import Sub, Template, ssm

from generator import names
from generator.context import Context
from generator.parts.storage import Storage

API_CONFIG: Mapping[str, Any] = MappingProxyType(
    {"maxOrdersPerHour": 150, "defaultTimeout": 500, "retryAttempts": 3}
)
FEATURE_FLAGS: Mapping[str, bool] = MappingProxyType(
    {"expressDelivery": False, "loyaltyProgram": True, "multiplePayments": False}
)


@dataclass(frozen=True)
class Parameters:
    table_name: ssm.Parameter
    api_config: ssm.Parameter
    feature_flags: ssm.Parameter


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


def build(t: Template, ctx: Context, storage: Storage) -> Parameters:
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
    )
