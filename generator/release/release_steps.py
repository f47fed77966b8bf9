"""A release, as `package` and `deploy` both make it: the template read compact, the Lambda zip
built, the bucket checked and the zip put in it once per content. Failures are UserErrors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import UserError
from generator.files import describe_os_error, ensure_directory, read_template
from generator.release import connection as aws
from generator.stack.environments import Environment

if TYPE_CHECKING:
    from generator.release.packaging import Artifact
    from generator.release.publishing import S3Location

TEMPLATES = Path("templates")


def add_template_file_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--template-file",
        metavar="FILE",
        type=Path,
        help="the template to deploy (default: templates/food-delivery-<env>.json)",
    )


def template_file(environment: Environment, given: Path | None) -> Path:
    """The template to deploy: the one given, else the committed one of the environment."""
    return given or TEMPLATES / environment.template_file_name


def compact_template(path: Path) -> str:
    """The template at path without indentation: the same JSON in about two thirds of the
    bytes, so that it can go to CloudFormation inline. Keys keep the file's order (the
    generator's templates are sorted already; another template is deployed as it is written)."""
    template = read_template(path, if_missing=": run `python -m generator` first")
    return json.dumps(template, separators=(",", ":")) + "\n"


def build(out: Path) -> Artifact:
    """The reproducible Lambda zip, built in out."""
    from generator.release.packaging import PackagingError, build_artifact

    ensure_directory(out)
    try:
        return build_artifact(out)
    except PackagingError as error:
        raise UserError(str(error)) from error
    except OSError as error:
        raise UserError(f"cannot build in {out}: {describe_os_error(error)}") from error


def check_bucket(s3: Any, bucket: str) -> None:
    """UserError unless the bucket exists and is ours to use: checked before anything is built."""
    from generator.release.publishing import check_bucket as check

    with aws.reported(f"checking s3://{bucket}"):
        check(s3, bucket)


def upload(s3: Any, artifact: Artifact, location: S3Location) -> tuple[str, bool]:
    """Put the zip at its content-addressed key unless it is there: (key, uploaded)."""
    from generator.release.publishing import upload as put

    with aws.reported(f"uploading to s3://{location.bucket}"):
        return put(artifact, location, s3)
