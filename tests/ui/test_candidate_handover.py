"""Candidate mode's hand-over (issue 13) in the real window: who signed the kit (welcome and
privacy pages), a kit changed after signing refused before any page, in plain text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from onetake_desktop.domain.errors import OneTakeError
from onetake_desktop.domain.kit import kit_content_hash
from onetake_desktop.services.candidate import run_headless, session_folder_name
from onetake_desktop.services.context import AppContext
from onetake_desktop.services.keys import forget_unlocked
from onetake_desktop.services.sending import checksum_words
from onetake_desktop.services.upload import UploadProgress
from onetake_desktop.storage.kitfile import load_kit
from onetake_desktop.ui.candidate import open_candidate_window
from onetake_desktop.ui.candidate.pages.sent import SentPage
from onetake_desktop.ui.candidate.window import CandidateWindow
from onetake_desktop.ui.start_window import StartWindow
from tests.pipeline.handover_kits import SMALL_TOML, signed_small_kit
from tests.pipeline.test_candidate_headless import write_kit
from tests.pipeline.tus_fixtures import intake_server, proxy, sha256_of
from tests.ui.test_candidate_flow import Shots
from tests.ui.test_candidate_flow import shots as shots  # the fixture

pytestmark = pytest.mark.timeout(600, method="thread")  # real server, slow proxy


@pytest.fixture(autouse=True)
def _forget() -> None:
    forget_unlocked()


def _window(qtbot: QtBot, kit: Path, context: AppContext, **options: object) -> CandidateWindow:
    window = open_candidate_window(kit, context, confirm=lambda _t, _x: True, **options)
    assert isinstance(window, CandidateWindow)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _trust_label(window: CandidateWindow, page: str) -> QLabel:
    found = window.pages[page].findChild(QLabel, "TrustNotice")
    assert isinstance(found, QLabel)
    return found


def test_signed_kit_names_its_signer_on_welcome_and_privacy(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext, shots: Shots
) -> None:
    signed = signed_small_kit(tmp_path / "kit", org="Harbour <b>Lane</b>")
    w = _window(qtbot, signed.kit, app_context)
    expected = f"Signed by Harbour <b>Lane</b> (key {signed.short_fingerprint})."
    for page in ("welcome", "privacy"):
        shown = _trust_label(w, page)
        assert shown.text() == expected
        assert shown.textFormat() == Qt.TextFormat.PlainText  # the name is outside text
    assert w.page_name() == "welcome"
    assert _trust_label(w, "welcome").isVisible()
    shots(w, "welcome-signed")
    w.pages["welcome"].start_button.click()  # type: ignore[attr-defined]
    assert w.page_name() == "privacy" and _trust_label(w, "privacy").isVisible()
    shots(w, "privacy-signed")


def test_unsigned_kit_says_so_plainly(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext, shots: Shots
) -> None:
    w = _window(qtbot, write_kit(tmp_path), app_context)
    shown = _trust_label(w, "welcome")
    assert shown.text() == "This interview kit is not signed."
    assert shown.isVisible()
    assert _trust_label(w, "privacy").text() == "This interview kit is not signed."
    assert not w.service.trust.signed
    shots(w, "welcome-unsigned")


def test_kit_changed_after_signing_is_refused_in_a_plain_dialog_before_any_page(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext, shots: Shots
) -> None:
    signed = signed_small_kit(tmp_path / "kit", org="Harbour <i>Lane</i>")
    raw = signed.kit.read_bytes()
    signed.kit.write_bytes(raw.replace(b"Tell us", b"Tell me", 1))
    start = StartWindow(app_context)
    qtbot.addWidget(start)
    start.show()
    start.open_candidate(signed.kit)
    box = start.problem
    assert box is not None and box.isVisible()
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text() == (
        f"This interview kit was changed after Harbour <i>Lane</i> (key "
        f"{signed.short_fingerprint}) signed it, so it cannot be trusted; ask Harbour <i>Lane</i>"
        " for a fresh copy."
    )
    assert start.child is None  # no candidate window, no page
    shots(box, "tampered-kit-refused")
    box.close()


def _held(store: Path) -> int:
    files = [p for p in store.iterdir() if p.suffix != ".json" and p.is_file()]
    return files[0].stat().st_size if files else 0


def test_send_page_sends_pauses_rides_out_offline_survives_a_restart_and_gives_a_receipt(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext, shots: Shots
) -> None:
    store = tmp_path / "store"
    # A slow line with small buffers: the real bundle (~1 MB: a 16 s answer) would take ~25 s to
    # go through, well beyond what the sockets' buffers swallow at once (the client counts what
    # its socket took, some hundreds of KB ahead of the server: a smaller bundle could be all
    # "sent" before the pause).
    with intake_server(store) as intake, proxy(intake.port, rate=40_000, rcvbuf=16_384) as line:
        hand_over = (
            f'\n[hand_over]\nupload_url = "{line.url(intake)}"\n'
            'instructions = "Or e-mail the file to <b>jobs@example.org</b>.\\n'
            '- a USB stick works too"\n'
        )
        longer = SMALL_TOML.replace("answer_max_seconds = 5", "answer_max_seconds = 20")
        signed = signed_small_kit(tmp_path / "kit", hand_over=hand_over, toml=longer)
        kit = load_kit(signed.kit)
        sessions = app_context.paths.ensure().sessions
        sealed = run_headless(
            signed.kit,
            camera="synthetic:size=640x480,fps=30",
            mic="synthetic",
            name="Ada Lovelace",
            email="ada@example.org",
            answer_seconds=16.0,
            out=tmp_path / "ada.onetake",
            sessions=sessions,
            session_dir=sessions / session_folder_name(kit_content_hash(kit)),
        )
        assert sealed.path.name == "ada.onetake.age"

        w = _window(qtbot, signed.kit, app_context)
        page = w.pages["sent"]
        assert isinstance(page, SentPage)
        assert w.page_name() == "sent" and page.send_card.isVisible()
        assert page.send_button.text() == "Send now" and not page.sending()
        # The employer's instructions for other ways: plain text, literally.
        shown = " ".join(lab.text() for lab in page.other_way.labels)
        assert "Or e-mail the file to <b>jobs@example.org</b>." in shown
        assert page.copy_button.isVisible()

        # Sending: progress, speed and time left.
        page.send_button.click()
        qtbot.waitUntil(
            lambda: (
                page.last is not None
                and page.last.state == "sending"
                and "left" in page.send_detail.text()
            ),
            timeout=60_000,
        )
        assert page.send_status.text().startswith("Sending your answers:")
        assert "/s" in page.send_detail.text() and page.pause_button.isVisible()
        assert 0 < page.send_progress.value() < 1000
        shots(w, "send-sending")

        # Paused: it says so, and offers Resume.
        page.pause_button.click()
        # At once: "Pausing", and no second Pause (the worker may still ask the server).
        assert page.send_status.text() == "Pausing…"
        assert page.pause_button.isVisible() and not page.pause_button.isEnabled()
        assert not page.send_button.isVisible()
        shots(w, "send-pausing")
        # The worker ends first; the page shows "paused" when its last report arrives (queued).
        qtbot.waitUntil(
            lambda: (
                not page.sending()
                and page.last is not None
                and page.last.state == "paused"
                and not page.pause_button.isVisible()
            ),
            timeout=30_000,
        )
        assert page.last is not None and page.last.state == "paused"
        assert page.send_status.text().startswith("Paused at")
        # Resume is there to press (review s13a H1: the "paused" report came while the worker
        # was still closing its connections, and the page showed neither button).
        assert page.send_button.text() == "Resume" and page.send_button.isVisible()
        assert not page.pause_button.isVisible()
        paused_at = page.last.sent
        assert 0 < paused_at < sealed.size
        shots(w, "send-paused")

        # Offline: it says so and tries again by itself; back online, it goes on.
        line.online = False
        page.send_button.click()
        qtbot.waitUntil(
            lambda: page.last is not None and page.last.state == "offline", timeout=30_000
        )
        assert page.send_status.text().startswith("No connection right now.")
        assert "tries again by itself" in page.send_status.text()
        shots(w, "send-offline")
        line.online = True
        qtbot.waitUntil(
            lambda: (
                page.last is not None
                and page.last.state == "sending"
                and page.last.sent > paused_at
            ),
            timeout=60_000,
        )

        # The app is closed mid-upload, then the kit is opened again: it goes on by itself
        # from what the employer's side holds, and ends only when it holds every byte.
        w.close()
        assert not page.sending()
        held = _held(store)
        assert 0 < held < sealed.size
        # The slow line kept the upload mid-way through sending, pause, offline and the close;
        # the rest (resumed from the server's offset, one upload, the receipt) does not depend on
        # its rate: ten times faster, it still takes a second or two, seen sending on reopening.
        line.rate = 400_000
        again = _window(qtbot, signed.kit, app_context)
        page2 = again.pages["sent"]
        assert isinstance(page2, SentPage)
        assert page2.sending()  # the pending upload is shown and resumed
        qtbot.waitUntil(lambda: page2.upload_receipt is not None, timeout=120_000)
        assert page2.resumed_from is not None and page2.resumed_from >= held
        receipt = page2.upload_receipt
        assert receipt is not None
        uploads = intake.uploads()
        assert [p.name for p in uploads] == [receipt.upload_id]  # one upload, never restarted
        assert sha256_of(uploads[0]) == sha256_of(sealed.path) == receipt.sha256
        assert sealed.sha256.removeprefix("sha256:") == receipt.sha256
        text = page2.receipt.text()
        assert f"Reference: {receipt.upload_id}" in text
        assert checksum_words(receipt.sha256) in text
        assert f"({sealed.size:,} bytes)" in text
        assert page2.title.text() == "Your answers are sent"
        assert page2.send_status.text().startswith("Sent: Harbour Lane has received all")
        assert not page2.send_button.isVisible() and not page2.pause_button.isVisible()
        shots(again, "send-done")
        again.close()

    # Opened once more (the server may be gone now): the receipt stays, nothing is re-sent.
    third = _window(qtbot, signed.kit, app_context)
    page3 = third.pages["sent"]
    assert isinstance(page3, SentPage)
    assert not page3.sending() and page3.upload_receipt == receipt
    assert f"Reference: {receipt.upload_id}" in page3.receipt.text()
    # Deleted from this computer: the receipt still says it was sent, with nothing to send.
    page3.delete_button.click()
    assert third.service.cleared and third.service.session.state.uploaded_at
    assert f"Sent to: {kit.organisation}, " in page3.receipt.text()
    assert not page3.send_card.isVisible() and not page3.other_card.isVisible()
    assert "ada.onetake" not in page3.receipt.text() and page3.new_button.isVisible()


def test_device_check_states_the_size_of_the_file_to_send(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext, shots: Shots
) -> None:
    from onetake_desktop.media.profiles import estimate_bundle_bytes

    w = _window(qtbot, write_kit(tmp_path), app_context)
    w.act(w.service.begin)
    w.act(lambda: w.service.give_consent("Ada Lovelace", "ada@example.org"))
    assert w.page_name() == "devices"
    page = w.pages["devices"]
    shown = page.bundle_size  # type: ignore[attr-defined]
    # Once the devices are open (the profile follows them), the page shows the estimate.
    qtbot.waitUntil(lambda: w.service.capture is not None, timeout=10_000)
    w.sync()
    estimate = estimate_bundle_bytes(w.service.kit, w.service.profile_for())
    assert estimate.media_seconds == 40.0  # this kit's two spoken answers at their limits
    typical = f"{max(1, round(estimate.typical_bytes / 1024**2))} MB"
    at_most = f"{max(1, round(estimate.at_most_bytes / 1024**2))} MB"
    upper = "" if at_most == typical else f" (at most {at_most})"
    assert shown.text() == f"Your answers will make a file of about {typical}{upper} to send."
    assert shown.isVisible()
    shots(w, "devices-size")
    w.close()


@pytest.mark.parametrize("worker_ends_late", [False, True])
def test_a_refused_upload_says_why_and_saving_a_copy_still_works(
    qtbot: QtBot,
    tmp_path: Path,
    app_context: AppContext,
    monkeypatch: pytest.MonkeyPatch,
    worker_ends_late: bool,
) -> None:
    if worker_ends_late:  # the report reaches the page while its thread still runs
        import time

        from onetake_desktop.services.upload import UploadJob

        real_run = UploadJob._run

        def run_then_linger(self: UploadJob, stop: object) -> None:
            real_run(self, stop)  # type: ignore[arg-type]
            time.sleep(0.5)

        monkeypatch.setattr(UploadJob, "_run", run_then_linger)
    with intake_server(tmp_path / "store", token="right-token") as intake:
        hand_over = f'\n[hand_over]\nupload_url = "{intake.url}"\nupload_token = "expired-token"\n'
        signed = signed_small_kit(tmp_path / "kit", hand_over=hand_over)
        kit = load_kit(signed.kit)
        sessions = app_context.paths.ensure().sessions
        sealed = run_headless(
            signed.kit,
            camera="synthetic:size=320x240,fps=15",
            mic="synthetic",
            name="Ada Lovelace",
            email="ada@example.org",
            answer_seconds=1.0,
            out=tmp_path / "ada.onetake",
            sessions=sessions,
            session_dir=sessions / session_folder_name(kit_content_hash(kit)),
        )
        copy = tmp_path / "usb" / "answers.onetake.age"
        copy.parent.mkdir()
        w = _window(qtbot, signed.kit, app_context, choose_copy_path=lambda _sealed: copy)
        page = w.pages["sent"]
        assert isinstance(page, SentPage)
        page.send_button.click()
        qtbot.waitUntil(lambda: bool(page.problem), timeout=60_000)
        assert not page.sending() and not page.pause_button.isVisible()
        assert page.send_status.text() == (
            "The employer's server refused the upload token (it may be mistyped or expired); "
            "ask the employer, or save the file and send it another way."
        )
        assert page.send_button.text() == "Try again" and page.send_button.isVisible()
        assert page.upload_receipt is None and not intake.uploads()
        # A report still queued from an earlier run is not taken for the current run's.
        shown = page.send_status.text()
        page.relay.failed.emit((object(), OneTakeError("An earlier run's problem.")))
        page.relay.progressed.emit((object(), UploadProgress("sending", 1, 2, None, None, "")))
        QApplication.processEvents()  # delivered (at once: the relay lives on this thread)
        assert page.send_status.text() == shown and page.problem.startswith("The employer's")
        page.copy_button.click()
        assert sha256_of(copy) == sha256_of(sealed.path)
        assert w.banner.text() == f"A copy of your answers is saved as {copy}."


def test_sealed_offline_and_opened_a_week_later_the_file_is_still_sent(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext, shots: Shots
) -> None:
    """Review s11a M1: the days after sealing clear the name, email and answers, not the way
    to send a file never sent. Opened 8 days later, the Send page still sends it through the
    real server; only the file's place (its name holds the name) is left in the session
    folder, and it is forgotten at the next opening once sent."""
    import json
    from datetime import UTC, datetime, timedelta

    from onetake_desktop.domain.clock import ManualClock
    from onetake_desktop.services.candidate import SENT_KEEP_DAYS

    name, email = "Ada Lovelace", "ada@example.org"
    with intake_server(tmp_path / "store") as intake:
        hand_over = f'\n[hand_over]\nupload_url = "{intake.url}"\n'
        signed = signed_small_kit(tmp_path / "kit", hand_over=hand_over)
        kit = load_kit(signed.kit)
        sessions = app_context.paths.ensure().sessions
        folder = sessions / session_folder_name(kit_content_hash(kit))
        sealed = run_headless(
            signed.kit,
            camera="synthetic:size=320x240,fps=15",
            mic="synthetic",
            name=name,
            email=email,
            answer_seconds=1.0,
            out=tmp_path / "Ada-Lovelace.onetake",  # as the default name holds it
            sessions=sessions,
            session_dir=folder,
        )
        later = ManualClock(datetime.now(UTC) + timedelta(days=SENT_KEEP_DAYS + 1))
        context = app_context._replace(clock=later)
        w = _window(qtbot, signed.kit, context)
        page = w.pages["sent"]
        assert isinstance(page, SentPage)
        assert w.page_name() == "sent" and not w.service.cleared
        state = (folder / "state.json").read_text(encoding="utf-8")
        assert json.loads(state)["cleared_at"] and [p.name for p in folder.iterdir()] == [
            "state.json"
        ]
        without_path = state.replace(json.dumps(str(sealed.path))[1:-1], "")
        for word in (name, email, *name.split(), "ada@"):
            assert word not in without_path and json.dumps(word)[1:-1] not in without_path
        kept = page.kept.text()
        assert kept.startswith(
            "The recordings, written answers, name and email of this interview were deleted"
        )
        assert "the file's name holds your name unless you chose another" in kept
        assert page.send_card.isVisible() and page.send_button.text() == "Send now"
        shots(w, "send-after-clearing")

        page.send_button.click()
        qtbot.waitUntil(lambda: page.upload_receipt is not None, timeout=120_000)
        assert page.title.text() == "Your answers are sent"
        uploads = intake.uploads()
        assert len(uploads) == 1 and sha256_of(uploads[0]) == sha256_of(sealed.path)
        w.close()

    # Sent: the next opening forgets where the file is; only the receipt stays.
    again = _window(qtbot, signed.kit, context)
    assert again.service.cleared and json.loads(state)["bundle_path"]
    saved = (folder / "state.json").read_text(encoding="utf-8")
    assert json.loads(saved)["bundle_path"] is None and json.loads(saved)["uploaded_at"]
    assert "Lovelace" not in saved and sealed.path.is_file()
    page2 = again.pages["sent"]
    assert isinstance(page2, SentPage)
    assert f"Sent to: {kit.organisation}, " in page2.receipt.text()
    again.close()


def test_an_older_kits_http_address_is_not_sent_to_and_saving_is_offered(
    qtbot: QtBot,
    tmp_path: Path,
    app_context: AppContext,
    monkeypatch: pytest.MonkeyPatch,
    shots: Shots,
) -> None:
    """Walk s14 W12: a kit built before the rule, with a plain http:// address (and an upload
    begun from it, as an earlier app run would have left it), still opens and seals; its Send
    page says in one sentence why nothing is sent from here, never connects, never retries,
    and saving the file works."""
    from dataclasses import replace

    from onetake_desktop.domain.handover import HandOver
    from onetake_desktop.services import upload
    from onetake_desktop.services.upload import file_sha256, load_state, save_state
    from onetake_desktop.storage.kitfile import load_toml, save_kit

    refused = (
        "This interview's address for sending is not secure (it does not start with "
        "https://), so your answers are not sent from here: save the file and send it as "
        "described below."
    )
    asked: list[str] = []

    def lookup(host: str, port: int, family: int) -> list[upload.AddressInfo]:
        asked.append(host)
        raise OSError("no network in this test")

    monkeypatch.setattr(upload, "name_lookup", lookup)
    source = tmp_path / "interview.toml"
    source.write_text(SMALL_TOML, encoding="utf-8")
    url = "http://intake.example.com/files/"
    kit = load_toml(source).kit._replace(
        hand_over=HandOver(upload_url=url, instructions="Or e-mail the file to jobs@example.org.")
    )
    kit_path = tmp_path / "older.onetakekit"
    save_kit(kit, kit_path)
    sessions = app_context.paths.ensure().sessions
    sealed = run_headless(
        kit_path,
        camera="synthetic:size=320x240,fps=15",
        mic="synthetic",
        name="Ada Lovelace",
        email="ada@example.org",
        answer_seconds=1.0,
        out=tmp_path / "ada.onetake",
        sessions=sessions,
        session_dir=sessions / session_folder_name(kit_content_hash(kit)),
    )
    size, sha256 = file_sha256(sealed.path)
    begun = replace(load_state(sealed.path), upload_url=url + "abc", size=size, sha256=sha256)
    assert begun.endpoint == url  # kept from the kit at sealing
    save_state(sealed.path, begun)

    copy = tmp_path / "usb" / "answers.onetake"
    copy.parent.mkdir()
    w = _window(qtbot, kit_path, app_context, choose_copy_path=lambda _sealed: copy)
    page = w.pages["sent"]
    assert isinstance(page, SentPage)
    assert w.page_name() == "sent"
    assert page.job is None  # the upload begun earlier is not taken up again (main: it was)
    assert page.send_card.isVisible() and page.send_status.text() == refused
    for part in (page.send_button, page.pause_button, page.send_progress, page.send_detail):
        assert not part.isVisible()
    assert page.title.text() == "Your answers are sealed and saved"
    assert page.other_heading.text() == "How to send it"
    assert "jobs@example.org" in page.other_way.text()
    shots(w, "send-refused-http")
    page.start_upload()  # Ctrl+S has no button to press, but the page's act is refused too
    QApplication.processEvents()
    assert page.job is None and not page.sending() and asked == []
    assert page.send_status.text() == refused
    assert load_state(sealed.path) == begun  # nothing sent, nothing changed beside the file
    page.copy_button.click()
    assert sha256_of(copy) == sha256_of(sealed.path)
    assert w.banner.text() == f"A copy of your answers is saved as {copy}."
    w.close()


def test_an_older_kits_http_upload_that_completed_keeps_its_receipt(
    qtbot: QtBot, tmp_path: Path, app_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s14b B1: an older http:// kit whose upload already completed (an earlier app
    run): the Send page shows the receipt of what was sent, never "save the file and send
    it", and nothing connects."""
    from dataclasses import replace

    from onetake_desktop.domain.handover import HandOver
    from onetake_desktop.services import upload
    from onetake_desktop.services.upload import file_sha256, load_state, save_state
    from onetake_desktop.storage.kitfile import load_toml, save_kit

    asked: list[str] = []

    def lookup(host: str, port: int, family: int) -> list[upload.AddressInfo]:
        asked.append(host)
        raise OSError("no network in this test")

    monkeypatch.setattr(upload, "name_lookup", lookup)
    source = tmp_path / "interview.toml"
    source.write_text(SMALL_TOML, encoding="utf-8")
    url = "http://intake.example.com/files/"
    kit = load_toml(source).kit._replace(hand_over=HandOver(upload_url=url))
    kit_path = tmp_path / "older.onetakekit"
    save_kit(kit, kit_path)
    sessions = app_context.paths.ensure().sessions
    sealed = run_headless(
        kit_path,
        camera="synthetic:size=320x240,fps=15",
        mic="synthetic",
        name="Ada Lovelace",
        email="ada@example.org",
        answer_seconds=1.0,
        out=tmp_path / "ada.onetake",
        sessions=sessions,
        session_dir=sessions / session_folder_name(kit_content_hash(kit)),
    )
    size, sha256 = file_sha256(sealed.path)
    done = replace(
        load_state(sealed.path),
        upload_url=url + "abc",
        size=size,
        sha256=sha256,
        completed_at="2026-11-01T10:00:00+00:00",
    )
    save_state(sealed.path, done)

    w = _window(qtbot, kit_path, app_context)
    page = w.pages["sent"]
    assert isinstance(page, SentPage)
    assert w.page_name() == "sent"
    assert page.job is None and asked == []
    assert page.upload_receipt is not None and page.upload_receipt.upload_url == url + "abc"
    assert page.title.text() == "Your answers are sent"
    assert "Reference: abc" in page.receipt.text()
    assert "save the file" not in page.send_status.text()
    assert page.send_status.text().startswith("Sent: ")
    assert not page.send_button.isVisible()
    w.close()
