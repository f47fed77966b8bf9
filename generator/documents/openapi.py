"""The API's OpenAPI 3 document, built from a rendered template and the API contract.

The operations, their path and query parameters, request bodies, scopes and API key
requirements come from the template's methods; what the template cannot say (what each
operation answers, its headers, how operations link) comes from the route the contract
declares for the method. A method without a route in the contract fails the build: the
document never silently misses one.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from generator import __version__
from generator.stack.api_contract import ORDER_STATUSES, Answer, Body, Route, find_route
from generator.stack.scopes import Scope
from generator.template_view.resources import ApiMethod, TemplateView, request_parameters

OPENAPI_FILE_NAME = "food-delivery-openapi.json"
API_KEY_SCHEME = "apiKey"
OAUTH2_SCHEME = "partnerToken"
# Where `serve` issues tokens; a deployed stack's endpoint is its TokenUrl output.
LOCAL_TOKEN_URL = "http://127.0.0.1:3000/oauth2/token"  # noqa: S105 - a URL


# API Gateway's own answers to any method that needs the key and runs a function.
_GATEWAY_ANSWERS = (
    Answer(
        401,
        "No access token, or one that is invalid, expired, not an access token or without "
        "the operation's scope (API Gateway)",
        Body.GATEWAY,
    ),
    Answer(
        403,
        "Missing or wrong API key (API Gateway), or a key or client that is not a partner's",
        Body.ERROR_OR_GATEWAY,
    ),
    Answer(413, "Request body over 10 MB (API Gateway)", Body.GATEWAY),
    Answer(429, "Throttled, or the key's daily quota used up (API Gateway)", Body.GATEWAY),
    Answer(500, "Unexpected error; says nothing of the cause", Body.ERROR),
    Answer(502, "The function failed (API Gateway)", Body.GATEWAY),
    Answer(503, "A dependency is down; retry later", Body.ERROR),
    Answer(504, "The function took too long (API Gateway)", Body.GATEWAY),
)


def _schema_of(body: Body) -> dict[str, Any]:
    if body is Body.ERROR_OR_GATEWAY:
        return {"oneOf": [_schema_of(Body.ERROR), _schema_of(Body.GATEWAY)]}
    return {"$ref": f"#/components/schemas/{body.value}"}


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
            "status": {"type": "string", "enum": list(ORDER_STATUSES)},
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
            "orders": {"type": "array", "items": _schema_of(Body.ORDER)},
            "nextToken": {"type": "string", "nullable": True},
        },
    },
}
_CORS_HEADER = {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}}


class UndocumentedRoute(KeyError):
    """A method of the template has no route in the API contract."""


def build_document(template: Mapping[str, Any]) -> dict[str, Any]:
    view = TemplateView(template)
    models = view.of_type("AWS::ApiGateway::Model")
    stage = next(iter(view.of_type("AWS::ApiGateway::Stage").values()))["StageName"]
    paths: dict[str, dict[str, Any]] = {}
    for method in sorted(view.api_methods(), key=lambda method: method.http_method):
        operation = (
            _preflight(method.path)
            if method.http_method == "OPTIONS"
            else _operation(method, models)
        )
        paths.setdefault(method.path, {})[method.http_method.lower()] = operation
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
                **_oauth2_scheme(view),
            },
        },
    }


def _oauth2_scheme(view: TemplateView) -> dict[str, Any]:
    """The partners' OAuth 2.0 client-credentials flow, when the template has a Cognito
    authorizer, with every scope a method asks for."""
    if not any(
        authorizer.get("Type") == "COGNITO_USER_POOLS"
        for authorizer in view.of_type("AWS::ApiGateway::Authorizer").values()
    ):
        return {}
    scopes = sorted(
        {
            scope
            for method in view.api_methods()
            for scope in method.properties.get("AuthorizationScopes", [])
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


def _parameters(method: ApiMethod, route: Route) -> list[dict[str, Any]]:
    parameters = [
        {
            "name": parameter.name,
            "in": {"querystring": "query"}.get(parameter.location, parameter.location),
            "required": parameter.required or parameter.location == "path",
            "schema": dict(route.parameter_schemas.get(parameter.name, {"type": "string"})),
        }
        for parameter in request_parameters(method)
    ]
    return parameters + [
        {
            "name": header.name,
            "in": "header",
            "required": False,
            "description": header.description,
            "schema": {"type": "string", "pattern": header.pattern},
        }
        for header in route.headers
    ]


def _responses(route: Route) -> dict[str, Any]:
    answers = {answer.status: answer for answer in (*_GATEWAY_ANSWERS, *route.answers)}
    responses: dict[str, Any] = {}
    for status in sorted(answers):
        answer = answers[status]
        response: dict[str, Any] = {"description": answer.why, "headers": dict(_CORS_HEADER)}
        if answer.body is not None:
            response["content"] = {"application/json": {"schema": _schema_of(answer.body)}}
        if status == 429:
            response["headers"]["Retry-After"] = {
                "description": "Seconds to wait (the customer's hourly limit)",
                "schema": {"type": "integer"},
            }
        if answer.body is Body.ORDER:
            response["headers"]["ETag"] = {
                "description": "The order's version",
                "schema": {"type": "string"},
            }
        if status in route.links:
            response["links"] = dict(route.links[status])
        responses[str(status)] = response
    return responses


def _operation(method: ApiMethod, models: Mapping[str, Any]) -> dict[str, Any]:
    route = find_route(method.http_method, method.path)
    if route is None:
        raise UndocumentedRoute(
            f"{method.http_method} {method.path} has no route in generator/stack/api_contract.py"
        )
    properties = method.properties
    document: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "parameters": _parameters(method, route),
        "responses": _responses(route),
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
