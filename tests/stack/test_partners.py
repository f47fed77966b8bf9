"""Partners in the templates: the Cognito user pool, its domain and resource server, the
authorizer on every business method with the route's scope, each partner's app client, API key
and usage-plan link, the registry parameter, and no secret in the outputs."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from generator.stack.api_contract import ROUTES
from generator.stack.build import build_template, render, render_anew
from generator.stack.environments import ENVIRONMENTS, Partner, UsageTier
from generator.stack.parts import api as api_part
from generator.stack.scopes import Scope
from tests.stack.conftest import CheckedTemplate

READ, WRITE = "orders-api/orders.read", "orders-api/orders.write"
ENVIRONMENT_NAMES = sorted(ENVIRONMENTS)


def _view(env: str) -> CheckedTemplate:
    return CheckedTemplate(render(ENVIRONMENTS[env]).editable())


@pytest.mark.parametrize("env", ENVIRONMENT_NAMES)
def test_no_business_method_without_the_authorizer_and_its_scope(env: str) -> None:
    view = _view(env)
    methods = view.resources_of_type("AWS::ApiGateway::Method").values()
    business = [m["Properties"] for m in methods if m["Properties"]["HttpMethod"] != "OPTIONS"]
    assert len(business) == len(ROUTES)
    for method in business:
        assert method["AuthorizationType"] == "COGNITO_USER_POOLS", method
        assert method["AuthorizerId"] == {"Ref": "PartnerAuthorizer"}
        expected = READ if method["HttpMethod"] == "GET" else WRITE
        assert method["AuthorizationScopes"] == [expected], method
        assert method["ApiKeyRequired"] is True
    # The preflights stay open: no token, no key
    for method in methods:
        if method["Properties"]["HttpMethod"] == "OPTIONS":
            assert method["Properties"]["AuthorizationType"] == "NONE"
            assert method["Properties"]["ApiKeyRequired"] is False
            assert "AuthorizationScopes" not in method["Properties"]


def test_the_authorizer_reads_the_authorization_header_against_the_partner_pool(
    prod: CheckedTemplate,
) -> None:
    assert prod.props("PartnerAuthorizer") == {
        "Name": "partners",
        "RestApiId": {"Ref": "OrdersApi"},
        "Type": "COGNITO_USER_POOLS",
        "IdentitySource": "method.request.header.Authorization",
        "ProviderARNs": [{"Fn::GetAtt": ["PartnerUserPool", "Arn"]}],
    }


@pytest.mark.parametrize("env", ENVIRONMENT_NAMES)
def test_every_partner_has_its_client_key_and_usage_plan_link(env: str) -> None:
    view = _view(env)
    partners = ENVIRONMENTS[env].partners
    assert partners
    clients = view.resources_of_type("AWS::Cognito::UserPoolClient")
    keys = view.resources_of_type("AWS::ApiGateway::ApiKey")
    links = view.resources_of_type("AWS::ApiGateway::UsagePlanKey")
    assert len(clients) == len(keys) == len(links) == len(partners)
    for partner in partners:
        stem = "Partner" + "".join(word.capitalize() for word in partner.name.split("-"))
        client = clients[f"{stem}AppClient"]
        props = client["Properties"]
        assert props["ClientName"] == partner.name
        assert props["UserPoolId"] == {"Ref": "PartnerUserPool"}
        assert props["GenerateSecret"] is True
        assert props["AllowedOAuthFlows"] == ["client_credentials"]
        assert props["AllowedOAuthFlowsUserPoolClient"] is True
        assert set(props["AllowedOAuthScopes"]) == {scope.qualified for scope in partner.scopes}
        assert props["AccessTokenValidity"] == 60
        assert props["TokenValidityUnits"] == {"AccessToken": "minutes"}
        # Its scopes must exist before it names them
        assert client["DependsOn"] == ["OrdersResourceServer"]
        assert keys[f"{stem}ApiKey"]["Properties"]["Enabled"] is True
        assert links[f"{stem}UsagePlanKey"]["Properties"] == {
            "KeyId": {"Ref": f"{stem}ApiKey"},
            "KeyType": "API_KEY",
            "UsagePlanId": {"Ref": "ApiUsagePlan"},
        }


def test_a_read_only_partner_gets_only_the_read_scope(dev: CheckedTemplate) -> None:
    assert dev.props("PartnerOpsReportsAppClient")["AllowedOAuthScopes"] == [READ]


@pytest.mark.parametrize(("env", "protection"), [("prod", "ACTIVE"), ("dev", "INACTIVE")])
def test_the_user_pool_is_for_app_clients_only_and_protected_in_prod(
    env: str, protection: str
) -> None:
    view = _view(env)
    [(pool_id, pool)] = view.resources_of_type("AWS::Cognito::UserPool").items()
    assert pool_id == "PartnerUserPool"
    assert pool["Properties"]["DeletionProtection"] == protection
    assert pool["Properties"]["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    retained = "Retain" if env == "prod" else "Delete"
    assert (pool["DeletionPolicy"], pool["UpdateReplacePolicy"]) == (retained, retained)
    # Trap 11: CloudFormation names the pool and the clients
    assert "UserPoolName" not in pool["Properties"]


def test_the_resource_server_defines_the_two_scopes(prod: CheckedTemplate) -> None:
    server = prod.props("OrdersResourceServer")
    assert server["Identifier"] == "orders-api"
    assert server["UserPoolId"] == {"Ref": "PartnerUserPool"}
    assert {scope["ScopeName"] for scope in server["Scopes"]} == {"orders.read", "orders.write"}


def test_the_domain_prefix_is_the_parameter_or_derived_from_the_stack_id(
    prod: CheckedTemplate,
) -> None:
    domain = prod.props("PartnerUserPoolDomain")
    assert domain["UserPoolId"] == {"Ref": "PartnerUserPool"}
    condition, given, derived = domain["Domain"]["Fn::If"]
    assert (condition, given) == ("HasAuthDomainPrefix", {"Ref": "AuthDomainPrefix"})
    separator, (prefix, suffix) = derived["Fn::Join"]
    assert (separator, prefix) == ("-", "food-delivery-prod")
    # The first group of the stack id's UUID: 8 lower-case hex digits
    assert suffix == {
        "Fn::Select": [
            0,
            {
                "Fn::Split": [
                    "-",
                    {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]},
                ]
            },
        ]
    }
    # The longest derived prefix is a valid Cognito domain prefix
    longest = f"{prefix}-{'f' * 8}"
    assert re.fullmatch(prod.template["Parameters"]["AuthDomainPrefix"]["AllowedPattern"], longest)
    for reserved in ("aws", "amazon", "cognito"):
        assert reserved not in longest


def test_no_secret_is_output_or_referenced(prod: CheckedTemplate, dev: CheckedTemplate) -> None:
    for view in (prod, dev):
        text = json.dumps(view.template)
        # The client secret is only an attribute (Fn::GetAtt ... ClientSecret): never used
        assert "ClientSecret" not in text
        for output in view.template["Outputs"].values():
            assert "Secret" not in json.dumps(output["Value"])


def test_the_registry_maps_each_client_to_its_partner_and_key(dev: CheckedTemplate) -> None:
    value = dev.props("PartnerRegistryParameter")["Value"]["Fn::Sub"]
    registry = json.loads(value)
    assert registry == {
        f"${{{stem}AppClient}}": {"apiKeyId": f"${{{stem}ApiKey}}", "partner": name}
        for stem, name in (
            ("PartnerAcmeEats", "acme-eats"),
            ("PartnerCityCouriers", "city-couriers"),
            ("PartnerOpsReports", "ops-reports"),
        )
    }
    assert dev.props("PartnerRegistryParameter")["Type"] == "String"


def test_the_deployment_changes_when_the_authorizer_does(monkeypatch: pytest.MonkeyPatch) -> None:
    def deployment_id() -> str:
        # built anew: render() keeps what it built the first time
        resources = render_anew(ENVIRONMENTS["prod"]).template["Resources"]
        [found] = [
            lid for lid, r in resources.items() if r["Type"] == "AWS::ApiGateway::Deployment"
        ]
        return found

    before = deployment_id()
    original = api_part._authorizer

    def renamed(*args: Any) -> Any:
        authorizer = original(*args)
        authorizer.Name = "partners-v2"
        return authorizer

    monkeypatch.setattr(api_part, "_authorizer", renamed)
    assert deployment_id() != before


def test_a_partner_on_another_tier_gets_that_tiers_usage_plan() -> None:
    # Given prod with a second tier and a partner on it
    environment = dataclasses.replace(
        ENVIRONMENTS["prod"],
        usage_tiers=(*ENVIRONMENTS["prod"].usage_tiers, UsageTier("bulk", 200, 400, 50_000)),
        partners=(
            *ENVIRONMENTS["prod"].partners,
            Partner("big-chain", frozenset({Scope.READ, Scope.WRITE}), tier="bulk"),
        ),
    )
    view = CheckedTemplate(render(environment).editable())
    # Then the tier is a usage plan of its own, and only that partner's key is linked to it
    plan = view.props("ApiUsagePlanBulk")
    assert plan["Quota"] == {"Limit": 50000, "Period": "DAY"}
    assert plan["Throttle"] == {"RateLimit": 200.0, "BurstLimit": 400}
    assert view.props("PartnerBigChainUsagePlanKey")["UsagePlanId"] == {"Ref": "ApiUsagePlanBulk"}
    assert view.props("PartnerAcmeEatsUsagePlanKey")["UsagePlanId"] == {"Ref": "ApiUsagePlan"}


@pytest.mark.parametrize("name", ["a", "A-b", "acme_eats", "-acme", "acme-", "9lives"])
def test_a_partner_name_that_cannot_name_its_resources_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="partner name"):
        Partner(name, frozenset({Scope.READ}))


def test_a_partner_without_scopes_or_tier_or_listed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="has no scope"):
        Partner("ab", frozenset())
    with pytest.raises(ValueError, match="no usage tier 'gold'"):
        dataclasses.replace(
            ENVIRONMENTS["dev"], partners=(Partner("x-y", frozenset({Scope.READ}), tier="gold"),)
        )
    with pytest.raises(ValueError, match="a partner is listed twice"):
        dataclasses.replace(
            ENVIRONMENTS["dev"], partners=(Partner("x-y", frozenset({Scope.READ})),) * 2
        )


def test_a_registry_past_a_standard_parameter_is_refused() -> None:
    many = tuple(
        Partner(f"partner-number-{index:04d}", frozenset({Scope.READ})) for index in range(60)
    )
    environment = dataclasses.replace(ENVIRONMENTS["dev"], partners=many)
    with pytest.raises(ValueError, match="over a Standard SSM parameter"):
        build_template(environment)
