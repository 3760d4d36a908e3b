"""The authoring window (issue 15): recruiters prepare interviews without a text file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from onetake_desktop.services.context import AppContext


def open_author_window(context: AppContext, path: Path | None = None) -> QWidget:
    """Build (not show) the authoring window, on ``path`` (a TOML source, or a kit with its
    definition beside it) or on a new interview."""
    from onetake_desktop.services.author import AuthorDraft, recent_files
    from onetake_desktop.ui.author.window import AuthorWindow

    draft = AuthorDraft.open(path) if path is not None else None
    if draft is not None and draft.path is not None:
        recent_files(context.paths).add(draft.path)
    # The parts behind the other tabs are built right after the first paint (issue 17).
    return AuthorWindow(context, draft, later_parts=True)
