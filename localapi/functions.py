"""The functions' execution environments: each a worker process (localapi/worker.py) with
the function's environment, so two functions never share module state and a function that
hangs or dies takes only its own environment with it. A pool per function serves requests
concurrently, up to its size; an environment is replaced when handlers/ changes, so edits
take effect on the next request."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# What ends an invocation without an answer from the handler.
TIMED_OUT = "timed out"
CRASHED = "crashed"
# Lambda gives an environment's init (importing the handler) 10 seconds of its own: the
# function's timeout counts from the invocation, after it.
INIT_LIMIT_SECONDS = 10.0


@dataclass(frozen=True)
class Invocation:
    """The handler's answer (response or error), or why there is none (TIMED_OUT, CRASHED)."""

    response: Any = None
    error: Mapping[str, str] | None = None
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.failure is None


def source_fingerprint(root: Path) -> tuple[int, int]:
    """Changes when a file under root is added, removed or modified (count, newest mtime)."""
    count, newest = 0, 0
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d != "__pycache__"]
        for name in files:
            if not name.endswith(".pyc"):
                count += 1
                newest = max(newest, (Path(directory) / name).stat().st_mtime_ns)
    return count, newest


class SourceWatcher:
    """The task root's fingerprint, kept current by a thread that looks again every
    `interval` seconds: a request compares it with its environment's without walking the
    tree (an edit is picked up by the requests after the next look)."""

    def __init__(self, root: Path, interval: float = 0.5) -> None:
        self._root = root
        self._interval = interval
        self.current = source_fingerprint(root)
        self._stopped = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while not self._stopped.wait(self._interval):
            self.current = source_fingerprint(self._root)

    def stop(self) -> None:
        self._stopped.set()


class ExecutionEnvironment:
    """One worker process; serves one invocation at a time."""

    def __init__(
        self,
        handler: str,
        *,
        environment: Mapping[str, str],
        task_root: Path,
        log: Callable[[str], None],
        fingerprint: tuple[int, int],
    ) -> None:
        self.fingerprint = fingerprint
        self.invocations = 0
        self._initialized = False
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "localapi.worker", handler],
            cwd=task_root,
            env=dict(environment),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            # Out of the gateway's process group: a terminal's Ctrl-C goes to the whole group,
            # and the worker would die of it with a traceback; the gateway stops it instead.
            process_group=0,
        )
        stdin, stdout, stderr = self._process.stdin, self._process.stdout, self._process.stderr
        if stdin is None or stdout is None or stderr is None:
            raise RuntimeError("the worker's pipes were not opened")
        self._stdin: IO[str] = stdin
        self._stdout: IO[str] = stdout
        threading.Thread(target=self._relay, args=(stderr, log), daemon=True).start()

    @staticmethod
    def _relay(stream: IO[str], log: Callable[[str], None]) -> None:
        for line in stream:
            log(line.rstrip("\n"))

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    @property
    def pid(self) -> int:
        return self._process.pid

    def initialize(self, deadline: float) -> Invocation | None:
        """Wait for the worker's init (it imports the handler as it starts) until deadline (a
        `time.monotonic()` value): None once it is done, else what the invocation gets
        instead (the init's error, or TIMED_OUT), and the environment is stopped."""
        if self._initialized:
            return None
        answer = self._next_answer(max(0.0, deadline - time.monotonic()))
        if isinstance(answer, Invocation):
            return answer
        if answer["init"] != "ok":
            self.stop()
            return Invocation(error=answer["init"]["error"])
        self._initialized = True
        return None

    def invoke(
        self, event: Mapping[str, Any], context: Mapping[str, Any], timeout: float
    ) -> Invocation:
        """Run one invocation on an initialized environment, for at most timeout seconds."""
        self.invocations += 1
        try:
            self._stdin.write(json.dumps({"event": event, "context": context}) + "\n")
            self._stdin.flush()
        except (BrokenPipeError, OSError):
            return Invocation(failure=CRASHED)
        answer = self._next_answer(timeout)
        if isinstance(answer, Invocation):
            return answer
        if "error" in answer:
            return Invocation(error=answer["error"])
        return Invocation(response=answer["response"])

    def _next_answer(self, timeout: float) -> dict[str, Any] | Invocation:
        """The worker's next line, or why none came within timeout seconds (TIMED_OUT, or
        CRASHED when it ended): then the environment is stopped."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                self.stop()
                return Invocation(failure=TIMED_OUT)
        line = self._stdout.readline()
        if not line:
            self.stop()
            return Invocation(failure=CRASHED)
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        if self.alive:
            self._process.kill()
        self._process.wait(timeout=10)
        for stream in (self._stdin, self._stdout):
            stream.close()


class FunctionPool:
    """Up to `size` execution environments of one function; a request waits for a free one."""

    def __init__(
        self,
        handler: str,
        *,
        size: int,
        environment: Mapping[str, str],
        task_root: Path,
        log: Callable[[str], None],
        watcher: SourceWatcher | None = None,
        init_limit: float = INIT_LIMIT_SECONDS,
    ) -> None:
        """watcher: of task_root, shared with other pools of the same code (made and stopped
        by this pool when not given)."""
        self.handler = handler
        self._init_limit = init_limit
        self._size = size
        self._environment = environment
        self._task_root = task_root
        self._log = log
        self._owns_watcher = watcher is None
        self._watcher = watcher or SourceWatcher(task_root)
        self._idle: list[ExecutionEnvironment] = []
        self._all: set[ExecutionEnvironment] = set()
        self._count = 0
        self._condition = threading.Condition()
        self._closed = False

    def _fingerprint(self) -> tuple[int, int]:
        return self._watcher.current

    def _start(self) -> ExecutionEnvironment:
        environment = ExecutionEnvironment(
            self.handler,
            environment=self._environment,
            task_root=self._task_root,
            log=self._log,
            fingerprint=self._fingerprint(),
        )
        with self._condition:
            self._all.add(environment)
        return environment

    def warm(self) -> None:
        """Start one environment ahead of the first request and wait for its init (within the
        init limit). One whose init fails is dropped: the first request starts another and
        answers with the init's error, as Lambda does."""
        with self._condition:
            if self._count or self._closed:
                return
            self._count += 1
        environment = self._start()
        if environment.initialize(time.monotonic() + self._init_limit) is None:
            self.release(environment)
        else:
            self.discard(environment)

    def acquire(self, deadline: float | None = None) -> ExecutionEnvironment | None:
        """An environment to invoke, or None when every one stayed busy until the deadline
        (a `time.monotonic()` value; None waits as long as it takes)."""
        environment: ExecutionEnvironment | None
        with self._condition:
            while True:
                if self._closed:
                    raise RuntimeError("the gateway is shutting down")
                if self._idle:
                    environment = self._idle.pop()
                    break
                if self._count < self._size:
                    self._count += 1
                    environment = None
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._condition.wait(remaining)
        if environment is not None and (
            not environment.alive or environment.fingerprint != self._fingerprint()
        ):
            environment.stop()  # dead, or handlers/ changed since it started: a new one
            with self._condition:
                self._all.discard(environment)
            environment = None
        return environment if environment is not None else self._start()

    def release(self, environment: ExecutionEnvironment) -> None:
        with self._condition:
            if environment.alive and not self._closed:
                self._idle.append(environment)
                self._condition.notify()
                return
        self.discard(environment)

    def discard(self, environment: ExecutionEnvironment) -> None:
        """An environment that must not serve again (it timed out or died)."""
        environment.stop()
        with self._condition:
            self._count -= 1
            self._all.discard(environment)
            self._condition.notify()

    def pids(self, *, busy_only: bool = False) -> list[int]:
        """The process ids of the environments alive now (busy or idle, or busy only)."""
        with self._condition:
            idle = {id(e) for e in self._idle}
            return sorted(e.pid for e in self._all if e.alive and not (busy_only and id(e) in idle))

    def close(self) -> None:
        """Stop every environment, busy ones included (their requests fail)."""
        if self._owns_watcher:
            self._watcher.stop()
        with self._condition:
            self._closed = True
            environments, self._idle = list(self._all), []
            self._condition.notify_all()
        for environment in environments:
            environment.stop()

    def invoke(
        self,
        event: Mapping[str, Any],
        context: Mapping[str, Any],
        timeout: float,
        *,
        answer_by: float | None = None,
    ) -> Invocation:
        """Run the event in an idle environment (or a new one, up to the pool's size) for at
        most `timeout` seconds once the environment's init is done (Lambda's init has a limit
        of its own). `answer_by` (a `time.monotonic()` value) bounds the wait for an
        environment, its init and the run together, as API Gateway's integration timeout
        bounds the whole call: past it the answer is TIMED_OUT."""
        queued_at = time.monotonic()
        environment = self.acquire(answer_by)
        if environment is None:
            return Invocation(failure=TIMED_OUT)
        initialized_by = time.monotonic() + self._init_limit
        failed = environment.initialize(
            initialized_by if answer_by is None else min(initialized_by, answer_by)
        )
        if failed is not None:
            self.discard(environment)
            return failed
        started = time.monotonic()
        if "deadline_ms" in context:  # the function's clock starts when it runs: after init
            waited_ms = (started - queued_at) * 1000
            context = {**context, "deadline_ms": context["deadline_ms"] + waited_ms}
        deadline = started + timeout if answer_by is None else min(started + timeout, answer_by)
        result = environment.invoke(event, context, max(0.0, deadline - time.monotonic()))
        if result.failure is None:
            self.release(environment)
        else:
            self.discard(environment)
        return result
