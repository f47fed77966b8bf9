"""The CloudFormation answers in aws_answers/, as boto3 returns them (timestamps as datetimes)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

ANSWERS = Path(__file__).parent / "aws_answers"


def answer(name: str) -> dict[str, Any]:
    data = json.loads((ANSWERS / name).read_text(encoding="utf-8"))
    for event in data.get("StackEvents", ()):
        event["Timestamp"] = datetime.fromisoformat(event["Timestamp"])
    return data
