"""Reading JSON whose shape a server may get wrong: typed getters that name the path.

Every wire format reads answers through these helpers. A value of the wrong type
raises `WireShapeError` naming where it was and what it was; `LanguageModel` and
`StreamDecoder` turn that into the package's `ServerError` / `BrokenStreamError`.
"""

from __future__ import annotations

import math
from typing import Any


class WireShapeError(Exception):
    """A JSON value is not of the type the API promises (internal; never escapes)."""


def describe(value: Any) -> str:
    """A short name for a JSON value's kind: "null", "a string", "an object", ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _wrong(where: str, value: Any, expected: str) -> WireShapeError:
    return WireShapeError(f"{where} is {describe(value)}, not {expected}")


def obj(value: Any, where: str) -> dict[str, Any]:
    """`value` as an object; null (absent) as an empty one."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise _wrong(where, value, "an object")


def items(value: Any, where: str) -> list[Any]:
    """`value` as a list; null (absent) as an empty one."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise _wrong(where, value, "a list")


def objects(value: Any, where: str) -> list[dict[str, Any]]:
    """`value` as a list of objects (a null item is an error); null as an empty list."""
    out: list[dict[str, Any]] = []
    for i, item in enumerate(items(value, where)):
        if not isinstance(item, dict):
            raise _wrong(f"{where}[{i}]", item, "an object")
        out.append(item)
    return out


def text(value: Any, where: str) -> str | None:
    """A string, or null; a list of text parts (`[{"text": ...}]`) is joined."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        pieces: list[str] = []
        for i, part in enumerate(value):
            if isinstance(part, str):
                pieces.append(part)
                continue
            piece = text(obj(part, f"{where}[{i}]").get("text"), f"{where}[{i}].text")
            pieces.append(piece or "")
        return "".join(pieces)
    raise _wrong(where, value, "a string")


def string(value: Any, where: str) -> str | None:
    """A string or null; nothing else."""
    if value is None or isinstance(value, str):
        return value
    raise _wrong(where, value, "a string")


def ident(value: Any, where: str) -> str | None:
    """An id: a string, or an integer (TGI 1.4 sends `0`) as its digits; else null."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _wrong(where, value, "a string id")


def count(value: Any, where: str) -> int | None:
    """A token count: a non-negative integer (a whole float is accepted), or null."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _wrong(where, value, "a count")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            msg = f"{where} is {value!r}, not a count"
            raise WireShapeError(msg)
        value = int(value)
    if value < 0:
        msg = f"{where} is {value}, not a count"
        raise WireShapeError(msg)
    return int(value)


def number(value: Any, where: str) -> float | None:
    """A finite number, or null."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _wrong(where, value, "a number")
    if not math.isfinite(value):
        msg = f"{where} is {value!r}, not a finite number"
        raise WireShapeError(msg)
    return float(value)
