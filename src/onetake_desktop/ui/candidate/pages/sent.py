"""Sealing (progress), the receipt and sending it (issue 13): what was sealed, where, how it
reaches the employer, and what stays on this computer. Once the candidate's data is deleted
from this computer (the service's ``cleared``), the page is only the receipt, without a name
or a file, and offers a new interview on this computer to the next person."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QProgressBar

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.services.handover import send_options
from onetake_desktop.services.sending import (
    PAUSING_DETAIL,
    ProgressWords,
    checksum_words,
    failure_words,
    other_way_text,
    progress_words,
    receipt_words,
    save_copy,
)
from onetake_desktop.services.upload import UploadJob, UploadProgress, UploadReceipt
from onetake_desktop.ui.candidate.pages.base import Page
from onetake_desktop.ui.candidate.widgets import button, card, label, set_button_text

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


class _UploadRelay(QObject):
    """Lives on the GUI thread; the upload's worker thread emits, Qt queues onto the GUI.
    Each report is ``(run, payload)``: ``run`` names the ``start_upload`` it comes from."""

    progressed = Signal(object)
    done = Signal(object)
    failed = Signal(object)


class SentPage(Page):
    """The receipt and the Send page (issue 13): "Send now" to the kit's address with progress,
    speed, time left, pause and resume; offline it says so and tries again by itself; an upload
    left half-way (the app was closed) goes on when the kit is opened again. Saving the file
    to send it another way is always offered, with the employer's instructions."""

    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        kit = self.service.kit
        self.options = send_options(kit)
        self.job: UploadJob | None = None
        self.pausing = False  # Pause pressed; the worker has not ended yet
        # The current run's mark: a report still queued from an earlier run (its job ended,
        # a new one started meanwhile) is left unread rather than taken for this run's.
        self._run: object = None
        self.last: UploadProgress | None = None
        self.retry_at: float | None = None  # offline: when the next try starts (monotonic)
        self.problem = ""
        self.upload_receipt: UploadReceipt | None = None
        self._resumed_after_restart = False
        self._cleared_focused = False  # the cleared receipt's Start a new interview had it
        # Bytes the employer's side already held when this run's sending began (0: new).
        self.resumed_from: int | None = None
        self.relay = _UploadRelay()
        self.relay.progressed.connect(self._on_progress)
        self.relay.done.connect(self._on_done)
        self.relay.failed.connect(self._on_failed)

        self.title = label("Your answers are sealed and saved", "Title")
        self.heading.addWidget(self.title)
        self.subtitle = label("", "Subtitle")
        self.heading.addWidget(self.subtitle)

        # Send now (only when the kit names an address to send to).
        self.send_card, send_l = card()
        send_l.setSpacing(6)
        send_l.addWidget(label(f"Send to {kit.organisation}", "Subtitle"))
        # Compact (it does not scroll): the state and its button on one row, then the bar.
        row = QHBoxLayout()
        row.setSpacing(12)
        self.send_status = label("", "Fact")
        self.send_status.setAccessibleName("Sending")
        row.addWidget(self.send_status, 1)
        self.send_button = button("Send now", "Ctrl+S", "PrimaryButton", "Send your answers now")
        self.pause_button = button("Pause", "Ctrl+P", tip="Pause sending; it goes on later")
        row.addWidget(self.send_button)
        row.addWidget(self.pause_button)
        send_l.addLayout(row)
        self.send_progress = QProgressBar()
        self.send_progress.setAccessibleName("Sending progress")
        self.send_progress.setRange(0, 1000)
        self.send_progress.setTextVisible(False)
        self.send_progress.setMaximumHeight(14)
        send_l.addWidget(self.send_progress)
        self.send_detail = label("", "Hint")
        self.send_detail.setAccessibleName("Speed and time left")
        send_l.addWidget(self.send_detail)
        # Outside the scrolling body: the state of sending and its buttons never scroll away.
        self.heading.addWidget(self.send_card)
        self.send_card.setVisible(self.options.can_upload)

        box, inner = card()
        inner.addWidget(label("Receipt", "Subtitle"))
        self.receipt = label("", "Fact")
        self.receipt.setAccessibleName("Receipt")
        inner.addWidget(self.receipt)
        self.copy_sum_button = button(
            "Copy the checksum", tip="Copy the SHA-256 checksum (without spaces)"
        )
        self.copy_sum_button.clicked.connect(self._copy_checksum)
        # One timer, the page's own child: a click restarts it (stacked timers reset the words
        # early), and it goes with the page, so it never fires into a deleted button (a new
        # interview within the 3 s deletes every page).
        self._copied = QTimer(self)
        self._copied.setSingleShot(True)
        self._copied.setInterval(3000)
        self._copied.timeout.connect(self._copied_done)
        sum_row = QHBoxLayout()
        sum_row.addWidget(self.copy_sum_button)
        sum_row.addStretch(1)
        inner.addLayout(sum_row)
        self.locked = label(
            f"The file is locked (encrypted) so that only {kit.organisation} can open it.", "Hint"
        )
        self.locked.setVisible(self.options.encrypted)
        inner.addWidget(self.locked)
        self.layout_.addWidget(box)

        self.other_card, other_l = card()
        self.other_heading = label("", "Subtitle")
        other_l.addWidget(self.other_heading)
        self.other_way = self.kit_text(other_way_text(self.options))
        self.other_way.setAccessibleName("How to send the file another way")
        other_l.addWidget(self.other_way)
        self.copy_button = button(
            "Save a copy of the file…", "Ctrl+Shift+S", tip="Save the sealed file elsewhere"
        )
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_button)
        copy_row.addStretch(1)
        other_l.addLayout(copy_row)
        self.layout_.addWidget(self.other_card)

        local, local_l = card()
        local_l.addWidget(label("On this computer", "Subtitle"))
        self.kept = label("", "Fact")
        self.kept.setAccessibleName("What stays on this computer")
        local_l.addWidget(self.kept)
        self.delete_button = button(
            "Delete my data from this computer",
            "Ctrl+D",
            tip="Delete the recordings, written answers, name and email kept here "
            "(the sealed file stays)",
        )
        local_row = QHBoxLayout()
        local_row.addWidget(self.delete_button)
        local_row.addStretch(1)
        local_l.addLayout(local_row)
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
        self.close_button = button(
            "Close", "Ctrl+Q", None if self.options.can_upload else "PrimaryButton"
        )
        # For the next person (a shared computer): offered once nothing of this one is left,
        # among the actions that never scroll away.
        self.new_button = button(
            "Start a new interview on this computer",
            "Ctrl+N",
            tip="Begin this interview from the start, as a new person",
        )
        self.set_actions(self.close_button, left=(self.folder_button, self.new_button))
        self.folder_button.clicked.connect(self._open_folder)
        self.close_button.clicked.connect(self.w.close)
        self.delete_button.clicked.connect(self.w.do_delete_recordings)
        self.new_button.clicked.connect(self.w.do_start_new)
        self.send_button.clicked.connect(self.start_upload)
        self.pause_button.clicked.connect(self.pause_upload)
        self.copy_button.clicked.connect(self._save_copy)

    # -- state -------------------------------------------------------------------------------
    def sending(self) -> bool:
        return self.job is not None and self.job.running

    def sync(self) -> None:
        if self.service.session.step != "sent":
            return
        cleared = self.service.cleared
        # An older kit's http:// address: the card says why nothing is sent from here.
        self.send_card.setVisible(
            (self.options.can_upload or bool(self.options.refused)) and not cleared
        )
        self.copy_button.setVisible(not cleared)
        self.folder_button.setVisible(not cleared)
        self.delete_button.setVisible(not cleared)
        self.new_button.setVisible(self.service.can_start_new())
        another = self.options.can_upload and not cleared
        self.other_heading.setText("Another way to send it" if another else "How to send it")
        self.kept.setText(self.service.kept_sentence())
        self.next_steps.set_text(
            self.service.kit.next_steps.strip() or "The hiring team will be in touch."
        )
        kit = self.service.kit
        self.contact.setText(f"Questions? {kit.contact}" if kit.contact else "")
        self.contact.setVisible(bool(kit.contact))
        if cleared:
            self._show_cleared()
            return
        r = self.service.receipt()
        self.copy_sum_button.setVisible(True)
        status = self.service.send_status()
        if status.receipt is not None:
            self.upload_receipt = status.receipt
        done = self.upload_receipt is not None
        late = ""
        if self.service.session.state.submitted_late:
            late = "\nSealed after the deadline" + (
                " (marked as late)" if kit.late_submissions == "mark" else ""
            )
        sent = ""
        if self.upload_receipt is not None:
            sent = "\n" + receipt_words(self.upload_receipt, kit.organisation)
        sealed = self.service.sealed_on()
        self.receipt.setText(
            f"What: {r.answers} answers for {kit.role_title} at {kit.organisation}\n"
            + (f"Sealed: {sealed}\n" if sealed else "")
            + f"File: {r.path.name}\n"
            f"Folder: {r.path.parent}\n"
            f"Size: {r.size / 1e6:.1f} MB ({r.size:,} bytes)\n"
            + checksum_words(r.sha256)
            + late
            + sent
        )
        if done:
            self.title.setText("Your answers are sent")
            self.subtitle.setText(f"{kit.organisation} has received them. Well done!")
        elif self.options.can_upload:
            self.title.setText("Your answers are sealed: one step left")
            self.subtitle.setText(
                f"Send them to {kit.organisation} now, or save the file and send it another way."
            )
        else:
            self.title.setText("Your answers are sealed and saved")
            self.subtitle.setText("Now send the file as described below. Well done!")
        self.other_card.setVisible(True)
        # Closed half-way (even killed): go on from what the employer's side holds.
        if status.pending and self.job is None and not self._resumed_after_restart:
            self._resumed_after_restart = True
            self.start_upload()
            return
        self._show_sending()

    def _show_cleared(self) -> None:
        """Only the receipt: no name, no file, nothing to send from here any more."""
        st = self.service.session.state
        kit = self.service.kit
        self.title.setText("This interview was sealed on this computer")
        self.subtitle.setText("Nothing personal of it is left here: only the receipt below.")
        lines = [f"What: {len(kit.questions)} answers for {kit.role_title} at {kit.organisation}"]
        sealed = self.service.sealed_on()
        if sealed:
            lines.append(f"Sealed: {sealed}")
        if st.bundle_size is not None:
            lines.append(f"Size: {st.bundle_size / 1e6:.1f} MB ({st.bundle_size:,} bytes)")
        if st.bundle_sha256:
            lines.append(checksum_words(st.bundle_sha256))
        # No checksum kept: nothing to copy (it copied "" and said "Checksum copied").
        self.copy_sum_button.setVisible(bool(st.bundle_sha256))
        if st.submitted_late:
            mark = " (marked as late)" if kit.late_submissions == "mark" else ""
            lines.append("Sealed after the deadline" + mark)
        uploaded = self.service.uploaded_on()
        if uploaded:
            lines.append(f"Sent to: {kit.organisation}, {uploaded} (this computer's time)")
        self.receipt.setText("\n".join(lines))
        # Nothing to send from here: an unsent file's path is kept by the service, and a
        # receipt that keeps it is not a cleared one (the sending page shows it).
        self.other_card.setVisible(False)
        if not self._cleared_focused:  # once: each sync (every act) would pull it back
            self._cleared_focused = True
            self.new_button.setFocus()

    def _show_sending(self) -> None:
        if not self.options.can_upload and self.upload_receipt is None:
            if self.options.refused:
                self.send_status.setText(self.options.refused)
                for part in (self.send_button, self.pause_button, self.send_progress):
                    part.setVisible(False)
                self.send_detail.setVisible(False)
            self.close_button.setFocus()
            return
        org = self.service.kit.organisation
        running = self.sending()
        p = self.last
        if self.upload_receipt is not None:
            size = self.upload_receipt.size
            words = ProgressWords(
                f"Sent: {org} has received all {size / 1e6:.1f} MB.",
                receipt_words(self.upload_receipt, org).replace("\n", " · "),
            )
            self.send_progress.setValue(1000)
        elif p is not None:
            left = None if self.retry_at is None else max(0.0, self.retry_at - time.monotonic())
            if running and self.pausing and p.state in ("connecting", "sending", "offline"):
                # Pause was pressed; the worker's own word follows (it may ask the server).
                words = ProgressWords("Pausing…", PAUSING_DETAIL)
            else:
                words = progress_words(p, org, left)
            if p.state in ("sending", "paused"):  # offline or connecting: the last known part
                self.send_progress.setValue(round(1000 * p.fraction))
        else:
            words = ProgressWords(
                f"Your answers are ready to send ({self.service.receipt().size / 1e6:.1f} MB). "
                "It goes on from where it stopped if the connection drops.",
                "",
            )
            self.send_progress.setValue(0)
        if self.problem and not running:
            words = ProgressWords(self.problem, "")
        self.send_status.setText(words.headline)
        self.send_detail.setText(words.detail)
        self.send_detail.setVisible(bool(words.detail))
        done = self.upload_receipt is not None
        self.send_progress.setVisible(not self.problem or running)
        # Greyed out while pausing rather than hidden: the card keeps its shape.
        self.pause_button.setVisible(running)
        self.pause_button.setEnabled(not self.pausing)
        self.send_button.setVisible(not running and not done)
        if p is not None and p.state == "paused":
            set_button_text(self.send_button, "Resume")
        elif self.problem:
            set_button_text(self.send_button, "Try again")
        else:
            set_button_text(self.send_button, "Send now")

    def refresh(self) -> None:
        # Offline: count the seconds down to the next try.
        if self.last is not None and self.last.state == "offline" and self.sending():
            self._show_sending()

    # -- sending -----------------------------------------------------------------------------
    def start_upload(self) -> None:
        if self.sending() or self.upload_receipt is not None:
            return
        self.problem = ""
        self.pausing = False
        run = self._run = object()
        try:
            self.job = self.service.upload_job(
                lambda progress: self.relay.progressed.emit((run, progress)),
                lambda receipt: self.relay.done.emit((run, receipt)),
                lambda error: self.relay.failed.emit((run, error)),
            )
        except OneTakeError as error:
            self.problem = str(error)
            self._show_sending()
            return
        self.job.start()
        self._show_sending()
        self.pause_button.setFocus()

    def pause_upload(self) -> None:
        if self.job is not None and self.sending():
            self.pausing = True
            self.job.pause()
            self._show_sending()

    def stop_upload(self) -> None:
        """At window close: pause and let the worker end (the upload goes on next time)."""
        if self.job is not None:
            self.job.close(timeout=5.0)

    def _on_progress(self, report: tuple[object, UploadProgress]) -> None:
        run, p = report
        if run is not self._run or self.upload_receipt is not None:
            return
        self.last = p
        if p.state == "sending" and self.resumed_from is None:
            self.resumed_from = p.sent
        self.retry_at = (
            time.monotonic() + p.retry_in if p.state == "offline" and p.retry_in else None
        )
        if p.state == "paused":
            # Its last word: the thread ends a moment later (it closes its connections); wait
            # for that, or the page would show it still running, with neither Pause nor Resume
            # (review s13a H1).
            self._ended()
        was = self.send_status.text()
        self._show_sending()
        if p.state in ("paused", "offline") and self.send_status.text() != was:
            self.w._announce(self.send_status, self.send_status.text())
        if p.state == "paused":
            self.send_button.setFocus()

    def _ended(self) -> None:
        """The worker reported its last word (done, failed or paused) and returns right after:
        wait for it (a moment), so that the page does not show it still sending ("Connecting…",
        Pause) when the report arrives before the thread has ended."""
        if self.job is not None:
            self.job.wait(timeout=5.0)

    def _on_done(self, report: tuple[object, UploadReceipt]) -> None:
        run, receipt = report
        if run is not self._run:
            return
        self._ended()
        self.upload_receipt = receipt
        self.sync()
        self.w._announce(self.send_status, self.send_status.text())
        self.close_button.setFocus()

    def _on_failed(self, report: tuple[object, OneTakeError]) -> None:
        run, error = report
        if run is not self._run:
            return
        self._ended()
        self.problem = failure_words(error)
        self._show_sending()
        self.w._announce(self.send_status, self.problem)

    # -- another way -----------------------------------------------------------------------
    def checksum(self) -> str:
        """The sealed file's SHA-256 in hex, as the receipt shows it (cleared or not)."""
        if self.service.cleared:
            return (self.service.session.state.bundle_sha256 or "").removeprefix("sha256:")
        return self.service.receipt().sha256.removeprefix("sha256:")

    def _copy_checksum(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText(self.checksum())
        set_button_text(self.copy_sum_button, "Checksum copied")
        self.w._announce(self.copy_sum_button, "The checksum is copied.")
        self._copied.start()

    def _copied_done(self) -> None:
        set_button_text(self.copy_sum_button, "Copy the checksum")

    def _save_copy(self) -> None:
        r = self.service.receipt()
        target = self.w.choose_copy_path(r.path)
        if target is None:
            return
        try:
            save_copy(r.path, target)
        except OneTakeError as error:
            self.w.show_error(error)
            return
        self.w.show_notice(f"A copy of your answers is saved as {target}.")

    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.service.receipt().path.parent)))
