"""The candidate window: a thin frame that stacks one page per step (ui/candidate/pages/).

The window owns one ~30 Hz QTimer: it advances the service's clocks (``service.tick()``), pulls
the newest camera picture and microphone level, and repaints the clocks. The service calls its
listeners on this (GUI) thread, so every listener may touch widgets. The window never grows
past the screen: pages scroll their bodies and keep their actions and clocks in view.
"""

from __future__ import annotations

import importlib
from _weakref import ref  # weakref's C half: PySide6's import hook reads weakref.py (~0.7 M)
from collections.abc import Callable, Iterator, Mapping

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.candidate import (
    TEXT_SCALES,
    CandidatePrefs,
    CandidateService,
    load_candidate_prefs,
    save_candidate_prefs,
)
from onetake_desktop.ui.candidate.pages.base import Page
from onetake_desktop.ui.candidate.widgets import (
    ClockRing,
    ElidedLabel,
    NoticeBox,
    StepIndicator,
    TakePlayer,
    label,
    make_all_selectable,
    selectable_once_styled,
)
from onetake_desktop.ui.widgets.qt_numbers import TextFormat, set_properties

# typing's TYPE_CHECKING is not imported: this module loads after PySide6, whose import hook
# reads the source of each module an import statement names (typing.py: ~2.6 M instructions
# before the candidate window's first paint; issue 17). mypy reads any TYPE_CHECKING alike.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path  # as typing: where a path is made, pathlib is imported there
    from typing import Any

    from PySide6.QtGui import QShowEvent

__all__ = ["CandidateWindow", "candidate_style"]


def candidate_style(scale: float = 1.0) -> str:
    """Candidate mode's additions to the app style, at the chosen text size."""

    def pt(size: float) -> str:
        return f"{size * scale:.1f}pt"

    return (
        f"""
QWidget {{ font-size: {pt(11)}; }}
QLabel#Title {{ font-size: {pt(18)}; font-weight: 600; color: #1d2430; }}
QLabel#Subtitle {{ font-size: {pt(12)}; color: #3c4657; }}
QLabel#Question {{ font-size: {pt(15)}; font-weight: 600; color: #1d2430; }}
QLabel#Fact {{ font-size: {pt(12)}; }}
QLabel#StepLabel {{ color: #4a5568; padding: 3px 6px; border-radius: 10px; }}
QLabel#StepLabel[state="done"] {{ color: #1f5fa8; }}
QLabel#StepLabel[state="current"] {{ color: #ffffff; background: #1f5fa8; font-weight: 600; }}
QLabel#StepArrow {{ color: #7a8594; }}
QLabel#Pill {{ background: #eef3f9; color: #1d2430; border: 1px solid #b8c2d0;
  border-radius: 12px; padding: 4px 12px; font-weight: 600; }}
QLabel#Banner {{ background: #fff4e5; color: #5c3d00; border: 1px solid #e0b25c;
  border-radius: 8px; padding: 8px 12px; }}
QLabel#Deadline {{ background: #fdecea; color: #7a1a12; border: 1px solid #e3a29b;
  border-radius: 8px; padding: 6px 12px; font-weight: 600; }}
QScrollArea#Notices[short="yes"] QLabel#Banner, QScrollArea#Notices[short="yes"] QLabel#Deadline {{
  padding: 2px 8px; }}
QFrame#NoticesFocus {{ border: 2px solid #1f5fa8; border-radius: 4px; background: transparent; }}
QFrame#Trust {{ background: #eef3f9; border: 1px solid #b8c2d0; border-radius: 8px; }}
QFrame#Trust[signed="no"] {{ background: #fff4e5; border-color: #e0b25c; }}
QLabel#TrustNotice {{ font-weight: 600; color: #1d2430; }}
QLabel#Error {{ color: #b42318; font-weight: 600; }}
QWidget#CandidateWindow {{ background: #f6f7f9; }}
QScrollArea, QScrollArea > QWidget > QWidget {{ background: transparent; border: none; }}
QPushButton#DangerButton:focus {{ border: 2px solid #4a0a05; }}
QPushButton#DangerButton:disabled {{ background: #f1d0cc; border-color: #e6b8b2; color: #7a4a45; }}
QCheckBox:focus, QRadioButton:focus {{ border: 2px solid #1f5fa8; border-radius: 4px; }}
QCheckBox, QRadioButton {{ border: 2px solid transparent; padding: 2px; }}
QLabel:focus {{ border: 2px solid #1f5fa8; border-radius: 4px; }}
"""
        + (
            # The app's button height (min-height 22px) as the text grows: a short page gave its
            # buttons that minimum, and their words were cut at 150-200 % text. Not at 100 %.
            f"QPushButton {{ min-height: {round(23 * scale)}px; }}\n" if scale > 1.0 else ""
        )
    )


if TYPE_CHECKING:  # annotations only
    Confirm = Callable[[str, str], bool]
    ChoosePath = Callable[[Path], Path | None]


def _ask(parent: QWidget) -> Confirm:
    def confirm(title: str, text: str) -> bool:
        # Issue 17: Qt classes of dialogs (and the Qt namespace: qt_numbers.py) load when asked.
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the text may quote a kit's address
        box.setText(text)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    return confirm


def _tell(parent: QWidget, title: str, text: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton("Copy the note", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is copy:
        QGuiApplication.clipboard().setText(text)


def _open_in_browser(url: str) -> None:
    # Issue 17: QUrl and QDesktopServices load with the first link the candidate agrees to open
    # (naming a Qt class makes PySide6 build its Python enums).
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl(url))


def _plain_labels(widget: QWidget) -> None:
    """Plain text everywhere (QLabel's default would guess "rich text" from a "<"); only the
    safe-subset link labels, which escape every character they show, are rich text."""
    for lab in widget.findChildren(QLabel):
        if not lab.property("safe_link"):
            set_properties(lab, textFormat=TextFormat.PlainText)  # by number (qt_numbers.py)


# The window's pages in the order of the steps: (module under ui/candidate/pages/, class).
# A page's module is imported when the page is first built (issue 17: a candidate sees one
# page at first; the others' imports, the upload client among them, wait until needed).
PAGES: dict[str, tuple[str, str]] = {
    "resume": ("resume", "ResumePage"),
    "welcome": ("welcome", "WelcomePage"),
    "privacy": ("privacy", "PrivacyPage"),
    "devices": ("devices", "DevicesPage"),
    "practice": ("practice", "PracticePage"),
    "questions": ("question", "QuestionPage"),
    "review": ("review", "ReviewPage"),
    "send": ("sent", "SendPage"),
    "sent": ("sent", "SentPage"),
}


def page_class(name: str) -> Callable[[CandidateWindow], Page]:
    """The class of the page for step ``name`` (see PAGES)."""
    module, cls = PAGES[name]
    page: Callable[[CandidateWindow], Page] = getattr(
        importlib.import_module(f"onetake_desktop.ui.candidate.pages.{module}"), cls
    )
    return page


class _Pages(Mapping[str, Page]):
    """The candidate window's pages by step name, each built (its labels made plain text,
    added to the window's stack) the first time it is looked up."""

    def __init__(self, window: CandidateWindow) -> None:
        self._window = window
        self._built: dict[str, Page] = {}

    def __getitem__(self, name: str) -> Page:
        page = self._built.get(name)
        if page is None:
            # Built before the window is first shown (its first page): most labels turn
            # selectable when it is shown, after Qt has laid the page out (issue 17).
            window = self._window
            until_shown = None if window.isVisible() else window.until_shown
            with selectable_once_styled(until_shown) as styled:
                page = page_class(name)(self._window)
                _plain_labels(page)
                self._window.stack.addWidget(page)
                if window.short:
                    page.set_short(True)
                styled.append(page)
            self._built[name] = page
        return page

    def __iter__(self) -> Iterator[str]:
        return iter(PAGES)

    def __len__(self) -> int:
        return len(PAGES)

    def built(self) -> list[Page]:
        """The pages built so far (looking at them builds no other)."""
        return list(self._built.values())


# "A take has finished": the wake-ups' own event type (a number Qt hands out once per process).
_TAKE_FINISHED = QEvent.Type(QEvent.registerEventType())


class _TakeFinished(QEvent):
    """Carries a window's token, never the window: the thread that posts it holds nothing
    the GUI thread may delete."""

    def __init__(self, token: int) -> None:
        super().__init__(_TAKE_FINISHED)
        self.token = token


class _TakeWakeups(QObject):
    """Brings a finished take's report onto the GUI thread, to the window still there for it.

    Threads: ``wake(token)`` may be called on any thread (the recorder's writer thread) and
    only posts an event to this object; ``register``, ``drop`` and the delivery run on the
    GUI thread. One parentless instance lives for the whole process (``_take_wakeups``): a
    post to a window's own child could meet the window's deletion half-way, and a window's
    token is dropped when it closes or is destroyed, so a late report finds nobody and does
    nothing. A posted event, always queued as a queued signal connection was, without its
    Qt.ConnectionType: naming the Qt namespace costs the window's start-up ~120 M
    instructions (ui/widgets/qt_numbers.py)."""

    def __init__(self) -> None:
        super().__init__()
        self._windows: dict[int, ref[CandidateWindow]] = {}
        self._last = 0

    def register(self, window: CandidateWindow) -> int:
        """The window is held weakly: this bridge, which lives for the process, does not keep
        alive a window that nothing else does."""
        self._last += 1
        self._windows[self._last] = ref(window)
        return self._last

    def drop(self, token: int) -> None:
        self._windows.pop(token, None)

    def wake(self, token: int) -> None:
        QCoreApplication.postEvent(self, _TakeFinished(token))

    def event(self, event: QEvent) -> bool:
        if not isinstance(event, _TakeFinished):
            return super().event(event)
        window = self._windows.get(event.token)
        if window is not None and (alive := window()) is not None:
            alive.take_finished()
        return True


_wakeups: _TakeWakeups | None = None


def _take_wakeups() -> _TakeWakeups:
    """The process's one bridge, made by the first window: on the GUI thread, which a
    QObject's events are delivered on (the thread that made it). Kept for the process's life:
    nothing deletes it while a writer thread may post to it."""
    global _wakeups
    if _wakeups is None:
        _wakeups = _TakeWakeups()
    return _wakeups


class CandidateWindow(QWidget):
    """Candidate mode. Options for tests and demos: ``choose_bundle_path`` (instead of the save
    dialog), ``confirm`` (instead of questions), ``tell`` (instead of notes) and ``open_url``."""

    def __init__(
        self,
        service: CandidateService,
        *,
        camera: str | None = None,
        mic: str | None = None,
        choose_bundle_path: ChoosePath | None = None,
        choose_copy_path: ChoosePath | None = None,
        confirm: Confirm | None = None,
        tell: Callable[[str, str], None] | None = None,
        open_url: Callable[[str], None] | None = None,
        prefs_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.camera_default = camera
        self.mic_default = mic
        self.self_view = True
        self.sealing = False
        self.closing = False
        # Closing was confirmed while a stopped take is still being saved: the window closes
        # when the recorder reports it finished (it is kept and counts), showing "Saving your
        # answer…" meanwhile instead of waiting on the encoder.
        self.close_when_saved = False
        self._question_shown = service.session.state.current  # what a notice may be about
        self.choose_bundle_path = choose_bundle_path or self._ask_bundle_path
        self.choose_copy_path = choose_copy_path or self._ask_copy_path
        self.confirm = confirm or _ask(self)
        self.tell = tell or (lambda title, text: _tell(self, title, text))
        self.open_url = open_url or _open_in_browser
        self.prefs_path = prefs_path
        self.prefs: CandidatePrefs = load_candidate_prefs(prefs_path)
        # A screen short for the text size (see _fit_height): one header row, tighter spacing.
        self.short = False
        self._warned: set[tuple[int, str]] = set()  # (clock, phase) pairs already announced
        self._deadline_told = ""  # the deadline notice a screen reader was last told
        # Labels of pages built before the window is shown, made selectable in showEvent.
        self.until_shown: list[QLabel] = []
        self.setObjectName("CandidateWindow")
        kit = service.kit
        self.setWindowTitle(f"OneTake: {kit.role_title}, {kit.organisation}")
        self.setStyleSheet(candidate_style(self.prefs.text_scale))

        # The window's labels are made selectable once it has its style (and each page's,
        # see _Pages): a selectable label's text is laid out again at each change of font.
        with selectable_once_styled() as styled:
            self.header = header = QHBoxLayout()
            header.addWidget(ElidedLabel(f"{kit.organisation} · {kit.role_title}", "Hint"), 1)
            self.text_size = label("", "Hint", wrap=False)
            self.text_size.setAccessibleName("Text size")
            header.addWidget(self.text_size)
            self.steps = StepIndicator(service.session.step)
            self.deadline = label("", "Deadline")
            self.deadline.setAccessibleName("Deadline")
            self.deadline.hide()
            self.banner = label("", "Banner")
            self.banner.setAccessibleName("Notice")
            self.banner.hide()
            # The newest notice on top; squeezed, the box scrolls (NoticeBox).
            self.notices = NoticeBox(self.banner, self.deadline)
            self.stack = QStackedWidget()
            # Each page is built the first time it is asked for (issue 17): nine pages cost ~100 ms
            # before the first paint, and a candidate sees one. build_all_pages() for checks.
            self.pages = _Pages(self)
            layout = QVBoxLayout(self)
            layout.setContentsMargins(20, 10, 20, 12)
            layout.setSpacing(8)
            layout.addLayout(header)
            layout.addWidget(self.steps)
            layout.addWidget(self.notices)
            layout.addWidget(self.stack, 1)
            self.setToolTip(
                "Keyboard: Tab moves between controls, Space presses the focused one, Ctrl+Enter "
                "goes on, Ctrl+plus and Ctrl+minus change the text size."
            )
            QShortcut(QKeySequence("Escape"), self, self.banner.hide)
            for keys, step in (("Ctrl++", 1), ("Ctrl+=", 1), ("Ctrl+-", -1), ("Ctrl+0", 0)):
                QShortcut(QKeySequence(keys), self, lambda s=step: self.change_text_size(s))
            self._show_text_size()
            self._fit_screen()
            _plain_labels(self)  # and each page's as it is built
            styled.append(self)

        service.listeners.append(self.sync)
        service.error_listeners.append(self.show_error)
        service.notice_listeners.append(self.show_notice)
        # A stopped take is saved in the background ("Saving your answer…"); it is counted
        # here, on the GUI thread, as soon as the recorder reports it.
        # The report reaches this window through the process's one bridge, by token only.
        wakeups = _take_wakeups()
        token = wakeups.register(self)
        self._wake_token = token
        self._wake: Callable[[], None] = lambda: wakeups.wake(token)
        service.take_wakeups.append(self._wake)
        # A window deleted without its close event: no report reaches it any more. The slot
        # holds no reference to the window (the connection would keep it alive).
        self.destroyed.connect(lambda: wakeups.drop(token))
        self.timer = QTimer(self)
        self.timer.setInterval(33)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self._screen_guard: QObject | None = None
        self._guard_screen_at_large_text()
        self.sync()

    def showEvent(self, event: QShowEvent) -> None:
        # Laid out at its size by now, painted after: see selectable_once_styled.
        make_all_selectable(self.until_shown)
        super().showEvent(event)
        QTimer.singleShot(0, self, self._tell_deadline)  # shown by now (sync ran before)

    # -- size and text size ---------------------------------------------------------------------
    def _fit_screen(self) -> None:
        """Open at a comfortable size that never exceeds the screen's free area."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        free = screen.availableGeometry()
        self.fit_to(free.width(), free.height())

    def fit_to(self, width: int, height: int) -> None:
        """Fit a screen of this size (device-independent pixels): at most that big, and
        never grown past it by long texts. Tests call it to emulate small screens."""
        self.setMaximumSize(width, height)
        self._fit_height()
        self.resize(min(1100, width), min(760, height))

    def _fit_height(self) -> None:
        """On a screen short for the text size (under 400 px a text size: 1366x768 at 150 %,
        512 px high, from 130 % text; 1024x600 from 175 %) the rows above the page took the
        height the page needs: at 200 % the practice and question pages asked for 538-540 px
        and their buttons ran off the bottom of the screen. There the steps share the
        header's row, in one line ("Step 4 of 7: Practice"), the margins and spacing tighten,
        and each page makes its own room (Page.set_short)."""
        short = self.maximumHeight() < 400 * self.prefs.text_scale
        if short == self.short:
            return
        self.short = short
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.steps)
        if short:
            self.header.insertWidget(1, self.steps)
        else:
            layout.insertWidget(1, self.steps)
        self.steps.set_one_line(short)
        layout.setContentsMargins(*((12, 4, 12, 6) if short else (20, 10, 20, 12)))
        layout.setSpacing(4 if short else 8)
        self._show_text_size()
        self.notices.set_short(short)
        for page in self.pages.built():
            page.set_short(short)

    def _guard_screen_at_large_text(self) -> None:
        """From 150 % text, a page's row of buttons can for a moment (while its buttons
        change) ask for more width than the screen has: Qt then grows the window past its
        maximum for good (its minimum wins), and every later page runs past the screen's
        edge. A filter brings the window back within its maximum once the layout has settled.
        Not at smaller text: nothing at the first paint (issue 17)."""
        if self.prefs.text_scale < 1.5 or self._screen_guard is not None:
            return
        from onetake_desktop.ui.candidate.within_screen import WithinMaximum

        self._screen_guard = WithinMaximum(self)
        self.installEventFilter(self._screen_guard)

    def change_text_size(self, step: int) -> None:
        """Ctrl+plus / Ctrl+minus / Ctrl+0: remembered on this computer."""
        scales = list(TEXT_SCALES)
        now = min(range(len(scales)), key=lambda i: abs(scales[i] - self.prefs.text_scale))
        index = scales.index(1.0) if step == 0 else max(0, min(len(scales) - 1, now + step))
        self.prefs = self.prefs._replace(text_scale=scales[index])
        self.setStyleSheet(candidate_style(self.prefs.text_scale))
        self._guard_screen_at_large_text()
        self._fit_height()
        self._show_text_size()
        try:
            save_candidate_prefs(self.prefs, self.prefs_path)
        except OSError as error:
            self.show_error(OneTakeError(f"The text size could not be remembered ({error})."))

    def _show_text_size(self) -> None:
        # On a short screen the keys are in the window's tooltip only: the row is shared.
        keys = "" if self.short else " (Ctrl +/-)"
        self.text_size.setText(f"Text {round(self.prefs.text_scale * 100)} %{keys}")

    def set_beep(self, on: bool) -> None:
        self.prefs = self.prefs._replace(beep=on)
        try:
            save_candidate_prefs(self.prefs, self.prefs_path)
        except OSError as error:
            self.show_error(OneTakeError(f"The setting could not be remembered ({error})."))

    # -- plumbing ------------------------------------------------------------------------------
    def build_all_pages(self) -> None:
        """Build every page now (tests that check all of them: plain text, names, layout)."""
        for name in PAGES:
            self.pages[name]

    def page_name(self) -> str:
        if self.service.resumable:
            return "resume"
        if self.sealing:
            return "send"
        return self.service.session.step

    @property
    def page(self) -> Page:
        return self.pages[self.page_name()]

    def sync(self) -> None:
        if self.closing:
            return
        name = self.page_name()
        step = self.service.session.step
        self.steps.set_step("sent" if name == "send" else step)
        notice = self.service.deadline_notice()
        self.deadline.setText(notice)
        self.deadline.setVisible(bool(notice))
        self._tell_deadline()
        page = self.pages[name]
        page.sync()
        page.fit_actions()  # (its buttons' words may have changed)
        current = self.service.session.state.current
        # A notice is about the page or question it came on (walk s14 W4, W5): the next
        # question does not inherit it.
        if self.stack.currentWidget() is not page or current != self._question_shown:
            self.banner.hide()
        self._question_shown = current
        if self.stack.currentWidget() is not page:
            self.stack.setCurrentWidget(page)
        page.fit_players_later()  # (a view with a take's player may have come up)

    def tick(self) -> None:
        self.page.before_tick()
        try:
            self.service.tick()
        except OneTakeError as error:
            self.show_error(error)
        self.page.refresh()
        self._close_if_saved()

    def take_finished(self) -> None:
        """The recorder reported a finished take (GUI thread; see _TakeWakeups)."""
        if not self.closing:
            self.act(self.service.collect_finished)
            self._close_if_saved()

    def _close_if_saved(self) -> None:
        if self.close_when_saved and not self.closing and not self.service.finishing:
            self.close()

    def act(self, fn: Callable[[], Any]) -> None:
        """Run one user action; a problem becomes one calm sentence in the banner."""
        try:
            fn()
        except OneTakeError as error:
            self.show_error(error)
        self.sync()

    def show_error(self, error: BaseException) -> None:
        self.show_notice(str(error))

    def show_notice(self, sentence: str) -> None:
        self.banner.setText(sentence)
        self.banner.show()
        self.notices.show_top()
        # The page lost height to the notice: once laid out again, a take it showed whole
        # (its picture and Play row) is brought back into view.
        QTimer.singleShot(0, self, lambda: self.page.keep_in_view())
        self._announce(self.banner, sentence)

    def _tell_deadline(self) -> None:
        """A screen reader hears the deadline notice when it first shows, as it hears the
        banner: it used to learn of it only by reading the window through."""
        notice = self.deadline.text() if self.deadline.isVisible() else ""
        if notice and notice != self._deadline_told:
            self._deadline_told = notice
            self._announce(self.deadline, notice)

    def _announce(self, widget: QWidget, sentence: str) -> None:
        """Tell a screen reader now (not only when it next reads the widget)."""
        from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

        event = QAccessibleAnnouncementEvent(widget, sentence)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
        QAccessible.updateAccessibility(event)

    def countdown(self, clock: ClockRing, remaining: float, what: str) -> None:
        """The last 10 s of a clock: its colour changes, and once per clock and phase a screen
        reader hears it (and, if the candidate asked for it, a short beep)."""
        warn = 0 < remaining <= 10.0
        clock.set_warning(warn)
        key = (id(clock), f"{what}:{self.service.session.state.current}:{clock.total:.0f}")
        if not warn:
            if remaining > 10.5:
                self._warned.discard(key)
            return
        if key in self._warned:
            return
        self._warned.add(key)
        self._announce(clock, f"{what}: 10 seconds left")
        if self.prefs.beep:
            QApplication.beep()

    def ask(self, title: str, text: str) -> bool:
        """Ask; nothing runs on behind a question: a take under way ends and does not count."""
        stopped = self.service.interrupt()
        if stopped:
            self.sync()
        answer = self.confirm(title, text)
        if stopped:
            self.show_notice(stopped)
        return answer

    def open_link(self, url: str) -> None:
        """A link in a kit text: show the whole address and ask before the browser opens it."""
        if not (url.startswith("https://") or url.startswith("mailto:")):
            return
        what = "write an email to" if url.startswith("mailto:") else "open this address:"
        if self.ask("Open a link?", f"This will {what}\n\n{url}\n\nin your browser. Go on?"):
            self.open_url(url)

    def show_contact_note(self) -> None:
        kit = self.service.kit
        self.tell(
            "Contact the employer",
            f"Send this note to {kit.contact}:\n\n{self.service.contact_note()}",
        )

    # -- resume ----------------------------------------------------------------------------------
    def do_resume(self) -> None:
        try:
            recovered = self.service.resume()
        except OneTakeError as error:
            self.show_error(error)
            return
        self.sync()
        said = self.service.recovered_sentence() if recovered else ""
        if said:  # which take is selected, and why (walk s14 W2)
            self.show_notice(said)

    def do_start_over(self) -> None:
        if self.ask(
            "Start over?",
            "Start the interview again from the beginning? The takes you have used still "
            "count, and the employer will see that you started over. Your earlier recordings "
            "are set aside on this computer, not sent.",
        ):
            self.act(self.service.start_over)

    def do_delete_recordings(self) -> None:
        if not self.ask("Delete your data from this computer?", self.service.delete_question()):
            return
        from onetake_desktop.ui.candidate.pages.sent import SentPage

        sent = self.pages["sent"]
        if isinstance(sent, SentPage) and sent.sending():
            sent.stop_upload()  # the file it reads stays; the question said who sends it now
        self.act(self.service.delete_recordings)

    def do_start_new(self) -> None:
        """A new person's interview on this computer (the service decides when it may start):
        every page is built again, so nothing typed, played or shown for the last one stays."""
        if not self.service.can_start_new():
            return
        if not self.ask("Start a new interview?", self.service.start_new_question()):
            return
        self._forget_pages()
        self._warned.clear()
        self.banner.hide()
        self.act(self.service.start_new)

    def _forget_pages(self) -> None:
        from onetake_desktop.ui.candidate.pages.sent import SentPage

        for page in self.pages.built():
            for player in page.findChildren(TakePlayer):
                player.stop()
            if isinstance(page, SentPage):
                page.stop_upload()
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages = _Pages(self)

    # -- sending ---------------------------------------------------------------------------------
    def _ask_bundle_path(self, suggested: Path) -> Path | None:
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self, "Save your sealed answers", str(suggested), "OneTake bundles (*.onetake)"
        )
        if not path:
            return None
        out = Path(path)
        return out if out.suffix == ".onetake" else out.with_name(out.name + ".onetake")

    def _ask_copy_path(self, sealed: Path) -> Path | None:
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self, "Save a copy of your sealed answers", str(Path.home() / sealed.name)
        )
        return Path(path) if path else None

    def do_send(self) -> None:
        from pathlib import Path

        if not self.service.can_seal():
            self.show_notice(self.service.deadline_notice())
            return
        suggested = Path.home() / self.service.default_bundle_name()
        out = self.choose_bundle_path(suggested)
        if out is None:
            return
        self.service.close_devices()
        self.sealing = True
        from onetake_desktop.ui.candidate.pages.sent import SendPage

        page = self.pages["send"]
        assert isinstance(page, SendPage)
        page.progress.setValue(0)
        self.sync()

        def progress(done: int, total: int) -> None:
            page.progress.setValue(int(100 * done / total) if total else 100)

        def finished(receipt: Any) -> None:
            self.sealing = False
            page.progress.setValue(100)
            self.act(lambda: self.service.mark_sent(receipt))

        def failed(error: BaseException) -> None:
            self.sealing = False
            self.sync()
            sentence = (
                str(error)
                if isinstance(error, OneTakeError)
                else (
                    f"The answers could not be sealed ({error}). Nothing was lost; "
                    "please try again."
                )
            )
            self.show_error(OneTakeError(sentence))

        from onetake_desktop.ui.tasks import run_task

        run_task(lambda report: self.service.seal_bundle(out, report), finished, failed, progress)

    # -- closing ---------------------------------------------------------------------------------
    def in_progress(self) -> bool:
        return self.service.session.step not in ("welcome", "sent") and not self.service.resumable

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.sealing:
            self.show_error(OneTakeError("Please wait until your answers are sealed."))
            event.ignore()
            return
        if not self.close_when_saved:  # asked once: the second close() is the promised one
            if self.in_progress():
                text = (
                    "Leave the interview now? Everything you have done so far is saved on this "
                    "computer: open the same kit again to carry on where you left off."
                )
                recording = self.service.recording
                if recording:
                    # Walk s14 W6: a misclick on X must not cost the answer being given, so the
                    # take goes on behind this question (the one dialog that lets it: "No"
                    # means "go on answering"); it stops, uncounted, only once they leave.
                    text = (
                        "You are recording an answer. If you leave, the recording stops and "
                        "does not count; choose No to go on answering. " + text
                    )
                    leave = self.confirm("Leave the interview?", text)
                else:
                    leave = self.ask("Leave the interview?", text)
                if not leave:
                    event.ignore()
                    return
                if recording and self.service.recording:
                    self.service.interrupt()  # (if the time limit ended it meanwhile, it counts)
            from onetake_desktop.ui.candidate.pages.sent import SentPage

            sent = self.pages["sent"]
            assert isinstance(sent, SentPage)
            if sent.sending():
                if not self.confirm(
                    "Stop sending?",
                    "Your answers are still being sent. Close anyway? Sending goes on from where "
                    "it stopped when you open this interview again.",
                ):
                    event.ignore()
                    return
                sent.stop_upload()
        if self.service.finishing:
            # The pages show the saving state, in which nothing acts on a take (Stop is off).
            self.close_when_saved = True
            self.sync()
            event.ignore()
            return
        self.closing = True
        self.timer.stop()
        for page in self.pages.built():
            for player in page.findChildren(TakePlayer):
                player.stop()
            page.settle()  # before the devices close: a late opening's are closed too
        # Nothing is left to save here. A take a dialog stopped (discarded) had the whole
        # question to finish in; its file is deleted before the devices close.
        self.service.close()
        _take_wakeups().drop(self._wake_token)
        if self._wake in self.service.take_wakeups:
            self.service.take_wakeups.remove(self._wake)
        event.accept()
