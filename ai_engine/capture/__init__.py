"""Motion capture from ordinary video: MediaPipe landmarks → ``MotionTrack`` → canonical skeleton."""

from .face import ARKIT_BLENDSHAPES, face_curves
from .pipeline import CaptureOptions, CaptureResult, capture
from .to_skeleton import track_to_skeleton
from .track import PARTS, MotionTrack

__all__ = [
    "ARKIT_BLENDSHAPES",
    "PARTS",
    "CaptureOptions",
    "CaptureResult",
    "MotionTrack",
    "capture",
    "face_curves",
    "track_to_skeleton",
]
