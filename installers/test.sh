#!/usr/bin/env bash
# The project's test command: the one place README.md ("Set up and run the tests") and .ci/run
# take it from. Extra arguments go to pytest (e.g. `bash installers/test.sh tests/unit`).
set -euo pipefail
cd "$(dirname "$0")/.."
# Many fresh Python processes (commands, windows, probers, the e2e app) import the app's modules;
# under PYTHONDONTWRITEBYTECODE each would compile them again (~0.4 s for a window's): compile
# them once here (a later run skips what did not change; pytest still rewrites its test files).
# Its errors are shown, but a checkout it cannot write (or a file that does not compile, which
# pytest then reports) never stops the tests.
.venv/bin/python -m compileall -q src tests \
    || echo "test.sh: could not compile ahead (see above); the tests still run." >&2
# The suite runs on up to 4 cores (pytest-xdist): many tests wait on real time (takes
# recorded at their own pace, uploads through slowed lines, children started and killed), so
# two workers take ~0.55 of one's time on a 2-core machine. ONETAKE_TEST_WORKERS=0 runs
# everything in this one process (a debugger, -s, -x); `-n N` after the command also wins.
workers=${ONETAKE_TEST_WORKERS:-$(.venv/bin/python -c \
    'import os; print(min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))')}
exec .venv/bin/python -m pytest -q -p no:cacheprovider -n "$workers" "$@"
