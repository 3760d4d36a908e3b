"""The device check when a video interview has no working camera (walk s14 W1), and the idle
practice self-view (W7). Real windows offscreen, synthetic microphone, the real service.

No camera found and a camera that fails both need attention: a sentence with the fix, Try
again, and an explicit "Answer with audio only". Continue is neither enabled nor filled until
the candidate has chosen it, and the sentence shows on a small screen without scrolling.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.errors import DeviceError
from onetake_desktop.media import devices
from onetake_desktop.services.candidate import CaptureLike, real_capture
from onetake_desktop.storage.kitfile import save_kit
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.pipeline.test_candidate_headless import small_kit
from tests.ui.candidate_walk import SMALL_CAMERA, in_view, make

pytestmark = pytest.mark.timeout(240, method="thread")


@pytest.fixture(autouse=True)
def synchronous_tasks() -> object:
    tasks.set_synchronous(True)
    yield None
    tasks.set_synchronous(False)


def no_cameras(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The computer has no camera (a laptop without a webcam); a list to plug one in."""
    plugged: list[str] = []

    def found(max_cameras: int = 8) -> devices.DeviceList:
        cams = [devices.Device("camera", spec, "Webcam", "") for spec in plugged]
        return devices.DeviceList(cams, [], [] if cams else ["No camera was found."])

    monkeypatch.setattr(devices, "list_devices", found)
    return plugged


def stand_in_camera(camera: str | None, mic: str | None) -> CaptureLike:
    """ "camera:0" opens the synthetic picture (this machine has no real camera)."""
    return real_capture(SMALL_CAMERA if camera == "camera:0" else camera, mic)


def window_for(
    qtbot: QtBot,
    tmp_path: Path,
    size: tuple[int, int] | None = None,
    answer_type: str = "video",
    **options: object,
) -> CandidateWindow:
    path = tmp_path / f"{answer_type}.onetakekit"
    save_kit(small_kit(answer_type), path)
    options.setdefault("capture_factory", stand_in_camera)
    w = make(path, ManualClock(), tmp_path / "answers.onetake", **options)  # type: ignore[arg-type]
    qtbot.addWidget(w)
    if size is not None:
        w.fit_to(*size)
    w.show()
    qtbot.waitExposed(w)
    w.act(w.service.begin)
    w.service.give_consent("Ada Lovelace", "ada@example.com")
    QApplication.processEvents()
    QApplication.processEvents()  # the problem is brought into view on the next turn
    return w


def primary(b: QPushButton) -> bool:
    return b.objectName() == "PrimaryButton"


def test_the_device_state_decides_ready_only_with_a_camera_or_audio_only_chosen() -> None:
    # (named here: the window tests below run on a version without it, to see them fail)
    from onetake_desktop.services.device_check import device_state

    def state(**facts: object) -> tuple[bool, str, str]:
        given: dict[str, object] = {
            "wants_video": True,
            "cameras_found": False,
            "camera_open": False,
            "camera_problem": "",
            "audio_only_chosen": False,
        }
        s = device_state(**{**given, **facts})  # type: ignore[arg-type]
        return s.ready, s.status, s.problem

    ready, status, problem = state()
    assert not ready and status != "Your devices are ready."
    assert "No camera was found" in problem and "Try again" in problem
    assert "audio only" in problem and "without a picture" in problem
    failing = "Your camera could not be started: close other video apps."
    assert state(cameras_found=True, camera_problem=failing) == (
        False,
        "Something needs your attention.",
        failing,
    )
    assert state(audio_only_chosen=True)[0] and not state(audio_only_chosen=True)[2]
    assert state(cameras_found=True, camera_open=True) == (True, "Your devices are ready.", "")
    # an audio interview never uses a camera: ready, as before
    assert state(wants_video=False) == (True, "Your devices are ready.", "")


def test_no_camera_found_needs_attention_and_a_choice(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugged = no_cameras(monkeypatch)
    w = window_for(qtbot, tmp_path, camera="camera:0")
    page = w.pages["devices"]
    assert w.service.capture is not None and w.service.capture_specs == (None, "synthetic")
    status = page.status.text()  # type: ignore[attr-defined]
    problem = page.error.text()  # type: ignore[attr-defined]
    assert status == "Something needs your attention." != "Your devices are ready."
    assert "No camera was found" in problem and "Try again" in problem
    audio = page.audio_button  # type: ignore[attr-defined]
    go_on = page.continue_button  # type: ignore[attr-defined]
    assert audio.isVisible() and primary(audio)
    assert not go_on.isEnabled() and not primary(go_on)
    # a webcam plugged in, then Try again: searched again, opened, ready
    plugged.append("camera:0")
    page.retry_button.click()  # type: ignore[attr-defined]
    assert w.service.capture_specs == ("camera:0", "synthetic")
    assert page.status.text() == "Your devices are ready."  # type: ignore[attr-defined]
    assert not page.error.text() and not audio.isVisible()  # type: ignore[attr-defined]
    assert go_on.isEnabled() and primary(go_on)
    w.close()
    # an audio interview on a computer without a camera: ready at once, as before
    (tmp_path / "audio").mkdir()
    monkeypatch.setenv("ONETAKE_HOME", str(tmp_path / "audio"))  # (a session of its own)
    w = window_for(qtbot, tmp_path / "audio", answer_type="audio", camera="camera:0")
    page = w.pages["devices"]
    assert page.status.text() == "Your devices are ready."  # type: ignore[attr-defined]
    assert not page.error.isVisible() and not page.audio_button.isVisible()  # type: ignore[attr-defined]
    assert "no camera is used" in page.audio_note.text()  # type: ignore[attr-defined]
    assert page.continue_button.isEnabled() and primary(page.continue_button)  # type: ignore[attr-defined]
    w.close()


def test_going_on_without_a_camera_is_the_candidates_choice(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_cameras(monkeypatch)
    w = window_for(qtbot, tmp_path, camera="camera:0")
    page = w.pages["devices"]
    go_on = page.continue_button  # type: ignore[attr-defined]
    go_on.click()  # disabled: nothing happens
    assert w.page_name() == "devices"
    page.audio_button.click()  # type: ignore[attr-defined]
    assert page.status.text() != "Your devices are ready."  # type: ignore[attr-defined]
    assert "audio only" in page.audio_note.text()  # type: ignore[attr-defined]
    assert not page.error.text() and not page.audio_button.isVisible()  # type: ignore[attr-defined]
    assert go_on.isEnabled() and primary(go_on)
    go_on.click()
    assert w.service.session.state.audio_only and w.page_name() == "practice"
    w.close()


@pytest.mark.parametrize("size", [(1024, 600), (910, 512)])  # 910x512: 1366x768 at 150 %
@pytest.mark.parametrize("cause", ["fails", "not found"])
def test_the_camera_problem_and_the_choice_show_on_a_small_screen(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    cause: str,
) -> None:
    def camera_fails(camera: str | None, mic: str | None) -> CaptureLike:
        if camera is not None:
            raise DeviceError("camera busy")
        return real_capture(camera, mic)

    if cause == "fails":
        w = window_for(qtbot, tmp_path, size, capture_factory=camera_fails)
        expected = "camera could not be started"
    else:
        no_cameras(monkeypatch)
        w = window_for(qtbot, tmp_path, size, camera="camera:0")
        expected = "No camera was found"
    page = w.pages["devices"]
    assert expected in page.error.text()  # type: ignore[attr-defined]
    for part in (page.status, page.error, page.audio_button):  # type: ignore[attr-defined]
        assert in_view(w, part), part.text()
    assert page.audio_button.hasFocus()  # type: ignore[attr-defined]
    assert not page.continue_button.isEnabled()  # type: ignore[attr-defined]
    w.close()


def test_the_idle_practice_page_shows_the_working_camera(qtbot: QtBot, tmp_path: Path) -> None:
    w = window_for(qtbot, tmp_path)
    assert w.service.capture_specs[0] == SMALL_CAMERA
    w.act(w.service.confirm_devices)
    assert w.page_name() == "practice" and w.service.practice_phase == "idle"
    page = w.pages["practice"]
    preview = page.preview  # type: ignore[attr-defined]

    def picture() -> bool:
        w.tick()  # what the window's timer does: the page refreshes its self-view
        shown = preview.pixmap()
        return shown is not None and not shown.isNull()

    qtbot.waitUntil(picture, timeout=10_000)  # the camera's picture, before any try
    assert preview.text() != "Camera off"
    w.close()
