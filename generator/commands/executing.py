"""What `deploy` and `bootstrap` do with a change set once it is shown: the guard rail, the
question, and the execution followed to its end.

Exit status: 0 deployed (or nothing to change, or left for review with --no-execute), 1 the
deploy failed or was declined, 2 a usage error, 3 refused by the guard rail.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

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
# What is printed after a successful execution, from the stack's outputs.
OutputLines = Callable[["Clients", Mapping[str, str]], list[str]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
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


def check_confirmable(args: argparse.Namespace) -> None:
    """Before any AWS call: a deploy with no one to ask must say so beforehand."""
    if not (args.yes or args.no_execute or is_terminal(sys.stdin)):
        raise UserError(NO_TERMINAL, status=USAGE)


def carry_out(
    clients: Clients,
    preview: Preview,
    request: DeployRequest,
    args: argparse.Namespace,
    output_lines: OutputLines,
) -> int:
    """Show the change set, then refuse, leave, ask about or execute it."""
    from generator.commands.change_set_arguments import show_preview
    from generator.release import deploying

    if not preview.has_changes:
        print(f"Stack {request.stack_name}: no changes")
        return 0
    show_preview(preview, request, print)
    _apply_guard_rail(clients, preview, request, allowed=args.allow_replacement)
    if args.no_execute:
        _leave_for_review(clients, preview)
        return 0
    if not args.yes and not _confirmed(preview):
        left = deploying.delete_change_set(clients, preview)
        print("Not deployed: the change set is deleted.")
        if left:
            print(left)
        return 1
    return _execute(clients, preview, request, output_lines)


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
    left = deploying.delete_change_set(clients, preview)
    message = guard_rails.refusal(risky, name_the_data=request.names_the_data)
    if left:
        print(left)
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


def _execute(
    clients: Clients, preview: Preview, request: DeployRequest, output_lines: OutputLines
) -> int:
    from generator.release import deploying

    print(f"Executing change set {preview.change_set_name} on stack {preview.stack_name}:")
    events = deploying.aws_command(
        clients, "cloudformation", "describe-stack-events", "--stack-name", preview.stack_name
    )
    try:
        outcome = deploying.execute(clients, preview, _follower(preview))
    except KeyboardInterrupt:
        raise UserError(
            f"interrupted: CloudFormation goes on with the deploy; follow it with {events}",
            status=INTERRUPTED,
        ) from None
    if not outcome.succeeded:
        raise UserError(failure_message(preview.stack_name, outcome, events_command=events))
    print(f"Stack {preview.stack_name} is {outcome.status}.")
    for line in output_lines(clients, deploying.stack_outputs(clients, request.stack_name)):
        print(line)
    return 0


def _follower(preview: Preview) -> Follower:
    from generator.release.stack_events import EventLines, ProgressLine

    if is_terminal(sys.stdout):
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


def outputs_table(outputs: Mapping[str, str]) -> list[str]:
    if not outputs:
        return ["Outputs: none reported"]
    width = max(len(key) for key in outputs)
    return ["Outputs:", *(f"  {key.ljust(width)}  {outputs[key]}" for key in sorted(outputs))]


def is_terminal(stream: Any) -> bool:
    return stream is not None and bool(stream.isatty())
