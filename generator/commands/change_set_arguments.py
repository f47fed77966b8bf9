"""What `deploy` and `diff` share: their arguments, and how a change set's preview is shown."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.commands.arguments import add_connection_arguments, add_template_file_argument
from generator.errors import USAGE, UserError
from generator.stack.environments import ENVIRONMENTS

if TYPE_CHECKING:
    from generator.release.deploying import DeployRequest, Preview

DEFAULT_DIST = Path("dist")


def parameter(value: str) -> tuple[str, str]:
    """argparse type of --parameter KEY=VALUE (the value may be empty, or hold '=')."""
    key, separator, setting = value.partition("=")
    if not separator or not key.strip():
        raise argparse.ArgumentTypeError(f"{value!r} is not KEY=VALUE")
    return key.strip(), setting


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env",
        required=True,
        choices=sorted(ENVIRONMENTS),
        help="environment of the template",
    )
    parser.add_argument("--stack-name", required=True, metavar="NAME", help="the stack")
    parser.add_argument(
        "--artifact-bucket",
        required=True,
        metavar="BUCKET",
        help="S3 bucket of the Lambda zip (and of a template over CloudFormation's inline limit)",
    )
    parser.add_argument(
        "--artifact-prefix",
        default="",
        metavar="PREFIX",
        help="key prefix in that bucket (default: none)",
    )
    parser.add_argument(
        "--parameter",
        dest="parameters",
        action="append",
        default=[],
        type=parameter,
        metavar="KEY=VALUE",
        help="a template parameter (repeatable); the others keep the stack's previous value, "
        "or take their default on a new stack. ArtifactBucket and ArtifactKey are filled in",
    )
    add_template_file_argument(parser)
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=DEFAULT_DIST,
        help=f"where the Lambda zip is built (default: {DEFAULT_DIST})",
    )
    add_connection_arguments(
        parser,
        endpoint_help="S3 and CloudFormation endpoint, e.g. a local stack; default: "
        "AWS_ENDPOINT_URL or AWS's own",
    )


def read_request(args: argparse.Namespace) -> DeployRequest:
    """What the command was asked: the template read and every --parameter checked against it
    (usage errors), before any AWS call."""
    from generator.release.deploying import DeployRequest
    from generator.release.publishing import S3Location, compact_template, template_file

    overrides: dict[str, str] = {}
    for key, value in args.parameters:
        if key in overrides:
            raise UserError(f"--parameter {key} is given twice", status=USAGE)
        overrides[key] = value
    environment = ENVIRONMENTS[args.env]
    path = template_file(environment, args.template_file)
    text = compact_template(path)
    template = json.loads(text)
    if not isinstance(template.get("Resources"), dict):
        raise UserError(f"{path} is not a CloudFormation template (no Resources)")
    check_overrides(template, overrides, path)
    return DeployRequest(
        environment=environment,
        stack_name=args.stack_name,
        location=S3Location(bucket=args.artifact_bucket, prefix=args.artifact_prefix.strip("/")),
        template_file=path,
        template_text=text,
        template=template,
        overrides=overrides,
        out=args.out,
    )


def check_overrides(template: Mapping[str, Any], overrides: Mapping[str, str], path: Path) -> None:
    """A usage error for a --parameter the template does not declare, or one deploy fills."""
    from generator.release.deploying import FILLED_BY_DEPLOY
    from generator.stack import names

    declared = sorted(template.get("Parameters", {}))
    for key in sorted(overrides):
        if key in FILLED_BY_DEPLOY:
            raise UserError(
                f"--parameter {key}: deploy sets it ({names.ARTIFACT_BUCKET} from "
                f"--artifact-bucket, {names.ARTIFACT_KEY} from the zip it builds)",
                status=USAGE,
            )
        if key not in declared:
            settable = [name for name in declared if name not in FILLED_BY_DEPLOY]
            raise UserError(
                f"--parameter {key}: {path} has no such parameter (it has: {', '.join(settable)})",
                status=USAGE,
            )


def show_preview(preview: Preview, request: DeployRequest, say: Callable[[str], None]) -> None:
    """The change set as a reader sees it: parameters, resources, and what is at risk."""
    from generator.release import change_sets, guard_rails

    kind = "new stack" if preview.change_set_type == "CREATE" else "update"
    say(f"Stack {preview.stack_name} ({request.environment.name}, {kind}):")
    if preview.parameters:
        say("Parameters:")
        _indented(change_sets.parameter_table(preview.parameters), say)
    else:
        say("Parameters: no change")
    if preview.changes:
        say(f"Resources: {change_sets.summary(preview.changes)}")
        _indented(change_sets.resource_table(preview.changes), say)
    else:
        say("Resources: CloudFormation lists no resource change")
    if preview.risky:
        for line in guard_rails.warning(preview.risky, name_the_data=names_the_data(request)):
            say(line)


def names_the_data(request: DeployRequest) -> bool:
    """Name the data at risk where it is kept on purpose (prod retains its data)."""
    return request.environment.retain_data


def _indented(lines: Sequence[str], say: Callable[[str], None]) -> None:
    for line in lines:
        say(f"  {line}")
