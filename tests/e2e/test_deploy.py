"""End to end: package and upload the artifact, deploy each environment's template with the
real `aws` CLI into a moto server, check what CloudFormation created through each service's
API, run an order's whole life through the deployed functions' handlers, redeploy with a
new artifact (a changed ArtifactKey parameter), and delete the stack.

moto cannot run Lambda code without Docker: the handlers run in this process, with the
environment read from the deployed functions. What moto skips is listed in MOTO_SKIPPED_TYPES
(tests/support/moto_template.py says why) and covered by tests/stack.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

import order_processor
import query_orders
from generator.release.packaging import HANDLERS, build_artifact
from generator.release.publishing import S3Location, upload
from generator.stack import names
from generator.stack.api_contract import API_PATHS, ROUTES
from generator.stack.environments import ENVIRONMENTS
from tests.e2e.deploy import (
    ROOT,
    TEMPLATES,
    UploadedArtifact,
    aws_executable,
    delete,
    deploy,
    package_and_upload,
    stack_resources,
)
from tests.support.api import PartnerIdentity, Stack, order_body
from tests.support.aws import FAKE_CREDENTIALS
from tests.support.cli import without_aws_settings
from tests.support.moto_template import MOTO_SKIPPED_TYPES, for_moto

ARTIFACT_BUCKET = "food-delivery-e2e-artifacts"
# Also not created by moto: types its CloudFormation does not support besides
# MOTO_SKIPPED_TYPES (no Fn::GetAtt refers to them), and the e-mail subscription, whose
# condition is false while AlertEmail is empty.
ALSO_NOT_CREATED = frozenset(
    {
        "AWS::ApiGateway::GatewayResponse",
        "AWS::WAFv2::WebACL",
        "AWS::WAFv2::WebACLAssociation",
        "AWS::CloudFormation::WaitConditionHandle",
        "AWS::SNS::Subscription",
        "AWS::SNS::TopicPolicy",
        "AWS::SQS::QueuePolicy",
    }
)


@dataclass
class Deployment:
    environment: str
    stack_name: str
    template: dict[str, Any]
    artifact: UploadedArtifact
    work_dir: Path
    endpoint_url: str

    def __post_init__(self) -> None:
        session = boto3.session.Session()
        self.clients = {
            service: session.client(service, endpoint_url=self.endpoint_url)
            for service in (
                "cloudformation",
                "dynamodb",
                "sqs",
                "ssm",
                "lambda",
                "apigateway",
            )
        }

    def deploy(self, **parameters: str) -> None:
        deploy(
            self.endpoint_url,
            ENVIRONMENTS[self.environment].template_file_name,
            self.stack_name,
            {"ArtifactBucket": self.artifact.bucket, "ArtifactKey": self.artifact.key} | parameters,
            self.work_dir,
        )

    def resources(self) -> dict[str, dict[str, Any]]:
        return stack_resources(self.clients["cloudformation"], self.stack_name)

    def physical_id(self, logical_id: str) -> str:
        return self.resources()[logical_id]["PhysicalResourceId"]

    def function(self, logical_id: str) -> dict[str, Any]:
        return self.clients["lambda"].get_function_configuration(
            FunctionName=self.physical_id(logical_id)
        )


@pytest.fixture(scope="module")
def artifact(
    moto_server: str,
    tmp_path_factory: pytest.TempPathFactory,
    lambda_python: Path,  # package compiles the zip's bytecode with it
) -> UploadedArtifact:
    boto3.client("s3", endpoint_url=moto_server).create_bucket(
        Bucket=ARTIFACT_BUCKET,
        CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
    )
    return package_and_upload(
        moto_server, ARTIFACT_BUCKET, "releases", tmp_path_factory.mktemp("dist")
    )


@pytest.fixture(scope="module", params=sorted(ENVIRONMENTS))
def deployment(
    request: pytest.FixtureRequest,
    moto_server: str,
    artifact: UploadedArtifact,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    environment = request.param
    deployment = Deployment(
        environment=environment,
        stack_name=f"food-delivery-e2e-{environment}",
        template=json.loads((TEMPLATES / ENVIRONMENTS[environment].template_file_name).read_text()),
        artifact=artifact,
        work_dir=tmp_path_factory.mktemp(environment),
        endpoint_url=moto_server,
    )
    deployment.deploy()
    return deployment


def test_the_printed_deploy_command_deploys_the_release_as_printed(
    artifact: UploadedArtifact, moto_server: str
) -> None:
    # Given the command `package --upload --endpoint-url` printed, and only credentials in the
    # environment: the command itself must carry the region and the endpoint
    command = artifact.deploy_command
    assert f"ArtifactKey={artifact.key}" in command
    words = shlex.split(command)
    template_file = Path(words[words.index("--template-file") + 1])
    stack_name = words[words.index("--stack-name") + 1]
    # (moto cannot deploy the template as AWS can: its test-only copy takes the file's place)
    template_file.write_text(
        for_moto(json.loads(template_file.read_text(encoding="utf-8"))), encoding="utf-8"
    )
    env = without_aws_settings()
    env.update({k: v for k, v in FAKE_CREDENTIALS.items() if "REGION" not in k})
    env["PATH"] = f"{Path(aws_executable()).parent}{os.pathsep}{env.get('PATH', '')}"

    # When it is run as printed
    result = subprocess.run(  # noqa: S602 - the command as a user pastes it into a shell
        command, shell=True, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT
    )

    # Then the stack is created with the release's code, and can be deleted again
    assert result.returncode == 0, result.stdout + result.stderr
    cloudformation = boto3.client("cloudformation", endpoint_url=moto_server)
    [stack] = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert parameters["ArtifactKey"] == artifact.key
    delete(moto_server, stack_name)


def test_every_resource_is_created_or_a_known_moto_gap(deployment: Deployment) -> None:
    # Given what the template declares and what moto's CloudFormation reports as created
    declared = {lid: r["Type"] for lid, r in deployment.template["Resources"].items()}
    created = {
        lid: summary
        for lid, summary in deployment.resources().items()
        if lid and summary["ResourceStatus"] == "CREATE_COMPLETE"
    }

    # Then every declared resource was created, except types moto skips (covered by tests/stack)
    not_created = {lid: rtype for lid, rtype in declared.items() if lid not in created}
    assert set(not_created.values()) <= MOTO_SKIPPED_TYPES | ALSO_NOT_CREATED, not_created
    assert {
        "OrdersTable",
        "IdempotencyTable",
        "OrderDeadLetterQueue",
        "OrderProcessorFunction",
        "QueryOrdersFunction",
        "OrdersApi",
        "DataKey",
        "Dashboard",
    } <= set(created)


def test_orders_table_keys_index_and_stream(deployment: Deployment) -> None:
    table = deployment.clients["dynamodb"].describe_table(
        TableName=deployment.physical_id("OrdersTable")
    )["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "orderId", "KeyType": "HASH"},
        {"AttributeName": "timestamp", "KeyType": "RANGE"},
    ]
    [index] = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "customerIdIndex"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["customerId", "timestamp"]
    assert index["Projection"]["ProjectionType"] == "ALL"
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if deployment.environment == "prod":
        assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
        assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    else:
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_dead_letter_queue_retention_and_encryption(deployment: Deployment) -> None:
    attributes = deployment.clients["sqs"].get_queue_attributes(
        QueueUrl=deployment.physical_id("OrderDeadLetterQueue"), AttributeNames=["All"]
    )["Attributes"]
    assert attributes["MessageRetentionPeriod"] == str(14 * 24 * 3600)
    key_id = deployment.physical_id("DataKey")
    assert key_id in attributes["KmsMasterKeyId"]
    # (moto's CloudFormation drops RedriveAllowPolicy; tests/stack asserts it.)


def test_the_partner_registry_names_each_partners_client_and_key(deployment: Deployment) -> None:
    ssm = deployment.clients["ssm"]
    name = f"/food-delivery/{deployment.stack_name}/partners"
    registry = json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    partners = ENVIRONMENTS[deployment.environment].partners
    # (moto creates no app client or key: their ids are the test-only copy's placeholders)
    assert registry == {
        f"moto-skipped-{names.partner_app_client_id(p.name)}": {
            "apiKeyId": f"moto-skipped-{names.partner_api_key_id(p.name)}",
            "partner": p.name,
        }
        for p in partners
    }


def test_parameters_hold_the_design_values(deployment: Deployment) -> None:
    ssm = deployment.clients["ssm"]
    prefix = f"/food-delivery/{deployment.stack_name}"
    assert ssm.get_parameter(Name=f"{prefix}/table-name")["Parameter"]["Value"] == (
        deployment.physical_id("OrdersTable")
    )
    api_config = ssm.get_parameter(Name=f"{prefix}/api-config")["Parameter"]
    assert api_config["Type"] == "String"
    assert json.loads(api_config["Value"]) == {
        "maxOrdersPerHour": 150,
        "defaultTimeout": 500,
        "retryAttempts": 3,
    }
    flags = json.loads(ssm.get_parameter(Name=f"{prefix}/feature-flags")["Parameter"]["Value"])
    assert flags == {"expressDelivery": False, "loyaltyProgram": True, "multiplePayments": False}


@pytest.mark.parametrize(
    ("logical_id", "handler", "memory", "timeout", "entry"),
    [
        ("OrderProcessorFunction", "order_processor.handler", 1024, 30, order_processor),
        ("QueryOrdersFunction", "query_orders.handler", 512, 10, query_orders),
    ],
)
def test_functions_run_the_artifact_with_the_environment_their_code_reads(
    deployment: Deployment, logical_id: str, handler: str, memory: int, timeout: int, entry: Any
) -> None:
    function = deployment.function(logical_id)
    assert (function["Handler"], function["Runtime"]) == (handler, "python3.13")
    assert (function["MemorySize"], function["Timeout"]) == (memory, timeout)
    # (moto's CloudFormation drops TracingConfig; tests/stack asserts Mode Active.)
    variables = function["Environment"]["Variables"]
    assert set(entry.REQUIRED_ENVIRONMENT) <= set(variables)
    assert variables["ORDERS_TABLE_NAME"] == deployment.physical_id("OrdersTable")
    code = deployment.clients["lambda"].get_function(FunctionName=function["FunctionName"])
    assert code["Configuration"]["CodeSize"] > 1_000_000  # the uploaded zip, dependencies included


def test_api_resources_and_methods(deployment: Deployment) -> None:
    items = deployment.clients["apigateway"].get_resources(
        restApiId=deployment.physical_id("OrdersApi"), limit=500
    )["items"]
    methods = {item["path"]: set(item.get("resourceMethods", {})) for item in items}
    # Every path of the API contract with its preflight and its routes; the design's among them
    declared: dict[str, set[str]] = {"/": set()}
    for path in API_PATHS:
        declared[path.path] = {"OPTIONS"}
    for route in ROUTES:
        declared[route.path].add(route.method)
    assert methods == declared
    assert {"POST"} <= methods["/orders"]
    assert {"GET", "PUT"} <= methods["/orders/{orderId}"]
    assert {"GET"} <= methods["/orders/customer/{customerId}"]


@pytest.fixture
def deployed_stack(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """The handlers' environment as the deployed functions have it, on moto's endpoint."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", deployment.endpoint_url)
    variables: dict[str, str] = {}
    for logical_id in ("OrderProcessorFunction", "QueryOrdersFunction"):
        variables.update(deployment.function(logical_id)["Environment"]["Variables"])
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    clients = deployment.clients
    # The partners as the deployed registry names them (moto creates no app client or key:
    # the test-only copy names each by a placeholder, tests/support/moto_template.py)
    registry = json.loads(
        clients["ssm"].get_parameter(Name=variables["PARTNER_REGISTRY_PARAMETER"])["Parameter"][
            "Value"
        ]
    )
    partners = {
        entry["partner"]: PartnerIdentity(entry["partner"], client_id, entry["apiKeyId"])
        for client_id, entry in registry.items()
    }
    return Stack(
        orders_table=variables["ORDERS_TABLE_NAME"],
        idempotency_table=variables["IDEMPOTENCY_TABLE_NAME"],
        queue_url=variables["DLQ_URL"],
        api_config_parameter=variables["API_CONFIG_PARAMETER"],
        feature_flags_parameter=variables["FEATURE_FLAGS_PARAMETER"],
        partner_registry_parameter=variables["PARTNER_REGISTRY_PARAMETER"],
        dynamodb=clients["dynamodb"],
        sqs=clients["sqs"],
        ssm=clients["ssm"],
        partners=partners,
    )


def test_an_order_lives_its_whole_life_on_the_deployed_stack(deployed_stack: Stack) -> None:
    stack = deployed_stack
    customer = f"e2e-{stack.orders_table[-8:].lower()}"

    # Create: 201, priced by the server, pending, version 1
    created = stack.post(order_body(customerId=customer))
    assert created.status == 201, created.body
    order = created.body
    assert (order["status"], order["version"], order["customerId"]) == ("pending", 1, customer)
    assert created.headers["access-control-allow-origin"] == "*"

    # Get and list
    assert stack.get(order["orderId"]).body["orderId"] == order["orderId"]
    listed = stack.list(customer)
    assert listed.status == 200
    assert [o["orderId"] for o in listed.body["orders"]] == [order["orderId"]]

    # Update through every status of the lifecycle, each from the version just read
    version = order["version"]
    for status in ("confirmed", "preparing", "out_for_delivery", "delivered"):
        updated = stack.put(order["orderId"], {"status": status, "version": version})
        assert updated.status == 200, updated.body
        assert updated.body["status"] == status
        version = updated.body["version"]
    assert stack.get(order["orderId"]).body["status"] == "delivered"

    # A delivered order cannot be cancelled; a stale version is a conflict
    assert stack.put(order["orderId"], {"status": "cancelled"}).status == 409
    assert stack.put(order["orderId"], {"status": "delivered", "version": 1}).status == 409

    # Bad input and unknown orders
    bad = stack.post(order_body(customerId=customer, items=[]))
    assert bad.status == 400
    assert bad.error_code
    assert stack.post(raw="{not json").status == 400
    missing = "00000000-0000-4000-8000-000000000000"
    assert stack.get(missing).status == 404
    assert stack.put(missing, {"status": "confirmed"}).status == 404
    assert len(stack.stored_orders()) == 1

    # Another partner of the deployed registry sees none of it
    assert stack.get(order["orderId"], partner="city-couriers").status == 404
    assert stack.list(customer, partner="city-couriers").body["orders"] == []


def test_redeploy_with_a_new_artifact_updates_the_functions_code(
    deployment: Deployment, tmp_path: Path
) -> None:
    # Given a new release: the handlers with one change, packaged and uploaded
    handlers = tmp_path / "handlers"
    shutil.copytree(HANDLERS, handlers, ignore=shutil.ignore_patterns("__pycache__"))
    entry = handlers / "order_processor.py"
    entry.write_text(entry.read_text() + f"\n# release 2 of {deployment.stack_name}\n")
    release = build_artifact(tmp_path / "dist", handlers=handlers)
    s3 = boto3.client("s3", endpoint_url=deployment.endpoint_url)
    key, uploaded = upload(s3, release, S3Location(ARTIFACT_BUCKET, "releases"))
    assert uploaded
    assert key != deployment.artifact.key

    # When the stack is deployed again with the new ArtifactKey
    deployment.deploy(ArtifactKey=key)

    # Then the stack is updated and both functions run the new zip
    [stack] = deployment.clients["cloudformation"].describe_stacks(StackName=deployment.stack_name)[
        "Stacks"
    ]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}[
        "ArtifactKey"
    ] == key
    expected = base64.b64encode(bytes.fromhex(release.sha256)).decode()
    for logical_id in ("OrderProcessorFunction", "QueryOrdersFunction"):
        assert deployment.function(logical_id)["CodeSha256"] == expected


def test_delete_removes_the_stack_and_keeps_prod_data(deployment: Deployment) -> None:
    table = deployment.physical_id("OrdersTable")
    delete(deployment.endpoint_url, deployment.stack_name)
    pages = deployment.clients["cloudformation"].get_paginator("list_stacks").paginate()
    statuses = {
        s["StackStatus"]
        for page in pages
        for s in page["StackSummaries"]
        if s["StackName"] == deployment.stack_name
    }
    assert statuses == {"DELETE_COMPLETE"}
    # prod retains its data (DeletionPolicy Retain); dev deletes everything. (Not list_tables:
    # it answers a page of 100, and the tests' moto server holds more tables than that.)
    dynamodb = deployment.clients["dynamodb"]
    try:
        dynamodb.describe_table(TableName=table)
        kept = True
    except dynamodb.exceptions.ResourceNotFoundException:
        kept = False
    assert kept is (deployment.environment == "prod")
