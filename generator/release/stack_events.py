"""A stack's events as a deploy shows them: one line per event, or on a terminal a single line
that keeps count of the resources done. Both render what they are given (events, elapsed
seconds); fetching the events and keeping time is the caller's job."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TextIO

SUCCEEDED = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"})
# A resource is done once it reaches one of these (whether the stack succeeds or not).
DONE_SUFFIXES = ("_COMPLETE", "_FAILED", "_SKIPPED")
CLEAR_LINE = "\r\x1b[K"  # back to the line's start, then erase it
STATUS_WIDTH = len("UPDATE_ROLLBACK_COMPLETE")  # aligns all but the rare longer ones


def is_final(stack_status: str) -> bool:
    """True once CloudFormation has finished with the stack (success or failure)."""
    return not stack_status.endswith("_IN_PROGRESS")


@dataclass(frozen=True)
class StackEvent:
    """One event of DescribeStackEvents."""

    event_id: str
    timestamp: datetime
    logical_id: str
    resource_type: str
    status: str
    reason: str

    @classmethod
    def from_api(cls, event: Mapping[str, Any]) -> StackEvent:
        return cls(
            event_id=event["EventId"],
            timestamp=event["Timestamp"],
            logical_id=event.get("LogicalResourceId", ""),
            resource_type=event.get("ResourceType", ""),
            status=event.get("ResourceStatus", ""),
            reason=" ".join(str(event.get("ResourceStatusReason") or "").split()),
        )

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")

    def line(self) -> str:
        """`22:31:12  CREATE_COMPLETE  OrdersTable  AWS::DynamoDB::Table  reason`, in UTC."""
        when = self.timestamp.astimezone(UTC).strftime("%H:%M:%S")
        parts = [when, self.status.ljust(STATUS_WIDTH), self.logical_id, self.resource_type]
        return "  ".join([*parts, self.reason]).rstrip()


def first_failure(events: Iterable[StackEvent], stack_name: str) -> StackEvent | None:
    """The first resource that failed (events oldest first): the cause; the failures after
    it are mostly resources CloudFormation cancelled because of it."""
    failures = [event for event in events if event.failed and event.logical_id != stack_name]
    return failures[0] if failures else None


def elapsed_text(seconds: float) -> str:
    minutes, rest = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{rest:02d}"


class Follower(Protocol):
    """Shows the events of a deploy as they come."""

    def event(self, event: StackEvent) -> None: ...

    def tick(self, elapsed_seconds: float) -> None: ...

    def finish(self) -> None: ...


class EventLines:
    """One line per event: for logs and pipes, where an updating line would be noise."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def event(self, event: StackEvent) -> None:
        self._out.write(event.line() + "\n")
        self._out.flush()

    def tick(self, elapsed_seconds: float) -> None:
        """Nothing: each event has its own line and time."""

    def finish(self) -> None:
        """Nothing to close."""


class ProgressLine:
    """A single line, rewritten in place: resources done / total, time elapsed, the latest
    event. A failure is printed on a line of its own, so its reason stays on screen."""

    def __init__(self, out: TextIO, *, stack_name: str, resources: Iterable[str]) -> None:
        self._out = out
        self._stack_name = stack_name
        self._resources = frozenset(resources)
        self._status: dict[str, str] = {}
        self._latest = ""
        self._elapsed = 0.0

    def event(self, event: StackEvent) -> None:
        if event.logical_id in self._resources:
            self._status[event.logical_id] = event.status
        self._latest = f"{event.logical_id} {event.status}"
        if event.failed and event.logical_id != self._stack_name:
            self._out.write(CLEAR_LINE + event.line() + "\n")
        self._draw()

    def tick(self, elapsed_seconds: float) -> None:
        self._elapsed = elapsed_seconds
        self._draw()

    def finish(self) -> None:
        self._out.write("\n")
        self._out.flush()

    @property
    def done(self) -> int:
        return sum(status.endswith(DONE_SUFFIXES) for status in self._status.values())

    def text(self) -> str:
        counted = f"{self.done}/{len(self._resources)} resources"
        return f"{counted}  {elapsed_text(self._elapsed)}  {self._latest}".rstrip()

    def _draw(self) -> None:
        self._out.write(CLEAR_LINE + self.text())
        self._out.flush()
