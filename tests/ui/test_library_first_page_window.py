"""Issue 17: the reviewer window's first frame reads the first rows of a large library only
(``ReviewerService.entry_page``) and the rest right after that frame; the tree then holds
every candidate, in the list's order, with the counts of them all from the first frame."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.reviewer import ReviewerService
from onetake_desktop.storage.library import SqliteSubmissions
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from tests.ui.test_panel_window import HASHER, NAMES, make_library


def test_the_first_frame_reads_a_page_and_the_rest_follows(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    library, _, _ = make_library(tmp_path / "lib")
    reads: list[dict[str, Any]] = []
    entry_rows = SqliteSubmissions.entry_rows

    def spy(self: SqliteSubmissions, *args: Any, **kwargs: Any) -> Any:
        reads.append(kwargs)
        return entry_rows(self, *args, **kwargs)

    monkeypatch.setattr(SqliteSubmissions, "entry_rows", spy)
    monkeypatch.setattr(ReviewerWindow, "_first_frame_rows", lambda self: 2)
    rng = random.Random(5)
    service = ReviewerService(library)
    window = ReviewerWindow(
        service,
        panel_service=PanelService(library, ManualClock(), lambda: rng.getrandbits(62), HASHER),
    )
    qtbot.addWidget(window)
    assert reads == [{"limit": 3}]  # two rows and one to tell whether there are more
    model = window.model
    interview = model.index(0, 0)
    assert model.rowCount(interview) == 2
    assert model.interview_status(0) == f"0/{len(NAMES)} submitted"  # every candidate's count
    assert not model.showing_all()
    window.show()
    qtbot.waitUntil(model.showing_all)  # right after the first paint
    assert len(reads) == 2 and "after" in reads[1]
    assert model.rowCount(interview) == len(NAMES)
    actor = service.actor_for(window.current_reviewer_id)
    whole = service.entry_rows(actor)
    assert model.submission_ids() == [r[0] for r in whole]
    assert [name for name, _ in window.candidate_rows()] == [r[3] for r in whole]
    assert model.interview_status(0) == f"0/{len(NAMES)} submitted"
    window.close()
