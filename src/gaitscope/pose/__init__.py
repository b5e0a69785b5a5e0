"""Pose stage: keypoints of the walker from video frames or a still image.

Backends live one per file (``_mediapipe.py`` ...) behind :mod:`gaitscope.pose.backends`.
The model library is imported only when a backend runs, so importing this package is cheap.
"""

from gaitscope.pose.backends import BACKENDS, PoseBackend, get_backend
from gaitscope.pose.image import estimate_image
from gaitscope.pose.overlay import draw_skeleton

__all__ = ["BACKENDS", "PoseBackend", "draw_skeleton", "estimate_image", "get_backend"]
