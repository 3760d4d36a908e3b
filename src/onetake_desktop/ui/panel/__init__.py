"""Panel features on the shared laptop: panelists, independent scoring, summary, decisions.

``install_panel_features(window)`` is the one integration point the reviewer window calls:
it adds the Panel menu and panelist switching to an existing reviewer window.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow


def install_panel_features(window: QMainWindow) -> None:
    """Add panel features to the reviewer window (filled in by the panel feature)."""
