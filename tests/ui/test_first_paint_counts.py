"""Issue 17 (quick start): what a window's start-up costs the system beside its instructions,
read at its first paint by the start-up bench's driver (``FIRST_PAINT_COUNTS``, used by
bench/first_paint_counts.py). Each window runs its real start-up path in a fresh process.

No window starts a thread before its first frame (imports, transcripts and checks run on
worker threads made with the first task, after it), and the counts the bench compares are
the process's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onetake_desktop.paths import resource
from tests.ui.fresh_process import REPO, run_python

DEMO_KIT = str(resource("kits", "demo.onetakekit"))
WINDOWS = {
    "bare": ["--bare"],
    "start": [],
    "review": ["review"],
    "candidate": ["candidate", DEMO_KIT],
    "author": ["author"],
}


@pytest.mark.parametrize("window", sorted(WINDOWS))
def test_counts_at_the_first_paint(window: str, tmp_path: Path) -> None:
    counts_file = tmp_path / "counts.json"
    driver = str(REPO / "bench" / "_first_paint.py")
    done = run_python(
        [driver, *WINDOWS[window]], tmp_path / "home", FIRST_PAINT_COUNTS=str(counts_file)
    )
    assert "FIRST_PAINT" in done.stdout
    counts = json.loads(counts_file.read_text())
    assert counts["threads"] == 1  # the GUI thread alone
    assert counts["minflt"] > 1000 and counts["rchar"] > 0 and counts["syscr"] > 0
    assert counts["shared_objects"] > 10  # Qt's libraries among them
    assert counts["RssAnon"] > 0 and counts["RssFile"] > 0
    if window == "bare":  # the anchor imports QtWidgets and this driver's modules only
        assert counts["modules"] < 200
    else:  # the app's own start-up ran
        assert counts["modules"] > 150
