"""The rendered templates, read with the generator's own template view plus the assertions the
template tests need."""

from __future__ import annotations

from typing import Any

import pytest

from generator.template_view.resources import TemplateView


class CheckedTemplate(TemplateView):
    """A template view whose lookups fail the test, saying what is missing."""

    def resource(self, logical_id: str) -> dict[str, Any]:
        assert logical_id in self.resources, f"no resource {logical_id}"
        return dict(self.resources[logical_id])

    def props(self, logical_id: str) -> dict[str, Any]:
        return dict(self.resource(logical_id).get("Properties", {}))

    def one_of_type(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        found = self.resources_of_type(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        logical_id, resource = next(iter(found.items()))
        return logical_id, dict(resource)


@pytest.fixture(scope="session")
def prod(rendered_templates: dict[str, dict[str, Any]]) -> CheckedTemplate:
    return CheckedTemplate(rendered_templates["prod"])


@pytest.fixture(scope="session")
def dev(rendered_templates: dict[str, dict[str, Any]]) -> CheckedTemplate:
    return CheckedTemplate(rendered_templates["dev"])
