"""python -m generator: write (or --check) templates/food-delivery-<env>.json;
python -m generator package: build (and --upload) the Lambda artifact."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import Sequence

from generator import __version__
from generator.environments import ENVIRONMENTS
from generator.stack import render

DEFAULT_OUT = Path("templates")
DEFAULT_DIST = Path("dist")


def _emit_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description=(
            "Generate the CloudFormation templates of the food-delivery order API. "
            "`python -m generator package --help` builds the Lambda artifact."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--env",
        choices=sorted(ENVIRONMENTS),
        action="append",
        help="environment to generate (repeatable; default: all)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"directory of the templates (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; print a diff and exit 1 if a template on disk is not current",
    )
    return parser


def _package_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator package",
        description=(
            "Build dist/handlers-<sha256 prefix>.zip: handlers/ and its pinned dependencies "
            "for Lambda python3.12, byte for byte reproducible; optionally upload it to S3."
        ),
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_DIST, help="output directory (default: dist)")
    parser.add_argument(
        "--upload",
        metavar="s3://BUCKET[/PREFIX]",
        help="upload the zip there (skipped when that key exists) and print the deploy command",
    )
    parser.add_argument(
        "--endpoint-url",
        help="S3 endpoint (default: AWS_ENDPOINT_URL or AWS's own); also put into the printed command",
    )
    parser.add_argument(
        "--env",
        choices=sorted(ENVIRONMENTS),
        default="dev",
        help="environment whose deploy command to print (default: dev)",
    )
    parser.add_argument("--stack-name", help="stack name in the printed command (default: food-delivery-<env>)")
    return parser


def _write(path: Path, text: str) -> None:
    # Write beside the target, then rename: an interrupted run never leaves half a template.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8", newline="\n")
    partial.replace(path)


def _diff(path: Path, expected: str) -> str:
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if current == expected:
        return ""
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            fromfile=f"{path} (on disk)",
            tofile=f"{path} (generated)",
        )
    ) or f"{path}: differs (line endings or encoding)\n"


def emit(argv: Sequence[str]) -> int:
    args = _emit_parser().parse_args(argv)
    stale = []
    for name in args.env or sorted(ENVIRONMENTS):
        environment = ENVIRONMENTS[name]
        path = args.out / environment.template_file_name
        text = render(environment)
        if args.check:
            difference = _diff(path, text)
            if difference:
                sys.stdout.write(difference)
                stale.append(path)
        else:
            _write(path, text)
            print(f"wrote {path}")
    if stale:
        print(f"{len(stale)} template(s) not current: run `python -m generator`", file=sys.stderr)
        return 1
    return 0


def package(argv: Sequence[str]) -> int:
    # Imported here: emitting templates needs neither pip nor boto3.
    from generator.packaging import PackagingError, build_artifact
    from generator.publishing import S3Location, deploy_command, upload

    parser = _package_parser()
    args = parser.parse_args(argv)
    location = None
    if args.upload:
        try:
            location = S3Location.parse(args.upload)
        except ValueError as error:
            parser.error(str(error))
    try:
        artifact = build_artifact(args.out)
    except PackagingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"built {artifact.path} ({artifact.size} bytes, sha256 {artifact.sha256})")
    if location is None:
        return 0

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        s3 = boto3.client("s3", endpoint_url=args.endpoint_url)
        key, uploaded = upload(artifact, location, s3)
    except (BotoCoreError, ClientError) as error:
        print(f"error: upload to {args.upload} failed: {error}", file=sys.stderr)
        return 1
    verb = "uploaded to" if uploaded else "already at"
    print(f"{verb} s3://{location.bucket}/{key}")
    print("deploy with:")
    print(
        "  "
        + deploy_command(
            ENVIRONMENTS[args.env],
            location.bucket,
            key,
            template_prefix=location.key_for("templates"),
            stack_name=args.stack_name,
            endpoint_url=args.endpoint_url,
        )
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["package"]:
        return package(arguments[1:])
    return emit(arguments)


if __name__ == "__main__":
    sys.exit(main())
