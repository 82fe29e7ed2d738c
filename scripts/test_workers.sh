# Sourced by scripts/test.sh and scripts/test_oldest.sh: the pytest-xdist arguments in worker_args.
# One worker per core, at most 4 (each worker holds its own models; more only adds memory), none
# when LITE_TRACKER_TEST_WORKERS=0. Files, not single tests, are spread over the workers
# (--dist loadfile): a module's fixtures (an exported ONNX graph, a running node) are then built
# once, not once per worker. test/conftest.py gives each worker its own ROS_DOMAIN_ID and one math
# thread.
workers=${LITE_TRACKER_TEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}
(( workers > 4 )) && workers=4
if (( workers > 1 )); then
  worker_args=(-n "$workers" --dist loadfile)
else
  worker_args=()
fi
