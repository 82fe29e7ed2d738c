#!/usr/bin/env bash
# Run the test suite: sets up .venv if needed (scripts/bootstrap.sh), then runs pytest with ROS
# confined to loopback: discovery range LOCALHOST, a per-run domain id, and, when this user may
# create one (root), a network namespace that has only a loopback interface.
# Extra arguments go to pytest, e.g. scripts/test.sh -k conformance -x
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$("$root/scripts/bootstrap.sh" | tail -n 1)
cd "$root"

export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
export ROS_DOMAIN_ID=${ROS_DOMAIN_ID:-$(( (RANDOM % 101) + 1 ))}
unset ROS_STATIC_PEERS ROS_LOCALHOST_ONLY
# shared memory sized for camera images, UDP on 127.0.0.1 only (see the file)
export FASTDDS_DEFAULT_PROFILES_FILE=$root/scripts/fastdds_loopback.xml

pytest=("$venv/bin/python" -m pytest "$@")
if unshare -n true 2>/dev/null && command -v ip >/dev/null; then
  export LITE_TRACKER_NETNS=yes
  exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh "${pytest[@]}"
fi
echo "[test] cannot create a network namespace here: running with LOCALHOST discovery only" >&2
exec "${pytest[@]}"
