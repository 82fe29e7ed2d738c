"""The thin ROS 2 layer: node, message conversion, diagnostics; the only rclpy user."""
