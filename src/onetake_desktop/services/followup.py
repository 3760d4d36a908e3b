"""Follow-up that goes out (issue 18): a note to each decided candidate, from the recruiter's
templates, as ready-to-send e-mail drafts (``.eml``) and a mail-merge CSV.

Who gets one is the policy's answer (:meth:`ScoringService.contactable`): a decision is
recorded and the candidate's name is shown (in blind mode, only candidates the panel has
revealed). Templates are stored per interview and decision; editing one and exporting are
audited (hashes and counts only). The day each follow-up went out is recorded and shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from onetake_desktop.domain.errors import InvalidInputError, OneTakeError
from onetake_desktop.domain.followup import (
    DEFAULT_TEMPLATES,
    Draft,
    Template,
    check_template,
    decision_word,
    eml_bytes,
    make_draft,
)
from onetake_desktop.domain.panel import DECISIONS, Decision
from onetake_desktop.services.scoring import Actor, ScoringService, text_hash
from onetake_desktop.storage.atomic import atomic_write_bytes, csv_bytes
from onetake_desktop.storage.followup import SqliteFollowups

SENDER_NAME_KEY = "followup_sender_name"
SENDER_ADDRESS_KEY = "followup_sender_address"
MAILMERGE_NAME = "mail-merge.csv"
MAILMERGE_FIELDS = (
    "email",
    "candidate_name",
    "subject",
    "body",
    "decision",
    "role_title",
    "organisation",
    "draft_file",
    "sent_at",
)

__all__ = ["MAILMERGE_FIELDS", "MAILMERGE_NAME", "FollowupExport", "FollowupService", "Pending"]


@dataclass(frozen=True)
class Pending:
    """One candidate's follow-up as it would go out now."""

    submission_id: int
    code: str
    decision: Decision
    decision_id: int
    draft: Draft
    last_sent: str  # when a follow-up last went out ("" never)


@dataclass(frozen=True)
class FollowupExport:
    folder: Path
    drafts: list[Path]
    mailmerge: Path
    sent_at: str
    left_out: int  # decided candidates the policy keeps hidden (blind mode)


def _slug(text: str) -> str:
    """A file-name part from a name (outside text): letters and digits only, bounded."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:40] or "candidate"


class FollowupService:
    """The follow-up use case; ``scoring`` is the library's one ScoringService."""

    def __init__(self, scoring: ScoringService) -> None:
        self.scoring = scoring
        self.repo = SqliteFollowups(scoring.library.db)

    # -- templates ------------------------------------------------------------------------------

    def template(self, actor: Actor, *, interview_pk: int, decision: Decision) -> Template:
        """The interview's note for this decision (the default until the recruiter edits it)."""
        self.scoring.check(actor)
        stored = self.repo.template(interview_pk, decision)
        return stored or DEFAULT_TEMPLATES[decision]

    def set_template(
        self, actor: Actor, *, interview_pk: int, decision: Decision, template: Template
    ) -> Template:
        """Store an edited note (placeholders checked; refused with one sentence), audited."""
        if decision not in DECISIONS:
            raise InvalidInputError(f"A decision is one of {', '.join(DECISIONS)}.")
        checked = check_template(template)
        self.scoring.library.interviews.get(interview_pk)  # an interview that exists
        with self.scoring.transaction():
            self.repo.set_template(interview_pk, decision, checked)
            self.scoring.audit(
                actor,
                "followup_template",
                f"interview {interview_pk} / {decision}",
                {"subject": text_hash(checked.subject), "body": text_hash(checked.body)},
            )
        return checked

    def sender(self) -> tuple[str, str]:
        """(name that signs the notes, From address or "")."""
        repo = self.scoring.repo
        return repo.setting(SENDER_NAME_KEY, "") or "", repo.setting(SENDER_ADDRESS_KEY, "") or ""

    def set_sender(self, actor: Actor, *, name: str, address: str = "") -> None:
        self.scoring.check(actor)
        if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in name + address):
            raise InvalidInputError("The sender's name and address are one line each.")
        if address.strip() and "@" not in address:
            raise InvalidInputError(f"{address.strip()} is not an e-mail address.")
        with self.scoring.transaction():
            self.scoring.repo.set_setting(SENDER_NAME_KEY, name.strip())
            self.scoring.repo.set_setting(SENDER_ADDRESS_KEY, address.strip())
            self.scoring.audit(actor, "setting", "followup_sender", {"name": text_hash(name)})

    # -- drafts ---------------------------------------------------------------------------------

    def sent(self, actor: Actor, *, interview_pk: int) -> dict[int, str]:
        """Submission id -> when its latest follow-up went out."""
        self.scoring.check(actor)
        return {k: v[0] for k, v in self.repo.last_sent(interview_pk).items()}

    def pending(self, actor: Actor, *, interview_pk: int) -> list[Pending]:
        """A note for each candidate the policy lets this actor write to."""
        interview = self.scoring.library.interviews.get(interview_pk)
        sender_name, _ = self.sender()
        last = self.repo.last_sent(interview_pk)
        out: list[Pending] = []
        for c in self.scoring.contactable(actor, interview_pk=interview_pk):
            d = c.decision
            assert d is not None
            decision: Decision = d.decision
            values = {
                "candidate_name": c.name,
                "role_title": interview.role_title,
                "organisation": interview.organisation,
                "decision": decision_word(decision),
                "feedback": d.feedback,
                "sender_name": sender_name or interview.organisation,
            }
            template = self.template(actor, interview_pk=interview_pk, decision=decision)
            out.append(
                Pending(
                    c.submission_id,
                    c.code,
                    decision,
                    d.id,
                    make_draft(template, values, c.email),
                    last.get(c.submission_id, ("", 0))[0],
                )
            )
        return out

    def left_out(self, actor: Actor, *, interview_pk: int) -> int:
        """Decided candidates whose names the panel still keeps hidden (no draft for them)."""
        decided = [
            c for c in self.scoring.candidates(interview_pk=interview_pk) if c.decision is not None
        ]
        return len(decided) - len(self.scoring.contactable(actor, interview_pk=interview_pk))

    def export(self, actor: Actor, *, interview_pk: int, folder: Path) -> FollowupExport:
        """Write one ``.eml`` draft per candidate to write to and ``mail-merge.csv`` (UTF-8
        with a byte-order mark) into ``folder``; record the day each went out, audited."""
        pending = self.pending(actor, interview_pk=interview_pk)
        if not pending:
            raise OneTakeError(
                "No candidate has a decision the panel may send yet: record a decision first."
            )
        now = self.scoring.clock.now()
        at = now.isoformat(timespec="seconds")
        _, address = self.sender()
        interview = self.scoring.library.interviews.get(interview_pk)
        files: list[Path] = []
        rows: list[dict[str, str]] = []
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for p in pending:
                path = folder / f"{p.code}-{_slug(p.draft.to_name)}.eml"
                atomic_write_bytes(path, eml_bytes(p.draft, now, address))
                files.append(path)
                rows.append(
                    {
                        "email": p.draft.to_email,
                        "candidate_name": p.draft.to_name,
                        "subject": p.draft.subject,
                        "body": p.draft.body,
                        "decision": p.decision,
                        "role_title": interview.role_title,
                        "organisation": interview.organisation,
                        "draft_file": path.name,
                        "sent_at": at,
                    }
                )
            mailmerge = folder / MAILMERGE_NAME
            atomic_write_bytes(mailmerge, csv_bytes(MAILMERGE_FIELDS, rows))
        except OSError as error:
            raise OneTakeError(f"The follow-up cannot be written to {folder} ({error}).") from error
        with self.scoring.transaction():
            for p in pending:
                self.repo.record_sent(p.submission_id, p.decision_id, actor.reviewer_id, "eml", at)
            self.scoring.audit(
                actor,
                "followup_export",
                f"interview {interview_pk}",
                {"drafts": len(files), "submissions": [p.submission_id for p in pending]},
            )
        return FollowupExport(
            folder, files, mailmerge, at, self.left_out(actor, interview_pk=interview_pk)
        )
