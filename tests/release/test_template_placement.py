"""How the template reaches CloudFormation: inline up to 51,200 bytes (every shipped template,
compact), else uploaded to the artifact bucket at a content-addressed key and passed by URL.
(moto cannot read a TemplateURL on 127.0.0.1, so the upload is checked in its S3.)"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from generator.__main__ import build_parser
from generator.commands.change_set_arguments import read_request
from generator.errors import UserError
from generator.release import deploying
from generator.release.publishing import INLINE_TEMPLATE_LIMIT, S3Location, object_url
from generator.stack.environments import ENVIRONMENTS
from tests.release.commands import REGION


def inputs_for(
    template_file: Path | None, bucket: str, env: str = "dev"
) -> deploying.DeployRequest:
    """What `deploy` reads from its arguments, with the bucket they name."""
    arguments = ["deploy", "--env", env, "--stack-name", "placement"]
    arguments += ["--artifact-bucket", bucket, "--artifact-prefix", "rel", "--out", "unused"]
    if template_file is not None:
        arguments += ["--template-file", str(template_file)]
    release = deploying.Release(location=S3Location(bucket, "rel"), out=Path("unused"))
    return replace(read_request(build_parser().parse_args(arguments)), release=release)


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_the_shipped_templates_go_inline(env: str, moto_server: str, artifact_bucket: str) -> None:
    # Given a committed template, compact
    inputs = inputs_for(None, artifact_bucket, env)
    said: list[str] = []
    # When it is placed
    template = deploying.place_template(deploying.connect(REGION, moto_server), inputs, said.append)
    # Then it is sent as it is, with no upload
    assert inputs.template_size <= INLINE_TEMPLATE_LIMIT
    assert template == deploying.TemplatePlacement(body=inputs.template_text)
    assert said == []


def test_a_template_over_the_limit_is_uploaded_once_and_passed_by_url(
    moto_server: str, artifact_bucket: str, tmp_path: Path
) -> None:
    # Given a template just over the inline limit
    path = tmp_path / "food-delivery-dev.json"
    padding = "x" * INLINE_TEMPLATE_LIMIT
    path.write_text(json.dumps({"Description": padding, "Resources": {}}), encoding="utf-8")
    inputs = inputs_for(path, artifact_bucket)
    clients = deploying.connect(REGION, moto_server)
    said: list[str] = []

    # When it is placed twice
    first = deploying.place_template(clients, inputs, said.append)
    second = deploying.place_template(clients, inputs, said.append)

    # Then it is in the bucket at a key made of its content, and CloudFormation gets the URL
    digest = hashlib.sha256(inputs.template_text.encode()).hexdigest()[:12]
    key = f"rel/templates/food-delivery-dev-{digest}.json"
    host = moto_server.removeprefix("http://")
    assert (
        first == second == deploying.TemplatePlacement(url=f"http://{artifact_bucket}.{host}/{key}")
    )
    s3 = boto3.client("s3", endpoint_url=moto_server, region_name=REGION)
    stored = s3.get_object(Bucket=artifact_bucket, Key=key)["Body"].read().decode()
    assert stored == inputs.template_text
    assert said[0].endswith(f"over the inline limit) at s3://{artifact_bucket}/{key}")


def test_a_bucket_with_dots_is_addressed_by_path() -> None:
    # (TLS cannot vouch for a host name with the bucket's dots in it)
    assert (
        object_url("https://s3.eu-west-1.amazonaws.com", "my.releases", "t/a b.json")
        == "https://s3.eu-west-1.amazonaws.com/my.releases/t/a%20b.json"
    )
    assert (
        object_url("https://s3.eu-west-1.amazonaws.com", "releases", "t/a.json")
        == "https://releases.s3.eu-west-1.amazonaws.com/t/a.json"
    )


def test_a_stack_with_no_bucket_refuses_a_template_over_the_limit(tmp_path: Path) -> None:
    # Given the bootstrap stack's request (it has no bucket: it makes it) for a big template
    path = tmp_path / "food-delivery-bootstrap.json"
    path.write_text(json.dumps({"Description": "x" * INLINE_TEMPLATE_LIMIT, "Resources": {}}))
    inputs = replace(inputs_for(path, "unused"), release=None)
    # When it is placed, it is refused in one line, with no AWS call (no endpoint is given)
    with pytest.raises(UserError, match="over the 51200 bytes CloudFormation takes inline"):
        deploying.place_template(deploying.connect(REGION, None), inputs, print)
