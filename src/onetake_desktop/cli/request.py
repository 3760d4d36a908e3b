"""What a command asks of the composition root when it needs windows (cli/__init__.py
re-exports it as ``onetake_desktop.cli.GuiRequest``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

NO_OPTIONS: Mapping[str, Any] = MappingProxyType({})


class GuiRequest(NamedTuple):
    """Ask the composition root to open windows instead of finishing on the command line.

    A NamedTuple, not a frozen dataclass: every window's start makes one (paths.py says why).
    """

    mode: Literal["start", "candidate", "review", "author"]
    paths: tuple[Path, ...] = ()
    options: Mapping[str, Any] = NO_OPTIONS  # read-only: one default shared by all requests
