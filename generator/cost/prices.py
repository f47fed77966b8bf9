"""Public AWS prices in us-east-1 (N. Virginia), as data: what `python -m generator cost`
multiplies by.

Every price is the first tier of its page's price list (each quantity the estimate reaches
at the workloads it is run for stays within it), in USD, without the free tier (it is per
account, and shared with whatever else runs there) and without tax. When AWS changes a price,
change it here with the date: the README's cost tables are regenerated from this table, and
`python -m generator --check` fails until they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PRICES_AS_OF = "2026-11-30"
PRICE_REGION = "us-east-1"

API_GATEWAY = "https://aws.amazon.com/api-gateway/pricing/"
LAMBDA = "https://aws.amazon.com/lambda/pricing/"
DYNAMODB_PROVISIONED = "https://aws.amazon.com/dynamodb/pricing/provisioned/"
DYNAMODB_ON_DEMAND = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
KMS = "https://aws.amazon.com/kms/pricing/"
CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/"
WAF = "https://aws.amazon.com/waf/pricing/"
XRAY = "https://aws.amazon.com/xray/pricing/"
SQS = "https://aws.amazon.com/sqs/pricing/"
SNS = "https://aws.amazon.com/sns/pricing/"
SSM = "https://aws.amazon.com/systems-manager/pricing/"
# Machine-to-machine (client credentials) authorization, charged since May 2024: per app
# client a month (prorated) and per successful token request, first tier.
COGNITO = "https://aws.amazon.com/cognito/pricing/"

ONE = Decimal(1)
MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class Price:
    """`usd` for every `per` of `unit` (3.50 USD per 1,000,000 requests)."""

    usd: Decimal
    per: Decimal
    unit: str
    source: str

    def of(self, quantity: Decimal) -> Decimal:
        return quantity * self.usd / self.per

    def describe(self) -> str:
        """`3.50 / 1M requests`, `0.03 / 10,000 requests`, `0.25 / GB-month`."""
        if self.per == ONE:
            per = ""
        elif self.per >= MILLION:
            per = f"{self.per / MILLION:g}M "
        else:
            per = f"{self.per:,} "
        return f"{self.usd} / {per}{self.unit}"


@dataclass(frozen=True)
class Prices:
    api_requests: Price
    lambda_requests: Price
    lambda_compute: Price
    dynamodb_read_capacity: Price
    dynamodb_write_capacity: Price
    dynamodb_read_requests: Price
    dynamodb_write_requests: Price
    dynamodb_storage: Price
    dynamodb_backup: Price
    kms_key: Price
    kms_requests: Price
    alarm_metric: Price
    dashboard: Price
    custom_metric: Price
    log_ingestion: Price
    log_storage: Price
    web_acl: Price
    web_acl_rule: Price
    web_acl_requests: Price
    traces: Price
    queue_requests: Price
    email_notifications: Price
    standard_parameter: Price
    advanced_parameter: Price
    m2m_app_client: Price
    m2m_token_requests: Price

    @property
    def sources(self) -> tuple[str, ...]:
        """The pages these prices come from, in the order of the table."""
        seen: dict[str, None] = {}
        for price in vars(self).values():
            seen.setdefault(price.source, None)
        return tuple(seen)


US_EAST_1 = Prices(
    api_requests=Price(Decimal("3.50"), MILLION, "requests", API_GATEWAY),
    lambda_requests=Price(Decimal("0.20"), MILLION, "requests", LAMBDA),
    lambda_compute=Price(Decimal("0.0000166667"), ONE, "GB-s", LAMBDA),
    dynamodb_read_capacity=Price(Decimal("0.00013"), ONE, "RCU-hour", DYNAMODB_PROVISIONED),
    dynamodb_write_capacity=Price(Decimal("0.00065"), ONE, "WCU-hour", DYNAMODB_PROVISIONED),
    dynamodb_read_requests=Price(Decimal("0.125"), MILLION, "read units", DYNAMODB_ON_DEMAND),
    dynamodb_write_requests=Price(Decimal("0.625"), MILLION, "write units", DYNAMODB_ON_DEMAND),
    dynamodb_storage=Price(Decimal("0.25"), ONE, "GB-month", DYNAMODB_ON_DEMAND),
    dynamodb_backup=Price(Decimal("0.20"), ONE, "GB-month", DYNAMODB_ON_DEMAND),
    kms_key=Price(Decimal("1.00"), ONE, "key-month", KMS),
    kms_requests=Price(Decimal("0.03"), Decimal(10_000), "requests", KMS),
    alarm_metric=Price(Decimal("0.10"), ONE, "alarm metric-month", CLOUDWATCH),
    dashboard=Price(Decimal("3.00"), ONE, "dashboard-month", CLOUDWATCH),
    custom_metric=Price(Decimal("0.30"), ONE, "metric-month", CLOUDWATCH),
    log_ingestion=Price(Decimal("0.50"), ONE, "GB", CLOUDWATCH),
    log_storage=Price(Decimal("0.03"), ONE, "GB-month", CLOUDWATCH),
    web_acl=Price(Decimal("5.00"), ONE, "web ACL-month", WAF),
    web_acl_rule=Price(Decimal("1.00"), ONE, "rule-month", WAF),
    web_acl_requests=Price(Decimal("0.60"), MILLION, "requests", WAF),
    traces=Price(Decimal("5.00"), MILLION, "traces", XRAY),
    queue_requests=Price(Decimal("0.40"), MILLION, "requests", SQS),
    email_notifications=Price(Decimal("2.00"), Decimal(100_000), "e-mails", SNS),
    standard_parameter=Price(Decimal("0"), ONE, "parameter-month", SSM),
    advanced_parameter=Price(Decimal("0.05"), ONE, "parameter-month", SSM),
    m2m_app_client=Price(Decimal("6.00"), ONE, "app client-month", COGNITO),
    m2m_token_requests=Price(Decimal("2.25"), Decimal(1_000), "token requests", COGNITO),
)
