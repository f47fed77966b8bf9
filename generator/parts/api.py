"""API Gateway REST API: routes, CORS, request validation, deployment, stage and logging."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

from troposphere import AWSObject, If, NoValue, Sub, Template, apigateway, awslambda, cloudformation

from generator import names, scanner_skips
from generator.context import Context
from generator.parts.functions import Functions
from generator.parts.logs import LogGroups
from generator.parts.roles import Roles
from generator.scanner_skips import checkov_metadata
from generator.sources import SCHEMAS

API_NAME = "${AWS::StackName}-api"
CORS_ALLOW_ORIGIN = "*"
# The design's headers, plus the two our API reads: browsers send only the headers listed here.
CORS_ALLOW_HEADERS = ("Content-Type", "X-Api-Key", "Authorization", "Idempotency-Key", "If-Match")
CORS_ALLOW_METHODS = ("OPTIONS", "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD")
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "sourceIp": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "resourcePath": "$context.resourcePath",
        "status": "$context.status",
        "responseLatency": "$context.responseLatency",
        "integrationLatency": "$context.integrationLatency",
        "apiKeyId": "$context.identity.apiKeyId",
        "xrayTraceId": "$context.xrayTraceId",
        "errorMessage": "$context.error.message",
    },
    sort_keys=True,
    separators=(",", ":"),
)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    target: str  # "order_processor" or "query_orders": a field of Functions
    model: str | None = None  # logical id of the body's model


# Every route needs the API key and proxies to a function; bodies are validated by a model.
ROUTES = (
    Route("POST", "/orders", "order_processor", model=names.ORDER_MODEL),
    Route("GET", "/orders/{orderId}", "query_orders"),
    Route("PUT", "/orders/{orderId}", "order_processor", model=names.ORDER_UPDATE_MODEL),
    Route("GET", "/orders/customer/{customerId}", "query_orders"),
)

# Logical ids of the path resources, by path (a path's parent is its prefix).
RESOURCE_IDS = {
    "/orders": "OrdersResource",
    "/orders/{orderId}": "OrderResource",
    "/orders/customer": "CustomerResource",
    "/orders/customer/{customerId}": "CustomerOrdersResource",
}

MODELS = (
    (names.ORDER_MODEL, "Order", "order.json"),
    (names.ORDER_UPDATE_MODEL, "OrderUpdate", "order_update.json"),
)


@dataclass(frozen=True)
class Api:
    rest_api: apigateway.RestApi
    resources: tuple[apigateway.Resource, ...]
    methods: tuple[apigateway.Method, ...]
    models: tuple[apigateway.Model, ...]
    deployment: apigateway.Deployment
    stage: apigateway.Stage
    account: apigateway.Account
    name: str = API_NAME  # a Sub expression: the RestApi's Name, its metrics' ApiName


def load_schema(file_name: str) -> dict[str, Any]:
    with open(SCHEMAS / file_name, encoding="utf-8") as schema_file:
        return json.load(schema_file)


def method_id(http_method: str, path: str) -> str:
    return RESOURCE_IDS[path].removesuffix("Resource") + http_method.capitalize() + "Method"


def _header_value(values: Iterable[str]) -> str:
    return "'" + ",".join(values) + "'"


CORS_HEADERS = {
    "Access-Control-Allow-Origin": _header_value([CORS_ALLOW_ORIGIN]),
    "Access-Control-Allow-Headers": _header_value(CORS_ALLOW_HEADERS),
    "Access-Control-Allow-Methods": _header_value(CORS_ALLOW_METHODS),
}


def _resources(rest_api: apigateway.RestApi) -> dict[str, apigateway.Resource]:
    resources: dict[str, apigateway.Resource] = {}
    for path, logical_id in RESOURCE_IDS.items():
        parent_path, _, part = path.rpartition("/")
        parent = (
            resources[parent_path].ref() if parent_path else rest_api.get_att("RootResourceId")
        )
        resources[path] = apigateway.Resource(
            logical_id, RestApiId=rest_api.ref(), ParentId=parent, PathPart=part
        )
    return resources


def _path_parameters(path: str) -> dict[str, bool]:
    return {
        f"method.request.path.{part[1:-1]}": True
        for part in path.split("/")
        if part.startswith("{")
    }


def _route_method(
    route: Route,
    rest_api: apigateway.RestApi,
    resource: apigateway.Resource,
    function: awslambda.Function,
    validator: apigateway.RequestValidator,
    model: apigateway.Model | None,
) -> apigateway.Method:
    request_parameters = _path_parameters(route.path)
    if route.path == "/orders/customer/{customerId}":
        request_parameters.update(
            {"method.request.querystring.limit": False, "method.request.querystring.nextToken": False}
        )
    extra: dict[str, Any] = {}
    if model is not None:
        # Ref of a Model is its name, and makes the method wait for the model.
        extra["RequestModels"] = {"application/json": model.ref()}
    return apigateway.Method(
        method_id(route.method, route.path),
        RestApiId=rest_api.ref(),
        ResourceId=resource.ref(),
        HttpMethod=route.method,
        AuthorizationType="NONE",
        ApiKeyRequired=True,
        RequestValidatorId=validator.ref(),
        RequestParameters=request_parameters,
        Integration=apigateway.Integration(
            Type="AWS_PROXY",
            IntegrationHttpMethod="POST",
            Uri=Sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31"
                f"/functions/${{{function.title}.Arn}}/invocations"
            ),
        ),
        **extra,
    )


def _preflight_method(
    path: str, rest_api: apigateway.RestApi, resource: apigateway.Resource
) -> apigateway.Method:
    # Browsers send no API key on a preflight: OPTIONS must not require one.
    response_headers = {f"method.response.header.{name}": value for name, value in CORS_HEADERS.items()}
    return apigateway.Method(
        method_id("OPTIONS", path),
        RestApiId=rest_api.ref(),
        ResourceId=resource.ref(),
        HttpMethod="OPTIONS",
        AuthorizationType="NONE",
        ApiKeyRequired=False,
        Integration=apigateway.Integration(
            Type="MOCK",
            RequestTemplates={"application/json": '{"statusCode": 204}'},
            IntegrationResponses=[
                apigateway.IntegrationResponse(StatusCode="204", ResponseParameters=response_headers)
            ],
        ),
        MethodResponses=[
            apigateway.MethodResponse(
                StatusCode="204", ResponseParameters={name: True for name in response_headers}
            )
        ],
    )


def _gateway_responses(rest_api: apigateway.RestApi) -> list[apigateway.GatewayResponse]:
    # API Gateway's own errors (missing key, throttled, invalid body) carry CORS headers too,
    # or browsers hide them from the page.
    headers = {f"gatewayresponse.header.{name}": value for name, value in CORS_HEADERS.items()}
    return [
        apigateway.GatewayResponse(
            f"GatewayResponse{kind}",
            RestApiId=rest_api.ref(),
            ResponseType=f"DEFAULT_{kind}",
            ResponseParameters=headers,
        )
        for kind in ("4XX", "5XX")
    ]


def _invoke_permission(
    route: Route, rest_api: apigateway.RestApi, function: awslambda.Function
) -> awslambda.Permission:
    arn_path = "/".join("*" if part.startswith("{") else part for part in route.path.split("/"))
    return awslambda.Permission(
        method_id(route.method, route.path).removesuffix("Method") + "InvokePermission",
        Action="lambda:InvokeFunction",
        FunctionName=function.get_att("Arn"),
        Principal="apigateway.amazonaws.com",
        SourceArn=Sub(
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
            f"${{{rest_api.title}}}/*/{route.method}{arn_path}"
        ),
    )


def definition_hash(definition: Iterable[AWSObject]) -> str:
    """A short hash of the API definition: a new one makes CloudFormation deploy the API again."""
    rendered = json.dumps(
        {resource.title: resource.to_dict() for resource in definition}, sort_keys=True
    )
    return hashlib.sha256(rendered.encode("utf-8")).hexdigest()[:10]


def build(
    t: Template, ctx: Context, functions: Functions, log_groups: LogGroups, roles: Roles
) -> Api:
    environment = ctx.environment
    rest_api = t.add_resource(
        apigateway.RestApi(
            names.API,
            Name=Sub(API_NAME),
            Description="Food delivery order API",
            ApiKeySourceType="HEADER",
            EndpointConfiguration=apigateway.EndpointConfiguration(Types=["REGIONAL"]),
        )
    )
    validator = apigateway.RequestValidator(
        names.API_REQUEST_VALIDATOR,
        RestApiId=rest_api.ref(),
        Name="body-and-parameters",
        ValidateRequestBody=True,
        ValidateRequestParameters=True,
    )
    models = {
        logical_id: apigateway.Model(
            logical_id,
            RestApiId=rest_api.ref(),
            Name=model_name,
            ContentType="application/json",
            Schema=load_schema(file_name),
        )
        for logical_id, model_name, file_name in MODELS
    }
    resources = _resources(rest_api)
    route_methods = [
        _route_method(
            route,
            rest_api,
            resources[route.path],
            getattr(functions, route.target),
            validator,
            models.get(route.model) if route.model else None,
        )
        for route in ROUTES
    ]
    preflight_methods = [
        _preflight_method(path, rest_api, resources[path]) for path in RESOURCE_IDS
    ]
    methods = route_methods + preflight_methods
    gateway_responses = _gateway_responses(rest_api)
    definition = [validator, *models.values(), *resources.values(), *methods, *gateway_responses]
    t.add_resource(definition)
    t.add_resource(
        [_invoke_permission(route, rest_api, getattr(functions, route.target)) for route in ROUTES]
    )

    deployment = t.add_resource(
        apigateway.Deployment(
            names.API_DEPLOYMENT_PREFIX + definition_hash(definition),
            RestApiId=rest_api.ref(),
            Description="Deployment of the order API; its id changes with the API definition",
            DependsOn=sorted(method.title for method in methods)
            + sorted(response.title for response in gateway_responses),
        )
    )
    account = t.add_resource(
        apigateway.Account(
            names.API_GATEWAY_ACCOUNT,
            Condition=names.MANAGES_API_GATEWAY_ACCOUNT,
            CloudWatchRoleArn=roles.api_gateway_cloudwatch.get_att("Arn"),
        )
    )
    # A DependsOn on a resource that may not exist is invalid; this handle always exists and
    # refers to the account (when created), so the stage waits for it.
    account_ready = t.add_resource(
        cloudformation.WaitConditionHandle(
            names.API_GATEWAY_ACCOUNT_READY,
            Metadata={
                account.title: If(names.MANAGES_API_GATEWAY_ACCOUNT, account.ref(), NoValue)
            },
        )
    )
    stage = t.add_resource(
        apigateway.Stage(
            names.API_STAGE,
            RestApiId=rest_api.ref(),
            DeploymentId=deployment.ref(),
            StageName=environment.stage_name,
            Metadata=checkov_metadata(scanner_skips.NO_API_CACHE),
            TracingEnabled=True,
            AccessLogSetting=apigateway.AccessLogSetting(
                DestinationArn=log_groups.api_access.get_att("Arn"),
                Format=ACCESS_LOG_FORMAT,
            ),
            MethodSettings=[
                apigateway.MethodSetting(
                    HttpMethod="*",
                    ResourcePath="/*",
                    LoggingLevel="INFO",
                    DataTraceEnabled=environment.data_trace,
                    MetricsEnabled=True,
                    ThrottlingRateLimit=float(environment.throttle_rate_limit),
                    ThrottlingBurstLimit=environment.throttle_burst_limit,
                )
            ],
            # Execution logging fails without the account's CloudWatch role.
            DependsOn=[account_ready.title],
        )
    )
    return Api(
        rest_api=rest_api,
        resources=tuple(resources.values()),
        methods=tuple(methods),
        models=tuple(models.values()),
        deployment=deployment,
        stage=stage,
        account=account,
    )
