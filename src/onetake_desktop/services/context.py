"""The application context: what one run of the app is built from, made once by app.py.

``AppContext.from_environment()`` is the one place that reads the environment (``ONETAKE_HOME``
through paths.py, ``ONETAKE_CAMERA`` / ``ONETAKE_MIC`` for the device defaults). CLI handlers
(``args.context``) and windows receive the context; services take what they need from it as
arguments and read neither the environment nor the user's folders themselves.

Tests build a context of their own (tests/conftest.py ``app_context``) with a manual clock, a
fake capture factory or a cheaper panel service: no hook for them lives in production code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from onetake_desktop.domain.clock import Clock, SystemClock
from onetake_desktop.paths import AppPaths, app_paths
from onetake_desktop.services.settings import Settings

if TYPE_CHECKING:
    from onetake_desktop.services.candidate import CaptureFactory
    from onetake_desktop.services.panel import PanelService
    from onetake_desktop.services.reviewer import ReviewerService
    from onetake_desktop.storage.library import Library

CAMERA_ENV = "ONETAKE_CAMERA"
MIC_ENV = "ONETAKE_MIC"
DEFAULT_CAMERA = "camera:0"
DEFAULT_MIC = "mic:default"


class DeviceDefaults(NamedTuple):
    """The camera and microphone the windows start with (the one place for these defaults).
    A NamedTuple, not a frozen dataclass: every window's start makes one (paths.py says why)."""

    camera: str = DEFAULT_CAMERA
    mic: str = DEFAULT_MIC

    @classmethod
    def choose(cls, environ: Mapping[str, str], settings: Settings) -> DeviceDefaults:
        """The environment first (scripts, demos), then this computer's settings."""
        return cls(
            environ.get(CAMERA_ENV) or settings.camera or DEFAULT_CAMERA,
            environ.get(MIC_ENV) or settings.mic or DEFAULT_MIC,
        )


def _default_panel_factory(clock: Clock) -> Callable[[Library], PanelService]:
    def make(library: Library) -> PanelService:
        # By its package: the reviewer window asks after PySide6 has loaded, and its import
        # hook reads the source of a module an import statement returns (issue 17).
        from onetake_desktop.services import panel

        return panel.PanelService(library, clock)

    return make


class AppContext(NamedTuple):
    """Paths, settings, clock, device defaults, and the factories of what they open.

    A NamedTuple, not a frozen dataclass: every window's start makes one (paths.py says why);
    a changed copy (a test's own clock) is ``context._replace(clock=...)``. The defaults are
    shared by every context made without them: each is immutable or keeps no state."""

    paths: AppPaths
    settings: Settings = Settings()
    clock: Clock = SystemClock()
    devices: DeviceDefaults = DeviceDefaults()
    capture_factory: CaptureFactory | None = None
    panel_factory: Callable[[Library], PanelService] | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AppContext:
        env = os.environ if environ is None else environ
        paths = app_paths(env)
        settings = Settings.load(paths.settings)
        return cls(paths, settings, devices=DeviceDefaults.choose(env, settings))

    def capture(self) -> CaptureFactory:
        """Opens capture sessions on this context's clock (the recorder sees the session's)."""
        from onetake_desktop.services.candidate import capture_on

        return self.capture_factory or capture_on(self.clock)

    def open_library(self) -> Library:
        from onetake_desktop.storage.library import open_library

        return open_library(self.paths.ensure().library)

    def reviewer_service(self) -> ReviewerService:
        """The reviewer library, seeded with the demo; "you" are the settings' reviewer."""
        from onetake_desktop.services import reviewer  # by its package: see _default_panel_factory

        return reviewer.open_reviewer_service(self.paths.ensure().library, self.settings.reviewer)

    def panel_service(self, library: Library | None = None) -> PanelService:
        """The panel on ``library`` (the reviewer window's own: never a second connection)."""
        make = self.panel_factory or _default_panel_factory(self.clock)
        return make(self.open_library() if library is None else library)
