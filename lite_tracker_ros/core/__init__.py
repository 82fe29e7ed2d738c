"""
The ROS-free tracking core: geometry, crops, decoding and the tracker loop.

Imports numpy and OpenCV only, never rclpy or torch.
"""
