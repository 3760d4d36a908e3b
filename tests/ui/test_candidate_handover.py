"""Candidate mode's hand-over (issue 13) in the real window: who signed the kit (welcome and
privacy pages), a kit changed after signing refused before any page, in plain text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from onetake_desktop.services.context import AppContext
from onetake_desktop.services.keys import forget_unlocked
from onetake_desktop.ui.candidate import open_candidate_window
from onetake_desktop.ui.candidate.window import CandidateWindow
from onetake_desktop.ui.start_window import StartWindow
from tests.pipeline.handover_kits import signed_small_kit
from tests.pipeline.test_candidate_headless import write_kit

pytestmark = pytest.mark.timeout(180, method="thread")


@pytest.fixture(autouse=True)
def _forget() -> None:
    forget_unlocked()


def _window(qtbot: QtBot, kit: Path, context: AppContext, **options: object) -> CandidateWindow:
    window = open_candidate_window(kit, context, confirm=lambda _t, _x: True, **options)
    assert isinstance(window, CandidateWindow)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _trust_label(window: CandidateWindow, page: str) -> QLabel:
    found = window.pages[page].findChild(QLabel, "TrustNotice")
    assert isinstance(found, QLabel)
    return found


def test_signed_kit_names_its_signer_on_welcome_and_privacy(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext
) -> None:
    signed = signed_small_kit(tmp_path / "kit", org="Harbour <b>Lane</b>")
    w = _window(qtbot, signed.kit, app_context)
    expected = f"Signed by Harbour <b>Lane</b> (key {signed.short_fingerprint})."
    for page in ("welcome", "privacy"):
        shown = _trust_label(w, page)
        assert shown.text() == expected
        assert shown.textFormat() == Qt.TextFormat.PlainText  # the name is outside text
    assert w.page_name() == "welcome"
    assert _trust_label(w, "welcome").isVisible()
    w.pages["welcome"].start_button.click()  # type: ignore[attr-defined]
    assert w.page_name() == "privacy" and _trust_label(w, "privacy").isVisible()


def test_unsigned_kit_says_so_plainly(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext
) -> None:
    w = _window(qtbot, write_kit(tmp_path), app_context)
    shown = _trust_label(w, "welcome")
    assert shown.text() == "This interview kit is not signed."
    assert shown.isVisible()
    assert _trust_label(w, "privacy").text() == "This interview kit is not signed."
    assert not w.service.trust.signed


def test_kit_changed_after_signing_is_refused_in_a_plain_dialog_before_any_page(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext
) -> None:
    signed = signed_small_kit(tmp_path / "kit", org="Harbour <i>Lane</i>")
    raw = signed.kit.read_bytes()
    signed.kit.write_bytes(raw.replace(b"Tell us", b"Tell me", 1))
    start = StartWindow(app_context)
    qtbot.addWidget(start)
    start.show()
    start.open_candidate(signed.kit)
    box = start.problem
    assert box is not None and box.isVisible()
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text() == (
        f"This interview kit was changed after Harbour <i>Lane</i> (key "
        f"{signed.short_fingerprint}) signed it, so it cannot be trusted; ask Harbour <i>Lane</i>"
        " for a fresh copy."
    )
    assert start.child is None  # no candidate window, no page
    box.close()
