#!/usr/bin/env bash
# The main job, end to end on this machine: sets up .venv if needed, then plays a video as a
# camera through the real tracker node over ROS 2 (loopback only) and writes an annotated video
# and a latency summary to out/demo/. Extra arguments go to `lite-tracker demo` (see --help).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$("$root/scripts/bootstrap.sh" | tail -n 1)
cd "$root"

export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
export ROS_DOMAIN_ID=${ROS_DOMAIN_ID:-$(( (RANDOM % 101) + 1 ))}
unset ROS_STATIC_PEERS ROS_LOCALHOST_ONLY
# shared memory sized for camera images, UDP on 127.0.0.1 only (see the file)
export FASTDDS_DEFAULT_PROFILES_FILE=$root/scripts/fastdds_loopback.xml

# The real NanoTrack weights beside the checkout (this project's machines) count as installed.
shared_models=$root/../shared/models/nanotrack
if [[ -d $shared_models ]]; then
  export LITE_TRACKER_MODEL_PATH=${LITE_TRACKER_MODEL_PATH:+$LITE_TRACKER_MODEL_PATH:}$shared_models
fi

demo=("$venv/bin/lite-tracker" demo "$@")
if unshare -n true 2>/dev/null && command -v ip >/dev/null; then
  exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh "${demo[@]}"
fi
exec "${demo[@]}"
