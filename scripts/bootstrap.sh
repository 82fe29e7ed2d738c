#!/usr/bin/env bash
# Create or refresh the project's virtual environment (.venv, or $LITE_TRACKER_VENV) with ROS 2
# from PyPI, torch (CPU), onnxruntime and OpenCV; generate vision_msgs into it when it is not
# importable; register the package in the venv's ament index as colcon would. Idempotent: when
# nothing it depends on changed, it returns in about a second. Prints the venv path on its last
# line. $LITE_TRACKER_REQUIREMENTS picks another pin set (scripts/test_oldest.sh: the oldest
# versions the package supports).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${LITE_TRACKER_VENV:-$root/.venv}
python=${LITE_TRACKER_PYTHON:-python3.11}
requirements=${LITE_TRACKER_REQUIREMENTS:-$root/requirements.txt}
log() { printf '[bootstrap] %s\n' "$*" >&2; }

command -v "$python" >/dev/null || python=python3
"$python" - <<'PY' || { log "Python 3.10-3.12 is required (the ROS 2 wheels are built for those)."; exit 1; }
import sys
sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)
PY

# What the environment is built from; a change to any of it triggers a refresh.
stamp_input() {
  "$python" --version
  cat "$requirements" "$root/setup.py" "$root/setup.cfg" "$root/package.xml"
  find "$root/interfaces" -type f -print0 | sort -z | xargs -0 cat
}
want=$(stamp_input | sha256sum | cut -d' ' -f1)
stamp=$venv/.lite_tracker_stamp
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
  echo "$venv"
  exit 0
fi

start=$(date +%s)
if [[ ! -x $venv/bin/python ]]; then
  log "creating $venv"
  "$python" -m venv "$venv"
fi
vpy=$venv/bin/python
log "installing requirements (first run: about a minute)"
"$vpy" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$vpy" -m pip install --quiet --disable-pip-version-check -r "$requirements"

interfaces_hash=$(find "$root/interfaces" -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -d' ' -f1)
generated=$venv/.lite_tracker_generated_vision_msgs
if "$vpy" -c 'import vision_msgs.msg' 2>/dev/null \
    && { [[ ! -f $generated ]] || [[ $(cat "$generated") == "$interfaces_hash" ]]; }; then
  log "vision_msgs importable and up to date: not generating it"
else
  log "generating vision_msgs from interfaces/vision_msgs"
  command -v cmake >/dev/null && cmake --version | awk 'NR==1{split($3,v,"."); exit !(v[1]>3 || (v[1]==3 && v[2]>=19))}' \
    || "$vpy" -m pip install --quiet --disable-pip-version-check 'cmake>=3.19,<5'
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  (
    export PATH=$venv/bin:$PATH AMENT_PREFIX_PATH=$venv
    cd "$build"
    cmake "$root/interfaces/vision_msgs" -DCMAKE_PREFIX_PATH="$venv" -DCMAKE_INSTALL_PREFIX="$venv" \
      -DPython3_EXECUTABLE="$vpy" -DBUILD_TESTING=OFF \
      -DCMAKE_PROJECT_INCLUDE="$root/interfaces/vision_msgs/cmake/drop_missing_include_dirs.cmake" >cmake.log 2>&1 \
      && make -j"$(nproc)" install >>cmake.log 2>&1
  ) || { log "vision_msgs generation failed; log follows"; cat "$build/cmake.log" >&2; exit 1; }
  echo "$interfaces_hash" >"$generated"
fi

log "installing lite_tracker_ros (editable)"
"$vpy" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e "$root"
# An editable pip install leaves out setup.py's data_files and puts executables in bin/; colcon
# puts them in share/ and lib/<package>/, where ament_index and launch_ros look. Link the same
# layout into the venv prefix, so `launch` (where importable) finds the package, its launch
# files and its executables exactly as in a workspace.
share=$venv/share/lite_tracker_ros
mkdir -p "$venv/share/ament_index/resource_index/packages" "$share" "$venv/lib/lite_tracker_ros"
: >"$venv/share/ament_index/resource_index/packages/lite_tracker_ros"
for item in package.xml launch config models; do ln -sfn "$root/$item" "$share/$item"; done
for executable in tracker_node video_publisher lite-tracker; do
  ln -sf "$venv/bin/$executable" "$venv/lib/lite_tracker_ros/$executable"
done
echo "$want" >"$stamp"
log "ready in $(( $(date +%s) - start )) s: $venv ($(du -sh "$venv" | cut -f1))"
echo "$venv"
