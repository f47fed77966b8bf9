"""A rendered template, read as plain data: its resources by type, their properties, the REST
API's paths and methods, and the function behind each method.

Every reader of a template stands on this (the diagram, the OpenAPI document, the cost
estimate, the change-set preview, the local API), so each reads the JSON the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from generator.template_view.references import referenced

FUNCTION = "AWS::Lambda::Function"
API_RESOURCE = "AWS::ApiGateway::Resource"
API_METHOD = "AWS::ApiGateway::Method"
# `arn:...:lambda:path/2015-03-31/functions/${OrdersFunction.Arn}/invocations`: the Arn
# placeholders of an integration's Uri (the one of a Lambda function is the one invoked)
_ARN_IN_URI = re.compile(r"\$\{([A-Za-z0-9]+)\.Arn\}")
# `method.request.querystring.limit`
_REQUEST_PARAMETER = re.compile(r"^method\.request\.(path|querystring|header)\.(.+)$")


class NotATemplate(ValueError):
    """The data is not a CloudFormation template (says why)."""


@dataclass(frozen=True)
class RequestParameter:
    location: str  # path, querystring or header
    name: str
    required: bool


@dataclass(frozen=True)
class ApiMethod:
    """An AWS::ApiGateway::Method, with the path of its resource."""

    logical_id: str
    http_method: str  # upper case
    path: str  # "/orders/{orderId}"; "/" for the API's root
    properties: Mapping[str, Any]


class TemplateView:
    def __init__(self, template: Mapping[str, Any]) -> None:
        resources = template.get("Resources") if isinstance(template, Mapping) else None
        if not isinstance(resources, Mapping):
            raise NotATemplate("no Resources")
        self.template = template
        self.resources: Mapping[str, Mapping[str, Any]] = resources

    def type_of(self, logical_id: str) -> str:
        return str(self.resources.get(logical_id, {}).get("Type", ""))

    def resources_of_type(self, resource_type: str) -> dict[str, Mapping[str, Any]]:
        """Each resource of that type (whole: Type, Properties, DependsOn...), by logical id,
        sorted."""
        return {
            logical_id: resource
            for logical_id, resource in sorted(self.resources.items())
            if resource.get("Type") == resource_type
        }

    def of_type(self, resource_type: str) -> dict[str, Mapping[str, Any]]:
        """The properties of each resource of that type, by logical id, sorted."""
        return {
            logical_id: resource.get("Properties", {})
            for logical_id, resource in self.resources_of_type(resource_type).items()
        }

    def properties(self, logical_id: str) -> Mapping[str, Any]:
        found: Mapping[str, Any] = self.resources.get(logical_id, {}).get("Properties", {})
        return found

    def parameter_defaults(self) -> dict[str, str]:
        """Each template parameter's default ("" where it has none)."""
        return {
            name: str(definition.get("Default", ""))
            for name, definition in self.template.get("Parameters", {}).items()
        }

    # --- the REST API ---------------------------------------------------------------------

    def api_paths(self) -> dict[str, str]:
        """Logical id of each AWS::ApiGateway::Resource -> its full path ("/orders/{orderId}")."""
        resources = self.of_type(API_RESOURCE)
        paths: dict[str, str] = {}

        def path_of(logical_id: str) -> str:
            if logical_id not in paths:
                properties = resources[logical_id]
                parent = referenced(properties.get("ParentId"))
                prefix = path_of(parent) if parent in resources else ""
                paths[logical_id] = f"{prefix}/{properties.get('PathPart', '')}"
            return paths[logical_id]

        for logical_id in resources:
            path_of(logical_id)
        return paths

    def api_methods(self) -> Iterator[ApiMethod]:
        """Every method, with its path (by logical id)."""
        paths = self.api_paths()
        for logical_id, properties in self.of_type(API_METHOD).items():
            resource = referenced(properties.get("ResourceId"))
            yield ApiMethod(
                logical_id=logical_id,
                http_method=str(properties.get("HttpMethod", "")).upper(),
                path=paths.get(resource or "", "/"),
                properties=properties,
            )

    def invoked_function(self, method: ApiMethod) -> str | None:
        """The logical id of the Lambda function a method's proxy integration invokes."""
        uri = method.properties.get("Integration", {}).get("Uri")
        text = uri.get("Fn::Sub") if isinstance(uri, Mapping) else uri
        if isinstance(text, list) and text:
            text = text[0]
        named = _ARN_IN_URI.findall(text if isinstance(text, str) else "")
        return next((name for name in named if self.type_of(name) == FUNCTION), None)


def request_parameters(method: ApiMethod) -> list[RequestParameter]:
    """The method's declared request parameters, sorted (path, query string and header)."""
    found = []
    for expression, required in sorted(method.properties.get("RequestParameters", {}).items()):
        match = _REQUEST_PARAMETER.match(expression)
        if match is not None:
            found.append(RequestParameter(match.group(1), match.group(2), bool(required)))
    return found
