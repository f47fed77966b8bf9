"""A request through API Gateway (REST), as the template defines the API: route, throttle,
authorizer, API key and usage plan, request validation, then the Lambda proxy integration or
the mock integration; API Gateway's own errors get the template's gateway responses.

Transport-free: the HTTP server (localapi/server.py) turns bytes into a Request and the
Response back into bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote

from localapi import responses
from localapi.functions import TIMED_OUT, FunctionPool, Invocation
from localapi.responses import GatewayError
from localapi.template import Method, MockIntegration, StagedApi
from localapi.throttling import Quota, TokenBucket

# API Gateway's limits: a payload of at most 10 MB, and 29 s for an integration to answer.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
INTEGRATION_TIMEOUT_SECONDS = 29.0
DEFAULT_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path and query, as sent: "/orders/customer/c-1?limit=5"
    headers: Sequence[tuple[str, str]]  # in order, names as sent
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        """The last value of a header, by case-insensitive name."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return values[-1] if values else None

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    function: str | None = None  # the function that answered, for the access log
    gateway_error: str | None = None  # the gateway response type, when API Gateway answered


@dataclass(frozen=True)
class ApiKey:
    logical_id: str
    key_id: str  # what requestContext.identity.apiKeyId carries
    value: str


class Authorizer(Protocol):
    """API Gateway's COGNITO_USER_POOLS authorizer (localapi.tokens.TokenIssuer is one)."""

    def authorize(self, header: str | None, scopes: Sequence[str]) -> Mapping[str, Any] | None:
        """The claims the function gets, or None (401), for the request's identity header."""
        ...


@dataclass
class _UsagePlanLimits:
    throttle: TokenBucket | None
    quota: Quota | None


@dataclass
class Gateway:
    api: StagedApi
    pools: Mapping[str, FunctionPool]  # by function logical id
    function_names: Mapping[str, str]  # logical id -> physical name
    function_arns: Mapping[str, str]
    api_keys: Sequence[ApiKey]
    api_id: str = "localapi"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    # The user pool's authorizer (None: the template has none; its methods answer 401).
    authorizer: Authorizer | None = None
    validators: dict[int, Callable[[Any], Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._keys_by_value = {key.value: key for key in self.api_keys}
        self._stage_buckets: dict[tuple[str, str], TokenBucket] = {}
        throttle = self.api.stage_throttle
        if throttle is not None:
            for route in self.api.methods:
                self._stage_buckets[route] = TokenBucket(throttle.rate, throttle.burst)
        self._plan_of_key: dict[str, _UsagePlanLimits] = {}
        for plan in self.api.usage_plans:
            for key in plan.api_keys:
                self._plan_of_key[key] = _UsagePlanLimits(
                    throttle=TokenBucket(plan.throttle.rate, plan.throttle.burst)
                    if plan.throttle
                    else None,
                    quota=Quota(plan.quota_limit, plan.quota_period or "DAY")
                    if plan.quota_limit is not None
                    else None,
                )

    # --- the request's way through API Gateway ---------------------------------------------

    def handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            method, path_parameters = self._route(request)
            if isinstance(method.integration, MockIntegration):
                return self._mock(method.integration, request_id)
            claims, key = self._admit(method, request)
        except _Refused as refusal:
            return self.error_response(refusal.error, request_id)
        event = self._event(
            method, request, path_parameters, request_id=request_id, key=key, claims=claims
        )
        return self._integrate(method, event, request_id)

    def _route(self, request: Request) -> tuple[Method, Mapping[str, str]]:
        if len(request.body) > MAX_PAYLOAD_BYTES:
            raise _Refused(responses.REQUEST_TOO_LARGE)
        matched = self.api.match(request.path)
        method = self.api.methods.get((matched[0], request.method.upper())) if matched else None
        if matched is None or method is None:
            raise _Refused(responses.MISSING_AUTHENTICATION_TOKEN)
        return method, matched[1]

    def _admit(
        self, method: Method, request: Request
    ) -> tuple[Mapping[str, Any] | None, ApiKey | None]:
        """In API Gateway's order: the stage's throttle, the authorizer, the API key and its
        usage plan, the request validator. Returns the authorizer's claims and the key."""
        bucket = self._stage_buckets.get((method.path, method.http_method))
        if bucket is not None and not bucket.take():
            raise _Refused(responses.THROTTLED)
        claims: Mapping[str, Any] | None = None
        if method.authorizer is not None:
            claims = self._claims(method, request)
            if claims is None:
                raise _Refused(responses.UNAUTHORIZED)
        key: ApiKey | None = None
        if method.api_key_required:
            key = self._keys_by_value.get(request.header("x-api-key") or "")
            if key is None or key.logical_id not in self._plan_of_key:
                raise _Refused(responses.INVALID_API_KEY)
            self._check_usage_plan(key)
        invalid = self._validation_error(method, request)
        if invalid is not None:
            raise _Refused(invalid)
        return claims, key

    def _claims(self, method: Method, request: Request) -> Mapping[str, Any] | None:
        authorizer = method.authorizer
        if self.authorizer is None or authorizer is None:
            return None
        if authorizer.kind != "COGNITO_USER_POOLS":
            return None
        return self.authorizer.authorize(request.header(authorizer.identity_header), method.scopes)

    def _check_usage_plan(self, key: ApiKey) -> None:
        limits = self._plan_of_key[key.logical_id]
        if limits.throttle is not None and not limits.throttle.take():
            raise _Refused(responses.THROTTLED)
        if limits.quota is not None and not limits.quota.take():
            raise _Refused(responses.QUOTA_EXCEEDED)

    def _validation_error(self, method: Method, request: Request) -> GatewayError | None:
        if method.validate_parameters:
            missing = [
                name
                for location, name in method.required_parameters
                if not self._parameter(location, name, request)
            ]
            if missing:
                return responses.missing_parameters(missing)
        if method.validate_body:
            content_type = (request.header("content-type") or DEFAULT_CONTENT_TYPE).split(";")[0]
            schema = method.models.get(content_type.strip().lower()) or method.models.get(
                "$default"
            )
            # No model for the request's content type: API Gateway does not validate it.
            if schema is not None and not self._valid(schema, request.body):
                return responses.BAD_REQUEST_BODY
        return None

    @staticmethod
    def _parameter(location: str, name: str, request: Request) -> str | None:
        if location == "header":
            value = request.header(name)
        elif location == "querystring":
            value = dict(parse_qsl(request.query, keep_blank_values=True)).get(name)
        else:  # path parameters are always there once the route matched
            return "present"
        return value if value and value.strip() else None

    def _valid(self, schema: Mapping[str, Any], body: bytes) -> bool:
        import fastjsonschema

        validate = self.validators.get(id(schema))
        if validate is None:
            validate = self.validators[id(schema)] = fastjsonschema.compile(dict(schema))
        try:
            validate(json.loads(body))
        except (ValueError, RecursionError, fastjsonschema.JsonSchemaException):
            return False  # not JSON (or not UTF-8), nested past the parser, or not the model
        return True

    # --- integrations ------------------------------------------------------------------------

    def _mock(self, integration: MockIntegration, request_id: str) -> Response:
        headers = [(name, value) for name, value in sorted(integration.headers.items())]
        headers += [("Content-Type", DEFAULT_CONTENT_TYPE), ("x-amzn-RequestId", request_id)]
        return Response(status=integration.status, headers=headers)

    def _integrate(self, method: Method, event: dict[str, Any], request_id: str) -> Response:
        function = self.api.function_of(method)
        if function is None:
            raise TypeError(f"{method.http_method} {method.path} has no Lambda integration")
        answer_by = time.monotonic() + INTEGRATION_TIMEOUT_SECONDS
        timeout = min(INTEGRATION_TIMEOUT_SECONDS, float(function.timeout_seconds))
        context = {
            "function_name": self.function_names[function.logical_id],
            "invoked_function_arn": self.function_arns[function.logical_id],
            "memory_limit_in_mb": function.memory_mb,
            "aws_request_id": str(uuid.uuid4()),
            "log_group_name": f"/aws/lambda/{self.function_names[function.logical_id]}",
            "log_stream_name": "local",
            "deadline_ms": time.time() * 1000 + function.timeout_seconds * 1000,
        }
        result = self.pools[function.logical_id].invoke(
            event, context, timeout, answer_by=answer_by
        )
        response = self._proxy_response(result, request_id)
        response.function = function.logical_id
        return response

    def _proxy_response(self, result: Invocation, request_id: str) -> Response:
        if result.failure == TIMED_OUT:
            return self.error_response(responses.INTEGRATION_TIMEOUT, request_id)
        proxy = result.response if result.ok else None
        parsed = _parse_proxy_response(proxy)
        if parsed is None:
            return self.error_response(responses.FUNCTION_FAILED, request_id)
        status, headers, body = parsed
        names = {name.lower() for name, _ in headers}
        if "content-type" not in names:
            headers.append(("Content-Type", DEFAULT_CONTENT_TYPE))
        headers.append(("x-amzn-RequestId", request_id))
        return Response(status=status, headers=headers, body=body)

    # --- API Gateway's own answers -----------------------------------------------------------

    def error_response(self, error: GatewayError, request_id: str) -> Response:
        configured = self.api.gateway_responses.get(error.response_type) or (
            self.api.gateway_responses.get(error.family)
        )
        headers = sorted(configured.headers.items()) if configured else []
        status = configured.status if configured and configured.status else error.status
        return Response(
            status=status,
            headers=[
                *headers,
                ("Content-Type", DEFAULT_CONTENT_TYPE),
                ("x-amzn-RequestId", request_id),
                ("x-amzn-ErrorType", error.error_type),
            ],
            body=error.body,
            gateway_error=error.response_type,
        )

    # --- the Lambda proxy event --------------------------------------------------------------

    def _event(
        self,
        method: Method,
        request: Request,
        path_parameters: Mapping[str, str],
        *,
        request_id: str,
        key: ApiKey | None,
        claims: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for name, value in [
            *request.headers,
            ("X-Forwarded-For", request.source_ip),
            ("X-Forwarded-Proto", "http"),
        ]:
            headers[name] = value
            multi_headers.setdefault(name, []).append(value)
        query = parse_qsl(request.query, keep_blank_values=True)
        multi_query: dict[str, list[str]] = {}
        for name, value in query:
            multi_query.setdefault(name, []).append(value)
        now = dt.datetime.now(dt.UTC)
        text, encoded = _body_text(request.body)
        authorizer = {"claims": dict(claims)} if claims is not None else None
        return {
            "resource": method.path,
            "path": request.path,
            "httpMethod": method.http_method,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": dict(query) or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": {n: unquote(v) for n, v in path_parameters.items()} or None,
            "stageVariables": None,
            "requestContext": {
                "accountId": self.account_id,
                "apiId": self.api_id,
                "authorizer": authorizer,
                "domainName": request.header("host") or "127.0.0.1",
                "domainPrefix": self.api_id,
                "extendedRequestId": request_id,
                "httpMethod": method.http_method,
                "identity": {
                    "apiKey": key.value if key else None,
                    "apiKeyId": key.key_id if key else None,
                    "sourceIp": request.source_ip,
                    "userAgent": request.header("user-agent"),
                    "accessKey": None,
                    "accountId": None,
                    "caller": None,
                    "cognitoAuthenticationProvider": None,
                    "cognitoAuthenticationType": None,
                    "cognitoIdentityId": None,
                    "cognitoIdentityPoolId": None,
                    "principalOrgId": None,
                    "user": None,
                    "userArn": None,
                },
                "path": f"/{self.api.stage_name}{request.path}",
                "protocol": "HTTP/1.1",
                "requestId": request_id,
                "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "requestTimeEpoch": int(now.timestamp() * 1000),
                "resourceId": method.path,
                "resourcePath": method.path,
                "stage": self.api.stage_name,
            },
            "body": text,
            "isBase64Encoded": encoded,
        }


def _body_text(body: bytes) -> tuple[str | None, bool]:
    """The body as the event carries it: text, or base64 when it is not UTF-8 text (the API
    declares no binary media types, so API Gateway passes text through)."""
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


class _Refused(Exception):
    """API Gateway answers the request itself, with this gateway response."""

    def __init__(self, error: GatewayError) -> None:
        super().__init__(error.response_type)
        self.error = error


class _Malformed(ValueError):
    """A Lambda proxy response API Gateway cannot map (it answers 502)."""


def _parse_proxy_response(proxy: Any) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """(status, headers, body) of a Lambda proxy response, or None if it is malformed."""
    try:
        if not isinstance(proxy, dict):
            raise _Malformed("not an object")
        return _status(proxy), _headers(proxy), _body(proxy)
    except _Malformed:
        return None


def _status(proxy: Mapping[str, Any]) -> int:
    status = proxy.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise _Malformed(f"statusCode {status!r}")
    return status


def _headers(proxy: Mapping[str, Any]) -> list[tuple[str, str]]:
    single = proxy.get("headers") or {}
    multi = proxy.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise _Malformed("headers")
    if not all(isinstance(values, list) for values in multi.values()):
        raise _Malformed("multiValueHeaders")
    overridden = {name.lower() for name in multi}
    headers = [(str(n), str(v)) for n, v in single.items() if n.lower() not in overridden]
    return headers + [(str(n), str(v)) for n, values in multi.items() for v in values]


def _body(proxy: Mapping[str, Any]) -> bytes:
    body = proxy.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise _Malformed("body")
    try:
        if proxy.get("isBase64Encoded"):
            return base64.b64decode(body, validate=True)
        return body.encode("utf-8")
    except (ValueError, UnicodeEncodeError) as error:  # not base64; a lone surrogate
        raise _Malformed("body") from error
