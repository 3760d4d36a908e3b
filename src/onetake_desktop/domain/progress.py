"""The one progress callback type: ``progress(done, total)``, in bytes or items, possibly called
from a worker thread (ui/tasks.py brings it back to the GUI thread)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]
