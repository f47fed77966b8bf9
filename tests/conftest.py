"""Fixtures shared by every test layer (a moto server on 127.0.0.1 and the rendered
templates), and the lanes: each test is marked by the folder it is in."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from generator.stack.build import render
from generator.stack.environments import ENVIRONMENTS
from tests.support import prerequisites
from tests.support.api import POWERTOOLS_DEFAULTS
from tests.support.aws import FAKE_CREDENTIALS, closed_port_url, free_port

TESTS = Path(__file__).resolve().parent
# The lanes of each folder (or file) of tests/, registered as markers in tox.ini. `slow` is
# what the fast lane (`pytest -m "not slow"`) leaves out. A folder missing here fails the
# collection, so that no test escapes its lane.
LANES: Mapping[str, tuple[str, ...]] = {
    "unit": ("unit",),
    "integration": ("integration",),
    "stack": ("stack",),
    "documents": ("documents",),
    "cost": ("cost",),
    "release": ("release", "slow"),
    "e2e": ("e2e", "slow"),
    "localapi": ("localapi", "slow"),
    "packaging": ("packaging", "slow"),
    "docs": ("docs",),
    "test_code_health.py": ("health", "slow"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        place = item.path.relative_to(TESTS).parts[0]
        lanes = LANES.get(place)
        if lanes is None:
            raise pytest.UsageError(
                f"tests/{place} has no lane: add it to LANES in tests/conftest.py"
            )
        for lane in lanes:
            item.add_marker(lane)


# Before any test imports a handler: Powertools fixes its namespace and service at import.
for _name, _value in POWERTOOLS_DEFAULTS.items():
    os.environ.setdefault(_name, _value)


@pytest.fixture(scope="session", autouse=True)
def _no_real_aws() -> Iterator[None]:
    """Fake credentials and a dead-end endpoint for every test: nothing can reach AWS."""
    # Until a test points boto3 at moto, any AWS call goes to a closed port on 127.0.0.1 and
    # fails at once, instead of trying AWS itself.
    guarded = {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": closed_port_url()}
    saved = {key: os.environ.get(key) for key in guarded}
    os.environ.update(guarded)
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(key, None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto's HTTP server on 127.0.0.1; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def lambda_python() -> Path:
    """The Lambda runtime's interpreter: `package`, `deploy` and `diff` compile the zip's
    bytecode with it, and the artifact is tested on nothing else. Without it a test that
    builds the zip is skipped with the line that installs it (failed in CI)."""
    return prerequisites.lambda_python()


@pytest.fixture(scope="session")
def rendered_templates() -> dict[str, dict[str, Any]]:
    """Each environment's template as the generator builds it now, as plain JSON data."""
    return {name: render(environment).editable() for name, environment in ENVIRONMENTS.items()}
