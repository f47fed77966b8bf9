"""The OpenAPI document: valid, and the template's API operation for operation."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from generator.documents import openapi
from generator.stack import api_contract
from generator.stack.build import render, render_anew
from generator.stack.environments import ENVIRONMENTS
from generator.stack.parts import api as api_part
from tests.support.aws import resources_of_type

SCHEMAS = Path(__file__).resolve().parents[2] / "handlers" / "schemas"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head"}


def _template(name: str) -> dict[str, Any]:
    return render(ENVIRONMENTS[name]).editable()


def _operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def _template_methods(template: dict[str, Any]) -> set[tuple[str, str]]:
    resources = template["Resources"]
    paths = {}
    for logical_id, _resource in resources_of_type(template, "AWS::ApiGateway::Resource").items():
        parts, current = [], logical_id
        while current:
            properties = resources[current]["Properties"]
            parts.insert(0, properties["PathPart"])
            current = properties["ParentId"].get("Ref")
        paths[logical_id] = "/" + "/".join(parts)
    return {
        (m["Properties"]["HttpMethod"], paths[m["Properties"]["ResourceId"]["Ref"]])
        for m in resources_of_type(template, "AWS::ApiGateway::Method").values()
    }


def test_the_document_is_valid_openapi() -> None:
    validate(openapi.build_document(_template("prod")))


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_its_operations_are_the_templates_methods(name: str) -> None:
    template = _template(name)
    assert _operations(openapi.build_document(template)) == _template_methods(template)


def test_a_route_added_to_the_template_without_documentation_fails_the_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a template with a method the API contract does not declare (built by a patched
    # part, as a template from elsewhere could have it)
    extra = dataclasses.replace(api_contract.ROUTES[0], method="DELETE")
    monkeypatch.setattr(api_part, "ROUTES", (*api_part.ROUTES, extra))
    template = render_anew(ENVIRONMENTS["dev"]).template
    # Then the document cannot be built, and says which route lacks an entry
    with pytest.raises(openapi.UndocumentedRoute, match="DELETE /orders "):
        openapi.build_document(template)


@pytest.mark.parametrize(
    ("model", "file_name"), [("Order", "order.json"), ("OrderUpdate", "order_update.json")]
)
def test_request_bodies_are_the_schema_files(model: str, file_name: str) -> None:
    document = openapi.build_document(_template("prod"))
    schema = json.loads((SCHEMAS / file_name).read_text())
    schema.pop("$schema")
    assert document["components"]["schemas"][model] == schema


def test_every_business_operation_needs_a_token_with_its_scope_and_the_key() -> None:
    document = openapi.build_document(_template("prod"))
    read, write = "orders-api/orders.read", "orders-api/orders.write"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "options":
                assert operation["security"] == []
                continue
            # One requirement with both schemes: the token and the key, not either
            scope = read if method == "get" else write
            assert operation["security"] == [{"partnerToken": [scope], "apiKey": []}], (
                method,
                path,
            )
            statuses = set(operation["responses"])
            # API Gateway's own answers, and the handlers' errors
            assert {"401", "403", "429", "500", "502", "503", "504"} <= statuses, (method, path)
    flow = document["components"]["securitySchemes"]["partnerToken"]["flows"]
    assert set(flow) == {"clientCredentials"}
    assert set(flow["clientCredentials"]["scopes"]) == {read, write}
    post = document["paths"]["/orders"]["post"]
    assert {"201", "202", "400", "409"} <= set(post["responses"])
    assert "Idempotency-Key" in [p["name"] for p in post["parameters"]]
    put = document["paths"]["/orders/{orderId}"]["put"]
    assert "If-Match" in [p["name"] for p in put["parameters"]]
    listing = document["paths"]["/orders/customer/{customerId}"]["get"]
    assert {p["name"]: p["in"] for p in listing["parameters"]} == {
        "customerId": "path",
        "limit": "query",
        "nextToken": "query",
    }


def test_a_created_order_links_to_reading_updating_and_listing_it() -> None:
    document = openapi.build_document(_template("prod"))
    links = document["paths"]["/orders"]["post"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        "getOrder",
        "updateOrder",
        "listCustomerOrders",
    }
    operation_ids = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
    }
    assert {link["operationId"] for link in links.values()} <= operation_ids
