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
from collections.abc import Iterator
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

# Prints the collector's state when Powertools is first imported, after importing an entry,
# then after its first invocation.
FIRST_INVOCATION = (
    r"""
import gc, json, sys
class FirstPowertoolsImport:  # notes the collector's state when Powertools is first looked for
    collector_on = None
    def find_spec(self, name, path=None, target=None):
        if name.startswith("aws_lambda_powertools") and self.collector_on is None:
            self.collector_on = gc.isenabled()
        return None
watch = FirstPowertoolsImport()
sys.meta_path.insert(0, watch)
import {entry}
imported = {{"enabled": gc.isenabled(), "at_powertools": watch.collector_on}}
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

    # Then the collector was off from before Powertools' first import to the end of the import
    imported = outcome["imported"]
    assert isinstance(imported, dict)
    assert imported["at_powertools"] is False
    assert imported["enabled"] is False
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
    assert imported["at_powertools"] is True
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


# Imports an entry, answers a request and imports SSM's provider, as store.config does for a
# routed one, then reports how Powertools' re-exporting packages stand, and which of their
# submodules were imported.
REEXPORTS_PROBE = (
    r"""
import json, sys
import {entry}
"""
    + UNROUTED_REQUEST
    + r"""
status = {entry}.handler(event, Context())["statusCode"]
from aws_lambda_powertools.utilities.parameters import SSMProvider  # as a routed request does
print(json.dumps({{
    "status": status,
    "packages": {{
        name: type(sys.modules[name]).__name__
        for name in ("aws_lambda_powertools.event_handler",
                     "aws_lambda_powertools.utilities.data_classes",
                     "aws_lambda_powertools.utilities.parameters")
    }},
    "modules": [name for name in sys.modules if name.startswith("aws_lambda_powertools")],
}}))
"""
)
# Modules only the re-exporting packages' __init__ import: a resolver, an event source's class
# and a parameter provider these functions have no use for.
UNUSED_BY_THE_FUNCTIONS = (
    "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.utilities.data_classes.kafka_event",
    "aws_lambda_powertools.utilities.parameters.appconfig",
)


@pytest.mark.parametrize("entry", ["order_processor", "query_orders"])
def test_on_lambda_powertools_packages_import_only_the_submodules_used(entry: str) -> None:
    # Given Lambda's environment
    # When an entry is imported and answers a request
    outcome = _run(REEXPORTS_PROBE.format(entry=entry), on_lambda=True)

    # Then the three packages re-export on demand, and what only their __init__ imports is not
    # imported
    assert outcome["status"] == 404
    packages = outcome["packages"]
    assert isinstance(packages, dict)
    assert set(packages.values()) == {"ReexportingPackage"}
    modules = outcome["modules"]
    assert isinstance(modules, list)
    assert "aws_lambda_powertools.event_handler.api_gateway" in modules
    assert not set(UNUSED_BY_THE_FUNCTIONS) & set(modules)


def test_off_lambda_powertools_packages_are_imported_as_usual() -> None:
    outcome = _run(REEXPORTS_PROBE.format(entry="query_orders"), on_lambda=False)
    packages = outcome["packages"]
    assert isinstance(packages, dict)
    assert set(packages.values()) == {"module"}
    assert isinstance(outcome["modules"], list)
    assert set(UNUSED_BY_THE_FUNCTIONS) <= set(outcome["modules"])


# Reads every name each deferred package re-exports, then runs its __init__ (by asking for its
# __all__) and compares what the __init__ bound with what was read.
SAME_OBJECTS_PROBE = r"""
import json, sys
import cold_start
outcome = {}
for package in cold_start.REEXPORTING_PACKAGES:
    module = sys.modules[package]
    deferred = type(module).__name__
    names = dict(cold_start._reexports[package])
    read = {name: getattr(module, name) for name in names}
    exported = module.__all__
    outcome[package] = {
        "deferred": deferred,
        "names": len(names),
        "same": all(module.__dict__[name] is value for name, value in read.items()),
        "all_read": set(exported) <= set(read),
        "now": type(module).__name__,
    }
print(json.dumps(outcome))
"""


def test_a_deferred_package_answers_with_the_objects_its_init_binds() -> None:
    outcome = _run(SAME_OBJECTS_PROBE, on_lambda=True)

    assert set(outcome) == {
        "aws_lambda_powertools.event_handler",
        "aws_lambda_powertools.utilities.data_classes",
        "aws_lambda_powertools.utilities.parameters",
    }
    for package in outcome.values():
        assert isinstance(package, dict)
        assert package["deferred"] == "ReexportingPackage"
        assert package["names"] > 10
        assert package["same"] is True
        assert package["all_read"] is True
        assert package["now"] == "module"


@pytest.fixture
def reexporting_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A package `shelf` whose __init__ re-exports two names from two submodules; a third
    submodule it does not import. Removed from sys.modules afterwards."""
    package = tmp_path / "shelf"
    package.mkdir()
    (package / "__init__.py").write_text(
        '"""Re-exports."""\n'
        "from .books import Book\n"
        "from shelf.maps import Map as Chart\n"
        '__all__ = ["Book", "Chart"]\n'
    )
    (package / "books.py").write_text("class Book: ...\n")
    (package / "maps.py").write_text("class Map: ...\n")
    (package / "labels.py").write_text("LABEL = 'fiction'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "shelf"
    for name in [name for name in sys.modules if name.split(".")[0] == "shelf"]:
        del sys.modules[name]


def test_a_reexporting_package_imports_a_submodule_when_a_name_of_it_is_asked_for(
    reexporting_package: str,
) -> None:
    import cold_start

    # Given the package entered as re-exporting on demand
    cold_start.defer_reexports(reexporting_package)
    shelf = sys.modules["shelf"]
    assert isinstance(shelf, cold_start.ReexportingPackage)
    assert "shelf.books" not in sys.modules

    # When a re-exported name is asked for, under its own name or its alias
    from shelf import Book, Chart

    # Then its submodule alone is imported, and the name is its object
    assert Book is sys.modules["shelf.books"].Book
    assert Chart is sys.modules["shelf.maps"].Map
    # And a submodule the __init__ does not import is imported when asked for
    assert shelf.labels.LABEL == "fiction"
    assert isinstance(shelf, cold_start.ReexportingPackage)


def test_a_name_a_reexporting_package_does_not_reexport_runs_its_init(
    reexporting_package: str,
) -> None:
    import cold_start

    cold_start.defer_reexports(reexporting_package)
    shelf = sys.modules["shelf"]

    # When a name the __init__ binds but does not import from a submodule is asked for
    exported = shelf.__all__

    # Then the __init__ has run: an ordinary package, its names bound
    assert exported == ["Book", "Chart"]
    assert type(shelf) is type(sys)
    assert shelf.Chart is sys.modules["shelf.maps"].Map
    # And a name nobody binds is missing as in any module
    with pytest.raises(AttributeError):
        _ = shelf.nowhere


@pytest.mark.parametrize(
    "statement",
    ["print('side effect')", "from .books import *", "import os", "VERSION = '1'"],
)
def test_a_package_whose_init_does_more_than_reexport_is_imported_as_usual(
    statement: str, reexporting_package: str, tmp_path: Path
) -> None:
    import cold_start

    # Given an __init__ that also does something else
    init = tmp_path / "shelf" / "__init__.py"
    init.write_text(init.read_text() + statement + "\n")
    assert cold_start.reexported_names(init.read_text(), "shelf") is None

    # When it is entered as re-exporting on demand, nothing happens: imported as usual
    cold_start.defer_reexports(reexporting_package)
    assert "shelf" not in sys.modules
