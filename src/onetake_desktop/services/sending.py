"""The candidate's Send page, without Qt (issue 13): what it offers and what it says.

The upload itself is services/upload.py (tus, resumable, on a worker thread); this module
decides, for one sealed bundle, whether "Send now" is offered, whether an upload was left
half-way (to go on with after a restart) or is complete, and turns the upload's progress into
words a candidate understands: no protocol, no offsets, no "server" jargon beyond "the
employer's computer".
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.kit import Kit
from onetake_desktop.services.handover import SendOptions, send_options
from onetake_desktop.services.upload import UploadProgress, UploadReceipt, load_state
from onetake_desktop.storage.atomic import os_error_sentence

DEFAULT_OTHER_WAY = "Send the file as your invitation describes."


@dataclass(frozen=True)
class SendStatus:
    """Where sending one sealed bundle stands, read from what is kept beside the bundle."""

    options: SendOptions
    pending: bool  # an upload was started (this run or an earlier one) and is not complete
    receipt: UploadReceipt | None  # the employer's side confirmed every byte


def send_status(kit: Kit, bundle: Path, size: int, sha256: str) -> SendStatus:
    """``size``/``sha256``: the sealed file's, from the candidate's receipt. An upload kept
    for other bytes (the file was sealed again) counts as not started."""
    options = send_options(kit)
    state = load_state(bundle)
    same = state.size == size and state.sha256 == sha256.removeprefix("sha256:")
    if not (same and state.upload_url):
        return SendStatus(options, False, None)
    # A completed upload keeps its receipt even when sending is no longer offered (an older
    # kit's http:// address): the employer has the answers, so never ask to send again.
    if state.completed_at:
        receipt = UploadReceipt(state.upload_url, state.size, state.sha256, state.completed_at)
        return SendStatus(options, False, receipt)
    # "Offered" decides only whether a begun upload goes on.
    return SendStatus(options, options.can_upload, None)


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def time_left_words(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"about {max(1, math.ceil(seconds))} s left"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60} min left"


def speed_words(bytes_per_second: float | None) -> str:
    if not bytes_per_second:
        return ""
    if bytes_per_second >= 1e6:
        return f"{bytes_per_second / 1e6:.1f} MB/s"
    return f"{bytes_per_second / 1e3:.0f} kB/s"


@dataclass(frozen=True)
class ProgressWords:
    headline: str  # what is happening, one sentence
    detail: str  # speed and time left while sending; "" otherwise


# Under "Pausing": the card keeps its second line (and its shape) until "Paused" comes.
PAUSING_DETAIL = "What was sent is kept."


def progress_words(
    p: UploadProgress, organisation: str, retry_in: float | None = None
) -> ProgressWords:
    """``retry_in``: offline, the seconds still to wait (the page counts them down)."""
    amount = f"{_mb(p.sent)} of {_mb(p.total)}"
    if p.state == "connecting":
        return ProgressWords(f"Connecting to {organisation}…", "")
    if p.state == "sending":
        percent = math.floor(100 * p.fraction)
        detail = " · ".join(
            w for w in (speed_words(p.bytes_per_second), time_left_words(p.seconds_left)) if w
        )
        return ProgressWords(f"Sending your answers: {amount} ({percent} %).", detail)
    if p.state == "pausing":  # the figure so far may be more than the server kept
        return ProgressWords(
            f"Pausing: asking {organisation} how much it has received…", PAUSING_DETAIL
        )
    if p.state == "paused":
        return ProgressWords(
            f"Paused at {amount}. What was sent is kept: Resume goes on from there.", ""
        )
    if p.state == "offline":
        wait = p.retry_in if retry_in is None else retry_in
        when = "in a moment" if wait is None or wait < 1.5 else f"in {math.ceil(wait)} s"
        return ProgressWords(
            f"No connection right now. OneTake tries again by itself {when}; "
            "your answers are safe on this computer.",
            "Nothing is lost: sending goes on from where it stopped.",
        )
    return ProgressWords(f"Sent: {organisation} has received all {_mb(p.total)}.", "")


def checksum_words(sha256: str) -> str:
    """The receipt's checksum line, the 64 hex digits in groups of eight: one unbroken word
    could not wrap, and at large text it made the receipt scroll sideways on a small screen.
    Groups are also easier to compare by eye (the Copy button copies it without spaces)."""
    digits = sha256.removeprefix("sha256:")
    return "Checksum (SHA-256): " + " ".join(digits[i : i + 8] for i in range(0, len(digits), 8))


def receipt_words(receipt: UploadReceipt, organisation: str) -> str:
    """The lines added to the candidate's receipt once the upload is complete."""
    when = datetime.fromisoformat(receipt.completed_at).astimezone()
    return (
        f"Sent to: {organisation}, {when:%d %B %Y at %H:%M} (this computer's time)\n"
        f"Reference: {receipt.upload_id}"
    )


def failure_words(error: OneTakeError) -> str:
    """The sentence of a failed upload, always pointing to the other way."""
    said = str(error)
    if "another way" in said:  # the refusal already says it
        return said
    return f"{said} You can also save the file and send it another way (below)."


def other_way_text(options: SendOptions) -> str:
    """The employer's words for other ways (kit text: shown through the safe-text subset)."""
    return options.instructions.strip() or DEFAULT_OTHER_WAY


def save_copy(bundle: Path, destination: Path) -> Path:
    """Copy the sealed file (to a USB stick, a folder to attach from); a sentence on failure."""
    destination = Path(destination)
    if destination.resolve() == Path(bundle).resolve():
        return destination
    try:
        shutil.copyfile(bundle, destination)
    except OSError as error:
        destination.unlink(missing_ok=True)
        raise os_error_sentence(error, f"copy the file to {destination.parent}") from error
    return destination
