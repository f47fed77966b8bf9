"""A release in S3: the template read compact for deployment, the bucket checked, the Lambda
artifact uploaded once per content, and the `aws cloudformation deploy` command that deploys
both. Failures are UserErrors (one line)."""

from __future__ import annotations

import base64
import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlparse

from generator.errors import UserError
from generator.files import COMMITTED_TEMPLATES, read_template
from generator.release.connection import reported
from generator.release.packaging import Artifact
from generator.stack import names
from generator.stack.environments import Environment

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# CloudFormation takes a template inline (TemplateBody) up to this size; a larger one must
# be uploaded to S3 first.
INLINE_TEMPLATE_LIMIT = 51_200
NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchBucket"})


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"expected s3://BUCKET[/PREFIX], got {url!r}")
        return cls(bucket=parsed.netloc, prefix=parsed.path.strip("/"))

    def key_for(self, file_name: str) -> str:
        return f"{self.prefix}/{file_name}" if self.prefix else file_name


def template_file(environment: Environment, given: Path | None) -> Path:
    """The template to deploy: the one given, else the committed one of the environment."""
    return given or COMMITTED_TEMPLATES / environment.template_file_name


def compact_template(path: Path) -> str:
    """The template at path without indentation: the same JSON in about two thirds of the
    bytes, so that it can go to CloudFormation inline. Keys keep the file's order (the
    generator's templates are sorted already; another template is deployed as it is written)."""
    template = read_template(path, if_missing=": run `python -m generator` first")
    return json.dumps(template, separators=(",", ":")) + "\n"


def check_bucket(s3: S3Client, bucket: str) -> None:
    """UserError unless the bucket exists and these credentials may use it (before any build)."""
    with reported(f"checking s3://{bucket}"):
        try:
            s3.head_bucket(Bucket=bucket)
        except s3.exceptions.ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in NOT_FOUND_CODES:
                raise UserError(
                    f"bucket {bucket} does not exist: "
                    f"create it (aws s3 mb s3://{bucket}) or pass another"
                ) from error
            if code in ("403", "AccessDenied", "Forbidden"):
                raise UserError(
                    f"access to bucket {bucket} is denied for these credentials"
                ) from error
            raise


def object_exists(s3: S3Client, bucket: str, key: str) -> bool:
    """Whether the key is in the bucket (AWS errors other than "not found" are raised)."""
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if str(error.response.get("Error", {}).get("Code", "")) in NOT_FOUND_CODES:
            return False
        raise
    return True


def object_url(endpoint_url: str, bucket: str, key: str) -> str:
    """The object's URL at the S3 client's own endpoint (right for every partition, and for an
    endpoint given with --endpoint-url), virtual-hosted as AWS recommends
    (https://BUCKET.s3.REGION.amazonaws.com/KEY); path-style for a bucket with dots in its
    name, which TLS cannot vouch for as a host name."""
    endpoint = urlparse(endpoint_url)
    path = quote(key)
    if "." in bucket:
        return f"{endpoint.scheme}://{endpoint.netloc}/{bucket}/{path}"
    return f"{endpoint.scheme}://{bucket}.{endpoint.netloc}/{path}"


def upload(s3: S3Client, artifact: Artifact, location: S3Location) -> tuple[str, bool]:
    """Put the artifact at its content-addressed key unless it is there: (key, uploaded)."""
    key = location.key_for(artifact.key)
    with reported(f"uploading to s3://{location.bucket}"):
        if object_exists(s3, location.bucket, key):
            return key, False
        s3.put_object(
            Bucket=location.bucket,
            Key=key,
            Body=artifact.path.read_bytes(),
            ChecksumSHA256=_base64_sha256(artifact.sha256),
            ContentType="application/zip",
        )
    return key, True


def deploy_command(
    environment: Environment,
    *,
    template_file: str,
    template_size: int,
    location: S3Location,
    artifact_key: str,
    region: str,
    stack_name: str | None = None,
    endpoint_url: str | None = None,
) -> str:
    """The `aws cloudformation deploy` command of this release, runnable as printed.

    A template up to INLINE_TEMPLATE_LIMIT goes inline, so the command needs no bucket of its
    own and works against any endpoint. A larger one goes through --s3-bucket; the aws CLI
    (v1) sends that upload to AWS's S3 whatever --endpoint-url says, so with an endpoint the
    command sets AWS_ENDPOINT_URL, which every client of the CLI follows.
    """
    command = ["aws", "cloudformation", "deploy"]
    if endpoint_url:
        command += ["--endpoint-url", endpoint_url]
    command += [
        "--region",
        region,
        "--template-file",
        template_file,
        "--stack-name",
        stack_name or environment.stack_name,
        "--capabilities",
        "CAPABILITY_IAM",
    ]
    if template_size > INLINE_TEMPLATE_LIMIT:
        command += ["--s3-bucket", location.bucket, "--s3-prefix", location.key_for("templates")]
    command += [
        "--parameter-overrides",
        f"{names.ARTIFACT_BUCKET}={location.bucket}",
        f"{names.ARTIFACT_KEY}={artifact_key}",
    ]
    printed = shlex.join(command)
    if endpoint_url and template_size > INLINE_TEMPLATE_LIMIT:
        printed = f"AWS_ENDPOINT_URL={shlex.quote(endpoint_url)} {printed}"
    return printed


def _base64_sha256(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")
