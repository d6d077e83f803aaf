"""Cut-list export formats behind one small interface: one module per format, one registry.

Every format describes the same thing: the source video split into consecutive shots, shot ``i``
covering source frames ``[start, end)``. Each is an ``ExportFormat`` subclass in its own module
here, named like the module (``edl.py`` → ``name = "edl"``); ``names()`` is the vocabulary the
contract publishes (``EXPORT_FORMATS``). A format also reads its own files back
(``read_shots``), so every format is checked by the same round-trip test. Adding a format is
adding one file.
"""

from __future__ import annotations

import os
import sys
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import ExportError
from .._plugins import load
from .._plugins import names as _names

if TYPE_CHECKING:
    from ..cutlist import CutList

_REGISTRY: dict[str, type[ExportFormat]] = {}


class ExportFormat(ABC):
    name: ClassVar[str]
    suffix: ClassVar[str]  # ".otio"
    label: ClassVar[str] = ""  # short button text ("OTIO")
    description: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            _REGISTRY[cls.name] = cls

    @abstractmethod
    def write(self, cut_list: CutList, path: Path) -> None:
        """Write ``cut_list`` to ``path`` (its folder exists). May raise ``OSError``."""

    @abstractmethod
    def read_shots(self, path: Path, fps: float) -> list[tuple[int, int]]:
        """The ``(start, end_exclusive)`` source-frame shots of a file this format wrote."""


def names() -> tuple[str, ...]:
    """Every export format, OpenTimelineIO first (the add-on's default)."""
    return _names(sys.modules[__name__], first=("otio",))


def get(name: str) -> ExportFormat:
    """The format ``name``; ``ExportError`` names the known ones."""
    try:
        return load(sys.modules[__name__], _REGISTRY, name, "export format")()  # type: ignore[no-any-return]
    except ValueError as exc:
        raise ExportError(str(exc)) from exc


def write(cut_list: CutList, path: str | os.PathLike[str], fmt: str) -> Path:
    """Write ``cut_list`` as ``fmt`` to ``path``.

    Raises:
        ExportError: unknown format; the folder is missing or not writable.
    """
    writer = get(fmt)
    out = Path(path)
    if not out.parent.exists():
        raise ExportError(
            f"Cannot write {out}: the folder {out.parent} does not exist. Create it or pick another."
        )
    try:
        writer.write(cut_list, out)
    except OSError as exc:
        raise ExportError(f"Cannot write {out}: {exc}. Pick a writable folder.") from exc
    return out


def export(cut_list: CutList, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``cut_list`` in ``fmt`` (default: the format whose suffix the file name has).

    Raises:
        ExportError: unknown format, or the file could not be written.
    """
    if fmt is None:
        suffix = Path(path).suffix.lower()
        fmt = next((n for n in names() if get(n).suffix == suffix), None)
        if fmt is None:
            known = ", ".join(get(n).suffix for n in names())
            raise ExportError(f"Unknown export format {suffix or Path(path).name!r}: use {known}.")
    return write(cut_list, path, fmt.lower())
