"""Usage plans (throttle and daily quota), one per usage tier, on the stage; each partner's API
key linked to its tier's plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from troposphere import Template, apigateway

from generator.stack import names
from generator.stack.context import Context
from generator.stack.environments import UsageTier
from generator.stack.parts.api import Api
from generator.stack.parts.partners import Partners


@dataclass(frozen=True)
class UsagePlans:
    plans: Mapping[str, apigateway.UsagePlan]  # by tier
    keys: Mapping[str, apigateway.UsagePlanKey]  # by partner


def _plan(tier: UsageTier, api: Api) -> apigateway.UsagePlan:
    return apigateway.UsagePlan(
        names.usage_plan_id(tier.name),
        Description=f"Throttle and daily quota of each API key on the {tier.name} tier",
        ApiStages=[apigateway.ApiStage(ApiId=api.rest_api.ref(), Stage=api.stage.ref())],
        Throttle=apigateway.ThrottleSettings(
            RateLimit=float(tier.throttle_rate_limit), BurstLimit=tier.throttle_burst_limit
        ),
        Quota=apigateway.QuotaSettings(Limit=tier.quota_per_day, Period="DAY"),
    )


def build(t: Template, ctx: Context, api: Api, partners: Partners) -> UsagePlans:
    plans = {tier.name: t.add_resource(_plan(tier, api)) for tier in ctx.environment.usage_tiers}
    keys = {
        entry.partner.name: t.add_resource(
            apigateway.UsagePlanKey(
                names.partner_usage_plan_key_id(entry.partner.name),
                KeyId=entry.api_key.ref(),
                KeyType="API_KEY",
                UsagePlanId=plans[entry.partner.tier].ref(),
            )
        )
        for entry in partners.credentials
    }
    return UsagePlans(plans=plans, keys=keys)
