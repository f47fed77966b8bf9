"""The committed templates/ are exactly what the generator emits (the snapshot is never
rewritten here: run `python -m generator` to update it on purpose)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.environments import ENVIRONMENTS
from generator.stack import render
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


def test_every_committed_template_has_an_environment() -> None:
    # Given the files in templates/, Then each belongs to a known environment (no orphans)
    expected = {environment.template_file_name for environment in ENVIRONMENTS.values()}
    assert {path.name for path in TEMPLATES.glob("*.json")} == expected
