"""`python -m generator deploy`: from a checkout to a running stack, through a change set that
is shown before it runs, refused when it would destroy data, and followed while it runs.

Exit status: 0 deployed (or nothing to change, or left for review with --no-execute), 1 the
deploy failed or was declined, 2 a usage error, 3 refused by the guard rail.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from generator.commands import change_set_arguments as stacks
from generator.errors import USAGE, UserError

if TYPE_CHECKING:
    from generator.release.deploying import Clients, DeployRequest, Outcome, Preview
    from generator.release.stack_events import Follower

REFUSED = 3
INTERRUPTED = 130
NO_TERMINAL = (
    "no terminal to confirm the deploy on: pass --yes to deploy without asking, or "
    "--no-execute to only create the change set"
)


NAME = "deploy"
HELP = "build, upload and deploy a release through a change set you confirm"
DESCRIPTION = (
    "Build the Lambda zip and upload it (skipped when its key exists), create a change "
    "set for the stack, print it, and after confirmation execute it and follow the "
    "stack's events. A change set that removes or replaces a stateful resource (tables, "
    "queues, keys, log groups) is refused (exit 3) unless --allow-replacement. Exit "
    "status: 0 deployed or nothing to change, 1 failed or declined, 2 usage error, "
    "3 refused."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    stacks.add_arguments(parser)
    confirmation = parser.add_mutually_exclusive_group()
    confirmation.add_argument(
        "--yes", action="store_true", help="deploy without asking (needed without a terminal)"
    )
    confirmation.add_argument(
        "--no-execute",
        action="store_true",
        help="stop after the preview and leave the change set for review",
    )
    parser.add_argument(
        "--allow-replacement",
        action="store_true",
        help="deploy even a change set that removes or replaces a stateful resource",
    )


def run(args: argparse.Namespace) -> int:
    from generator.release import deploying
    from generator.release.publishing import check_bucket

    if not (args.yes or args.no_execute or _is_terminal(sys.stdin)):
        raise UserError(NO_TERMINAL, status=USAGE)
    request = stacks.read_request(args)
    clients = deploying.connect(args.region, args.endpoint_url)
    check_bucket(clients.s3, request.location.bucket)
    stack = deploying.current_stack(clients, request.stack_name)
    prepared = deploying.prepare_release(clients, request, upload_artifact=True, say=print)
    preview = deploying.create_change_set(clients, request, stack, prepared, purpose="deploy")
    if not preview.has_changes:
        print(f"Stack {request.stack_name}: no changes")
        return 0
    stacks.show_preview(preview, request, print)
    _apply_guard_rail(clients, preview, request, allowed=args.allow_replacement)
    if args.no_execute:
        _leave_for_review(clients, preview)
        return 0
    if not args.yes and not _confirmed(preview):
        deploying.delete_change_set(clients, preview)
        print("Not deployed: the change set is deleted.")
        return 1
    return _execute(clients, preview, request)


def _apply_guard_rail(
    clients: Clients, preview: Preview, request: DeployRequest, *, allowed: bool
) -> None:
    from generator.release import deploying, guard_rails

    risky = preview.risky
    if not risky:
        return
    if allowed:
        print(f"Deploying it anyway: {guard_rails.ALLOW_FLAG} was given.")
        return
    deploying.delete_change_set(clients, preview)
    message = guard_rails.refusal(risky, name_the_data=stacks.names_the_data(request))
    raise UserError(message, status=REFUSED)


def _leave_for_review(clients: Clients, preview: Preview) -> None:
    from generator.release.deploying import aws_command

    print(f"Change set {preview.change_set_name} is left for review; nothing was executed.")
    stack = ["--stack-name", preview.stack_name, "--change-set-name", preview.change_set_name]
    print(f"  see it:     {aws_command(clients, 'cloudformation', 'describe-change-set', *stack)}")
    print(f"  run it:     {aws_command(clients, 'cloudformation', 'execute-change-set', *stack)}")
    print(f"  discard it: {aws_command(clients, 'cloudformation', 'delete-change-set', *stack)}")


def _confirmed(preview: Preview) -> bool:
    question = f"Deploy these changes to stack {preview.stack_name}? [y/N] "
    try:
        answer = input(question)
    except (EOFError, KeyboardInterrupt):
        print()
        return False
    return answer.strip().lower() in ("y", "yes")


def _execute(clients: Clients, preview: Preview, request: DeployRequest) -> int:
    from generator.release import deploying

    print(f"Executing change set {preview.change_set_name} on stack {preview.stack_name}:")
    try:
        outcome = deploying.execute(clients, preview, _follower(preview))
    except KeyboardInterrupt:
        events = deploying.aws_command(
            clients, "cloudformation", "describe-stack-events", "--stack-name", preview.stack_name
        )
        raise UserError(
            f"interrupted: CloudFormation goes on with the deploy; follow it with {events}",
            status=INTERRUPTED,
        ) from None
    if not outcome.succeeded:
        events = deploying.aws_command(
            clients, "cloudformation", "describe-stack-events", "--stack-name", preview.stack_name
        )
        raise UserError(failure_message(preview.stack_name, outcome, events_command=events))
    print(f"Stack {preview.stack_name} is {outcome.status}.")
    outputs = deploying.stack_outputs(clients, request.stack_name)
    for line in outputs_text(outputs, lambda *words: deploying.aws_command(clients, *words)):
        print(line)
    return 0


def _follower(preview: Preview) -> Follower:
    from generator.release.stack_events import EventLines, ProgressLine

    if _is_terminal(sys.stdout):
        resources = [change.logical_id for change in preview.changes]
        return ProgressLine(sys.stdout, stack_name=preview.stack_name, resources=resources)
    return EventLines(sys.stdout)


def failure_message(stack_name: str, outcome: Outcome, *, events_command: str) -> str:
    """One line: the first resource that failed and why (or what the endpoint answered), and
    the stack's final status."""
    failure = outcome.first_failure
    if outcome.execute_error:
        cause = f"CloudFormation answered {outcome.execute_error}"
    elif failure is not None:
        cause = f"{failure.logical_id} ({failure.resource_type}) {failure.status}: {failure.reason}"
    else:
        cause = f"no resource reported a failure (see {events_command})"
    advice = ""
    if outcome.status == "ROLLBACK_COMPLETE":
        advice = "; delete it before deploying again (a failed creation cannot be updated)"
    return f"deploy failed: {cause}; stack {stack_name} is {outcome.status}{advice}"


def outputs_text(outputs: Mapping[str, str], aws: Callable[..., str]) -> list[str]:
    """The stack's outputs, and for each partner the commands that read what the outputs do
    not hold: its client secret and its API key's value (aws builds an `aws ...` command)."""
    from generator.stack import names

    if not outputs:
        return ["Outputs: none reported"]
    width = max(len(key) for key in outputs)
    lines = ["Outputs:", *(f"  {key.ljust(width)}  {outputs[key]}" for key in sorted(outputs))]
    pool = outputs.get(names.OUTPUT_USER_POOL_ID)
    for key in sorted(outputs):
        if not key.startswith("Partner"):
            continue
        if key.endswith("ClientId") and pool:
            secret = ["--query", "UserPoolClient.ClientSecret", "--output", "text"]
            command = aws(
                "cognito-idp", "describe-user-pool-client", "--user-pool-id", pool,
                "--client-id", outputs[key], *secret,
            )  # fmt: skip
            lines.append(f"{key.removesuffix('ClientId')} client secret: {command}")
        if key.endswith("ApiKeyId"):
            value = ["--include-value", "--query", "value", "--output", "text"]
            command = aws("apigateway", "get-api-key", "--api-key", outputs[key], *value)
            lines.append(f"{key.removesuffix('ApiKeyId')} API key (x-api-key): {command}")
    return lines


def _is_terminal(stream: Any) -> bool:
    return stream is not None and bool(stream.isatty())
