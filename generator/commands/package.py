"""`python -m generator package`: build the Lambda artifact and the compact template, and with
--upload put the artifact in S3 and print the command that deploys the release."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.commands.arguments import (
    add_connection_arguments,
    add_template_file_argument,
    s3_location,
)
from generator.files import write_atomically
from generator.stack.environments import ENVIRONMENTS

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from generator.release.publishing import S3Location

DEFAULT_DIST = Path("dist")


NAME = "package"
HELP = "build the Lambda zip and the compact template; --upload puts the zip in S3"
DESCRIPTION = (
    "Build <out>/handlers-<sha256 prefix>.zip (handlers/ and its pinned dependencies for "
    "the Lambda runtime, byte for byte reproducible) and <out>/food-delivery-<env>.json "
    "(the committed template, compact). With --upload, put the zip in S3 (skipped when "
    "that key exists) and print the `aws cloudformation deploy` command of the release."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=DEFAULT_DIST,
        help=f"output directory (default: {DEFAULT_DIST})",
    )
    parser.add_argument(
        "--env",
        choices=sorted(ENVIRONMENTS),
        default="dev",
        help="environment of the template and the printed command (default: dev)",
    )
    add_template_file_argument(parser)
    parser.add_argument(
        "--upload",
        metavar="s3://BUCKET[/PREFIX]",
        type=s3_location,
        help="upload the zip there and print the deploy command",
    )
    parser.add_argument(
        "--stack-name",
        metavar="NAME",
        help="stack name in the printed command (default: food-delivery-<env>)",
    )
    add_connection_arguments(
        parser,
        endpoint_help="S3 (and CloudFormation, in the printed command) endpoint, e.g. a local "
        "stack; default: AWS_ENDPOINT_URL or AWS's own",
    )


@dataclass(frozen=True)
class _Target:
    """Where --upload puts the release, with the client and region to do it."""

    location: S3Location
    s3: S3Client
    region: str


def run(args: argparse.Namespace) -> int:
    from generator.release.packaging import build
    from generator.release.publishing import compact_template, deploy_command, template_file

    environment = ENVIRONMENTS[args.env]
    source = template_file(environment, args.template_file)
    template = compact_template(source)
    # Checked before the build: a wrong bucket or missing credentials fail in seconds.
    target = _checked_target(args) if args.upload else None

    artifact = build(args.out)
    print(f"built {artifact.path} ({artifact.size} bytes, sha256 {artifact.sha256})")
    compact_file = args.out / environment.template_file_name
    write_atomically(compact_file, template)
    print(f"wrote {compact_file} ({len(template.encode())} bytes, from {source})")
    if target is None:
        return 0

    from generator.release.publishing import upload

    key, uploaded = upload(target.s3, artifact, target.location)
    print(f"{'uploaded to' if uploaded else 'already at'} s3://{target.location.bucket}/{key}")
    command = deploy_command(
        environment,
        template_file=str(compact_file),
        template_size=len(template.encode()),
        location=target.location,
        artifact_key=key,
        region=target.region,
        stack_name=args.stack_name,
        endpoint_url=args.endpoint_url,
    )
    print(f"deploy with:\n  {command}")
    return 0


def _checked_target(args: argparse.Namespace) -> _Target:
    from generator.release.connection import session as aws_session
    from generator.release.publishing import check_bucket

    session = aws_session(args.region)
    s3 = session.client("s3", endpoint_url=args.endpoint_url)
    check_bucket(s3, args.upload.bucket)
    return _Target(location=args.upload, s3=s3, region=session.region_name)
