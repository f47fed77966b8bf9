"""`python -m generator cost`: the arithmetic on a fixed input, checked by hand; what it reads
from the template; the command, its JSON and its errors."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from generator.cost import estimate as costing
from generator.cost import prices
from generator.cost import report as cost_report
from generator.cost.assumptions import Assumptions
from generator.cost.line_items import partner_cost
from generator.cost.template_facts import TemplateFacts
from generator.stack.api_contract import Traffic
from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from generator.stack.function_specs import FUNCTIONS
from tests.stack.test_function_specs import AUDITOR
from tests.support import cli

# One route, one function, a provisioned table without index or auto-scaling, one log
# group, one alarm of two metrics: small enough to check every line by hand.
FIXED_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "test"}},
        "OrdersResource": {
            "Type": "AWS::ApiGateway::Resource",
            "Properties": {
                "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                "PathPart": "orders",
                "RestApiId": {"Ref": "Api"},
            },
        },
        "OrdersPostMethod": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "HttpMethod": "POST",
                "ResourceId": {"Ref": "OrdersResource"},
                "Integration": {
                    "Type": "AWS_PROXY",
                    "Uri": {"Fn::Sub": "arn:aws:apigateway:lambda:path/${Worker.Arn}/invocations"},
                },
            },
        },
        "Worker": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "MemorySize": 1024,
                "LoggingConfig": {"LogGroup": {"Ref": "WorkerLogs"}},
                "Environment": {"Variables": {"ORDERS_TABLE_NAME": {"Ref": "Orders"}}},
            },
        },
        "WorkerLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}},
        "Orders": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            },
        },
        "WorkerErrorRate": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "Metrics": [
                    {"Id": "errors", "MetricStat": {}},
                    {"Id": "calls", "MetricStat": {}},
                    {"Id": "rate", "Expression": "errors / calls"},
                ]
            },
        },
    }
}
FIXED_ASSUMPTIONS = Assumptions(
    routes={
        "POST /orders": Traffic(
            per_order=Decimal(2), duration_ms=Decimal(250), orders_read=1, orders_written=1
        )
    },
    order_item_bytes=1024,
    months_running=12,
    function_log_bytes={"INFO": 1000},
    access_log_bytes=0,
    execution_log_bytes=0,
    data_trace_log_bytes=0,
    kms_requests_per_encrypted_resource_hour=Decimal(0),
    trace_reservoir_per_second=Decimal(1),
    trace_rate=Decimal("0.05"),
    metrics_per_method=7,
)


# The design's four routes with the traffic the prod estimates below were computed by hand
# for: a route added to the API contract later leaves these sums as they are.
DESIGN_TRAFFIC = Assumptions(
    routes={
        "POST /orders": Traffic(
            per_order=Decimal(1),
            duration_ms=Decimal(150),
            index_queries=(1,),
            orders_written=1,
            idempotency_writes=2,
        ),
        "PUT /orders/{orderId}": Traffic(
            per_order=Decimal(4), duration_ms=Decimal(80), orders_read=1, orders_written=1
        ),
        "GET /orders/{orderId}": Traffic(
            per_order=Decimal(2), duration_ms=Decimal(40), orders_read=1
        ),
        "GET /orders/customer/{customerId}": Traffic(
            per_order=Decimal(1), duration_ms=Decimal(50), index_queries=(5,)
        ),
    }
)


def test_the_design_traffic_is_the_api_contracts_for_the_design_routes() -> None:
    # (so that the sums below are those of the shipped estimate today)
    declared = Assumptions().routes
    assert {route: declared[route] for route in DESIGN_TRAFFIC.routes} == DESIGN_TRAFFIC.routes


def _estimate(template: dict[str, Any], orders: int, **options: Any) -> costing.Estimate:
    return costing.estimate(template, environment="test", orders_per_day=orders, **options)


def _lines(estimate: costing.Estimate) -> dict[str, Decimal]:
    return {f"{line.service} {line.item}": line.usd for line in estimate.items}


def test_the_arithmetic_on_a_fixed_input() -> None:
    # Given 2,400 orders a day, two requests each: 4,800 requests a day, and a month of
    # 730 hours: 4,800 * 730 / 24 = 146,000 requests; the orders: 2,400 * 730 / 24 = 73,000
    estimate = _estimate(FIXED_TEMPLATE, 2_400, assumptions=FIXED_ASSUMPTIONS)

    # Then each line is its quantity times the us-east-1 price, rounded half up to the cent
    assert _lines(estimate) == {
        # 146,000 requests * 3.50 / 1M = 0.511
        "API Gateway REST API requests": Decimal("0.51"),
        # 146,000 * 0.20 / 1M = 0.0292
        "Lambda Worker: requests": Decimal("0.03"),
        # 146,000 * 0.250 s * 1024 MB / 1024 = 36,500 GB-s; * 0.0000166667 = 0.6083
        "Lambda Worker: 1024 MB": Decimal("0.61"),
        # no auto-scaling: the template's 5 RCU and 5 WCU all month
        # 5 * 730 = 3,650 RCU-hours * 0.00013 = 0.4745
        "DynamoDB Orders: 5 RCU provisioned": Decimal("0.47"),
        # 3,650 WCU-hours * 0.00065 = 2.3725
        "DynamoDB Orders: 5 WCU provisioned": Decimal("2.37"),
        # 12 months of orders: 73,000 * 12 = 876,000 items of 1,024 + 100 bytes
        # = 984,624,000 bytes = 0.91700 GB (1024^3); * 0.25 = 0.22925
        "DynamoDB Orders: storage": Decimal("0.23"),
        # 1,000 bytes per invocation: 4,800,000 a day, 146,000,000 a month
        # = 0.135973 GB * 0.50 = 0.06799
        "CloudWatch WorkerLogs: ingested": Decimal("0.07"),
        # 30 days kept: 144,000,000 bytes = 0.134110 GB-month * 0.03 = 0.00402
        "CloudWatch WorkerLogs: kept 30 days": Decimal("0.00"),
        # two metrics in the alarm's math (the expression is not one): 2 * 0.10
        "CloudWatch 1 alarms (2 metrics)": Decimal("0.20"),
    }
    # And the total is the sum of the rounded lines:
    # 0.51 + 0.03 + 0.61 + 0.47 + 2.37 + 0.23 + 0.07 + 0.00 + 0.20 = 4.49
    assert estimate.total_usd == Decimal("4.49")


def test_the_orders_table_is_priced_both_ways_on_a_fixed_input() -> None:
    # Given the same input
    table = _estimate(FIXED_TEMPLATE, 2_400, assumptions=FIXED_ASSUMPTIONS).orders_table
    assert table is not None

    # Then provisioned is the template's capacity (0.47 + 2.37 = 2.84), and on-demand the
    # request units: one strongly consistent read of a 1 KB order per request, 146,000
    # read units * 0.125 / 1M = 0.01825 -> 0.02; one write each, 146,000 * 0.625 / 1M =
    # 0.09125 -> 0.09; 0.02 + 0.09 = 0.11
    assert table.provisioned_usd == Decimal("2.84")
    assert table.on_demand_usd == Decimal("0.11")
    assert not table.on_demand_in_template
    assert table.capacity == "table 5 RCU / 5 WCU"


def test_prod_capacity_follows_auto_scaling_and_is_compared_with_on_demand(
    rendered_templates: dict[str, dict[str, Any]],
) -> None:
    # Given prod at 350,000 orders a day, spread evenly: per order the handlers make 6
    # strongly consistent reads of the table (4 PUTs and 2 GETs), 5 writes (the POST and
    # 4 PUTs, each written to the index too), and 1.5 index read units (the POST's count
    # query of one order, 0.5; the list's query of 5 orders, 5 KB: 2 * 0.5)
    estimate = _estimate(rendered_templates["prod"], 350_000, assumptions=DESIGN_TRAFFIC)
    table = estimate.orders_table
    assert table is not None
    lines = _lines(estimate)

    # Then auto-scaling keeps utilisation at 70 %, within 5..100:
    # table reads 350,000 * 6 / 86,400 = 24.31/s -> 24.31 / 0.7 = 34.7 -> 35 RCU
    # index reads 350,000 * 1.5 / 86,400 = 6.08/s -> 8.7 -> 9 RCU;        35 + 9 = 44 RCU
    # writes 350,000 * 5 / 86,400 = 20.25/s -> 28.9 -> 29 WCU, table and index: 58 WCU
    # 44 * 730 * 0.00013 = 4.1756; 58 * 730 * 0.00065 = 27.521
    assert lines["DynamoDB OrdersTable: 44 RCU provisioned"] == Decimal("4.18")
    assert lines["DynamoDB OrdersTable: 58 WCU provisioned"] == Decimal("27.52")
    assert table.provisioned_usd == Decimal("31.70")
    # And on-demand: 350,000 * 7.5 read units * 730 / 24 = 79,843,750 * 0.125 / 1M = 9.98;
    # 350,000 * 10 write units * 730 / 24 = 106,458,333 * 0.625 / 1M = 66.54
    assert table.on_demand_usd == Decimal("76.52")


def test_prod_at_the_design_workload_sits_at_its_minimum_capacity(
    rendered_templates: dict[str, dict[str, Any]],
) -> None:
    # Given prod at 3,500 orders a day: every dimension's demand is under its minimum of 5
    estimate = _estimate(rendered_templates["prod"], 3_500, assumptions=DESIGN_TRAFFIC)
    lines = _lines(estimate)

    # Then it pays for 5 + 5 RCU and 5 + 5 WCU: 10 * 730 * 0.00013 = 0.949; * 0.00065 = 4.745
    assert lines["DynamoDB OrdersTable: 10 RCU provisioned"] == Decimal("0.95")
    assert lines["DynamoDB OrdersTable: 10 WCU provisioned"] == Decimal("4.75")
    # And 28,000 requests a day are more than one API key's quota of 10,000 allows
    assert any("quota of 10,000 a day per API key: they need 3 keys" in n for n in estimate.notes)


def test_demand_beyond_the_maximum_capacity_is_told() -> None:
    # Given prod at ten million orders a day: 10,000,000 * 5 / 86,400 = 579 writes a second,
    # past the 100 WCU auto-scaling may reach
    template = render(ENVIRONMENTS["prod"]).editable()
    notes = _estimate(template, 10_000_000, assumptions=DESIGN_TRAFFIC).notes

    # Then the estimate says the table would throttle
    assert any("OrdersTable table writes would be throttled" in note for note in notes)


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_cost_grows_with_orders_per_day(
    name: str, rendered_templates: dict[str, dict[str, Any]]
) -> None:
    # Given one stack at no, a few and many orders
    template = rendered_templates[name]
    estimates = [_estimate(template, orders) for orders in (0, 3_500, 35_000, 350_000)]

    # Then each total is above the one before, and no line ever shrinks
    totals = [estimate.total_usd for estimate in estimates]
    assert totals == sorted(set(totals))
    for smaller, larger in itertools.pairwise(estimates):
        for before, after in zip(smaller.items, larger.items, strict=True):
            assert before.item.split(":")[0] == after.item.split(":")[0]
            assert after.usd >= before.usd, after.item


def test_with_no_orders_only_the_fixed_charges_remain(
    rendered_templates: dict[str, dict[str, Any]],
) -> None:
    # Given prod with no traffic
    lines = _lines(_estimate(rendered_templates["prod"], 0))

    # Then what is billed by the month stays: the key, the dashboard, the web ACL and its
    # three rules, the alarms' 12 metrics, the table's minimum capacity
    assert lines["KMS DataKey"] == Decimal("1.00")
    assert lines["CloudWatch Dashboard"] == Decimal("3.00")
    assert lines["WAF ApiWebAcl"] == Decimal("5.00")
    assert lines["WAF ApiWebAcl: rules"] == Decimal("3.00")
    assert lines["CloudWatch 7 alarms (12 metrics)"] == Decimal("1.20")
    # And what is billed by the request is nothing
    assert lines["API Gateway REST API requests"] == Decimal("0.00")
    assert lines["X-Ray traces recorded"] == Decimal("0.00")


def test_a_function_added_to_the_generator_is_priced() -> None:
    # Given the dev stack with a third function that no route reaches
    template = render(ENVIRONMENTS["dev"], (*FUNCTIONS, AUDITOR)).editable()
    lines = _lines(_estimate(template, 3_500))

    # Then it has its lines, at nothing: no request is assumed to reach it
    assert lines["Lambda OrderAuditorFunction: requests"] == Decimal("0.00")
    assert lines["Lambda OrderAuditorFunction: 256 MB"] == Decimal("0.00")
    assert "CloudWatch OrderAuditorLogGroup: ingested" in lines


def test_the_price_table_is_dated_and_sourced() -> None:
    # Given the price table, Then it has a date that is a real day, every price a source page
    # of AWS's and no negative amount
    assert date.fromisoformat(prices.PRICES_AS_OF).isoformat() == prices.PRICES_AS_OF
    for price in vars(prices.US_EAST_1).values():
        assert price.source.startswith("https://aws.amazon.com/"), price
        assert price.usd >= 0
        assert price.per > 0
    assert prices.PRICE_REGION == "us-east-1"


def test_the_text_report_adds_up_and_names_the_price_date(
    rendered_templates: dict[str, dict[str, Any]],
) -> None:
    # Given prod's estimate as printed
    estimate = _estimate(rendered_templates["prod"], 3_500)
    text = cost_report.to_text(estimate)

    # Then the USD column sums to the total line
    rows = [line for line in text.splitlines() if re.search(r"  \d+\.\d\d$", line)]
    *items, total = rows
    assert total.startswith("total")
    assert sum(Decimal(row.split()[-1]) for row in items) == Decimal(total.split()[-1])
    assert len(items) == len(estimate.items)
    # And it states the prices' region and date, and its assumptions
    assert f"us-east-1 prices of {prices.PRICES_AS_OF}" in text
    assert "requests per order: POST /orders 1," in text
    assert "an order is a 1,024-byte item" in text
    assert "billed function time per request" in text


# --- the command --------------------------------------------------------------------------


def test_the_command_prints_the_table_with_its_comparison_and_assumptions() -> None:
    # When run with no option
    result = cli.run(["-m", "generator", "cost"])

    # Then it prices prod at 3,500 orders a day, compares the orders table both ways and
    # prints its assumptions and sources
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("food-delivery-prod at 3,500 orders a day")
    assert "OrdersTable provisioned as in the template" in result.stdout
    assert "on-demand:" in result.stdout
    assert "Assumptions:" in result.stdout
    assert "https://aws.amazon.com/dynamodb/pricing/on-demand/" in result.stdout
    assert result.stderr == ""


def test_the_cost_page_shows_what_the_command_prints() -> None:
    # Given the command the cost page's generated section says it ran
    command = ["-m", "generator", "cost", "--env", "prod", "--orders-per-day", "350000"]
    result = cli.run(command)

    # Then the page shows its output, byte for byte, under that command
    assert result.returncode == 0, result.stderr
    page = (cli.ROOT / "docs" / "cost.md").read_text(encoding="utf-8")
    assert f"$ python {' '.join(command)}\n{result.stdout}" in page


def test_json_parses_and_its_money_adds_up() -> None:
    # When asked for JSON for dev at 10,000 orders a day
    result = cli.run(
        ["-m", "generator", "cost", "--json", "--env", "dev", "--orders-per-day", "10000"]
    )

    # Then it parses, with money as decimal strings that add up to the total
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["environment"], data["orders_per_day"]) == ("dev", 10_000)
    assert data["prices"]["as_of"] == prices.PRICES_AS_OF
    assert data["prices"]["region"] == "us-east-1"
    assert sum(Decimal(item["usd"]) for item in data["items"]) == Decimal(data["total_usd"])
    assert data["orders_table"]["billing_in_template"] == "on-demand"
    assert data["orders_table"]["provisioned_usd"] is None
    assert data["assumptions"]


def test_another_region_is_priced_at_us_east_1_and_says_so() -> None:
    result = cli.run(["-m", "generator", "cost", "--region", "eu-west-1"])
    assert result.returncode == 0, result.stderr
    assert "these are us-east-1 prices: eu-west-1 has its own" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["--orders-per-day", "lots"], "argument --orders-per-day: not a whole number"),
        (["--orders-per-day", "-1"], "must be between 0 and 1,000,000,000, not -1"),
        (["--orders-per-day", "2.5"], "not a whole number of orders: '2.5'"),
        (["--region", "Mars"], "argument --region: not an AWS region name: 'Mars'"),
        (["--env", "staging"], "argument --env: invalid choice: 'staging'"),
        (["--colour"], "error: unrecognized arguments: --colour"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(arguments: list[str], fragment: str) -> None:
    # Given a wrong argument, When run, Then one line on stderr, exit status 2, no output
    result = cli.run(["-m", "generator", "cost", *arguments])
    cli.assert_clean_error(result, 2, "python -m generator", fragment)
    assert result.stdout == ""


def _m2m_template(token_minutes: int, quota: int = 10_000) -> dict[str, Any]:
    client = {
        "AllowedOAuthFlows": ["client_credentials"],
        "AccessTokenValidity": token_minutes,
        "TokenValidityUnits": {"AccessToken": "minutes"},
    }
    return {
        "Resources": {
            "PartnerA": {"Type": "AWS::Cognito::UserPoolClient", "Properties": client},
            "PartnerB": {"Type": "AWS::Cognito::UserPoolClient", "Properties": client},
            "Plan": {
                "Type": "AWS::ApiGateway::UsagePlan",
                "Properties": {"Quota": {"Limit": quota, "Period": "DAY"}},
            },
        }
    }


def test_partners_app_clients_and_reused_tokens_are_priced_by_hand() -> None:
    # Given two app clients whose tokens live 60 minutes, each reused for its hour
    estimate = costing.estimate(_m2m_template(60), environment="test", orders_per_day=0)
    lines = {line.item: line for line in estimate.items if line.service == "Cognito"}
    # Then 2 x 6.00 a month, and 2 x 24 tokens a day x 30.4167 days x 2.25 / 1,000 = 3.285
    assert lines["2 app clients (M2M)"].usd == Decimal("12.00")
    tokens = lines["token requests (48 a day)"]
    assert tokens.quantity == Decimal(1460)
    assert tokens.usd == Decimal("3.29")


def test_one_partner_at_its_quota_with_and_without_reusing_its_tokens() -> None:
    # Given a partner at the usage plan's 10,000 requests a day, tokens living 60 minutes
    partner = partner_cost(TemplateFacts(_m2m_template(60)))
    assert partner is not None
    # Then reused: 6.00 + 24 a day (730 a month) x 2.25 / 1,000 = 6.00 + 1.64
    assert partner.reused_usd == Decimal("7.64")
    # And one per request: 6.00 + 10,000 a day (304,166.67 a month) x 2.25 / 1,000 = 684.38
    assert partner.per_request_usd == Decimal("690.38")
    # And shorter tokens mean more requests even when reused: 96 a day at 15 minutes
    short = partner_cost(TemplateFacts(_m2m_template(15)))
    assert short is not None
    assert short.reused[-1].quantity == Decimal(96) * 730 / 24


def test_the_prod_estimate_prices_its_partners_and_says_what_one_costs() -> None:
    template = render(ENVIRONMENTS["prod"]).editable()
    estimate = costing.estimate(template, environment="prod", orders_per_day=3_500)
    partners = len(ENVIRONMENTS["prod"].partners)
    assert f"{partners} app clients (M2M)" in {line.item for line in estimate.items}
    text = cost_report.to_text(estimate)
    assert "One partner at its usage plan's quota (10,000 requests a day)" in text
    assert "7.64 USD a month when it reuses each token for its 60 minutes" in text
    assert "690.38 USD when it asks for a token for every request" in text
    data = cost_report.to_data(estimate)["partner"]
    assert (data["tokens_reused_usd"], data["token_per_request_usd"]) == ("7.64", "690.38")
    assert prices.COGNITO in prices.US_EAST_1.sources
