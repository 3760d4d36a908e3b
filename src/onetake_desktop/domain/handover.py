"""How a candidate hands the sealed bundle over (issue 13): the kit's optional ``hand_over``.

Authored as a ``[hand_over]`` table in the interview TOML: ``upload_url`` (a tus 1.0 endpoint),
an optional per-interview ``upload_token``, and ``instructions`` for other ways. ``recipient``
(the employer's age X25519 recipient) is put in by ``onetake kit build --sign``; when present,
the bundle is encrypted to it. The table is part of the kit's content, so it is covered by the
content hash and by the kit's signature. Plain Python, no I/O.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from onetake_desktop.domain.validation import Checker, Fields

URL_TEXT = 2000
TOKEN_TEXT = 200
INSTRUCTIONS_TEXT = 20000
# Patterns as text for Checker.text, compiled with the first value checked (see domain.kit).
# The shape any kit may carry (older kits hold http:// addresses); what may be sent to is
# upload_address_problem's rule.
UPLOAD_URL = r"https?://[^\s]{1,1990}"
# What goes into an HTTP header: visible ASCII only.
UPLOAD_TOKEN = r"[!-~]{1,200}"
# Bech32 age X25519 recipient: "age1" + 58 data characters.
AGE_RECIPIENT = r"age1[02-9ac-hj-np-z]{58}"


# A NamedTuple, not a frozen dataclass: as immutable and typed, ~3.4 M instructions less to
# define on Python 3.11, with every kit read (the author window's first paint checks its draft
# through domain.kit: issue 17). Changed copies: ``h._replace(recipient=...)``.
class HandOver(NamedTuple):
    upload_url: str = ""  # "" : no upload; the candidate saves the file and follows instructions
    upload_token: str = ""
    instructions: str = ""
    recipient: str = ""  # "" : the bundle is not encrypted


def hand_over_to_dict(h: HandOver | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {k: v for k, v in h._asdict().items() if v}


def read_hand_over(f: Fields) -> HandOver | None:
    """The ``hand_over`` object of a kit (absent: None)."""
    h = f.obj("hand_over", required=False)
    if h is None:
        return None
    result = HandOver(
        upload_url=h.text("upload_url", required=False),
        upload_token=h.text("upload_token", required=False),
        instructions=h.text("instructions", required=False),
        recipient=h.text("recipient", required=False),
    )
    h.done()
    return result


# Hosts a plain http:// upload never leaves this computer for (tests, a local intake server).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
UPLOAD_RULE = (
    "an https:// address (a tus upload endpoint); http:// only for this computer "
    "(localhost, 127.0.0.1 or [::1])"
)


def upload_address_problem(url: str) -> str | None:
    """Why a bundle may not be sent to ``url`` (a phrase to follow the field's name), or None.

    The one rule for every way a bundle leaves (kit authoring, ``bundle send --to``, the
    candidate's Send page): an unsigned kit's bundle is a plain zip of the candidate's video,
    name and e-mail, so it goes over TLS or stays on this computer."""
    from urllib.parse import urlsplit  # only when there is an address to check

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 bracket)
        return f"must be {UPLOAD_RULE}"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return None
    return f"must be {UPLOAD_RULE}"


def validate_hand_over(c: Checker, h: HandOver | None, *, authoring: bool = False) -> None:
    """``authoring``: a kit being written or checked before it goes out also meets
    :func:`upload_address_problem`; a kit being opened need not (a candidate with an older
    kit still answers it; its Send page says why it will not send, services.handover)."""
    if h is None:
        return
    if h.upload_url:
        before = len(c.problems)
        c.text(
            "hand_over.upload_url",
            h.upload_url,
            max_len=URL_TEXT,
            pattern=UPLOAD_URL,
            pattern_help=UPLOAD_RULE,
        )
        if authoring and len(c.problems) == before:
            problem = upload_address_problem(h.upload_url)
            if problem is not None:
                c.add("hand_over.upload_url", problem)
    if h.upload_token:
        c.text(
            "hand_over.upload_token",
            h.upload_token,
            max_len=TOKEN_TEXT,
            pattern=UPLOAD_TOKEN,
            pattern_help="visible ASCII characters without spaces",
        )
    if h.instructions:
        c.text("hand_over.instructions", h.instructions, max_len=INSTRUCTIONS_TEXT, multiline=True)
    if h.recipient:
        c.text(
            "hand_over.recipient",
            h.recipient,
            max_len=62,
            pattern=AGE_RECIPIENT,
            pattern_help="an age X25519 recipient (age1...)",
        )
    if not (h.upload_url or h.instructions or h.recipient):
        c.add("hand_over", "needs upload_url or instructions")
