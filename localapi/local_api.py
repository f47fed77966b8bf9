"""The local stack as one object: moto (and DynamoDB Local, where given) with the template's
data resources and partners, a pool of worker processes per function, the gateway with its
token issuer, and the HTTP server on 127.0.0.1 in front of it (http_server.py)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from generator.template_view.resources import TemplateView
from localapi.aws import LocalAws
from localapi.dynamodb_local import DynamoDBLocal
from localapi.functions import FunctionPool, SourceWatcher
from localapi.gateway import ApiKey, Gateway
from localapi.http_server import CONNECTION_TIMEOUT_SECONDS, http_server
from localapi.template import StagedApi, read_api
from localapi.tokens import AppClient, TokenIssuer

DEFAULT_WORKERS_PER_FUNCTION = 4
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
        connection_timeout: float = CONNECTION_TIMEOUT_SECONDS,
        dynamodb_local: DynamoDBLocal | None = None,
        log: Callable[[str], None] = print,
    ) -> None:
        """function_endpoints: where the functions reach a service instead of moto, by
        service name ("dynamodb": URL): a test puts a faulty network in between.
        connection_timeout: seconds a client may send nothing before its connection is
        closed (idle, or half-way through a request).
        dynamodb_local: the tables are there instead of in moto (started and stopped here)."""
        self.template = template
        self.api: StagedApi = read_api(template)
        self._handlers_dir = handlers_dir
        self._host, self._port = host, port
        self._workers = workers_per_function
        self._parameters = dict(parameters or {})
        self._openapi = openapi
        self._function_endpoints = dict(function_endpoints or {})
        self._connection_timeout = connection_timeout
        self._log = log
        self.aws = LocalAws(stack_name=stack_name, region=region, dynamodb_local=dynamodb_local)
        self.pools: dict[str, FunctionPool] = {}
        self._watcher: SourceWatcher | None = None
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
        self._watcher = SourceWatcher(self._handlers_dir)
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
                watcher=self._watcher,
            )
        # One environment per function initialized before start() returns, so that a serve
        # that says it is ready answers its first requests without a cold start; their
        # inits run while the rest is set up.
        warming = [threading.Thread(target=pool.warm, daemon=True) for pool in self.pools.values()]
        for thread in warming:
            thread.start()
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
            authorizer=self.issuer,
        )
        self._server = http_server(
            self._host,
            self._port,
            gateway=self.gateway,
            issuer=self.issuer,
            openapi=self._openapi,
            log=self._log,
            connection_timeout=self._connection_timeout,
        )
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        for thread in warming:
            thread.join()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for pool in self.pools.values():
            pool.close()
        if self._watcher is not None:
            self._watcher.stop()
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
        for logical_id in TemplateView(self.template).of_type("AWS::Cognito::UserPoolClient"):
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

    def _template_parameters(self) -> dict[str, str]:
        """The template's parameters: what was given, else each one's default."""
        return {**TemplateView(self.template).parameter_defaults(), **self._parameters}

    def _function_environment(
        self, name: str, memory_mb: int, handler: str, variables: Mapping[str, str]
    ) -> dict[str, str]:
        """What Lambda would set, the template's variables, and moto as every AWS endpoint but
        DynamoDB's, where the tables are (never the caller's own AWS settings: nothing here may
        reach AWS)."""
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
            "AWS_ENDPOINT_URL_DYNAMODB": self.aws.dynamodb_endpoint_url,
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
