"""CloudWatch alarms (all to the alert topic, from a table) and the operations dashboard."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from troposphere import Sub, Template, cloudwatch

from generator.stack import names
from generator.stack.context import Context
from generator.stack.parts.alerts import Alerts
from generator.stack.parts.api import Api
from generator.stack.parts.functions import Functions
from generator.stack.parts.queues import Queues
from generator.stack.parts.storage import Storage
from generator.stack.substitution import placeholder

FIVE_MINUTES = 300
API_LATENCY_P99_LIMIT_MS = 500
ERROR_RATE_LIMIT_PERCENT = 1


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str


LAMBDA_ERRORS = Metric("AWS/Lambda", "Errors")
LAMBDA_INVOCATIONS = Metric("AWS/Lambda", "Invocations")
LAMBDA_THROTTLES = Metric("AWS/Lambda", "Throttles")
LAMBDA_DURATION = Metric("AWS/Lambda", "Duration")
API_REQUESTS = Metric("AWS/ApiGateway", "Count")
API_CLIENT_ERRORS = Metric("AWS/ApiGateway", "4XXError")
API_SERVER_ERRORS = Metric("AWS/ApiGateway", "5XXError")
API_LATENCY = Metric("AWS/ApiGateway", "Latency")
TABLE_READ_THROTTLES = Metric("AWS/DynamoDB", "ReadThrottleEvents")
TABLE_WRITE_THROTTLES = Metric("AWS/DynamoDB", "WriteThrottleEvents")
TABLE_CONSUMED_READS = Metric("AWS/DynamoDB", "ConsumedReadCapacityUnits")
TABLE_CONSUMED_WRITES = Metric("AWS/DynamoDB", "ConsumedWriteCapacityUnits")
QUEUE_VISIBLE_MESSAGES = Metric("AWS/SQS", "ApproximateNumberOfMessagesVisible")
# What the handlers emit (Powertools Metrics, dimension `service`); a contract test holds
# these names to the ones handlers/observability.py declares.
ORDER_METRICS = tuple(
    Metric(names.METRICS_NAMESPACE, name)
    for name in ("OrderCreated", "OrderQueued", "OrderUpdated", "RateLimited")
)


@dataclass(frozen=True)
class Dimensions:
    """A metric's dimensions, as an alarm takes them and as the dashboard body writes them."""

    alarm: dict[str, Any]
    dashboard: list[str]

    @classmethod
    def of(cls, **dimensions: tuple[Any, str]) -> Dimensions:
        """name=(alarm value, dashboard value with ${...} placeholders)."""
        return cls(
            alarm={name: alarm for name, (alarm, _) in dimensions.items()},
            dashboard=[part for name, (_, text) in dimensions.items() for part in (name, text)],
        )


@dataclass(frozen=True)
class Input:
    """One metric of an alarm's metric math."""

    query_id: str
    metric: Metric
    dimensions: Dimensions
    stat: str = "Sum"


@dataclass(frozen=True)
class ExpressionAlarm:
    """Alarms when the expression stays above the threshold for two 5-minute periods."""

    logical_id: str
    description: str
    inputs: tuple[Input, ...]
    expression: str
    threshold: float


@dataclass(frozen=True)
class Monitoring:
    alarms: tuple[cloudwatch.Alarm, ...]
    dashboard: cloudwatch.Dashboard


def _dimensions(
    api: Api, functions: Functions, storage: Storage, queues: Queues
) -> dict[str, Dimensions]:
    """The dimensions of everything watched: "api", "table", "queue", "service" and each
    function by name."""
    table, queue = storage.orders_table, queues.dead_letter_queue
    watched = {
        "api": Dimensions.of(
            ApiName=(Sub(api.name), api.name), Stage=(api.stage.ref(), placeholder(api.stage))
        ),
        "table": Dimensions.of(TableName=(table.ref(), placeholder(table))),
        "queue": Dimensions.of(
            QueueName=(queue.get_att("QueueName"), placeholder(queue, "QueueName"))
        ),
        "service": Dimensions.of(service=(names.SERVICE_NAME, names.SERVICE_NAME)),
    }
    for spec, function in functions:
        watched[spec.name] = Dimensions.of(FunctionName=(function.ref(), placeholder(function)))
    return watched


def alarm_table(functions: Functions, watched: dict[str, Dimensions]) -> list[ExpressionAlarm]:
    api, table = watched["api"], watched["table"]
    rate = "IF({total} > 0, 100 * {errors} / {total}, 0)"
    return [
        *(
            ExpressionAlarm(
                names.error_rate_alarm_id(spec.name),
                f"{spec.function_id}: more than {ERROR_RATE_LIMIT_PERCENT}% of invocations failed",
                (
                    Input("errors", LAMBDA_ERRORS, watched[spec.name]),
                    Input("invocations", LAMBDA_INVOCATIONS, watched[spec.name]),
                ),
                rate.format(errors="errors", total="invocations"),
                ERROR_RATE_LIMIT_PERCENT,
            )
            for spec, _ in functions
        ),
        ExpressionAlarm(
            names.API_SERVER_ERROR_RATE_ALARM,
            f"API: more than {ERROR_RATE_LIMIT_PERCENT}% of requests answered 5XX",
            (Input("errors", API_SERVER_ERRORS, api), Input("requests", API_REQUESTS, api)),
            rate.format(errors="errors", total="requests"),
            ERROR_RATE_LIMIT_PERCENT,
        ),
        ExpressionAlarm(
            names.API_LATENCY_P99_ALARM,
            f"API: p99 latency above {API_LATENCY_P99_LIMIT_MS} ms",
            (Input("latency", API_LATENCY, api, stat="p99"),),
            "latency",
            API_LATENCY_P99_LIMIT_MS,
        ),
        ExpressionAlarm(
            names.FUNCTION_THROTTLES_ALARM,
            "Lambda: invocations throttled",
            tuple(
                Input(spec.metric_id, LAMBDA_THROTTLES, watched[spec.name]) for spec, _ in functions
            ),
            " + ".join(spec.metric_id for spec, _ in functions),
            0,
        ),
        ExpressionAlarm(
            names.TABLE_THROTTLES_ALARM,
            "DynamoDB: requests to the orders table throttled",
            (
                Input("reads", TABLE_READ_THROTTLES, table),
                Input("writes", TABLE_WRITE_THROTTLES, table),
            ),
            "reads + writes",
            0,
        ),
    ]


def _metric_query(alarm_input: Input) -> cloudwatch.MetricDataQuery:
    return cloudwatch.MetricDataQuery(
        Id=alarm_input.query_id,
        ReturnData=False,
        MetricStat=cloudwatch.MetricStat(
            Metric=cloudwatch.Metric(
                Namespace=alarm_input.metric.namespace,
                MetricName=alarm_input.metric.name,
                Dimensions=[
                    cloudwatch.MetricDimension(Name=name, Value=value)
                    for name, value in sorted(alarm_input.dimensions.alarm.items())
                ],
            ),
            Period=FIVE_MINUTES,
            Stat=alarm_input.stat,
        ),
    )


def _expression_alarm(row: ExpressionAlarm, alerts: Alerts) -> cloudwatch.Alarm:
    # Two consecutive 5-minute periods; no data (an idle API) is not an alarm.
    return cloudwatch.Alarm(
        row.logical_id,
        AlarmDescription=row.description,
        Metrics=[
            *(_metric_query(alarm_input) for alarm_input in row.inputs),
            cloudwatch.MetricDataQuery(
                Id="result", Expression=row.expression, Label=row.description, ReturnData=True
            ),
        ],
        ComparisonOperator="GreaterThanThreshold",
        Threshold=row.threshold,
        EvaluationPeriods=2,
        DatapointsToAlarm=2,
        TreatMissingData="notBreaching",
        AlarmActions=[alerts.topic.ref()],
        OKActions=[alerts.topic.ref()],
    )


def _dead_letter_alarm(queue: Dimensions, alerts: Alerts) -> cloudwatch.Alarm:
    # One period: a single order waiting is worth a look.
    return cloudwatch.Alarm(
        names.DEAD_LETTER_QUEUE_MESSAGES_ALARM,
        AlarmDescription="Orders are waiting in the dead-letter queue: run the redrive",
        Namespace=QUEUE_VISIBLE_MESSAGES.namespace,
        MetricName=QUEUE_VISIBLE_MESSAGES.name,
        Dimensions=[
            cloudwatch.MetricDimension(Name=name, Value=value)
            for name, value in sorted(queue.alarm.items())
        ],
        Statistic="Maximum",
        Period=FIVE_MINUTES,
        EvaluationPeriods=1,
        ComparisonOperator="GreaterThanThreshold",
        Threshold=0,
        TreatMissingData="notBreaching",
        AlarmActions=[alerts.topic.ref()],
        OKActions=[alerts.topic.ref()],
    )


def _graph(title: str, lines: list[list[Any]], stat: str = "Sum") -> dict[str, Any]:
    return {
        "type": "metric",
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "region": "${AWS::Region}",
            "stat": stat,
            "period": FIVE_MINUTES,
            "view": "timeSeries",
            "metrics": lines,
        },
    }


def _line(metric: Metric, dimensions: Dimensions) -> list[str]:
    return [metric.namespace, metric.name, *dimensions.dashboard]


def dashboard_body(
    functions: Functions, watched: dict[str, Dimensions], alarms: list[cloudwatch.Alarm]
) -> str:
    """The dashboard JSON, with ${...} placeholders that the template's Fn::Sub fills."""
    api, table, queue = watched["api"], watched["table"], watched["queue"]
    each_function = [watched[spec.name] for spec, _ in functions]
    graphs = [
        _graph(
            "API requests and errors",
            [_line(m, api) for m in (API_REQUESTS, API_CLIENT_ERRORS, API_SERVER_ERRORS)],
        ),
        _graph("Lambda invocations", [_line(LAMBDA_INVOCATIONS, d) for d in each_function]),
        _graph(
            "Lambda duration (p99)",
            [_line(LAMBDA_DURATION, d) for d in each_function],
            stat="p99",
        ),
        _graph("Lambda errors", [_line(LAMBDA_ERRORS, d) for d in each_function]),
        _graph(
            "DynamoDB consumed capacity",
            [_line(m, table) for m in (TABLE_CONSUMED_READS, TABLE_CONSUMED_WRITES)],
        ),
        _graph(
            "Dead-letter queue: visible messages",
            [_line(QUEUE_VISIBLE_MESSAGES, queue)],
            stat="Maximum",
        ),
        _graph("Orders", [_line(m, watched["service"]) for m in ORDER_METRICS]),
    ]
    for position, graph in enumerate(graphs):
        graph["x"] = (position % 2) * 12
        graph["y"] = (position // 2) * 6
    alarm_status = {
        "type": "alarm",
        "x": 0,
        "y": (len(graphs) + 1) // 2 * 6,
        "width": 24,
        "height": 4,
        "properties": {
            "title": "Alarms",
            "alarms": [placeholder(alarm, "Arn") for alarm in alarms],
        },
    }
    return json.dumps({"widgets": [*graphs, alarm_status]}, sort_keys=True, separators=(",", ":"))


def build(
    t: Template,
    ctx: Context,
    *,
    api: Api,
    functions: Functions,
    storage: Storage,
    queues: Queues,
    alerts: Alerts,
) -> Monitoring:
    watched = _dimensions(api, functions, storage, queues)
    alarms: list[cloudwatch.Alarm] = [
        *(_expression_alarm(row, alerts) for row in alarm_table(functions, watched)),
        _dead_letter_alarm(watched["queue"], alerts),
    ]
    for alarm in alarms:
        t.add_resource(alarm)
    body = dashboard_body(functions, watched, alarms)
    dashboard = t.add_resource(cloudwatch.Dashboard(names.DASHBOARD, DashboardBody=Sub(body)))
    return Monitoring(alarms=tuple(alarms), dashboard=dashboard)
