"""Hand-over figures (issue 13): encryption memory and upload throughput, printed, not asserted.

    .venv/bin/python bench/handover_bench.py encrypt [--mb 200]
    .venv/bin/python bench/handover_bench.py upload [--mb 50] [--runs 3]

``encrypt`` seals a file of random bytes to an age recipient with our streaming encryption
(services/handover.encrypt_file) in a child process and prints its peak RSS beside a child that
only imports the same modules (the baseline) and the ``age`` command line on the same bytes.

``upload`` starts the employer's tus server (installers/intake/start.sh, the official
@tus/server) on 127.0.0.1 and sends the same file with ``onetake bundle send``'s code path
(services/upload.send_bundle) and with ``curl`` (one POST to create the upload, then a single
streamed PATCH of the whole file: the plainest possible transfer to the same server),
interleaved, median of --runs. Loopback has no network cost, so this shows our client's
overhead, not a real line's speed.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD_ENCRYPT = """
import sys, resource
from pathlib import Path
from onetake_desktop.services.handover import encrypt_file
import pyrage
if sys.argv[1] == "encrypt":
    encrypt_file(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def random_file(path: Path, mb: int) -> Path:
    with open(path, "wb") as handle:
        for _ in range(mb):
            handle.write(os.urandom(1_000_000))
    return path


def child_peak_kb(args: list[str]) -> int:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    out = subprocess.run(
        [sys.executable, "-c", CHILD_ENCRYPT, *args], env=env, capture_output=True, check=True
    )
    return int(out.stdout.decode().strip().splitlines()[-1])


def bench_encrypt(mb: int) -> None:
    import pyrage

    recipient = str(pyrage.x25519.Identity.generate().to_public())
    with tempfile.TemporaryDirectory(prefix="onetake-bench-") as tmp:
        plain = random_file(Path(tmp) / "bundle.onetake", mb)
        out = Path(tmp) / "bundle.onetake.age"
        baseline = child_peak_kb(["baseline"])
        start = time.perf_counter()
        ours = child_peak_kb(["encrypt", str(plain), str(out), recipient])
        ours_s = time.perf_counter() - start
        assert out.stat().st_size > plain.stat().st_size
        age_line = "age CLI: not installed"
        if shutil.which("age"):
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            subprocess.run(
                ["age", "-r", recipient, "-o", str(Path(tmp) / "cli.age"), str(plain)], check=True
            )
            age_s = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            peak = f"{after / 1024:.0f} MB" if after > before else "below the earlier children's"
            age_line = f"age CLI: {age_s:.2f} s, peak RSS {peak}"
    print(f"encrypt {mb} MB of random bytes to one age recipient")
    print(f"  ours:     {ours_s:.2f} s (incl. Python start), peak RSS {ours / 1024:.0f} MB")
    print(f"  baseline: the same child importing only, peak RSS {baseline / 1024:.0f} MB")
    print(f"  => memory for encrypting: {(ours - baseline) / 1024:.1f} MB for {mb} MB")
    print(f"  {age_line}")


def start_intake(store: Path) -> tuple[subprocess.Popen[bytes], str]:
    process = subprocess.Popen(
        [str(REPO / "installers/intake/start.sh"), "--dir", str(store), "--port", "0"],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            line = process.stdout.readline()
            found = re.search(rb"(http://127\.0\.0\.1:\d+/files/)", line)
            if found:
                return process, found.group(1).decode()
        if process.poll() is not None:
            break
    raise SystemExit("The tus server did not start (needs node and npm).")


def curl_upload(url: str, path: Path) -> float:
    size = path.stat().st_size
    start = time.perf_counter()
    created = subprocess.run(
        [
            "curl",
            "-s",
            "-i",
            "-X",
            "POST",
            "-H",
            "Tus-Resumable: 1.0.0",
            "-H",
            f"Upload-Length: {size}",
            url,
        ],
        capture_output=True,
        check=True,
    ).stdout.decode()
    location = re.search(r"(?im)^location:\s*(\S+)", created)
    assert location is not None, created
    subprocess.run(
        [
            *("curl", "-s", "-f", "-o", "/dev/null", "-X", "PATCH", "-T", str(path)),
            *("-H", "Tus-Resumable: 1.0.0", "-H", "Upload-Offset: 0"),
            *("-H", "Content-Type: application/offset+octet-stream", location.group(1)),
        ],
        check=True,
    )
    return time.perf_counter() - start


def ours_upload(url: str, path: Path) -> float:
    from onetake_desktop.services.upload import send_bundle, state_path

    state_path(path).unlink(missing_ok=True)  # a fresh upload each run
    start = time.perf_counter()
    send_bundle(path, endpoint=url)
    return time.perf_counter() - start


def bench_upload(mb: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="onetake-bench-") as tmp:
        path = random_file(Path(tmp) / "bundle.onetake.age", mb)
        process, url = start_intake(Path(tmp) / "store")
        try:
            ours, curl = [], []
            for _ in range(runs):
                curl.append(curl_upload(url, path))
                ours.append(ours_upload(url, path))
        finally:
            process.terminate()
            process.wait(30)
    o, c = statistics.median(ours), statistics.median(curl)
    print(f"upload {mb} MB to @tus/server on 127.0.0.1, median of {runs} (interleaved)")
    print(f"  ours (send_bundle, incl. SHA-256 of the file): {o:.2f} s = {mb / o:.0f} MB/s")
    print(f"  curl POST + one streamed PATCH:                 {c:.2f} s = {mb / c:.0f} MB/s")
    print(f"  => ours / curl throughput: {c / o:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    e = sub.add_parser("encrypt")
    e.add_argument("--mb", type=int, default=200)
    u = sub.add_parser("upload")
    u.add_argument("--mb", type=int, default=50)
    u.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.what == "encrypt":
        bench_encrypt(args.mb)
    else:
        bench_upload(args.mb, args.runs)


if __name__ == "__main__":
    main()
