"""Sealing (progress) and the receipt: what was sealed, where, and what stays on this computer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QProgressBar

from onetake_desktop.ui.candidate.pages.base import Page
from onetake_desktop.ui.candidate.widgets import button, card, label

if TYPE_CHECKING:
    from onetake_desktop.ui.candidate.window import CandidateWindow


class SendPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        self.title = label("Sealing your answers…", "Title")
        self.heading.addWidget(self.title)
        box, inner = card()
        self.status = label("Writing one file with every answer and a checksum.", "Fact")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Sealing progress")
        self.progress.setRange(0, 100)
        inner.addWidget(self.status)
        inner.addWidget(self.progress)
        self.layout_.addWidget(box)
        self.layout_.addStretch(1)


class SentPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        self.heading.addWidget(label("Your answers are sealed and saved", "Title"))
        self.heading.addWidget(
            label("Now send the file as your invitation describes. Well done!", "Subtitle")
        )
        box, inner = card()
        inner.addWidget(label("Receipt", "Subtitle"))
        self.receipt = label("", "Fact")
        self.receipt.setAccessibleName("Receipt")
        inner.addWidget(self.receipt)
        self.layout_.addWidget(box)
        local, local_l = card()
        local_l.addWidget(label("On this computer", "Subtitle"))
        self.kept = label("", "Fact")
        self.kept.setAccessibleName("What stays on this computer")
        local_l.addWidget(self.kept)
        self.delete_button = button(
            "Delete my recordings from this computer",
            "Ctrl+D",
            tip="Delete every take kept here (the sealed file stays)",
        )
        local_l.addWidget(self.delete_button)
        self.layout_.addWidget(local)
        nxt, nxt_l = card()
        nxt_l.addWidget(label("What happens next", "Subtitle"))
        self.next_steps = self.kit_text("")
        nxt_l.addWidget(self.next_steps)
        self.contact = label("", "Fact")
        nxt_l.addWidget(self.contact)
        self.layout_.addWidget(nxt)
        self.layout_.addStretch(1)
        self.folder_button = button("Show the file in its folder", "Ctrl+O")
        self.close_button = button("Close", "Ctrl+Q", "PrimaryButton")
        self.set_actions(self.close_button, left=(self.folder_button,))
        self.folder_button.clicked.connect(self._open_folder)
        self.close_button.clicked.connect(self.w.close)
        self.delete_button.clicked.connect(self.w.do_delete_recordings)

    def sync(self) -> None:
        if self.service.session.step != "sent":
            return
        r = self.service.receipt()
        kit = self.service.kit
        late = ""
        if self.service.session.state.submitted_late:
            late = "\nSealed after the deadline" + (
                " (marked as late)" if kit.late_submissions == "mark" else ""
            )
        self.receipt.setText(
            f"What: {r.answers} answers for {kit.role_title} at {kit.organisation}\n"
            f"File: {r.path.name}\n"
            f"Folder: {r.path.parent}\n"
            f"Size: {r.size / 1e6:.1f} MB ({r.size:,} bytes)\n"
            f"Checksum (SHA-256): {r.sha256.removeprefix('sha256:')}" + late
        )
        self.kept.setText(self.service.kept_sentence())
        self.delete_button.setEnabled(self.service.local_recordings_bytes() > 0)
        self.next_steps.set_text(r.next_steps.strip() or "The hiring team will be in touch.")
        self.contact.setText(f"Questions? {kit.contact}" if kit.contact else "")
        self.contact.setVisible(bool(kit.contact))
        self.close_button.setFocus()

    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.service.receipt().path.parent)))
