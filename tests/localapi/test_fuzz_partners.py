"""Two partners fuzzing the local API with schemathesis's object-level authorization check
(OWASP API1, broken object level authorization): the orders partner A creates and reads are
asked for again as partner B, who must never receive them.

The check belongs to schemathesis's own engine (`schemathesis run`): it replays a read as each
peer of a Web Fuzzing Commons authentication document, here the two partners, each with its
token (from serve's token endpoint) and API key as fixed headers. Planting the bug it looks
for (reading an order without the caller's partner in its key) makes this run fail with
`ST402 Object-level authorization bypass`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.localapi.conftest import A, B, Served
from tests.localapi.test_fuzz import OPENAPI, SEED

pytestmark = pytest.mark.fuzz

EXAMPLES = 10


def _identity(served: Served, partner: str) -> dict[str, Any]:
    return {
        "name": partner,
        "fixedHeaders": [
            {"name": "Authorization", "value": f"Bearer {served.token(partner)}"},
            {"name": "x-api-key", "value": served.partners[partner].api_key},
        ],
    }


def test_a_partner_never_receives_an_order_of_another(served: Served, tmp_path: Path) -> None:
    # Given the two partners as peers of a WFC authentication document
    document = tmp_path / "partners.json"
    document.write_text(json.dumps({"auth": [_identity(served, A), _identity(served, B)]}))
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[auth.wfc]\npath = "{document}"\npeers = ["{A}", "{B}"]\n')
    cli = Path(sys.executable).with_name("schemathesis")
    # When schemathesis fuzzes every operation as A and replays A's reads as B
    command = [
        str(cli), "--config-file", str(config), "--no-color", "run", str(OPENAPI),
        "--url", served.url, "--checks", "object_level_authorization",
        "--phases", "fuzzing", "--max-examples", str(EXAMPLES), "--seed", str(SEED),
    ]  # fmt: skip
    result = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    # Then no order of A's reached B, on any of the operations
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    operations = sum(len(item) for item in json.loads(OPENAPI.read_text())["paths"].values())
    assert f"Tested: {operations}" in result.stdout, result.stdout[-2000:]
    assert "ST402" not in result.stdout
