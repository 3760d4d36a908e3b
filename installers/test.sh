#!/usr/bin/env bash
# The project's test command: the one place README.md ("Set up and run the tests") and .ci/run
# take it from. Extra arguments go to pytest (e.g. `bash installers/test.sh tests/unit`).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
