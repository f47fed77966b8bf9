"""What `deploy`, `diff` and `bootstrap` share: their arguments, the request they read, and how
a change set's preview is shown."""

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
    from generator.release.bootstrap import Bootstrap
    from generator.release.deploying import Clients, DeployRequest, Preview

DEFAULT_DIST = Path("dist")


def parameter(value: str) -> tuple[str, str]:
    """argparse type of --parameter KEY=VALUE (the value may be empty, or hold '=')."""
    key, separator, setting = value.partition("=")
    if not separator or not key.strip():
        raise argparse.ArgumentTypeError(f"{value!r} is not KEY=VALUE")
    return key.strip(), setting


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of deploy and diff."""
    from generator.stack import names

    parser.add_argument(
        "--env",
        required=True,
        choices=sorted(ENVIRONMENTS),
        help="environment of the template",
    )
    parser.add_argument(
        "--stack-name",
        metavar="NAME",
        help="the stack (default: food-delivery-<env>, the name the bootstrap stack's "
        "execution role manages)",
    )
    parser.add_argument(
        "--artifact-bucket",
        metavar="BUCKET",
        help="S3 bucket of the Lambda zip (and of a template over CloudFormation's inline "
        "limit); default: the bootstrap stack's",
    )
    parser.add_argument(
        "--artifact-prefix",
        metavar="PREFIX",
        help="key prefix in --artifact-bucket (default: none)",
    )
    parser.add_argument(
        "--role-arn",
        metavar="ARN",
        help="the role CloudFormation creates the stack's resources as; default: the "
        "bootstrap stack's execution role (none without a bootstrap stack: your credentials)",
    )
    parser.add_argument(
        "--bootstrap-stack-name",
        metavar="NAME",
        default=names.BOOTSTRAP_STACK_NAME,
        help=f"where the bucket and the role are read from (default: {names.BOOTSTRAP_STACK_NAME})",
    )
    add_parameter_argument(parser, filled_in="ArtifactBucket and ArtifactKey are filled in")
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


def add_parameter_argument(parser: argparse.ArgumentParser, *, filled_in: str = "") -> None:
    parser.add_argument(
        "--parameter",
        dest="parameters",
        action="append",
        default=[],
        type=parameter,
        metavar="KEY=VALUE",
        help="a template parameter (repeatable); the others keep the stack's previous value, "
        f"or take their default on a new stack{'. ' + filled_in if filled_in else ''}",
    )


def read_request(args: argparse.Namespace) -> DeployRequest:
    """What deploy or diff was asked: the template read and every --parameter checked against
    it (usage errors), before any AWS call. Its release is filled in by with_account_side."""
    from generator.release.deploying import FILLED_BY_DEPLOY
    from generator.release.publishing import template_file

    if args.artifact_prefix is not None and args.artifact_bucket is None:
        raise UserError(
            "--artifact-prefix needs --artifact-bucket (the bootstrap stack's bucket comes with "
            "its prefix)",
            status=USAGE,
        )
    environment = ENVIRONMENTS[args.env]
    return read_template_request(
        args,
        label=environment.name,
        path=template_file(environment, args.template_file),
        stack_name=args.stack_name or environment.stack_name,
        names_the_data=environment.retain_data,
        filled=FILLED_BY_DEPLOY,
        role_arn=args.role_arn,
    )


def read_template_request(
    args: argparse.Namespace,
    *,
    label: str,
    path: Path,
    stack_name: str,
    names_the_data: bool,
    filled: Sequence[str] = (),
    role_arn: str | None = None,
) -> DeployRequest:
    """The template at path read compact, and the --parameter values checked against it."""
    from generator.release.deploying import DeployRequest
    from generator.release.publishing import compact_template

    overrides: dict[str, str] = {}
    for key, value in args.parameters:
        if key in overrides:
            raise UserError(f"--parameter {key} is given twice", status=USAGE)
        overrides[key] = value
    text = compact_template(path)
    template = json.loads(text)
    if not isinstance(template.get("Resources"), dict):
        raise UserError(f"{path} is not a CloudFormation template (no Resources)")
    check_overrides(template, overrides, path, filled=filled)
    return DeployRequest(
        label=label,
        stack_name=stack_name,
        template_file=path,
        template_text=text,
        template=template,
        overrides=overrides,
        names_the_data=names_the_data,
        role_arn=role_arn,
    )


def with_account_side(
    clients: Clients, request: DeployRequest, args: argparse.Namespace
) -> tuple[DeployRequest, Bootstrap | None]:
    """The request with its bucket and execution role, given or read from the bootstrap
    stack."""
    from generator.release import bootstrap
    from generator.release.publishing import S3Location

    given = None
    if args.artifact_bucket is not None:
        prefix = (args.artifact_prefix or "").strip("/")
        given = S3Location(bucket=args.artifact_bucket, prefix=prefix)
    return bootstrap.with_account_side(
        clients,
        request,
        environment=ENVIRONMENTS[args.env],
        given=given,
        out=args.out,
        bootstrap_stack_name=args.bootstrap_stack_name,
    )


def check_overrides(
    template: Mapping[str, Any],
    overrides: Mapping[str, str],
    path: Path,
    *,
    filled: Sequence[str] = (),
) -> None:
    """A usage error for a --parameter the template does not declare, or one deploy fills."""
    from generator.stack import names

    declared = sorted(template.get("Parameters", {}))
    for key in sorted(overrides):
        if key in filled:
            raise UserError(
                f"--parameter {key}: deploy sets it ({names.ARTIFACT_BUCKET} from "
                f"--artifact-bucket or the bootstrap stack, {names.ARTIFACT_KEY} from the zip "
                "it builds)",
                status=USAGE,
            )
        if key not in declared:
            settable = [name for name in declared if name not in filled]
            raise UserError(
                f"--parameter {key}: {path} has no such parameter (it has: {', '.join(settable)})",
                status=USAGE,
            )


def show_preview(preview: Preview, request: DeployRequest, say: Callable[[str], None]) -> None:
    """The change set as a reader sees it: parameters, resources, and what is at risk."""
    from generator.release import change_sets, guard_rails

    kind = "new stack" if preview.change_set_type == "CREATE" else "update"
    say(f"Stack {preview.stack_name} ({request.label}, {kind}):")
    if request.role_arn:
        say(f"CloudFormation works as: {request.role_arn}")
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
        for line in guard_rails.warning(preview.risky, name_the_data=request.names_the_data):
            say(line)


def _indented(lines: Sequence[str], say: Callable[[str], None]) -> None:
    for line in lines:
        say(f"  {line}")
