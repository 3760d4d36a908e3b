"""The project's own virtual display and microphone for end-to-end tests.

Xvfb gives a real X display; a user-mode PulseAudio daemon gives a null sink
(``onetake_spk``, the virtual speaker) and a virtual source fed by its monitor
(``onetake_mic``). PortAudio reaches PulseAudio through ALSA's pulse plugin, so whatever is
played into the speaker (``paplay speech.wav``) is recorded for real by ``sounddevice``.

Run as a script to bring them up by hand::

    python tests/e2e/virtual_devices.py   # prints the environment to export, Ctrl+C stops
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


class VirtualDevicesUnavailable(RuntimeError):
    pass


class VirtualDevices:
    """Start and stop Xvfb and a PulseAudio virtual microphone; ``env`` is what clients need."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="onetake-vdev-"))
        self.env: dict[str, str] = {}
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._pulse_started = False

    # -- display ---------------------------------------------------------------------------
    def start_display(self) -> str:
        if not shutil.which("Xvfb"):
            raise VirtualDevicesUnavailable("Xvfb is not installed (apt-get install xvfb)")
        # Xvfb picks a free display number itself and writes it to our pipe (-displayfd):
        # choosing one by looking for its socket raced with other test workers (pytest-xdist)
        # doing the same, and the loser's server died while its tests drove the winner's.
        read_end, write_end = os.pipe()
        log = (self.root / "xvfb.log").open("wb")
        try:
            command = ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp"]
            self._xvfb = subprocess.Popen(
                [*command, "-screen", "0", "1280x1024x24"],
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(write_end,),
            )
        finally:
            os.close(write_end)
        number = b""
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            deadline = time.monotonic() + 10
            while not number.endswith(b"\n"):
                ready, _, _ = select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))
                chunk = pipe.read(16) if ready else b""
                if not chunk:  # Xvfb exited (end of the pipe) or the deadline passed
                    self.stop()
                    raise VirtualDevicesUnavailable(
                        f"Xvfb did not start: see {self.root / 'xvfb.log'}"
                    )
                number += chunk
        display = f":{int(number)}"
        self.env["DISPLAY"] = display
        return display

    # -- audio -----------------------------------------------------------------------------
    def start_audio(self) -> None:
        if not shutil.which("pulseaudio"):
            raise VirtualDevicesUnavailable(
                "PulseAudio is not installed (apt-get install pulseaudio)"
            )
        runtime = self.root / "pulse"
        runtime.mkdir(parents=True, exist_ok=True)
        self.env["PULSE_RUNTIME_PATH"] = str(runtime)
        self.env["PULSE_SERVER"] = f"unix:{runtime}/native"
        env = {**os.environ, **self.env}
        subprocess.run(
            [
                "pulseaudio",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "--disallow-exit=yes",
                "-n",
                f"--log-target=file:{self.root / 'pulse.log'}",
                f"--load=module-native-protocol-unix socket={runtime}/native auth-anonymous=1",
                "--load=module-null-sink sink_name=onetake_spk rate=48000 "
                "sink_properties=device.description=OneTakeVirtualSpeaker",
                "--load=module-virtual-source source_name=onetake_mic "
                "master=onetake_spk.monitor "
                "source_properties=device.description=OneTakeVirtualMic",
            ],
            env=env,
            check=True,
            capture_output=True,
            timeout=20,
        )
        self._pulse_started = True
        for _ in range(100):
            if self.pactl("info").returncode == 0:
                break
            time.sleep(0.05)
        else:
            raise VirtualDevicesUnavailable("PulseAudio did not answer within 5 s")
        self.pactl("set-default-sink", "onetake_spk")
        self.pactl("set-default-source", "onetake_mic")

    def pactl(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            ["pactl", *args], env={**os.environ, **self.env}, capture_output=True, timeout=10
        )

    def play(self, wav: Path) -> subprocess.Popen[bytes]:
        """Play a file into the virtual speaker; the virtual microphone hears it."""
        return subprocess.Popen(["paplay", str(wav)], env={**os.environ, **self.env})

    def stop(self) -> None:
        if self._pulse_started:
            subprocess.run(
                ["pulseaudio", "--kill"],
                env={**os.environ, **self.env},
                capture_output=True,
                timeout=10,
            )
            self._pulse_started = False
        if self._xvfb is not None:
            self._xvfb.terminate()
            try:
                self._xvfb.wait(5)
            except subprocess.TimeoutExpired:
                self._xvfb.kill()
            self._xvfb = None


if __name__ == "__main__":
    devices = VirtualDevices()
    devices.start_display()
    devices.start_audio()
    for key, value in devices.env.items():
        print(f"export {key}={value}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        devices.stop()
