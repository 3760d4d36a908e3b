"""An import's report is read only by the panelist who started it (services.scoring
`may_read_report`): its box names the files refused, and a file name can name a candidate
that blind review hides. On a shared laptop, the next panelist never sees it: not when the
import ends behind the lock, nor when the box was already open before the lock; its own
panelist finds it at their next sign-in (real windows, a real library file, real bundles and
a real refused file).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.pipeline.library_bundles import make_bundle
from tests.ui.test_locked_window_drops_and_keys import open_locked
from tests.ui.test_panel_window import PASS, all_text
from tests.ui.test_panel_window import sign_in as click_sign_in

SECRET_NAME = "Grace Hopper final round.onetake"  # a refused file whose name names someone


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("bundles")
    good = make_bundle(folder / "lin.onetake", "Lin Chen", seconds=1.0, size=(160, 120))
    refused = folder / SECRET_NAME
    refused.write_bytes(b"not a zip at all")
    return [good, refused]


@pytest.fixture
def window(tmp_path: Path, qtbot: QtBot) -> Iterator[tuple[ReviewerWindow, dict[str, int]]]:
    """A real reviewer window on a library with a panel of two: it opens locked."""
    win, _library, people = open_locked(tmp_path / "lib", qtbot, ("Ana", "Ben"), 11)
    yield win, people
    wait_for_tasks()
    if win.isVisible():
        win.close()


def sign_in(win: ReviewerWindow, qtbot: QtBot, people: dict[str, int], name: str) -> None:
    """``name`` types their passphrase (checked on a worker thread, as on a real laptop)."""
    click_sign_in(win.panel, people[name], PASS[name])
    qtbot.waitUntil(
        lambda: (
            win.panel.service.current_id == people[name] and win.current_reviewer_id == people[name]
        ),
        timeout=30_000,
    )
    assert not win.panel.lock_screen.isVisible()


def import_and_wait(win: ReviewerWindow, qtbot: QtBot, paths: list[Path], lock: bool) -> None:
    win.import_paths(paths)
    assert win.importing
    if lock:
        win.panel.lock("Locked after a few idle minutes.")  # before the worker reports
    qtbot.waitUntil(lambda: not win.importing, timeout=60_000)
    wait_for_tasks()
    qtbot.wait(20)


def report_shown(win: ReviewerWindow) -> bool:
    return win.import_box.isVisible() and SECRET_NAME in all_text(win)


def report_hidden(win: ReviewerWindow) -> bool:
    """Nothing of the report anywhere a user could read it, hidden widgets included."""
    texts = [win.refused_list.item(i).text() for i in range(win.refused_list.count())]
    return (
        not win.import_box.isVisibleTo(win)
        and SECRET_NAME not in all_text(win)
        and not any(SECRET_NAME in t for t in texts)
        and win.import_title.text() == ""
        and "Import finished" not in win.statusBar().currentMessage()
    )


def test_an_import_that_ends_behind_the_lock_waits_for_its_own_panelist(
    window: tuple[ReviewerWindow, dict[str, int]], bundles: list[Path], qtbot: QtBot
) -> None:
    win, people = window
    sign_in(win, qtbot, people, "Ana")
    with qtbot.captureExceptions() as errors:
        import_and_wait(win, qtbot, bundles, lock=True)
    assert errors == []
    assert win.last_import is not None and len(win.last_import.refused) == 1
    assert report_hidden(win)  # behind the lock: nothing of it, even in hidden widgets

    sign_in(win, qtbot, people, "Ben")  # the next one at the laptop
    assert report_hidden(win)

    sign_in(win, qtbot, people, "Ana")  # back: her report, and a line saying it ended
    assert report_shown(win)
    message = win.statusBar().currentMessage()
    assert message == "Reviewing as Ana. Import finished: 1 imported, 1 refused."

    sign_in(win, qtbot, people, "Ben")  # and gone again for Ben
    assert report_hidden(win)


def test_an_open_report_is_hidden_and_emptied_for_the_next_panelist_until_dismissed(
    window: tuple[ReviewerWindow, dict[str, int]], bundles: list[Path], qtbot: QtBot
) -> None:
    win, people = window
    sign_in(win, qtbot, people, "Ana")
    import_and_wait(win, qtbot, bundles, lock=False)
    assert report_shown(win)
    assert win.statusBar().currentMessage() == "Import finished: 1 imported, 1 refused."

    win.panel.lock("Locked after a few idle minutes.")
    assert report_hidden(win)  # emptied at the lock, not only at the next sign-in
    sign_in(win, qtbot, people, "Ben")
    assert report_hidden(win)

    sign_in(win, qtbot, people, "Ana")
    assert report_shown(win)
    assert win.statusBar().currentMessage() == "Reviewing as Ana"  # told once already
    dismiss = next(b for b in win.import_box.findChildren(QPushButton) if b.text() == "Dismiss")
    dismiss.click()
    assert report_hidden(win)

    sign_in(win, qtbot, people, "Ben")
    sign_in(win, qtbot, people, "Ana")  # dismissed is dismissed: it does not come back
    assert report_hidden(win)


def test_each_panelists_report_waits_for_them_and_opens_nothing_for_another(
    window: tuple[ReviewerWindow, dict[str, int]],
    bundles: list[Path],
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    """Ana's import ends behind the lock; Ben imports too. Ana's report is not lost under
    Ben's, and neither import opens a candidate on the other's screen."""
    win, people = window
    sign_in(win, qtbot, people, "Ana")
    import_and_wait(win, qtbot, bundles, lock=True)

    sign_in(win, qtbot, people, "Ben")
    other = make_bundle(tmp_path / "kim.onetake", "Kim Park", seconds=1.0, size=(160, 120))
    broken = tmp_path / "broken.onetake"
    broken.write_bytes(b"PK\x03\x04 not really")
    import_and_wait(win, qtbot, [other, broken], lock=False)
    assert win.import_box.isVisible() and SECRET_NAME not in all_text(win)
    assert "broken.onetake" in all_text(win)  # his own report
    assert win.current_answer_id is not None  # his import opened its first answer
    ben_answer = win.current_answer_id

    sign_in(win, qtbot, people, "Ana")
    assert report_shown(win) and "broken.onetake" not in all_text(win)
    assert win.statusBar().currentMessage() == (
        "Reviewing as Ana. Import finished: 1 imported, 1 refused."
    )
    sign_in(win, qtbot, people, "Ben")
    assert "broken.onetake" in all_text(win) and SECRET_NAME not in all_text(win)
    assert win.current_answer_id in (None, ben_answer)


def test_an_import_that_stops_is_told_only_to_who_started_it(
    window: tuple[ReviewerWindow, dict[str, int]],
    bundles: list[Path],
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The error of an import that stops (a full disk, say: it can name a file) is not a
    dialog over the lock screen or in front of the next panelist: its own panelist finds it
    in the import box at their next sign-in."""
    from onetake_desktop.services.reviewer import ReviewerService as Service

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device", "/home/ana/Grace Hopper final round")

    monkeypatch.setattr(Service, "import_paths", disk_full)
    win, people = window
    sign_in(win, qtbot, people, "Ana")
    with qtbot.captureExceptions() as errors:
        import_and_wait(win, qtbot, bundles, lock=True)
    assert errors == []
    sign_in(win, qtbot, people, "Ben")
    assert "Grace Hopper" not in all_text(win) and not win.import_box.isVisibleTo(win)
    assert QApplication.activeModalWidget() is None  # no dialog for Ben either

    sign_in(win, qtbot, people, "Ana")
    assert win.import_box.isVisible()
    assert win.import_title.text().startswith("The import stopped: [Errno 28] No space left")
    sign_in(win, qtbot, people, "Ben")
    sign_in(win, qtbot, people, "Ana")  # told once: gone
    assert not win.import_box.isVisibleTo(win)


def test_an_import_ending_in_another_panelists_session_opens_nothing_for_them(
    window: tuple[ReviewerWindow, dict[str, int]],
    bundles: list[Path],
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ben has a report of his own open; Ana's import ends while Ben is signed in: it opens
    no candidate on Ben's screen (the owner of the import that ended is asked, not whether
    Ben may read some report). (Review s10b M1.)"""
    import threading

    from onetake_desktop.services.reviewer import ReviewerService as Service

    win, people = window
    good, _refused = bundles
    sign_in(win, qtbot, people, "Ben")
    broken = tmp_path / "broken.onetake"
    broken.write_bytes(b"PK\x03\x04 not really")
    import_and_wait(win, qtbot, [broken], lock=True)  # his report waits for him
    gate = threading.Event()
    original = Service.import_paths

    def held(self: Service, *args: object, **kwargs: object) -> object:
        gate.wait(60)  # Ana's import ends only once Ben is back at the laptop
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Service, "import_paths", held)
    sign_in(win, qtbot, people, "Ana")
    win.import_paths([good])
    assert win.importing
    win.panel.lock("Locked.")
    sign_in(win, qtbot, people, "Ben")
    assert win.import_box.isVisible() and win.current_answer_id is None  # his own box
    gate.set()
    qtbot.waitUntil(lambda: not win.importing, timeout=60_000)
    wait_for_tasks()
    qtbot.wait(50)
    assert win.current_answer_id is None
    assert "broken.onetake" in all_text(win) and "Lin Chen" not in win.import_title.text()
