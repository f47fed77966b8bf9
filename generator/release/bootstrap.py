"""The account side of an app stack's deploy, read from the bootstrap stack's outputs: the
artifact bucket, the prefix releases go under, and the role CloudFormation works as.

What the user gives explicitly (--artifact-bucket, --role-arn) wins; the bootstrap stack fills
in the rest. Without a bootstrap stack, an explicit bucket deploys as before: with the
caller's own credentials.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from generator.errors import USAGE, UserError
from generator.release.deploying import (
    Clients,
    DeployRequest,
    Release,
    aws_command,
    described_stack,
    outputs_of,
)
from generator.release.publishing import S3Location, check_bucket
from generator.stack import names
from generator.stack.environments import Environment

# The outputs deploy reads, and what each is for (the others are for people and CI).
READ_OUTPUTS = {
    names.OUTPUT_ARTIFACT_BUCKET: "the artifact bucket",
    names.OUTPUT_ARTIFACT_PREFIX: "the prefix releases go under",
    names.OUTPUT_EXECUTION_ROLE: "CloudFormation's execution role",
}
# A bootstrap stack whose outputs can be read: its last create or update went through.
READABLE = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"})


@dataclass(frozen=True)
class Bootstrap:
    """What an app stack's deploy needs from the bootstrap stack."""

    stack_name: str
    artifact_bucket: str
    artifact_prefix: str
    execution_role_arn: str


def read_bootstrap(clients: Clients, stack_name: str, *, required: bool = True) -> Bootstrap | None:
    """The bootstrap stack's outputs; None if there is no such stack (or, unless required,
    none deployed yet); UserError if it lacks an output, or (when required) has not been
    deployed through."""
    found = described_stack(clients, stack_name)
    if found is None:
        return None
    status = found["StackStatus"]
    if status not in READABLE and not required:
        return None
    if status not in READABLE:
        raise UserError(
            f"bootstrap stack {stack_name} is {status}: deploy it first "
            f"(python -m generator bootstrap --region {clients.region}), or pass "
            "--artifact-bucket and --role-arn"
        )
    outputs = outputs_of(found)
    missing = [key for key in READ_OUTPUTS if not outputs.get(key)]
    if missing:
        described = aws_command(
            clients, "cloudformation", "describe-stacks", "--stack-name", stack_name
        )
        raise UserError(
            f"stack {stack_name} reports no output {', '.join(missing)} ({described}): is it "
            "the bootstrap stack (--bootstrap-stack-name)? Or pass --artifact-bucket and "
            "--role-arn"
        )
    return Bootstrap(
        stack_name=stack_name,
        artifact_bucket=outputs[names.OUTPUT_ARTIFACT_BUCKET],
        artifact_prefix=outputs[names.OUTPUT_ARTIFACT_PREFIX],
        execution_role_arn=outputs[names.OUTPUT_EXECUTION_ROLE],
    )


def with_account_side(
    clients: Clients,
    request: DeployRequest,
    *,
    environment: Environment,
    given: S3Location | None,
    out: Path,
    bootstrap_stack_name: str,
) -> tuple[DeployRequest, Bootstrap | None]:
    """The request with its release (the zip built in `out`, uploaded to the location given
    by --artifact-bucket, else to the bootstrap stack's bucket, which is checked) and its
    execution role (the one given by --role-arn, else the bootstrap stack's). The bootstrap
    stack is read only when one of them is missing, and returned for the commands to report."""
    bootstrap = None
    if given is None or request.role_arn is None:
        # With a bucket given, a bootstrap stack not deployed yet is as good as none.
        bootstrap = read_bootstrap(clients, bootstrap_stack_name, required=given is None)
    role_arn = request.role_arn
    if bootstrap is not None:
        location = given or S3Location(
            bucket=bootstrap.artifact_bucket, prefix=bootstrap.artifact_prefix
        )
        if role_arn is None:
            _check_managed_by_the_role(request, environment, bootstrap)
            role_arn = bootstrap.execution_role_arn
    elif given is not None:
        location = given
    else:
        raise UserError(
            f"no bootstrap stack {bootstrap_stack_name} in {clients.region}: deploy it "
            f"once per account and region (python -m generator bootstrap --region "
            f"{clients.region}), or pass --artifact-bucket"
        )
    check_bucket(clients.s3, location.bucket)
    release = Release(location=location, out=out)
    return replace(request, release=release, role_arn=role_arn), bootstrap


def _check_managed_by_the_role(
    request: DeployRequest, environment: Environment, bootstrap: Bootstrap
) -> None:
    """The execution role is scoped to each environment's own stack name: another name would
    fail half way through the deploy, on the first resource it may not create."""
    if request.stack_name != environment.stack_name:
        raise UserError(
            f"--stack-name {request.stack_name}: the execution role of {bootstrap.stack_name} "
            f"manages the {environment.name} stack only as {environment.stack_name}; deploy it "
            "under that name, or pass --role-arn",
            status=USAGE,
        )
