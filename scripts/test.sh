#!/usr/bin/env bash
# Run the test suite: sets up .venv if needed (scripts/bootstrap.sh), then runs pytest with ROS
# confined to loopback (scripts/loopback_exec.sh), on every core (up to 4) with pytest-xdist.
# Extra arguments go to pytest, e.g. scripts/test.sh -k conformance -x
# LITE_TRACKER_TEST_WORKERS=0 runs in one process (for -s, --pdb, or a step-by-step look).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$("$root/scripts/bootstrap.sh" | tail -n 1)
cd "$root"
source "$root/scripts/test_workers.sh"
exec "$root/scripts/loopback_exec.sh" "$venv/bin/python" -m pytest "${worker_args[@]}" "$@"
