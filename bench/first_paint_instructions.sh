#!/bin/bash
# Instructions to a window's first paint, counted by callgrind: deterministic, so a small
# start-up change shows on a busy machine where CPU times swing (issue 17; bench/README.md).
#
#   bash bench/first_paint_instructions.sh [SRC] [DRIVER ARGS ...]
#     SRC          a source tree (default: this checkout's src), e.g. another worktree's src
#     DRIVER ARGS  as bench/_first_paint.py takes them: --bare | (none: start) | review |
#                  author | candidate KIT
# Prints millions of instructions. Needs valgrind. The home (and the bytecode cache) persist
# per source tree under $TMPDIR, as the start-up bench's "empty" home does: the first run of
# a case creates the library and compiles, so run each case once before the run you read.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-$repo/src}
if [ $# -gt 0 ]; then shift; fi
python=${PYTHON:-$repo/.venv/bin/python}
tag=$(printf %s "$src" | md5sum | cut -c1-8)
tmp=${TMPDIR:-/tmp}
mkdir -p "$tmp/onetake-ir-home-$tag"
unset PYTHONDONTWRITEBYTECODE
cd "$repo"
PYTHONHASHSEED=0 PYTHONPYCACHEPREFIX="$tmp/onetake-ir-pyc-$tag" QT_QPA_PLATFORM=offscreen \
  ONETAKE_HOME="$tmp/onetake-ir-home-$tag" PYTHONPATH="$src" \
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$python" bench/_first_paint.py "$@" 2>&1 |
  awk '/Collected/ { printf "%.1f\n", $4 / 1e6 }'
