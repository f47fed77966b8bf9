"""The API's OpenAPI 3 document, built from a template and the request schemas.

The operations, their path and query parameters, request bodies and API key requirements come
from the template's methods; what the template cannot say (what each operation answers, its
headers, how operations link) comes from OPERATIONS, keyed by the template's routes. A route
without an entry there fails the build: the document never silently misses one.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator import __version__
from generator.stack.scopes import Scope

OPENAPI_FILE_NAME = "food-delivery-openapi.json"
API_KEY_SCHEME = "apiKey"
OAUTH2_SCHEME = "partnerToken"
# Where `serve` issues tokens; a deployed stack's endpoint is its TokenUrl output.
LOCAL_TOKEN_URL = "http://127.0.0.1:3000/oauth2/token"  # noqa: S105 - a URL
_REQUEST_PARAMETER = re.compile(r"^method\.request\.(path|querystring|header)\.(.+)$")

# Bodies of the answers: the handlers' errors, and API Gateway's own.
ERROR = {"$ref": "#/components/schemas/Error"}
GATEWAY_MESSAGE = {"$ref": "#/components/schemas/GatewayMessage"}
ERROR_OR_GATEWAY = {"oneOf": [ERROR, GATEWAY_MESSAGE]}
ORDER = {"$ref": "#/components/schemas/StoredOrder"}


@dataclass(frozen=True)
class Operation:
    """What an operation answers and takes beyond what the template says."""

    operation_id: str
    summary: str
    responses: Mapping[int, tuple[str, Mapping[str, Any] | None]]  # status -> (why, body)
    headers: tuple[Mapping[str, Any], ...] = ()  # header parameters
    parameter_schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    links: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)


# API Gateway's own answers to any method that needs the key and runs a function.
_GATEWAY_ANSWERS: dict[int, tuple[str, Mapping[str, Any] | None]] = {
    401: (
        (
            "No access token, or one that is invalid, expired, not an access token or without "
            "the operation's scope (API Gateway)"
        ),
        GATEWAY_MESSAGE,
    ),
    403: (
        "Missing or wrong API key (API Gateway), or a key or client that is not a partner's",
        ERROR_OR_GATEWAY,
    ),
    413: ("Request body over 10 MB (API Gateway)", GATEWAY_MESSAGE),
    429: ("Throttled, or the key's daily quota used up (API Gateway)", GATEWAY_MESSAGE),
    500: ("Unexpected error; says nothing of the cause", ERROR),
    502: ("The function failed (API Gateway)", GATEWAY_MESSAGE),
    503: ("A dependency is down; retry later", ERROR),
    504: ("The function took too long (API Gateway)", GATEWAY_MESSAGE),
}
_ORDER_ID = {"type": "string", "minLength": 1, "maxLength": 128}
_CUSTOMER_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}

OPERATIONS: Mapping[tuple[str, str], Operation] = {
    ("POST", "/orders"): Operation(
        operation_id="createOrder",
        summary="Place an order (the total is computed by the server)",
        responses={
            201: ("The stored order, pending", ORDER),
            202: (
                "Accepted; stored later from the dead-letter queue",
                {"$ref": "#/components/schemas/Queued"},
            ),
            400: (
                (
                    "Malformed JSON, a body the schema refuses, an amount past the cent, or a "
                    "feature the feature flags switch off"
                ),
                ERROR_OR_GATEWAY,
            ),
            409: ("Idempotency-Key reused with another body, or still in progress", ERROR),
            429: ("Too many orders of this customer this hour, or throttled", ERROR_OR_GATEWAY),
        },
        headers=(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "A retry with the same key gets the first answer (24 hours)",
                "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
            },
        ),
        links={
            201: {
                "GetOrder": {
                    "operationId": "getOrder",
                    "parameters": {"orderId": "$response.body#/orderId"},
                },
                "UpdateOrder": {
                    "operationId": "updateOrder",
                    "parameters": {"orderId": "$response.body#/orderId"},
                },
                "ListCustomerOrders": {
                    "operationId": "listCustomerOrders",
                    "parameters": {"customerId": "$request.body#/customerId"},
                },
            }
        },
    ),
    ("GET", "/orders/{orderId}"): Operation(
        operation_id="getOrder",
        summary="Read an order",
        responses={200: ("The order", ORDER), 404: ("No such order", ERROR)},
        parameter_schemas={"orderId": _ORDER_ID},
    ),
    ("PUT", "/orders/{orderId}"): Operation(
        operation_id="updateOrder",
        summary="Change an order's status, or its contents while pending",
        responses={
            200: ("The updated order", ORDER),
            400: (
                (
                    "Malformed JSON, a body the schema refuses, an amount past the cent, a feature "
                    "the feature flags switch off, or a body version that disagrees with If-Match"
                ),
                ERROR_OR_GATEWAY,
            ),
            404: ("No such order", ERROR),
            409: ("Illegal transition, contents after pending, or a stale version", ERROR),
        },
        headers=(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": 'The version read (its ETag, e.g. "3"; or *): a stale one is a 409',
                "schema": {"type": "string", "pattern": '^(\\*|(W/)?"?[1-9][0-9]{0,6}"?)$'},
            },
        ),
        parameter_schemas={"orderId": _ORDER_ID},
    ),
    ("GET", "/orders/customer/{customerId}"): Operation(
        operation_id="listCustomerOrders",
        summary="A customer's orders, newest first, a page at a time",
        responses={
            200: ("A page of orders", {"$ref": "#/components/schemas/OrderPage"}),
            400: ("A bad limit or customer id, or a page token the API did not issue", ERROR),
        },
        parameter_schemas={
            "customerId": _CUSTOMER_ID,
            "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
            "nextToken": {"type": "string", "minLength": 1, "maxLength": 512},
        },
    ),
}

_COMPONENT_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                },
            }
        },
    },
    "GatewayMessage": {
        "type": "object",
        "required": ["message"],
        "properties": {"message": {"type": "string"}},
    },
    "Queued": {
        "type": "object",
        "required": ["orderId", "status"],
        "properties": {
            "orderId": {"type": "string"},
            "status": {"type": "string", "enum": ["queued"]},
        },
    },
    "StoredOrder": {
        "type": "object",
        "required": [
            "orderId",
            "timestamp",
            "customerId",
            "status",
            "items",
            "deliveryAddress",
            "deliveryType",
            "total",
            "createdAt",
            "updatedAt",
            "version",
        ],
        "properties": {
            "orderId": {"type": "string", "format": "uuid"},
            "timestamp": {"type": "integer", "description": "creation time, epoch milliseconds"},
            "customerId": {"type": "string"},
            "status": {
                "type": "string",
                "enum": [
                    "pending",
                    "confirmed",
                    "preparing",
                    "out_for_delivery",
                    "delivered",
                    "cancelled",
                ],
            },
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/LineItem"}},
            "deliveryAddress": {"type": "object"},
            "deliveryType": {"type": "string", "enum": ["standard", "express"]},
            "payments": {"type": "array", "items": {"type": "object"}},
            "total": {"type": "number"},
            "createdAt": {"type": "string", "format": "date-time"},
            "updatedAt": {"type": "string", "format": "date-time"},
            "version": {"type": "integer", "minimum": 1},
            "loyaltyPoints": {"type": "integer", "minimum": 0},
        },
    },
    "LineItem": {
        "type": "object",
        "required": ["productId", "quantity", "price"],
        "properties": {
            "productId": {"type": "string"},
            "quantity": {"type": "integer"},
            "price": {"type": "number"},
        },
    },
    "OrderPage": {
        "type": "object",
        "required": ["orders", "nextToken"],
        "properties": {
            "orders": {"type": "array", "items": ORDER},
            "nextToken": {"type": "string", "nullable": True},
        },
    },
}
_CORS_HEADER = {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}}


class UndocumentedRoute(KeyError):
    """A route of the template has no entry in OPERATIONS."""


def build_document(template: Mapping[str, Any]) -> dict[str, Any]:
    resources = template["Resources"]
    paths_of = _resource_paths(resources)
    models = {
        logical_id: resource["Properties"]
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::ApiGateway::Model"
    }
    stage = next(
        r["Properties"]["StageName"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::Stage"
    )
    paths: dict[str, dict[str, Any]] = {}
    for resource in sorted(
        resources.values(), key=lambda r: str(r.get("Properties", {}).get("HttpMethod"))
    ):
        if resource["Type"] != "AWS::ApiGateway::Method":
            continue
        properties = resource["Properties"]
        path = paths_of.get(properties["ResourceId"].get("Ref", ""), "/")
        method = properties["HttpMethod"].upper()
        operation = (
            _preflight(path)
            if method == "OPTIONS"
            else _operation(method, path, properties, models)
        )
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Food delivery order API",
            "version": __version__,
            "description": (
                "Generated from the CloudFormation template and the request schemas by "
                "`python -m generator`: do not edit by hand."
            ),
        },
        "servers": [
            {"url": "http://127.0.0.1:3000", "description": "python -m generator serve"},
            {
                "url": "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
                "description": "A deployed stack (its ApiUrl output)",
                "variables": {
                    "restApiId": {"default": "abcdef1234"},
                    "region": {"default": "eu-west-1"},
                    "stage": {"default": stage},
                },
            },
        ],
        "paths": {path: paths[path] for path in sorted(paths)},
        "components": {
            "schemas": {
                **{
                    name: _openapi_schema(models_schema)
                    for name, models_schema in _model_schemas(models).items()
                },
                **copy.deepcopy(_COMPONENT_SCHEMAS),
            },
            "securitySchemes": {
                API_KEY_SCHEME: {"type": "apiKey", "in": "header", "name": "x-api-key"},
                **_oauth2_scheme(resources),
            },
        },
    }


def _oauth2_scheme(resources: Mapping[str, Any]) -> dict[str, Any]:
    """The partners' OAuth 2.0 client-credentials flow, when the template has a Cognito
    authorizer, with every scope a method asks for."""
    if not any(
        r["Type"] == "AWS::ApiGateway::Authorizer"
        and r["Properties"].get("Type") == "COGNITO_USER_POOLS"
        for r in resources.values()
    ):
        return {}
    scopes = sorted(
        {
            scope
            for r in resources.values()
            if r["Type"] == "AWS::ApiGateway::Method"
            for scope in r["Properties"].get("AuthorizationScopes", [])
        }
    )
    return {
        OAUTH2_SCHEME: {
            "type": "oauth2",
            "description": (
                "A partner's access token (Cognito, client credentials: HTTP Basic with the app "
                "client id and secret), as `Authorization: Bearer <token>`; a deployed stack's "
                "token endpoint is its TokenUrl output. Reuse a token until shortly before it "
                "expires (60 minutes): every token request is billed."
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": LOCAL_TOKEN_URL,
                    "scopes": {scope: _SCOPE_DESCRIPTIONS.get(scope, scope) for scope in scopes},
                }
            },
        }
    }


_SCOPE_DESCRIPTIONS = {scope.qualified: scope.description for scope in Scope}


def _resource_paths(resources: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in found:
            properties = resources[logical_id]["Properties"]
            parent = properties["ParentId"]
            prefix = "" if "Fn::GetAtt" in parent else path_of(parent["Ref"])
            found[logical_id] = f"{prefix}/{properties['PathPart']}"
        return found[logical_id]

    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::ApiGateway::Resource":
            path_of(logical_id)
    return found


def _model_schemas(models: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {
        str(model["Name"]): json.loads(model["Schema"])
        if isinstance(model["Schema"], str)
        else model["Schema"]
        for model in models.values()
    }


def _openapi_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A draft-04 model as an OpenAPI 3.0 schema object (which has no $schema)."""
    converted = copy.deepcopy(dict(schema))
    converted.pop("$schema", None)
    return converted


def _parameters(properties: Mapping[str, Any], operation: Operation) -> list[dict[str, Any]]:
    parameters = []
    for expression, required in sorted(properties.get("RequestParameters", {}).items()):
        match = _REQUEST_PARAMETER.match(expression)
        if match is None:
            continue
        location, name = match.groups()
        parameters.append(
            {
                "name": name,
                "in": {"querystring": "query"}.get(location, location),
                "required": bool(required) or location == "path",
                "schema": dict(operation.parameter_schemas.get(name, {"type": "string"})),
            }
        )
    return parameters + [dict(header) for header in operation.headers]


def _responses(operation: Operation) -> dict[str, Any]:
    answers = {**_GATEWAY_ANSWERS, **operation.responses}
    responses: dict[str, Any] = {}
    for status in sorted(answers):
        description, body = answers[status]
        response: dict[str, Any] = {"description": description, "headers": dict(_CORS_HEADER)}
        if body is not None:
            response["content"] = {"application/json": {"schema": body}}
        if status == 429:
            response["headers"]["Retry-After"] = {
                "description": "Seconds to wait (the customer's hourly limit)",
                "schema": {"type": "integer"},
            }
        if body is ORDER:
            response["headers"]["ETag"] = {
                "description": "The order's version",
                "schema": {"type": "string"},
            }
        if status in operation.links:
            response["links"] = dict(operation.links[status])
        responses[str(status)] = response
    return responses


def _operation(
    method: str, path: str, properties: Mapping[str, Any], models: Mapping[str, Any]
) -> dict[str, Any]:
    operation = OPERATIONS.get((method, path))
    if operation is None:
        raise UndocumentedRoute(f"{method} {path} has no entry in generator/openapi.py OPERATIONS")
    document: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "parameters": _parameters(properties, operation),
        "responses": _responses(operation),
    }
    requirement: dict[str, list[str]] = {}
    if properties.get("AuthorizationType") == "COGNITO_USER_POOLS":
        requirement[OAUTH2_SCHEME] = list(properties.get("AuthorizationScopes", []))
    if properties.get("ApiKeyRequired"):
        requirement[API_KEY_SCHEME] = []
    if requirement:
        # One requirement naming both schemes: a request needs the token and the key.
        document["security"] = [requirement]
    request_models = properties.get("RequestModels", {})
    if request_models:
        document["requestBody"] = {
            "required": True,
            "content": {
                content_type: {
                    "schema": {"$ref": f"#/components/schemas/{models[model['Ref']]['Name']}"}
                }
                for content_type, model in sorted(request_models.items())
            },
        }
    return document


def _preflight(path: str) -> dict[str, Any]:
    name = re.sub(r"[^A-Za-z0-9]+", " ", path).title().replace(" ", "")
    return {
        "operationId": f"preflight{name or 'Root'}",
        "summary": "CORS preflight (no API key)",
        "security": [],
        "parameters": [
            {"name": part[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
            for part in path.split("/")
            if part.startswith("{")
        ],
        "responses": {
            "204": {
                "description": "What a browser may send from another origin",
                "headers": {
                    header: {"schema": {"type": "string"}}
                    for header in (
                        "Access-Control-Allow-Origin",
                        "Access-Control-Allow-Headers",
                        "Access-Control-Allow-Methods",
                    )
                },
            }
        },
    }


def render(template: Mapping[str, Any]) -> str:
    """The document as committed: 2-space indented, sorted keys, final newline."""
    return json.dumps(build_document(template), indent=2, sort_keys=True) + "\n"
