"""Functions, their roles (least privilege, awacs) and log groups; template parameters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.stack.conftest import CheckedTemplate

TABLE_ARN = {"Fn::GetAtt": ["OrdersTable", "Arn"]}
INDEX_ARN = {"Fn::Sub": "${OrdersTable.Arn}/index/customerIdIndex"}
KEY_ARN = {"Fn::GetAtt": ["DataKey", "Arn"]}


def _parameter_arn(logical_id: str) -> dict[str, str]:
    return {
        "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${"
        + logical_id
        + "}"
    }


def _statements(view: CheckedTemplate, role: str) -> dict[str, tuple[set[str], list[Any]]]:
    [policy] = view.props(role)["Policies"]
    return {
        s["Sid"]: (set(s["Action"]), s["Resource"])
        for s in policy["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    }


def test_order_processor_role_allows_exactly_what_its_code_does(prod: CheckedTemplate) -> None:
    assert _statements(prod, "OrderProcessorRole") == {
        "WriteOwnLogs": (
            {"logs:CreateLogStream", "logs:PutLogEvents"},
            [{"Fn::GetAtt": ["OrderProcessorLogGroup", "Arn"]}],
        ),
        "PutTraces": ({"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, ["*"]),
        "WriteOrders": ({"dynamodb:PutItem", "dynamodb:UpdateItem"}, [TABLE_ARN]),
        "ReadOrders": ({"dynamodb:GetItem", "dynamodb:Query"}, [TABLE_ARN, INDEX_ARN]),
        "UseIdempotencyRecords": (
            {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
            [{"Fn::GetAtt": ["IdempotencyTable", "Arn"]}],
        ),
        "ReadApiConfigAndFeatureFlagsAndPartnerRegistry": (
            {"ssm:GetParameter", "ssm:GetParameters"},
            [
                _parameter_arn("ApiConfigParameter"),
                _parameter_arn("FeatureFlagsParameter"),
                _parameter_arn("PartnerRegistryParameter"),
            ],
        ),
        "SendToDeadLetterQueue": (
            {"sqs:SendMessage"},
            [{"Fn::GetAtt": ["OrderDeadLetterQueue", "Arn"]}],
        ),
        "EncryptMessagesWithDataKey": ({"kms:GenerateDataKey", "kms:Decrypt"}, [KEY_ARN]),
    }


def test_query_role_only_reads(prod: CheckedTemplate) -> None:
    assert _statements(prod, "QueryOrdersRole") == {
        "WriteOwnLogs": (
            {"logs:CreateLogStream", "logs:PutLogEvents"},
            [{"Fn::GetAtt": ["QueryOrdersLogGroup", "Arn"]}],
        ),
        "PutTraces": ({"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, ["*"]),
        "ReadOrders": ({"dynamodb:GetItem", "dynamodb:Query"}, [TABLE_ARN, INDEX_ARN]),
        "ReadApiConfigAndPartnerRegistry": (
            {"ssm:GetParameter", "ssm:GetParameters"},
            [_parameter_arn("ApiConfigParameter"), _parameter_arn("PartnerRegistryParameter")],
        ),
        "DecryptWithDataKey": ({"kms:Decrypt"}, [KEY_ARN]),
    }


@pytest.mark.parametrize("role", ["OrderProcessorRole", "QueryOrdersRole"])
def test_lambda_roles_trust_only_lambda_and_attach_no_managed_policy(
    prod: CheckedTemplate, role: str
) -> None:
    props = prod.props(role)
    [trust] = props["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": ["lambda.amazonaws.com"]}
    assert trust["Action"] == ["sts:AssumeRole"]
    assert "ManagedPolicyArns" not in props
    # The only "*" resource is X-Ray, whose API has no resource-level permissions.
    for sid, (_, resources) in _statements(prod, role).items():
        assert "*" not in resources or sid == "PutTraces"


def test_order_processor_function(prod: CheckedTemplate) -> None:
    props = prod.props("OrderProcessorFunction")
    assert props["Handler"] == "order_processor.handler"
    assert props["Runtime"] == "python3.13"
    assert (props["Timeout"], props["MemorySize"]) == (30, 1024)
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Role"] == {"Fn::GetAtt": ["OrderProcessorRole", "Arn"]}
    assert props["LoggingConfig"] == {"LogGroup": {"Ref": "OrderProcessorLogGroup"}}
    assert props["KmsKeyArn"] == KEY_ARN
    # Trap 4: the DLQ stays configured (asynchronous invocations).
    assert props["DeadLetterConfig"] == {
        "TargetArn": {"Fn::GetAtt": ["OrderDeadLetterQueue", "Arn"]}
    }
    # Trap 3: reserved concurrency is a parameter; 0 leaves it unreserved.
    assert props["ReservedConcurrentExecutions"] == {
        "Fn::If": [
            "HasReservedConcurrency",
            {"Ref": "ReservedConcurrency"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert prod.template["Conditions"]["HasReservedConcurrency"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ReservedConcurrency"}, "0"]}]
    }
    # Trap 14: the code comes from the artifact parameters. Trap 11: no physical name.
    assert props["Code"] == {"S3Bucket": {"Ref": "ArtifactBucket"}, "S3Key": {"Ref": "ArtifactKey"}}
    assert "FunctionName" not in props
    assert props["Environment"]["Variables"] == {
        "ORDERS_TABLE_NAME": {"Ref": "OrdersTable"},
        "IDEMPOTENCY_TABLE_NAME": {"Ref": "IdempotencyTable"},
        "DLQ_URL": {"Ref": "OrderDeadLetterQueue"},
        "API_CONFIG_PARAMETER": {"Ref": "ApiConfigParameter"},
        "FEATURE_FLAGS_PARAMETER": {"Ref": "FeatureFlagsParameter"},
        "PARTNER_REGISTRY_PARAMETER": {"Ref": "PartnerRegistryParameter"},
        "POWERTOOLS_SERVICE_NAME": "food-delivery-api",
        "POWERTOOLS_METRICS_NAMESPACE": "FoodDelivery",
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }


def test_query_function(prod: CheckedTemplate) -> None:
    props = prod.props("QueryOrdersFunction")
    assert props["Handler"] == "query_orders.handler"
    assert props["Runtime"] == "python3.13"
    assert (props["Timeout"], props["MemorySize"]) == (10, 512)
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["LoggingConfig"] == {"LogGroup": {"Ref": "QueryOrdersLogGroup"}}
    assert "ReservedConcurrentExecutions" not in props
    assert "FunctionName" not in props


@pytest.mark.parametrize(
    ("env", "log_group", "days"),
    [
        ("prod", "OrderProcessorLogGroup", 7),
        ("prod", "QueryOrdersLogGroup", 7),
        # The access log is the audit trail of who called the API: a year in prod
        ("prod", "ApiAccessLogGroup", 365),
        ("dev", "OrderProcessorLogGroup", 7),
        ("dev", "QueryOrdersLogGroup", 7),
        ("dev", "ApiAccessLogGroup", 7),
    ],
)
def test_log_groups_retention_and_encryption(
    env: str, log_group: str, days: int, request: pytest.FixtureRequest
) -> None:
    props = request.getfixturevalue(env).props(log_group)
    assert props["RetentionInDays"] == days
    assert props["KmsKeyId"] == KEY_ARN


def test_template_parameters_have_descriptions_and_constraints(prod: CheckedTemplate) -> None:
    parameters = prod.template["Parameters"]
    assert set(parameters) == {
        "ArtifactBucket",
        "ArtifactKey",
        "AlertEmail",
        "ReservedConcurrency",
        "ManageApiGatewayAccount",
        "AuthDomainPrefix",
    }
    for name, parameter in parameters.items():
        assert parameter["Description"], name
    assert "Default" not in parameters["ArtifactBucket"]
    assert parameters["ArtifactKey"]["AllowedPattern"].endswith(r"\.zip$")
    assert parameters["AlertEmail"]["Default"] == ""
    assert parameters["ReservedConcurrency"]["Default"] == 100
    assert parameters["ReservedConcurrency"]["MinValue"] == 0
    assert parameters["ManageApiGatewayAccount"]["AllowedValues"] == ["true", "false"]
    assert parameters["AuthDomainPrefix"]["Default"] == ""


def test_dev_reserves_no_concurrency_by_default(dev: CheckedTemplate) -> None:
    assert dev.template["Parameters"]["ReservedConcurrency"]["Default"] == 0
