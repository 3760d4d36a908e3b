"""Errors that reach the user as one plain sentence, with the CLI exit code they map to."""

from __future__ import annotations

# Exit codes: a contract that scripts depend on.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INVALID_INPUT = 3
EXIT_INTERRUPTED = 130  # as a shell reports a process ended by Ctrl+C (128 + SIGINT)


class OneTakeError(Exception):
    """A failure the user can understand and act on; ``str(error)`` is the sentence to show."""

    exit_code: int = EXIT_FAILURE


class UsageError(OneTakeError):
    """The command line itself is wrong."""

    exit_code = EXIT_USAGE


class InvalidInputError(OneTakeError):
    """A kit, bundle or other file from outside is malformed, unsafe or inconsistent."""

    exit_code = EXIT_INVALID_INPUT


class DeviceError(OneTakeError):
    """A camera or microphone is missing, busy or vanished."""


class DiskFullError(OneTakeError):
    """Not enough free space to record or write safely."""
