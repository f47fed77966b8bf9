"""Where the Lambda code is: handlers/ of a checkout, or the copy inside an installed wheel.

The generator reads the request schemas from it and `package` zips it. setup.py ships
handlers/ inside this package as `lambda_code`, so a non-editable install can do both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parents[1]  # generator/
INSTALLED_HANDLERS = _PACKAGE / "lambda_code"
CHECKOUT_HANDLERS = _PACKAGE.parent / "handlers"

HANDLERS = INSTALLED_HANDLERS if INSTALLED_HANDLERS.is_dir() else CHECKOUT_HANDLERS
SCHEMAS = HANDLERS / "schemas"
REQUIREMENTS = HANDLERS / "requirements.txt"


def read_schema(file_name: str) -> dict[str, Any]:
    """A request schema of handlers/schemas: the handlers validate bodies with the same file."""
    schema: dict[str, Any] = json.loads((SCHEMAS / file_name).read_text(encoding="utf-8"))
    return schema
