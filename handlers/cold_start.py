"""The cyclic garbage collector, paused while a Lambda execution environment starts.

Imported first by each entry module (ruff's isort keeps it first: pyproject.toml), it pauses
the collector, on Lambda only, until the entry's first invocation has returned; the handler's
wrapper (`ends_cold_start_after_first_call`) then freezes what was allocated so far and turns
the collector back on.

Why: a cold start allocates some hundred thousand objects that live as long as the
environment (modules, classes, Powertools, the boto3 clients), and the collector walks them
again and again as they pile up: about a tenth of the import and first request (see
docs/benchmarks.md). Almost none of them is garbage: measured, about 500 objects of the first
request's work die in cycles, and freezing keeps those too (a few tens of KB, for the life of
the environment). `gc.freeze()` moves the survivors out of the collector's reach for good, so
the warm requests' collections do not walk them either. A full `gc.collect()` instead would
cost 50 to 100 ms of the first request.

It also defers asyncio, on Lambda only. Powertools' `event_handler` package imports its
AppSync resolvers whatever resolver one uses, and they import asyncio (and with it ssl,
concurrent.futures and more: about 17 ms of a cold start on 3.13) for async resolvers these
functions do not have; so does the X-Ray SDK's async recorder, on the first request. A stand-in
takes asyncio's place in `sys.modules` and imports the real module on the first read of one of
its names, so nothing changes for code that does use it. The logging module would be that
first reader: from Python 3.12 each log record asks asyncio for its current task's name when
asyncio is in `sys.modules`. These functions run no task, so the name is None either way, and
logging is told not to ask (`logging.logAsyncioTasks`). The stand-in leaves `sys.modules` when
the first invocation has returned (the modules that hold it still reach the real asyncio
through it): an import after that gets the real module, where one of `asyncio.<submodule>`
through the stand-in would load that submodule a second time.

Off Lambda (AWS_LAMBDA_FUNCTION_NAME unset, as in the tests' own processes, which import the
entry modules without invoking them all) nothing changes.
"""

from __future__ import annotations

import functools
import gc
import importlib
import logging
import os
import sys
import types
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

# Set by Lambda in every function's environment (and by `serve`'s workers, which emulate it).
LAMBDA_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"
# Imported at the top of a library's module, used by none of its code these functions run.
DEFERRED_MODULES = ("asyncio",)

P = ParamSpec("P")
R = TypeVar("R")

_paused = False
# On Lambda, from import to the end of the first invocation.
_cold_start = False


def pause_gc() -> None:
    """Pause the collector until resume_gc, if on Lambda and it is running."""
    global _paused  # noqa: PLW0603 (one flag per process, as the collector is)
    if os.environ.get(LAMBDA_VARIABLE) and gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Freeze everything allocated so far and turn the collector back on (once)."""
    global _paused  # noqa: PLW0603
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


class DeferredModule(types.ModuleType):
    """Stands in sys.modules for a module until one of its names is first read; it then
    imports the real module (which takes its place there) and answers from it."""

    def __getattr__(self, name: str) -> Any:
        withdraw(self)
        return getattr(importlib.import_module(self.__name__), name)


def withdraw(stand_in: DeferredModule) -> None:
    """Take the stand-in out of sys.modules, if it is still there."""
    if sys.modules.get(stand_in.__name__) is stand_in:
        sys.modules.pop(stand_in.__name__, None)


def defer_unused_imports() -> None:
    """On Lambda, the DEFERRED_MODULES not imported yet stand deferred (see the docstring)."""
    global _cold_start  # noqa: PLW0603
    if not os.environ.get(LAMBDA_VARIABLE):
        return
    _cold_start = True
    deferred = [name for name in DEFERRED_MODULES if name not in sys.modules]
    for name in deferred:
        sys.modules[name] = DeferredModule(name)
    if "asyncio" in deferred and sys.version_info >= (3, 12):  # before, records never ask
        logging.logAsyncioTasks = False


def end_cold_start() -> None:
    """After the first invocation: the collector back on, the stand-ins out of sys.modules."""
    global _cold_start  # noqa: PLW0603
    _cold_start = False
    resume_gc()
    for name in DEFERRED_MODULES:
        module = sys.modules.get(name)
        if isinstance(module, DeferredModule):
            withdraw(module)


def ends_cold_start_after_first_call(handler: Callable[P, R]) -> Callable[P, R]:
    """handler, ending the cold start once its first call has returned or raised."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        finally:
            if _cold_start:
                end_cold_start()

    return wrapper


pause_gc()
defer_unused_imports()
