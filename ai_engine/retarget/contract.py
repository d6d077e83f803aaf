"""Contracts of the retarget jobs. (House plan, step 1: the job names; typed requests/results follow.)"""

from __future__ import annotations

from typing import Any

from ..contract import JobSpec

RETARGET: JobSpec[Any, Any] = JobSpec("retarget.retarget", dict, dict, "retarget a motion onto a rig")  # type: ignore[arg-type]
