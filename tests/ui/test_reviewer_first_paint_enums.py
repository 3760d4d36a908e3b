"""Issue 17: the reviewer window reaches its first paint without PySide6 building its ``Qt``
namespace (all ~95 enum classes at once, ~120 M instructions) on a library holding candidates,
open or locked by the panel, as tests/ui/test_first_paint_enums.py checks for an empty one.

The tree's header is where a filled library differs: a model's Python ``headerData`` is handed
its orientation as ``Qt.Orientation``, so the view's header reads its words from a C++ model
(``LibraryModel.header_labels``). The header still says the same words, and the library model
itself answers ``headerData`` with them and signals their changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.paths import app_paths
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.ui.test_first_paint_enums import first_paint_report
from tests.ui.test_panel_window import HASHER, NAMES, PASS, make_library


@pytest.mark.parametrize("locked", [False, True], ids=["tree filled", "locked by the panel"])
def test_a_library_with_candidates_paints_without_the_qt_namespace(
    locked: bool, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    library, _, _ = make_library(app_paths({"ONETAKE_HOME": str(home)}).library)
    if locked:  # one panelist: the window opens on the lock screen
        PanelService(library, ManualClock(), lambda: 1, HASHER).create_panelist("Ana", PASS["Ana"])
    library.close()
    lines = first_paint_report(["review"], home, tmp_path)
    # The window's own path ran: open, with its tree filled before the first paint; locked,
    # with the lock screen alone (its panes, the tree's model among them, come after it).
    assert "onetake_desktop.ui.reviewer.window" in lines
    assert ("onetake_desktop.ui.reviewer.library_model" in lines) == (not locked)
    assert lines[-1] == "QtCore.Qt built: no"


def test_the_header_says_the_models_words_wide_and_narrow(tmp_path: Path, qtbot: QtBot) -> None:
    library, _, _ = make_library(tmp_path / "lib")
    window = ReviewerWindow(ReviewerService(library))
    qtbot.addWidget(window)
    window.resize(1600, 900)  # a wide library: the status column has its word
    window.show()
    qtbot.waitExposed(window)
    model, header = window.model, window.tree.header()
    assert model.rowCount() == 1 and model.rowCount(model.index(0, 0)) == len(NAMES)
    assert header.model() is model.header_labels

    def shown() -> list[object]:
        words = header.model()
        return [words.headerData(s, Qt.Orientation.Horizontal) for s in range(header.count())]

    def answered() -> list[object]:
        return [model.headerData(s, Qt.Orientation.Horizontal) for s in range(2)]

    assert not model.compact
    assert shown() == answered() == ["Candidate", "Status"]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None
    # The header lays out the model's two columns (the view draws what its header counts).
    assert header.count() == model.columnCount() == 2
    assert header.sectionResizeMode(0) == header.ResizeMode.Stretch
    assert header.sectionResizeMode(1) == header.ResizeMode.Fixed
    assert header.sectionSize(1) >= header.fontMetrics().horizontalAdvance("Status")

    # Narrow: marks only under a blank title; the model's own headerData says so, signalled.
    changes: list[tuple[object, int, int]] = []
    model.headerDataChanged.connect(lambda o, first, last: changes.append((o, first, last)))
    model.set_compact(True)
    assert shown() == answered() == ["Candidate", ""]
    assert changes and all(o == Qt.Orientation.Horizontal for o, _, _ in changes)
    assert any(first <= 1 <= last for _, first, last in changes)
    changes.clear()
    model.set_compact(False)
    assert shown() == answered() == ["Candidate", "Status"]
    assert changes
    window.close()
    library.close()


def test_the_waveform_has_its_hand_cursor_once_shown(qtbot: QtBot) -> None:
    """Set when the waveform is first shown (a cursor shape is a Qt namespace enum with no
    property to set by number), before any pointer can be over it."""
    from onetake_desktop.ui.widgets.player import PlayerWidget

    player = PlayerWidget(shortcuts=False)
    qtbot.addWidget(player)
    player.show()
    qtbot.waitExposed(player)
    player.stack.setCurrentWidget(player.waveform)
    assert player.waveform.isVisible()
    assert player.waveform.testAttribute(Qt.WidgetAttribute.WA_SetCursor)
    assert player.waveform.cursor().shape() == Qt.CursorShape.PointingHandCursor
