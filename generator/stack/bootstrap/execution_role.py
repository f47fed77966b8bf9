"""CloudFormation's execution role for the app stacks: assumed by CloudFormation only, allowed
what the app templates' resource types need (permissions.py), no more. Its policies are
managed policies of at most IAM's 6,144 characters each."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from awacs.aws import Action, Allow, PolicyDocument, Statement
from awacs.helpers.trust import make_simple_assume_policy
from troposphere import Ref, Sub, Template, encode_to_dict, iam

from generator.stack import names
from generator.stack.bootstrap.permissions import ALL_RESOURCES, DerivedPermissions, Grant

# IAM's limit on a managed policy, in characters without white space.
POLICY_SIZE_LIMIT = 6_144
# The longest values CloudFormation may put in a policy's placeholders: the size is counted
# on the policy IAM receives, not on the template.
_LONGEST = {
    "${AWS::Partition}": "aws-iso-b",
    "${AWS::Region}": "ap-southeast-5",
    "${AWS::AccountId}": "123456789012",
    "${ArtifactBucket}": "food-delivery-bootstrap-artifactbucket-0123456789ab",
}


@dataclass(frozen=True)
class ExecutionRole:
    role: iam.Role
    policies: tuple[iam.ManagedPolicy, ...]


def statement(number: int, grant: Grant) -> Statement:
    resources = [r if r == ALL_RESOURCES else Sub(r) for r in grant.resources]
    return Statement(
        Sid=f"Derived{number}",
        Effect=Allow,
        Action=[Action(*action.split(":", 1)) for action in grant.actions],
        Resource=resources,
    )


def _size(node: PolicyDocument | Statement) -> int:
    """What IAM counts of a policy or statement: no white space, placeholders at their
    longest, and no Fn::Sub wrapper (the template's, not the policy's)."""
    text = json.dumps(_substituted(encode_to_dict(node)), separators=(",", ":"))
    for placeholder, longest in _LONGEST.items():
        text = text.replace(placeholder, longest)
    return len(text)


def _substituted(node: Any) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Fn::Sub"}:
            return node["Fn::Sub"]
        return {key: _substituted(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_substituted(item) for item in node]
    return node


def policy_size(statements: Iterable[Statement]) -> int:
    return _size(PolicyDocument(Version="2012-10-17", Statement=list(statements)))


_ENVELOPE = policy_size([])  # {"Version":...,"Statement":[]}


def pack(statements: list[Statement]) -> list[list[Statement]]:
    """The statements, in order, in as few policies under the size limit as that order
    allows (a statement never splits)."""
    policies: list[list[Statement]] = [[]]
    size = _ENVELOPE
    for next_statement in statements:
        added = _size(next_statement) + (1 if policies[-1] else 0)  # and a comma
        if policies[-1] and size + added > POLICY_SIZE_LIMIT:
            policies.append([])
            size, added = _ENVELOPE, added - 1
        policies[-1].append(next_statement)
        size += added
    return policies


def build(t: Template, permissions: DerivedPermissions) -> ExecutionRole:
    role = t.add_resource(
        iam.Role(
            names.EXECUTION_ROLE,
            Description=(
                "CloudFormation's role for the food-delivery app stacks: what their resource "
                "types need, derived from the registry schemas (python -m generator)"
            ),
            AssumeRolePolicyDocument=make_simple_assume_policy("cloudformation.amazonaws.com"),
        )
    )
    statements = [statement(number, grant) for number, grant in enumerate(permissions.grants)]
    policies = tuple(
        t.add_resource(
            iam.ManagedPolicy(
                f"{names.EXECUTION_POLICY_PREFIX}{number + 1}",
                Description=f"Derived permissions of the app stacks' types, part {number + 1}",
                # Attached from the policy's side: the role's list would change with each split.
                Roles=[Ref(role)],
                PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=part),
            )
        )
        for number, part in enumerate(pack(statements))
    )
    return ExecutionRole(role=role, policies=policies)
