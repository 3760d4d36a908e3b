"""ui/tasks.py: a failure the window can live with still reaches the log, with its traceback
(``log_failure`` names ``logging`` only when it logs: issue 17)."""

from __future__ import annotations

import logging

import pytest

from onetake_desktop.ui.tasks import log_failure


def test_a_tolerated_failure_is_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        raise RuntimeError("the waveform could not be read")
    except RuntimeError as error:
        failed = error
    with caplog.at_level(logging.WARNING, logger="onetake_desktop"):
        log_failure("drawing the waveform")(failed)
    [record] = [r for r in caplog.records if r.name == "onetake_desktop.ui.tasks"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "drawing the waveform failed: the waveform could not be read"
    assert record.exc_info is not None and record.exc_info[1] is failed
