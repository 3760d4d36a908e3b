"""Follow-up that goes out: decision notes from templates the recruiter edits, as e-mail drafts.

Plain Python (the stdlib ``email`` package): templates are plain text with a few named
placeholders; a draft is an RFC 5322 message (``.eml``) any mail client opens, plain text only,
marked ``X-Unsent: 1`` so that Outlook opens it as a draft to send. Everything here is text the
recruiter or the candidate wrote; nothing is ever read as markup.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.panel import DECISIONS, Decision

# What a template may name; anything else in braces is refused (a typo would go out as is).
PLACEHOLDERS: dict[str, str] = {
    "candidate_name": "the candidate's name",
    "role_title": "the role",
    "organisation": "your organisation",
    "decision": "the decision in words (moving forward, on hold, not moving forward)",
    "feedback": "the feedback note recorded with the decision",
    "sender_name": "who signs the note",
}
DECISION_WORDS: dict[str, str] = {
    "advance": "moving forward",
    "hold": "on hold",
    "decline": "not moving forward",
}
MAX_SUBJECT = 200
MAX_BODY = 20_000


@dataclass(frozen=True)
class Template:
    """One decision's note: a subject line and a body, both plain text."""

    subject: str
    body: str


DEFAULT_TEMPLATES: dict[Decision, Template] = {
    "advance": Template(
        "Your application for {role_title} at {organisation}",
        "Dear {candidate_name},\n\n"
        "Thank you for recording your interview for the {role_title} role. We are pleased to "
        "tell you that we are {decision} with your application, and we will be in touch "
        "about the next step shortly.\n\n"
        "{feedback}\n\n"
        "Kind regards,\n{sender_name}\n{organisation}\n",
    ),
    "hold": Template(
        "Your application for {role_title} at {organisation}",
        "Dear {candidate_name},\n\n"
        "Thank you for recording your interview for the {role_title} role. Your application "
        "is {decision} for now while we finish reviewing; we will write again as soon as we "
        "have an answer for you.\n\n"
        "{feedback}\n\n"
        "Kind regards,\n{sender_name}\n{organisation}\n",
    ),
    "decline": Template(
        "Your application for {role_title} at {organisation}",
        "Dear {candidate_name},\n\n"
        "Thank you for the time you gave to your interview for the {role_title} role. After "
        "careful review we are {decision} with your application this time.\n\n"
        "{feedback}\n\n"
        "We wish you every success,\n{sender_name}\n{organisation}\n",
    ),
}


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a template uses (raises InvalidInputError on broken braces)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise InvalidInputError(
            f"A template has a stray brace ({error}); write {{{{ or }}}} for a brace itself."
        ) from error
    names = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise InvalidInputError(f"{{{name}}} is not a placeholder; use one of {known}.")
        names.append(name)
    return names


def check_template(template: Template) -> Template:
    """The template as stored: placeholders known, a one-line subject, sizes bounded."""
    subject = template.subject.strip()
    if not subject:
        raise InvalidInputError("A follow-up needs a subject.")
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in subject):
        raise InvalidInputError("The subject must be one line of text.")
    if len(subject) > MAX_SUBJECT or len(template.body) > MAX_BODY:
        raise InvalidInputError(
            f"A subject holds up to {MAX_SUBJECT} characters and a body up to {MAX_BODY}."
        )
    if not template.body.strip():
        raise InvalidInputError("A follow-up needs a body.")
    placeholders_in(subject)
    placeholders_in(template.body)
    return Template(subject, template.body.replace("\r\n", "\n"))


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill the placeholders with plain values (their braces are not read again)."""
    placeholders_in(text)
    filled = text.format_map({k: values.get(k, "") for k in PLACEHOLDERS})
    return re.sub(r"\n{3,}", "\n\n", filled)  # an empty {feedback} leaves no gap


@dataclass(frozen=True)
class Draft:
    """One candidate's note, ready to go."""

    to_name: str
    to_email: str
    subject: str
    body: str


def make_draft(template: Template, values: Mapping[str, str], to_email: str) -> Draft:
    subject = " ".join(render(template.subject, values).split())  # one line, whatever the name
    return Draft(values.get("candidate_name", ""), to_email, subject, render(template.body, values))


def eml_bytes(draft: Draft, when: datetime, sender: str = "") -> bytes:
    """The draft as an .eml file: To, Subject, Date, a plain-text UTF-8 body, X-Unsent: 1
    (Outlook opens it as an unsent draft; other clients open it to forward or resend)."""
    message = EmailMessage(policy=SMTP)
    try:
        message["To"] = Address(display_name=draft.to_name, addr_spec=draft.to_email)
        if sender:
            message["From"] = sender
    except (ValueError, IndexError) as error:
        raise InvalidInputError(
            f"{draft.to_email} is not an e-mail address a draft can use."
        ) from error
    message["Subject"] = draft.subject
    message["Date"] = format_datetime(when)
    message["X-Unsent"] = "1"
    message.set_content(draft.body, subtype="plain", charset="utf-8")
    return message.as_bytes()


def decision_word(decision: str) -> str:
    return DECISION_WORDS.get(decision, decision)


__all__ = [
    "DECISIONS",
    "DEFAULT_TEMPLATES",
    "PLACEHOLDERS",
    "Draft",
    "Template",
    "check_template",
    "decision_word",
    "eml_bytes",
    "make_draft",
    "placeholders_in",
    "render",
]
