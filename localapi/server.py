"""The local stack as one object: moto with the template's data resources, a pool of worker
processes per function, the gateway, and an HTTP server on 127.0.0.1 in front of it."""

from __future__ import annotations

import json
import os
import secrets
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
from localapi.template import Api, read_api

DEFAULT_WORKERS_PER_FUNCTION = 4
# A path the API does not use, where the gateway serves the API's OpenAPI document.
OPENAPI_PATH = "/_local/openapi.json"


class LocalApi:
    """`start()` brings everything up (in a few seconds), `stop()` takes it all down."""

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        handlers_dir: Path,
        host: str = "127.0.0.1",
        port: int = 3000,
        api_key: str | None = None,
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
        self._api_key_value = api_key
        self._workers = workers_per_function
        self._parameters = dict(parameters or {})
        self._openapi = openapi
        self._function_endpoints = dict(function_endpoints or {})
        self._log = log
        self.aws = LocalAws(stack_name=stack_name, region=region)
        self.pools: dict[str, FunctionPool] = {}
        self.api_keys: list[ApiKey] = []
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
        self.api_keys = [
            ApiKey(
                logical_id=logical_id,
                key_id=self.aws.physical_ids[logical_id][-10:].lower(),
                value=self._api_key_value
                if self._api_key_value and index == 0
                else secrets.token_urlsafe(30),
            )
            for index, logical_id in enumerate(self.api.api_keys)
        ]
        self.gateway = Gateway(
            api=self.api,
            pools=self.pools,
            function_names={lid: self.aws.physical_ids[lid] for lid in self.api.functions},
            function_arns={lid: self.aws.attributes[(lid, "Arn")] for lid in self.api.functions},
            api_keys=self.api_keys,
            region=self.aws.region,
        )
        self._server = _http_server(self._host, self._port, self.gateway, self._openapi, self._log)
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
    """What the HTTP handler serves: the gateway, the OpenAPI document, the access log."""

    gateway: Gateway
    openapi: bytes | None
    log: Callable[[str], None]


def _http_server(
    host: str,
    port: int,
    gateway: Gateway,
    openapi: Mapping[str, Any] | None,
    log: Callable[[str], None],
) -> ThreadingHTTPServer:
    class Handler(_GatewayRequestHandler):
        served = _Served(
            gateway=gateway,
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
