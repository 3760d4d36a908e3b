"""Facts about the Qt binding the app relies on, checked so an upgrade cannot slip past.

PySide6 6.12's wheels on Python 3.11 drop a reference to None on every call to a Qt method
that returns nothing; after enough calls (about a minute of video playback) the interpreter
aborts with ``none_dealloc``. pyproject.toml keeps PySide6 below 6.12 for that reason.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject
from PySide6.QtMultimedia import QMediaPlayer


def test_void_qt_calls_keep_references_to_none() -> None:
    thing = QObject()
    before = sys.getrefcount(None)
    for _ in range(5000):
        thing.setObjectName("x")
    assert sys.getrefcount(None) >= before - 50


def test_player_can_keep_pitch_at_other_speeds() -> None:
    player = QMediaPlayer()
    assert player.metaObject().indexOfProperty("pitchCompensation") >= 0
