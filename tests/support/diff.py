"""Readable differences between two JSON documents: one line per differing path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


def differences(expected: Any, actual: Any, path: str = "$") -> Iterator[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            child = f"{path}.{key}"
            if key not in actual:
                yield f"{child}: missing (expected {_short(expected[key])})"
            elif key not in expected:
                yield f"{child}: unexpected {_short(actual[key])}"
            else:
                yield from differences(expected[key], actual[key], child)
    elif isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            yield from differences(left, right, f"{path}[{index}]")
    elif expected != actual:
        yield f"{path}: expected {_short(expected)}, got {_short(actual)}"


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."
