"""Deploying from GitHub Actions without keys: GitHub's OIDC provider, a deploy role that a
workflow of one repository assumes for an environment (or the deploy branch), and a plan role
for its pull requests. Neither can create a resource itself: they upload releases, run change
sets of the app stacks, and pass the execution role to CloudFormation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from awacs import cloudformation as cfn
from awacs import iam as iam_actions
from awacs import s3 as s3_actions
from awacs import sts
from awacs.aws import (
    Allow,
    ArnEquals,
    Condition,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
    StringLike,
)
from troposphere import GetAtt, If, Ref, Sub, Template, iam

from generator.stack import names
from generator.stack.bootstrap.bucket import ArtifactBucket
from generator.stack.substitution import placeholder

# (the issuer of GitHub's tokens and the prefix of their claims: URLs, not secrets)
GITHUB_TOKEN_ISSUER = "https://token.actions.githubusercontent.com"  # noqa: S105
GITHUB_TOKEN_CLAIMS = "token.actions.githubusercontent.com"  # noqa: S105
STS_AUDIENCE = "sts.amazonaws.com"
# The thumbprints AWS documents for GitHub's OIDC provider (IAM trusts GitHub through its own
# certificate store today; the provider still takes a list).
GITHUB_THUMBPRINTS = (
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
)
# What a change set needs of the stack it is for (both roles).
CHANGE_SET_ACTIONS = (
    cfn.CreateChangeSet,
    cfn.DescribeChangeSet,
    cfn.DeleteChangeSet,
    cfn.DescribeStacks,
    cfn.DescribeStackEvents,
    # Not DeleteStack: it would let CI delete prod. The empty stack a change set for a new
    # stack leaves when it is not executed (a diff) stays; a deploy creates it as new.
)


@dataclass(frozen=True)
class CiRoles:
    provider: iam.OIDCProvider
    deploy: iam.Role
    plan: iam.Role


def _stack_arns(stack_names: Iterable[str]) -> list[Sub]:
    return [
        Sub(
            f"arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{name}/*"
        )
        for name in stack_names
    ]


def _trust(provider: iam.OIDCProvider, subjects: Sequence[Sub]) -> PolicyDocument:
    federated = If(names.CREATES_OIDC_PROVIDER, Ref(provider), Ref(names.GITHUB_OIDC_PROVIDER_ARN))
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Federated", federated),
                Action=[sts.AssumeRoleWithWebIdentity],
                Condition=Condition(
                    [
                        StringEquals(f"{GITHUB_TOKEN_CLAIMS}:aud", STS_AUDIENCE),
                        StringLike(f"{GITHUB_TOKEN_CLAIMS}:sub", list(subjects)),
                    ]
                ),
            )
        ],
    )


def _policy(
    *,
    bucket: ArtifactBucket,
    execution_role: iam.Role,
    app_stacks: Sequence[str],
    upload_to: Sub,
    execute: bool,
) -> PolicyDocument:
    stacks = _stack_arns(app_stacks)
    change_sets = [a for a in CHANGE_SET_ACTIONS if a != cfn.CreateChangeSet]
    if execute:
        change_sets.append(cfn.ExecuteChangeSet)
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="ReadReleases",
                Effect=Allow,
                Action=[s3_actions.GetObject],
                Resource=[bucket.releases_arn],
            ),
            Statement(
                Sid="PublishReleases",
                Effect=Allow,
                Action=[s3_actions.PutObject],
                Resource=[upload_to],
            ),
            Statement(
                Sid="FindReleases",
                Effect=Allow,
                Action=[s3_actions.ListBucket],
                Resource=[GetAtt(bucket.bucket, "Arn")],
            ),
            Statement(
                Sid="ChangeSetsRunAsTheExecutionRole",
                Effect=Allow,
                Action=[cfn.CreateChangeSet],
                Resource=stacks,
                # (an ARN-typed condition key: compared as an ARN)
                Condition=Condition(
                    ArnEquals("cloudformation:RoleArn", GetAtt(execution_role, "Arn"))
                ),
            ),
            Statement(
                Sid="ChangeSetsOfTheAppStacks",
                Effect=Allow,
                Action=change_sets,
                Resource=stacks,
            ),
            Statement(
                Sid="ReadTheBootstrapStack",
                Effect=Allow,
                Action=[cfn.DescribeStacks],
                Resource=[
                    Sub(
                        "arn:${AWS::Partition}:cloudformation:${AWS::Region}:"
                        "${AWS::AccountId}:stack/${AWS::StackName}/*"
                    )
                ],
            ),
            Statement(
                Sid="PassTheExecutionRoleToCloudFormation",
                Effect=Allow,
                Action=[iam_actions.PassRole],
                Resource=[GetAtt(execution_role, "Arn")],
                Condition=Condition(
                    StringEquals("iam:PassedToService", "cloudformation.amazonaws.com")
                ),
            ),
        ],
    )


def build(
    t: Template,
    *,
    bucket: ArtifactBucket,
    execution_role: iam.Role,
    app_stacks: Sequence[str],
    environments: Sequence[str],
) -> CiRoles:
    provider = t.add_resource(
        iam.OIDCProvider(
            names.GITHUB_OIDC_PROVIDER,
            Condition=names.CREATES_OIDC_PROVIDER,
            Url=GITHUB_TOKEN_ISSUER,
            ClientIdList=[STS_AUDIENCE],
            ThumbprintList=list(GITHUB_THUMBPRINTS),
        )
    )
    repository = f"repo:${{{names.GITHUB_REPOSITORY}}}"
    deploy = t.add_resource(
        iam.Role(
            names.DEPLOY_ROLE,
            Condition=names.HAS_GITHUB_REPOSITORY,
            Description=(
                "GitHub Actions deploys the app stacks: for the repository's environments, or "
                "its deploy branch"
            ),
            AssumeRolePolicyDocument=_trust(
                provider,
                [Sub(f"{repository}:environment:{name}") for name in environments]
                + [Sub(f"{repository}:ref:refs/heads/${{{names.DEPLOY_BRANCH}}}")],
            ),
            Policies=[
                iam.Policy(
                    PolicyName="deploy-through-change-sets",
                    PolicyDocument=_policy(
                        bucket=bucket,
                        execution_role=execution_role,
                        app_stacks=app_stacks,
                        upload_to=bucket.releases_arn,
                        execute=True,
                    ),
                )
            ],
        )
    )
    plan = t.add_resource(
        iam.Role(
            names.PLAN_ROLE,
            Condition=names.HAS_GITHUB_REPOSITORY,
            Description=(
                "GitHub Actions previews a pull request's changes: change sets made and "
                "deleted, never executed"
            ),
            AssumeRolePolicyDocument=_trust(provider, [Sub(f"{repository}:pull_request")]),
            Policies=[
                iam.Policy(
                    PolicyName="preview-change-sets",
                    PolicyDocument=_policy(
                        bucket=bucket,
                        execution_role=execution_role,
                        app_stacks=app_stacks,
                        # A template over CloudFormation's inline limit goes to the bucket.
                        upload_to=Sub(
                            f"{placeholder(bucket.bucket, 'Arn')}/{names.ARTIFACT_PREFIX}/"
                            "templates/*"
                        ),
                        execute=False,
                    ),
                )
            ],
        )
    )
    return CiRoles(provider=provider, deploy=deploy, plan=plan)
