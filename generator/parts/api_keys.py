"""The partner API key and its usage plan (throttle and daily quota) on the stage."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Sub, Template, apigateway

from generator import names
from generator.context import Context
from generator.parts.api import Api


@dataclass(frozen=True)
class ApiKeys:
    api_key: apigateway.ApiKey
    usage_plan: apigateway.UsagePlan
    usage_plan_key: apigateway.UsagePlanKey


def build(t: Template, ctx: Context, api: Api) -> ApiKeys:
    environment = ctx.environment
    api_key = t.add_resource(
        apigateway.ApiKey(
            names.API_KEY,
            Description=Sub("API key of the food-delivery order API (${AWS::StackName})"),
            Enabled=True,
        )
    )
    usage_plan = t.add_resource(
        apigateway.UsagePlan(
            names.API_USAGE_PLAN,
            Description="Throttle and daily quota of the order API",
            ApiStages=[apigateway.ApiStage(ApiId=api.rest_api.ref(), Stage=api.stage.ref())],
            Throttle=apigateway.ThrottleSettings(
                RateLimit=float(environment.throttle_rate_limit),
                BurstLimit=environment.throttle_burst_limit,
            ),
            Quota=apigateway.QuotaSettings(Limit=environment.quota_per_day, Period="DAY"),
        )
    )
    usage_plan_key = t.add_resource(
        apigateway.UsagePlanKey(
            names.API_USAGE_PLAN_KEY,
            KeyId=api_key.ref(),
            KeyType="API_KEY",
            UsagePlanId=usage_plan.ref(),
        )
    )
    return ApiKeys(api_key=api_key, usage_plan=usage_plan, usage_plan_key=usage_plan_key)
