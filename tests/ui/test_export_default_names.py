"""On a panel's shared laptop, every export's save dialog offers a file name that says whose
export it is (review s11 L2): one fixed ``~/scores.csv`` would sit where the next panelist's
dialog opens, ready to read before they submit, or to be overwritten without a thought."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QWidget

from onetake_desktop.domain.clock import ManualClock
from tests.ui.test_panel_window import PASS, Setup, clock, setup, sign_in  # noqa: F401 (fixtures)


def test_every_export_dialog_offers_a_name_that_is_the_panelists(
    setup: Setup,  # noqa: F811 (the fixture)
    clock: ManualClock,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offered: list[Path] = []

    def save_dialog(
        parent: QWidget, caption: str, directory: str, *filters: str
    ) -> tuple[str, str]:
        offered.append(Path(directory))
        return "", ""  # cancelled: nothing written

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    window, panel, people, subs = setup["window"], setup["panel"], setup["people"], setup["subs"]
    sign_in(panel, people["Ana"], PASS["Ana"])
    window.show_answer(setup["library"].submissions.answers(subs[0])[0].id)

    # The names carry the service's clock's day, as the records in the export do (the panel's
    # clock here is a manual one, months before the day the test runs).
    clock.advance(40 * 86400)
    day = clock.now().astimezone().date().isoformat()
    assert day == "2026-02-10"
    window.choose_export()
    window.open_shortlist().choose_export()
    decisions = panel.open_decisions()
    assert decisions is not None
    decisions._ask_export("json")

    assert len(offered) == 3
    for path, (kind, ext) in zip(
        offered, [("scores", "csv"), ("shortlist", "csv"), ("panel", "json")], strict=True
    ):
        assert path.name == f"{kind}-Ana-{day}.{ext}"
    assert all(p.parent == Path.home() for p in offered)
