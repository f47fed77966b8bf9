"""Alarms that can fire, the dashboard, and the exported outputs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.stack.conftest import CheckedTemplate

TOPIC = [{"Ref": "AlertTopic"}]


def _alarms(view: CheckedTemplate) -> dict[str, dict[str, Any]]:
    return {
        lid: r["Properties"] for lid, r in view.resources_of_type("AWS::CloudWatch::Alarm").items()
    }


def _inputs(alarm: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {
        query["Id"]: (
            query["MetricStat"]["Metric"]["Namespace"],
            query["MetricStat"]["Metric"]["MetricName"],
            query["MetricStat"]["Stat"],
        )
        for query in alarm["Metrics"]
        if "MetricStat" in query
    }


def _dimensions(alarm: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        query["Id"]: query["MetricStat"]["Metric"]["Dimensions"]
        for query in alarm["Metrics"]
        if "MetricStat" in query
    }


def _expression(alarm: dict[str, Any]) -> str:
    [result] = [query for query in alarm["Metrics"] if query.get("ReturnData")]
    return result["Expression"]


@pytest.mark.parametrize(
    ("alarm_id", "function"),
    [
        ("OrderProcessorErrorRateAlarm", "OrderProcessorFunction"),
        ("QueryOrdersErrorRateAlarm", "QueryOrdersFunction"),
    ],
)
def test_function_error_rate_alarm_is_metric_math_above_one_percent(
    prod: CheckedTemplate, alarm_id: str, function: str
) -> None:
    # Trap 7: errors / invocations x 100 > 1, not Average(Errors) >= 1 (which needs 100 %).
    alarm = _alarms(prod)[alarm_id]
    assert _inputs(alarm) == {
        "errors": ("AWS/Lambda", "Errors", "Sum"),
        "invocations": ("AWS/Lambda", "Invocations", "Sum"),
    }
    assert _expression(alarm) == "IF(invocations > 0, 100 * errors / invocations, 0)"
    for query in alarm["Metrics"]:
        if "MetricStat" in query:
            assert query["MetricStat"]["Metric"]["Dimensions"] == [
                {"Name": "FunctionName", "Value": {"Ref": function}}
            ]
            assert query["MetricStat"]["Period"] == 300
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 1)
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (2, 2)
    assert alarm["TreatMissingData"] == "notBreaching"


def test_every_alarm_notifies_the_topic_and_ignores_an_idle_api(prod: CheckedTemplate) -> None:
    alarms = _alarms(prod)
    assert set(alarms) == {
        "OrderProcessorErrorRateAlarm",
        "QueryOrdersErrorRateAlarm",
        "ApiServerErrorRateAlarm",
        "ApiLatencyP99Alarm",
        "FunctionThrottlesAlarm",
        "TableThrottlesAlarm",
        "DeadLetterQueueMessagesAlarm",
    }
    for alarm_id, alarm in alarms.items():
        assert alarm["AlarmActions"] == TOPIC, alarm_id
        assert alarm["OKActions"] == TOPIC, alarm_id
        assert alarm["TreatMissingData"] == "notBreaching", alarm_id


def test_api_alarms_watch_5xx_rate_and_p99_latency(prod: CheckedTemplate) -> None:
    alarms = _alarms(prod)
    errors = alarms["ApiServerErrorRateAlarm"]
    assert _inputs(errors) == {
        "errors": ("AWS/ApiGateway", "5XXError", "Sum"),
        "requests": ("AWS/ApiGateway", "Count", "Sum"),
    }
    assert errors["Threshold"] == 1
    assert _expression(errors) == "IF(requests > 0, 100 * errors / requests, 0)"
    latency = alarms["ApiLatencyP99Alarm"]
    assert _inputs(latency) == {"latency": ("AWS/ApiGateway", "Latency", "p99")}
    assert _expression(latency) == "latency"
    assert latency["Threshold"] == 500
    dimensions = latency["Metrics"][0]["MetricStat"]["Metric"]["Dimensions"]
    assert dimensions == [
        {"Name": "ApiName", "Value": {"Fn::Sub": "${AWS::StackName}-api"}},
        {"Name": "Stage", "Value": {"Ref": "ApiStage"}},
    ]
    assert prod.props("OrdersApi")["Name"] == {"Fn::Sub": "${AWS::StackName}-api"}


def test_throttle_and_dead_letter_alarms(prod: CheckedTemplate) -> None:
    alarms = _alarms(prod)
    assert _inputs(alarms["FunctionThrottlesAlarm"]) == {
        "processor": ("AWS/Lambda", "Throttles", "Sum"),
        "query": ("AWS/Lambda", "Throttles", "Sum"),
    }
    assert _inputs(alarms["TableThrottlesAlarm"]) == {
        "reads": ("AWS/DynamoDB", "ReadThrottleEvents", "Sum"),
        "writes": ("AWS/DynamoDB", "WriteThrottleEvents", "Sum"),
    }
    # Any throttle at all alarms: the expression sums them, and the threshold is zero
    for alarm_id, expression in (
        ("FunctionThrottlesAlarm", "processor + query"),
        ("TableThrottlesAlarm", "reads + writes"),
    ):
        assert _expression(alarms[alarm_id]) == expression
        assert (alarms[alarm_id]["ComparisonOperator"], alarms[alarm_id]["Threshold"]) == (
            "GreaterThanThreshold",
            0,
        )
    assert _dimensions(alarms["FunctionThrottlesAlarm"]) == {
        "processor": [{"Name": "FunctionName", "Value": {"Ref": "OrderProcessorFunction"}}],
        "query": [{"Name": "FunctionName", "Value": {"Ref": "QueryOrdersFunction"}}],
    }
    assert _dimensions(alarms["TableThrottlesAlarm"]) == {
        "reads": [{"Name": "TableName", "Value": {"Ref": "OrdersTable"}}],
        "writes": [{"Name": "TableName", "Value": {"Ref": "OrdersTable"}}],
    }
    dlq = alarms["DeadLetterQueueMessagesAlarm"]
    assert (dlq["MetricName"], dlq["Statistic"], dlq["Threshold"]) == (
        "ApproximateNumberOfMessagesVisible",
        "Maximum",
        0,
    )
    # One period: a single order waiting is worth a look at once
    assert (dlq["Period"], dlq["EvaluationPeriods"]) == (300, 1)
    assert dlq["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["OrderDeadLetterQueue", "QueueName"]}}
    ]


def test_dashboard_has_the_design_graphs_the_orders_and_the_alarm_status(
    prod: CheckedTemplate,
) -> None:
    body = json.loads(prod.props("Dashboard")["DashboardBody"]["Fn::Sub"])
    graphs = {
        w["properties"]["title"]: [metric[:2] for metric in w["properties"]["metrics"]]
        for w in body["widgets"]
        if w["type"] == "metric"
    }
    assert graphs == {
        "API requests and errors": [
            ["AWS/ApiGateway", "Count"],
            ["AWS/ApiGateway", "4XXError"],
            ["AWS/ApiGateway", "5XXError"],
        ],
        "Lambda invocations": [["AWS/Lambda", "Invocations"]] * 2,
        "Lambda duration (p99)": [["AWS/Lambda", "Duration"]] * 2,
        "Lambda errors": [["AWS/Lambda", "Errors"]] * 2,
        "DynamoDB consumed capacity": [
            ["AWS/DynamoDB", "ConsumedReadCapacityUnits"],
            ["AWS/DynamoDB", "ConsumedWriteCapacityUnits"],
        ],
        "Dead-letter queue: visible messages": [["AWS/SQS", "ApproximateNumberOfMessagesVisible"]],
        # The handlers' own metrics (tests/integration/test_contract.py ties the names)
        "Orders": [
            ["FoodDelivery", "OrderCreated"],
            ["FoodDelivery", "OrderQueued"],
            ["FoodDelivery", "OrderUpdated"],
            ["FoodDelivery", "RateLimited"],
        ],
    }
    [alarm_widget] = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert sorted(alarm_widget["properties"]["alarms"]) == sorted(
        f"${{{alarm_id}.Arn}}" for alarm_id in _alarms(prod)
    )
    # No hard-coded region: the dashboard follows the stack.
    assert {w["properties"]["region"] for w in body["widgets"] if w["type"] == "metric"} == {
        "${AWS::Region}"
    }


def test_dashboard_graphs_each_resource_by_its_own_dimensions(prod: CheckedTemplate) -> None:
    body = json.loads(prod.props("Dashboard")["DashboardBody"]["Fn::Sub"])
    lines = {
        (line[0], line[1]): line[2:]
        for widget in body["widgets"]
        if widget["type"] == "metric"
        for line in widget["properties"]["metrics"]
    }
    # The API's metrics are per stage: without Stage the graph would be empty
    assert lines[("AWS/ApiGateway", "Count")] == [
        "ApiName",
        "${AWS::StackName}-api",
        "Stage",
        "${ApiStage}",
    ]
    assert lines[("AWS/DynamoDB", "ConsumedReadCapacityUnits")] == ["TableName", "${OrdersTable}"]
    assert lines[("FoodDelivery", "OrderCreated")] == ["service", "food-delivery-api"]
    functions = [
        line[2:]
        for widget in body["widgets"]
        if widget["properties"]["title"] == "Lambda errors"
        for line in widget["properties"]["metrics"]
    ]
    assert functions == [
        ["FunctionName", "${OrderProcessorFunction}"],
        ["FunctionName", "${QueryOrdersFunction}"],
    ]


def test_dashboard_widgets_do_not_overlap(prod: CheckedTemplate) -> None:
    body = json.loads(prod.props("Dashboard")["DashboardBody"]["Fn::Sub"])
    cells: set[tuple[int, int]] = set()
    for widget in body["widgets"]:
        assert widget["x"] + widget["width"] <= 24
        area = {
            (x, y)
            for x in range(widget["x"], widget["x"] + widget["width"])
            for y in range(widget["y"], widget["y"] + widget["height"])
        }
        assert not cells & area, widget["properties"].get("title")
        cells |= area


def test_outputs_are_exported_under_the_stack_name(prod: CheckedTemplate) -> None:
    outputs = prod.template["Outputs"]
    exports = {name: output["Export"]["Name"]["Fn::Sub"] for name, output in outputs.items()}
    assert exports == {
        "ApiUrl": "${AWS::StackName}-api-url",
        "TokenUrl": "${AWS::StackName}-token-url",
        "PartnerUserPoolId": "${AWS::StackName}-partner-user-pool-id",
        "PartnerRegistryParameterName": "${AWS::StackName}-partner-registry",
        "PartnerAcmeEatsClientId": "${AWS::StackName}-partner-acme-eats-client-id",
        "PartnerAcmeEatsApiKeyId": "${AWS::StackName}-partner-acme-eats-api-key-id",
        "PartnerCityCouriersClientId": "${AWS::StackName}-partner-city-couriers-client-id",
        "PartnerCityCouriersApiKeyId": "${AWS::StackName}-partner-city-couriers-api-key-id",
        "DashboardUrl": "${AWS::StackName}-dashboard-url",
        "DynamoDBTableName": "${AWS::StackName}-table-name",
        "DLQUrl": "${AWS::StackName}-dlq-url",
    }
    assert outputs["ApiUrl"]["Value"] == {
        "Fn::Sub": "https://${OrdersApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ApiStage}/"
    }
    assert outputs["TokenUrl"]["Value"] == {
        "Fn::Sub": "https://${PartnerUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com/oauth2/token"
    }
    assert outputs["PartnerAcmeEatsClientId"]["Value"] == {"Ref": "PartnerAcmeEatsAppClient"}
    assert outputs["PartnerAcmeEatsApiKeyId"]["Value"] == {"Ref": "PartnerAcmeEatsApiKey"}
    assert outputs["DynamoDBTableName"]["Value"] == {"Ref": "OrdersTable"}
    assert outputs["DLQUrl"]["Value"] == {"Ref": "OrderDeadLetterQueue"}
    assert "${Dashboard}" in outputs["DashboardUrl"]["Value"]["Fn::Sub"]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_metadata_and_description_say_generated(env: str, request: pytest.FixtureRequest) -> None:
    from generator import __version__

    view: CheckedTemplate = request.getfixturevalue(env)
    assert view.template["Metadata"]["Generator"] == {
        "Name": "food-delivery-infra",
        "Version": __version__,
        "Environment": env,
    }
    assert "do not edit by hand" in view.template["Description"]


def test_no_hard_coded_partition_region_or_account(prod: CheckedTemplate) -> None:
    text = json.dumps(prod.template)
    for literal in ("arn:aws:", "us-east-1", "eu-west-1", "123456789012"):
        assert literal not in text, literal
