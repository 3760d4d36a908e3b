"""The composition root's context: read from the environment in one place, devices chosen in
one place, settings typed and versioned (per machine in settings.json, per reviewer in the
library)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onetake_desktop.domain.clock import SystemClock
from onetake_desktop.services.context import AppContext, DeviceDefaults
from onetake_desktop.services.settings import (
    DEFAULT_REVIEWER_NAME,
    SETTINGS_VERSION,
    ReviewerSettings,
    Settings,
)


def write_settings(home: Path, data: object) -> Path:
    path = home / "config" / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_context_reads_home_devices_and_settings(tmp_path: Path) -> None:
    write_settings(tmp_path, {"version": 2, "reviewer_name": "Priya", "camera": "camera:1"})
    context = AppContext.from_environment({"ONETAKE_HOME": str(tmp_path)})
    assert context.paths.data == tmp_path.resolve() / "data"
    assert context.settings.reviewer == "Priya"
    # The camera from this computer's settings; the microphone's built-in default.
    assert context.devices == DeviceDefaults("camera:1", "mic:default")
    assert isinstance(context.clock, SystemClock)


def test_device_defaults_environment_then_settings_then_built_in() -> None:
    settings = Settings(camera="camera:2", mic="mic:USB")
    assert DeviceDefaults.choose({}, Settings()) == DeviceDefaults("camera:0", "mic:default")
    assert DeviceDefaults.choose({}, settings) == DeviceDefaults("camera:2", "mic:USB")
    env = {"ONETAKE_CAMERA": "synthetic", "ONETAKE_MIC": "file:answer.wav"}
    assert DeviceDefaults.choose(env, settings) == DeviceDefaults("synthetic", "file:answer.wav")


def test_the_reviewer_service_takes_its_name_from_the_context(tmp_path: Path) -> None:
    write_settings(tmp_path, {"reviewer_name": "  Sam  "})  # an old, unversioned file
    context = AppContext.from_environment({"ONETAKE_HOME": str(tmp_path)})
    service = context.reviewer_service()
    try:
        assert service.default_reviewer.name == "Sam"
        assert service.library.root == tmp_path.resolve() / "data" / "library"
        panel = context.panel_service(service.library)
        assert panel.library is service.library  # the panel shares the window's library
    finally:
        service.close()


def test_settings_migrate_from_every_older_version(tmp_path: Path) -> None:
    v0 = Settings.load(write_settings(tmp_path, {"reviewer_name": "Ana", "junk": 1}))
    v1 = Settings.load(write_settings(tmp_path, {"version": 1, "reviewer_name": "Ana"}))
    assert v0 == v1 == Settings(reviewer_name="Ana")
    path = write_settings(tmp_path, {"reviewer_name": "Ana"})
    v0.save(path)
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "version": SETTINGS_VERSION,
        "reviewer_name": "Ana",
        "camera": None,
        "mic": None,
        "text_scale": 1.0,
        "beep": False,
    }
    assert Settings.load(path) == v0


def test_missing_damaged_or_newer_settings_fall_back_to_defaults(tmp_path: Path) -> None:
    assert Settings.load(tmp_path / "none.json") == Settings()
    assert Settings.load(write_settings(tmp_path, [1, 2])).reviewer == DEFAULT_REVIEWER_NAME
    assert Settings.load(write_settings(tmp_path, {"version": "x"})) == Settings()
    newer = Settings.load(write_settings(tmp_path, {"version": SETTINGS_VERSION + 1}))
    assert newer.newer_file and newer.reviewer == DEFAULT_REVIEWER_NAME
    with pytest.raises(ValueError, match="newer OneTake"):
        newer.save(tmp_path / "config" / "settings.json")  # never overwrite a newer file


def test_each_reviewer_keeps_their_own_speed_and_audio_only(tmp_path: Path) -> None:
    context = AppContext.from_environment({"ONETAKE_HOME": str(tmp_path)})
    service = context.reviewer_service()
    try:
        prefs = ReviewerSettings(service.library)
        me, other = service.default_reviewer.id, service.library.reviewers.ensure("Bo").id
        assert prefs.set_playback_rate(me, 1.6) == 1.5  # snapped to the speeds offered
        prefs.set_audio_only(other, True)
        assert prefs.get(me).playback_rate == 1.5 and not prefs.get(me).audio_only
        assert prefs.get(other).playback_rate == 1.0 and prefs.get(other).audio_only
        assert service.playback_rate(me) == 1.5  # the reviewer service reads the same place
    finally:
        service.close()
