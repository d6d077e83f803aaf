"""Contracts of the effects jobs. (House plan, step 1: the job names; typed requests/results follow.)"""

from __future__ import annotations

from typing import Any

from ..contract import JobSpec

PRESETS: JobSpec[Any, Any] = JobSpec("fx.presets", dict, dict, "list the built-in presets")  # type: ignore[arg-type]
GENERATE: JobSpec[Any, Any] = JobSpec("fx.generate", dict, dict, "generate a texture or a loop")  # type: ignore[arg-type]
TRAIN: JobSpec[Any, Any] = JobSpec("fx.train", dict, dict, "train a model on example images")  # type: ignore[arg-type]
