"""Execution environments: worker processes per function, with their own module state, a
timeout that kills, a crash that takes only the one environment, and edits picked up."""

from __future__ import annotations

import os
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from localapi.functions import CRASHED, TIMED_OUT, FunctionPool

# A module whose import (the environment's init) says it started, then waits for the test.
SLOW_INIT = """
import os, pathlib, time

pathlib.Path(os.environ["INIT_STARTED"]).touch()
deadline = time.monotonic() + 120
while not pathlib.Path(os.environ["INIT_RELEASE"]).exists() and time.monotonic() < deadline:
    time.sleep(0.01)
if pathlib.Path(os.environ["INIT_FAILS"]).exists():
    raise RuntimeError("init failed")

def handler(event, context):
    return {"statusCode": 200, "pid": os.getpid()}
"""
HANDLER = """
import os, pathlib, time

invocations = 0

def wait_for(condition):
    # the test's own deadline: a handler that waits for ever would hang the test
    deadline = time.monotonic() + 120
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)

def handler(event, context):
    global invocations
    invocations += 1
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("running"):
        # say it is running, then wait until the test lets it go
        pathlib.Path(event["running"]).touch()
        wait_for(pathlib.Path(event["release"]).exists)
    if event.get("meet"):
        # a barrier: wait until `count` invocations have arrived
        here = pathlib.Path(event["meet"])
        (here / str(os.getpid())).touch()
        wait_for(lambda: len(list(here.iterdir())) >= event["count"])
    if event.get("die"):
        os._exit(1)
    if event.get("raise"):
        raise ValueError("asked to")
    return {
        "statusCode": 200,
        "body": "{}",
        "invocations": invocations,
        "pid": os.getpid(),
        "version": VERSION,
        "remaining": context.get_remaining_time_in_millis(),
        "variable": os.environ.get("ONLY_HERE"),
    }

VERSION = 1
"""
CONTEXT = {
    "function_name": "test",
    "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:test",
    "memory_limit_in_mb": 128,
    "aws_request_id": "r",
    "log_group_name": "/aws/lambda/test",
    "log_stream_name": "local",
}


@pytest.fixture
def task_root(tmp_path: Path) -> Path:
    (tmp_path / "counter.py").write_text(textwrap.dedent(HANDLER))
    return tmp_path


@pytest.fixture
def signals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the test and its handlers signal each other: outside the task root, whose
    changes restart the environments."""
    return tmp_path_factory.mktemp("signals")


def pool(
    task_root: Path,
    size: int = 1,
    *,
    handler: str = "counter.handler",
    init_limit: float = 10.0,
    **environment: str,
) -> FunctionPool:
    project = str(Path(__file__).resolve().parents[2])
    return FunctionPool(
        handler,
        size=size,
        environment={"PATH": os.environ["PATH"], "PYTHONPATH": project, **environment},
        task_root=task_root,
        log=lambda line: None,
        init_limit=init_limit,
    )


def invoke(functions: FunctionPool, timeout: float = 30, **event: object) -> dict:
    context = {**CONTEXT, "deadline_ms": time.time() * 1000 + timeout * 1000}
    result = functions.invoke(event, context, timeout)
    return {"response": result.response, "error": result.error, "failure": result.failure}


def test_an_environment_keeps_its_module_state_between_invocations(task_root: Path) -> None:
    functions = pool(task_root)
    try:
        first, second = invoke(functions)["response"], invoke(functions)["response"]
        assert (first["invocations"], second["invocations"]) == (1, 2)
        assert first["pid"] == second["pid"] != os.getpid()
        assert 0 < second["remaining"] <= 30_000
    finally:
        functions.close()


def test_two_functions_never_share_module_state_or_environment(task_root: Path) -> None:
    # Given two functions with the same code (as two Lambda functions could have)
    one, other = pool(task_root, ONLY_HERE="one"), pool(task_root)
    try:
        invoke(one)
        invoke(one)
        # Then each counts its own invocations in its own process, with its own variables
        mine, theirs = invoke(one)["response"], invoke(other)["response"]
        assert (mine["invocations"], theirs["invocations"]) == (3, 1)
        assert mine["pid"] != theirs["pid"]
        assert (mine["variable"], theirs["variable"]) == ("one", None)
    finally:
        one.close()
        other.close()


def test_an_invocation_past_its_timeout_is_stopped_with_its_environment(task_root: Path) -> None:
    functions = pool(task_root)
    try:
        # Given an environment that has served once
        first = invoke(functions)["response"]
        # When an invocation runs past its timeout (1 s: it would sleep 30)
        assert invoke(functions, timeout=1, sleep=30)["failure"] == TIMED_OUT
        # Then its environment was stopped: the next invocation runs in a fresh one (another
        # process, whose module state starts over)
        after = invoke(functions)["response"]
        assert after["invocations"] == 1
        assert after["pid"] != first["pid"]
        assert not _alive(first["pid"])
    finally:
        functions.close()


def test_a_request_that_waits_for_a_busy_pool_past_its_answer_time_times_out(
    task_root: Path, signals: Path
) -> None:
    # Given a pool of one environment, busy with a slow invocation
    functions = pool(task_root)
    try:
        assert invoke(functions)["response"]["invocations"] == 1
        running, release = signals / "running", signals / "release"
        busy = threading.Thread(
            target=invoke,
            args=(functions,),
            kwargs={"running": str(running), "release": str(release)},
        )
        busy.start()
        _wait_until(running.exists)
        # When another request must be answered within half a second
        context = {**CONTEXT, "deadline_ms": time.time() * 1000 + 30_000}
        waited = functions.invoke({}, context, 30, answer_by=time.monotonic() + 0.5)
        # Then it times out without running, and the busy environment finishes and serves on
        assert waited.failure == TIMED_OUT
        release.touch()
        busy.join()
        assert invoke(functions)["response"]["invocations"] == 3
    finally:
        functions.close()


def test_an_environment_that_dies_fails_only_its_invocation(task_root: Path) -> None:
    functions = pool(task_root)
    try:
        assert invoke(functions, die=True)["failure"] == CRASHED
        assert invoke(functions)["response"]["statusCode"] == 200
    finally:
        functions.close()


def test_a_raised_error_is_reported_and_the_environment_serves_on(task_root: Path) -> None:
    functions = pool(task_root)
    try:
        raised = invoke(functions, **{"raise": True})
        assert raised["error"] == {"type": "ValueError", "message": "asked to"}
        assert invoke(functions)["response"]["invocations"] == 2
    finally:
        functions.close()


def test_an_edit_to_the_code_is_served_once_the_pool_sees_it(task_root: Path) -> None:
    functions = pool(task_root)
    try:
        assert invoke(functions)["response"]["version"] == 1
        # When the code is edited
        source = task_root / "counter.py"
        source.write_text(source.read_text().replace("VERSION = 1", "VERSION = 2"))
        os.utime(source, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
        # Then a fresh environment serves the new code (the pool looks for edits in the
        # background, not on every request), and from then on every request gets it
        _wait_until(lambda: invoke(functions)["response"]["version"] == 2)
        assert invoke(functions)["response"]["version"] == 2
    finally:
        functions.close()


def test_concurrent_requests_use_several_environments(task_root: Path, signals: Path) -> None:
    import concurrent.futures

    # Given three invocations that each wait until all three are running
    meeting = signals
    functions = pool(task_root, size=3)
    try:
        with concurrent.futures.ThreadPoolExecutor(3) as executor:
            answers = list(
                executor.map(
                    lambda _: invoke(functions, meet=str(meeting), count=3)["response"], range(3)
                )
            )
        # Then they ran at once, each in an environment of its own
        assert len({answer["pid"] for answer in answers}) == 3
    finally:
        functions.close()


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _slow_init(task_root: Path, signals: Path, **options: float) -> FunctionPool:
    (task_root / "slow_init.py").write_text(textwrap.dedent(SLOW_INIT))
    return pool(
        task_root,
        handler="slow_init.handler",
        INIT_STARTED=str(signals / "init-started"),
        INIT_RELEASE=str(signals / "init-release"),
        INIT_FAILS=str(signals / "init-fails"),
        **options,  # type: ignore[arg-type]
    )


def test_the_init_does_not_count_against_the_functions_timeout(
    task_root: Path, signals: Path
) -> None:
    # Given a function whose init (its module's import) outlasts its timeout of 1 s
    functions = _slow_init(task_root, signals)
    try:
        answers: list[dict] = []
        first = threading.Thread(target=lambda: answers.append(invoke(functions, timeout=1)))
        first.start()
        _wait_until((signals / "init-started").exists)
        time.sleep(2)  # the init goes on past the timeout
        (signals / "init-release").touch()
        first.join()
        # Then the invocation, timed from the end of the init as on Lambda, is answered
        assert answers[0]["response"]["statusCode"] == 200, answers
    finally:
        functions.close()


def test_an_init_that_fails_is_the_invocations_error_and_the_next_gets_a_new_environment(
    task_root: Path, signals: Path
) -> None:
    functions = _slow_init(task_root, signals)
    try:
        (signals / "init-fails").touch()
        (signals / "init-release").touch()
        failed = invoke(functions)
        assert failed["error"] == {"type": "RuntimeError", "message": "init failed"}
        (signals / "init-fails").unlink()
        assert invoke(functions)["response"]["statusCode"] == 200
    finally:
        functions.close()


def test_an_init_past_lambdas_init_limit_times_out(task_root: Path, signals: Path) -> None:
    # Given an init limit of half a second, and an init that waits for the test
    functions = _slow_init(task_root, signals, init_limit=0.5)
    try:
        # When the init never ends, Then the invocation times out and its environment stops
        assert invoke(functions)["failure"] == TIMED_OUT
        # And once inits end, a new environment serves
        (signals / "init-release").touch()
        assert invoke(functions)["response"]["statusCode"] == 200
    finally:
        functions.close()


def test_warming_returns_once_the_init_is_done_and_the_first_request_uses_that_environment(
    task_root: Path, signals: Path
) -> None:
    # Given a function whose init waits for the test
    functions = _slow_init(task_root, signals)
    try:
        # When the pool warms an environment
        warming = threading.Thread(target=functions.warm)
        warming.start()
        _wait_until((signals / "init-started").exists)
        # Then warming is not done while the init runs (it cannot end before the release)
        assert warming.is_alive()
        (signals / "init-release").touch()
        warming.join()
        # And the first request is served by the environment it warmed
        warmed = functions.pids()
        assert len(warmed) == 1
        assert invoke(functions)["response"]["pid"] == warmed[0]
    finally:
        functions.close()


def test_an_environment_whose_init_fails_while_warming_is_dropped_and_the_request_sees_why(
    task_root: Path, signals: Path
) -> None:
    # Given a function whose init fails
    functions = _slow_init(task_root, signals)
    try:
        (signals / "init-fails").touch()
        (signals / "init-release").touch()
        # When the pool warms it, Then no environment is kept
        functions.warm()
        assert functions.pids() == []
        # And the first request gets the init's error from an environment of its own
        failed = invoke(functions)
        assert failed["error"] == {"type": "RuntimeError", "message": "init failed"}
    finally:
        functions.close()
