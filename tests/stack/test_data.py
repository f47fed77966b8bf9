"""The data side of the stack: tables, auto-scaling, queue, topic, parameters and the data key."""

from __future__ import annotations

import json

import pytest

from tests.stack.conftest import CheckedTemplate

KEY_ARN = {"Fn::GetAtt": ["DataKey", "Arn"]}


def test_orders_table_keys_index_stream_and_encryption(prod: CheckedTemplate) -> None:
    # Given the prod orders table
    table = prod.props("OrdersTable")

    # Then keys, index, stream, PITR and SSE with the stack key are as designed
    assert table["KeySchema"] == [
        {"AttributeName": "orderId", "KeyType": "HASH"},
        {"AttributeName": "timestamp", "KeyType": "RANGE"},
    ]
    assert sorted(
        (a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]
    ) == [("customerId", "S"), ("orderId", "S"), ("timestamp", "N")]
    [index] = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "customerIdIndex"
    assert index["KeySchema"] == [
        {"AttributeName": "customerId", "KeyType": "HASH"},
        {"AttributeName": "timestamp", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": KEY_ARN,
    }
    # Trap 11: CloudFormation names the table, so it can be replaced.
    assert "TableName" not in table


def test_prod_table_is_provisioned_five_by_five_and_kept(prod: CheckedTemplate) -> None:
    table = prod.resource("OrdersTable")
    props = table["Properties"]
    five = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    assert props["BillingMode"] == "PROVISIONED"
    assert props["ProvisionedThroughput"] == five
    assert props["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] == five
    assert props["DeletionProtectionEnabled"] is True
    for logical_id in ("OrdersTable", "IdempotencyTable", "OrderDeadLetterQueue", "DataKey"):
        resource = prod.resource(logical_id)
        assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_dev_is_on_demand_without_scaling_and_deletable(dev: CheckedTemplate) -> None:
    props = dev.props("OrdersTable")
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in props
    assert "ProvisionedThroughput" not in props["GlobalSecondaryIndexes"][0]
    assert props["DeletionProtectionEnabled"] is False
    assert dev.resources_of_type("AWS::ApplicationAutoScaling::ScalableTarget") == {}
    assert dev.resources_of_type("AWS::ApplicationAutoScaling::ScalingPolicy") == {}
    for logical_id, resource in dev.resources.items():
        assert resource.get("DeletionPolicy", "Delete") == "Delete", logical_id


def test_four_scalable_targets_with_their_own_target_tracking_policies(
    prod: CheckedTemplate,
) -> None:
    # Given the scalable targets: table and index, read and write (trap 5)
    targets = prod.resources_of_type("AWS::ApplicationAutoScaling::ScalableTarget")
    dimensions = {
        (json.dumps(t["Properties"]["ResourceId"]), t["Properties"]["ScalableDimension"])
        for t in targets.values()
    }
    table_id = json.dumps({"Fn::Sub": "table/${OrdersTable}"})
    index_id = json.dumps({"Fn::Sub": "table/${OrdersTable}/index/customerIdIndex"})
    assert dimensions == {
        (table_id, "dynamodb:table:ReadCapacityUnits"),
        (table_id, "dynamodb:table:WriteCapacityUnits"),
        (index_id, "dynamodb:index:ReadCapacityUnits"),
        (index_id, "dynamodb:index:WriteCapacityUnits"),
    }
    for target in targets.values():
        assert (target["Properties"]["MinCapacity"], target["Properties"]["MaxCapacity"]) == (
            5,
            100,
        )

    # Then each has one target-tracking policy at 70 % on the matching utilisation metric
    policies = prod.resources_of_type("AWS::ApplicationAutoScaling::ScalingPolicy")
    assert sorted(p["Properties"]["ScalingTargetId"]["Ref"] for p in policies.values()) == sorted(
        targets
    )
    for policy in policies.values():
        props = policy["Properties"]
        config = props["TargetTrackingScalingPolicyConfiguration"]
        target = targets[props["ScalingTargetId"]["Ref"]]["Properties"]
        kind = "Read" if "Read" in target["ScalableDimension"] else "Write"
        assert props["PolicyType"] == "TargetTrackingScaling"
        assert config["TargetValue"] == 70.0
        assert config["PredefinedMetricSpecification"] == {
            "PredefinedMetricType": f"DynamoDB{kind}CapacityUtilization"
        }


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_idempotency_table_is_on_demand_with_ttl(env: str, request: pytest.FixtureRequest) -> None:
    view: CheckedTemplate = request.getfixturevalue(env)
    props = view.props("IdempotencyTable")
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert props["SSESpecification"]["KMSMasterKeyId"] == KEY_ARN


def test_dead_letter_queue_keeps_messages_fourteen_days_encrypted(prod: CheckedTemplate) -> None:
    props = prod.props("OrderDeadLetterQueue")
    assert props["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert props["KmsMasterKeyId"] == KEY_ARN
    assert "QueueName" not in props


DENY_WITHOUT_TLS_CONDITION = {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_dead_letter_queue_refuses_plain_http_and_being_anyones_dead_letter_queue(
    env: str, request: pytest.FixtureRequest
) -> None:
    view: CheckedTemplate = request.getfixturevalue(env)
    # No queue may name it as its dead-letter queue
    assert view.props("OrderDeadLetterQueue")["RedriveAllowPolicy"] == {
        "redrivePermission": "denyAll"
    }
    # And every SQS action on it without TLS is denied to everyone
    policy = view.props("OrderDeadLetterQueuePolicy")
    assert policy["Queues"] == [{"Ref": "OrderDeadLetterQueue"}]
    [deny] = policy["PolicyDocument"]["Statement"]
    assert deny == {
        "Sid": "DenyWithoutTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["sqs:*"],
        "Resource": [{"Fn::GetAtt": ["OrderDeadLetterQueue", "Arn"]}],
        "Condition": DENY_WITHOUT_TLS_CONDITION,
    }


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_alert_topic_takes_publishes_only_over_tls_and_from_this_accounts_alarms(
    env: str, request: pytest.FixtureRequest
) -> None:
    view: CheckedTemplate = request.getfixturevalue(env)
    policy = view.props("AlertTopicPolicy")
    assert policy["Topics"] == [{"Ref": "AlertTopic"}]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert set(statements) == {"CloudWatchAlarmsPublish", "DenyPublishWithoutTls"}
    assert statements["DenyPublishWithoutTls"] == {
        "Sid": "DenyPublishWithoutTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["sns:Publish"],
        "Resource": [{"Ref": "AlertTopic"}],
        "Condition": DENY_WITHOUT_TLS_CONDITION,
    }
    # The policy replaces SNS's default one: CloudWatch alarms of this account keep publishing
    alarms = statements["CloudWatchAlarmsPublish"]
    assert (alarms["Effect"], alarms["Principal"], alarms["Action"]) == (
        "Allow",
        {"Service": "cloudwatch.amazonaws.com"},
        ["sns:Publish"],
    )
    assert alarms["Condition"] == {
        "ArnLike": {
            "aws:SourceArn": {
                "Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:"
                "${AWS::AccountId}:alarm:*"
            }
        },
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    }
    # And every alarm notifies that topic
    for alarm in view.resources_of_type("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlertTopic"}]


def test_alert_topic_uses_the_stack_key_and_subscribes_email_only_when_given(
    prod: CheckedTemplate,
) -> None:
    topic = prod.props("AlertTopic")
    assert topic["DisplayName"] == "Food Delivery API Alerts"
    assert topic["KmsMasterKeyId"] == KEY_ARN  # trap 8: not alias/aws/sns
    subscription = prod.resource("AlertEmailSubscription")
    assert subscription["Condition"] == "HasAlertEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlertEmail"}
    assert prod.template["Conditions"]["HasAlertEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlertEmail"}, ""]}]
    }


def test_data_key_rotates_and_admits_cloudwatch_alarms_and_logs(prod: CheckedTemplate) -> None:
    key = prod.props("DataKey")
    assert key["EnableKeyRotation"] is True
    statements = {s["Sid"]: s for s in key["KeyPolicy"]["Statement"]}
    alarms = statements["CloudWatchAlarmsPublishToEncryptedTopic"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(alarms["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    logs = statements["CloudWatchLogsEncryptThisAccountsLogGroups"]
    assert logs["Principal"] == {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}}
    # Only this account's log groups, in this region, may use the key through CloudWatch Logs
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": {
                "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"
            }
        }
    }
    admin = statements["AccountAdministersKeyThroughIam"]
    assert admin["Principal"] == {
        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    }


def test_ssm_parameters_are_plain_strings_with_the_design_values(prod: CheckedTemplate) -> None:
    # Trap 1: CloudFormation cannot create a SecureString; none of these is secret.
    parameters = prod.resources_of_type("AWS::SSM::Parameter")
    names = {lid: p["Properties"]["Name"] for lid, p in parameters.items()}
    assert names == {
        "TableNameParameter": {"Fn::Sub": "/food-delivery/${AWS::StackName}/table-name"},
        "ApiConfigParameter": {"Fn::Sub": "/food-delivery/${AWS::StackName}/api-config"},
        "FeatureFlagsParameter": {"Fn::Sub": "/food-delivery/${AWS::StackName}/feature-flags"},
        "PartnerRegistryParameter": {"Fn::Sub": "/food-delivery/${AWS::StackName}/partners"},
    }
    assert {p["Properties"]["Type"] for p in parameters.values()} == {"String"}
    assert prod.props("TableNameParameter")["Value"] == {"Ref": "OrdersTable"}
    assert json.loads(prod.props("ApiConfigParameter")["Value"]) == {
        "maxOrdersPerHour": 150,
        "defaultTimeout": 500,
        "retryAttempts": 3,
    }
    assert json.loads(prod.props("FeatureFlagsParameter")["Value"]) == {
        "expressDelivery": False,
        "loyaltyProgram": True,
        "multiplePayments": False,
    }
