"""The CloudFormation execution role's permissions, derived from the app templates.

For each resource type the templates contain, the actions CloudFormation's handlers call
(registry.py); for each action, the resources IAM lets it be scoped to, narrowed to the app
stacks' own resources wherever their names can be known: CloudFormation names what a
template does not name `<stack name>-<logical id>-<suffix>`, and the templates name their
parameters and key alias after the stack. Where names cannot be known (API Gateway's,
Cognito's and KMS's generated ids), a statement names the resource type in the stack's
account and region; where IAM gives an action no resource type at all, `*`.

Actions IAM's service reference does not know (the registry lists a few: `s3:REST.PUT.OBJECT`)
are left out: no policy can grant them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from generator.stack.bootstrap import registry

ALL_RESOURCES = "*"
# The placeholders of IAM's ARN formats, as Fn::Sub writes them.
_PSEUDO = {
    "${Partition}": "${AWS::Partition}",
    "${Region}": "${AWS::Region}",
    "${Account}": "${AWS::AccountId}",
}
_SERVICE_OF_ARN = re.compile(r"^arn:\$\{Partition\}:([a-z0-9-]+):")


@dataclass(frozen=True)
class StackNaming:
    """How the app stacks name what they create: the resource part of an ARN (what replaces
    the `.*` of IAM's ARN format), by the ARN's service and IAM resource type, for a stack.
    `{stack}` is the stack's name, `{bucket}` the artifact bucket's."""

    patterns: Mapping[tuple[str, str], str]

    def resource_part(self, arn_service: str, resource_type: str, stack: str) -> str | None:
        pattern = self.patterns.get((arn_service, resource_type))
        return None if pattern is None else pattern.format(stack=stack, bucket="${ArtifactBucket}")


# CloudFormation's generated names start with the stack's name; the templates name their SSM
# parameters /food-delivery/<stack>/... and their key's alias alias/food-delivery/<stack>;
# the functions' code is read from the artifact bucket.
APP_STACK_NAMING = StackNaming(
    patterns={
        ("dynamodb", "table"): "{stack}-*",
        ("dynamodb", "index"): "{stack}-*",
        ("dynamodb", "stream"): "{stack}-*",
        ("dynamodb", "import"): "{stack}-*",
        ("lambda", "function"): "{stack}-*",
        ("lambda", "function alias"): "{stack}-*",
        ("lambda", "function version"): "{stack}-*",
        ("iam", "role"): "{stack}-*",
        ("sqs", "queue"): "{stack}-*",
        ("sns", "topic"): "{stack}-*",
        ("logs", "log-group"): "{stack}-*",
        ("logs", "log-stream"): "{stack}-*",
        ("cloudwatch", "alarm"): "{stack}-*",
        ("ssm", "parameter"): "food-delivery/{stack}/*",
        ("kms", "alias"): "food-delivery/{stack}",
        ("s3", "bucket"): "{bucket}",
        ("s3", "object"): "{bucket}/*",
    }
)


@dataclass(frozen=True)
class Grant:
    """Actions allowed on resources (Fn::Sub strings, or `*`)."""

    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class DerivedPermissions:
    resource_types: tuple[str, ...]
    actions: tuple[str, ...]  # every action granted, sorted
    unknown_to_iam: tuple[str, ...]  # left out
    grants: tuple[Grant, ...]


def required_actions(resource_types: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(the actions the types' handlers call, those of them IAM does not know)."""
    actions = frozenset(
        action
        for resource_type in resource_types
        for action in registry.handler_permissions(resource_type)
    )
    return actions, frozenset(action for action in actions if not registry.known_to_iam(action))


def derive(
    resource_types: Iterable[str],
    stacks: Iterable[str],
    naming: StackNaming = APP_STACK_NAMING,
) -> DerivedPermissions:
    types = tuple(sorted(set(resource_types)))
    names = tuple(sorted(set(stacks)))
    actions, unknown = required_actions(types)
    granted = sorted(actions - unknown)
    by_resources: dict[tuple[str, ...], list[str]] = {}
    for action in granted:
        resources = _resources(action, names, naming)
        by_resources.setdefault(resources, []).append(action)
    grants = tuple(
        sorted(
            (Grant(tuple(actions_of), resources) for resources, actions_of in by_resources.items()),
            key=lambda grant: (grant.actions[0].split(":")[0], grant.resources, grant.actions),
        )
    )
    return DerivedPermissions(
        resource_types=types,
        actions=tuple(granted),
        unknown_to_iam=tuple(sorted(unknown)),
        grants=grants,
    )


def _resources(action: str, stacks: tuple[str, ...], naming: StackNaming) -> tuple[str, ...]:
    formats = registry.action_resources(action).arn_formats
    if not formats:
        return (ALL_RESOURCES,)
    arns: set[str] = set()
    for resource_type, arn_format in formats:
        match = _SERVICE_OF_ARN.match(arn_format)
        arn_service = match.group(1) if match else ""
        for stack in stacks:
            part = naming.resource_part(arn_service, resource_type, stack)
            arns.add(_arn(arn_format, "*" if part is None else part))
    return tuple(sorted(arns))


def _arn(arn_format: str, resource_part: str) -> str:
    arn = arn_format.removesuffix(".*") + resource_part if arn_format.endswith(".*") else arn_format
    for placeholder, pseudo in _PSEUDO.items():
        arn = arn.replace(placeholder, pseudo)
    return arn
