"""Motion capture from ordinary video: MediaPipe landmarks → ``MotionTrack`` → canonical skeleton."""

from .contract import PARTS, CaptureOptions, HealthReport
from .face import ARKIT_BLENDSHAPES, face_curves
from .pipeline import Captured, capture
from .to_skeleton import track_to_skeleton
from .track import MotionTrack

__all__ = [
    "ARKIT_BLENDSHAPES",
    "PARTS",
    "CaptureOptions",
    "Captured",
    "HealthReport",
    "MotionTrack",
    "capture",
    "face_curves",
    "track_to_skeleton",
]
