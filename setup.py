"""ament_python package definition (also installable with plain pip)."""

from glob import glob
import os

from setuptools import find_packages, setup

package_name = 'lite_tracker_ros'


def share(subdir, pattern):
    return (os.path.join('share', package_name, subdir), glob(os.path.join(subdir, pattern)))


setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test', 'test.*']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        share('launch', '*.launch.py'),
        share('config', '*.yaml'),
        share('config/diagnostics', '*.yaml'),
        share('models', '*.yaml'),
    ],
    python_requires='>=3.10',
    # Not in install_requires: on a ROS install numpy and OpenCV come from apt (python3-opencv
    # has no pip metadata) and colcon's entry-point scripts would refuse to start. The supported
    # ranges, tested at both ends (scripts/test.sh newest, scripts/test_oldest.sh oldest):
    install_requires=['setuptools'],
    zip_safe=True,
    maintainer='lite_tracker_ros maintainers',
    maintainer_email='maintainers@lite-tracker-ros.invalid',
    description='Single-object tracking with pruned transformer trackers (LiteTrack, MVT, '
                'CompressTracker, FARTrack, NanoTrack) for ROS 2.',
    license='MIT',
    extras_require={
        'runtime': ['numpy>=1.21,<3', 'opencv-python-headless>=4.5,<6', 'onnxruntime>=1.16',
                    'onnx>=1.16', 'torch>=2.0', 'safetensors>=0.4', 'pyyaml>=5.4'],
        'test': ['pytest>=7.4,<9', 'hypothesis'],
    },
    entry_points={
        'console_scripts': [
            'tracker_node = lite_tracker_ros.ros.tracker_node:main',
            'video_publisher = lite_tracker_ros.ros.video_publisher:main',
            'lite-tracker = lite_tracker_ros.cli:main',
        ],
    },
)
