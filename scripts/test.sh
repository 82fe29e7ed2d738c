#!/usr/bin/env bash
# Run the test suite: sets up .venv if needed (scripts/bootstrap.sh), then runs pytest with ROS
# confined to loopback (scripts/loopback_exec.sh).
# Extra arguments go to pytest, e.g. scripts/test.sh -k conformance -x
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$("$root/scripts/bootstrap.sh" | tail -n 1)
cd "$root"
exec "$root/scripts/loopback_exec.sh" "$venv/bin/python" -m pytest "$@"
