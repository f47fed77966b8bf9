"""The bootstrap template: a hardened artifact bucket, CloudFormation's execution role derived
from the app templates' resource types (and nothing else), and GitHub's deploy and plan roles
that can only upload, run change sets of the app stacks and pass the execution role."""

from __future__ import annotations

import json
from typing import Any

import pytest

from generator.stack import names
from generator.stack.bootstrap import registry
from generator.stack.bootstrap.build import build_bootstrap_template, render_bootstrap
from generator.stack.bootstrap.execution_role import POLICY_SIZE_LIMIT
from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from tests.stack.conftest import CheckedTemplate

APP_STACKS = sorted(environment.stack_name for environment in ENVIRONMENTS.values())


@pytest.fixture(scope="module")
def bootstrap() -> CheckedTemplate:
    return CheckedTemplate(json.loads(render_bootstrap()))


def _app_types() -> set[str]:
    return {
        resource["Type"]
        for environment in ENVIRONMENTS.values()
        for resource in render(environment).template["Resources"].values()
    }


def _execution_statements(view: CheckedTemplate) -> list[dict[str, Any]]:
    policies = view.resources_of_type("AWS::IAM::ManagedPolicy")
    return [
        statement
        for policy in policies.values()
        if policy["Properties"]["Roles"] == [{"Ref": names.EXECUTION_ROLE}]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    return {action for statement in statements for action in statement["Action"]}


def test_the_execution_roles_actions_are_the_registry_permissions_of_the_app_types(
    bootstrap: CheckedTemplate,
) -> None:
    # Given every resource type the app templates contain, and the permissions cfn-lint's
    # registry schemas list for managing each (create, read, update, delete)
    needed = {a for t in _app_types() for a in registry.handler_permissions(t)}
    grantable = {action for action in needed if registry.known_to_iam(action)}
    # Then the execution role is allowed exactly those IAM knows: nothing more, nothing less
    assert _actions(_execution_statements(bootstrap)) == grantable
    # And what is left out is only what IAM has no such action for
    assert needed - grantable == {
        "lambda:AssociateRuntimeAlias",
        "payments:GetConnectedAccount",
        "s3:GetObjectMetadata",
        "s3:REST.PUT.OBJECT",
    }


def test_iams_reference_read_by_service_is_the_whole_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given IAM's service reference parsed whole, and every service read on its own
    whole = registry._all_policies()
    assert len(whole) > 400
    # Then each service reads the same, and a service it lacks reads empty
    assert all(registry._service(service) == entry for service, entry in whole.items())
    assert registry._service("no-such-service") == {}
    # And with another layout of the file (compact), the same answers come from the whole
    compact = json.dumps(whole, separators=(",", ":"))
    monkeypatch.setattr(registry, "_policies_text", lambda: compact)
    registry._service.cache_clear()
    registry._service_offsets.cache_clear()
    try:
        assert registry._service_offsets() == {}
        assert registry._service("dynamodb") == whole["dynamodb"]
        assert registry.known_to_iam("dynamodb:CreateTable")
        assert not registry.known_to_iam("dynamodb:NoSuchAction")
    finally:
        registry._service.cache_clear()
        registry._service_offsets.cache_clear()


def test_a_new_resource_type_in_an_app_template_changes_the_bootstrap_template() -> None:
    # Given the app templates with one more resource type (a bucket), as after a change to
    # the generator that is not yet regenerated
    apps = {env: render(env).editable() for env in ENVIRONMENTS.values()}
    apps[ENVIRONMENTS["dev"]]["Resources"]["Reports"] = {"Type": "AWS::S3::Bucket"}
    grown = json.loads(build_bootstrap_template(apps).to_json())
    # Then the execution role may now create buckets: the committed template is stale, and
    # `python -m generator --check` fails until it is regenerated
    assert "s3:CreateBucket" in _actions(_execution_statements(CheckedTemplate(grown)))
    assert grown != json.loads(render_bootstrap())


def test_the_execution_role_has_no_wildcard_action_and_no_managed_admin_policy(
    bootstrap: CheckedTemplate,
) -> None:
    role = bootstrap.props(names.EXECUTION_ROLE)
    assert "ManagedPolicyArns" not in role
    assert "Policies" not in role
    for action in _actions(_execution_statements(bootstrap)):
        service, _, name = action.partition(":")
        assert service, action
        assert "*" not in name, action
    assert "AdministratorAccess" not in render_bootstrap()


def test_only_cloudformation_assumes_the_execution_role(bootstrap: CheckedTemplate) -> None:
    trust = bootstrap.props(names.EXECUTION_ROLE)["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [
        {
            "Action": ["sts:AssumeRole"],
            "Effect": "Allow",
            "Principal": {"Service": ["cloudformation.amazonaws.com"]},
        }
    ]


def test_what_the_execution_role_may_touch_is_scoped_to_the_app_stacks(
    bootstrap: CheckedTemplate,
) -> None:
    # Given the statements of the actions that create and change the app stacks' named things
    statements = _execution_statements(bootstrap)

    def resources_of(action: str) -> set[str]:
        return {
            resource if isinstance(resource, str) else resource["Fn::Sub"]
            for statement in statements
            if action in statement["Action"]
            for resource in statement["Resource"]
        }

    # Then each is the app stacks' own, by the names CloudFormation gives them
    arn = "arn:${AWS::Partition}"
    assert resources_of("dynamodb:DeleteTable") == {
        f"{arn}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/{stack}-*"
        for stack in APP_STACKS
    }
    assert resources_of("iam:PassRole") == {
        f"{arn}:iam::${{AWS::AccountId}}:role/{stack}-*" for stack in APP_STACKS
    }
    assert resources_of("lambda:CreateFunction") == {
        f"{arn}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{stack}-*"
        for stack in APP_STACKS
    }
    assert resources_of("ssm:PutParameter") == {
        f"{arn}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/food-delivery/{stack}/*"
        for stack in APP_STACKS
    }
    # And of all buckets, the functions' code is read from the artifact bucket only
    assert {r for r in resources_of("s3:GetObjectVersion") if ":s3:::" in r} == {
        f"{arn}:s3:::${{ArtifactBucket}}/*"
    }
    # And what IAM lets no resource narrow is `*` (creating a key, describing the network)
    assert resources_of("kms:CreateKey") == {"*"}


def test_every_execution_policy_fits_iams_limit(bootstrap: CheckedTemplate) -> None:
    # Given each policy as IAM would receive it: substituted (the longest partition, region,
    # account id and bucket name), without white space
    longest = {
        "${AWS::Partition}": "aws-iso-b",
        "${AWS::Region}": "ap-southeast-5",
        "${AWS::AccountId}": "123456789012",
        "${ArtifactBucket}": "food-delivery-bootstrap-artifactbucket-0123456789ab",
    }

    def as_received(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"Fn::Sub"}:
                return as_received(node["Fn::Sub"])
            return {key: as_received(value) for key, value in node.items()}
        if isinstance(node, list):
            return [as_received(item) for item in node]
        if isinstance(node, str):
            for placeholder, value in longest.items():
                node = node.replace(placeholder, value)
        return node

    policies = [
        p["Properties"]["PolicyDocument"]
        for p in bootstrap.resources_of_type("AWS::IAM::ManagedPolicy").values()
    ]
    # Then each is within IAM's 6,144 characters, and the role within its 10 policies
    assert 1 < len(policies) <= 10
    for policy in policies:
        assert len(json.dumps(as_received(policy), separators=(",", ":"))) <= POLICY_SIZE_LIMIT


def test_the_artifact_bucket_is_versioned_encrypted_private_tls_only_and_kept(
    bootstrap: CheckedTemplate,
) -> None:
    bucket = bootstrap.resource(names.ARTIFACT_BUCKET_RESOURCE)
    properties = bucket["Properties"]
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}
    rules = {rule["Id"]: rule for rule in properties["LifecycleConfiguration"]["Rules"]}
    assert rules["ExpireOldVersions"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": {"Ref": names.NONCURRENT_VERSION_DAYS}
    }
    assert rules["ExpireOldReleases"]["ExpirationInDays"] == {"Ref": names.ARTIFACT_RETENTION_DAYS}
    [deny] = bootstrap.props(names.ARTIFACT_BUCKET_POLICY)["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def _trust(view: CheckedTemplate, role: str) -> dict[str, Any]:
    [statement] = view.props(role)["AssumeRolePolicyDocument"]["Statement"]
    return dict(statement)


def test_github_roles_trust_one_repository_through_its_oidc_provider(
    bootstrap: CheckedTemplate,
) -> None:
    provider = bootstrap.resource(names.GITHUB_OIDC_PROVIDER)
    assert provider["Properties"]["Url"] == "https://token.actions.githubusercontent.com"
    assert provider["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]
    deploy = _trust(bootstrap, names.DEPLOY_ROLE)
    assert deploy["Action"] == ["sts:AssumeRoleWithWebIdentity"]
    conditions = deploy["Condition"]
    assert conditions["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"
    }
    subjects = [
        s["Fn::Sub"] for s in conditions["StringLike"]["token.actions.githubusercontent.com:sub"]
    ]
    assert subjects == [
        *(f"repo:${{GitHubRepository}}:environment:{env}" for env in sorted(ENVIRONMENTS)),
        "repo:${GitHubRepository}:ref:refs/heads/${DeployBranch}",
    ]
    plan = _trust(bootstrap, names.PLAN_ROLE)["Condition"]["StringLike"]
    assert plan == {
        "token.actions.githubusercontent.com:sub": [
            {"Fn::Sub": "repo:${GitHubRepository}:pull_request"}
        ]
    }


def _role_actions(view: CheckedTemplate, role: str) -> set[str]:
    [policy] = view.props(role)["Policies"]
    return _actions(policy["PolicyDocument"]["Statement"])


def test_the_ci_roles_cannot_create_resources_themselves(bootstrap: CheckedTemplate) -> None:
    change_sets = {
        "cloudformation:CreateChangeSet",
        "cloudformation:DescribeChangeSet",
        "cloudformation:DeleteChangeSet",
        "cloudformation:DescribeStacks",
        "cloudformation:DescribeStackEvents",
    }
    releases = {"s3:GetObject", "s3:PutObject", "s3:ListBucket", "iam:PassRole"}
    assert _role_actions(bootstrap, names.DEPLOY_ROLE) == {
        *change_sets,
        "cloudformation:ExecuteChangeSet",
        *releases,
    }
    assert _role_actions(bootstrap, names.PLAN_ROLE) == {*change_sets, *releases}
    [policy] = bootstrap.props(names.DEPLOY_ROLE)["Policies"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    # A change set runs as the execution role, the only role they may pass, and only to
    # CloudFormation
    assert statements["ChangeSetsRunAsTheExecutionRole"]["Condition"] == {
        "ArnEquals": {"cloudformation:RoleArn": {"Fn::GetAtt": [names.EXECUTION_ROLE, "Arn"]}}
    }
    assert statements["PassTheExecutionRoleToCloudFormation"]["Resource"] == [
        {"Fn::GetAtt": [names.EXECUTION_ROLE, "Arn"]}
    ]
    stacks = {
        r["Fn::Sub"].rsplit(":", 1)[1] for r in statements["ChangeSetsOfTheAppStacks"]["Resource"]
    }
    assert stacks == {f"stack/{stack}/*" for stack in APP_STACKS}
    # And they upload under the releases prefix only (the plan role: oversized templates)
    assert statements["PublishReleases"]["Resource"] == [
        {"Fn::Sub": "${ArtifactBucket.Arn}/releases/*"}
    ]


def test_the_outputs_name_the_bucket_and_the_roles(bootstrap: CheckedTemplate) -> None:
    outputs = bootstrap.template["Outputs"]
    assert set(outputs) == set(names.BOOTSTRAP_EXPORT_SUFFIXES)
    assert outputs[names.OUTPUT_ARTIFACT_BUCKET]["Value"] == {"Ref": "ArtifactBucket"}
    assert outputs[names.OUTPUT_ARTIFACT_PREFIX]["Value"] == "releases"
    assert outputs[names.OUTPUT_EXECUTION_ROLE]["Value"] == {
        "Fn::GetAtt": [names.EXECUTION_ROLE, "Arn"]
    }
