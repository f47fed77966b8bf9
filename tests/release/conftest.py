"""Fixtures of the deploy and diff tests: moto's server, an artifact bucket, one build dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.release.commands import REGION, Commands

ARTIFACT_BUCKET = "food-delivery-deploy-tests"


@pytest.fixture(scope="session")
def artifact_bucket(moto_server: str) -> str:
    boto3.client("s3", endpoint_url=moto_server, region_name=REGION).create_bucket(
        Bucket=ARTIFACT_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    return ARTIFACT_BUCKET


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deploy-dist")


@pytest.fixture(scope="module")
def commands(
    moto_server: str,
    artifact_bucket: str,
    dist: Path,
    tmp_path_factory: pytest.TempPathFactory,
    lambda_python: Path,  # deploy and diff build the zip: its bytecode needs it
) -> Commands:
    return Commands(
        endpoint_url=moto_server,
        bucket=artifact_bucket,
        dist=dist,
        work=tmp_path_factory.mktemp("templates"),
    )


@pytest.fixture(scope="module")
def cloudformation(moto_server: str) -> Any:
    return boto3.client("cloudformation", endpoint_url=moto_server, region_name=REGION)
