"""The local stack as one object: moto with the template's data resources and partners, a
pool of worker processes per function, the gateway with its token issuer, and an HTTP server
on 127.0.0.1 in front of it."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from localapi.aws import LocalAws
from localapi.functions import FunctionPool
from localapi.gateway import MAX_PAYLOAD_BYTES, ApiKey, Gateway, Request, Response
from localapi.responses import REQUEST_TOO_LARGE
from localapi.template import Api, Method, read_api
from localapi.tokens import AppClient, TokenIssuer

DEFAULT_WORKERS_PER_FUNCTION = 4
# A path the API does not use, where the gateway serves the API's OpenAPI document.
OPENAPI_PATH = "/_local/openapi.json"
# Cognito's token endpoint and key set, on the same port (on AWS: the pool's domain, and the
# issuer's URL).
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path
JWKS_PATH = "/.well-known/jwks.json"
FORM = "application/x-www-form-urlencoded"
_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


@dataclass(frozen=True)
class LocalPartner:
    """An app client moto holds, and the API key of the same stem (PartnerAcmeEatsAppClient,
    PartnerAcmeEatsApiKey): what a partner is handed."""

    name: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    api_key: ApiKey | None


class LocalApi:
    """`start()` brings everything up (in a few seconds), `stop()` takes it all down."""

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        handlers_dir: Path,
        host: str = "127.0.0.1",
        port: int = 3000,
        stack_name: str = "food-delivery-local",
        region: str = "us-east-1",
        workers_per_function: int = DEFAULT_WORKERS_PER_FUNCTION,
        parameters: Mapping[str, str] | None = None,
        openapi: Mapping[str, Any] | None = None,
        function_endpoints: Mapping[str, str] | None = None,
        log: Callable[[str], None] = print,
    ) -> None:
        """function_endpoints: where the functions reach a service instead of moto, by
        service name ("dynamodb": URL): a test puts a faulty network in between."""
        self.template = template
        self.api: Api = read_api(template)
        self._handlers_dir = handlers_dir
        self._host, self._port = host, port
        self._workers = workers_per_function
        self._parameters = dict(parameters or {})
        self._openapi = openapi
        self._function_endpoints = dict(function_endpoints or {})
        self._log = log
        self.aws = LocalAws(stack_name=stack_name, region=region)
        self.pools: dict[str, FunctionPool] = {}
        self.api_keys: list[ApiKey] = []
        self.partners: list[LocalPartner] = []
        self.issuer: TokenIssuer | None = None
        self.gateway: Gateway | None = None
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self.aws.start()
        self.aws.create_stack_resources(self.template, self._template_parameters())
        resolver = self.aws.resolver(self._template_parameters())
        for logical_id, function in self.api.functions.items():
            name = self.aws.physical_ids[logical_id]
            self.pools[logical_id] = FunctionPool(
                function.handler,
                size=self._workers,
                environment=self._function_environment(
                    name,
                    function.memory_mb,
                    function.handler,
                    {k: str(v) for k, v in resolver.resolve(dict(function.environment)).items()},
                ),
                task_root=self._handlers_dir,
                log=_prefixed(self._log, f"[{logical_id}] "),
            )
        apigateway = self.aws.client("apigateway")
        self.api_keys = [
            ApiKey(
                logical_id=logical_id,
                key_id=self.aws.physical_ids[logical_id],
                value=apigateway.get_api_key(
                    apiKey=self.aws.physical_ids[logical_id], includeValue=True
                )["value"],
            )
            for logical_id in self.api.api_keys
        ]
        self.issuer = self._token_issuer()
        self.partners = self._partners()
        self.gateway = Gateway(
            api=self.api,
            pools=self.pools,
            function_names={lid: self.aws.physical_ids[lid] for lid in self.api.functions},
            function_arns={lid: self.aws.attributes[(lid, "Arn")] for lid in self.api.functions},
            api_keys=self.api_keys,
            region=self.aws.region,
            authorize=self._authorize,
        )
        self._server = _http_server(
            self._host,
            self._port,
            gateway=self.gateway,
            issuer=self.issuer,
            openapi=self._openapi,
            log=self._log,
        )
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        for pool in self.pools.values():
            threading.Thread(target=pool.warm, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for pool in self.pools.values():
            pool.close()
        self.aws.stop()

    def _user_pool(self) -> str | None:
        """The user pool the authorizers name (its logical id): the template has one."""
        pools = {pool for method in self.api.methods.values() if method.authorizer
                 for pool in method.authorizer.user_pools}  # fmt: skip
        return next(iter(sorted(pools)), None)

    def _token_issuer(self) -> TokenIssuer | None:
        pool = self._user_pool()
        if pool is None:
            return None
        pool_id = self.aws.physical_ids[pool]
        cognito = self.aws.client("cognito-idp")

        def find_client(client_id: str) -> AppClient | None:
            try:
                found = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
            except cognito.exceptions.ResourceNotFoundException:
                return None
            client = found["UserPoolClient"]
            unit = client.get("TokenValidityUnits", {}).get("AccessToken", "hours")
            return AppClient(
                client_id=client["ClientId"],
                secret=client.get("ClientSecret"),
                flows=tuple(client.get("AllowedOAuthFlows", ())),
                scopes=tuple(client.get("AllowedOAuthScopes", ())),
                access_token_seconds=int(client.get("AccessTokenValidity", 1)) * _SECONDS[unit],
            )

        # Cognito's issuer is this URL; here it is only a name, never an address reached.
        issuer = f"https://cognito-idp.{self.aws.region}.amazonaws.com/{pool_id}"
        return TokenIssuer(issuer=issuer, find_client=find_client)

    def _partners(self) -> list[LocalPartner]:
        pool = self._user_pool()
        if pool is None:
            return []
        cognito = self.aws.client("cognito-idp")
        keys = {key.logical_id.removesuffix("ApiKey"): key for key in self.api_keys}
        partners = []
        for logical_id, resource in sorted(self.template["Resources"].items()):
            if resource["Type"] != "AWS::Cognito::UserPoolClient":
                continue
            client = cognito.describe_user_pool_client(
                UserPoolId=self.aws.physical_ids[pool], ClientId=self.aws.physical_ids[logical_id]
            )["UserPoolClient"]
            partners.append(
                LocalPartner(
                    name=client.get("ClientName", logical_id),
                    client_id=client["ClientId"],
                    client_secret=client.get("ClientSecret", ""),
                    scopes=tuple(client.get("AllowedOAuthScopes", ())),
                    api_key=keys.get(logical_id.removesuffix("AppClient")),
                )
            )
        return partners

    def _authorize(self, method: Method, request: Request) -> dict[str, str] | None:
        """API Gateway's COGNITO_USER_POOLS authorizer: the claims, or None (401)."""
        if self.issuer is None or method.authorizer is None:
            return None
        if method.authorizer.kind != "COGNITO_USER_POOLS":
            return None
        return self.issuer.authorize(
            request.header(method.authorizer.identity_header), method.scopes
        )

    def _template_parameters(self) -> dict[str, str]:
        """The template's parameters: what was given, else each one's default."""
        values = {
            name: str(definition.get("Default", ""))
            for name, definition in self.template.get("Parameters", {}).items()
        }
        values.update(self._parameters)
        return values

    def _function_environment(
        self, name: str, memory_mb: int, handler: str, variables: Mapping[str, str]
    ) -> dict[str, str]:
        """What Lambda would set, the template's variables, and moto as every AWS endpoint
        (never the caller's own AWS settings: nothing here may reach AWS)."""
        environment = {
            "PATH": os.environ.get("PATH", ""),
            # Where localapi.worker is found (the handlers' folder is the worker's cwd).
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
            "PYTHONUNBUFFERED": "1",
            "TZ": "UTC",
            "LAMBDA_TASK_ROOT": str(self._handlers_dir),
            "_HANDLER": handler,
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_REGION": self.aws.region,
            "AWS_DEFAULT_REGION": self.aws.region,
            "AWS_ENDPOINT_URL": self.aws.endpoint_url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            # No X-Ray daemon here: traces would only fail to send.
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
        for service, url in self._function_endpoints.items():
            environment[f"AWS_ENDPOINT_URL_{service.upper()}"] = url
        environment.update(variables)
        return environment


def _prefixed(log: Callable[[str], None], prefix: str) -> Callable[[str], None]:
    return lambda line: log(prefix + line)


@dataclass(frozen=True)
class _Served:
    """What the HTTP handler serves: the gateway, the token endpoint and its keys, the OpenAPI
    document, the access log."""

    gateway: Gateway
    issuer: TokenIssuer | None
    openapi: bytes | None
    log: Callable[[str], None]


def _http_server(
    host: str,
    port: int,
    *,
    gateway: Gateway,
    issuer: TokenIssuer | None,
    openapi: Mapping[str, Any] | None,
    log: Callable[[str], None],
) -> ThreadingHTTPServer:
    class Handler(_GatewayRequestHandler):
        served = _Served(
            gateway=gateway,
            issuer=issuer,
            openapi=json.dumps(openapi, indent=2).encode() if openapi else None,
            log=log,
        )

    server = _GatewayHttpServer((host, port), Handler)
    server.daemon_threads = True
    return server


class _GatewayHttpServer(ThreadingHTTPServer):
    # socketserver's default backlog is 5: a burst of clients connecting at once would see
    # connections refused or SYNs retried a second later, which API Gateway never does.
    request_queue_size = socket.SOMAXCONN


class _GatewayRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 in, Request to the gateway, Response out, and one access-log line."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes; with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the headers (40 ms on Linux) on every kept-alive request.
    disable_nagle_algorithm = True
    served: ClassVar[_Served]

    def _serve(self) -> None:
        started = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_PAYLOAD_BYTES:
            # Read (up to a bound) and dropped, so the client gets the answer instead of a
            # broken pipe; then the connection closes.
            self._discard(min(length, 2 * MAX_PAYLOAD_BYTES))
            self.close_connection = True
            response = self.served.gateway.error_response(REQUEST_TOO_LARGE, "-")
        elif self.command == "GET" and self.path == OPENAPI_PATH and self.served.openapi:
            response = Response(200, [("Content-Type", "application/json")], self.served.openapi)
        elif self.path in (TOKEN_PATH, JWKS_PATH) and self.served.issuer is not None:
            response = self._identity(self.served.issuer, length)
        else:
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                target=self.path,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
            )
            response = self.served.gateway.handle(request)
        self._write(response)
        latency = (time.perf_counter() - started) * 1000
        answered_by = response.function or response.gateway_error or "-"
        self.served.log(
            f'{self.client_address[0]} "{self.command} {self.path}" {response.status} '
            f"{latency:.1f}ms {answered_by}"
        )

    def _identity(self, issuer: TokenIssuer, length: int) -> Response:
        """The token endpoint (POST, form-encoded) and the key set (GET), as Cognito's."""
        body = self.rfile.read(length) if length else b""
        json_type = [("Content-Type", "application/json")]
        if self.path == JWKS_PATH and self.command == "GET":
            return Response(200, json_type, json.dumps(issuer.jwks()).encode())
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if self.path == TOKEN_PATH and self.command == "POST" and content_type == FORM:
            answer = issuer.token_endpoint(body, self.headers.get("Authorization"))
            return Response(answer.status, json_type, answer.json())
        if self.path == TOKEN_PATH and self.command == "POST":
            return Response(400, json_type, b'{"error":"invalid_request"}')
        return Response(405, json_type, b'{"error":"method not allowed"}')

    def _discard(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                return
            length -= len(chunk)

    def _write(self, response: Response) -> None:
        self.send_response_only(response.status)
        self.send_header("Date", self.date_time_string())
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Quiet: _serve writes one access-log line per request instead."""

    def __getattr__(self, name: str) -> Any:
        # http.server looks up do_<METHOD> for each request: every method, TRACE and made-up
        # ones included, goes to the gateway (which answers an unknown one as API Gateway does).
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)
