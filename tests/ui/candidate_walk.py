"""Walk every candidate page on the real engine (synthetic devices, manual clock), checking at
each one that the actions and the clocks are on screen. Used by test_candidate_layout.py and by
the screenshot script (tests/ui/candidate_screens.py) under Xvfb with QT_SCALE_FACTOR."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QPushButton, QScrollArea, QWidget

from onetake_desktop.domain.clock import ManualClock
from onetake_desktop.domain.kit import (
    LONG_TEXT,
    MAX_ACCOMMODATIONS,
    MEDIUM_TEXT,
    SHORT_TEXT,
    Accommodation,
    Kit,
    PracticeQuestion,
    Question,
)
from onetake_desktop.services.candidate import CaptureFactory, real_capture
from onetake_desktop.services.context import AppContext
from onetake_desktop.storage.kitfile import demo_kit_path, load_kit, save_kit
from onetake_desktop.ui.candidate import open_candidate_window
from onetake_desktop.ui.candidate.widgets import ClockRing, Preview, TakePlayer
from onetake_desktop.ui.candidate.window import CandidateWindow

SMALL_CAMERA = "synthetic:size=320x240,fps=15"
Check = Callable[[CandidateWindow, str], None]

WORDS = (
    "Our team answers customers by phone and chat; we value patience, clear words and care "
    "for every person who writes to us, whatever their question or their mood that day. "
)


def filled(limit: int, start: str = "") -> str:
    """Text of exactly ``limit`` characters, in words (as an author would write it)."""
    text = start
    while len(text) < limit:
        text += WORDS
    return text[: limit - 1].rstrip() + "."


def longest_kit() -> Kit:
    """A valid kit with every text at the longest the format allows."""
    demo = load_kit(demo_kit_path())
    paragraphs = "\n\n".join(filled(900) for _ in range(40))[: LONG_TEXT - 1] + "."
    return demo._replace(
        organisation=filled(SHORT_TEXT),
        role_title=filled(SHORT_TEXT),
        welcome=paragraphs,
        instructions=paragraphs,
        privacy_notice=paragraphs,
        next_steps=paragraphs,
        contact=filled(SHORT_TEXT - 30, "Write to jobs@example.org. "),
        practice=PracticeQuestion(filled(MEDIUM_TEXT), filled(MEDIUM_TEXT), 5, 30),
        accommodations=tuple(
            Accommodation(f"a{i}", filled(SHORT_TEXT), 1.0) for i in range(MAX_ACCOMMODATIONS)
        ),
        questions=(
            Question("q1", filled(MEDIUM_TEXT), filled(MEDIUM_TEXT), 20, 1, 60, 1),
            Question(
                "q2", filled(MEDIUM_TEXT), filled(MEDIUM_TEXT), 20, 0, 600, 0, answer_type="text"
            ),
        ),
    )


def write_longest_kit(folder: Path) -> Path:
    path = folder / "longest.onetakekit"
    save_kit(longest_kit(), path)
    return path


def on_screen(w: CandidateWindow, widget: QWidget) -> bool:
    top_left = widget.mapTo(w, QPoint(0, 0))
    return w.rect().contains(QRect(top_left, widget.size()))


def in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def in_view(w: CandidateWindow, widget: QWidget) -> bool:
    """The whole of ``widget`` shows: inside the window and inside every scroll area it is in
    (a part scrolled out of view is cut off for someone who does not scroll)."""
    shown = QRect(widget.mapTo(w, QPoint(0, 0)), widget.size())
    if not w.rect().contains(shown):
        return False
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            port = parent.viewport()
            if not QRect(port.mapTo(w, QPoint(0, 0)), port.size()).contains(shown):
                return False
        parent = parent.parentWidget()
    return True


def check_fits(w: CandidateWindow, width: int, height: int, where: str) -> list[str]:
    """Problems on the current page: the window past the screen, an action or a clock cut off,
    a self-view or a take's picture and its Play row not wholly in view (review s11 #6)."""
    QApplication.processEvents()
    problems = []
    if w.width() > width or w.height() > height:
        problems.append(f"{where}: window {w.width()}x{w.height()} > screen {width}x{height}")
    page = w.page
    actions = [b for b in page.findChildren(QPushButton) if b.isVisible() and not in_scroll_area(b)]
    if not actions and where not in ("send",):
        problems.append(f"{where}: no action button visible")
    for b in actions:
        if not on_screen(w, b) or b.height() < 20:
            problems.append(f"{where}: button {b.text()!r} is cut off")
    for area in page.findChildren(QScrollArea):
        if area.isVisible() and area.horizontalScrollBar().maximum() > 0:
            problems.append(f"{where}: the page is wider than the window (scrolls sideways)")
    for clock in page.findChildren(ClockRing):
        if clock.isVisible() and not on_screen(w, clock):
            problems.append(f"{where}: a clock is cut off")
    for preview in page.findChildren(Preview):
        if preview.isVisible() and not in_view(w, preview):
            problems.append(f"{where}: the camera self-view is cut off")
    for player in page.findChildren(TakePlayer):
        if not player.isVisible() or player.path is None:  # a take shown: all of it in view
            continue
        if not in_view(w, player.stack):
            problems.append(f"{where}: the take's picture is cut off")
        if not (in_view(w, player.play_button) and in_view(w, player.position)):
            problems.append(f"{where}: the take's Play row is cut off")
    return problems


def press_shortcut(
    w: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier, timeout: float = 10.0
) -> list[str]:
    """Press a shortcut and return once its click has been delivered: a button's shortcut holds
    the button down and clicks it 100 ms later (QAbstractButton.animateClick), which a fixed
    wait missed on a busy machine. Returns the texts of the buttons the key clicked (none: no
    button here has that shortcut, or its button is disabled)."""
    import time

    from shiboken6 import isValid

    def down(button: QAbstractButton) -> bool:
        return isValid(button) and button.isDown()

    before = [b for b in w.findChildren(QAbstractButton) if b.isDown()]
    QTest.keyClick(w, key, modifiers)
    held = [b for b in w.findChildren(QAbstractButton) if b.isDown() and b not in before]
    clicked = [b.text() for b in held]
    end = time.monotonic() + timeout
    while any(down(b) for b in held) and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.005)
    assert not any(down(b) for b in held), f"the shortcut's click on {clicked} never came"
    QApplication.processEvents()  # what the click posted
    return clicked


def wait_saved(w: CandidateWindow, timeout: float = 30.0) -> None:
    """After Stop (or the time limit) the recorder finishes the take in the background; the
    window counts it when the recorder's queued signal arrives. Let that happen."""
    import time

    end = time.monotonic() + timeout
    while w.service.finishing and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)
    assert not w.service.finishing, "the take was saved and counted"


def walk(
    w: CandidateWindow,
    clock: ManualClock,
    check: Check,
    reopen: Callable[[], CandidateWindow] | None = None,
) -> None:
    """Every page and state in order; ``check(window, name)`` at each."""
    service = w.service
    s = service.session

    def wait_recorded(seconds: float) -> None:
        import time

        end = time.monotonic() + 15
        while service.take_elapsed() < seconds and time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.01)

    def step() -> None:
        w.tick()
        QApplication.processEvents()

    check(w, "welcome")
    w.act(service.begin)
    check(w, "privacy")
    service.give_consent("Alexandra Example-Longname", "alex@example.org")
    QApplication.processEvents()
    check(w, "devices")
    assert service.capture is not None, "the devices opened"
    w.act(service.confirm_devices)
    if s.step == "practice":
        check(w, "practice")
        w.act(service.start_practice)
        clock.advance(1)
        step()
        check(w, "practice-thinking")
        w.act(service.practice_answer_now)
        wait_recorded(0.5)
        clock.advance(1)
        step()
        check(w, "practice-recording")
        w.act(service.stop_practice)
        wait_saved(w)
        check(w, "practice-playback")
        w.act(service.finish_practice)
    shot_ready = shot_live = shot_text = False
    while s.step == "questions":
        q = s.question
        if not shot_ready:
            check(w, "question-ready")
            shot_ready = True
        w.act(service.show_question)
        if s.answer_type(q) == "text":
            if str(s.answer.phase) == "thinking":
                clock.advance(1)
                step()
                check(w, "question-text-thinking")
                w.act(service.start_writing)
            page = w.pages["questions"]
            page.editor.setPlainText("I would thank them and explain the next steps.")  # type: ignore[attr-defined]
            clock.advance(1)
            step()
            if not shot_text:
                check(w, "question-writing")
                shot_text = True
            page._save_text()  # type: ignore[attr-defined]
            continue
        clock.advance(1)
        step()
        if not shot_live:
            check(w, "question-thinking")
        w.act(service.start_answer)
        wait_recorded(0.5)
        clock.advance(max(1.0, s.answer_min(q)) + 0.5)
        step()
        if not shot_live:
            check(w, "question-recording")
        w.act(service.stop_answer)
        wait_saved(w)
        if not shot_live:
            check(w, "question-choose-take")
            shot_live = True
        w.act(lambda: service.keep_take(s.answer.takes[-1].number))
    check(w, "review")
    review = w.page
    played = next(q.id for q in s.kit.questions if s.answer_type(q) != "text")
    review._play(played)  # type: ignore[attr-defined]  # the page scrolls to its player
    check(w, "review-playing")
    review.player.stop()  # type: ignore[attr-defined]
    if reopen is not None:
        again = reopen()
        check(again, "resume")
        again.close()
    w.sealing = True
    w.sync()
    check(w, "send")
    w.sealing = False
    w.sync()
    w.do_send()
    QApplication.processEvents()
    assert s.step == "sent", "the answers were sealed"
    check(w, "sent")
    w.pages["sent"].delete_button.click()  # type: ignore[attr-defined]
    assert service.cleared, "the candidate's data was deleted (make() confirms)"
    check(w, "sent-cleared")


def make(
    kit: Path,
    clock: ManualClock,
    out: Path,
    capture_factory: CaptureFactory = real_capture,
    **options: object,
) -> CandidateWindow:
    """The window on the manual clock; the recorder keeps real time (it captures real frames),
    so it gets a capture factory on the system clock."""
    context = AppContext.from_environment()._replace(clock=clock, capture_factory=capture_factory)
    options.setdefault("camera", SMALL_CAMERA)
    options.setdefault("mic", "synthetic")
    options.setdefault("confirm", lambda title, text: True)
    window = open_candidate_window(
        kit, context, choose_bundle_path=lambda suggested: out, **options
    )
    assert isinstance(window, CandidateWindow)
    return window
