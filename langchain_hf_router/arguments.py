"""Arguments the chat model does not know: misspellings, other libraries' names, extras.

A name close to a field (`temprature`) or another library's name for one
(`openai_api_key`) is an error naming the field. Any other unknown name moves
to `model_kwargs` with a warning and is sent in the request body, as
`ChatOpenAI` does. `model_kwargs` and `extra_body` are merged into the body.
"""

from __future__ import annotations

import difflib
import sys
import warnings
from collections.abc import Collection, Mapping
from typing import Any, Final

from pydantic import SecretStr

from langchain_hf_router.core.errors import InvalidInputError

OTHER_NAMES: Final = {
    "openai_api_key": "api_key",
    "huggingfacehub_api_token": "api_key",
    "hf_token": "api_key",
    "token": "api_key",
    "api_token": "api_key",
    "access_token": "api_key",
    "huggingface_api_key": "api_key",
    "openai_api_base": "base_url",
    "api_base": "base_url",
    "endpoint_url": "base_url",
    "model_id": "model",
    "repo_id": "model",
    "max_new_tokens": "max_tokens",
    "max_output_tokens": "max_tokens",
    "stop_sequences": "stop",
    "timeout_seconds": "timeout",
}
"""Names other chat models use for one of this model's fields."""
KEY_NAMES: Final = frozenset(
    {"api_key", *(name for name, field in OTHER_NAMES.items() if field == "api_key")}
)
"""Arguments that hold a key."""
PROTOCOL_KEYS: Final = frozenset({"stream"})
"""Body keys no extra may set: they change how the answer is read."""
_LIBRARIES: Final = ("langchain_hf_router.", "langchain_core.", "pydantic.")
_CLOSE: Final = 0.8
"""How alike a name and a field must be to count as a misspelling (difflib ratio)."""


def closest(name: str, names: Collection[str]) -> str | None:
    """The name in `names` that `name` most likely misspells, if any is close."""
    if name in OTHER_NAMES and OTHER_NAMES[name] in names:
        return OTHER_NAMES[name]
    found = difflib.get_close_matches(name.lower(), names, n=1, cutoff=_CLOSE)
    return found[0] if found else None


def hide_keys(values: dict[str, Any]) -> None:
    """Wrap each key given as text in `SecretStr`, so no error can quote it."""
    for name in KEY_NAMES.intersection(values):
        if isinstance(values[name], str):
            values[name] = SecretStr(values[name])


def sort_arguments(values: dict[str, Any], fields: Collection[str]) -> dict[str, Any]:
    """Constructor arguments with the unknown ones moved to `model_kwargs`.

    Raises:
        InvalidInputError: An unknown name is close to a field, or `model_kwargs`
            holds a field or a protocol key, or `n` asks for several answers.
    """
    extras = dict(values.get("model_kwargs") or {})
    check_extra(extras, "model_kwargs")
    for name in list(values):
        if name in fields:
            continue
        value = values.pop(name)
        if name == "n":
            _check_n(value)
            continue
        if near := closest(name, fields):
            msg = (
                f"Unknown argument {name!r}: did you mean {near!r}? To send "
                f"{name!r} in the request body as it is, pass "
                f"model_kwargs={{{name!r}: ...}}."
            )
            raise InvalidInputError(msg)
        if name in extras:
            msg = f"{name!r} is given both as an argument and in model_kwargs."
            raise InvalidInputError(msg)
        warnings.warn(
            f"{name!r} is not a ChatHuggingFaceRouter field; it was moved to "
            "model_kwargs and will be sent in every request body as it is. Pass "
            f"model_kwargs={{{name!r}: ...}} to say you mean it.",
            UserWarning,
            stacklevel=_outside_libraries(),
        )
        extras[name] = value
    if extras:
        values["model_kwargs"] = extras
    for key in (k for k in extras if k in fields):
        msg = (
            f"model_kwargs holds {key!r}, which is a field: pass {key}=... "
            "directly, so that it is checked and sent on the APIs that take it."
        )
        raise InvalidInputError(msg)
    return values


def check_extra(extra: object, where: str) -> Mapping[str, Any]:
    """`extra` if it is a dict that sets no protocol key; else a clear error."""
    if not isinstance(extra, Mapping):
        msg = (
            f"{where} must be a dict of request-body keys, such as "
            f"{{'top_k': 20}}; got {type(extra).__name__}."
        )
        raise InvalidInputError(msg)
    for key in PROTOCOL_KEYS.intersection(extra):
        msg = (
            f"{where} cannot set {key!r}: it decides how the answer is read; "
            "call .stream() or set streaming=True instead."
        )
        raise InvalidInputError(msg)
    return extra


def _outside_libraries() -> int:
    """The `stacklevel` of the first caller outside this package and its libraries."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and str(frame.f_globals.get("__name__")).startswith(
        _LIBRARIES
    ):
        frame, level = frame.f_back, level + 1
    return level


def _check_n(n: object) -> None:
    if n in (None, 1):
        return  # what every call does
    msg = (
        f"n={n!r}: the router gives one answer per request (servers such as "
        "llama.cpp refuse n > 1); ask for several with "
        "llm.batch([prompt] * n) or generate([...])."
    )
    raise InvalidInputError(msg)
