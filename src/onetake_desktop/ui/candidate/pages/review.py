"""Every answer in one list: play, answer again while takes are left, then seal."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QPushButton, QVBoxLayout, QWidget

from onetake_desktop.ui.candidate.pages.base import Page
from onetake_desktop.ui.candidate.widgets import TakePlayer, button, card, duration_text, label

if TYPE_CHECKING:
    from onetake_desktop.ui.candidate.window import CandidateWindow


PLAYER = (400, 225)  # the take's picture, where the screen has the height for it


class ReviewPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        self.heading.addWidget(label("Review your answers", "Title"))
        self.subtitle = label(
            "Play any answer. You can answer again while a question has takes left.", "Subtitle"
        )
        self.heading.addWidget(self.subtitle)
        self.short = False  # see set_short
        self.list_box, self.list_l = card()
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(10)
        self.grid.setColumnStretch(0, 1)
        self.list_l.addLayout(self.grid)
        self.player = TakePlayer("Ctrl+P", preferred=PLAYER)  # the page scrolls to it
        # Side by side on a wide window; the player goes below the list on a narrow one.
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.row.setSpacing(18)
        self.row.addWidget(self.list_box, 1, Qt.AlignmentFlag.AlignTop)
        self.row.addWidget(self.player, 0, Qt.AlignmentFlag.AlignTop)
        self.layout_.addLayout(self.row)
        self.layout_.addStretch(1)
        self.send_button = button(
            "Seal and save my answers…",
            "Ctrl+Return",
            "PrimaryButton",
            "Seal your answers into one file to send",
        )
        self.set_actions(self.send_button)
        self.send_button.clicked.connect(self.w.do_send)
        self.row_widgets: list[QWidget] = []
        self.play_buttons: dict[str, QPushButton] = {}
        self.redo_buttons: dict[str, QPushButton] = {}
        self.answer_texts: dict[str, QWidget] = {}

    def sync(self) -> None:
        for wdg in self.row_widgets:
            self.grid.removeWidget(wdg)
            wdg.hide()
            wdg.deleteLater()
        self.row_widgets.clear()
        self.play_buttons.clear()
        self.redo_buttons.clear()
        self.answer_texts.clear()
        s = self.service.session
        if s.step != "review":
            return
        for i, q in enumerate(s.kit.questions):
            a = s.answer_for(q.id)
            kind = s.answer_type(q)
            shown = q.text if len(q.text) <= 240 else q.text[:239] + "…"
            title = label(f"{i + 1}. {shown}")
            title.setAccessibleName(f"Question {i + 1}: {q.text[:200]}")
            texts = QVBoxLayout()
            holder = QWidget()
            holder.setLayout(texts)
            texts.setContentsMargins(0, 0, 0, 0)
            texts.addWidget(title)
            if kind == "text":
                detail = label(f"Written, {len(a.text)} characters:", "Hint")
                # The candidate's own words, exactly as typed (plain text, never markup).
                answer = label(a.text if len(a.text) <= 400 else a.text[:399] + "…")
                answer.setAccessibleName(f"Your written answer to question {i + 1}")
                self.answer_texts[q.id] = answer
                texts.addWidget(detail)
                texts.addWidget(answer)
            else:
                take = s.chosen(q.id)
                secs = duration_text(take.duration_seconds) if take else "-"
                detail = label(
                    f"{'Video' if kind == 'video' else 'Sound'}, {secs}, take "
                    f"{take.number if take else '-'} of {s.takes_used(q)} "
                    f"({s.takes_left(q)} left)",
                    "Hint",
                )
                texts.addWidget(detail)
            n = i + 1
            play = button("Play", f"Ctrl+{n}" if n < 10 else None, tip=f"Play answer {n}")
            play.setAccessibleName(f"Play answer {n}")
            if kind == "text":
                play.hide()  # nothing to play (never setVisible(True) on a parentless widget)
            redo = button(
                "Answer again" if kind != "text" else "Edit",
                f"Ctrl+Shift+{n}" if n < 10 else None,
                tip=f"Answer question {n} again",
            )
            redo.setAccessibleName(f"Answer question {n} again")
            redo.setEnabled(s.can_redo(q.id))
            play.clicked.connect(lambda _c=False, qid=q.id: self._play(qid))
            redo.clicked.connect(lambda _c=False, qid=q.id: self._redo(qid))
            self.grid.addWidget(holder, i, 0)
            self.grid.addWidget(play, i, 1)
            self.grid.addWidget(redo, i, 2)
            self.row_widgets += [holder, play, redo]
            self.play_buttons[q.id] = play
            self.redo_buttons[q.id] = redo
        # Tab order follows reading order: row by row, Play then Answer again, then Seal.
        order: list[QWidget] = []
        for qid, play_button in self.play_buttons.items():
            order += [play_button, self.redo_buttons[qid]]
        order.append(self.send_button)
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self.send_button.setEnabled(self.service.can_seal())
        self.send_button.setFocus()

    def set_short(self, short: bool) -> None:
        """On a screen short for the text size the picture at 400x225 and its Play row were
        taller than the page's scrolling part: no scroll showed both. There it is the
        smallest 16:9 picture (192x108), and the page scrolls to all of the player. The
        two-line subtitle scrolls with the list there too: with a notice above the page (a
        passed deadline) the body kept 175 px, less than the player and its Play row need."""
        super().set_short(short)
        self.player.picture.set_preferred(None if short else PLAYER)
        if short == self.short:
            return
        self.short = short
        if short:
            self.heading.removeWidget(self.subtitle)
            self.layout_.insertWidget(0, self.subtitle)
        else:
            self.layout_.removeWidget(self.subtitle)
            self.heading.addWidget(self.subtitle)

    def resizeEvent(self, event: QResizeEvent) -> None:
        narrow = event.size().width() < 1000
        self.row.setDirection(
            QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        )
        super().resizeEvent(event)

    def _play(self, qid: str) -> None:
        s = self.service.session
        take = s.chosen(qid)
        if take is None:
            return
        self.player.load(
            self.service.take_path(qid, take.number),
            s.answer_type(s.question_for(qid)) != "video",
            autoplay=True,
        )
        # Once the page is laid out again with the take in it (its picture appears): scrolled
        # now, the Play row could end up below the fold.
        QTimer.singleShot(0, lambda: self.body_scroll.ensureWidgetVisible(self.player))

    def _redo(self, qid: str) -> None:
        self.player.stop()
        self.w.act(lambda: self.service.redo(qid))
