"""Test isolation for every layer.

- Qt runs offscreen: set before any QApplication can exist (without a display, Qt would abort
  the process instead of failing a test).
- Every test gets a fresh ``ONETAKE_HOME``, so nothing touches real user data.
- A test that leaves a Python thread running fails (workers must be stopped and joined);
  UI tests also fail when Qt's thread pool is still busy afterwards (tests/ui/conftest.py).
- Under CI (``CI`` set to anything but empty/0/false) a skip is a failure: CI installs what
  every test needs, so a skip there means a missing install step. The only opt-out is the
  ``ci_may_skip(reason=...)`` marker, for a test whose subject CI cannot have (none today).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from _pytest.reports import CollectReport, TestReport
from pluggy import Result

from onetake_desktop.paths import app_paths
from onetake_desktop.services.context import AppContext, DeviceDefaults

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never record from a real device by accident in tests.
os.environ.pop("ONETAKE_CAMERA", None)
os.environ.pop("ONETAKE_MIC", None)

REPO_ROOT = Path(__file__).resolve().parents[1]

# pytester runs the CI-strictness hook below on small throwaway test files (tests/unit/test_ci.py).
pytest_plugins = ("pytester",)


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _ci_refuses(report: TestReport | CollectReport, item: pytest.Item | None) -> bool:
    if not (under_ci() and report.skipped) or hasattr(report, "wasxfail"):
        return False
    return item is None or item.get_closest_marker("ci_may_skip") is None


def _as_failure(report: TestReport | CollectReport) -> None:
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = (
        f"skipped under CI ({reason}); CI must install what this test needs, "
        "or the test must say why with @pytest.mark.ci_may_skip(reason=...)"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Result[TestReport], None]:
    outcome = yield
    report = outcome.get_result()
    if _ci_refuses(report, item):
        _as_failure(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, Result[CollectReport], None]:
    outcome = yield
    report = outcome.get_result()
    if _ci_refuses(report, None):  # a whole module skipped at import (importorskip)
        _as_failure(report)


@pytest.fixture(autouse=True)
def onetake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "onetake-home"
    home.mkdir()
    monkeypatch.setenv("ONETAKE_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def no_unlocked_keys() -> Iterator[None]:
    """Organisation keys unlocked by one test stay unlocked in the process (services.keys):
    every test starts and ends with none, whatever order the tests run in."""
    from onetake_desktop.services.keys import forget_unlocked

    forget_unlocked()
    yield
    forget_unlocked()


@pytest.fixture
def app_context(onetake_home: Path) -> AppContext:
    """What app.py builds, on this test's home, with synthetic devices by default."""
    return AppContext(
        paths=app_paths({"ONETAKE_HOME": str(onetake_home)}),
        devices=DeviceDefaults("synthetic", "synthetic"),
    )


@pytest.fixture(autouse=True)
def no_dangling_threads(request: pytest.FixtureRequest) -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3.0
    while True:
        left = [
            t
            for t in threading.enumerate()
            if t not in before
            and t.is_alive()
            and not t.name.startswith("pytest_timeout")
            # A thread Python did not start (Qt's pool running a task) shows up as a dummy
            # that never ends; tests/ui/conftest.py checks that the pool is idle instead.
            and not isinstance(t, threading._DummyThread)
        ]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if left:
        names = ", ".join(t.name for t in left)
        pytest.fail(f"{request.node.nodeid} left threads running: {names}", pytrace=False)
