"""Reviewer mode windows."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

# Not typing's: PySide6's import hook reads the source of each module an import statement
# names after it has loaded, and this is the reviewer's first module to load after it
# (typing.py, collections/abc.py; pathlib.py and services/context.py for names only). mypy
# reads any TYPE_CHECKING alike (issue 17; see ui/candidate/window.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from onetake_desktop.services.context import AppContext


def open_reviewer_window(context: AppContext, paths: Sequence[Path] = ()) -> QWidget:
    """The reviewer window on the user's library; ``paths`` (bundles, folders) import first."""
    from onetake_desktop.ui.reviewer import window as reviewer_window

    service = context.reviewer_service()
    window = reviewer_window.ReviewerWindow(
        service, panel_service=context.panel_service(service.library), context=context
    )
    help_menu = window.menuBar().addMenu("&Help")
    about = help_menu.addAction("&About OneTake")
    about.triggered.connect(lambda: _show_about(window, context))
    if paths:
        window.import_paths(list(paths))
    return window


def _show_about(window: QWidget, context: AppContext) -> None:
    from onetake_desktop.ui.about import show_about  # when asked: importlib.metadata and more

    show_about(window, context.paths)
