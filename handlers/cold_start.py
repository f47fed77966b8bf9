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

And it defers what three of Powertools' packages import for other functions, on Lambda only.
The `__init__` of `aws_lambda_powertools.event_handler` imports every resolver (AppSync,
Bedrock, VPC Lattice and more), that of `aws_lambda_powertools.utilities.data_classes` the
class of every event source (about 40 modules) and that of `...utilities.parameters` every
provider (AppConfig, DynamoDB, Secrets Manager), only to re-export their names: about 20 ms of
a cold start on 3.13, where these functions use the REST resolver and SSM's provider. Such a
package is entered in `sys.modules` without running its `__init__` (a ReexportingPackage); a
name the `__init__` would re-export is read from its submodule when first asked for, and a
name it would not bind runs the `__init__` after all, so the package ends as an ordinary
import leaves it. A package whose `__init__` does anything but re-export (its source is read
first) is imported as usual.

Off Lambda (AWS_LAMBDA_FUNCTION_NAME unset, as in the tests' own processes, which import the
entry modules without invoking them all) nothing changes.
"""

from __future__ import annotations

import ast
import functools
import gc
import importlib
import importlib.machinery
import importlib.util
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
# Packages whose __init__ only re-exports names of their submodules, most of them unused here.
REEXPORTING_PACKAGES = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.data_classes",
    "aws_lambda_powertools.utilities.parameters",
)

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


# What each ReexportingPackage's __init__ would bind: {name: (module, name there)}.
_reexports: dict[str, dict[str, tuple[str, str]]] = {}


class ReexportingPackage(types.ModuleType):
    """A package in sys.modules whose __init__ has not run: a name the __init__ would
    re-export is read from its submodule on first use, a submodule's name imports that
    submodule, and any other name runs the __init__ after all."""

    def __getattr__(self, name: str) -> Any:
        reexport = _reexports.get(self.__name__, {}).get(name)
        if reexport is not None:
            module, original = reexport
            value = getattr(importlib.import_module(module), original)
        elif importlib.util.find_spec(f"{self.__name__}.{name}") is not None:
            value = importlib.import_module(f"{self.__name__}.{name}")
        else:
            self.run_init()
            return getattr(self, name)
        setattr(self, name, value)
        return value

    def run_init(self) -> None:
        """Run the package's __init__: from then on it is an ordinary module."""
        spec = self.__spec__
        if spec is None or spec.loader is None:  # defer_reexports made it from a source file
            raise ImportError(f"{self.__name__}: no loader to run its __init__")
        del _reexports[self.__name__]
        self.__class__ = types.ModuleType  # type: ignore[assignment]  # what an import makes
        spec.loader.exec_module(self)


def reexported_names(source: str, package: str) -> dict[str, tuple[str, str]] | None:
    """What a package's __init__ binds, {name: (module, name there)}, if it only re-exports
    names (`from module import name`, besides its docstring and `__all__`); else None."""
    names: dict[str, tuple[str, str]] = {}
    for statement in ast.parse(source).body:
        if (
            isinstance(statement, ast.ImportFrom)
            and statement.module
            and all(alias.name != "*" for alias in statement.names)
        ):
            module = importlib.util.resolve_name("." * statement.level + statement.module, package)
            names.update(
                (alias.asname or alias.name, (module, alias.name)) for alias in statement.names
            )
        elif not (_is_docstring(statement) or _assigns_all(statement)):
            return None
    return names


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _assigns_all(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Assign) and [
        target.id for target in statement.targets if isinstance(target, ast.Name)
    ] == ["__all__"]


def defer_reexports(package: str) -> None:
    """Enter package in sys.modules as a ReexportingPackage, unless it is imported already or
    its __init__ does more than re-export names."""
    if package in sys.modules:
        return
    spec = importlib.util.find_spec(package)  # imports its parent packages
    if (
        spec is None
        or spec.submodule_search_locations is None
        or not isinstance(spec.loader, importlib.machinery.SourceFileLoader)
    ):
        return
    names = reexported_names(spec.loader.get_source(package) or "", package)
    if names is None or package in sys.modules:  # a parent's __init__ may have imported it
        return
    module = importlib.util.module_from_spec(spec)
    module.__class__ = ReexportingPackage
    _reexports[package] = names
    sys.modules[package] = module
    parent, _, child = package.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


def defer_unused_imports() -> None:
    """On Lambda, the DEFERRED_MODULES not imported yet stand deferred, and the
    REEXPORTING_PACKAGES re-export on demand (see the docstring)."""
    global _cold_start  # noqa: PLW0603
    if not os.environ.get(LAMBDA_VARIABLE):
        return
    _cold_start = True
    deferred = [name for name in DEFERRED_MODULES if name not in sys.modules]
    for name in deferred:
        sys.modules[name] = DeferredModule(name)
    if "asyncio" in deferred and sys.version_info >= (3, 12):  # before, records never ask
        logging.logAsyncioTasks = False
    for package in REEXPORTING_PACKAGES:
        defer_reexports(package)


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
