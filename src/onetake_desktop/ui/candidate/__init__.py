"""Candidate mode windows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget


def open_candidate_window(kit: Path, **options: Any) -> QWidget:
    """Build (not show) the candidate window for a kit file.

    Options: ``camera`` and ``mic`` (source strings; default ONETAKE_CAMERA / ONETAKE_MIC, else
    the first camera and the default microphone), and for tests and demos ``clock``,
    ``capture_factory``, ``session_dir``, ``choose_bundle_path`` and ``confirm``.
    """
    from onetake_desktop.services.candidate import CandidateService
    from onetake_desktop.ui.candidate.window import CandidateWindow

    camera = options.pop("camera", None) or os.environ.get("ONETAKE_CAMERA") or "camera:0"
    mic = options.pop("mic", None) or os.environ.get("ONETAKE_MIC") or "mic:default"
    service_options = {
        k: options.pop(k) for k in ("clock", "capture_factory", "session_dir") if k in options
    }
    service = CandidateService.from_kit_file(Path(kit), **service_options)
    return CandidateWindow(service, camera=camera, mic=mic, **options)
