"""Every value that differs between environments, in one frozen dataclass per environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Capacity:
    """Provisioned DynamoDB capacity and its auto-scaling range (PROVISIONED tables only)."""

    read_units: int
    write_units: int
    min_units: int
    max_units: int
    target_utilization: float


@dataclass(frozen=True)
class Environment:
    name: str
    stage_name: str
    # None means on-demand billing: no provisioned capacity and no auto-scaling.
    capacity: Capacity | None
    # Retain the table, idempotency table, DLQ and their key on delete and replacement.
    retain_data: bool
    table_deletion_protection: bool
    # Full request/response bodies in the execution log; AWS: never in production.
    data_trace: bool
    default_reserved_concurrency: int
    default_manage_api_gateway_account: bool
    web_acl: bool
    log_level: str
    # The functions' own logs; the API's access log is the audit trail of who called it.
    log_retention_days: int = 7
    access_log_retention_days: int = 7
    throttle_rate_limit: int = 100
    throttle_burst_limit: int = 200
    quota_per_day: int = 10_000
    # Per source IP, per 5 minutes (WAF's evaluation window), in prod's web ACL.
    waf_rate_limit_per_ip: int = 2_000

    @property
    def template_file_name(self) -> str:
        return f"food-delivery-{self.name}.json"

    @property
    def diagram_file_name(self) -> str:
        """Its architecture diagram (Mermaid), written beside the template."""
        return f"food-delivery-{self.name}.mmd"


PROD = Environment(
    name="prod",
    stage_name="prod",
    capacity=Capacity(
        read_units=5, write_units=5, min_units=5, max_units=100, target_utilization=70.0
    ),
    retain_data=True,
    table_deletion_protection=True,
    data_trace=False,
    default_reserved_concurrency=100,
    default_manage_api_gateway_account=True,
    web_acl=True,
    log_level="INFO",
    access_log_retention_days=365,
)

DEV = Environment(
    name="dev",
    stage_name="dev",
    capacity=None,
    retain_data=False,
    table_deletion_protection=False,
    data_trace=True,
    default_reserved_concurrency=0,
    default_manage_api_gateway_account=True,
    web_acl=False,
    log_level="DEBUG",
)

ENVIRONMENTS: Mapping[str, Environment] = MappingProxyType({env.name: env for env in (DEV, PROD)})
