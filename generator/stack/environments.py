"""Every value that differs between environments, in one frozen dataclass per environment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from generator.stack.scopes import Scope

# A partner's name: the stem of its logical ids and its app client's name, and what the
# functions store with each of its orders. Lower case so that two spellings are one partner.
PARTNER_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
STANDARD_TIER = "standard"


@dataclass(frozen=True)
class UsageTier:
    """A usage plan: every partner on the tier gets these limits for its own API key."""

    name: str
    throttle_rate_limit: int = 100
    throttle_burst_limit: int = 200
    quota_per_day: int = 10_000


@dataclass(frozen=True)
class Partner:
    """A caller of the API: its own Cognito app client (these scopes only) and API key."""

    name: str
    scopes: frozenset[Scope]
    tier: str = STANDARD_TIER

    def __post_init__(self) -> None:
        if not PARTNER_NAME.match(self.name):
            raise ValueError(
                f"partner name {self.name!r}: 2 to 32 lower-case letters, digits or '-', "
                "starting with a letter"
            )
        if not self.scopes:
            raise ValueError(f"partner {self.name} has no scope")


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
    # The stage's own throttle, for all callers together.
    throttle_rate_limit: int = 100
    throttle_burst_limit: int = 200
    partners: tuple[Partner, ...] = ()
    usage_tiers: tuple[UsageTier, ...] = (UsageTier(STANDARD_TIER),)
    # Per source IP, per 5 minutes (WAF's evaluation window), in prod's web ACL.
    waf_rate_limit_per_ip: int = 2_000

    def __post_init__(self) -> None:
        names = [partner.name for partner in self.partners]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a partner is listed twice")
        tiers = {tier.name for tier in self.usage_tiers}
        for partner in self.partners:
            if partner.tier not in tiers:
                raise ValueError(f"partner {partner.name}: no usage tier {partner.tier!r}")

    @property
    def stack_name(self) -> str:
        """The stack's name in an account: the bootstrap stack's roles are scoped to it."""
        return f"food-delivery-{self.name}"

    @property
    def template_file_name(self) -> str:
        return f"food-delivery-{self.name}.json"

    @property
    def diagram_file_name(self) -> str:
        """Its architecture diagram (Mermaid), written beside the template."""
        return f"food-delivery-{self.name}.mmd"


# Examples to replace with real partners: each one listed here gets its credentials on the
# next deploy (README: "Onboarding a partner"); removing one revokes them.
READ_WRITE = frozenset({Scope.READ, Scope.WRITE})

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
    partners=(Partner("acme-eats", READ_WRITE), Partner("city-couriers", READ_WRITE)),
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
    # Two partners to see each other's orders hidden, and a read-only one.
    partners=(
        Partner("acme-eats", READ_WRITE),
        Partner("city-couriers", READ_WRITE),
        Partner("ops-reports", frozenset({Scope.READ})),
    ),
)

ENVIRONMENTS: Mapping[str, Environment] = MappingProxyType({env.name: env for env in (DEV, PROD)})
