"""DynamoDB: the orders table with its customer index, and the idempotency table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Template, dynamodb

from generator.stack import names
from generator.stack.context import Context
from generator.stack.environments import Capacity
from generator.stack.parts.encryption import Encryption

ON_DEMAND = "PAY_PER_REQUEST"
PROVISIONED = "PROVISIONED"


@dataclass(frozen=True)
class Storage:
    orders_table: dynamodb.Table
    index_name: str
    idempotency_table: dynamodb.Table


def _throughput(capacity: Capacity) -> dynamodb.ProvisionedThroughput:
    return dynamodb.ProvisionedThroughput(
        ReadCapacityUnits=capacity.read_units, WriteCapacityUnits=capacity.write_units
    )


def _encryption(encryption: Encryption) -> dynamodb.SSESpecification:
    return dynamodb.SSESpecification(
        SSEEnabled=True, SSEType="KMS", KMSMasterKeyId=encryption.key.get_att("Arn")
    )


def _orders_table(ctx: Context, encryption: Encryption) -> dynamodb.Table:
    capacity = ctx.environment.capacity
    index = dynamodb.GlobalSecondaryIndex(
        IndexName=names.CUSTOMER_INDEX,
        KeySchema=[
            dynamodb.KeySchema(AttributeName="customerId", KeyType="HASH"),
            dynamodb.KeySchema(AttributeName="timestamp", KeyType="RANGE"),
        ],
        Projection=dynamodb.Projection(ProjectionType="ALL"),
    )
    billing: dict[str, Any] = {"BillingMode": ON_DEMAND}
    if capacity is not None:
        index.ProvisionedThroughput = _throughput(capacity)
        billing = {"BillingMode": PROVISIONED, "ProvisionedThroughput": _throughput(capacity)}
    return dynamodb.Table(
        names.ORDERS_TABLE,
        AttributeDefinitions=[
            dynamodb.AttributeDefinition(AttributeName="orderId", AttributeType="S"),
            dynamodb.AttributeDefinition(AttributeName="timestamp", AttributeType="N"),
            dynamodb.AttributeDefinition(AttributeName="customerId", AttributeType="S"),
        ],
        KeySchema=[
            dynamodb.KeySchema(AttributeName="orderId", KeyType="HASH"),
            dynamodb.KeySchema(AttributeName="timestamp", KeyType="RANGE"),
        ],
        GlobalSecondaryIndexes=[index],
        PointInTimeRecoverySpecification=dynamodb.PointInTimeRecoverySpecification(
            PointInTimeRecoveryEnabled=True
        ),
        SSESpecification=_encryption(encryption),
        StreamSpecification=dynamodb.StreamSpecification(StreamViewType="NEW_AND_OLD_IMAGES"),
        DeletionProtectionEnabled=ctx.environment.table_deletion_protection,
        **billing,
        DeletionPolicy=ctx.data_policy,
        UpdateReplacePolicy=ctx.data_policy,
    )


def _idempotency_table(ctx: Context, encryption: Encryption) -> dynamodb.Table:
    # The key and TTL attribute names are Powertools Idempotency's defaults.
    return dynamodb.Table(
        names.IDEMPOTENCY_TABLE,
        AttributeDefinitions=[dynamodb.AttributeDefinition(AttributeName="id", AttributeType="S")],
        KeySchema=[dynamodb.KeySchema(AttributeName="id", KeyType="HASH")],
        BillingMode=ON_DEMAND,
        TimeToLiveSpecification=dynamodb.TimeToLiveSpecification(
            AttributeName="expiration", Enabled=True
        ),
        PointInTimeRecoverySpecification=dynamodb.PointInTimeRecoverySpecification(
            PointInTimeRecoveryEnabled=True
        ),
        SSESpecification=_encryption(encryption),
        DeletionPolicy=ctx.data_policy,
        UpdateReplacePolicy=ctx.data_policy,
    )


def build(t: Template, ctx: Context, encryption: Encryption) -> Storage:
    orders_table = t.add_resource(_orders_table(ctx, encryption))
    idempotency_table = t.add_resource(_idempotency_table(ctx, encryption))
    return Storage(
        orders_table=orders_table,
        index_name=names.CUSTOMER_INDEX,
        idempotency_table=idempotency_table,
    )
