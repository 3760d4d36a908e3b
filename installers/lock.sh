#!/usr/bin/env bash
# Refresh the lock files that installers/setup-dev.sh and .ci/run install from: every package
# pinned with its hashes. Run after changing dependencies in pyproject.toml, or to take newer
# versions (then run the tests): `bash installers/lock.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
COMPILE=${COMPILE:-.venv/bin/pip-compile}
common=(--quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url
  --no-emit-find-links --no-emit-trusted-host --resolver=backtracking)
"$COMPILE" "${common[@]}" --extra test --extra dev -o requirements.lock pyproject.toml
"$COMPILE" "${common[@]}" -o installers/requirements-core.lock installers/requirements-core.in
echo "lock: requirements.lock and installers/requirements-core.lock refreshed"
