"""What a command asks of the composition root when it needs windows (cli/__init__.py
re-exports it as ``onetake_desktop.cli.GuiRequest``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


@dataclass(frozen=True)
class GuiRequest:
    """Ask the composition root to open windows instead of finishing on the command line."""

    mode: Literal["start", "candidate", "review", "author"]
    paths: tuple[Path, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
