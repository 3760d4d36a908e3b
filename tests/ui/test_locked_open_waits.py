"""A bundle opened while a hiring panel is locked (``onetake review BUNDLE``: what
double-clicking a bundle in the file manager does) is kept, not dropped: the lock screen says
how many will be imported once a panelist signs in, and the next panelist to sign in gets them
imported, with the usual report (walk s13, MEDIUM-2). Real windows from the app's own entry
point, a real library file with a real panel, real bundle files.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services.context import AppContext
from onetake_desktop.services.handover import encrypt_file
from onetake_desktop.services.panel import PanelService
from onetake_desktop.services.waiting_imports import NEWER_SENTENCE, WAITING_FILE
from onetake_desktop.storage.library import Library, open_library
from onetake_desktop.ui.reviewer import open_reviewer_window
from onetake_desktop.ui.reviewer.window import ReviewerWindow
from onetake_desktop.ui.tasks import wait_for_tasks
from tests.pipeline.handover_kits import PASSPHRASE, signed_small_kit
from tests.pipeline.library_bundles import make_bundle
from tests.ui.test_panel_window import HASHER, PASS, central
from tests.ui.test_panel_window import sign_in as click_sign_in

WAITS = "will be imported once a panelist signs in (kept if OneTake closes)."


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("bundles")
    return [
        make_bundle(folder / "lin.onetake", "Lin Chen", seconds=1.0, size=(160, 120)),
        # A name that would render if the notice were rich text (it shows counts only).
        make_bundle(folder / "<b>mo</b>.onetake", "Mo <b>Bold</b>", seconds=1.0, size=(160, 120)),
    ]


@pytest.fixture
def windows(qtbot: QtBot) -> Iterator[list[ReviewerWindow]]:
    made: list[ReviewerWindow] = []
    yield made
    wait_for_tasks()
    for window in made:
        if window.isVisible():
            window.close()


def open_on_panel(
    app_context: AppContext, qtbot: QtBot, made: list[ReviewerWindow], paths: Sequence[Path]
) -> tuple[ReviewerWindow, dict[str, int]]:
    """The reviewer window as ``onetake review PATHS`` opens it, on a library whose panel
    (Ana, Ben) was set up before: it opens locked."""
    library = open_library(app_context.paths.ensure().library)
    setup = PanelService(library, hasher=HASHER)
    people = {n: setup.create_panelist(n, PASS[n]).reviewer_id for n in ("Ana", "Ben")}
    library.close()
    return reopen(app_context, qtbot, made, paths), people


def reopen(
    app_context: AppContext, qtbot: QtBot, made: list[ReviewerWindow], paths: Sequence[Path] = ()
) -> ReviewerWindow:
    """A new reviewer window, with its own services, on the panel's library: as the app
    opens it after a restart (``onetake review PATHS``). It opens locked."""
    rng = random.Random(13)
    context = app_context._replace(
        panel_factory=lambda lib: PanelService(
            lib, ManualClock(), lambda: rng.getrandbits(62), HASHER
        )
    )
    window = open_reviewer_window(context, list(paths))
    assert isinstance(window, ReviewerWindow)
    made.append(window)
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    qtbot.waitUntil(lambda: window.panes_built and hasattr(window, "transcripts"))
    assert window.panel.lock_screen.isVisible()
    return window


def sign_in(window: ReviewerWindow, qtbot: QtBot, reviewer_id: int, name: str) -> None:
    click_sign_in(window.panel, reviewer_id, PASS[name])
    qtbot.waitUntil(lambda: window.panel.service.current is not None, timeout=30_000)


def names_in(library: Library) -> list[str]:
    rows = library.db.execute("SELECT candidate_name FROM submissions").fetchall()
    return sorted(str(r[0]) for r in rows)


def test_a_bundle_opened_while_locked_is_imported_right_after_sign_in(
    app_context: AppContext, bundles: list[Path], qtbot: QtBot, windows: list[ReviewerWindow]
) -> None:
    window, people = open_on_panel(app_context, qtbot, windows, bundles[:1])
    library = window.service.library
    before = names_in(library)
    notice = window.panel.lock_screen.waiting
    qtbot.wait(100)  # an import, had one started, would have reported back by now
    wait_for_tasks()
    # Kept, and said on the lock screen itself, not only in the passing status bar.
    assert notice.isVisible()
    assert notice.text() == f"1 bundle {WAITS}"
    assert not window.importing and window.last_import is None
    assert names_in(library) == before  # nothing imported behind the lock
    assert not central(window).isVisible()
    # The card, taller with the notice, stays below the menu bar on a short window (the app
    # opened 871x480 logical on 1366x768 at 150 %: the card slid under the bar there).
    window.resize(871, 480)
    qtbot.waitUntil(lambda: window.height() == 480)
    QApplication.processEvents()
    lock = window.panel.lock_screen
    card_top = lock.card.mapTo(window, lock.card.rect().topLeft()).y()
    assert card_top > window.menuBar().geometry().bottom(), card_top

    with qtbot.captureExceptions() as errors:
        sign_in(window, qtbot, people["Ben"], "Ben")
        qtbot.waitUntil(lambda: window.last_import is not None, timeout=60_000)
        wait_for_tasks()
    assert errors == []
    assert window.last_import is not None and len(window.last_import.imported) == 1
    assert names_in(library) == sorted([*before, "Lin Chen"])
    assert "Lin Chen" in [name for name, _ in window.candidate_rows(0)] + [
        name for name, _ in window.candidate_rows(1)
    ]
    # The usual report, to the one who signed in.
    assert window.statusBar().currentMessage().startswith("Import finished: 1 imported")
    assert not notice.isVisible() and notice.text() == ""

    # Locked again, nothing waits: the card says nothing of the bundle.
    window.panel.lock("Locked.")
    assert not notice.isVisible()


def test_every_open_request_while_locked_is_kept_and_counted_in_plain_text(
    app_context: AppContext, bundles: list[Path], qtbot: QtBot, windows: list[ReviewerWindow]
) -> None:
    # A folder and a file on the command line, then a second open request for the same file
    # and another (as the file manager sends one per double-click).
    window, people = open_on_panel(app_context, qtbot, windows, [bundles[0].parent, bundles[0]])
    notice = window.panel.lock_screen.waiting
    assert notice.text() == f"1 bundle and 1 folder of bundles {WAITS}"
    window.import_paths([bundles[0], bundles[1]])
    assert notice.text() == f"2 bundles and 1 folder of bundles {WAITS}"
    assert notice.textFormat() == Qt.TextFormat.PlainText
    assert "<b>" not in notice.text() and "Bold" not in notice.text()  # counts only
    assert window.statusBar().currentMessage() == notice.text()
    library = window.service.library
    before = names_in(library)

    with qtbot.captureExceptions() as errors:
        sign_in(window, qtbot, people["Ana"], "Ana")
        qtbot.waitUntil(lambda: window.last_import is not None, timeout=60_000)
        wait_for_tasks()
    assert errors == []
    report = window.last_import
    assert report is not None
    # Each bundle once, though asked for three times over.
    assert len(report.imported) == 2 and not report.duplicates
    assert names_in(library) == sorted([*before, "Lin Chen", "Mo <b>Bold</b>"])
    assert not notice.isVisible()


def counted(window: ReviewerWindow) -> str:
    """What the lock card says waits ("" when the line is hidden)."""
    notice = window.panel.lock_screen.waiting
    return notice.text() if notice.isVisible() else ""


def close(window: ReviewerWindow) -> None:
    wait_for_tasks()
    window.close()
    assert not window.isVisible()


def test_bundles_kept_while_locked_outlive_the_window_and_import_after_a_restart(
    app_context: AppContext, bundles: list[Path], qtbot: QtBot, windows: list[ReviewerWindow]
) -> None:
    window, people = open_on_panel(app_context, qtbot, windows, bundles[:1])
    assert counted(window).startswith("1 bundle will be imported once a panelist signs in")
    library_root = window.service.library_root()
    close(window)  # nobody signed in: the app closes with the bundle still waiting

    # Restarted: a new window (new services, new panel) on the library, opened again with the
    # same bundle and another, as a second double-click would (the same one is kept once).
    again = reopen(app_context, qtbot, windows, bundles)
    assert counted(again).startswith("2 bundles will be imported once a panelist signs in")
    assert not again.importing and again.last_import is None
    # And a third start with nothing to open still counts them, before anyone signs in.
    close(again)
    third = reopen(app_context, qtbot, windows)
    assert counted(third).startswith("2 bundles will be imported once a panelist signs in")
    before = names_in(third.service.library)

    with qtbot.captureExceptions() as errors:
        sign_in(third, qtbot, people["Ben"], "Ben")
        qtbot.waitUntil(lambda: third.last_import is not None, timeout=60_000)
        wait_for_tasks()
    assert errors == []
    report = third.last_import
    assert report is not None
    assert sorted(o.candidate_name for o in report.imported) == ["Lin Chen", "Mo <b>Bold</b>"]
    assert not report.duplicates and not report.refused
    assert names_in(third.service.library) == sorted([*before, "Lin Chen", "Mo <b>Bold</b>"])
    assert third.statusBar().currentMessage().startswith("Import finished: 2 imported")
    # Imported, they wait no more: not on this window's next lock, nor after a restart.
    third.panel.lock("Locked.")
    assert counted(third) == ""
    close(third)
    assert counted(reopen(app_context, qtbot, windows)) == ""
    assert not (library_root / "waiting-imports.json").exists()


def test_a_cancelled_passphrase_after_the_sign_in_keeps_the_bundles_waiting(
    app_context: AppContext,
    qtbot: QtBot,
    windows: list[ReviewerWindow],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signed = signed_small_kit(tmp_path / "kit")  # the organisation key, in the test's library
    sealed = tmp_path / "ada.onetake.age"
    plain = make_bundle(tmp_path / "b" / "ada.onetake", "Ada Lovelace", seconds=1.0)
    encrypt_file(plain, sealed, signed.recipient)
    asked: list[str] = []
    answers = iter([("", False), (PASSPHRASE, True)])

    def get_text(_parent: Any, _title: str, label: str, *_args: Any) -> tuple[str, bool]:
        asked.append(label)
        return next(answers)

    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getText", get_text)
    window, people = open_on_panel(app_context, qtbot, windows, [sealed])
    assert counted(window).startswith("1 bundle will be imported once a panelist signs in")
    assert asked == []  # nobody to ask behind the lock

    # Ana signs in: the passphrase is asked for at once, and she cancels.
    sign_in(window, qtbot, people["Ana"], "Ana")
    assert len(asked) == 1 and "Harbour Lane" in asked[0]
    assert not window.importing and window.last_import is None
    said = window.statusBar().currentMessage()
    # Still kept: counted on the card at the next lock, and imported at the next sign-in.
    window.panel.lock("Locked.")
    assert counted(window).startswith("1 bundle will be imported once a panelist signs in")
    assert said == "The bundles opened while locked still wait: they import at the next sign-in."
    with qtbot.captureExceptions() as errors:
        sign_in(window, qtbot, people["Ben"], "Ben")
        qtbot.waitUntil(lambda: window.last_import is not None, timeout=60_000)
        wait_for_tasks()
    assert errors == []
    assert len(asked) == 2
    report = window.last_import
    assert report is not None
    assert [o.candidate_name for o in report.imported] == ["Ada Lovelace"]
    window.panel.lock("Locked.")
    assert counted(window) == ""


def test_a_kept_bundle_gone_before_the_sign_in_is_reported_as_not_found(
    app_context: AppContext,
    bundles: list[Path],
    qtbot: QtBot,
    windows: list[ReviewerWindow],
    tmp_path: Path,
) -> None:
    gone = tmp_path / "moved" / "mo.onetake"
    gone.parent.mkdir()
    shutil.copyfile(bundles[1], gone)
    window, people = open_on_panel(app_context, qtbot, windows, [bundles[0], gone])
    assert counted(window).startswith("2 bundles will be imported once a panelist signs in")
    close(window)
    gone.unlink()  # moved or deleted while OneTake was closed

    again = reopen(app_context, qtbot, windows)
    # Counted as it was opened: the card does not look at the files (nor name them).
    assert counted(again).startswith("2 bundles will be imported once a panelist signs in")
    with qtbot.captureExceptions() as errors:
        sign_in(again, qtbot, people["Ana"], "Ana")
        qtbot.waitUntil(lambda: again.last_import is not None, timeout=60_000)
        wait_for_tasks()
    assert errors == []
    report = again.last_import
    assert report is not None
    assert [o.candidate_name for o in report.imported] == ["Lin Chen"]
    # Not dropped in silence: the report, and the box its panelist reads, say it is gone.
    assert [o.line() for o in report.refused] == [f"{gone} does not exist."]
    assert again.statusBar().currentMessage() == "Import finished: 1 imported, 1 refused."
    box = again.refused_list
    assert [box.item(i).text() for i in range(box.count())] == [f"{gone} does not exist."]
    assert box.isVisible()
    # Reported once, it waits no more.
    again.panel.lock("Locked.")
    assert counted(again) == ""


def test_a_list_this_onetake_does_not_understand_is_kept_and_said_at_sign_in(
    app_context: AppContext, bundles: list[Path], qtbot: QtBot, windows: list[ReviewerWindow]
) -> None:
    """Review s14 R6: a newer OneTake's list of kept bundles was overwritten by a keep here.
    Now the keep is refused in the status bar, the file stays as it was, and the panelist
    who signs in is told why the lock card counted none (and nothing is imported)."""
    window, people = open_on_panel(app_context, qtbot, windows, [])
    listing = window.panel.service.library.root / WAITING_FILE
    body = json.dumps({"version": 2, "waiting": [{"path": str(bundles[1]), "via": "mail"}]})
    listing.write_text(body, encoding="utf-8")
    window.import_paths(bundles[:1])
    said = window.statusBar().currentMessage()
    assert said == f"Not kept for the next sign-in: {NEWER_SENTENCE}"
    assert not window.panel.lock_screen.waiting.isVisible()
    before = names_in(window.service.library)
    sign_in(window, qtbot, people["Ana"], "Ana")
    assert window.statusBar().currentMessage() == NEWER_SENTENCE
    wait_for_tasks()
    assert not window.importing and names_in(window.service.library) == before
    assert listing.read_text(encoding="utf-8") == body
