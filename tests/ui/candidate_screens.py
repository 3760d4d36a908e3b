"""Screenshots of every candidate page on a real display (Xvfb), for people to look at.

    Xvfb :105 -screen 0 1366x768x24 -nolisten tcp &
    DISPLAY=:105 QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1.5 \\
        python -m tests.ui.candidate_screens OUT_DIR [demo|longest] [TEXT_PERCENT] [notices]

The window fits the screen as it would for a candidate; each page is checked like the layout
test (actions and clocks on screen, window no bigger than the screen) and saved as a PNG.
TEXT_PERCENT (100, 150, 175 or 200) is the candidate's text size, set as Ctrl+plus sets it.
With ``notices`` the kit's deadline has passed (its notice on every page) and each page
also shows an error banner and the notices of its own (test_candidate_large_text's).
Exit code 1 if any page does not fit.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    kit_name = argv[1] if len(argv) > 1 else "demo"
    scale = int(argv[2]) / 100 if len(argv) > 2 else 1.0
    notices = len(argv) > 3 and argv[3] == "notices"
    out.mkdir(parents=True, exist_ok=True)
    home = tempfile.mkdtemp(prefix="onetake-screens-")
    os.environ["ONETAKE_HOME"] = home

    from PySide6.QtWidgets import QApplication

    from onetake_desktop.domain.clock import ManualClock
    from onetake_desktop.storage.kitfile import demo_kit_path
    from onetake_desktop.ui import tasks
    from onetake_desktop.ui.application import ensure_application
    from onetake_desktop.ui.candidate.window import CandidateWindow
    from tests.ui.candidate_walk import check_fits, make, walk, write_longest_kit

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    ensure_application()
    tasks.set_synchronous(True)
    screen = app.primaryScreen().availableGeometry()
    width, height = screen.width(), screen.height()
    kit = demo_kit_path() if kit_name == "demo" else write_longest_kit(Path(home))
    if notices:
        from datetime import UTC, datetime

        from onetake_desktop.storage.kitfile import load_kit, save_kit
        from tests.ui.test_candidate_large_text import DEVICE_ERROR, PAGE_NOTICES

        late = load_kit(kit)._replace(
            deadline=datetime(2025, 12, 31, 17, 0, tzinfo=UTC), late_submissions="mark"
        )
        kit = Path(home) / "late.onetakekit"
        save_kit(late, kit)
    clock = ManualClock()
    problems: list[str] = []
    count = [0]

    def open_window() -> CandidateWindow:
        window = make(kit, clock, Path(home) / "answers.onetake")
        while window.prefs.text_scale < scale:
            window.change_text_size(1)
        window.show()
        for _ in range(20):
            app.processEvents()
        return window

    def check(window: CandidateWindow, name: str) -> None:
        import time

        if notices:
            for part in PAGE_NOTICES.get(name, ()):
                words = getattr(window.page, part)
                words.setObjectName("Error")
                words.style().unpolish(words)
                words.style().polish(words)
                words.setText(DEVICE_ERROR)
                words.show()
            window.show_notice(DEVICE_ERROR)
        for _ in range(10):  # a few ticks: the newest picture and level reach the page
            window.tick()
            app.processEvents()
            time.sleep(0.03)
        problems.extend(check_fits(window, width, height, name))
        count[0] += 1
        path = out / f"{count[0]:02d}-{kit_name}-{round(scale * 100)}-{name}.png"
        window.grab().save(str(path))
        window.banner.hide()

    w = open_window()
    walk(w, clock, check, reopen=open_window)
    w.close()
    print(
        f"screen {width}x{height} (device-independent), {count[0]} pages, kit {kit_name}, "
        f"text {round(scale * 100)} %"
    )
    for p in problems:
        print("PROBLEM", p)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
