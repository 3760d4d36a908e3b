"""Reading a passphrase on the command line, one way for every command that needs one
(``panel``, ``library --as``, ``keys``, ``kit build --sign``): review s13b B12 found two copies
that refused the same missing passphrase with different exit codes (3 and 2)."""

from __future__ import annotations

import getpass
import sys

from onetake_desktop.domain.errors import InvalidInputError, UsageError


def read_passphrase(prompt: str, *, confirm: bool = False) -> str:
    """A hidden prompt on a terminal (asked twice with ``confirm``, for a new one), else the
    first line of standard input.

    An empty one is refused here (exit 3, invalid input, as a wrong passphrase is for a
    panel) before anything is asked of a panelist or a key: it is no passphrase, not a wrong
    one, so it neither reads as "That is not Bob's passphrase." nor counts as a try that makes
    the next one wait (walk s13 Low 7: ``--as Bob </dev/null``)."""
    if sys.stdin is not None and sys.stdin.isatty():
        passphrase = getpass.getpass(prompt)
        if not passphrase:
            raise InvalidInputError("No passphrase was typed.")
        if confirm and getpass.getpass("Again, to be sure: ") != passphrase:
            raise UsageError("The two passphrases differ; nothing was changed.")
        return passphrase
    line = sys.stdin.readline() if sys.stdin is not None else ""
    passphrase = line.rstrip("\r\n")
    if not passphrase:
        raise InvalidInputError("No passphrase was given on standard input.")
    return passphrase
