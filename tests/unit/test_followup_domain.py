"""Follow-up templates and drafts (domain.followup): plain Python, no Qt."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage

import pytest

from onetake_desktop.domain.errors import InvalidInputError
from onetake_desktop.domain.followup import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    Template,
    check_template,
    eml_bytes,
    make_draft,
    placeholders_in,
    render,
)

VALUES = {
    "candidate_name": "Zoë Ångström",
    "role_title": "Support lead",
    "organisation": "Acme",
    "decision": "moving forward",
    "feedback": "",
    "sender_name": "Riya",
}


def test_default_templates_use_only_known_placeholders() -> None:
    for template in DEFAULT_TEMPLATES.values():
        assert set(placeholders_in(template.subject + template.body)) <= set(PLACEHOLDERS)
        assert check_template(template) == template


@pytest.mark.parametrize(
    ("subject", "body", "sentence"),
    [
        ("Hi {name}", "x", "{name} is not a placeholder"),
        ("Hi", "Dear {candidate_name!r}", "{candidate_name} is not a placeholder"),
        ("Hi", "a { b", "stray brace"),
        ("Hi\r\nBcc: a@example.org", "x", "one line"),
        ("", "x", "needs a subject"),
        ("Hi", "  ", "needs a body"),
    ],
)
def test_bad_templates_are_refused_in_one_sentence(subject: str, body: str, sentence: str) -> None:
    with pytest.raises(InvalidInputError, match=sentence.replace("{", r"\{").replace("}", r"\}")):
        check_template(Template(subject, body))


def test_values_are_not_read_as_templates_and_empty_feedback_leaves_no_gap() -> None:
    values = {**VALUES, "candidate_name": "{feedback} <b>x</b>"}
    text = render("Dear {candidate_name},\n\n{feedback}\n\nBye", values)
    assert text == "Dear {feedback} <b>x</b>,\n\nBye"


def test_eml_round_trip_plain_text_with_non_ascii_name() -> None:
    draft = make_draft(
        Template("{role_title}: {decision}", "Dear {candidate_name},\nÇa va.\n"),
        VALUES,
        "zoe@example.org",
    )
    when = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    message = email.message_from_bytes(
        eml_bytes(draft, when, "hr@acme.example"), policy=policy.default
    )
    assert isinstance(message, EmailMessage)
    assert message["To"] == "Zoë Ångström <zoe@example.org>"
    assert message["Subject"] == "Support lead: moving forward"
    assert message["X-Unsent"] == "1" and message["From"] == "hr@acme.example"
    assert message.get_content_type() == "text/plain" and not message.is_multipart()
    assert message.get_content().replace("\r\n", "\n") == "Dear Zoë Ångström,\nÇa va.\n"
    with pytest.raises(InvalidInputError, match="not an e-mail address"):
        eml_bytes(make_draft(DEFAULT_TEMPLATES["hold"], VALUES, "no address"), when)
