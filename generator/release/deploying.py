"""Deploying a release through a CloudFormation change set, with boto3.

The steps `deploy` and `diff` share: check the bucket and the stack, build the zip (and
upload it for a deploy), place the template, create the change set and describe it. Then
`deploy` executes it and follows the stack's events; `diff` deletes it. Every AWS call goes
through `aws.reported`, so a failure is one line; what is shown is left to the commands.
"""

from __future__ import annotations

import hashlib
import shlex
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import UserError
from generator.release import connection as aws
from generator.release.change_sets import (
    ParameterChange,
    ResourceChange,
    means_no_changes,
    parameter_changes,
    resource_changes,
)
from generator.release.guard_rails import AtRisk, at_risk
from generator.release.packaging import build
from generator.release.publishing import (
    INLINE_TEMPLATE_LIMIT,
    S3Location,
    object_exists,
    object_url,
    upload,
)
from generator.release.stack_events import SUCCEEDED, Follower, StackEvent, first_failure, is_final
from generator.stack import names

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import (
        CreateChangeSetInputTypeDef,
        ParameterTypeDef,
        StackTypeDef,
    )
    from mypy_boto3_s3 import S3Client

CHANGE_SET_POLL_SECONDS = 2.0
EVENT_POLL_SECONDS = 3.0
# Parameters deploy fills itself: the bucket from --artifact-bucket, the key from the zip.
FILLED_BY_DEPLOY = (names.ARTIFACT_BUCKET, names.ARTIFACT_KEY)
# What CloudFormation answers for a call the credentials are not allowed.
ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException"})
# A stack that exists only to hold a change set never executed: deployed like a new one.
REVIEW_IN_PROGRESS = "REVIEW_IN_PROGRESS"
# States a stack can only be deleted from, and how it got there.
UNUPDATABLE = {
    "ROLLBACK_COMPLETE": "its creation failed and was rolled back",
    "ROLLBACK_FAILED": "its creation failed, and so did the rollback",
    "CREATE_FAILED": "its creation failed",
    "DELETE_FAILED": "its deletion failed half way",
}
Say = Callable[[str], None]


@dataclass(frozen=True)
class Release:
    """Where an app stack's release goes: the Lambda zip is built in `out` and uploaded (with
    a template over the inline limit) to `location`."""

    location: S3Location
    out: Path


@dataclass(frozen=True)
class DeployRequest:
    """What a deploy, diff or bootstrap was asked for, read and checked before any AWS call."""

    label: str  # what the template is: an environment's name, or "bootstrap"
    stack_name: str
    template_file: Path
    template_text: str  # compact, as CloudFormation receives it
    template: Mapping[str, Any]
    overrides: Mapping[str, str]
    # A refusal names the data at risk where the stack keeps it on purpose (prod, bootstrap).
    names_the_data: bool
    # None for a stack with no code (bootstrap); for an app stack, None until the bootstrap
    # stack is read when --artifact-bucket is not given.
    release: Release | None = None
    # The role CloudFormation works as (RoleARN); None: the caller's credentials.
    role_arn: str | None = None

    @property
    def template_size(self) -> int:
        return len(self.template_text.encode())


@dataclass(frozen=True)
class Clients:
    cloudformation: CloudFormationClient
    s3: S3Client
    region: str
    endpoint_url: str | None


def connect(region: str | None, endpoint_url: str | None) -> Clients:
    session = aws.session(region)
    return Clients(
        cloudformation=session.client("cloudformation", endpoint_url=endpoint_url),
        s3=session.client("s3", endpoint_url=endpoint_url),
        region=session.region_name,
        endpoint_url=endpoint_url,
    )


def aws_command(clients: Clients, *words: str) -> str:
    """An `aws` CLI command a user can paste, for the same region and endpoint."""
    command = ["aws", *words, "--region", clients.region]
    if clients.endpoint_url:
        command += ["--endpoint-url", clients.endpoint_url]
    return shlex.join(command)


@dataclass(frozen=True)
class DeployedStack:
    """The stack as it is before the change set."""

    stack_id: str
    status: str
    parameters: Mapping[str, str]

    @property
    def is_new(self) -> bool:
        """Never deployed: it only holds change sets (created with one, never executed)."""
        return self.status == REVIEW_IN_PROGRESS


def described_stack(clients: Clients, stack_name: str) -> StackTypeDef | None:
    """DescribeStacks' answer for the stack, None if there is none."""
    from botocore.exceptions import ClientError

    with aws.reported(f"reading stack {stack_name}"):
        try:
            [found] = clients.cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
        except ClientError as error:
            # CloudFormation's only answer for a missing stack; the aws CLI's deployer
            # recognises it the same way.
            if "does not exist" in str(error.response.get("Error", {}).get("Message", "")):
                return None
            raise
    return found


def current_stack(clients: Clients, stack_name: str) -> DeployedStack | None:
    """The stack, None if there is none; UserError if its state forbids a change set."""
    found = described_stack(clients, stack_name)
    if found is None:
        return None
    stack = DeployedStack(
        stack_id=found["StackId"],
        status=found["StackStatus"],
        parameters={
            parameter["ParameterKey"]: parameter.get("ParameterValue", "")
            for parameter in found.get("Parameters", ())
        },
    )
    check_state(clients, stack_name, stack.status)
    return stack


def check_state(clients: Clients, stack_name: str, status: str) -> None:
    """UserError, saying what to do, for a stack no change set can be made for now."""
    if status in UNUPDATABLE:
        delete = aws_command(clients, "cloudformation", "delete-stack", "--stack-name", stack_name)
        raise UserError(
            f"stack {stack_name} is {status}: {UNUPDATABLE[status]}, and CloudFormation cannot "
            f"update it. Delete it ({delete}), then deploy again"
        )
    if status == "UPDATE_ROLLBACK_FAILED":
        resume = aws_command(
            clients, "cloudformation", "continue-update-rollback", "--stack-name", stack_name
        )
        raise UserError(
            f"stack {stack_name} is {status}: finish the rollback ({resume}), then deploy again"
        )
    if status.endswith("_IN_PROGRESS") and status != REVIEW_IN_PROGRESS:
        watch = aws_command(
            clients, "cloudformation", "wait", _waiter_for(status), "--stack-name", stack_name
        )
        raise UserError(
            f"stack {stack_name} is {status}: another operation is running on it. Wait until "
            f"it ends ({watch}), then run this again"
        )


def _waiter_for(status: str) -> str:
    """The `aws cloudformation wait` subcommand that waits for this operation to end."""
    for prefix, waiter in (
        ("CREATE", "stack-create-complete"),
        ("DELETE", "stack-delete-complete"),
        ("IMPORT", "stack-import-complete"),
        ("ROLLBACK", "stack-rollback-complete"),
        ("UPDATE_ROLLBACK", "stack-rollback-complete"),
    ):
        if status.startswith(prefix):
            return waiter
    return "stack-update-complete"


@dataclass(frozen=True)
class TemplatePlacement:
    """How the template reaches CloudFormation: its body inline, or its URL in S3."""

    body: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class PreparedRelease:
    """The zip's key (None for a stack with no code) and the template."""

    artifact_key: str | None
    template: TemplatePlacement


def prepare_release(
    clients: Clients, request: DeployRequest, *, upload_artifact: bool, say: Say
) -> PreparedRelease:
    """Build the zip (and upload it unless it is there), and place the template."""
    release = request.release
    if release is None:
        return PreparedRelease(artifact_key=None, template=place_template(clients, request, say))
    artifact = build(release.out)
    say(f"built {artifact.path} ({artifact.size} bytes, sha256 {artifact.sha256})")
    if upload_artifact:
        key, uploaded = upload(clients.s3, artifact, release.location)
        say(f"{'uploaded to' if uploaded else 'already at'} s3://{release.location.bucket}/{key}")
    else:
        key = release.location.key_for(artifact.key)
    return PreparedRelease(artifact_key=key, template=place_template(clients, request, say))


def place_template(clients: Clients, request: DeployRequest, say: Say) -> TemplatePlacement:
    """Inline up to CloudFormation's limit; else in the bucket, at a content-addressed key."""
    if request.template_size <= INLINE_TEMPLATE_LIMIT:
        return TemplatePlacement(body=request.template_text)
    if request.release is None:
        raise UserError(
            f"{request.template_file} is {request.template_size} bytes: over the "
            f"{INLINE_TEMPLATE_LIMIT} bytes CloudFormation takes inline, and this stack has "
            "no bucket to pass it through"
        )
    location = request.release.location
    digest = hashlib.sha256(request.template_text.encode()).hexdigest()[:12]
    stem = request.template_file.stem
    key = location.key_for(f"templates/{stem}-{digest}.json")
    with aws.reported(f"uploading the template to s3://{location.bucket}"):
        if not object_exists(clients.s3, location.bucket, key):
            clients.s3.put_object(
                Bucket=location.bucket,
                Key=key,
                Body=request.template_text.encode(),
                ContentType="application/json",
            )
    say(
        f"template ({request.template_size} bytes, over the inline limit) at "
        f"s3://{location.bucket}/{key}"
    )
    return TemplatePlacement(url=object_url(clients.s3.meta.endpoint_url, location.bucket, key))


def change_set_parameters(
    template: Mapping[str, Any], explicit: Mapping[str, str], stack: DeployedStack | None
) -> list[ParameterTypeDef]:
    """Explicit values, else the stack's previous value, else (left out) the default."""
    previous = {} if stack is None or stack.is_new else stack.parameters
    parameters: list[ParameterTypeDef] = []
    for key in sorted(template.get("Parameters", {})):
        if key in explicit:
            parameters.append({"ParameterKey": key, "ParameterValue": explicit[key]})
        elif key in previous:
            parameters.append({"ParameterKey": key, "UsePreviousValue": True})
    return parameters


@dataclass(frozen=True)
class Preview:
    """A described change set, or (change_set_id None) the news that nothing changes."""

    stack_name: str
    stack_id: str | None
    change_set_id: str | None
    change_set_name: str
    change_set_type: str  # CREATE or UPDATE
    # The stack exists only because this change set created it (to be removed with it).
    holds_only_this: bool
    changes: tuple[ResourceChange, ...]
    parameters: tuple[ParameterChange, ...]

    @property
    def has_changes(self) -> bool:
        return self.change_set_id is not None

    @property
    def risky(self) -> tuple[AtRisk, ...]:
        return at_risk(self.changes)


def create_change_set(
    clients: Clients,
    request: DeployRequest,
    stack: DeployedStack | None,
    prepared: PreparedRelease,
    *,
    purpose: str,
    sleep: Callable[[float], None] = time.sleep,
) -> Preview:
    """Create the change set, wait until CloudFormation has computed it, and describe it."""
    from botocore.exceptions import ClientError

    creating = stack is None or stack.is_new
    explicit = {**filled_in(request, prepared), **request.overrides}
    preview = Preview(
        stack_name=request.stack_name,
        stack_id=None if stack is None else stack.stack_id,
        change_set_id=None,
        change_set_name=f"generator-{purpose}-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}",
        change_set_type="CREATE" if creating else "UPDATE",
        holds_only_this=stack is None,
        changes=(),
        parameters=parameter_changes(
            request.template, explicit, None if creating or stack is None else stack.parameters
        ),
    )
    arguments = _create_change_set_arguments(
        preview,
        request,
        stack=stack,
        template=prepared.template,
        explicit=explicit,
        purpose=purpose,
    )
    cloudformation = clients.cloudformation
    with aws.reported(f"creating a change set for stack {request.stack_name}"):
        try:
            created = cloudformation.create_change_set(**arguments)
        except ClientError as error:
            if means_no_changes(error.response.get("Error", {}).get("Message")):
                return preview
            raise
    preview = _with(preview, stack_id=created["StackId"], change_set_id=created["Id"])
    status, reason, pages = _described(cloudformation, created["Id"], sleep)
    if status == "FAILED":
        delete_change_set(clients, preview)
        if means_no_changes(reason):
            return _with(preview, change_set_id=None)
        raise UserError(f"CloudFormation could not create the change set: {reason}")
    return _with(preview, changes=resource_changes(pages))


def filled_in(request: DeployRequest, prepared: PreparedRelease) -> dict[str, str]:
    """The parameters deploy sets itself: where the zip is (an app stack's)."""
    if request.release is None or prepared.artifact_key is None:
        return {}
    return {
        names.ARTIFACT_BUCKET: request.release.location.bucket,
        names.ARTIFACT_KEY: prepared.artifact_key,
    }


def _create_change_set_arguments(
    preview: Preview,
    request: DeployRequest,
    *,
    stack: DeployedStack | None,
    template: TemplatePlacement,
    explicit: Mapping[str, str],
    purpose: str,
) -> CreateChangeSetInputTypeDef:
    arguments: CreateChangeSetInputTypeDef = {
        "StackName": preview.stack_name,
        "ChangeSetName": preview.change_set_name,
        "ChangeSetType": "CREATE" if preview.change_set_type == "CREATE" else "UPDATE",
        "Parameters": change_set_parameters(request.template, explicit, stack),
        # The stack creates IAM roles (with generated names).
        "Capabilities": ["CAPABILITY_IAM"],
        "Description": f"python -m generator {purpose}, {request.label}",
    }
    if request.role_arn:
        arguments["RoleARN"] = request.role_arn
    if template.url:
        arguments["TemplateURL"] = template.url
    else:
        arguments["TemplateBody"] = template.body or ""
    return arguments


def _with(preview: Preview, **changes: Any) -> Preview:
    return replace(preview, **changes)


def _described(
    cloudformation: CloudFormationClient, change_set_id: str, sleep: Callable[[float], None]
) -> tuple[str, str | None, list[Mapping[str, Any]]]:
    """(status, reason, every page of DescribeChangeSet) once it is computed."""
    with aws.reported("describing the change set"):
        while True:
            first = cloudformation.describe_change_set(ChangeSetName=change_set_id)
            if first["Status"] not in ("CREATE_PENDING", "CREATE_IN_PROGRESS"):
                break
            sleep(CHANGE_SET_POLL_SECONDS)
        pages: list[Mapping[str, Any]] = [first]
        token = first.get("NextToken")
        while token:
            page = cloudformation.describe_change_set(ChangeSetName=change_set_id, NextToken=token)
            pages.append(page)
            token = page.get("NextToken")
    return first["Status"], first.get("StatusReason"), pages


def delete_change_set(clients: Clients, preview: Preview) -> str | None:
    """Delete the change set, and the stack too when it exists only to hold it. Returns what
    to tell the user when that stack stays: credentials that may not delete stacks (the CI
    roles) leave it, empty, for the next deploy to create as new."""
    from botocore.exceptions import ClientError

    if preview.change_set_id is None:
        return None
    with aws.reported("deleting the change set"):
        clients.cloudformation.delete_change_set(ChangeSetName=preview.change_set_id)
        if not (preview.holds_only_this and preview.stack_id):
            return None
        try:
            clients.cloudformation.delete_stack(StackName=preview.stack_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ACCESS_DENIED:
                raise
            return (
                f"Stack {preview.stack_name} stays, empty ({REVIEW_IN_PROGRESS}): these "
                "credentials may not delete stacks. A deploy creates it as a new stack."
            )
    return None


@dataclass(frozen=True)
class Outcome:
    """How the execution ended."""

    status: str
    first_failure: StackEvent | None
    # What the endpoint answered when it refused to execute (or failed while executing).
    execute_error: str | None

    @property
    def succeeded(self) -> bool:
        return self.execute_error is None and self.status in SUCCEEDED


def execute(
    clients: Clients,
    preview: Preview,
    follower: Follower,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Execute the change set and show the stack's events until CloudFormation is done."""
    from botocore.exceptions import ClientError

    if preview.change_set_id is None or preview.stack_id is None:
        raise ValueError("only a created change set can be executed")
    stack_id = preview.stack_id
    cloudformation = clients.cloudformation
    marker = _newest_event_id(cloudformation, stack_id)
    started = clock()
    with aws.reported("executing the change set"):
        try:
            cloudformation.execute_change_set(ChangeSetName=preview.change_set_id)
        except ClientError as error:
            # AWS answers at once and fails resources later, in events; an endpoint that
            # executes inside the request (a local emulator) answers a failure here.
            return Outcome(
                status=_stack_status(cloudformation, stack_id),
                first_failure=None,
                execute_error=aws.client_error_text(error),
            )
    status, events = _follow(
        cloudformation,
        stack_id,
        marker=marker,
        follower=follower,
        clock=clock,
        sleep=sleep,
        started=started,
    )
    return Outcome(
        status=status,
        first_failure=first_failure(events, preview.stack_name),
        execute_error=None,
    )


def _follow(
    cloudformation: CloudFormationClient,
    stack_id: str,
    *,
    marker: str | None,
    follower: Follower,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    started: float,
) -> tuple[str, list[StackEvent]]:
    seen: list[StackEvent] = []
    while True:
        # The status first: events up to a final status are then all there to read.
        status = _stack_status(cloudformation, stack_id)
        new = _events_since(cloudformation, stack_id, marker)
        for event in new:
            follower.event(event)
        if new:
            marker = new[-1].event_id
            seen += new
        follower.tick(clock() - started)
        if is_final(status):
            follower.finish()
            return status, seen
        sleep(EVENT_POLL_SECONDS)


def _stack_status(cloudformation: CloudFormationClient, stack_id: str) -> str:
    with aws.reported("reading the stack's status"):
        [stack] = cloudformation.describe_stacks(StackName=stack_id)["Stacks"]
    return stack["StackStatus"]


def _newest_event_id(cloudformation: CloudFormationClient, stack_id: str) -> str | None:
    with aws.reported("reading the stack's events"):
        events = cloudformation.describe_stack_events(StackName=stack_id)["StackEvents"]
    return events[0]["EventId"] if events else None


def _events_since(
    cloudformation: CloudFormationClient, stack_id: str, marker: str | None
) -> list[StackEvent]:
    """The events after marker, oldest first (CloudFormation lists them newest first)."""
    newest_first: list[StackEvent] = []
    with aws.reported("reading the stack's events"):
        for page in cloudformation.get_paginator("describe_stack_events").paginate(
            StackName=stack_id
        ):
            for event in page["StackEvents"]:
                if event["EventId"] == marker:
                    return newest_first[::-1]
                newest_first.append(StackEvent.from_api(event))
    return newest_first[::-1]


def stack_outputs(clients: Clients, stack_name: str) -> dict[str, str]:
    with aws.reported(f"reading the outputs of stack {stack_name}"):
        [stack] = clients.cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return outputs_of(stack)


def outputs_of(stack: StackTypeDef) -> dict[str, str]:
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", ())}
