"""Test-only adjustments that let moto's CloudFormation deploy the shipped template.

What moto's CloudFormation gets wrong, as measured with the moto version the tests install:
- it executes a change set in template order, ignoring DependsOn and references;
- its API Gateway Method needs IntegrationHttpMethod and Uri even on MOCK integrations;
- it creates nothing for the types in MOTO_SKIPPED_TYPES (auto-scaling, Stage, ApiKey,
  UsagePlan and its key, Model, RequestValidator, Account, Alarm, the Authorizer, and every
  Cognito type: UserPool, UserPoolClient, UserPoolDomain, UserPoolResourceServer), so an
  Fn::GetAtt on one of them fails the whole deploy and its Ref is None (every app client of
  the partner registry would be "None"); it also skips GatewayResponse, WAF,
  WaitConditionHandle, SQS QueuePolicy and SNS TopicPolicy resources, and drops a function's
  TracingConfig and a queue's RedriveAllowPolicy;
- it returns no Outputs after a change-set deploy (create-stack when a test needs them);
- it reads a path-style TemplateURL on 127.0.0.1 as a bucket named "127" (the aws CLI's
  `deploy --s3-bucket` sends one), so the copy goes inline: compact, and without what only
  people and scanners read (descriptions, checkov's skips), which moto ignores;
- it cannot run Lambda code without Docker (the tests call the handlers in-process).
Each function here works around one of these in a copy of the template; the shipped template
is never changed to please moto. What moto skips, tests/stack asserts and cfn-lint checks.
"""

from __future__ import annotations

import copy
import json
import re
from graphlib import TopologicalSorter
from typing import Any

from generator.template_view.references import referenced_names


def order_resources_topologically(template: dict[str, Any]) -> dict[str, Any]:
    """moto executes a change set in template order, ignoring dependencies: order them."""
    resources = template["Resources"]
    graph: dict[str, set[str]] = {}
    for logical_id, resource in sorted(resources.items()):
        depends = resource.get("DependsOn", [])
        depends = [depends] if isinstance(depends, str) else depends
        referenced = set(referenced_names(resource)) | set(depends)
        graph[logical_id] = {ref for ref in referenced if ref in resources and ref != logical_id}
    ordered = list(TopologicalSorter(graph).static_order())
    return {**template, "Resources": {logical_id: resources[logical_id] for logical_id in ordered}}


def give_mock_integrations_a_uri(template: dict[str, Any]) -> dict[str, Any]:
    """moto's Method needs IntegrationHttpMethod and Uri even on MOCK integrations."""
    adjusted = copy.deepcopy(template)
    for resource in adjusted["Resources"].values():
        integration = resource.get("Properties", {}).get("Integration", {})
        if resource["Type"] == "AWS::ApiGateway::Method" and integration.get("Type") == "MOCK":
            integration.setdefault("IntegrationHttpMethod", "POST")
            integration.setdefault("Uri", "http://127.0.0.1/mock")
    return adjusted


# Resource types moto's CloudFormation skips: it creates nothing for them, so an Fn::GetAtt on
# one fails the whole deploy. Template assertions and cfn-lint cover them.
MOTO_SKIPPED_TYPES = frozenset(
    {
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "AWS::ApiGateway::Account",
        "AWS::ApiGateway::ApiKey",
        "AWS::ApiGateway::Authorizer",
        "AWS::ApiGateway::Model",
        "AWS::ApiGateway::RequestValidator",
        "AWS::ApiGateway::Stage",
        "AWS::ApiGateway::UsagePlan",
        "AWS::ApiGateway::UsagePlanKey",
        "AWS::CloudWatch::Alarm",
        "AWS::Cognito::UserPool",
        "AWS::Cognito::UserPoolClient",
        "AWS::Cognito::UserPoolDomain",
        "AWS::Cognito::UserPoolResourceServer",
    }
)


def placeholder_attributes_of_skipped(template: dict[str, Any]) -> dict[str, Any]:
    """Replace attributes of resources moto skips, and their Refs in Fn::Sub, by a fixed
    placeholder string (`moto-skipped-<logical id>`): the partner registry then names each
    app client and key apart, as their ids would."""
    skipped = {
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] in MOTO_SKIPPED_TYPES
    }

    def replace(node: Any) -> Any:
        if isinstance(node, dict):
            if "Fn::GetAtt" in node and node["Fn::GetAtt"][0] in skipped:
                return f"moto-skipped-{node['Fn::GetAtt'][0]}"
            if "Fn::Sub" in node and isinstance(node["Fn::Sub"], str):
                text = node["Fn::Sub"]
                for logical_id in skipped:
                    text = re.sub(
                        r"\$\{" + logical_id + r"(\.[A-Za-z.]+)?\}",
                        f"moto-skipped-{logical_id}",
                        text,
                    )
                return {"Fn::Sub": text}
            return {key: replace(value) for key, value in node.items()}
        if isinstance(node, list):
            return [replace(item) for item in node]
        return node

    return {**template, "Resources": replace(template["Resources"])}


def without_documentation(template: dict[str, Any]) -> dict[str, Any]:
    """The template without what moto ignores and only people and scanners read: parameter
    and output descriptions, and checkov's skips in resource metadata."""
    copied = copy.deepcopy(template)
    for section in ("Parameters", "Outputs"):
        for entry in copied.get(section, {}).values():
            entry.pop("Description", None)
            entry.pop("ConstraintDescription", None)
    for resource in copied["Resources"].values():
        metadata = resource.get("Metadata")
        if isinstance(metadata, dict):
            metadata.pop("checkov", None)
            if not metadata:
                resource.pop("Metadata")
    return copied


def for_moto(template: dict[str, Any]) -> str:
    """The template as moto can deploy it, compact: the CLI sends bodies up to 51,200 bytes
    inline, and moto cannot read the CLI's TemplateURL on 127.0.0.1 (it parses the host as a
    bucket)."""
    adjusted = give_mock_integrations_a_uri(
        order_resources_topologically(
            placeholder_attributes_of_skipped(without_documentation(template))
        )
    )
    return json.dumps(adjusted, sort_keys=False, separators=(",", ":"))
