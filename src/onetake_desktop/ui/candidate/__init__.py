"""Candidate mode windows."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from onetake_desktop.services.context import AppContext

TYPE_CHECKING = False  # not typing's: see ui/candidate/window.py (issue 17)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def open_candidate_window(kit: Path, context: AppContext, **options: Any) -> QWidget:
    """Build (not show) the candidate window for a kit file.

    The clock, the capture factory and the device defaults come from ``context``. Options:
    ``camera`` and ``mic`` (source strings overriding the defaults), ``checked_kit`` (the
    SignedKit ``onetake candidate`` read from ``kit`` and checked before any window: the window
    opens on it; without it, the file is read and checked here), and ``session_dir``,
    ``choose_bundle_path``, ``confirm``, ``tell`` and ``open_url`` (tests and demos).
    """
    from onetake_desktop.services.candidate import CandidateService
    from onetake_desktop.ui.candidate.window import CandidateWindow

    camera = options.pop("camera", None) or context.devices.camera
    mic = options.pop("mic", None) or context.devices.mic
    service_options: dict[str, Any] = {
        "clock": context.clock,
        "capture_factory": context.capture(),
    }
    if "session_dir" in options:
        service_options["session_dir"] = options.pop("session_dir")
    else:
        service_options["sessions"] = context.paths.ensure().sessions
    checked = options.pop("checked_kit", None)
    if checked is None:
        from onetake_desktop.services.handover import checked_kit

        # As `onetake candidate` checks it: a damaged kit is refused in the same words.
        checked = checked_kit(kit)
    service = CandidateService.from_checked_kit(checked, **service_options)
    options.setdefault("prefs_path", context.paths.settings)
    return CandidateWindow(service, camera=camera, mic=mic, **options)
