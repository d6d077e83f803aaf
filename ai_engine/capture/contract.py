"""Contracts of the capture jobs. (House plan, step 1: the job names; typed requests/results follow.)"""

from __future__ import annotations

from typing import Any

from ..contract import JobSpec

CAPTURE: JobSpec[Any, Any] = JobSpec("capture.capture", dict, dict, "capture a video into a MotionTrack")  # type: ignore[arg-type]
CAPTURE_TO_RIG: JobSpec[Any, Any] = JobSpec(
    "capture.capture_to_rig", dict, dict, "capture and retarget onto a rig"
)  # type: ignore[arg-type]
