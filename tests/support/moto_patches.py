"""Test-only corrections of moto's server, applied in the test process (where the tests'
ThreadedMotoServer runs) and undone afterwards.

What moto 5.2 gets wrong here, as measured:
- a stack created or updated by executing a change set reports no Outputs: they are read from
  the template the stack had before (none, for a new stack). deploy reads the bootstrap
  stack's outputs, which it deploys through a change set, as it does on AWS;
- an Output with a Condition that is false still has its Export evaluated, and describing
  the stack fails with a 500 when that export refers to a resource the condition left out
  (the bootstrap stack's CI roles, without a GitHub repository);
- with IAM enforced, it checks every CloudFormation action against the resource "*", so a
  policy scoped to stack ARNs (the CI roles') never matches, and a Deny scoped so never
  denies: the stack's ARN is given to it instead;
- a role CloudFormation creates keeps its inline policies as parsed JSON, where its IAM
  enforcement reads them as text: every call made with that role's credentials fails with
  a 500 (KeyError 'policy_document');
- it checks HeadBucket as an action "s3:HeadBucket", which IAM does not have: AWS allows
  HeadBucket to whoever may s3:ListBucket the bucket (and from 5.2.6 it checks every S3
  request under its operation's name, HeadObject as "s3:HeadObject" where AWS checks
  s3:GetObject).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def outputs_after_change_sets() -> Iterator[None]:
    """Executing a change set re-reads the stack's outputs from its new template, leaving out
    the exports of outputs whose condition is false."""
    from moto.cloudformation.models import CloudFormationBackend
    from moto.cloudformation.parsing import OutputMap

    class ConditionalOutputMap(OutputMap):
        @property
        def exports(self) -> list[Any]:
            declared = self._output_json_map or {}
            conditions = self._resource_map.lazy_condition_map
            self._output_json_map = {
                key: output
                for key, output in declared.items()
                if "Condition" not in output or conditions.get(output["Condition"])
            }
            try:
                return list(super().exports)
            finally:
                self._output_json_map = declared

    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        original(self, change_set_name, stack_name)
        for stack in self.stacks.values():
            if stack.status.endswith("_COMPLETE") and stack.template:
                stack._parse_template()
                stack.output_map = ConditionalOutputMap(
                    stack.resource_map, stack.template_dict, stack.stack_id
                )

    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]
    try:
        yield
    finally:
        CloudFormationBackend.execute_change_set = original  # type: ignore[method-assign]


@contextlib.contextmanager
def stack_arns_in_iam_checks() -> Iterator[None]:
    """IAM enforcement checks a CloudFormation action against the stack it names: the existing
    stack's id, the ARN a new stack of that name would get, or a change set's stack."""
    from moto.cloudformation.responses import CloudFormationResponse

    def _determine_resource(self: Any) -> str:
        query = self.querystring
        name = (query.get("StackName") or [None])[0]
        change_set = (query.get("ChangeSetName") or [None])[0]
        backend = self.cloudformation_backend
        if not name and change_set in backend.change_sets:
            return str(backend.change_sets[change_set].stack_id)
        if not name:
            return "*"
        if name.startswith("arn:"):
            return str(name)
        for stack in backend.stacks.values():
            if stack.name == name and stack.status != "DELETE_COMPLETE":
                return str(stack.stack_id)
        account = self.current_account
        return f"arn:{self.partition}:cloudformation:{self.region}:{account}:stack/{name}/*"

    # moto asks a response class for the resource only when it has this method.
    CloudFormationResponse._determine_resource = _determine_resource  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del CloudFormationResponse._determine_resource  # type: ignore[attr-defined]


@contextlib.contextmanager
def inline_policies_as_text() -> Iterator[None]:
    """A role's inline policy is kept as the JSON text IAM's PutRolePolicy takes."""
    import json

    from moto.iam.models import Role

    original = Role.put_policy

    def put_policy(self: Any, policy_name: str, policy_json: Any) -> None:
        text = policy_json if isinstance(policy_json, str) else json.dumps(policy_json)
        original(self, policy_name, text)

    Role.put_policy = put_policy  # type: ignore[method-assign]
    try:
        yield
    finally:
        Role.put_policy = original  # type: ignore[method-assign]


@contextlib.contextmanager
def head_bucket_as_list_bucket() -> Iterator[None]:
    """HeadBucket is allowed by s3:ListBucket, as AWS documents for the operation.

    moto's S3 names each request's IAM action in a table of its own (HEAD of an object is
    s3:GetObject, as on AWS), where HeadBucket is corrected. Up to 5.2.5 its IAM check took the
    action from there; from 5.2.6 it takes botocore's operation name instead (s3:HeadBucket,
    s3:HeadObject: actions IAM does not have), so the check is given the table's action again.
    The table has gaps of its own (a PUT of ?encryption is checked as s3:CreateBucket, a GET of
    ?encryption as s3:ListBucket): none is among the calls these tests make with IAM enforced
    (PutObject, GetObject, HeadObject, HeadBucket, ListObjectsV2).
    """
    from moto.iam.access_control import S3IAMRequest
    from moto.s3.responses import ACTION_MAP

    head = ACTION_MAP["BUCKET"]["HEAD"]
    original_head = head["DEFAULT"]
    head["DEFAULT"] = "ListBucket"
    inherited = "check_action_permitted" not in vars(S3IAMRequest)
    original_check = S3IAMRequest.check_action_permitted

    def check_action_permitted(self: Any, resource: str, *args: Any, **kwargs: Any) -> None:
        table_action = self._data.get("Action")
        if isinstance(table_action, list):
            table_action = table_action[0] if table_action else None
        if table_action:
            self._action = f"s3:{table_action}"
        original_check(self, resource, *args, **kwargs)

    S3IAMRequest.check_action_permitted = check_action_permitted  # type: ignore[method-assign]
    try:
        yield
    finally:
        head["DEFAULT"] = original_head
        if inherited:
            del S3IAMRequest.check_action_permitted
        else:
            S3IAMRequest.check_action_permitted = original_check  # type: ignore[method-assign]
