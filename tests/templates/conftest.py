"""Helpers to read a rendered template in the template assertions."""

from __future__ import annotations

from typing import Any

import pytest


class TemplateView:
    def __init__(self, template: dict[str, Any]) -> None:
        self.template = template
        self.resources: dict[str, dict[str, Any]] = template["Resources"]

    def resource(self, logical_id: str) -> dict[str, Any]:
        assert logical_id in self.resources, f"no resource {logical_id}"
        return self.resources[logical_id]

    def props(self, logical_id: str) -> dict[str, Any]:
        return self.resource(logical_id).get("Properties", {})

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.resources.items()
            if resource["Type"] == resource_type
        }

    def one_of_type(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        found = self.of_type(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))


@pytest.fixture(scope="session")
def prod(rendered_templates: dict[str, dict[str, Any]]) -> TemplateView:
    return TemplateView(rendered_templates["prod"])


@pytest.fixture(scope="session")
def dev(rendered_templates: dict[str, dict[str, Any]]) -> TemplateView:
    return TemplateView(rendered_templates["dev"])
