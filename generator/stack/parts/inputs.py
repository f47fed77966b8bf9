"""Template parameters and the conditions derived from them."""

from __future__ import annotations

from troposphere import Equals, Not, Parameter, Ref, Template

from generator.stack import names
from generator.stack.context import Inputs
from generator.stack.environments import Environment


def build(t: Template, environment: Environment) -> Inputs:
    artifact_bucket = t.add_parameter(
        Parameter(
            names.ARTIFACT_BUCKET,
            Type="String",
            Description=(
                "S3 bucket holding the Lambda code zip (python -m generator package --upload)"
            ),
            AllowedPattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
            ConstraintDescription="must be an S3 bucket name",
        )
    )
    artifact_key = t.add_parameter(
        Parameter(
            names.ARTIFACT_KEY,
            Type="String",
            Description="S3 key of the Lambda code zip, e.g. handlers-<sha256 prefix>.zip",
            AllowedPattern=r"^[A-Za-z0-9!_.*'()/-]+\.zip$",
            ConstraintDescription="must be the S3 key of a .zip file",
            MaxLength=1024,
        )
    )
    alert_email = t.add_parameter(
        Parameter(
            names.ALERT_EMAIL,
            Type="String",
            Default="",
            Description="E-mail address subscribed to the alert topic; empty for no subscription",
            AllowedPattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$",
            ConstraintDescription="must be empty or an e-mail address",
        )
    )
    reserved_concurrency = t.add_parameter(
        Parameter(
            names.RESERVED_CONCURRENCY,
            Type="Number",
            Default=environment.default_reserved_concurrency,
            MinValue=0,
            MaxValue=1000,
            Description=(
                "Reserved concurrency of the order-processing function; 0 leaves it unreserved "
                "(needed on accounts whose concurrency quota is under the reservation + 100)"
            ),
        )
    )
    manage_account = t.add_parameter(
        Parameter(
            names.MANAGE_API_GATEWAY_ACCOUNT,
            Type="String",
            Default=str(environment.default_manage_api_gateway_account).lower(),
            AllowedValues=["true", "false"],
            Description=(
                "Create the region's API Gateway CloudWatch Logs role (a per-region singleton: "
                "it replaces any role set before). Use false where another stack manages it"
            ),
        )
    )
    auth_domain_prefix = t.add_parameter(
        Parameter(
            names.AUTH_DOMAIN_PREFIX,
            Type="String",
            Default="",
            Description=(
                "Domain prefix of the partners' token endpoint "
                "(https://<prefix>.auth.<region>.amazoncognito.com), unique in the region; empty "
                "for food-delivery-<env>-<8 hex digits of the stack id>"
            ),
            AllowedPattern=r"^$|^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
            ConstraintDescription="must be empty, or lower-case letters, digits and '-'",
            MaxLength=63,
        )
    )
    t.add_condition(names.HAS_ALERT_EMAIL, Not(Equals(Ref(alert_email), "")))
    t.add_condition(names.HAS_RESERVED_CONCURRENCY, Not(Equals(Ref(reserved_concurrency), "0")))
    t.add_condition(names.MANAGES_API_GATEWAY_ACCOUNT, Equals(Ref(manage_account), "true"))
    t.add_condition(names.HAS_AUTH_DOMAIN_PREFIX, Not(Equals(Ref(auth_domain_prefix), "")))
    return Inputs(
        artifact_bucket=artifact_bucket,
        artifact_key=artifact_key,
        alert_email=alert_email,
        reserved_concurrency=reserved_concurrency,
        manage_api_gateway_account=manage_account,
        auth_domain_prefix=auth_domain_prefix,
    )
