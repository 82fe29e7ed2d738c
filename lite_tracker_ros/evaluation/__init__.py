"""
Offline evaluation and benchmarking: metrics, sequence folders, runs, reports, plots, latency.

Nothing here imports torch or rclpy when imported; the trackers come from
``lite_tracker_ros.factory.create_tracker`` at run time.
"""
