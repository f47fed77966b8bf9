"""The REST API: routes, CORS, validation, deployment, stage, logging, key, usage plan, WAF."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.stack.api_contract import ROUTES
from generator.stack.build import build_template
from generator.stack.environments import ENVIRONMENTS
from generator.stack.parts import api as api_part
from tests.stack.conftest import CheckedTemplate

SCHEMAS = Path(__file__).resolve().parents[2] / "handlers" / "schemas"


def _methods(view: CheckedTemplate) -> dict[tuple[str, str], dict[str, Any]]:
    return {(m.http_method, m.path): dict(m.properties) for m in view.api_methods()}


def _deployment_id(template: Any) -> str:
    [deployment_id] = [
        lid
        for lid, r in template.resources.items()
        if r.resource_type == "AWS::ApiGateway::Deployment"
    ]
    return deployment_id


def test_routes_require_the_key_and_proxy_to_the_right_function(prod: CheckedTemplate) -> None:
    methods = _methods(prod)
    expected = {
        ("POST", "/orders"): "OrderProcessorFunction",
        ("GET", "/orders/{orderId}"): "QueryOrdersFunction",
        ("PUT", "/orders/{orderId}"): "OrderProcessorFunction",
        ("GET", "/orders/customer/{customerId}"): "QueryOrdersFunction",
    }
    routes = {key: props for key, props in methods.items() if key[0] != "OPTIONS"}
    # The design's four routes, and every route the API contract declares, with its function
    assert set(expected) <= set(routes)
    declared = {(route.method, route.path): route.function.function_id for route in ROUTES}
    assert declared.items() >= expected.items()
    assert set(routes) == set(declared)
    for key, function in declared.items():
        props = routes[key]
        assert props["ApiKeyRequired"] is True, key
        assert props["RequestValidatorId"] == {"Ref": "ApiRequestValidator"}
        assert props["Integration"]["Type"] == "AWS_PROXY"
        assert props["Integration"]["IntegrationHttpMethod"] == "POST"
        assert f"${{{function}.Arn}}" in props["Integration"]["Uri"]["Fn::Sub"], key
    assert routes[("POST", "/orders")]["RequestModels"] == {
        "application/json": {"Ref": "OrderModel"}
    }
    assert routes[("PUT", "/orders/{orderId}")]["RequestModels"] == {
        "application/json": {"Ref": "OrderUpdateModel"}
    }
    assert routes[("GET", "/orders/{orderId}")]["RequestParameters"] == {
        "method.request.path.orderId": True
    }


def test_every_resource_answers_cors_preflight_without_a_key(prod: CheckedTemplate) -> None:
    methods = _methods(prod)
    for path in {path for _, path in methods}:
        options = methods[("OPTIONS", path)]
        assert options["ApiKeyRequired"] is False, path
        assert options["AuthorizationType"] == "NONE"
        headers = options["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == "'*'"
        allowed = (
            headers["method.response.header.Access-Control-Allow-Headers"].strip("'").split(",")
        )
        assert {"Content-Type", "X-Api-Key", "Authorization"} <= set(allowed)
        allowed_methods = headers["method.response.header.Access-Control-Allow-Methods"]
        assert set(allowed_methods.strip("'").split(",")) >= {"GET", "POST", "PUT", "OPTIONS"}


def test_gateway_errors_carry_cors_headers(prod: CheckedTemplate) -> None:
    responses = prod.resources_of_type("AWS::ApiGateway::GatewayResponse")
    types = {r["Properties"]["ResponseType"] for r in responses.values()}
    assert types == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for response in responses.values():
        params = response["Properties"]["ResponseParameters"]
        assert params["gatewayresponse.header.Access-Control-Allow-Origin"] == "'*'"


def test_models_are_the_schema_files(prod: CheckedTemplate) -> None:
    # troposphere's validator writes a model's schema as a JSON string.
    models = {
        m["Properties"]["Name"]: json.loads(m["Properties"]["Schema"])
        for m in prod.resources_of_type("AWS::ApiGateway::Model").values()
    }
    assert models["Order"] == json.loads((SCHEMAS / "order.json").read_text())
    assert models["OrderUpdate"] == json.loads((SCHEMAS / "order_update.json").read_text())
    order = models["Order"]
    assert order["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert order["required"] == ["customerId", "items", "deliveryAddress"]
    item = order["properties"]["items"]["items"]
    assert item["properties"]["quantity"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert order["properties"]["items"]["minItems"] == 1
    assert set(order["properties"]["deliveryAddress"]["required"]) == {"street", "city", "zipCode"}


def test_validator_checks_body_and_parameters(prod: CheckedTemplate) -> None:
    props = prod.props("ApiRequestValidator")
    assert props["ValidateRequestBody"] is True
    assert props["ValidateRequestParameters"] is True


def test_deployment_depends_on_every_method_and_has_no_stage(prod: CheckedTemplate) -> None:
    [(deployment_id, deployment)] = prod.resources_of_type("AWS::ApiGateway::Deployment").items()
    assert deployment_id.startswith("ApiDeployment")
    assert len(deployment_id) == len("ApiDeployment") + 10
    assert "StageName" not in deployment["Properties"]
    assert set(prod.resources_of_type("AWS::ApiGateway::Method")) <= set(deployment["DependsOn"])
    assert prod.props("ApiStage")["DeploymentId"] == {"Ref": deployment_id}


def test_deployment_id_changes_when_the_api_definition_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the deployment id of today's API
    before = _deployment_id(build_template(ENVIRONMENTS["prod"]))
    assert _deployment_id(build_template(ENVIRONMENTS["prod"])) == before

    # When a method changes (one more allowed CORS header), Then the id changes (trap 6)
    monkeypatch.setattr(
        api_part, "CORS_HEADERS", {**api_part.CORS_HEADERS, "Access-Control-Max-Age": "'600'"}
    )
    changed_options = _deployment_id(build_template(ENVIRONMENTS["prod"]))
    assert changed_options != before

    # And when a route goes away, it changes again
    monkeypatch.setattr(api_part, "ROUTES", api_part.ROUTES[:-1])
    assert _deployment_id(build_template(ENVIRONMENTS["prod"])) not in (before, changed_options)


def test_prod_stage_logs_traces_throttles_and_never_logs_bodies(prod: CheckedTemplate) -> None:
    stage = prod.resource("ApiStage")
    props = stage["Properties"]
    assert props["StageName"] == "prod"
    assert props["TracingEnabled"] is True
    [settings] = props["MethodSettings"]
    assert settings == {
        "HttpMethod": "*",
        "ResourcePath": "/*",
        "LoggingLevel": "INFO",
        "DataTraceEnabled": False,  # trap 10
        "MetricsEnabled": True,
        "ThrottlingRateLimit": 100.0,
        "ThrottlingBurstLimit": 200,
    }
    access = props["AccessLogSetting"]
    assert access["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    fields = json.loads(access["Format"])
    assert {
        "requestId",
        "sourceIp",
        "httpMethod",
        "resourcePath",
        "status",
        "responseLatency",
        "apiKeyId",
    } <= set(fields)


def test_dev_stage_traces_data(dev: CheckedTemplate) -> None:
    [settings] = dev.props("ApiStage")["MethodSettings"]
    assert dev.props("ApiStage")["StageName"] == "dev"
    assert settings["DataTraceEnabled"] is True


def test_account_logging_role_is_conditional_and_the_stage_waits_for_it(
    prod: CheckedTemplate,
) -> None:
    # Trap 2: the per-region singleton is created only when asked, and the stage waits for it.
    account = prod.resource("ApiGatewayAccount")
    role = prod.resource("ApiGatewayCloudWatchRole")
    assert account["Condition"] == role["Condition"] == "ManagesApiGatewayAccount"
    assert account["Properties"]["CloudWatchRoleArn"] == {
        "Fn::GetAtt": ["ApiGatewayCloudWatchRole", "Arn"]
    }
    assert role["Properties"]["ManagedPolicyArns"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs"
        }
    ]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": ["apigateway.amazonaws.com"]
    }
    handle = prod.resource("ApiGatewayAccountReady")
    assert handle["Metadata"]["ApiGatewayAccount"] == {
        "Fn::If": [
            "ManagesApiGatewayAccount",
            {"Ref": "ApiGatewayAccount"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert prod.resource("ApiStage")["DependsOn"] == ["ApiGatewayAccountReady"]


def test_the_usage_plan_keeps_the_design_values_and_links_each_partners_key(
    prod: CheckedTemplate,
) -> None:
    plan = prod.props("ApiUsagePlan")
    assert plan["ApiStages"] == [{"ApiId": {"Ref": "OrdersApi"}, "Stage": {"Ref": "ApiStage"}}]
    assert plan["Throttle"] == {"RateLimit": 100.0, "BurstLimit": 200}
    assert plan["Quota"] == {"Limit": 10000, "Period": "DAY"}
    links = {
        link["Properties"]["KeyId"]["Ref"]: link["Properties"]
        for link in prod.resources_of_type("AWS::ApiGateway::UsagePlanKey").values()
    }
    assert set(links) == {"PartnerAcmeEatsApiKey", "PartnerCityCouriersApiKey"}
    for key, link in links.items():
        assert link == {
            "KeyId": {"Ref": key},
            "KeyType": "API_KEY",
            "UsagePlanId": {"Ref": "ApiUsagePlan"},
        }
        assert prod.props(key)["Enabled"] is True


def test_each_route_may_invoke_only_its_function(prod: CheckedTemplate) -> None:
    permissions = {
        p["Properties"]["SourceArn"]["Fn::Sub"].rsplit("/*/", 1)[1]: p["Properties"]["FunctionName"]
        for p in prod.resources_of_type("AWS::Lambda::Permission").values()
    }
    # Given the design's routes and the API contract's
    design = {
        "POST/orders": {"Fn::GetAtt": ["OrderProcessorFunction", "Arn"]},
        "GET/orders/*": {"Fn::GetAtt": ["QueryOrdersFunction", "Arn"]},
        "PUT/orders/*": {"Fn::GetAtt": ["OrderProcessorFunction", "Arn"]},
        "GET/orders/customer/*": {"Fn::GetAtt": ["QueryOrdersFunction", "Arn"]},
    }
    declared = {
        route.method + re.sub(r"\{[^}]+\}", "*", route.path): {
            "Fn::GetAtt": [route.function.function_id, "Arn"]
        }
        for route in ROUTES
    }
    # Then each route may invoke its function, and nothing else is permitted
    assert declared.items() >= design.items()
    assert permissions == declared


def test_prod_has_a_web_acl_on_the_stage_and_dev_none(
    prod: CheckedTemplate, dev: CheckedTemplate
) -> None:
    acl = prod.props("ApiWebAcl")
    assert acl["Scope"] == "REGIONAL"
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    assert rules["AWSManagedCommonRules"]["Statement"]["ManagedRuleGroupStatement"] == {
        "VendorName": "AWS",
        "Name": "AWSManagedRulesCommonRuleSet",
    }
    rate = rules["RateLimitPerIp"]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    association = prod.props("ApiWebAclAssociation")
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    assert "${OrdersApi}/stages/${ApiStage}" in association["ResourceArn"]["Fn::Sub"]
    assert dev.resources_of_type("AWS::WAFv2::WebACL") == {}
