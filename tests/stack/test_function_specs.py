"""A function is one entry in generator/lambda_functions.py: what it uses decides its
environment and its role, and its log group, alarms and dashboard lines follow from it."""

from __future__ import annotations

from typing import Any

from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from generator.stack.function_specs import FUNCTIONS, FunctionSpec, Resource

AUDITOR = FunctionSpec(
    name="OrderAuditor",
    handler="order_auditor.handler",
    memory_mb=256,
    timeout_seconds=5,
    reads=frozenset({Resource.ORDERS_TABLE}),
    metric_id="auditor",
)


def _template_with_a_third_function() -> dict[str, Any]:
    return render(ENVIRONMENTS["dev"], (*FUNCTIONS, AUDITOR)).editable()


def test_a_third_function_brings_everything_it_needs_from_its_entry_alone() -> None:
    # Given one more entry in the function table and nothing else
    resources = _template_with_a_third_function()["Resources"]

    # Then it has its function, with exactly the variables naming what it uses
    function = resources["OrderAuditorFunction"]["Properties"]
    assert function["Handler"] == "order_auditor.handler"
    assert (function["MemorySize"], function["Timeout"]) == (256, 5)
    assert set(function["Environment"]["Variables"]) == {
        "ORDERS_TABLE_NAME",
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_LOG_LEVEL",
    }
    assert function["LoggingConfig"] == {"LogGroup": {"Ref": "OrderAuditorLogGroup"}}
    assert function["Role"] == {"Fn::GetAtt": ["OrderAuditorRole", "Arn"]}
    assert "DeadLetterConfig" not in function
    assert "ReservedConcurrentExecutions" not in function

    # And a role that may read the orders and nothing else of the stack's data
    [policy] = resources["OrderAuditorRole"]["Properties"]["Policies"]
    sids = [s["Sid"] for s in policy["PolicyDocument"]["Statement"]]
    assert sids == ["WriteOwnLogs", "PutTraces", "ReadOrders", "DecryptWithDataKey"]

    # And its own log group, error-rate alarm, throttle term and dashboard lines
    assert resources["OrderAuditorLogGroup"]["Type"] == "AWS::Logs::LogGroup"
    assert resources["OrderAuditorErrorRateAlarm"]["Type"] == "AWS::CloudWatch::Alarm"
    throttles = resources["FunctionThrottlesAlarm"]["Properties"]["Metrics"]
    assert throttles[-1]["Expression"] == "processor + query + auditor"
    assert (
        "${OrderAuditorFunction}"
        in resources["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    )


def test_each_function_is_given_exactly_the_names_of_what_it_uses(
    rendered_templates: dict[str, Any],
) -> None:
    resources = rendered_templates["prod"]["Resources"]
    for spec in FUNCTIONS:
        variables = resources[spec.function_id]["Properties"]["Environment"]["Variables"]
        named = {name for name in variables if not name.startswith("POWERTOOLS_")}
        assert named == {resource.variable for resource in spec.uses}, spec.name


def test_metric_ids_are_unique_lower_case_names() -> None:
    ids = [spec.metric_id for spec in FUNCTIONS]
    assert len(set(ids)) == len(ids)
    assert all(metric_id.isidentifier() and metric_id.islower() for metric_id in ids)
