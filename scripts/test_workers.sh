# Sourced by scripts/test.sh and scripts/test_oldest.sh (reads their arguments): the pytest-xdist
# arguments in worker_args. One worker per core, at most 4 (each worker holds its own models; more
# only adds memory); none when LITE_TRACKER_TEST_WORKERS=0, or when the arguments ask for output or
# a debugger (-s, --capture=no, --pdb) or choose the workers themselves (-n, -p no:xdist). Files,
# not single tests, are spread over the workers (--dist loadfile): a module's fixtures (an exported
# ONNX graph, a running node) are then built once, not once per worker. test/conftest.py gives
# each worker its own ROS_DOMAIN_ID and one math thread.
workers=${LITE_TRACKER_TEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}
(( workers > 4 )) && workers=4
for arg in "$@"; do
  case $arg in
    -s | --capture=no | --pdb | -n | -n* | --numprocesses* | no:xdist) workers=0 ;;
  esac
done
if (( workers > 1 )); then
  worker_args=(-n "$workers" --dist loadfile)
else
  worker_args=()
fi
