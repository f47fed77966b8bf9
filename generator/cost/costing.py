"""A monthly cost estimate of one stack, from its rendered template: `python -m generator cost`.

What the stack *is* comes from the template (generator/stack_facts.py reads it): memory
sizes, the routes and the function behind each, the orders table's billing mode, capacity
and auto-scaling, point-in-time recovery, log retention, the alarms and their metrics, the
dashboard, the web ACL and its rules, keys, parameter tiers, tracing, detailed metrics.
What the stack *does* is assumed (requests per order, item size, durations, log volume):
ASSUMPTIONS, printed with every estimate. Prices are generator/prices.py's.

Money is Decimal throughout; each line is rounded to the cent once and the total is the sum
of the rounded lines, so a printed table adds up. The cents are arithmetic, not precision:
the assumptions move the total far more.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from generator.cost.prices import ONE, PRICE_REGION, US_EAST_1, Price, Prices
from generator.cost.template_facts import DIMENSIONS, Stack, Throughput, referenced
from generator.stack.function_specs import Resource

HOURS_A_MONTH = Decimal(730)  # the month of AWS's pricing pages
SECONDS_A_DAY = Decimal(86_400)
GB = Decimal(1024**3)
CENT = Decimal("0.01")
ZERO = Decimal(0)
# DynamoDB counts 100 bytes of overhead per item in storage, in the table and in an index.
ITEM_OVERHEAD_BYTES = 100
WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
# The stage logging level that writes API Gateway's execution log for every request.
EXECUTION_LOG_LEVEL = "INFO"


def a_month(per_day: Decimal) -> Decimal:
    return per_day * HOURS_A_MONTH / 24


@dataclass(frozen=True)
class RouteUse:
    """One request to a route: how many an order makes, and what each costs the backend."""

    per_order: Decimal
    # Billed function time, an average with cold starts included.
    duration_ms: Decimal
    # Orders read one by one from the table, strongly consistent (a Query on the key).
    orders_read: int = 0
    # Orders read by each eventually consistent Query on the customer index.
    index_queries: tuple[int, ...] = ()
    # Orders written; each write also writes the index (the item carries its keys).
    orders_written: int = 0
    # Powertools idempotency records written (in progress, then completed).
    idempotency_writes: int = 0


@dataclass(frozen=True)
class Assumptions:
    routes: Mapping[str, RouteUse]
    order_item_bytes: int
    # How long the orders table (and the execution log, which never expires) has grown.
    months_running: int
    # Per invocation, by the function's POWERTOOLS_LOG_LEVEL; Lambda's own lines included.
    function_log_bytes: Mapping[str, int]
    access_log_bytes: int
    execution_log_bytes: int
    data_trace_log_bytes: int
    # How often each resource encrypted with a key calls KMS (services cache data keys).
    kms_requests_per_encrypted_resource_hour: Decimal
    trace_reservoir_per_second: Decimal
    trace_rate: Decimal
    # API Gateway's metrics per method when detailed metrics are on (its documented list).
    metrics_per_method: int
    dead_letter_messages_a_month: Decimal = ZERO
    alarm_emails_a_month: Decimal = ZERO
    # Token requests a day per app client when partners reuse each token for its life (one
    # process each): a day's worth of its validity. Without reuse, one per API request.
    token_reuse_processes: int = 1


ASSUMPTIONS = Assumptions(
    routes={
        # What each request calls, as handlers/orders/service.py and handlers/store/ do.
        "POST /orders": RouteUse(
            per_order=Decimal(1),
            duration_ms=Decimal(150),
            index_queries=(1,),  # the rate limit counts the customer's orders of the hour
            orders_written=1,
            idempotency_writes=2,
        ),
        # One per status change: confirmed, preparing, out_for_delivery, delivered.
        "PUT /orders/{orderId}": RouteUse(
            per_order=Decimal(4), duration_ms=Decimal(80), orders_read=1, orders_written=1
        ),
        "GET /orders/{orderId}": RouteUse(
            per_order=Decimal(2), duration_ms=Decimal(40), orders_read=1
        ),
        "GET /orders/customer/{customerId}": RouteUse(
            per_order=Decimal(1), duration_ms=Decimal(50), index_queries=(5,)
        ),
    },
    order_item_bytes=1024,
    months_running=12,
    function_log_bytes={"DEBUG": 4000, "INFO": 1200, "WARNING": 500, "ERROR": 500},
    access_log_bytes=500,
    execution_log_bytes=2000,
    data_trace_log_bytes=3000,
    kms_requests_per_encrypted_resource_hour=Decimal(12),
    trace_reservoir_per_second=Decimal(1),
    trace_rate=Decimal("0.05"),
    metrics_per_method=7,
)


# --- the estimate ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Estimate:
    environment: str
    orders_per_day: int
    region: str
    requests_per_day: Decimal
    items: tuple[LineItem, ...]
    orders_table: TableBilling | None
    assumptions: tuple[str, ...]
    notes: tuple[str, ...]
    partner: PartnerCost | None = None

    @property
    def total_usd(self) -> Decimal:
        return total(self.items)


def total(items: Iterable[LineItem]) -> Decimal:
    return sum((line.usd for line in items), ZERO)


def estimate(
    template: Mapping[str, Any],
    *,
    environment: str,
    orders_per_day: int,
    region: str = PRICE_REGION,
    assumptions: Assumptions = ASSUMPTIONS,
    prices: Prices = US_EAST_1,
) -> Estimate:
    stack = Stack(template)
    load = Load.of(stack, assumptions, orders_per_day)
    demand = Demand.of(load, assumptions, indexes=_indexes(stack))
    orders_table = _orders_table(stack, demand, prices)
    items = (
        *_api(stack, load, assumptions, prices),
        *_functions(stack, load, prices),
        *(orders_table.as_in_template if orders_table else ()),
        *_storage(stack, load, assumptions, prices),
        *_idempotency(stack, demand, assumptions, prices),
        *_keys(stack, assumptions, prices),
        *_monitoring(stack, prices),
        *_logs(stack, load, assumptions, prices),
        *_firewall(stack, load, prices),
        *_tracing(stack, load, assumptions, prices),
        *_messaging(stack, assumptions, prices),
        *_parameters(stack, prices),
        *_partner_clients(stack, assumptions, prices),
    )
    return Estimate(
        environment=environment,
        orders_per_day=orders_per_day,
        region=region,
        requests_per_day=load.requests_per_day(),
        items=items,
        orders_table=orders_table,
        assumptions=describe(assumptions, load),
        notes=tuple(_notes(stack, load, demand, region)),
        partner=partner_cost(stack, prices),
    )


# --- the workload ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """The template's routes with what an order asks of each (in the assumptions' order)."""

    orders_per_day: Decimal
    routes: Mapping[str, tuple[str, RouteUse]]  # route -> (its function, its use)
    unassumed_routes: tuple[str, ...]

    @classmethod
    def of(cls, stack: Stack, assumptions: Assumptions, orders_per_day: int) -> Load:
        functions = stack.routes()
        return cls(
            orders_per_day=Decimal(orders_per_day),
            routes={
                route: (functions[route], use)
                for route, use in assumptions.routes.items()
                if route in functions
            },
            unassumed_routes=tuple(sorted(set(functions) - set(assumptions.routes))),
        )

    def per_day(self, use: RouteUse) -> Decimal:
        return self.orders_per_day * use.per_order

    def requests_per_day(self, function: str | None = None) -> Decimal:
        return sum(
            (self.per_day(use) for name, use in self.routes.values() if function in (None, name)),
            ZERO,
        )

    def seconds_per_day(self, function: str) -> Decimal:
        return sum(
            (
                self.per_day(use) * use.duration_ms / 1000
                for name, use in self.routes.values()
                if name == function
            ),
            ZERO,
        )

    @property
    def methods_with_traffic(self) -> int:
        return sum(1 for _, use in self.routes.values() if self.per_day(use) > 0)


@dataclass(frozen=True)
class Demand:
    """DynamoDB request units a day: the orders table's dimensions, and idempotency writes."""

    units: Mapping[str, Decimal]  # by stack_facts.DIMENSIONS
    idempotency_writes: Decimal
    idempotency_records: Decimal  # kept a day (TTL)

    @classmethod
    def of(cls, load: Load, assumptions: Assumptions, *, indexes: int) -> Demand:
        """indexes: the orders table's global secondary indexes. Each one gets every write;
        the first gets the index queries (with none, they would read the table)."""
        item = assumptions.order_item_bytes
        write = Decimal(math.ceil(item / WRITE_UNIT_BYTES))
        strong_read = Decimal(math.ceil(item / READ_UNIT_BYTES))
        units = dict.fromkeys(DIMENSIONS, ZERO)
        idempotency_writes = idempotency_records = ZERO
        queried = "index read" if indexes else "table read"
        for _, use in load.routes.values():
            requests = load.per_day(use)
            # Eventually consistent: half a unit per 4 KB the query reads.
            query_units = sum(
                (Decimal(math.ceil(n * item / READ_UNIT_BYTES)) / 2 for n in use.index_queries),
                ZERO,
            )
            units["table read"] += requests * use.orders_read * strong_read
            units[queried] += requests * query_units
            units["table write"] += requests * use.orders_written * write
            units["index write"] += requests * use.orders_written * write * indexes
            idempotency_writes += requests * use.idempotency_writes * write
            idempotency_records += requests if use.idempotency_writes else ZERO
        return cls(units, idempotency_writes, idempotency_records)

    def per_second(self, dimension: str) -> Decimal:
        return self.units[dimension] / SECONDS_A_DAY

    def reads(self) -> Decimal:
        return self.units["table read"] + self.units["index read"]

    def writes(self) -> Decimal:
        return self.units["table write"] + self.units["index write"]


def _indexes(stack: Stack) -> int:
    table = stack.named_by_functions(Resource.ORDERS_TABLE)
    return len(stack.properties(table).get("GlobalSecondaryIndexes", [])) if table else 0


# --- line items, by service -----------------------------------------------------------------


def _api(stack: Stack, load: Load, assumptions: Assumptions, prices: Prices) -> Iterator[LineItem]:
    if not stack.of_type("AWS::ApiGateway::RestApi"):
        return
    requests = a_month(load.requests_per_day())
    yield LineItem("API Gateway", "REST API requests", requests, prices.api_requests)
    if stack.stage_setting("MetricsEnabled") is True:
        methods, per_method = load.methods_with_traffic, assumptions.metrics_per_method
        item = f"detailed API metrics: {methods} methods x {per_method}"
        yield LineItem("CloudWatch", item, Decimal(methods * per_method), prices.custom_metric)


def _functions(stack: Stack, load: Load, prices: Prices) -> Iterator[LineItem]:
    for name, function in stack.functions().items():
        memory_mb = int(function.get("MemorySize", 128))
        requests = a_month(load.requests_per_day(name))
        gb_seconds = a_month(load.seconds_per_day(name)) * memory_mb / 1024
        yield LineItem("Lambda", f"{name}: requests", requests, prices.lambda_requests)
        yield LineItem("Lambda", f"{name}: {memory_mb} MB", gb_seconds, prices.lambda_compute)


def _orders_table(stack: Stack, demand: Demand, prices: Prices) -> TableBilling | None:
    table = stack.named_by_functions(Resource.ORDERS_TABLE)
    if table is None:
        return None
    reads, writes = a_month(demand.reads()), a_month(demand.writes())
    on_demand = (
        LineItem("DynamoDB", f"{table}: reads, on-demand", reads, prices.dynamodb_read_requests),
        LineItem("DynamoDB", f"{table}: writes, on-demand", writes, prices.dynamodb_write_requests),
    )
    throughputs = stack.throughputs(table)
    return TableBilling(
        table=table,
        on_demand_in_template=stack.properties(table).get("BillingMode") == "PAY_PER_REQUEST",
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
        words += f"; auto-scaling {low}..{high} at {_plain(target or ZERO)} %"
    elif scaling:
        words += "; auto-scaling on each"
    return words


def _units(throughputs: Mapping[str, Throughput], owner: str, kind: str) -> str:
    throughput = throughputs.get(f"{owner} {kind}")
    return "-" if throughput is None else str(throughput.units)


def _storage(
    stack: Stack, load: Load, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    table = stack.named_by_functions(Resource.ORDERS_TABLE)
    if table is not None:
        orders_kept = a_month(load.orders_per_day) * assumptions.months_running
        yield from _table_storage(stack, table, orders_kept, assumptions, prices)


def _table_storage(
    stack: Stack, table: str, items: Decimal, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    """The table and each index (a full copy: projection ALL), and the table's own
    point-in-time recovery when it is on."""
    properties = stack.properties(table)
    table_gb = items * (assumptions.order_item_bytes + ITEM_OVERHEAD_BYTES) / GB
    indexes = len(properties.get("GlobalSecondaryIndexes", []))
    where = f", table + {indexes} index{'es' if indexes > 1 else ''}" if indexes else ""
    yield LineItem(
        "DynamoDB", f"{table}: storage{where}", table_gb * (1 + indexes), prices.dynamodb_storage
    )
    if properties.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
        yield LineItem("DynamoDB", f"{table}: backup (PITR)", table_gb, prices.dynamodb_backup)


def _idempotency(
    stack: Stack, demand: Demand, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    table = stack.named_by_functions(Resource.IDEMPOTENCY_TABLE)
    if table is None:
        return
    writes = a_month(demand.idempotency_writes)
    yield LineItem(
        "DynamoDB", f"{table}: writes, on-demand", writes, prices.dynamodb_write_requests
    )
    # Records expire after a day: a day's worth is stored at any time.
    yield from _table_storage(stack, table, demand.idempotency_records, assumptions, prices)


def _keys(stack: Stack, assumptions: Assumptions, prices: Prices) -> Iterator[LineItem]:
    for key in stack.of_type("AWS::KMS::Key"):
        yield LineItem("KMS", f"{key}", Decimal(1), prices.kms_key)
    encrypted = len(stack.encrypted_resources())
    if encrypted:
        requests = encrypted * assumptions.kms_requests_per_encrypted_resource_hour * HOURS_A_MONTH
        yield LineItem(
            "KMS", f"requests: {encrypted} resources encrypted", requests, prices.kms_requests
        )


def _monitoring(stack: Stack, prices: Prices) -> Iterator[LineItem]:
    alarms = stack.of_type("AWS::CloudWatch::Alarm")
    if alarms:
        metrics = sum(_alarm_metrics(alarm) for alarm in alarms.values())
        item = f"{len(alarms)} alarms ({metrics} metrics)"
        yield LineItem("CloudWatch", item, Decimal(metrics), prices.alarm_metric)
    dashboards = stack.of_type("AWS::CloudWatch::Dashboard")
    for name in dashboards:
        yield LineItem("CloudWatch", f"{name}", Decimal(1), prices.dashboard)
    custom = _custom_metrics(stack, dashboards.values())
    if custom:
        yield LineItem(
            "CloudWatch", "custom metrics (the handlers')", Decimal(custom), prices.custom_metric
        )


def _alarm_metrics(alarm: Mapping[str, Any]) -> int:
    """The metrics an alarm is billed for: each metric of its metric math, or its one."""
    metrics = alarm.get("Metrics")
    return 1 if metrics is None else sum(1 for metric in metrics if "MetricStat" in metric)


def _custom_metrics(stack: Stack, dashboards: Iterable[Mapping[str, Any]]) -> int:
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
        1 for name in stack.functions() if stack.variable(name, "POWERTOOLS_METRICS_NAMESPACE")
    )
    return len(graphed) + cold_starts


@dataclass(frozen=True)
class LogVolume:
    name: str
    bytes_per_day: Decimal
    retention_days: int | None  # None: never expires


def _log_volumes(stack: Stack, load: Load, assumptions: Assumptions) -> Iterator[LogVolume]:
    logged = assumptions.function_log_bytes
    for name in stack.functions():
        group = stack.log_group_of(name)
        level = str(stack.variable(name, "POWERTOOLS_LOG_LEVEL") or "INFO")
        if group is not None:
            per_call = logged.get(level, logged["INFO"])
            volume = load.requests_per_day(name) * per_call
            yield LogVolume(group, volume, stack.retention_days(group))
    requests = load.requests_per_day()
    access = referenced(stack.stage().get("AccessLogSetting", {}).get("DestinationArn"))
    if access is not None:
        volume = requests * assumptions.access_log_bytes
        yield LogVolume(access, volume, stack.retention_days(access))
    if stack.stage_setting("LoggingLevel") == EXECUTION_LOG_LEVEL:
        per_request = assumptions.execution_log_bytes
        if stack.stage_setting("DataTraceEnabled") is True:
            per_request += assumptions.data_trace_log_bytes
        # API Gateway creates this log group itself: no template sets its retention.
        yield LogVolume("API execution log", requests * per_request, None)


def _logs(stack: Stack, load: Load, assumptions: Assumptions, prices: Prices) -> Iterator[LineItem]:
    days_running = a_month(Decimal(assumptions.months_running))
    for volume in _log_volumes(stack, load, assumptions):
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


def _firewall(stack: Stack, load: Load, prices: Prices) -> Iterator[LineItem]:
    associated = {
        referenced(association.get("WebACLArn"))
        for association in stack.of_type("AWS::WAFv2::WebACLAssociation").values()
    }
    for name, acl in stack.of_type("AWS::WAFv2::WebACL").items():
        rules = Decimal(len(acl.get("Rules", [])))
        requests = a_month(load.requests_per_day()) if name in associated else ZERO
        yield LineItem("WAF", f"{name}", Decimal(1), prices.web_acl)
        yield LineItem("WAF", f"{name}: rules", rules, prices.web_acl_rule)
        yield LineItem("WAF", f"{name}: requests", requests, prices.web_acl_requests)


def _tracing(
    stack: Stack, load: Load, assumptions: Assumptions, prices: Prices
) -> Iterator[LineItem]:
    traced_functions = any(
        function.get("TracingConfig", {}).get("Mode") == "Active"
        for function in stack.functions().values()
    )
    if stack.stage().get("TracingEnabled") is True or traced_functions:
        traces = a_month(_sampled_per_day(load.requests_per_day(), assumptions))
        yield LineItem("X-Ray", "traces recorded", traces, prices.traces)


def _sampled_per_day(requests_per_day: Decimal, assumptions: Assumptions) -> Decimal:
    """X-Ray's default sampling: the first requests of each second, then a share of the rest."""
    per_second = requests_per_day / SECONDS_A_DAY
    reservoir = min(per_second, assumptions.trace_reservoir_per_second)
    return (reservoir + (per_second - reservoir) * assumptions.trace_rate) * SECONDS_A_DAY


def _messaging(stack: Stack, assumptions: Assumptions, prices: Prices) -> Iterator[LineItem]:
    for name in stack.of_type("AWS::SQS::Queue"):
        # A message is sent, then received and deleted by the redrive: three requests.
        requests = assumptions.dead_letter_messages_a_month * 3
        yield LineItem("SQS", f"{name}: requests", requests, prices.queue_requests)
    for name in stack.of_type("AWS::SNS::Topic"):
        emails = assumptions.alarm_emails_a_month
        yield LineItem("SNS", f"{name}: e-mails", emails, prices.email_notifications)


def _parameters(stack: Stack, prices: Prices) -> Iterator[LineItem]:
    tiers: dict[str, int] = {}
    for parameter in stack.of_type("AWS::SSM::Parameter").values():
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


def _m2m_clients(stack: Stack) -> dict[str, int]:
    """Each client-credentials app client, with how many minutes its access tokens live."""
    clients = {}
    for name, client in stack.of_type("AWS::Cognito::UserPoolClient").items():
        if "client_credentials" in client.get("AllowedOAuthFlows", []):
            unit = client.get("TokenValidityUnits", {}).get("AccessToken", "hours")
            validity = Decimal(client.get("AccessTokenValidity", 1))
            clients[name] = int(validity * _TOKEN_UNIT_MINUTES[unit])
    return clients


def _tokens_a_day(token_minutes: int, processes: int = 1) -> Decimal:
    return Decimal(math.ceil(MINUTES_A_DAY / token_minutes) * processes)


def _partner_clients(stack: Stack, assumptions: Assumptions, prices: Prices) -> Iterator[LineItem]:
    clients = _m2m_clients(stack)
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
        f"token requests ({_whole(per_day)} a day)",
        a_month(per_day),
        prices.m2m_token_requests,
    )


def partner_cost(stack: Stack, prices: Prices = US_EAST_1) -> PartnerCost | None:
    """One partner at its usage plan's daily quota (the first plan's), its app client's
    tokens reused for their life or requested for every API request."""
    clients = _m2m_clients(stack)
    plans = stack.of_type("AWS::ApiGateway::UsagePlan")
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
        item = f"token requests, {how} ({_whole(a_day)} a day)"
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


# --- what else the reader must know ---------------------------------------------------------


def _notes(stack: Stack, load: Load, demand: Demand, region: str) -> Iterator[str]:
    if region != PRICE_REGION:
        yield (
            f"these are {PRICE_REGION} prices: {region} has its own (most regions cost more); "
            "see the pricing pages"
        )
    per_day = load.requests_per_day()
    for plan in stack.of_type("AWS::ApiGateway::UsagePlan").values():
        quota = plan.get("Quota", {})
        limit = int(quota.get("Limit", 0))
        if quota.get("Period") == "DAY" and 0 < limit < per_day:
            yield (
                f"{_whole(per_day)} requests a day exceed the usage plan's quota of "
                f"{_whole(Decimal(limit))} a day per API key: they need "
                f"{math.ceil(per_day / limit)} keys (partners) at least"
            )
    rate = stack.stage_setting("ThrottlingRateLimit")
    if rate is not None and per_day / SECONDS_A_DAY > Decimal(str(rate)):
        yield (
            f"{_whole(per_day / SECONDS_A_DAY)} requests a second on average exceed the "
            f"stage's throttle of {rate} a second"
        )
    table = stack.named_by_functions(Resource.ORDERS_TABLE)
    throughputs = stack.throughputs(table) if table else {}
    for dimension, throughput in throughputs.items():
        if throughput.throttles(demand.per_second(dimension)):
            yield (
                f"{table} {dimension}s would be throttled: demand is above the most it can "
                "provision"
            )
    if load.unassumed_routes:
        yield "no requests assumed for " + ", ".join(load.unassumed_routes)


def describe(assumptions: Assumptions, load: Load) -> tuple[str, ...]:
    """The assumptions in words, for the routes this template has."""
    uses = {route: use for route, (_, use) in load.routes.items()}
    per_order = sum((use.per_order for use in uses.values()), ZERO)
    item = assumptions.order_item_bytes
    requests = ", ".join(f"{route} {_plain(use.per_order)}" for route, use in uses.items())
    durations = ", ".join(f"{route} {_plain(use.duration_ms)} ms" for route, use in uses.items())
    calls = "; ".join(f"{route}: {_calls(use)}" for route, use in uses.items())
    levels = ", ".join(
        f"{size:,} at {level}" for level, size in assumptions.function_log_bytes.items()
    )
    return (
        (
            f"requests per order: {requests} ({_plain(per_order)} in all); no CORS "
            "preflights (partners call from servers)"
        ),
        (
            "traffic spread evenly over the day, a month of 730 hours: daily peaks would "
            "raise auto-scaled provisioned capacity, not on-demand prices"
        ),
        (
            "billed function time per request, cold starts included (assumed, not measured "
            f"on AWS): {durations}"
        ),
        (
            f"an order is a {item:,}-byte item: {math.ceil(item / WRITE_UNIT_BYTES)} write "
            f"unit; read alone, {math.ceil(item / READ_UNIT_BYTES)} strongly consistent "
            "read unit; every write also writes the index"
        ),
        f"DynamoDB calls per request, as the handlers make them: {calls}",
        (
            f"storage after {assumptions.months_running} months: every order is kept (table, "
            "index, backup), and so is API Gateway's execution log, which never expires"
        ),
        (
            f"log bytes per invocation: {levels}; access log {assumptions.access_log_bytes:,}"
            f" a request; execution log {assumptions.execution_log_bytes:,} a request (+"
            f"{assumptions.data_trace_log_bytes:,} with data trace); kept as ingested "
            "(CloudWatch compresses what it keeps: an upper bound)"
        ),
        (
            "each resource encrypted with a key calls KMS "
            f"{_plain(assumptions.kms_requests_per_encrypted_resource_hour)} times an hour "
            "(data keys are cached)"
        ),
        (
            f"X-Ray samples {_plain(assumptions.trace_reservoir_per_second)} request a "
            f"second and {_plain(assumptions.trace_rate * 100)} % of the rest"
        ),
        (
            f"API detailed metrics: {assumptions.metrics_per_method} per method with "
            "traffic; custom metrics: the dashboard's, and Powertools' ColdStart per function"
        ),
        (
            "no dead-letter messages, no alarm e-mails; SSM reads are cached (standard "
            "throughput is free)"
        ),
        (
            "each partner's app client asks for a token when its last one expires, from "
            f"{assumptions.token_reuse_processes} process; no user of the pool signs in "
            "(no monthly active users)"
        ),
        "prices: first tier, no free tier, no data transfer out, no tax",
    )


def _calls(use: RouteUse) -> str:
    calls = []
    if use.orders_read:
        calls.append(f"{use.orders_read} order read")
    calls.extend(f"1 index query ({_orders(n)})" for n in use.index_queries)
    if use.orders_written:
        calls.append(f"{use.orders_written} order written")
    if use.idempotency_writes:
        calls.append(f"{use.idempotency_writes} idempotency records written")
    return ", ".join(calls) or "none"


def _orders(count: int) -> str:
    return f"{count} order" if count == 1 else f"{count} orders"


def _plain(value: Decimal) -> str:
    """5, 0.5, 70: a Decimal without exponent or trailing zeros."""
    return f"{value.normalize():f}"


def _whole(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
