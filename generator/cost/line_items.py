"""The estimate's line items, service by service: each one a quantity a month (from the
template's own values, the workload and the assumptions) at a price."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from generator.cost.assumptions import Assumptions
from generator.cost.prices import ONE, US_EAST_1, Price, Prices
from generator.cost.template_facts import TemplateFacts, Throughput
from generator.cost.units import (
    CENT,
    GB,
    HOURS_A_MONTH,
    ITEM_OVERHEAD_BYTES,
    SECONDS_A_DAY,
    ZERO,
    a_month,
    plain,
    whole,
)
from generator.cost.workload import Demand, Load
from generator.stack.function_specs import Resource
from generator.template_view.references import referenced

# The stage logging level that writes API Gateway's execution log for every request.
EXECUTION_LOG_LEVEL = "INFO"


@dataclass(frozen=True)
class LineItem:
    service: str
    item: str
    quantity: Decimal  # a month, in the price's unit
    price: Price

    @property
    def usd(self) -> Decimal:
        """The line's cost, rounded to the cent (once)."""
        return self.price.of(self.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TableBilling:
    """The orders table at this workload, billed both ways."""

    table: str
    on_demand_in_template: bool
    capacity: str  # what the template provisions, in words ("" when on-demand)
    provisioned: tuple[LineItem, ...]  # empty when the template provisions nothing
    on_demand: tuple[LineItem, ...]

    @property
    def provisioned_usd(self) -> Decimal | None:
        return total(self.provisioned) if self.provisioned else None

    @property
    def on_demand_usd(self) -> Decimal:
        return total(self.on_demand)

    @property
    def as_in_template(self) -> tuple[LineItem, ...]:
        return self.on_demand if self.on_demand_in_template else self.provisioned


@dataclass(frozen=True)
class PartnerCost:
    """What one partner's app client costs a month at its usage plan's daily quota, when it
    reuses each access token for the token's life, and when it asks for one per request."""

    requests_per_day: int
    token_minutes: int
    reused: tuple[LineItem, ...]
    per_request: tuple[LineItem, ...]

    @property
    def reused_usd(self) -> Decimal:
        return total(self.reused)

    @property
    def per_request_usd(self) -> Decimal:
        return total(self.per_request)


def total(items: Iterable[LineItem]) -> Decimal:
    return sum((line.usd for line in items), ZERO)


def _api(
    facts: TemplateFacts, load: Load, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    if not facts.of_type("AWS::ApiGateway::RestApi"):
        return
    requests = a_month(load.requests_per_day())
    yield LineItem("API Gateway", "REST API requests", requests, prices.api_requests)
    if facts.stage_setting("MetricsEnabled") is True:
        methods, per_method = load.methods_with_traffic, assumptions.metrics_per_method
        item = f"detailed API metrics: {methods} methods x {per_method}"
        yield LineItem("CloudWatch", item, Decimal(methods * per_method), prices.custom_metric)


def _functions(facts: TemplateFacts, load: Load, prices: Prices) -> Iterator[LineItem]:
    for name, function in facts.functions().items():
        memory_mb = int(function.get("MemorySize", 128))
        requests = a_month(load.requests_per_day(name))
        gb_seconds = a_month(load.seconds_per_day(name)) * memory_mb / 1024
        yield LineItem("Lambda", f"{name}: requests", requests, prices.lambda_requests)
        yield LineItem("Lambda", f"{name}: {memory_mb} MB", gb_seconds, prices.lambda_compute)


def monthly(
    facts: TemplateFacts,
    load: Load,
    demand: Demand,
    *,
    orders_table: TableBilling | None,
    assumptions: Assumptions,
    prices: Prices,
) -> tuple[LineItem, ...]:
    """Every line of the estimate, service by service (the orders table billed as the template
    has it)."""
    return (
        *_api(facts, load, assumptions, prices),
        *_functions(facts, load, prices),
        *(orders_table.as_in_template if orders_table else ()),
        *_storage(facts, load, assumptions, prices),
        *_idempotency(facts, demand, assumptions, prices),
        *_keys(facts, assumptions, prices),
        *_monitoring(facts, prices),
        *_logs(facts, load, assumptions, prices),
        *_firewall(facts, load, prices),
        *_tracing(facts, load, assumptions, prices),
        *_messaging(facts, assumptions, prices),
        *_parameters(facts, prices),
        *_partner_clients(facts, assumptions, prices),
    )


def orders_table(facts: TemplateFacts, demand: Demand, prices: Prices) -> TableBilling | None:
    table = facts.named_by_functions(Resource.ORDERS_TABLE)
    if table is None:
        return None
    reads, writes = a_month(demand.reads()), a_month(demand.writes())
    on_demand = (
        LineItem("DynamoDB", f"{table}: reads, on-demand", reads, prices.dynamodb_read_requests),
        LineItem("DynamoDB", f"{table}: writes, on-demand", writes, prices.dynamodb_write_requests),
    )
    throughputs = facts.throughputs(table)
    return TableBilling(
        table=table,
        on_demand_in_template=facts.properties(table).get("BillingMode") == "PAY_PER_REQUEST",
        capacity=_capacity_in_words(throughputs),
        provisioned=_provisioned(table, throughputs, demand, prices) if throughputs else (),
        on_demand=on_demand,
    )


def _provisioned(
    table: str, throughputs: Mapping[str, Throughput], demand: Demand, prices: Prices
) -> tuple[LineItem, ...]:
    units = {
        dimension: throughput.provisioned_for(demand.per_second(dimension))
        for dimension, throughput in throughputs.items()
    }
    reads = sum(count for dimension, count in units.items() if dimension.endswith("read"))
    writes = sum(count for dimension, count in units.items() if dimension.endswith("write"))
    return (
        LineItem(
            "DynamoDB",
            f"{table}: {reads} RCU provisioned",
            reads * HOURS_A_MONTH,
            prices.dynamodb_read_capacity,
        ),
        LineItem(
            "DynamoDB",
            f"{table}: {writes} WCU provisioned",
            writes * HOURS_A_MONTH,
            prices.dynamodb_write_capacity,
        ),
    )


def _capacity_in_words(throughputs: Mapping[str, Throughput]) -> str:
    """`table 5 RCU / 5 WCU, index 5 RCU / 5 WCU; auto-scaling 5..100 at 70 %`."""
    owners = dict.fromkeys(dimension.split()[0] for dimension in throughputs)
    words = ", ".join(
        f"{owner} {_units(throughputs, owner, 'read')} RCU / "
        f"{_units(throughputs, owner, 'write')} WCU"
        for owner in owners
    )
    scaling = {
        (throughput.min_units, throughput.max_units, throughput.target_percent)
        for throughput in throughputs.values()
        if throughput.target_percent is not None
    }
    if len(scaling) == 1:
        low, high, target = next(iter(scaling))
        words += f"; auto-scaling {low}..{high} at {plain(target or ZERO)} %"
    elif scaling:
        words += "; auto-scaling on each"
    return words


def _units(throughputs: Mapping[str, Throughput], owner: str, kind: str) -> str:
    throughput = throughputs.get(f"{owner} {kind}")
    return "-" if throughput is None else str(throughput.units)


def _storage(
    facts: TemplateFacts, load: Load, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    table = facts.named_by_functions(Resource.ORDERS_TABLE)
    if table is not None:
        orders_kept = a_month(load.orders_per_day) * assumptions.months_running
        yield from _table_storage(facts, table, orders_kept, assumptions, prices)


def _table_storage(
    facts: TemplateFacts, table: str, items: Decimal, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    """The table and each index (a full copy: projection ALL), and the table's own
    point-in-time recovery when it is on."""
    properties = facts.properties(table)
    table_gb = items * (assumptions.order_item_bytes + ITEM_OVERHEAD_BYTES) / GB
    indexes = len(properties.get("GlobalSecondaryIndexes", []))
    where = f", table + {indexes} index{'es' if indexes > 1 else ''}" if indexes else ""
    yield LineItem(
        "DynamoDB", f"{table}: storage{where}", table_gb * (1 + indexes), prices.dynamodb_storage
    )
    if properties.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
        yield LineItem("DynamoDB", f"{table}: backup (PITR)", table_gb, prices.dynamodb_backup)


def _idempotency(
    facts: TemplateFacts, demand: Demand, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    table = facts.named_by_functions(Resource.IDEMPOTENCY_TABLE)
    if table is None:
        return
    writes = a_month(demand.idempotency_writes)
    yield LineItem(
        "DynamoDB", f"{table}: writes, on-demand", writes, prices.dynamodb_write_requests
    )
    # Records expire after a day: a day's worth is stored at any time.
    yield from _table_storage(facts, table, demand.idempotency_records, assumptions, prices)


def _keys(facts: TemplateFacts, assumptions: Assumptions, prices: Prices) -> Iterator[LineItem]:
    for key in facts.of_type("AWS::KMS::Key"):
        yield LineItem("KMS", f"{key}", Decimal(1), prices.kms_key)
    encrypted = len(facts.encrypted_resources())
    if encrypted:
        requests = encrypted * assumptions.kms_requests_per_encrypted_resource_hour * HOURS_A_MONTH
        yield LineItem(
            "KMS", f"requests: {encrypted} resources encrypted", requests, prices.kms_requests
        )


def _monitoring(facts: TemplateFacts, prices: Prices) -> Iterator[LineItem]:
    alarms = facts.of_type("AWS::CloudWatch::Alarm")
    if alarms:
        metrics = sum(_alarm_metrics(alarm) for alarm in alarms.values())
        item = f"{len(alarms)} alarms ({metrics} metrics)"
        yield LineItem("CloudWatch", item, Decimal(metrics), prices.alarm_metric)
    dashboards = facts.of_type("AWS::CloudWatch::Dashboard")
    for name in dashboards:
        yield LineItem("CloudWatch", f"{name}", Decimal(1), prices.dashboard)
    custom = _custom_metrics(facts, dashboards.values())
    if custom:
        yield LineItem(
            "CloudWatch", "custom metrics (the handlers')", Decimal(custom), prices.custom_metric
        )


def _alarm_metrics(alarm: Mapping[str, Any]) -> int:
    """The metrics an alarm is billed for: each metric of its metric math, or its one."""
    metrics = alarm.get("Metrics")
    return 1 if metrics is None else sum(1 for metric in metrics if "MetricStat" in metric)


def _custom_metrics(facts: TemplateFacts, dashboards: Iterable[Mapping[str, Any]]) -> int:
    """Metrics outside AWS's namespaces that the dashboards graph (the handlers'), and
    Powertools' ColdStart metric of each function that publishes metrics."""
    graphed = set()
    for dashboard in dashboards:
        body = dashboard.get("DashboardBody")
        text = body.get("Fn::Sub") if isinstance(body, dict) else body
        widgets = json.loads(text).get("widgets", []) if isinstance(text, str) else []
        for widget in widgets:
            for metric in widget.get("properties", {}).get("metrics", []):
                if metric and not str(metric[0]).startswith("AWS/"):
                    graphed.add(tuple(str(part) for part in metric))
    cold_starts = sum(
        1 for name in facts.functions() if facts.variable(name, "POWERTOOLS_METRICS_NAMESPACE")
    )
    return len(graphed) + cold_starts


@dataclass(frozen=True)
class LogVolume:
    name: str
    bytes_per_day: Decimal
    retention_days: int | None  # None: never expires


def _log_volumes(facts: TemplateFacts, load: Load, assumptions: Assumptions) -> Iterator[LogVolume]:
    logged = assumptions.function_log_bytes
    for name in facts.functions():
        group = facts.log_group_of(name)
        level = str(facts.variable(name, "POWERTOOLS_LOG_LEVEL") or "INFO")
        if group is not None:
            per_call = logged.get(level, logged["INFO"])
            volume = load.requests_per_day(name) * per_call
            yield LogVolume(group, volume, facts.retention_days(group))
    requests = load.requests_per_day()
    access = referenced(facts.stage().get("AccessLogSetting", {}).get("DestinationArn"))
    if access is not None:
        volume = requests * assumptions.access_log_bytes
        yield LogVolume(access, volume, facts.retention_days(access))
    if facts.stage_setting("LoggingLevel") == EXECUTION_LOG_LEVEL:
        per_request = assumptions.execution_log_bytes
        if facts.stage_setting("DataTraceEnabled") is True:
            per_request += assumptions.data_trace_log_bytes
        # API Gateway creates this log group itself: no template sets its retention.
        yield LogVolume("API execution log", requests * per_request, None)


def _logs(
    facts: TemplateFacts, load: Load, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    days_running = a_month(Decimal(assumptions.months_running))
    for volume in _log_volumes(facts, load, assumptions):
        gb_per_day = volume.bytes_per_day / GB
        if volume.retention_days is None:
            days_kept, kept = days_running, "forever"
        else:
            days_kept, kept = (
                min(Decimal(volume.retention_days), days_running),
                f"{volume.retention_days} days",
            )
        yield LineItem(
            "CloudWatch", f"{volume.name}: ingested", a_month(gb_per_day), prices.log_ingestion
        )
        yield LineItem(
            "CloudWatch",
            f"{volume.name}: kept {kept}",
            gb_per_day * days_kept,
            prices.log_storage,
        )


def _firewall(facts: TemplateFacts, load: Load, prices: Prices) -> Iterator[LineItem]:
    associated = {
        referenced(association.get("WebACLArn"))
        for association in facts.of_type("AWS::WAFv2::WebACLAssociation").values()
    }
    for name, acl in facts.of_type("AWS::WAFv2::WebACL").items():
        rules = Decimal(len(acl.get("Rules", [])))
        requests = a_month(load.requests_per_day()) if name in associated else ZERO
        yield LineItem("WAF", f"{name}", Decimal(1), prices.web_acl)
        yield LineItem("WAF", f"{name}: rules", rules, prices.web_acl_rule)
        yield LineItem("WAF", f"{name}: requests", requests, prices.web_acl_requests)


def _tracing(
    facts: TemplateFacts, load: Load, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    traced_functions = any(
        function.get("TracingConfig", {}).get("Mode") == "Active"
        for function in facts.functions().values()
    )
    if facts.stage().get("TracingEnabled") is True or traced_functions:
        traces = a_month(_sampled_per_day(load.requests_per_day(), assumptions))
        yield LineItem("X-Ray", "traces recorded", traces, prices.traces)


def _sampled_per_day(requests_per_day: Decimal, assumptions: Assumptions) -> Decimal:
    """X-Ray's default sampling: the first requests of each second, then a share of the rest."""
    per_second = requests_per_day / SECONDS_A_DAY
    reservoir = min(per_second, assumptions.trace_reservoir_per_second)
    return (reservoir + (per_second - reservoir) * assumptions.trace_rate) * SECONDS_A_DAY


def _messaging(
    facts: TemplateFacts, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    for name in facts.of_type("AWS::SQS::Queue"):
        # A message is sent, then received and deleted by the redrive: three requests.
        requests = assumptions.dead_letter_messages_a_month * 3
        yield LineItem("SQS", f"{name}: requests", requests, prices.queue_requests)
    for name in facts.of_type("AWS::SNS::Topic"):
        emails = assumptions.alarm_emails_a_month
        yield LineItem("SNS", f"{name}: e-mails", emails, prices.email_notifications)


def _parameters(facts: TemplateFacts, prices: Prices) -> Iterator[LineItem]:
    tiers: dict[str, int] = {}
    for parameter in facts.of_type("AWS::SSM::Parameter").values():
        tier = str(parameter.get("Tier", "Standard"))
        tiers[tier] = tiers.get(tier, 0) + 1
    for tier, count in sorted(tiers.items()):
        price = prices.advanced_parameter if tier == "Advanced" else prices.standard_parameter
        yield LineItem("SSM", f"parameters: {tier} tier", Decimal(count), price)


MINUTES_A_DAY = 1440
_TOKEN_UNIT_MINUTES: Mapping[str, Decimal] = {
    "seconds": Decimal(1) / 60,
    "minutes": Decimal(1),
    "hours": Decimal(60),
    "days": Decimal(1440),
}


def _m2m_clients(facts: TemplateFacts) -> dict[str, int]:
    """Each client-credentials app client, with how many minutes its access tokens live."""
    clients = {}
    for name, client in facts.of_type("AWS::Cognito::UserPoolClient").items():
        if "client_credentials" in client.get("AllowedOAuthFlows", []):
            unit = client.get("TokenValidityUnits", {}).get("AccessToken", "hours")
            validity = Decimal(client.get("AccessTokenValidity", 1))
            clients[name] = int(validity * _TOKEN_UNIT_MINUTES[unit])
    return clients


def _tokens_a_day(token_minutes: int, processes: int = 1) -> Decimal:
    return Decimal(math.ceil(MINUTES_A_DAY / token_minutes) * processes)


def _partner_clients(
    facts: TemplateFacts, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    clients = _m2m_clients(facts)
    if not clients:
        return
    count = len(clients)
    yield LineItem("Cognito", f"{count} app clients (M2M)", Decimal(count), prices.m2m_app_client)
    per_day = sum(
        (_tokens_a_day(minutes, assumptions.token_reuse_processes) for minutes in clients.values()),
        ZERO,
    )
    yield LineItem(
        "Cognito",
        f"token requests ({whole(per_day)} a day)",
        a_month(per_day),
        prices.m2m_token_requests,
    )


def partner_cost(facts: TemplateFacts, prices: Prices = US_EAST_1) -> PartnerCost | None:
    """One partner at its usage plan's daily quota (the first plan's), its app client's
    tokens reused for their life or requested for every API request."""
    clients = _m2m_clients(facts)
    plans = facts.of_type("AWS::ApiGateway::UsagePlan")
    quotas = [
        int(plan["Quota"]["Limit"])
        for plan in plans.values()
        if plan.get("Quota", {}).get("Period") == "DAY"
    ]
    if not clients or not quotas:
        return None
    minutes = min(clients.values())
    per_day = quotas[0]
    client = LineItem("Cognito", "1 app client (M2M)", ONE, prices.m2m_app_client)

    def tokens(how: str, a_day: Decimal) -> LineItem:
        item = f"token requests, {how} ({whole(a_day)} a day)"
        return LineItem("Cognito", item, a_month(a_day), prices.m2m_token_requests)

    return PartnerCost(
        requests_per_day=per_day,
        token_minutes=minutes,
        reused=(
            client,
            tokens(f"each token reused for its {minutes} minutes", _tokens_a_day(minutes)),
        ),
        per_request=(client, tokens("one per API request", Decimal(per_day))),
    )
