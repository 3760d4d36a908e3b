"""``onetake bundle send BUNDLE [--to URL] [--token T]``: resumable upload to the employer."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from onetake_desktop.domain.errors import EXIT_OK


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = actions.add_parser(
        "send",
        help="upload a sealed bundle to the employer (resumable; exit 0 only when complete)",
        description="Upload a sealed bundle (.onetake or .onetake.age) with the tus 1.0 "
        "protocol. The address and token default to those of the kit the bundle answers "
        "(kept beside the bundle when it was sealed). Interrupted or killed, the same command "
        "goes on from what the server already holds. Progress goes to standard error; exit 0 "
        "only when the server holds every byte.",
    )
    s.add_argument("bundle", type=Path, metavar="BUNDLE")
    s.add_argument("--to", metavar="URL", help="the tus upload address (default: the kit's)")
    s.add_argument("--token", metavar="T", help="the upload token (default: the kit's)")
    s.add_argument(
        "--give-up-after",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="stop (exit 1, resumable) after this long without any progress (default 900)",
    )
    s.set_defaults(handler=run_send)


def run_send(args: argparse.Namespace) -> int:
    from onetake_desktop.services.upload import UploadProgress, send_bundle

    tty = sys.stderr.isatty()
    shown_at = [-1.0]
    shown_state = [""]

    def progress(p: UploadProgress) -> None:
        now = time.monotonic()
        if p.state == shown_state[0] == "sending" and now - shown_at[0] < 1.0:
            return
        shown_at[0], shown_state[0] = now, p.state
        line = f"{p.fraction:6.1%}  {p.sent / 1e6:8.1f} of {p.total / 1e6:.1f} MB"
        if p.bytes_per_second:
            line += f"  {p.bytes_per_second / 1e6:.2f} MB/s"
        if p.seconds_left is not None and p.state == "sending":
            line += f"  {p.seconds_left:.0f} s left"
        if p.state != "sending":
            line += f"  {p.message}"
        sys.stderr.write(("\r" + line + "\x1b[K") if tty else line + "\n")
        sys.stderr.flush()

    receipt = send_bundle(
        args.bundle,
        endpoint=args.to,
        token=args.token,
        on_progress=progress,
        give_up_after=args.give_up_after,
    )
    if tty:
        sys.stderr.write("\n")
    print(f"Sent {args.bundle.name}: {receipt.size:,} bytes, sha256 {receipt.sha256}.")
    print(
        f"Upload id {receipt.upload_id}, confirmed complete by the server at "
        f"{receipt.completed_at}."
    )
    return EXIT_OK
