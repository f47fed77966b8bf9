"""CloudWatch alarms (all to the alert topic) and the operations dashboard."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from troposphere import Sub, Template, cloudwatch

from generator import names
from generator.context import Context
from generator.parts.alerts import Alerts
from generator.parts.api import Api
from generator.parts.functions import Functions
from generator.parts.queues import Queues
from generator.parts.storage import Storage

FIVE_MINUTES = 300
API_LATENCY_P99_LIMIT_MS = 500
ERROR_RATE_LIMIT_PERCENT = 1


@dataclass(frozen=True)
class Monitoring:
    alarms: tuple[cloudwatch.Alarm, ...]
    dashboard: cloudwatch.Dashboard


def _metric(
    query_id: str, namespace: str, metric_name: str, dimensions: dict[str, Any], stat: str = "Sum"
) -> cloudwatch.MetricDataQuery:
    return cloudwatch.MetricDataQuery(
        Id=query_id,
        ReturnData=False,
        MetricStat=cloudwatch.MetricStat(
            Metric=cloudwatch.Metric(
                Namespace=namespace,
                MetricName=metric_name,
                Dimensions=[
                    cloudwatch.MetricDimension(Name=name, Value=value)
                    for name, value in sorted(dimensions.items())
                ],
            ),
            Period=FIVE_MINUTES,
            Stat=stat,
        ),
    )


def _expression_alarm(
    logical_id: str,
    description: str,
    inputs: list[cloudwatch.MetricDataQuery],
    expression: str,
    threshold: float,
    alerts: Alerts,
) -> cloudwatch.Alarm:
    # Two consecutive 5-minute periods; no data (an idle API) is not an alarm.
    return cloudwatch.Alarm(
        logical_id,
        AlarmDescription=description,
        Metrics=[
            *inputs,
            cloudwatch.MetricDataQuery(
                Id="result", Expression=expression, Label=description, ReturnData=True
            ),
        ],
        ComparisonOperator="GreaterThanThreshold",
        Threshold=threshold,
        EvaluationPeriods=2,
        DatapointsToAlarm=2,
        TreatMissingData="notBreaching",
        AlarmActions=[alerts.topic.ref()],
        OKActions=[alerts.topic.ref()],
    )


def _function_error_rate(logical_id: str, function: Any, alerts: Alerts) -> cloudwatch.Alarm:
    name = {"FunctionName": function.ref()}
    return _expression_alarm(
        logical_id,
        f"{function.title}: more than {ERROR_RATE_LIMIT_PERCENT}% of invocations failed",
        [
            _metric("errors", "AWS/Lambda", "Errors", name),
            _metric("invocations", "AWS/Lambda", "Invocations", name),
        ],
        "IF(invocations > 0, 100 * errors / invocations, 0)",
        ERROR_RATE_LIMIT_PERCENT,
        alerts,
    )


def _alarms(
    api: Api, functions: Functions, storage: Storage, queues: Queues, alerts: Alerts
) -> list[cloudwatch.Alarm]:
    api_dimensions = {"ApiName": Sub(api.name), "Stage": api.stage.ref()}
    table = {"TableName": storage.orders_table.ref()}
    processor = {"FunctionName": functions.order_processor.ref()}
    query = {"FunctionName": functions.query_orders.ref()}
    return [
        _function_error_rate("OrderProcessorErrorRateAlarm", functions.order_processor, alerts),
        _function_error_rate("QueryOrdersErrorRateAlarm", functions.query_orders, alerts),
        _expression_alarm(
            "ApiServerErrorRateAlarm",
            f"API: more than {ERROR_RATE_LIMIT_PERCENT}% of requests answered 5XX",
            [
                _metric("errors", "AWS/ApiGateway", "5XXError", api_dimensions),
                _metric("requests", "AWS/ApiGateway", "Count", api_dimensions),
            ],
            "IF(requests > 0, 100 * errors / requests, 0)",
            ERROR_RATE_LIMIT_PERCENT,
            alerts,
        ),
        _expression_alarm(
            "ApiLatencyP99Alarm",
            f"API: p99 latency above {API_LATENCY_P99_LIMIT_MS} ms",
            [_metric("latency", "AWS/ApiGateway", "Latency", api_dimensions, stat="p99")],
            "latency",
            API_LATENCY_P99_LIMIT_MS,
            alerts,
        ),
        _expression_alarm(
            "FunctionThrottlesAlarm",
            "Lambda: invocations throttled",
            [
                _metric("processor", "AWS/Lambda", "Throttles", processor),
                _metric("query", "AWS/Lambda", "Throttles", query),
            ],
            "processor + query",
            0,
            alerts,
        ),
        _expression_alarm(
            "TableThrottlesAlarm",
            "DynamoDB: requests to the orders table throttled",
            [
                _metric("reads", "AWS/DynamoDB", "ReadThrottleEvents", table),
                _metric("writes", "AWS/DynamoDB", "WriteThrottleEvents", table),
            ],
            "reads + writes",
            0,
            alerts,
        ),
        cloudwatch.Alarm(
            "DeadLetterQueueMessagesAlarm",
            AlarmDescription="Orders are waiting in the dead-letter queue: run the redrive",
            Namespace="AWS/SQS",
            MetricName="ApproximateNumberOfMessagesVisible",
            Dimensions=[
                cloudwatch.MetricDimension(
                    Name="QueueName", Value=queues.dead_letter_queue.get_att("QueueName")
                )
            ],
            Statistic="Maximum",
            Period=FIVE_MINUTES,
            EvaluationPeriods=1,
            ComparisonOperator="GreaterThanThreshold",
            Threshold=0,
            TreatMissingData="notBreaching",
            AlarmActions=[alerts.topic.ref()],
            OKActions=[alerts.topic.ref()],
        ),
    ]


def _graph(title: str, metrics: list[list[Any]], stat: str = "Sum") -> dict[str, Any]:
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
            "metrics": metrics,
        },
    }


def _placeholder(resource: Any, attribute: str = "") -> str:
    return f"${{{resource.title}.{attribute}}}" if attribute else f"${{{resource.title}}}"


def dashboard_body(
    api: Api,
    functions: Functions,
    storage: Storage,
    queues: Queues,
    alarms: list[cloudwatch.Alarm],
) -> str:
    """The dashboard JSON, with ${...} placeholders that the template's Fn::Sub fills."""
    api_dims = ["ApiName", api.name, "Stage", _placeholder(api.stage)]
    processor = ["FunctionName", _placeholder(functions.order_processor)]
    query = ["FunctionName", _placeholder(functions.query_orders)]
    table = ["TableName", _placeholder(storage.orders_table)]
    widgets = [
        _graph(
            "API requests and errors",
            [
                ["AWS/ApiGateway", "Count", *api_dims],
                ["AWS/ApiGateway", "4XXError", *api_dims],
                ["AWS/ApiGateway", "5XXError", *api_dims],
            ],
        ),
        _graph(
            "Lambda invocations",
            [["AWS/Lambda", "Invocations", *processor], ["AWS/Lambda", "Invocations", *query]],
        ),
        _graph(
            "Lambda duration (p99)",
            [["AWS/Lambda", "Duration", *processor], ["AWS/Lambda", "Duration", *query]],
            stat="p99",
        ),
        _graph(
            "Lambda errors",
            [["AWS/Lambda", "Errors", *processor], ["AWS/Lambda", "Errors", *query]],
        ),
        _graph(
            "DynamoDB consumed capacity",
            [
                ["AWS/DynamoDB", "ConsumedReadCapacityUnits", *table],
                ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", *table],
            ],
        ),
        _graph(
            "Dead-letter queue: visible messages",
            [
                [
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    "QueueName",
                    _placeholder(queues.dead_letter_queue, "QueueName"),
                ]
            ],
            stat="Maximum",
        ),
        {
            "type": "alarm",
            "width": 24,
            "height": 4,
            "properties": {
                "title": "Alarms",
                "alarms": [_placeholder(alarm, "Arn") for alarm in alarms],
            },
        },
    ]
    for position, widget in enumerate(widgets):
        widget["x"] = (position % 2) * 12
        widget["y"] = (position // 2) * 6
    return json.dumps({"widgets": widgets}, sort_keys=True, separators=(",", ":"))


def build(
    t: Template,
    ctx: Context,
    api: Api,
    functions: Functions,
    storage: Storage,
    queues: Queues,
    alerts: Alerts,
) -> Monitoring:
    alarms = t.add_resource(_alarms(api, functions, storage, queues, alerts))
    body = dashboard_body(api, functions, storage, queues, alarms)
    dashboard = t.add_resource(cloudwatch.Dashboard(names.DASHBOARD, DashboardBody=Sub(body)))
    return Monitoring(alarms=tuple(alarms), dashboard=dashboard)
