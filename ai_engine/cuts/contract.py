"""Contracts of the cuts jobs. (House plan, step 1: the job names; typed requests/results follow.)"""

from __future__ import annotations

from typing import Any

from ..contract import JobSpec

# Legacy: these jobs still take and return dicts; their typed contracts replace ``dict`` here.
DETECT: JobSpec[Any, Any] = JobSpec("cuts.detect", dict, dict, "detect the cuts of one video")  # type: ignore[arg-type]
DETECT_MANY: JobSpec[Any, Any] = JobSpec("cuts.detect_many", dict, dict, "detect cuts in several videos")  # type: ignore[arg-type]
EXPORT: JobSpec[Any, Any] = JobSpec("cuts.export", dict, dict, "write a cut list as OTIO/EDL/CSV")  # type: ignore[arg-type]
