"""The start screen: "I am a candidate", "I review interviews" or "I prepare interviews"."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from onetake_desktop.paths import resource
from onetake_desktop.services.context import AppContext
from onetake_desktop.ui.widgets.qt_numbers import set_properties

# Not typing's: PySide6's import hook reads the source of each module an import statement
# names once PySide6 is loaded, and typing (3,500 lines) is named by no other module of the
# start screen's path after it (issue 17). mypy reads this as typing.TYPE_CHECKING.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

DEMO_KIT = resource("kits", "demo.onetakekit")


class StartWindow(QWidget):
    """Two clear doors: take an interview, or review them."""

    def __init__(self, context: AppContext, demo_kit: Path = DEMO_KIT) -> None:
        super().__init__()
        self.context = context
        self.demo_kit = demo_kit
        self.child: QWidget | None = None
        self.problem: QMessageBox | None = None  # the last "could not open" box (tests read it)
        self.setObjectName("StartWindow")
        self.setWindowTitle("OneTake")
        self.resize(860, 500)

        title = QLabel("Welcome to OneTake")
        title.setObjectName("Title")
        subtitle = QLabel(
            "One-way interviews that work offline. Nothing leaves this computer unless you send it."
        )
        subtitle.setObjectName("Subtitle")
        subtitle.setWordWrap(True)

        self.candidate_button = self._door(
            "I am a candidate",
            "Take an interview from a kit file. The demo interview opens if you have none.",
            "Ctrl+1",
        )
        self.reviewer_button = self._door(
            "I review interviews",
            "Import submissions, watch the answers and score them against the rubric.",
            "Ctrl+2",
        )
        self.author_button = self._door(
            "I prepare interviews",
            "Write the questions and rubrics, check them against good practice, build the kit.",
            "Ctrl+3",
        )
        self.open_kit_button = QPushButton("&Open another interview kit…")
        self.open_kit_button.setObjectName("LinkButton")
        self.open_kit_button.setAccessibleName("Open an interview kit file")

        doors = QHBoxLayout()
        doors.setSpacing(24)
        doors.addWidget(self.candidate_button)
        doors.addWidget(self.reviewer_button)
        doors.addWidget(self.author_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 32)
        layout.setSpacing(16)
        header = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(QIcon(str(resource("icons", "onetake.svg"))).pixmap(56, 56))
        logo.setAccessibleName("OneTake logo")
        header.addWidget(logo)
        header.addSpacing(12)
        header.addWidget(title, 1)
        layout.addLayout(header)
        layout.addWidget(subtitle)
        layout.addSpacing(16)
        layout.addLayout(doors, 1)
        # At its own width, on the left: a Maximum width policy does what AlignLeft would
        # (whose flag is in the Qt namespace; see ui/widgets/qt_numbers.py).
        self.open_kit_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.open_kit_button)
        layout.addStretch(0)

        self.candidate_button.clicked.connect(lambda: self.open_candidate(self.demo_kit))
        self.reviewer_button.clicked.connect(self.open_reviewer)
        self.author_button.clicked.connect(self.open_author)
        self.open_kit_button.clicked.connect(self.choose_kit)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Open), self, self.choose_kit)
        # F1: the version, the licences of what is bundled, and where data and logs live.
        QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), self, self.show_about)
        self.setAcceptDrops(True)

    def show_about(self) -> None:
        from onetake_desktop.ui.about import show_about

        show_about(self, self.context.paths)

    def _door(self, title: str, text: str, shortcut: str) -> QPushButton:
        # A big button whose face is two labels: a bold title and a plain explanation.
        button = QPushButton()
        button.setObjectName("DoorButton")
        button.setAccessibleName(title)
        button.setAccessibleDescription(text)
        # As a property: setShortcut's overloads take the Qt namespace's Key (qt_numbers.py).
        set_properties(button, shortcut=QKeySequence(shortcut))
        button.setToolTip(f"{title} ({shortcut})")
        button.setMinimumHeight(170)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        face = QVBoxLayout(button)
        face.setContentsMargins(24, 20, 24, 20)
        for words, name in ((title, "DoorTitle"), (text, "DoorText"), (shortcut, "Hint")):
            label = QLabel(words)
            label.setObjectName(name)
            label.setWordWrap(True)
            face.addWidget(label)
        face.insertStretch(2, 1)
        return button

    def choose_kit(self) -> None:
        # Imported when asked: the dialog classes make their enum types on first use.
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self, "Open interview kit", str(Path.home()), "Interview kits (*.onetakekit)"
        )
        if path:
            self.open_candidate(Path(path))

    def open_candidate(self, kit: Path) -> None:
        from onetake_desktop.cli import GuiRequest
        from onetake_desktop.ui.application import open_window

        self._open(lambda: open_window(GuiRequest("candidate", (kit,)), self.context))

    def open_reviewer(self) -> None:
        from onetake_desktop.cli import GuiRequest
        from onetake_desktop.ui.application import open_window

        self._open(lambda: open_window(GuiRequest("review"), self.context))

    def open_author(self) -> None:
        from onetake_desktop.cli import GuiRequest
        from onetake_desktop.ui.application import open_window

        self._open(lambda: open_window(GuiRequest("author"), self.context))

    def _open(self, build: object) -> None:
        try:
            window = build()  # type: ignore[operator]
        except Exception as error:
            # One sentence, as plain text, in a box the test can read (a changed kit's
            # refusal quotes its signer's name). Loaded here: the start screen shows no
            # other outside text (issue 17).
            from onetake_desktop.ui.widgets.plain import plain_box

            self.problem = plain_box(self, str(error))
            self.problem.open()
            return
        self.child = window
        window.show()
        self.close()

    # Drag a kit file onto the start screen to open it.
    def dragEnterEvent(self, event):  # type: ignore[no-untyped-def]
        if any(u.toLocalFile().endswith(".onetakekit") for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event):  # type: ignore[no-untyped-def]
        for url in event.mimeData().urls():
            if url.toLocalFile().endswith(".onetakekit"):
                self.open_candidate(Path(url.toLocalFile()))
                return
