#!/usr/bin/env bash
# The main job, end to end on this machine: sets up .venv if needed, then plays a video as a
# camera through the real tracker node over ROS 2 (loopback only, scripts/loopback_exec.sh) and
# writes an annotated video and a latency summary to out/demo/. Extra arguments go to
# `lite-tracker demo` (see --help).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$("$root/scripts/bootstrap.sh" | tail -n 1)
cd "$root"

# The real NanoTrack weights and the sample video beside the checkout (this project's machines)
# count as installed (each is checked against the registry's SHA-256 before use).
for shared in "$root/../shared/models/nanotrack" "$root/../shared/data/videos"; do
  if [[ -d $shared ]]; then
    export LITE_TRACKER_MODEL_PATH=${LITE_TRACKER_MODEL_PATH:+$LITE_TRACKER_MODEL_PATH:}$shared
  fi
done
exec "$root/scripts/loopback_exec.sh" "$venv/bin/lite-tracker" demo "$@"
