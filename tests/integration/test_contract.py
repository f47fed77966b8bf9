"""Contracts across the generator/handler boundary: each function's environment is exactly what
its code reads; the API Gateway models are the very schemas the handlers validate with; and
the facts both sides hold (api-config's defaults, the index name, the metric names and
namespace, the runtime) agree."""

from __future__ import annotations

import json
import re

import pytest

import http_api
import observability
import order_processor
import query_orders
import runtime
from generator.stack import api_contract, names
from generator.stack.function_specs import FUNCTIONS, RUNTIME, Resource
from generator.stack.parts.monitoring import ORDER_METRICS
from generator.stack.parts.parameters import API_CONFIG
from orders import pagination
from orders.model import Status
from orders.requests import ORDER_SCHEMA, ORDER_UPDATE_SCHEMA, load_schema
from orders.rules import ApiConfig
from store import orders_table
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
    # Then its environment is exactly what the module reads, and Powertools' own: nothing
    # missing, and nothing handed over that no code reads
    required = set(ENTRY_MODULES[handler].REQUIRED_ENVIRONMENT) | set(
        observability.POWERTOOLS_ENVIRONMENT
    )
    assert set(variables) == required
    assert variables["POWERTOOLS_SERVICE_NAME"] == names.SERVICE_NAME
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == names.METRICS_NAMESPACE


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
        for model in resources_of_type(
            rendered_templates[environment], "AWS::ApiGateway::Model"
        ).values()
    }
    assert model_name in models, f"no AWS::ApiGateway::Model named {model_name}"
    schema = models[model_name]["Schema"]
    if isinstance(schema, str):
        schema = json.loads(schema)
    # Then it is the schema file the handler validates with
    assert schema == load_schema(MODEL_SCHEMAS[model_name])
    assert models[model_name]["ContentType"] == "application/json"


def test_api_config_defaults_are_the_template_values():
    # The handlers fall back on ApiConfig() when SSM was never read: the design's values,
    # which the template writes into the api-config parameter
    assert ApiConfig.from_mapping(API_CONFIG) == ApiConfig()
    assert set(API_CONFIG) == {"maxOrdersPerHour", "defaultTimeout", "retryAttempts"}


def test_the_store_queries_the_index_the_template_creates(rendered_templates):
    table = rendered_templates["prod"]["Resources"][names.ORDERS_TABLE]["Properties"]
    [index] = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == orders_table.CUSTOMER_INDEX == names.CUSTOMER_INDEX


def test_the_dashboard_graphs_metrics_the_handlers_emit():
    emitted = set(observability.EMITTED_METRICS)
    graphed = {metric.name for metric in ORDER_METRICS}
    assert graphed <= emitted, sorted(graphed - emitted)
    assert {metric.namespace for metric in ORDER_METRICS} == {names.METRICS_NAMESPACE}


@pytest.mark.parametrize("environment", ["prod", "dev"])
def test_every_function_runs_the_python_the_handlers_need(rendered_templates, environment):
    # Given the Python the handlers declare they need (handlers/runtime.py)
    needed = f"python{runtime.PYTHON_VERSION}"
    # Then every function of the template runs it, and the artifact is built for it
    functions = resources_of_type(rendered_templates[environment], "AWS::Lambda::Function")
    assert {f["Properties"]["Runtime"] for f in functions.values()} == {needed}
    assert needed == RUNTIME


def test_the_handlers_read_each_resource_under_the_variable_the_template_names_it():
    assert set(runtime.VARIABLES.values()) == {resource.variable for resource in Resource}


def test_every_entry_point_has_a_function_and_every_function_an_entry_point():
    assert {spec.handler for spec in FUNCTIONS} == set(ENTRY_MODULES)


def _shape(path):
    """/orders/{orderId} and /orders/<order_id> alike: /orders/{}."""
    return re.sub(r"\{[^}]*\}|<[^>]*>", "{}", path)


def test_the_handlers_serve_exactly_the_routes_of_the_api_contract():
    # Given the routes each entry point's resolver registers, with the entry point's Handler
    served = {
        (route.method, _shape(route.path), handler)
        for handler, module in ENTRY_MODULES.items()
        for route in (*module.app._static_routes, *module.app._dynamic_routes)
    }
    # And the routes the API contract declares, with the Handler of their function
    declared = {
        (route.method, _shape(route.path), route.function.handler) for route in api_contract.ROUTES
    }
    # Then each side has every route of the other: none added on one side only
    assert served - declared == set(), "served but not in the API contract"
    assert declared - served == set(), "in the API contract but served by no entry point"


def test_the_headers_the_handlers_read_are_those_the_contract_documents():
    documented = {
        header.name: header.pattern for route in api_contract.ROUTES for header in route.headers
    }
    read = {name: pattern.pattern for name, pattern in http_api.HEADER_PATTERNS.items()}
    assert read == documented


def test_the_customer_id_pattern_is_the_contracts():
    documented = {
        name: schema["pattern"]
        for route in api_contract.ROUTES
        for name, schema in route.parameter_schemas.items()
        if "pattern" in schema
    }
    assert documented == {"customerId": pagination.CUSTOMER_ID.pattern}
    assert pagination.CUSTOMER_ID.pattern == api_contract.CUSTOMER_ID_PATTERN


def test_the_order_statuses_are_the_contracts():
    # In both directions: a status added on one side only fails
    assert [status.value for status in Status] == list(api_contract.ORDER_STATUSES)


def test_the_scopes_the_handlers_check_are_those_the_methods_require(rendered_templates):
    # Given the scope each route's handler asks of the caller (orders/partners.py)
    from generator.stack import scopes
    from generator.stack.parts.api import ROUTES
    from orders import partners

    def handler_scope(method):
        return partners.READ if method in ("GET", "HEAD") else partners.WRITE

    # Then it is the scope the template's method requires, and the resource server defines
    assert partners.RESOURCE_SERVER == scopes.RESOURCE_SERVER
    for route in ROUTES:
        assert route.scope.qualified == handler_scope(route.method), route
    for template in rendered_templates.values():
        for method in resources_of_type(template, "AWS::ApiGateway::Method").values():
            properties = method["Properties"]
            if properties["HttpMethod"] != "OPTIONS":
                assert properties["AuthorizationScopes"] == [
                    handler_scope(properties["HttpMethod"])
                ]


def test_the_registry_the_template_writes_is_what_the_handlers_read(rendered_templates):
    from orders.partners import PartnerRegistry

    # Given the registry's value with each placeholder filled in as CloudFormation would
    value = rendered_templates["dev"]["Resources"]["PartnerRegistryParameter"]["Properties"]
    text = value["Value"]["Fn::Sub"].replace("${", "").replace('}"', '"')
    # Then the handlers read every partner from it
    registry = PartnerRegistry.from_mapping(json.loads(text))
    assert {entry.partner for entry in registry.by_client.values()} == {
        "acme-eats",
        "city-couriers",
        "ops-reports",
    }
    assert registry.by_client["PartnerAcmeEatsAppClient"].api_key_id == "PartnerAcmeEatsApiKey"
