"""The kit's privacy notice, the candidate's name and email, accommodations and consent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.ui.candidate.pages.base import Page
from onetake_desktop.ui.candidate.widgets import WrapCheck, button, card, label
from onetake_desktop.ui.widgets.qt_numbers import AlignmentFlag, set_properties

if TYPE_CHECKING:
    from onetake_desktop.ui.candidate.window import CandidateWindow


class PrivacyPage(Page):
    def __init__(self, window: CandidateWindow) -> None:
        super().__init__(window)
        kit = self.service.kit
        self.heading.addWidget(label("Your privacy", "Title"))
        self.heading.addWidget(
            label(
                "Your camera and microphone stay off until you agree. Nothing leaves this "
                "computer until you send your answers yourself.",
                "Subtitle",
            )
        )
        box, inner = card()
        self.notice = self.kit_text(kit.privacy_notice)
        self.notice.setAccessibleName("Privacy notice")
        inner.addWidget(self.notice)
        inner.addWidget(
            label(f"The employer keeps your answers for {kit.retention_days} days.", "Hint")
        )
        self.local_note = label(self.service.local_data_sentence(), "Hint")
        self.local_note.setAccessibleName("What stays on this computer")
        inner.addWidget(self.local_note)
        self.layout_.addWidget(box)
        self.layout_.addWidget(self.trust_notice())

        form_box, form_l = card()
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setAccessibleName("Your name")
        self.name.setPlaceholderText("Your full name")
        self.name.setMinimumHeight(30)
        self.email = QLineEdit()
        self.email.setAccessibleName("Your email")
        self.email.setPlaceholderText("name@example.com")
        self.email.setMinimumHeight(30)
        name_label = QLabel("&Name")
        name_label.setBuddy(self.name)
        email_label = QLabel("E&mail")
        email_label.setBuddy(self.email)
        form.addRow(name_label, self.name)
        form.addRow(email_label, self.email)
        form_l.addLayout(form)
        self.accommodations: dict[str, WrapCheck] = {}
        for acc in kit.accommodations:
            cb = WrapCheck(acc.label)  # a long label wraps instead of widening the page
            self.accommodations[acc.id] = cb
            form_l.addWidget(cb)
        # Its words wrap: on one line they made the page scroll sideways at 200 % text on
        # 1366x768 at 150 %. Alt+A still ticks the box (a label's buddy button is clicked).
        agree = WrapCheck("I have read this notice and &agree to be recorded on these terms")
        self.agree = agree.box
        self.agree.setAccessibleName("I agree to the privacy notice")
        agree.words.setBuddy(self.agree)
        form_l.addWidget(agree)
        self.error = label("", "Error")
        self.error.setAccessibleName("Problem")
        form_l.addWidget(self.error)
        self.layout_.addWidget(form_box)
        self.layout_.addStretch(1)
        self.back_button = button("Back", "Ctrl+B")
        self.agree_button = button(
            "I agree, continue", "Ctrl+Return", "PrimaryButton", "Agree and continue"
        )
        # What is missing, by the disabled button (review s11 #21): the form may be below
        # the fold, and a greyed button alone does not say why.
        self.missing = label("", "Hint")
        self.missing.setAccessibleName("Why you cannot continue yet")
        self.set_actions(self.missing, self.agree_button, left=(self.back_button,))
        # It wraps (on one line it made the window 1099 px wide at 175 % text, past a 1024-px
        # screen), and takes the row's free width first, not a narrow column beside the
        # stretch.
        self.action_row.setStretchFactor(self.missing, 8)
        set_properties(  # by the button it explains
            self.missing, alignment=AlignmentFlag.AlignRight | AlignmentFlag.AlignVCenter
        )
        self.agree.toggled.connect(self._update)
        self.name.textChanged.connect(self._update)
        self.email.textChanged.connect(self._update)
        self.agree_button.clicked.connect(self._submit)
        self.back_button.clicked.connect(lambda: self.w.act(self.service.back_to_welcome))

    def sync(self) -> None:
        st = self.service.session.state
        if st.candidate_name and not self.name.text():
            self.name.setText(st.candidate_name)
            self.email.setText(st.candidate_email)
        self._update()

    def _update(self) -> None:
        ready = self.agree.isChecked() and bool(self.name.text().strip() and self.email.text())
        self.agree_button.setEnabled(ready)
        self.missing.setText(self.missing_sentence())
        self.missing.setVisible(not ready)

    def missing_sentence(self) -> str:
        """What the candidate still has to do before "I agree, continue" ("" : nothing)."""
        fields = [
            what
            for what, given in (("name", self.name.text().strip()), ("email", self.email.text()))
            if not given
        ]
        steps = [f"Enter your {' and '.join(fields)}"] if fields else []
        if not self.agree.isChecked():
            steps.append("tick the box" if steps else "Tick the box")
        return f"{', and '.join(steps)} to continue." if steps else ""

    def _submit(self) -> None:
        chosen = [k for k, cb in self.accommodations.items() if cb.isChecked()]
        try:
            self.service.give_consent(self.name.text(), self.email.text(), chosen)
        except OneTakeError as error:
            self.error.setText(str(error))
            return
        self.error.setText("")
