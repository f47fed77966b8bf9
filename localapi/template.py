"""What API Gateway would do, read from the template: resources and their methods, the
integrations behind them, models, the request validator, gateway responses, the stage's
throttle, usage plans and API keys; and the Lambda functions the integrations call."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.template_view.resources import (
    ApiMethod,
    NotATemplate,
    TemplateView,
    request_parameters,
)


class TemplateError(ValueError):
    """The template uses something the local gateway does not emulate (says what)."""


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str
    timeout_seconds: int
    memory_mb: int
    environment: Mapping[str, Any]  # as the template writes it (intrinsics unresolved)


@dataclass(frozen=True)
class ProxyIntegration:
    function: str  # the function's logical id


@dataclass(frozen=True)
class MockIntegration:
    status: int
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Authorizer:
    logical_id: str
    kind: str  # "COGNITO_USER_POOLS"
    identity_header: str  # e.g. "Authorization"
    user_pools: tuple[str, ...]  # logical ids of the user pools


@dataclass(frozen=True)
class Method:
    http_method: str
    path: str
    integration: ProxyIntegration | MockIntegration
    api_key_required: bool = False
    authorizer: Authorizer | None = None
    scopes: tuple[str, ...] = ()
    validate_body: bool = False
    validate_parameters: bool = False
    # content type (lower case) -> JSON schema of the body
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # (location, name) of each required parameter: ("querystring", "limit")
    required_parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Throttle:
    rate: float  # requests per second
    burst: int


@dataclass(frozen=True)
class UsagePlan:
    logical_id: str
    throttle: Throttle | None
    quota_limit: int | None
    quota_period: str | None  # DAY, WEEK or MONTH
    api_keys: tuple[str, ...]  # logical ids


@dataclass(frozen=True)
class GatewayResponse:
    headers: Mapping[str, str]
    status: int | None = None


@dataclass(frozen=True)
class StagedApi:
    """The REST API as deployed on its stage."""

    stage_name: str
    paths: tuple[str, ...]  # every resource's path, "/orders/{orderId}"
    methods: Mapping[tuple[str, str], Method]  # (path, HTTP method)
    gateway_responses: Mapping[str, GatewayResponse]  # by response type
    stage_throttle: Throttle | None
    usage_plans: tuple[UsagePlan, ...]
    api_keys: tuple[str, ...]  # logical ids
    functions: Mapping[str, Function]  # by logical id

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        """The resource path a request path falls on and its path parameters (still
        percent-encoded), or None. At each level a literal segment wins over a {variable}."""
        if not path.startswith("/"):
            return None
        segments = path[1:].split("/") if path != "/" else []
        candidates = [p[1:].split("/") if p != "/" else [] for p in self.paths]
        chosen: list[str] = []
        parameters: dict[str, str] = {}
        for depth, segment in enumerate(segments):
            if not segment:
                return None
            level = [c for c in candidates if len(c) > depth and c[:depth] == chosen]
            literal = [c for c in level if c[depth] == segment]
            variable = [c for c in level if c[depth].startswith("{")]
            if literal:
                chosen.append(segment)
            elif variable:
                name = variable[0][depth]
                chosen.append(name)
                parameters[name[1:-1]] = segment
            else:
                return None
        resource = "/" + "/".join(chosen)
        return (resource, parameters) if resource in self.paths else None

    def function_of(self, method: Method) -> Function | None:
        if isinstance(method.integration, ProxyIntegration):
            return self.functions[method.integration.function]
        return None


def _ref(node: Any) -> str:
    if isinstance(node, dict) and set(node) == {"Ref"}:
        return str(node["Ref"])
    raise TemplateError(f"expected a Ref, found {json.dumps(node)}")


def _header_value(value: str) -> str:
    """A mapping expression's static value: "'*'" -> "*"."""
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    raise TemplateError(f"only static header values are emulated, not {value}")


def _integration(view: TemplateView, method: ApiMethod) -> ProxyIntegration | MockIntegration:
    integration = method.properties["Integration"]
    if integration["Type"] == "AWS_PROXY":
        function = view.invoked_function(method)
        if function is None:
            uri = integration.get("Uri")
            raise TemplateError(f"a Lambda proxy integration whose function is unknown: {uri}")
        return ProxyIntegration(function=function)
    if integration["Type"] == "MOCK":
        [response] = integration.get("IntegrationResponses", [{"StatusCode": "200"}])
        headers = {
            name.removeprefix("method.response.header."): _header_value(value)
            for name, value in response.get("ResponseParameters", {}).items()
        }
        return MockIntegration(status=int(response["StatusCode"]), headers=headers)
    raise TemplateError(f"integration type {integration['Type']} is not emulated")


def _required_parameters(method: ApiMethod) -> tuple[tuple[str, str], ...]:
    return tuple(
        (parameter.location, parameter.name)
        for parameter in request_parameters(method)
        if parameter.required
    )


def _schema(model: Mapping[str, Any]) -> Mapping[str, Any]:
    schema = model["Schema"]
    parsed: Mapping[str, Any] = json.loads(schema) if isinstance(schema, str) else schema
    return parsed


def _authorizers(view: TemplateView) -> dict[str, Authorizer]:
    found = {}
    for logical_id, properties in view.of_type("AWS::ApiGateway::Authorizer").items():
        source = str(properties.get("IdentitySource", "method.request.header.Authorization"))
        found[logical_id] = Authorizer(
            logical_id=logical_id,
            kind=str(properties["Type"]),
            identity_header=source.removeprefix("method.request.header."),
            user_pools=tuple(_pool_ids(properties.get("ProviderARNs", []))),
        )
    return found


def _pool_ids(arns: Iterable[Any]) -> Iterable[str]:
    for arn in arns:
        if isinstance(arn, dict) and "Fn::GetAtt" in arn:
            yield str(arn["Fn::GetAtt"][0])


def _method(
    view: TemplateView,
    method: ApiMethod,
    *,
    models: Mapping[str, Mapping[str, Any]],
    validators: Mapping[str, Mapping[str, Any]],
    authorizers: Mapping[str, Authorizer],
) -> Method:
    properties = method.properties
    validator = (
        validators[_ref(properties["RequestValidatorId"])]
        if "RequestValidatorId" in properties
        else {}
    )
    authorizer = (
        authorizers[_ref(properties["AuthorizerId"])] if "AuthorizerId" in properties else None
    )
    return Method(
        http_method=method.http_method,
        path=method.path,
        integration=_integration(view, method),
        api_key_required=bool(properties.get("ApiKeyRequired", False)),
        authorizer=authorizer,
        scopes=tuple(properties.get("AuthorizationScopes", ())),
        validate_body=bool(validator.get("ValidateRequestBody", False)),
        validate_parameters=bool(validator.get("ValidateRequestParameters", False)),
        models={
            content_type.lower(): models[_ref(model)]
            for content_type, model in properties.get("RequestModels", {}).items()
        },
        required_parameters=_required_parameters(method),
    )


def _throttle(settings: Mapping[str, Any] | None, rate: str, burst: str) -> Throttle | None:
    if not settings or rate not in settings:
        return None
    return Throttle(rate=float(settings[rate]), burst=int(settings[burst]))


def _stage(view: TemplateView) -> tuple[str, Throttle | None]:
    stages = view.of_type("AWS::ApiGateway::Stage")
    if len(stages) != 1:
        raise TemplateError(f"expected one AWS::ApiGateway::Stage, found {len(stages)}")
    [stage] = stages.values()
    defaults = [
        setting
        for setting in stage.get("MethodSettings", [])
        if setting.get("HttpMethod") == "*" and setting.get("ResourcePath") == "/*"
    ]
    throttle = _throttle(
        defaults[0] if defaults else None, "ThrottlingRateLimit", "ThrottlingBurstLimit"
    )
    return str(stage["StageName"]), throttle


def _usage_plans(view: TemplateView) -> tuple[UsagePlan, ...]:
    links = view.of_type("AWS::ApiGateway::UsagePlanKey").values()
    plans = []
    for logical_id, properties in view.of_type("AWS::ApiGateway::UsagePlan").items():
        quota = properties.get("Quota") or {}
        keys = tuple(
            _ref(link["KeyId"]) for link in links if _ref(link["UsagePlanId"]) == logical_id
        )
        plans.append(
            UsagePlan(
                logical_id=logical_id,
                throttle=_throttle(properties.get("Throttle"), "RateLimit", "BurstLimit"),
                quota_limit=int(quota["Limit"]) if "Limit" in quota else None,
                quota_period=quota.get("Period"),
                api_keys=keys,
            )
        )
    return tuple(plans)


def _functions(view: TemplateView) -> dict[str, Function]:
    return {
        logical_id: Function(
            logical_id=logical_id,
            handler=str(properties["Handler"]),
            timeout_seconds=int(properties.get("Timeout", 3)),
            memory_mb=int(properties.get("MemorySize", 128)),
            environment=properties.get("Environment", {}).get("Variables", {}),
        )
        for logical_id, properties in view.of_type("AWS::Lambda::Function").items()
    }


def read_api(template: Mapping[str, Any]) -> StagedApi:
    """The template's one REST API, as its stage serves it."""
    try:
        view = TemplateView(template)
    except NotATemplate as error:
        raise TemplateError(f"not a CloudFormation template: {error}") from None
    if len(view.of_type("AWS::ApiGateway::RestApi")) != 1:
        raise TemplateError("expected one AWS::ApiGateway::RestApi")
    models = {
        logical_id: _schema(properties)
        for logical_id, properties in view.of_type("AWS::ApiGateway::Model").items()
    }
    validators = view.of_type("AWS::ApiGateway::RequestValidator")
    authorizers = _authorizers(view)
    methods = {}
    for api_method in view.api_methods():
        method = _method(
            view, api_method, models=models, validators=validators, authorizers=authorizers
        )
        methods[(method.path, method.http_method)] = method
    stage_name, stage_throttle = _stage(view)
    return StagedApi(
        stage_name=stage_name,
        paths=tuple(sorted({"/", *view.api_paths().values()})),
        methods=methods,
        gateway_responses={
            str(properties["ResponseType"]): GatewayResponse(
                headers={
                    name.removeprefix("gatewayresponse.header."): _header_value(value)
                    for name, value in properties.get("ResponseParameters", {}).items()
                },
                status=int(properties["StatusCode"]) if "StatusCode" in properties else None,
            )
            for properties in view.of_type("AWS::ApiGateway::GatewayResponse").values()
        },
        stage_throttle=stage_throttle,
        usage_plans=_usage_plans(view),
        api_keys=tuple(view.of_type("AWS::ApiGateway::ApiKey")),
        functions=_functions(view),
    )
