"""One execution environment of a function: `python -m localapi.worker MODULE.FUNCTION`.

Started by the gateway with the function's environment, in the handlers' folder (Lambda's
task root, so the handler's own modules are top-level names). It imports the handler at once,
as Lambda's init phase does, and says how that went on the stdout it started with:
`{"init": "ok"}`, or `{"init": {"error": {...}}}` and it exits (Lambda starts a new
environment for the next invocation). Then it reads one invocation per line on stdin,
`{"event": ..., "context": {...}}`, and writes one line per answer: `{"response": ...}` or
`{"error": {"type": ..., "message": ...}}`. Everything the handler prints goes to stderr,
which the gateway shows as the function's log.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import IO, Any


class LambdaContext:
    """The context object Lambda passes to a handler."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.function_name: str = fields["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn: str = fields["invoked_function_arn"]
        self.memory_limit_in_mb: int = fields["memory_limit_in_mb"]
        self.aws_request_id: str = fields["aws_request_id"]
        self.log_group_name: str = fields["log_group_name"]
        self.log_stream_name: str = fields["log_stream_name"]
        self._deadline_ms: float = fields["deadline_ms"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline_ms - time.time() * 1000))


def main() -> int:
    [handler_name] = sys.argv[1:]
    # Answers go to the stdout we started with; the handler's prints and logs to stderr.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.path.insert(0, str(Path.cwd()))
    try:
        module_name, _, function_name = handler_name.rpartition(".")
        handler: Any = getattr(importlib.import_module(module_name), function_name)
    except Exception as error:  # noqa: BLE001 - Lambda reports any error of the init
        traceback.print_exc()
        _write(answers, {"init": {"error": _error(error)}})
        return 1
    _write(answers, {"init": "ok"})
    for line in sys.stdin:
        invocation = json.loads(line)
        try:
            response = handler(invocation["event"], LambdaContext(invocation["context"]))
            answer: dict[str, Any] = {"response": response}
        except Exception as error:  # noqa: BLE001 - Lambda reports any error of the handler
            traceback.print_exc()
            answer = {"error": _error(error)}
        _write(answers, answer)
    return 0


def _error(error: Exception) -> dict[str, str]:
    return {"type": type(error).__name__, "message": str(error)}


def _write(answers: IO[str], answer: dict[str, Any]) -> None:
    answers.write(json.dumps(answer) + "\n")
    answers.flush()


if __name__ == "__main__":
    sys.exit(main())
