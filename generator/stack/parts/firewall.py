"""AWS WAFv2 web ACL on the API stage (prod): AWS managed rules and a per-IP rate limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import Sub, Template, wafv2

from generator.stack import names
from generator.stack.context import Context
from generator.stack.parts.api import Api
from generator.stack.substitution import placeholder

# (rule name, managed rule group): common web exploits; known bad inputs covers Log4Shell.
MANAGED_RULE_GROUPS = (
    ("AWSManagedCommonRules", "AWSManagedRulesCommonRuleSet"),
    ("AWSManagedKnownBadInputs", "AWSManagedRulesKnownBadInputsRuleSet"),
)
RATE_RULE_NAME = "RateLimitPerIp"
_KEEP_GROUP_ACTIONS: dict[str, Any] = {"None": {}}


@dataclass(frozen=True)
class Firewall:
    web_acl: wafv2.WebACL
    association: wafv2.WebACLAssociation


def _visibility(metric_name: str) -> wafv2.VisibilityConfig:
    return wafv2.VisibilityConfig(
        CloudWatchMetricsEnabled=True, MetricName=metric_name, SampledRequestsEnabled=True
    )


def _rules(rate_limit: int) -> list[wafv2.WebACLRule]:
    rules = [
        wafv2.WebACLRule(
            Name=rule_name,
            Priority=priority,
            # Keep each managed group's own actions ("None" is a Python keyword).
            OverrideAction=wafv2.OverrideAction(**_KEEP_GROUP_ACTIONS),
            Statement=wafv2.Statement(
                ManagedRuleGroupStatement=wafv2.ManagedRuleGroupStatement(
                    VendorName="AWS", Name=group
                )
            ),
            VisibilityConfig=_visibility(rule_name),
        )
        for priority, (rule_name, group) in enumerate(MANAGED_RULE_GROUPS)
    ]
    rules.append(
        wafv2.WebACLRule(
            Name=RATE_RULE_NAME,
            Priority=len(rules),
            Action=wafv2.RuleAction(Block=wafv2.BlockAction()),
            Statement=wafv2.Statement(
                RateBasedStatement=wafv2.RateBasedStatement(
                    Limit=rate_limit, AggregateKeyType="IP", EvaluationWindowSec=300
                )
            ),
            VisibilityConfig=_visibility(RATE_RULE_NAME),
        )
    )
    return rules


def build(t: Template, ctx: Context, api: Api) -> Firewall | None:
    if not ctx.environment.web_acl:
        return None
    web_acl = t.add_resource(
        wafv2.WebACL(
            names.WEB_ACL,
            Description="Protects the food-delivery order API",
            Scope="REGIONAL",
            DefaultAction=wafv2.DefaultAction(Allow=wafv2.AllowAction()),
            Rules=_rules(ctx.environment.waf_rate_limit_per_ip),
            VisibilityConfig=_visibility("FoodDeliveryApiWebAcl"),
        )
    )
    association = t.add_resource(
        wafv2.WebACLAssociation(
            names.WEB_ACL_ASSOCIATION,
            ResourceArn=Sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/"
                f"{placeholder(api.rest_api)}/stages/{placeholder(api.stage)}"
            ),
            WebACLArn=web_acl.get_att("Arn"),
        )
    )
    return Firewall(web_acl=web_acl, association=association)
