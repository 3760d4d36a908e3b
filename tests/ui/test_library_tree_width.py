"""The library tree on a small screen: candidates' names readable beside a large interview.

At 1366x768 at 150 % (910x512 logical pixels) and at 1024x600, with 10,000 candidates, the
interview's count ("0/10000") used to size the status column and the pane sat at its minimum
width: a name showed a few letters. Now the pane's width comes from the font, the status
column shows marks only while the pane is narrow (the count is in the tooltips), names that do
not fit lose their middle ("Maximi…Smythe"), and the whole name is in the row's tooltip as plain
text.

Screen sizes are emulated by the window's logical size (see test_reviewer_layout_flow.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.library import Library
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.ui.test_panel_window import HASH, NAMES, make_library

SIZES = {"1024x600": (1024, 600), "1366x768 at 150%": (round(1366 / 1.5), round(768 / 1.5))}
MANY = 10_000
LONG = "Maximiliana <b>Alexandrovna</b> Featherstonehaugh-Smythe"


def big_library(root: Path) -> Library:
    """make_library's four candidates, 10,000 more ("Candidate 00000"...) and a long name."""
    library, interview, ids = make_library(root)
    db = library.db
    db.execute("BEGIN IMMEDIATE")
    first = int(db.execute("SELECT MAX(id) FROM submissions").fetchone()[0]) + 1
    db.conn.executemany(
        "INSERT INTO submissions (id, interview_pk, bundle_sha256, kit_content_hash,"
        " candidate_name, candidate_email, sealed_at, imported_at, folder)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                first + n,
                interview,
                f"{n + 1000:064x}",
                HASH,
                f"Candidate {n:05d}",
                f"c{n}@example.org",
                "2026-11-01T10:01:00Z",
                "2026-11-20T08:00:00.000+00:00",
                f"submissions/c{n}",
            )
            for n in range(MANY)
        ),
    )
    db.execute("UPDATE submissions SET candidate_name = ? WHERE id = ?", (LONG, ids[0]))
    db.execute("COMMIT")
    return library


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> ReviewerWindow:
    window = ReviewerWindow(ReviewerService(big_library(tmp_path / "lib")))
    qtbot.addWidget(window)
    return window


def shown(qtbot: QtBot, window: ReviewerWindow, size: tuple[int, int]) -> None:
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.model.showing_all)
    QApplication.processEvents()


@pytest.mark.parametrize("name", list(SIZES))
def test_names_are_readable_beside_ten_thousand_candidates(
    qtbot: QtBot, window: ReviewerWindow, name: str
) -> None:
    shown(qtbot, window, SIZES[name])
    tree, model = window.tree, window.model
    assert model.candidate_count() == MANY + len(NAMES)
    interview = model.index(0, 0)
    first, numbered = model.index(0, 0, interview), model.index(1, 0, interview)
    assert (first.data(), numbered.data()) == ("Brian Kernighan", "Candidate 00000")  # by name
    metrics = tree.fontMetrics()
    # The name's cell (after the tree's indentation) holds 12 average characters at
    # 910x512 (it held 6 before) and 15 at 1024x600, where a bench-style name shows whole.
    # Longer names lose their middle: "Candid…00001" still tells candidates apart.
    cell = tree.visualRect(first).width()
    if name == "1024x600":
        assert cell >= 15 * metrics.averageCharWidth(), cell
        assert metrics.horizontalAdvance("Candidate 00000") + 6 <= tree.visualRect(numbered).width()
    else:
        assert cell >= 12 * metrics.averageCharWidth(), cell
    drawn = metrics.elidedText("Candidate 00000", tree.textElideMode(), cell - 6)
    assert drawn.endswith("00000") and drawn.startswith("Cand"), drawn
    # The count no longer sizes the status column: it shows marks while the pane is narrow,
    # and the count is in the mark's and the interview's tooltips.
    assert model.compact
    assert model.index(0, 1).data() == "○"
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == f"0/{MANY + 4} submitted"
    assert f"0/{MANY + 4} submitted" in interview.data(Qt.ItemDataRole.ToolTipRole)
    assert tree.header().sectionSize(1) <= 4 * metrics.averageCharWidth()
    # Nothing to scroll sideways; the answer keeps half the window, the rubric its minimum.
    assert tree.horizontalScrollBar().maximum() == 0
    library, answer, scoring = window.splitter.sizes()
    assert answer >= window.width() / 2 and scoring >= 230
    assert library >= 185


def test_a_long_name_ends_in_an_ellipsis_and_is_whole_in_its_plain_tooltip(
    qtbot: QtBot, window: ReviewerWindow
) -> None:
    shown(qtbot, window, SIZES["1366x768 at 150%"])
    tree, model = window.tree, window.model
    long = model.index(model.rowCount(model.index(0, 0)) - 1, 0, model.index(0, 0))
    assert long.data() == LONG  # the last by name
    assert tree.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert tree.fontMetrics().horizontalAdvance(LONG) > tree.visualRect(long).width()
    tip = str(long.data(Qt.ItemDataRole.ToolTipRole))
    # Plain text: the markup in the name is shown as written, not applied.
    assert "Maximiliana &lt;b&gt;Alexandrovna&lt;/b&gt; Featherstonehaugh-Smythe" in tip
    assert "<b>" not in tip


def test_a_divider_the_reviewer_moved_stays_when_the_window_is_resized(
    qtbot: QtBot, window: ReviewerWindow
) -> None:
    shown(qtbot, window, SIZES["1024x600"])
    sizes = window.splitter.sizes()
    moved = [sizes[0] + 60, sizes[1] - 60, sizes[2]]
    window.splitter.setSizes(moved)
    window.splitter.splitterMoved.emit(moved[0], 1)  # as a drag of the handle reports it
    window.resize(1000, 590)
    QApplication.processEvents()
    assert window.splitter.sizes()[0] == moved[0]
