"""Candidate mode windows."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget


def keep_none_alive() -> None:
    """Work around PySide6 6.12.0 on Python 3.11: every call of a void Qt method (setText,
    update, QPainter.setPen, ...) returns None without taking a reference to it, so None's
    reference count falls by one per call until Python aborts with "none_dealloc" (measured:
    -1 per call; the candidate window died after ~40 s of 30 Hz repaints). Python 3.12+
    makes None immortal, so there is nothing to do there. Here None gets a reserve of 2**50
    references (centuries of calls); idempotent."""
    if sys.version_info >= (3, 12):
        return
    import ctypes

    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is PyObject's first field
    if refcount.value < 2**40:
        refcount.value += 2**50


def open_candidate_window(kit: Path, **options: Any) -> QWidget:
    """Build (not show) the candidate window for a kit file.

    Options: ``camera`` and ``mic`` (source strings; default ONETAKE_CAMERA / ONETAKE_MIC, else
    the first camera and the default microphone), and for tests and demos ``clock``,
    ``capture_factory``, ``session_dir``, ``choose_bundle_path`` and ``confirm``.
    """
    from onetake_desktop.services.candidate import CandidateService
    from onetake_desktop.ui.candidate.window import CandidateWindow

    keep_none_alive()
    camera = options.pop("camera", None) or os.environ.get("ONETAKE_CAMERA") or "camera:0"
    mic = options.pop("mic", None) or os.environ.get("ONETAKE_MIC") or "mic:default"
    service_options = {
        k: options.pop(k) for k in ("clock", "capture_factory", "session_dir") if k in options
    }
    service = CandidateService.from_kit_file(Path(kit), **service_options)
    return CandidateWindow(service, camera=camera, mic=mic, **options)
