"""The committed templates/, their diagrams and the README's generated sections are exactly
what the generator emits (the snapshot is never rewritten here: run `python -m generator` to
update it on purpose)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.documents import doc_pages, openapi
from generator.stack import names
from generator.stack.bootstrap.build import render_bootstrap
from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from tests.support.diff import differences

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_committed_template_equals_generated(name: str) -> None:
    # Given the committed template and a fresh in-memory build
    environment = ENVIRONMENTS[name]
    committed_path = TEMPLATES / environment.template_file_name
    assert committed_path.exists(), f"{committed_path} missing: run `python -m generator`"
    committed = committed_path.read_bytes()
    generated = render(environment).text

    # Then their content is equal (readable diff first), then their bytes
    diff = list(differences(json.loads(generated), json.loads(committed)))
    assert not diff, "templates/ is stale, run `python -m generator`:\n" + "\n".join(diff[:40])
    assert committed == generated.encode("utf-8")


def test_committed_bootstrap_template_equals_generated() -> None:
    committed = (TEMPLATES / names.BOOTSTRAP_TEMPLATE_FILE_NAME).read_bytes()
    generated = render_bootstrap()
    diff = list(differences(json.loads(generated), json.loads(committed)))
    assert not diff, "the bootstrap template is stale, run `python -m generator`:\n" + "\n".join(
        diff[:40]
    )
    assert committed == generated.encode("utf-8")


def test_committed_openapi_document_equals_generated() -> None:
    committed = (TEMPLATES / openapi.OPENAPI_FILE_NAME).read_bytes()
    generated = openapi.render(render(ENVIRONMENTS["prod"]).editable())
    diff = list(differences(json.loads(generated), json.loads(committed)))
    assert not diff, "the OpenAPI document is stale, run `python -m generator`:\n" + "\n".join(
        diff[:40]
    )
    assert committed == generated.encode("utf-8")


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_committed_diagram_equals_generated(name: str) -> None:
    # Given the committed diagram and one drawn now from a fresh build of its template
    environment = ENVIRONMENTS[name]
    committed = TEMPLATES / environment.diagram_file_name
    assert committed.exists(), f"{committed} missing: run `python -m generator`"
    generated = doc_pages.diagram_text(environment, render(environment).template)

    # Then they are the same text
    assert committed.read_text(encoding="utf-8") == generated, (
        f"{committed} is stale: run `python -m generator`"
    )


def test_the_documentations_generated_sections_are_current() -> None:
    # Given each page's sections generated now from prod's template
    environment = ENVIRONMENTS[doc_pages.ENVIRONMENT]
    template = render(environment).template
    drawing = doc_pages.diagram_text(environment, template)
    for page, sections in doc_pages.sections(environment, template, drawing=drawing).items():
        text = (ROOT / page).read_text(encoding="utf-8")
        # Then the page has each section's markers, and what is between them is current
        for name in sections:
            assert f"\n<!-- {name}:begin -->\n" in text, f"{page} has no {name} section"
            assert f"\n<!-- {name}:end -->\n" in text, f"{page} has no end to its {name} section"
        assert doc_pages.with_sections(text, sections) == text, (
            f"{page}'s generated sections are stale: run `python -m generator`"
        )


def test_the_readme_has_nothing_generated() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ":begin -->" not in readme


def test_every_committed_file_in_templates_is_generated() -> None:
    # Given the files in templates/, Then each is an environment's template or diagram, or
    # the OpenAPI document, or the bootstrap template (no orphans)
    expected = {
        name
        for environment in ENVIRONMENTS.values()
        for name in (environment.template_file_name, environment.diagram_file_name)
    }
    expected |= {openapi.OPENAPI_FILE_NAME, names.BOOTSTRAP_TEMPLATE_FILE_NAME}
    assert {path.name for path in TEMPLATES.iterdir()} == expected
