"""What the candidate's computer keeps after sealing (review s11 M4), through the real window on
the real engine, in the app's own sessions folder (the kit's folder, as a candidate has it):

- "Delete my data" leaves no name, email or written answer in any file of the session folder
  (a byte scan), and the receipt still shows, also when the kit is opened again;
- "Start a new interview on this computer" then begins afresh: no page shows or holds anything
  the last candidate typed, and the next person seals their own interview.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.services.candidate import real_capture
from onetake_desktop.services.context import AppContext
from onetake_desktop.services.sending import checksum_words
from onetake_desktop.storage.bundle import extract_bundle
from onetake_desktop.storage.kitfile import save_kit
from onetake_desktop.ui import tasks
from onetake_desktop.ui.candidate import open_candidate_window
from onetake_desktop.ui.candidate.pages.sent import SentPage
from onetake_desktop.ui.candidate.window import CandidateWindow
from tests.pipeline.test_candidate_headless import small_kit
from tests.ui.candidate_walk import SMALL_CAMERA, wait_saved

pytestmark = pytest.mark.timeout(240, method="thread")

NAME, EMAIL, WRITTEN = "Zoë Quokka", "zoe.quokka@example.org", "The wombats taught me patience."


@pytest.fixture(autouse=True)
def synchronous_tasks() -> object:
    tasks.set_synchronous(True)
    yield None
    tasks.set_synchronous(False)


# The candidate's name (and each part), email (and its local part) and written answer.
WORDS = (NAME, EMAIL, WRITTEN, *NAME.split(), EMAIL.split("@")[0])


def needles() -> list[bytes]:
    """WORDS as UTF-8 and as JSON writes them (non-ASCII escaped)."""
    return [w.encode("utf-8") for w in WORDS] + [json.dumps(w)[1:-1].encode() for w in WORDS]


def leaked(shown: str) -> list[str]:
    return [w for w in WORDS if w in shown]


def personal_files(folder: Path) -> list[str]:
    """Every file in the sessions folder holding the candidate's data (byte scan)."""
    return [
        str(f.relative_to(folder))
        for f in folder.rglob("*")
        if f.is_file() and any(n in f.read_bytes() for n in needles())
    ]


def texts(w: QWidget) -> str:
    """Everything the window's widgets show or hold, on every page built, shown or not."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    parts = [lab.text() for lab in w.findChildren(QLabel)]
    parts += [e.text() for e in w.findChildren(QLineEdit)]
    parts += [e.toPlainText() for e in w.findChildren(QPlainTextEdit)]
    return "\n".join(parts)


def open_window(qtbot: QtBot, kit: Path, clock: ManualClock, asked: list[str]) -> CandidateWindow:
    """The window as `onetake candidate` opens it: the kit's folder in the app's sessions;
    the bundle goes where the save dialog suggests (its default name holds the name)."""
    context = AppContext.from_environment()._replace(clock=clock, capture_factory=real_capture)
    folder = kit.parent

    def confirm(title: str, text: str) -> bool:
        asked.append(text)
        return True

    w = open_candidate_window(
        kit,
        context,
        camera=SMALL_CAMERA,
        mic="synthetic",
        confirm=confirm,
        choose_bundle_path=lambda suggested: folder / suggested.name,
    )
    assert isinstance(w, CandidateWindow)
    qtbot.addWidget(w)
    w.show()
    return w


def take_the_interview(
    w: CandidateWindow, clock: ManualClock, name: str, email: str, written: str
) -> None:
    """Typed into the real pages (privacy, written answer), recorded on the real engine."""
    svc = w.service
    w.act(svc.begin)
    privacy = w.pages["privacy"]
    assert privacy.name.text() == "" and privacy.email.text() == ""  # type: ignore[attr-defined]
    privacy.name.setText(name)  # type: ignore[attr-defined]
    privacy.email.setText(email)  # type: ignore[attr-defined]
    privacy.agree.setChecked(True)  # type: ignore[attr-defined]
    privacy.agree_button.click()  # type: ignore[attr-defined]
    QApplication.processEvents()
    w.act(svc.confirm_devices)
    while svc.session.step == "questions":
        s = svc.session
        w.act(svc.show_question)
        if s.answer_type(s.question) == "text":
            if str(s.answer.phase) == "thinking":
                w.act(svc.start_writing)
            page = w.pages["questions"]
            assert page.editor.toPlainText() == ""  # type: ignore[attr-defined]
            page.editor.setPlainText(written)  # type: ignore[attr-defined]
            page._save_text()  # type: ignore[attr-defined]
            continue
        w.act(svc.start_answer)
        end = time.monotonic() + 10
        while svc.take_elapsed() < 0.8 and time.monotonic() < end:
            w.tick()
            QApplication.processEvents()
            time.sleep(0.02)
        clock.advance(3)
        w.tick()
        w.act(svc.stop_answer)
        wait_saved(w)
        w.act(lambda: svc.keep_take(svc.session.answer.takes[-1].number))
    w.do_send()
    assert svc.session.step == "sent", "the answers were sealed"


@pytest.fixture
def kit_path(tmp_path: Path) -> Path:
    path = tmp_path / "kit" / "kit.onetakekit"
    path.parent.mkdir()
    save_kit(small_kit()._replace(practice=None), path)
    return path


def test_delete_my_data_leaves_the_receipt_and_nothing_personal_in_the_session_folder(
    qtbot: QtBot, kit_path: Path, app_context: AppContext
) -> None:
    clock = ManualClock()
    asked: list[str] = []
    w = open_window(qtbot, kit_path, clock, asked)
    take_the_interview(w, clock, NAME, EMAIL, WRITTEN)
    sessions = app_context.paths.sessions
    assert w.service.dir.parent == sessions
    page = w.pages["sent"]
    assert isinstance(page, SentPage)
    sha = w.service.receipt().sha256.removeprefix("sha256:")
    bundle = w.service.receipt().path
    assert NAME.split()[0] in bundle.name, "the default name holds the candidate's name"
    assert page.kept.text().startswith("This computer still keeps your recordings (")
    assert "your written answers and your name and email" in page.kept.text()
    assert personal_files(sessions), "before: the folder holds the candidate's data"
    assert not page.new_button.isVisible()

    page.delete_button.click()
    assert f"stays at {bundle}" in asked[-1]
    assert personal_files(sessions) == []
    assert [p.name for p in w.service.dir.iterdir()] == ["state.json"]
    assert bundle.is_file(), "the sealed file is not touched"
    # The receipt stays, without a name or a file.
    assert page.title.text() == "This interview was sealed on this computer"
    assert checksum_words(sha) in page.receipt.text() and "Sealed: " in page.receipt.text()
    assert page.kept.text().startswith(
        "The recordings, written answers, name and email of this interview were deleted"
    )
    assert not page.delete_button.isVisible() and page.new_button.isVisible()
    assert not page.copy_button.isVisible() and not page.folder_button.isVisible()
    # Review s11b L7: no file to find from here, so no "How to send it" about it.
    assert not page.other_card.isVisible()
    assert leaked(texts(page)) == []
    # N1: the focus goes to "Start a new interview" once, not back at every refresh.
    assert w.focusWidget() is page.new_button
    page.close_button.setFocus()
    w.sync()
    assert w.focusWidget() is page.close_button
    w.close()

    # Opened again: the same receipt, and nothing of the candidate on any page.
    again = open_window(qtbot, kit_path, clock, asked)
    assert again.page_name() == "sent" and again.service.cleared
    receipt = again.pages["sent"]
    assert isinstance(receipt, SentPage)
    assert checksum_words(sha) in receipt.receipt.text() and receipt.new_button.isVisible()
    again.build_all_pages()
    assert leaked(texts(again)) == []
    again.close()


def test_a_receipt_that_still_knows_its_unsent_file_stays_a_page_to_send_it(
    qtbot: QtBot, kit_path: Path, app_context: AppContext
) -> None:
    """Cleared, the file unsent and its path kept (as the service keeps it when it clears an
    unsent interview by itself): the page is the sending page, as before the clearing, with
    "How to send it", the folder and the copy; of the candidate, only the file's own name
    (the receipt's sentence says it holds their name unless they chose another)."""
    clock = ManualClock()
    asked: list[str] = []
    w = open_window(qtbot, kit_path, clock, asked)
    take_the_interview(w, clock, NAME, EMAIL, WRITTEN)
    bundle = w.service.receipt().path
    w.pages["sent"].delete_button.click()  # type: ignore[attr-defined]
    folder = w.service.dir
    w.close()
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    assert state["cleared_at"] and not state.get("bundle_path")
    state["bundle_path"] = str(bundle)
    (folder / "state.json").write_text(json.dumps(state), encoding="utf-8")

    again = open_window(qtbot, kit_path, clock, asked)
    qtbot.waitExposed(again)
    assert again.page_name() == "sent" and not again.service.cleared  # (the path: sendable)
    page = again.pages["sent"]
    assert isinstance(page, SentPage)
    assert page.other_card.isVisible() and page.other_heading.text() == "How to send it"
    assert page.folder_button.isVisible() and page.copy_button.isVisible()
    shown = texts(page).replace(str(bundle), "").replace(bundle.name, "")
    assert leaked(shown) == []
    assert not page.new_button.isVisible()  # not while the file is still to be sent
    again.close()


def test_a_new_person_starts_afresh_and_sees_nothing_of_the_last_one(
    qtbot: QtBot, kit_path: Path, app_context: AppContext, tmp_path: Path
) -> None:
    clock = ManualClock()
    asked: list[str] = []
    w = open_window(qtbot, kit_path, clock, asked)
    take_the_interview(w, clock, NAME, EMAIL, WRITTEN)
    page = w.pages["sent"]
    assert isinstance(page, SentPage)
    assert leaked(texts(w)), "the pages hold what Zoë typed"
    page.delete_button.click()

    page.new_button.click()
    assert asked[-1].startswith("Start a new interview on this computer?")
    assert w.page_name() == "welcome" and w.service.session.step == "welcome"
    assert leaked(texts(w)) == [], "no page of the last candidate is left"
    assert personal_files(app_context.paths.sessions) == []
    state = json.loads(w.service.state_path.read_bytes())
    assert state["bundle_sha256"] is None and state["restarts"] == []

    # The next person takes the whole interview in the same window and seals their own.
    take_the_interview(w, clock, "Ben Wombat", "ben@example.org", "Ben's own words.")
    manifest = extract_bundle(w.service.receipt().path, tmp_path / "x").manifest
    assert manifest.candidate_name == "Ben Wombat" and manifest.restarts == ()
    sent = w.pages["sent"]
    assert isinstance(sent, SentPage) and "Ben-Wombat" in sent.receipt.text()
    assert leaked(texts(w)) == []
    w.close()


def test_a_new_interview_right_after_copying_the_checksum_raises_nothing(
    qtbot: QtBot, kit_path: Path, app_context: AppContext
) -> None:
    """Review s12b #3: "Checksum copied" went back to "Copy the checksum" by a 3 s timer
    with no context object. A new interview within those 3 s deletes every page, and the
    timer then touched the deleted button: a RuntimeError, which the app's excepthook shows
    the next candidate as an error box."""
    from shiboken6 import isValid

    clock = ManualClock()
    asked: list[str] = []
    w = open_window(qtbot, kit_path, clock, asked)
    take_the_interview(w, clock, NAME, EMAIL, WRITTEN)
    page = w.pages["sent"]
    assert isinstance(page, SentPage)
    page.delete_button.click()
    old_button = page.copy_sum_button
    with qtbot.captureExceptions() as raised:
        old_button.click()
        old_button.click()  # twice: one timer, restarted
        assert old_button.text() == "Checksum copied"
        page.new_button.click()
        assert w.page_name() == "welcome"
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert not isValid(old_button), "the old pages are gone"
        qtbot.wait(3500)  # past the 3 s the words stayed
    assert [str(e[1]) for e in raised] == []
    w.close()


def test_a_cleared_receipt_without_a_checksum_offers_none_to_copy(
    qtbot: QtBot, kit_path: Path, app_context: AppContext
) -> None:
    """Review s12b #5: a cleared receipt with no checksum kept showed the copy button,
    which copied "" and said "Checksum copied"."""
    clock = ManualClock()
    asked: list[str] = []
    w = open_window(qtbot, kit_path, clock, asked)
    take_the_interview(w, clock, NAME, EMAIL, WRITTEN)
    page = w.pages["sent"]
    assert isinstance(page, SentPage)
    page.delete_button.click()
    assert page.copy_sum_button.isVisible(), "with its checksum: offered"
    folder = w.service.dir
    w.close()
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    assert state["cleared_at"] and state["bundle_sha256"]
    state["bundle_sha256"] = None
    (folder / "state.json").write_text(json.dumps(state), encoding="utf-8")

    again = open_window(qtbot, kit_path, clock, asked)
    qtbot.waitExposed(again)
    assert again.page_name() == "sent" and again.service.cleared
    receipt = again.pages["sent"]
    assert isinstance(receipt, SentPage)
    assert "Checksum" not in receipt.receipt.text()
    assert not receipt.copy_sum_button.isVisible()
    assert receipt.new_button.isVisible()
    again.close()
