"""A release, as `package` and `deploy` both make it: the template read compact, the Lambda zip
built, the bucket checked and the zip put in it once per content. Failures are UserErrors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import aws
from generator.environments import Environment
from generator.errors import UserError
from generator.files import describe_os_error, ensure_directory

if TYPE_CHECKING:
    from generator.packaging import Artifact
    from generator.publishing import S3Location

TEMPLATES = Path("templates")


def template_file(environment: Environment, given: Path | None) -> Path:
    """The template to deploy: the one given, else the committed one of the environment."""
    return given or TEMPLATES / environment.template_file_name


def compact_template(path: Path) -> str:
    """The template at path without indentation (the JSON CloudFormation receives)."""
    from generator.publishing import compact_template as compact

    try:
        return compact(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path} does not exist: run `python -m generator` first") from None
    except OSError as error:
        raise UserError(f"cannot read {path}: {describe_os_error(error)}") from error
    except ValueError as error:
        raise UserError(f"{path} is not a JSON template: {error}") from error


def build(out: Path) -> Artifact:
    """The reproducible Lambda zip, built in out."""
    from generator.packaging import PackagingError, build_artifact

    ensure_directory(out)
    try:
        return build_artifact(out)
    except PackagingError as error:
        raise UserError(str(error)) from error
    except OSError as error:
        raise UserError(f"cannot build in {out}: {describe_os_error(error)}") from error


def check_bucket(s3: Any, bucket: str) -> None:
    """UserError unless the bucket exists and is ours to use: checked before anything is built."""
    from generator.publishing import check_bucket as check

    with aws.reported(f"checking s3://{bucket}"):
        check(s3, bucket)


def upload(s3: Any, artifact: Artifact, location: S3Location) -> tuple[str, bool]:
    """Put the zip at its content-addressed key unless it is there: (key, uploaded)."""
    from generator.publishing import upload as put

    with aws.reported(f"uploading to s3://{location.bucket}"):
        return put(artifact, location, s3)
