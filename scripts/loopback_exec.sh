#!/usr/bin/env bash
# Run a command with ROS 2 confined to this machine's loopback: discovery range LOCALHOST, a
# per-run domain id, the Fast DDS profile that binds UDP to 127.0.0.1 (and sizes shared memory
# for camera images), and, when this user may create one (root), a network namespace that has
# only a loopback interface. Used by scripts/test.sh and scripts/demo.sh.
#   scripts/loopback_exec.sh COMMAND [ARGS...]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
export ROS_DOMAIN_ID=${ROS_DOMAIN_ID:-$(( (RANDOM % 101) + 1 ))}
unset ROS_STATIC_PEERS ROS_LOCALHOST_ONLY
export FASTDDS_DEFAULT_PROFILES_FILE=$root/scripts/fastdds_loopback.xml

if unshare -n true 2>/dev/null && command -v ip >/dev/null; then
  export LITE_TRACKER_NETNS=yes
  exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
echo "[loopback] cannot create a network namespace here: LOCALHOST discovery only" >&2
exec "$@"
