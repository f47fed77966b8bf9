"""One execution environment of a function: `python -m localapi.worker MODULE.FUNCTION`.

Started by the gateway with the function's environment, in the handlers' folder (Lambda's
task root, so the handler's own modules are top-level names). Reads one invocation per line
on stdin, `{"event": ..., "context": {...}}`, and writes one line per answer on the stdout it
started with: `{"response": ...}` or `{"error": {"type": ..., "message": ...}}`. Everything
the handler prints goes to stderr, which the gateway shows as the function's log. The handler
is imported on the first invocation, as Lambda's init does.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any


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
    handler: Any = None
    for line in sys.stdin:
        invocation = json.loads(line)
        try:
            if handler is None:
                module_name, _, function_name = handler_name.rpartition(".")
                handler = getattr(importlib.import_module(module_name), function_name)
            response = handler(invocation["event"], LambdaContext(invocation["context"]))
            answer = json.dumps({"response": response})
        except Exception as error:  # noqa: BLE001 - Lambda reports any error of the handler
            traceback.print_exc()
            answer = json.dumps({"error": {"type": type(error).__name__, "message": str(error)}})
        answers.write(answer + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
