"""The garbage collector's pause during a cold start: on Lambda only, from before Powertools is
imported until the entry's first invocation has returned or raised.

Each case runs in a fresh interpreter: the pause is process-wide, and this test process must
keep its collector.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"

# A Lambda context, and a request no route matches (answered 404, no AWS involved).
UNROUTED_REQUEST = r"""
class Context:
    function_name = "test"; memory_limit_in_mb = 128; aws_request_id = "r-1"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test"
    def get_remaining_time_in_millis(self): return 1000
event = {{"httpMethod": "GET", "path": "/nowhere", "resource": "/nowhere", "headers": {{}},
         "requestContext": {{"requestId": "r-1"}}, "body": None}}
"""

# Prints the collector's state after importing an entry, then after its first invocation.
FIRST_INVOCATION = (
    r"""
import gc, json, sys
import {entry}
imported = {{"enabled": gc.isenabled(), "modules": list(sys.modules)}}
"""
    + UNROUTED_REQUEST
    + r"""
status = {entry}.handler(event, Context())["statusCode"]
print(json.dumps({{
    "imported": imported, "status": status, "enabled": gc.isenabled(),
    "frozen": gc.get_freeze_count(),
}}))
"""
)


def _run(code: str, on_lambda: bool) -> dict[str, object]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("AWS_LAMBDA_FUNCTION_NAME", "PYTHONPATH")
    }
    environment.update(PYTHONPATH=str(HANDLERS), POWERTOOLS_TRACE_DISABLED="true")
    if on_lambda:
        environment["AWS_LAMBDA_FUNCTION_NAME"] = "test"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


@pytest.mark.parametrize("entry", ["order_processor", "query_orders"])
def test_on_lambda_the_collector_is_paused_from_before_powertools_to_the_first_answer(
    entry: str,
) -> None:
    # Given Lambda's environment
    # When an entry module is imported, then invoked once
    outcome = _run(FIRST_INVOCATION.format(entry=entry), on_lambda=True)

    # Then the collector was off once imported, and cold_start came before any Powertools module
    imported = outcome["imported"]
    assert isinstance(imported, dict)
    assert imported["enabled"] is False
    modules = imported["modules"]
    assert isinstance(modules, list)
    first_powertools = min(i for i, name in enumerate(modules) if name.startswith("aws_lambda"))
    assert modules.index("cold_start") < first_powertools
    # And after the first answer it runs again, with what was allocated so far frozen
    assert outcome["status"] == 404
    assert outcome["enabled"] is True
    assert isinstance(outcome["frozen"], int)
    assert outcome["frozen"] > 10_000


def test_off_lambda_the_collector_is_left_alone() -> None:
    # Given no Lambda environment (a test process, a developer's shell)
    # When an entry module is imported and invoked
    outcome = _run(FIRST_INVOCATION.format(entry="query_orders"), on_lambda=False)

    # Then the collector ran all along and nothing was frozen
    imported = outcome["imported"]
    assert isinstance(imported, dict)
    assert imported["enabled"] is True
    assert (outcome["enabled"], outcome["frozen"]) == (True, 0)


RAISING_FIRST_CALL = r"""
import gc, json
import cold_start

@cold_start.ends_cold_start_after_first_call
def handler(event, context):
    raise RuntimeError("the first request failed")

paused = not gc.isenabled()
try:
    handler({}, None)
except RuntimeError:
    pass
print(json.dumps({"paused": paused, "enabled": gc.isenabled()}))
"""


def test_a_first_call_that_raises_resumes_the_collector_too() -> None:
    # Given the collector paused on Lambda, and a handler whose first call raises
    # When it is called
    outcome = _run(RAISING_FIRST_CALL, on_lambda=True)

    # Then the collector runs again all the same
    assert outcome == {"paused": True, "enabled": True}


# Imports an entry, logs and answers a request, then uses asyncio through the name Powertools'
# AppSync module imported it by.
ASYNCIO_PROBE = (
    r"""
import json, sys
import {entry}
from observability import logger
from aws_lambda_powertools.event_handler import appsync
imported = type(sys.modules["asyncio"]).__name__
"""
    + UNROUTED_REQUEST
    + r"""
logger.info("a log line before the request")
status = {entry}.handler(event, Context())["statusCode"]
loaded_by_then = "asyncio.base_events" in sys.modules
after_first_call = type(sys.modules.get("asyncio")).__name__
async def answer():
    return 42
answered = appsync.asyncio.run(answer())
import asyncio.events
print(json.dumps({{
    "imported": imported, "status": status, "loaded_by_then": loaded_by_then,
    "after_first_call": after_first_call, "answered": answered,
    "now": type(sys.modules["asyncio"]).__name__,
    "one_asyncio": issubclass(
        asyncio.base_events.BaseEventLoop, asyncio.events.AbstractEventLoop
    ),
}}))
"""
)


@pytest.mark.parametrize("entry", ["order_processor", "query_orders"])
def test_on_lambda_asyncio_is_imported_only_when_something_uses_it(entry: str) -> None:
    # Given Lambda's environment
    # When an entry is imported, logs, answers a request, then something runs a coroutine
    # through the asyncio Powertools imported
    outcome = _run(ASYNCIO_PROBE.format(entry=entry), on_lambda=True)

    # Then asyncio stood deferred through the import, the log line and the request
    assert outcome["imported"] == "DeferredModule"
    assert outcome["status"] == 404
    assert outcome["loaded_by_then"] is False
    # And the stand-in left sys.modules when the first call returned
    assert outcome["after_first_call"] == "NoneType"
    # And the coroutine ran on the real asyncio, the only one: a submodule imported after
    # that is the one the package itself loaded
    assert outcome["answered"] == 42
    assert outcome["now"] == "module"
    assert outcome["one_asyncio"] is True


def test_off_lambda_asyncio_is_imported_as_usual() -> None:
    outcome = _run(ASYNCIO_PROBE.format(entry="query_orders"), on_lambda=False)
    assert outcome["imported"] == "module"
    assert outcome["answered"] == 42
