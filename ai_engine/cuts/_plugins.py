"""One module per plug-in, its file name its name: how the detector and export-format folders work.

``names`` lists a package's modules without importing them (the contract builds its vocabularies
from it, so importing the contract stays cheap); ``load`` imports one module and returns the one
class registered under that name.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any


def names(package: ModuleType, first: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Public module names of ``package`` (``first`` ones first, the rest sorted)."""
    found = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))
    return tuple([n for n in first if n in found] + [n for n in found if n not in first])


def load(package: ModuleType, registry: dict[str, Any], name: str, what: str) -> Any:
    """The class registered as ``name`` after importing ``package.name``.

    Raises:
        ValueError: no such module, or the module registers no class of that name.
    """
    known = names(package)
    if name not in known:
        raise ValueError(f"Unknown {what} {name!r}: use one of {', '.join(known)}.")
    importlib.import_module(f"{package.__name__}.{name}")
    if name not in registry:
        raise ValueError(
            f"{package.__name__}.{name} defines no {what} class with name = {name!r} (the file name)."
        )
    return registry[name]
