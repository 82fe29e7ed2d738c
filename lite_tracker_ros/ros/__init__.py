"""The thin ROS 2 layer: node, message conversion, diagnostics. The only place that imports rclpy."""
