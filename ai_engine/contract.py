"""Typed requests and results that cross the worker, and the names of the jobs that take them.

Every feature declares its jobs in its own ``contract.py`` (stdlib only, cheap to import, safe for the
add-on to import lazily)::

    @dataclass(frozen=True)
    class DetectRequest(Contract):
        video: str
        detector: str = "auto"
        def __post_init__(self) -> None:
            require(self.detector in DETECTORS, f"Unknown detector {self.detector!r}: use one of …")

    DETECT = JobSpec("cuts.detect", DetectRequest, DetectResult, "detect the cuts of one video")

and implements them in its ``jobs.py`` with ``@implements(DETECT)`` (see ``registry.py``). The worker
receives ``{"job": "cuts.detect", "request": {...}}``, decodes the request with
``DetectRequest.from_dict``, and sends back ``result.to_dict()``; the add-on reads it back with
``DetectResult.from_dict``. Nobody reads a request or a result by string key.

``from_dict`` checks every field against its annotation (``int``, ``float``, ``str``, ``bool``,
``Path``, nested contracts, ``tuple[X, ...]``, ``list[X]``, ``dict[str, X]``, ``X | None``,
``Literal[...]``) and refuses unknown or missing fields with a ``BadRequest`` naming them;
``__post_init__`` holds the checks that need more than a type.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, TypeVar, Union

from .errors import EngineError

__all__ = ["BadRequest", "Contract", "JobSpec", "require"]


class BadRequest(EngineError):
    """A request or result does not match its contract (missing, unknown or mistyped field)."""


def require(condition: bool, message: str) -> None:
    """Raise ``BadRequest(message)`` unless ``condition``: validation inside ``__post_init__``."""
    if not condition:
        raise BadRequest(message)


C = TypeVar("C", bound="Contract")


class Contract:
    """Mixin for frozen dataclasses that cross the worker as JSON."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able form: nested contracts as dicts, tuples as lists, paths as strings."""
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls: type[C], data: Mapping[str, Any]) -> C:
        """Read and check ``data``; raises ``BadRequest`` naming the field that does not fit."""
        return _from_mapping(cls, data, cls.__name__)


def _from_mapping(cls: type[C], data: Any, where: str) -> C:
    if isinstance(data, cls):
        return data
    if not isinstance(data, Mapping):
        raise BadRequest(f"{where} expects an object ({cls.__name__}), got {type(data).__name__}.")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise BadRequest(
            f"{where} has no field {', '.join(map(repr, unknown))}; its fields are {', '.join(fields)}."
        )
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name in data:
            values[name] = _decode(hints[name], data[name], f"{where}.{name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise BadRequest(f"{where} needs {name!r}.")
    return cls(**values)


Req = TypeVar("Req", bound=Contract)
Res = TypeVar("Res", bound=Contract)


@dataclass(frozen=True)
class JobSpec(Generic[Req, Res]):
    """A job's public name and the types it takes and returns (declared in a feature's contract).

    ``name`` is ``"<feature>.<verb>"``; the feature part says which ``jobs.py`` implements it.
    """

    name: str
    request: type[Req]
    result: type[Res]
    summary: str = ""

    def __post_init__(self) -> None:
        feature, dot, verb = self.name.partition(".")
        if not (feature and dot and verb):
            raise ValueError(f"A job name is '<feature>.<verb>', not {self.name!r}.")
        for role, kind in (("request", self.request), ("result", self.result)):
            if not (isinstance(kind, type) and issubclass(kind, Contract)):
                raise TypeError(f"Job {self.name}'s {role} type must be a Contract, not {kind!r}.")


# ---------------------------------------------------------------------------------- encoding


def _encode(value: Any) -> Any:
    if isinstance(value, Contract):
        return value.to_dict()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return value.to_dict()  # a domain type with its own JSON form (CutList, RigSpec …)
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", None) == 0:
        return value.item()  # a numpy scalar
    if hasattr(value, "tolist"):
        return value.tolist()  # a numpy array (small ones only: big arrays travel as files)
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _decode(tp: Any, value: Any, where: str) -> Any:
    if tp is Any:
        return value
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for option in (a for a in args if a is not type(None)):
            try:
                return _decode(option, value, where)
            except BadRequest as exc:
                errors.append(str(exc))
        raise BadRequest(errors[0] if len(errors) == 1 else f"{where}: {value!r} fits none of {tp}.")
    if origin is Literal:
        if value not in args:
            raise BadRequest(f"{where} must be one of {', '.join(map(repr, args))}, not {value!r}.")
        return value
    if isinstance(tp, type) and issubclass(tp, Contract):
        return _from_mapping(tp, value, where)
    if isinstance(tp, type) and hasattr(tp, "from_dict"):
        if isinstance(value, tp):
            return value
        if not isinstance(value, Mapping):
            raise BadRequest(f"{where} must be an object ({tp.__name__}), not {type(value).__name__}.")
        try:
            return tp.from_dict(dict(value))
        except (KeyError, TypeError, ValueError) as exc:
            raise BadRequest(f"{where} is not a valid {tp.__name__}: {exc}") from exc
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise BadRequest(f"{where} must be a list, not {type(value).__name__}.")
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            if len(value) != len(args):
                raise BadRequest(f"{where} must have {len(args)} items, not {len(value)}.")
            return tuple(
                _decode(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True))
            )
        item = args[0] if args else Any
        decoded = [_decode(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(decoded) if origin is tuple else decoded
    if origin in (dict, Mapping):
        if not isinstance(value, Mapping):
            raise BadRequest(f"{where} must be an object, not {type(value).__name__}.")
        item = args[1] if len(args) == 2 else Any
        return {str(k): _decode(item, v, f"{where}[{k!r}]") for k, v in value.items()}
    if tp is Path:
        if isinstance(value, Path):
            return value
        if isinstance(value, str):
            return Path(value)
        raise BadRequest(f"{where} must be a path, not {type(value).__name__}.")
    if tp is bool:
        if not isinstance(value, bool):
            raise BadRequest(f"{where} must be true or false, not {value!r}.")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise BadRequest(f"{where} must be a whole number, not {value!r}.")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadRequest(f"{where} must be a number, not {value!r}.")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise BadRequest(f"{where} must be text, not {type(value).__name__}.")
        return value
    if isinstance(tp, type) and isinstance(value, tp):
        return value
    raise BadRequest(f"{where}: cannot read {type(value).__name__} as {tp}.")
