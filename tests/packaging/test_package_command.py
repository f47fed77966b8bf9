"""`python -m generator package` as a user meets it: the region from AWS_REGION, the bucket
and credentials checked before the build, and every mistake a one-line error."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest

from generator.release.publishing import INLINE_TEMPLATE_LIMIT, S3Location, deploy_command
from generator.stack.environments import ENVIRONMENTS
from tests.support import cli
from tests.support.aws import FAKE_CREDENTIALS

BUCKET = "food-delivery-package-tests"
# package compiles the zip's bytecode with the runtime's Python.
pytestmark = pytest.mark.usefixtures("lambda_python")


@pytest.fixture(scope="module")
def bucket(moto_server: str) -> str:
    boto3.client("s3", endpoint_url=moto_server).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return BUCKET


def package(
    *arguments: str, env: dict[str, str] | None = None
) -> cli.subprocess.CompletedProcess[str]:
    return cli.run(["-m", "generator", "package", *arguments], env=env)


def only_aws_region(region: str) -> dict[str, str]:
    """Credentials and AWS_REGION, as Lambda and many CI systems set them: no AWS_DEFAULT_REGION."""
    env = cli.without_aws_settings()
    env.update({k: v for k, v in FAKE_CREDENTIALS.items() if k != "AWS_DEFAULT_REGION"})
    env["AWS_REGION"] = region
    return env


def test_region_comes_from_aws_region_and_goes_into_the_printed_command(
    moto_server: str, bucket: str, tmp_path: Path
) -> None:
    # Given only AWS_REGION (boto3 and the aws CLI read AWS_DEFAULT_REGION)
    env = only_aws_region("eu-west-1")
    # When the release is packaged and uploaded
    result = package(
        "--out",
        str(tmp_path),
        "--upload",
        f"s3://{bucket}/rel",
        "--endpoint-url",
        moto_server,
        env=env,
    )
    # Then it works, and the command it prints names the region for the aws CLI
    assert result.returncode == 0, result.stderr
    # (and it says which template the compact one was written from)
    assert "bytes, from templates/food-delivery-dev.json)" in result.stdout
    assert "--region eu-west-1" in result.stdout
    assert f"uploaded to s3://{bucket}/rel/handlers-" in result.stdout


def test_endpoint_without_a_scheme_is_a_usage_error() -> None:
    result = package("--upload", f"s3://{BUCKET}", "--endpoint-url", "127.0.0.1:5000")
    cli.assert_clean_error(result, 2, "--endpoint-url", "expected http(s)://HOST[:PORT]")


def test_upload_target_that_is_not_s3_is_a_usage_error() -> None:
    result = package("--upload", "my-bucket/releases")
    cli.assert_clean_error(result, 2, "expected s3://BUCKET[/PREFIX]")


def test_missing_bucket_fails_before_the_build(moto_server: str, tmp_path: Path) -> None:
    # Given a bucket that does not exist
    env = {**os.environ, **FAKE_CREDENTIALS}
    # When a release is packaged for it
    result = package(
        "--out",
        str(tmp_path),
        "--upload",
        "s3://no-such-bucket-here/rel",
        "--endpoint-url",
        moto_server,
        env=env,
    )
    # Then one line says so and how to fix it, and nothing was built
    cli.assert_clean_error(result, 1, "bucket no-such-bucket-here does not exist", "aws s3 mb")
    assert not list(tmp_path.glob("*.zip"))


def test_no_credentials_is_a_one_line_error(moto_server: str, tmp_path: Path) -> None:
    env = cli.without_aws_settings()
    env["AWS_REGION"] = "eu-west-1"
    result = package(
        "--out", str(tmp_path), "--upload", f"s3://{BUCKET}", "--endpoint-url", moto_server, env=env
    )
    cli.assert_clean_error(result, 1, "no AWS credentials")
    assert not list(tmp_path.glob("*.zip"))


def test_no_region_is_a_one_line_error(moto_server: str, tmp_path: Path) -> None:
    env = cli.without_aws_settings()
    env.update({k: v for k, v in FAKE_CREDENTIALS.items() if "REGION" not in k})
    result = package(
        "--out", str(tmp_path), "--upload", f"s3://{BUCKET}", "--endpoint-url", moto_server, env=env
    )
    cli.assert_clean_error(result, 1, "no AWS region", "--region", "AWS_REGION")


def test_unreachable_endpoint_is_a_one_line_error(tmp_path: Path) -> None:
    from tests.support.aws import closed_port_url

    endpoint = closed_port_url()
    env = {**os.environ, **FAKE_CREDENTIALS}
    result = package(
        "--out", str(tmp_path), "--upload", f"s3://{BUCKET}", "--endpoint-url", endpoint, env=env
    )
    cli.assert_clean_error(result, 1, f"cannot reach {endpoint}")


def test_out_that_is_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "dist"
    blocker.write_text("")
    result = package("--out", str(blocker))
    cli.assert_clean_error(result, 1, f"{blocker} is a file, not a directory")


def test_missing_template_says_how_to_make_it(tmp_path: Path) -> None:
    result = package("--out", str(tmp_path), "--template-file", str(tmp_path / "none.json"))
    cli.assert_clean_error(result, 1, "does not exist", "python -m generator")


@pytest.mark.parametrize("endpoint", [None, "http://127.0.0.1:4566"])
def test_a_template_over_the_inline_limit_goes_through_the_bucket(endpoint: str | None) -> None:
    # Given a template too large for CloudFormation's inline limit
    command = deploy_command(
        ENVIRONMENTS["prod"],
        template_file="dist/food-delivery-prod.json",
        template_size=INLINE_TEMPLATE_LIMIT + 1,
        location=S3Location("releases", "food"),
        artifact_key="food/handlers-0123456789ab.zip",
        region="eu-west-1",
        endpoint_url=endpoint,
    )
    # Then the command uploads it through the bucket, and with an endpoint sends that upload
    # there too (the aws CLI v1 would send it to AWS's S3)
    assert "--s3-bucket releases --s3-prefix food/templates" in command
    assert command.startswith("AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws ") is (
        endpoint is not None
    )


def test_a_template_under_the_inline_limit_needs_no_bucket() -> None:
    command = deploy_command(
        ENVIRONMENTS["dev"],
        template_file="dist/food-delivery-dev.json",
        template_size=INLINE_TEMPLATE_LIMIT,
        location=S3Location("releases", ""),
        artifact_key="handlers-0123456789ab.zip",
        region="eu-west-1",
    )
    assert command.startswith("aws cloudformation deploy --region eu-west-1 ")
    assert "--s3-bucket" not in command
    assert "ArtifactBucket=releases ArtifactKey=handlers-0123456789ab.zip" in command
