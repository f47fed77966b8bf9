"""The committed templates/ are exactly what the generator emits (the snapshot is never
rewritten here: run `python -m generator` to update it on purpose)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import openapi
from generator.environments import ENVIRONMENTS
from generator.stack import build_template, render
from tests.support.diff import differences

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_committed_template_equals_generated(name: str) -> None:
    # Given the committed template and a fresh in-memory build
    environment = ENVIRONMENTS[name]
    committed_path = TEMPLATES / environment.template_file_name
    assert committed_path.exists(), f"{committed_path} missing: run `python -m generator`"
    committed = committed_path.read_bytes()
    generated = render(environment)

    # Then their content is equal (readable diff first), then their bytes
    diff = list(differences(json.loads(generated), json.loads(committed)))
    assert not diff, "templates/ is stale, run `python -m generator`:\n" + "\n".join(diff[:40])
    assert committed == generated.encode("utf-8")


def test_committed_openapi_document_equals_generated() -> None:
    committed = (TEMPLATES / openapi.OPENAPI_FILE_NAME).read_bytes()
    generated = openapi.render(json.loads(build_template(ENVIRONMENTS["prod"]).to_json()))
    diff = list(differences(json.loads(generated), json.loads(committed)))
    assert not diff, "the OpenAPI document is stale, run `python -m generator`:\n" + "\n".join(
        diff[:40]
    )
    assert committed == generated.encode("utf-8")


def test_every_committed_file_is_generated() -> None:
    # Given the files in templates/, Then each is an environment's template or the OpenAPI
    # document (no orphans)
    expected = {environment.template_file_name for environment in ENVIRONMENTS.values()}
    expected.add(openapi.OPENAPI_FILE_NAME)
    assert {path.name for path in TEMPLATES.glob("*.json")} == expected
