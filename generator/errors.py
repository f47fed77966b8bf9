"""Errors a user of the commands can cause and fix: printed as one line, never a traceback."""

from __future__ import annotations

USAGE = 2  # the exit status of a usage error, as argparse uses it


class UserError(Exception):
    """A problem the user can fix (a path, a bucket, credentials): one line on stderr.

    `status` is the command's exit status: 1 unless the command documents another.
    """

    def __init__(self, message: str, *, status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
