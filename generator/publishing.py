"""Upload the Lambda artifact to S3 (once per content) and say how to deploy it."""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from generator import names
from generator.environments import Environment
from generator.packaging import Artifact


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> "S3Location":
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"expected s3://BUCKET[/PREFIX], got {url!r}")
        return cls(bucket=parsed.netloc, prefix=parsed.path.strip("/"))

    def key_for(self, file_name: str) -> str:
        return f"{self.prefix}/{file_name}" if self.prefix else file_name


def upload(artifact: Artifact, location: S3Location, s3_client: Any) -> tuple[str, bool]:
    """Put the artifact at its content-addressed key unless it is there; (key, uploaded)."""
    key = location.key_for(artifact.key)
    try:
        s3_client.head_object(Bucket=location.bucket, Key=key)
        return key, False
    except s3_client.exceptions.ClientError as error:
        if error.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
            raise
    s3_client.put_object(
        Bucket=location.bucket,
        Key=key,
        Body=artifact.path.read_bytes(),
        ChecksumSHA256=_base64_sha256(artifact.sha256),
        ContentType="application/zip",
    )
    return key, True


def _base64_sha256(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def deploy_command(
    environment: Environment,
    bucket: str,
    key: str,
    *,
    template_prefix: str = "",
    template_dir: str = "templates",
    stack_name: str | None = None,
    endpoint_url: str | None = None,
) -> str:
    # Templates over 51,200 bytes must reach CloudFormation through S3 (--s3-bucket).
    command = [
        "aws", "cloudformation", "deploy",
        "--template-file", f"{template_dir}/{environment.template_file_name}",
        "--stack-name", stack_name or f"food-delivery-{environment.name}",
        "--capabilities", "CAPABILITY_IAM",
        "--s3-bucket", bucket,
    ]
    if template_prefix:
        command += ["--s3-prefix", template_prefix]
    command += [
        "--parameter-overrides",
        f"{names.ARTIFACT_BUCKET}={bucket}",
        f"{names.ARTIFACT_KEY}={key}",
    ]
    if endpoint_url:
        command += ["--endpoint-url", endpoint_url]
    return shlex.join(command)
