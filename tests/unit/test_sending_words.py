"""The Send page's words and state, without Qt (services/sending.py, issue 13)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.handover import HandOver
from onetake_desktop.services.sending import (
    DEFAULT_OTHER_WAY,
    checksum_words,
    failure_words,
    other_way_text,
    progress_words,
    save_copy,
    send_status,
    speed_words,
    time_left_words,
)
from onetake_desktop.services.upload import SendState, UploadProgress, save_state
from onetake_desktop.storage import kitfile


def _progress(state: str, sent: int = 3_000_000, **kw: object) -> UploadProgress:
    values: dict[str, object] = {
        "bytes_per_second": 250_000.0,
        "seconds_left": 95.0,
        "message": "",
        "retry_in": None,
    }
    values.update(kw)
    return UploadProgress(state, sent, 12_000_000, **values)  # type: ignore[arg-type]


def test_progress_in_words_a_candidate_understands() -> None:
    sending = progress_words(_progress("sending"), "Harbour Lane")
    assert sending.headline == "Sending your answers: 3.0 MB of 12.0 MB (25 %)."
    assert sending.detail == "250 kB/s · about 2 min left"
    paused = progress_words(_progress("paused"), "Harbour Lane")
    assert paused.headline.startswith("Paused at 3.0 MB of 12.0 MB.")
    # Pausing: no figure yet (what was acknowledged may be more than the server kept).
    pausing = progress_words(_progress("pausing"), "Harbour Lane")
    assert pausing.headline == "Pausing: asking Harbour Lane how much it has received…"
    assert "MB" not in pausing.headline + pausing.detail
    assert pausing.detail == "What was sent is kept."
    offline = progress_words(_progress("offline", retry_in=8.0), "Harbour Lane")
    assert offline.headline == (
        "No connection right now. OneTake tries again by itself in 8 s; "
        "your answers are safe on this computer."
    )
    counted = progress_words(_progress("offline", retry_in=8.0), "Harbour Lane", 2.2)
    assert "in 3 s" in counted.headline
    done = progress_words(_progress("done", sent=12_000_000), "Harbour Lane")
    assert done.headline == "Sent: Harbour Lane has received all 12.0 MB."
    assert progress_words(_progress("connecting"), "X").headline == "Connecting to X…"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, ""),
        (0.2, "about 1 s left"),
        (59, "about 59 s left"),
        (61, "about 2 min left"),
        (3700, "about 1 h 2 min left"),
    ],
)
def test_time_left(seconds: float | None, words: str) -> None:
    assert time_left_words(seconds) == words


def test_speed() -> None:
    assert speed_words(None) == ""
    assert speed_words(2_500_000) == "2.5 MB/s"
    assert speed_words(40_000) == "40 kB/s"


def test_failures_always_point_to_the_other_way() -> None:
    assert failure_words(OneTakeError("It broke.")) == (
        "It broke. You can also save the file and send it another way (below)."
    )
    said = "Refused; save the file and send it another way."
    assert failure_words(OneTakeError(said)) == said


def test_send_status_follows_what_is_kept_beside_the_bundle(tmp_path: Path) -> None:
    kit = kitfile.load_kit(kitfile.demo_kit_path())
    bundle = tmp_path / "a.onetake"
    bundle.write_bytes(b"sealed answers")
    sha = hashlib.sha256(b"sealed answers").hexdigest()
    plain = send_status(kit, bundle, 14, sha)
    assert not plain.options.can_upload and not plain.pending and plain.receipt is None
    assert other_way_text(plain.options) == DEFAULT_OTHER_WAY

    hand_over = HandOver(upload_url="https://intake.example/files/", instructions="Or by post.")
    kit = kit._replace(hand_over=hand_over)
    assert other_way_text(send_status(kit, bundle, 14, sha).options) == "Or by post."
    assert not send_status(kit, bundle, 14, sha).pending  # never started
    url = "https://intake.example/files/abc123"
    save_state(
        bundle,
        SendState(
            endpoint=hand_over.upload_url,
            upload_url=url,
            size=14,
            sha256=sha,
        ),
    )
    assert send_status(kit, bundle, 14, f"sha256:{sha}").pending
    assert not send_status(kit, bundle, 15, "other").pending  # sealed again: other bytes
    save_state(
        bundle,
        SendState(upload_url=url, size=14, sha256=sha, completed_at="2026-11-28T09:30:00+00:00"),
    )
    done = send_status(kit, bundle, 14, sha)
    assert not done.pending and done.receipt is not None
    assert done.receipt.upload_id == "abc123" and done.receipt.sha256 == sha


def test_save_copy(tmp_path: Path) -> None:
    bundle = tmp_path / "a.onetake"
    bundle.write_bytes(b"x" * 1000)
    out = save_copy(bundle, tmp_path / "copy.onetake")
    assert out.read_bytes() == bundle.read_bytes()
    assert save_copy(bundle, bundle) == bundle  # onto itself: nothing to do, nothing lost
    with pytest.raises(OneTakeError, match="Could not copy the file"):
        save_copy(bundle, tmp_path / "missing-folder" / "copy.onetake")


def test_the_checksum_shows_in_groups_of_eight_that_join_back_to_it() -> None:
    digest = hashlib.sha256(b"answers").hexdigest()
    words = checksum_words("sha256:" + digest)
    assert words.startswith("Checksum (SHA-256): ")
    groups = words.removeprefix("Checksum (SHA-256): ").split(" ")
    assert [len(g) for g in groups] == [8] * 8 and "".join(groups) == digest
    assert checksum_words(digest) == words  # with or without its "sha256:" prefix
