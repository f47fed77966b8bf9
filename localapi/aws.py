"""The AWS side of the local stack: moto's server on 127.0.0.1, holding what the template
defines for the functions (tables with their keys, index and TTL; queues; parameters with
their values) and for the partners (the user pool, its resource server and app clients with
their secrets; the API keys), named as CloudFormation would name them. The tables are in
DynamoDB Local instead where one is given (localapi/dynamodb_local.py): it starts beside moto,
at the same time."""

from __future__ import annotations

import hashlib
import selectors
import socket
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

from generator.template_view.resources import TemplateView
from localapi.dynamodb_local import DYNAMODB_LOCAL_VERSION, DynamoDBLocal
from localapi.intrinsics import Resolver

# The moto services a local stack calls: moto_host loads them while the gateway starts.
WARM_SERVICES = ("dynamodb", "sqs", "apigateway", "cognito-idp", "ssm")  # in the order used
MOTO_START_TIMEOUT = 60.0  # seconds; importing moto takes 1-3 s
ACCOUNT_ID = "123456789012"  # moto's account
# Credentials moto accepts; they are never sent anywhere else (every client names moto).
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}

# create_table takes these Table properties as the template writes them; the rest (the stack
# key's encryption, PITR, deletion protection) is account-side detail moto does not need.
_CREATE_TABLE_KEYS = (
    "AttributeDefinitions",
    "BillingMode",
    "GlobalSecondaryIndexes",
    "KeySchema",
    "ProvisionedThroughput",
    "StreamSpecification",
)


def create_table_request(properties: Mapping[str, Any], table_name: str) -> dict[str, Any]:
    """The create_table arguments for a template's AWS::DynamoDB::Table properties."""
    request = {key: properties[key] for key in _CREATE_TABLE_KEYS if key in properties}
    request["TableName"] = table_name
    if "StreamSpecification" in request:
        request["StreamSpecification"] = {"StreamEnabled": True, **request["StreamSpecification"]}
    return request


def create_table(client: Any, properties: Mapping[str, Any], table_name: str) -> None:
    """Create one template table on a DynamoDB endpoint, its TTL included."""
    client.create_table(**create_table_request(properties, table_name))
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def physical_name(stack_name: str, logical_id: str) -> str:
    """Like CloudFormation's: stack, logical id and a suffix (here stable, from the two)."""
    suffix = hashlib.sha256(f"{stack_name}/{logical_id}".encode()).hexdigest()[:12].upper()
    return f"{stack_name}-{logical_id}-{suffix}"


@dataclass
class LocalAws:
    """moto on 127.0.0.1 with the template's tables (or DynamoDB Local with the tables, where
    dynamodb_local is given), queues and parameters."""

    stack_name: str
    region: str
    dynamodb_local: DynamoDBLocal | None = None
    endpoint_url: str = ""
    physical_ids: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)
    _server: subprocess.Popen[str] | None = None
    _stderr: IO[str] | None = None
    _clients: dict[str, Any] = field(default_factory=dict)

    @property
    def dynamodb_endpoint_url(self) -> str:
        """Where the tables are: DynamoDB Local's endpoint (once it listens: the first call
        waits for it), or moto's."""
        if self.dynamodb_local is not None:
            return self.dynamodb_local.wait_until_ready()
        return self.endpoint_url

    @property
    def dynamodb_name(self) -> str:
        """What serves the tables, for people."""
        if self.dynamodb_local is not None:
            return f"DynamoDB Local {DYNAMODB_LOCAL_VERSION}"
        return "moto"

    def start(self) -> None:
        """moto and DynamoDB Local start side by side (each takes one to two seconds on two
        cores): this returns once moto listens; DynamoDB Local is waited for where the tables
        are created, while moto gets the rest."""
        if self.dynamodb_local is not None:
            self.dynamodb_local.launch()
        try:
            self._start_moto()
        except BaseException:
            self.stop()
            raise

    def _start_moto(self) -> None:
        # moto's own complaints go to a file: a pipe nobody reads would fill and stall it.
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed by stop()
        # The services it serves here: not DynamoDB beside DynamoDB Local (loading a moto
        # backend takes CPU time DynamoDB Local's start needs).
        services = [
            service
            for service in WARM_SERVICES
            if service != "dynamodb" or self.dynamodb_local is None
        ]
        self._server = subprocess.Popen(  # noqa: S603 - our interpreter, module and names
            [sys.executable, "-m", "localapi.moto_host", *services],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            process_group=0,  # as the workers: only the gateway gets Ctrl-C, and stops moto
        )
        stdout = self._server.stdout
        if stdout is None:
            raise RuntimeError("moto's stdout was not opened")
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            ready = selector.select(MOTO_START_TIMEOUT)
        port = stdout.readline().strip() if ready else ""
        if not port.isdigit():
            self.stop()
            raise RuntimeError(f"moto did not start: {self._errors()}")
        self.endpoint_url = f"http://127.0.0.1:{port}"

    def _errors(self) -> str:
        if self._server is None or self._stderr is None or self._server.poll() is None:
            return "no answer"
        self._stderr.seek(0)
        lines = self._stderr.read().strip().splitlines()
        return lines[-1] if lines else f"exit status {self._server.returncode}"

    def stop(self) -> None:
        if self.dynamodb_local is not None:
            self.dynamodb_local.stop()
        if self._server is None:
            return
        server, self._server = self._server, None
        if server.stdin is not None and not server.stdin.closed:
            server.stdin.close()  # moto_host's signal to stop
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout is not None:
            server.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def client(self, service: str) -> Any:
        """A client of moto's service (DynamoDB's: where the tables are), made once (making one
        takes a quarter of a second)."""
        if service not in self._clients:
            import boto3

            session: Any = boto3.session.Session()
            endpoint = self.dynamodb_endpoint_url if service == "dynamodb" else self.endpoint_url
            self._clients[service] = session.client(
                service,
                endpoint_url=endpoint,
                region_name=self.region,
                **LOCAL_CREDENTIALS,
            )
        return self._clients[service]

    def resolver(self, parameters: Mapping[str, str] | None = None) -> Resolver:
        return Resolver(
            stack_name=self.stack_name,
            region=self.region,
            account_id=ACCOUNT_ID,
            physical_ids=self.physical_ids,
            attributes=self.attributes,
            parameters=dict(parameters or {}),
        )

    def create_stack_resources(
        self, template: Mapping[str, Any], parameters: Mapping[str, str]
    ) -> None:
        """Create what the functions use, in dependency order: tables and queues, then the
        parameters (whose values may name them); and give every other resource a name. The
        tables are created in a thread of their own meanwhile (their names are known first):
        DynamoDB Local may still be starting."""
        resources = template["Resources"]
        for logical_id, resource in sorted(resources.items()):
            self.physical_ids[logical_id] = physical_name(self.stack_name, logical_id)
            self.attributes[(logical_id, "Arn")] = self._arn(resource["Type"], logical_id)
        tables = {
            self.physical_ids[logical_id]: resource.get("Properties", {})
            for logical_id, resource in sorted(resources.items())
            if resource["Type"] == "AWS::DynamoDB::Table"
        }
        with ThreadPoolExecutor(max_workers=1) as pool:
            created = pool.submit(self._create_tables, tables)
            self._create_moto_resources(resources, parameters)
            created.result()

    def _create_tables(self, tables: Mapping[str, Mapping[str, Any]]) -> None:
        dynamodb = self.client("dynamodb")
        for name, properties in tables.items():
            create_table(dynamodb, properties, name)

    def _create_moto_resources(
        self, resources: Mapping[str, Any], parameters: Mapping[str, str]
    ) -> None:
        for logical_id, resource in sorted(resources.items()):
            properties = resource.get("Properties", {})
            if resource["Type"] == "AWS::SQS::Queue":
                self._create_queue(logical_id)
            elif resource["Type"] == "AWS::ApiGateway::ApiKey":
                self._create_api_key(logical_id, properties)
        self._create_partner_identity(resources)
        resolver = self.resolver(parameters)
        ssm = self.client("ssm")
        for logical_id, resource in sorted(resources.items()):
            if resource["Type"] == "AWS::SSM::Parameter":
                properties = resolver.resolve(resource["Properties"])
                ssm.put_parameter(
                    Name=properties["Name"], Value=properties["Value"], Type=properties["Type"]
                )
                self.physical_ids[logical_id] = properties["Name"]

    def _create_api_key(self, logical_id: str, properties: Mapping[str, Any]) -> None:
        key = self.client("apigateway").create_api_key(
            name=self.physical_ids[logical_id], enabled=bool(properties.get("Enabled", True))
        )
        self.physical_ids[logical_id] = key["id"]  # Ref of an API key is its id

    def _create_partner_identity(self, resources: Mapping[str, Any]) -> None:
        """User pools, then their resource servers, then their app clients (whose scopes the
        resource servers define). Ref of a pool is its id, of a client its client id."""
        cognito = self.client("cognito-idp")
        view = TemplateView({"Resources": resources})
        for logical_id in view.of_type("AWS::Cognito::UserPool"):
            pool = cognito.create_user_pool(PoolName=self.physical_ids[logical_id])["UserPool"]
            self.physical_ids[logical_id] = pool["Id"]
            self.attributes[(logical_id, "Arn")] = pool["Arn"]
        resolver = self.resolver()
        for properties in view.of_type("AWS::Cognito::UserPoolResourceServer").values():
            resolved = resolver.resolve(dict(properties))
            cognito.create_resource_server(**resolved)
        for logical_id, properties in view.of_type("AWS::Cognito::UserPoolClient").items():
            resolved = resolver.resolve(dict(properties))
            client = cognito.create_user_pool_client(**resolved)["UserPoolClient"]
            self.physical_ids[logical_id] = client["ClientId"]

    def _create_queue(self, logical_id: str) -> None:
        name = self.physical_ids[logical_id]
        url = self.client("sqs").create_queue(QueueName=name)["QueueUrl"]
        self.physical_ids[logical_id] = url
        self.attributes[(logical_id, "QueueName")] = name
        self.attributes[(logical_id, "Arn")] = f"arn:aws:sqs:{self.region}:{ACCOUNT_ID}:{name}"

    def _arn(self, resource_type: str, logical_id: str) -> str:
        service = resource_type.split("::")[1].lower()
        name = physical_name(self.stack_name, logical_id)
        if service == "lambda":
            return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{name}"
        kind = "table" if service == "dynamodb" else "resource"
        return f"arn:aws:{service}:{self.region}:{ACCOUNT_ID}:{kind}/{name}"
