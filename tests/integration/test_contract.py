"""Contracts across the boundary: the template gives each function what its code reads, and the
API Gateway models are the very schemas the handlers validate with."""

from __future__ import annotations

import json

import pytest

import observability
import order_processor
import query_orders
from orders.requests import ORDER_SCHEMA, ORDER_UPDATE_SCHEMA, load_schema
from tests.support.aws import resources_of_type

ENTRY_MODULES = {
    "order_processor.handler": order_processor,
    "query_orders.handler": query_orders,
}
MODEL_SCHEMAS = {"Order": ORDER_SCHEMA, "OrderUpdate": ORDER_UPDATE_SCHEMA}


def functions_by_handler(template):
    return {
        function["Properties"]["Handler"]: function["Properties"]
        for function in resources_of_type(template, "AWS::Lambda::Function").values()
    }


@pytest.mark.parametrize("environment", ["prod", "dev"])
@pytest.mark.parametrize("handler", sorted(ENTRY_MODULES))
def test_each_function_gets_every_variable_its_code_reads(rendered_templates, environment, handler):
    # Given the function whose Handler is this entry point
    functions = functions_by_handler(rendered_templates[environment])
    assert handler in functions, f"no function with Handler {handler}"
    variables = functions[handler]["Environment"]["Variables"]
    # Then its environment sets every variable the module reads, and Powertools' own
    required = set(ENTRY_MODULES[handler].REQUIRED_ENVIRONMENT) | set(observability.POWERTOOLS_ENVIRONMENT)
    assert required <= set(variables), f"missing: {sorted(required - set(variables))}"
    assert variables["POWERTOOLS_SERVICE_NAME"] == "food-delivery-api"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "FoodDelivery"


def test_the_settings_function_reads_exactly_the_required_environment():
    # Given an environment with exactly the required names
    for module in ENTRY_MODULES.values():
        environ = {name: f"value-of-{name}" for name in module.REQUIRED_ENVIRONMENT}
        # When the module reads its settings
        settings = module.read_settings(environ)
        # Then every value came from one of those names (no other variable is needed)
        used = {value for value in vars(settings).values() if value is not None}
        assert used == set(environ.values())


@pytest.mark.parametrize("environment", ["prod", "dev"])
@pytest.mark.parametrize("model_name", sorted(MODEL_SCHEMAS))
def test_api_models_are_the_handlers_schemas(rendered_templates, environment, model_name):
    # Given the template's API Gateway model of that name
    models = {
        model["Properties"]["Name"]: model["Properties"]
        for model in resources_of_type(rendered_templates[environment], "AWS::ApiGateway::Model").values()
    }
    assert model_name in models, f"no AWS::ApiGateway::Model named {model_name}"
    schema = models[model_name]["Schema"]
    if isinstance(schema, str):
        schema = json.loads(schema)
    # Then it is the schema file the handler validates with
    assert schema == load_schema(MODEL_SCHEMAS[model_name])
    assert models[model_name]["ContentType"] == "application/json"
