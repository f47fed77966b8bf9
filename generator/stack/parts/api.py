"""API Gateway REST API: its definition (routes, CORS, request validation, gateway responses),
the deployment of that definition, the stage, and the account's CloudWatch role."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from troposphere import (
    AWSObject,
    If,
    NoValue,
    Sub,
    Template,
    apigateway,
    awslambda,
    cloudformation,
)

from generator.stack import names, scanner_skips
from generator.stack.api_contract import API_PATHS, MODELS, ROUTES, ApiPath, Route
from generator.stack.context import Context
from generator.stack.parts.functions import Functions
from generator.stack.parts.logs import LogGroups
from generator.stack.parts.partners import Partners
from generator.stack.parts.roles import Roles
from generator.stack.scanner_skips import checkov_metadata
from generator.stack.sources import read_schema
from generator.stack.substitution import logical_id, placeholder

API_NAME = "${AWS::StackName}-api"
CORS_ALLOW_ORIGIN = "*"
# The design's headers, plus the two our API reads: browsers send only the headers listed here.
CORS_ALLOW_HEADERS = ("Content-Type", "X-Api-Key", "Authorization", "Idempotency-Key", "If-Match")
CORS_ALLOW_METHODS = ("OPTIONS", "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD")
GATEWAY_RESPONSE_KINDS = ("4XX", "5XX")
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


def _header_value(values: Iterable[str]) -> str:
    return "'" + ",".join(values) + "'"


CORS_HEADERS = {
    "Access-Control-Allow-Origin": _header_value([CORS_ALLOW_ORIGIN]),
    "Access-Control-Allow-Headers": _header_value(CORS_ALLOW_HEADERS),
    "Access-Control-Allow-Methods": _header_value(CORS_ALLOW_METHODS),
}


@dataclass(frozen=True)
class Definition:
    """What a deployment deploys: a change to any of it must redeploy the API."""

    authorizer: apigateway.Authorizer
    validator: apigateway.RequestValidator
    models: tuple[apigateway.Model, ...]
    resources: tuple[apigateway.Resource, ...]
    route_methods: tuple[apigateway.Method, ...]
    preflight_methods: tuple[apigateway.Method, ...]
    gateway_responses: tuple[apigateway.GatewayResponse, ...]

    @property
    def methods(self) -> tuple[apigateway.Method, ...]:
        return self.route_methods + self.preflight_methods

    @property
    def objects(self) -> tuple[AWSObject, ...]:
        return (
            self.authorizer,
            self.validator,
            *self.models,
            *self.resources,
            *self.methods,
            *self.gateway_responses,
        )


@dataclass(frozen=True)
class Api:
    rest_api: apigateway.RestApi
    definition: Definition
    permissions: tuple[awslambda.Permission, ...]
    deployment: apigateway.Deployment
    stage: apigateway.Stage
    account: apigateway.Account
    name: str = API_NAME  # a Sub expression: the RestApi's Name, its metrics' ApiName

    @property
    def resources(self) -> tuple[apigateway.Resource, ...]:
        return self.definition.resources

    @property
    def methods(self) -> tuple[apigateway.Method, ...]:
        return self.definition.methods

    @property
    def models(self) -> tuple[apigateway.Model, ...]:
        return self.definition.models


def definition_hash(definition: Iterable[AWSObject]) -> str:
    """A short hash of the API definition: a new one makes CloudFormation deploy the API again."""
    rendered = json.dumps(
        {logical_id(resource): resource.to_dict() for resource in definition}, sort_keys=True
    )
    return hashlib.sha256(rendered.encode("utf-8")).hexdigest()[:10]


# --- the definition --------------------------------------------------------------------------


def _resources(rest_api: apigateway.RestApi) -> dict[str, apigateway.Resource]:
    """The API's path resources, by path."""
    resources: dict[str, apigateway.Resource] = {}
    for api_path in API_PATHS:
        parent = api_path.parent_path
        resources[api_path.path] = apigateway.Resource(
            api_path.logical_id,
            RestApiId=rest_api.ref(),
            ParentId=resources[parent].ref() if parent else rest_api.get_att("RootResourceId"),
            PathPart=api_path.part,
        )
    return resources


def _request_parameters(route: Route) -> dict[str, bool]:
    return {
        **{f"method.request.path.{name}": True for name in route.resource.path_parameters},
        **{f"method.request.querystring.{name}": False for name in route.query_parameters},
    }


def _route_method(
    route: Route,
    *,
    rest_api: apigateway.RestApi,
    resource: apigateway.Resource,
    function: awslambda.Function,
    authorizer: apigateway.Authorizer,
    validator: apigateway.RequestValidator,
    model: apigateway.Model | None,
) -> apigateway.Method:
    optional: dict[str, Any] = {}
    if model is not None:
        # Ref of a Model is its name, and makes the method wait for the model.
        optional["RequestModels"] = {"application/json": model.ref()}
    return apigateway.Method(
        names.method_id(route.method, route.resource.logical_id),
        RestApiId=rest_api.ref(),
        ResourceId=resource.ref(),
        HttpMethod=route.method,
        # Scopes make API Gateway accept access tokens only (without them, ID tokens only).
        AuthorizationType="COGNITO_USER_POOLS",
        AuthorizerId=authorizer.ref(),
        AuthorizationScopes=[route.scope.qualified],
        ApiKeyRequired=route.api_key_required,
        RequestValidatorId=validator.ref(),
        RequestParameters=_request_parameters(route),
        Integration=apigateway.Integration(
            Type="AWS_PROXY",
            IntegrationHttpMethod="POST",
            Uri=Sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31"
                f"/functions/{placeholder(function, 'Arn')}/invocations"
            ),
        ),
        **optional,
    )


def _preflight_method(
    api_path: ApiPath, rest_api: apigateway.RestApi, resource: apigateway.Resource
) -> apigateway.Method:
    # Browsers send no API key on a preflight: OPTIONS must not require one.
    response_headers = {
        f"method.response.header.{name}": value for name, value in CORS_HEADERS.items()
    }
    return apigateway.Method(
        names.method_id("OPTIONS", api_path.logical_id),
        RestApiId=rest_api.ref(),
        ResourceId=resource.ref(),
        HttpMethod="OPTIONS",
        AuthorizationType="NONE",
        ApiKeyRequired=False,
        Integration=apigateway.Integration(
            Type="MOCK",
            RequestTemplates={"application/json": '{"statusCode": 204}'},
            IntegrationResponses=[
                apigateway.IntegrationResponse(
                    StatusCode="204", ResponseParameters=response_headers
                )
            ],
        ),
        MethodResponses=[
            apigateway.MethodResponse(
                StatusCode="204", ResponseParameters=dict.fromkeys(response_headers, True)
            )
        ],
    )


def _gateway_response(kind: str, rest_api: apigateway.RestApi) -> apigateway.GatewayResponse:
    # API Gateway's own errors (missing key, throttled, invalid body) carry CORS headers too,
    # or browsers hide them from the page.
    return apigateway.GatewayResponse(
        names.gateway_response_id(kind),
        RestApiId=rest_api.ref(),
        ResponseType=f"DEFAULT_{kind}",
        ResponseParameters={
            f"gatewayresponse.header.{name}": value for name, value in CORS_HEADERS.items()
        },
    )


def _authorizer(rest_api: apigateway.RestApi, partners: Partners) -> apigateway.Authorizer:
    return apigateway.Authorizer(
        names.API_AUTHORIZER,
        RestApiId=rest_api.ref(),
        Name="partners",
        Type="COGNITO_USER_POOLS",
        IdentitySource="method.request.header.Authorization",
        ProviderARNs=[partners.user_pool.get_att("Arn")],
    )


def _definition(
    rest_api: apigateway.RestApi, functions: Functions, partners: Partners
) -> Definition:
    authorizer = _authorizer(rest_api, partners)
    validator = apigateway.RequestValidator(
        names.API_REQUEST_VALIDATOR,
        RestApiId=rest_api.ref(),
        Name="body-and-parameters",
        ValidateRequestBody=True,
        ValidateRequestParameters=True,
    )
    models = {
        model.logical_id: apigateway.Model(
            model.logical_id,
            RestApiId=rest_api.ref(),
            Name=model.name,
            ContentType="application/json",
            Schema=read_schema(model.schema_file),
        )
        for model in MODELS
    }
    resources = _resources(rest_api)
    return Definition(
        authorizer=authorizer,
        validator=validator,
        models=tuple(models.values()),
        resources=tuple(resources.values()),
        route_methods=tuple(
            _route_method(
                route,
                rest_api=rest_api,
                resource=resources[route.path],
                function=functions[route.function],
                authorizer=authorizer,
                validator=validator,
                model=models[route.model.logical_id] if route.model else None,
            )
            for route in ROUTES
        ),
        preflight_methods=tuple(
            _preflight_method(api_path, rest_api, resources[api_path.path])
            for api_path in API_PATHS
        ),
        gateway_responses=tuple(
            _gateway_response(kind, rest_api) for kind in GATEWAY_RESPONSE_KINDS
        ),
    )


def _invoke_permission(
    route: Route, rest_api: apigateway.RestApi, function: awslambda.Function
) -> awslambda.Permission:
    arn_path = "/".join("*" if part.startswith("{") else part for part in route.path.split("/"))
    return awslambda.Permission(
        names.invoke_permission_id(route.method, route.resource.logical_id),
        Action="lambda:InvokeFunction",
        FunctionName=function.get_att("Arn"),
        Principal="apigateway.amazonaws.com",
        SourceArn=Sub(
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
            f"{placeholder(rest_api)}/*/{route.method}{arn_path}"
        ),
    )


# --- deployment, account and stage -----------------------------------------------------------


def _deployment(rest_api: apigateway.RestApi, definition: Definition) -> apigateway.Deployment:
    return apigateway.Deployment(
        names.API_DEPLOYMENT_PREFIX + definition_hash(definition.objects),
        RestApiId=rest_api.ref(),
        Description="Deployment of the order API; its id changes with the API definition",
        DependsOn=sorted(logical_id(method) for method in definition.methods)
        + sorted(logical_id(response) for response in definition.gateway_responses),
    )


def _account(
    t: Template, roles: Roles
) -> tuple[apigateway.Account, cloudformation.WaitConditionHandle]:
    """The region's CloudWatch role for API Gateway (when the stack manages it), and a handle
    that always exists and that the stage can wait for."""
    account = t.add_resource(
        apigateway.Account(
            names.API_GATEWAY_ACCOUNT,
            Condition=names.MANAGES_API_GATEWAY_ACCOUNT,
            CloudWatchRoleArn=roles.api_gateway_cloudwatch.get_att("Arn"),
        )
    )
    # A DependsOn on a resource that may not exist is invalid; this handle refers to the
    # account (when created), so whatever depends on the handle waits for the account.
    ready = t.add_resource(
        cloudformation.WaitConditionHandle(
            names.API_GATEWAY_ACCOUNT_READY,
            Metadata={
                logical_id(account): If(names.MANAGES_API_GATEWAY_ACCOUNT, account.ref(), NoValue)
            },
        )
    )
    return account, ready


def _stage(
    ctx: Context,
    *,
    rest_api: apigateway.RestApi,
    deployment: apigateway.Deployment,
    account_ready: cloudformation.WaitConditionHandle,
    log_groups: LogGroups,
) -> apigateway.Stage:
    environment = ctx.environment
    return apigateway.Stage(
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
        DependsOn=[logical_id(account_ready)],
    )


def build(
    t: Template,
    ctx: Context,
    *,
    functions: Functions,
    partners: Partners,
    log_groups: LogGroups,
    roles: Roles,
) -> Api:
    rest_api = t.add_resource(
        apigateway.RestApi(
            names.API,
            Name=Sub(API_NAME),
            Description="Food delivery order API",
            ApiKeySourceType="HEADER",
            EndpointConfiguration=apigateway.EndpointConfiguration(Types=["REGIONAL"]),
        )
    )
    definition = _definition(rest_api, functions, partners)
    for part in definition.objects:
        t.add_resource(part)
    permissions = tuple(
        t.add_resource(_invoke_permission(route, rest_api, functions[route.function]))
        for route in ROUTES
    )
    deployment = t.add_resource(_deployment(rest_api, definition))
    account, account_ready = _account(t, roles)
    stage = t.add_resource(
        _stage(
            ctx,
            rest_api=rest_api,
            deployment=deployment,
            account_ready=account_ready,
            log_groups=log_groups,
        )
    )
    return Api(
        rest_api=rest_api,
        definition=definition,
        permissions=permissions,
        deployment=deployment,
        stage=stage,
        account=account,
    )
