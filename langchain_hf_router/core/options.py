"""Provider options: parsing, validation and the limits each API puts on them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, cast, get_args

from langchain_hf_router.core.errors import InvalidInputError
from langchain_hf_router.core.types import CallOptions, ProviderOptions, ReasoningEffort

Warn = Callable[[str, str], None]
"""`warn(key, message)`: report a setting the chosen API cannot carry.

`key` names the setting so that a caller can warn once per setting."""


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting a request can carry: the single record every list is made from.

    Attributes:
        name: Its name as a call argument, a `CallOptions` attribute, or a key
            of `provider_options` (and of `ProviderOptions`).
        provider_option: Given in `provider_options` rather than as an argument.
        model_field: Also a field of the chat model (a default for every call).
    """

    name: str
    provider_option: bool = False
    model_field: bool = False


SETTINGS: Final = (
    Setting("temperature", model_field=True),
    Setting("top_p", model_field=True),
    Setting("max_tokens", model_field=True),
    Setting("stop", model_field=True),
    Setting("seed", model_field=True),
    Setting("frequency_penalty", model_field=True),
    Setting("presence_penalty", model_field=True),
    Setting("logprobs", model_field=True),
    Setting("top_logprobs", model_field=True),
    Setting("tools"),
    Setting("tool_choice"),
    Setting("parallel_tool_calls", model_field=True),
    Setting("response_format"),
    Setting("metadata", provider_option=True),
    Setting("instructions", provider_option=True),
    Setting("strict_json_schema", provider_option=True),
    Setting("reasoning_effort", provider_option=True),
)
SETTING_NAMES: Final = tuple(setting.name for setting in SETTINGS)
CALL_SETTINGS: Final = tuple(s.name for s in SETTINGS if not s.provider_option)
"""Settings given per call as arguments (`invoke(x, temperature=0)`)."""
PROVIDER_OPTION_KEYS: Final = tuple(s.name for s in SETTINGS if s.provider_option)
"""Settings given in `provider_options`."""
MODEL_FIELDS: Final = tuple(s.name for s in SETTINGS if s.model_field)
"""Settings that are also chat model fields."""
REASONING_EFFORTS: Final = frozenset(get_args(ReasoningEffort))
"""Every `reasoning_effort` some API accepts; each format accepts a subset."""


def setting_value(options: CallOptions, name: str) -> Any:
    """The value of setting `name` in `options` (a call option or a provider one)."""
    if hasattr(options, name):
        return getattr(options, name)
    return getattr(options.provider_options, name)


def warn_unsent(
    options: CallOptions, unsent: Mapping[str, str], api: str, warn: Warn
) -> None:
    """Warn about each setting in `unsent` that is set: `api` cannot carry it."""
    for name, label in unsent.items():
        if setting_value(options, name) not in (None, (), {}):  # 0 and False count
            warn(name, f"{label} cannot be sent on the {api} API and was not sent")


METADATA_MAX_KEYS: Final = 16
METADATA_MAX_KEY_LENGTH: Final = 64
METADATA_MAX_VALUE_LENGTH: Final = 512


def copy_set(body: dict[str, Any], source: object, fields: Mapping[str, str]) -> None:
    """Copy each `source` attribute that is set (not None) into `body` under its key."""
    for attribute, key in fields.items():
        value = getattr(source, attribute)
        if value is not None:
            body[key] = value


def with_strictness(
    response_format: dict[str, Any], strict: bool | None
) -> dict[str, Any]:
    """A JSON-schema `response_format` given `strict_json_schema`, unless it says."""
    schema = response_format.get("json_schema")
    if (
        strict is None
        or response_format.get("type") != "json_schema"
        or not isinstance(schema, dict)
        or "strict" in schema
    ):
        return response_format
    return {**response_format, "json_schema": {**schema, "strict": strict}}


def merge_provider_options(
    *layers: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Merge option dicts key by key, later layers winning; `None` values unset."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if layer is not None and not isinstance(layer, Mapping):
            msg = (
                "provider_options must be a dict such as {'reasoning_effort': "
                f"'high'}}, got {type(layer).__name__} {layer!r:.60}."
            )
            raise InvalidInputError(msg)
        if layer:
            merged.update(layer)
    return {key: value for key, value in merged.items() if value is not None}


def parse_provider_options(raw: Mapping[str, Any] | None) -> ProviderOptions:
    """Validate a provider-options dict; unknown keys and wrong types are errors."""
    if not raw:
        return ProviderOptions()
    unknown = sorted(set(raw) - set(PROVIDER_OPTION_KEYS))
    if unknown:
        msg = (
            f"Unknown provider option(s) {', '.join(map(repr, unknown))}; "
            f"the options are {', '.join(PROVIDER_OPTION_KEYS)}."
        )
        raise InvalidInputError(msg)
    metadata = raw.get("metadata")
    instructions = raw.get("instructions")
    strict = raw.get("strict_json_schema")
    effort = raw.get("reasoning_effort")
    if metadata is not None:
        _check_metadata(metadata)
    if instructions is not None and not isinstance(instructions, str):
        kind = type(instructions).__name__
        msg = f"provider option 'instructions' must be a string, got {kind}."
        raise InvalidInputError(msg)
    if strict is not None and not isinstance(strict, bool):
        msg = (
            "provider option 'strict_json_schema' must be true or false, "
            f"got {strict!r}."
        )
        raise InvalidInputError(msg)
    if effort is not None:
        check_effort(effort, REASONING_EFFORTS, "any API")
    return ProviderOptions(
        metadata=dict(metadata) if metadata is not None else None,
        instructions=instructions,
        strict_json_schema=strict,
        reasoning_effort=cast("ReasoningEffort | None", effort),
    )


def check_effort(effort: object, allowed: frozenset[str], api: str) -> str:
    """Return `effort` if `api` accepts it; otherwise raise naming the choices."""
    if not isinstance(effort, str) or effort not in allowed:
        msg = (
            f"reasoning_effort={effort!r} is not accepted by {api}; "
            f"choose one of {', '.join(sorted(allowed))}."
        )
        raise InvalidInputError(msg)
    return str(effort)


def _check_metadata(metadata: Any) -> None:
    if not isinstance(metadata, Mapping):
        kind = type(metadata).__name__
        msg = f"provider option 'metadata' must be a dict of strings, got {kind}."
        raise InvalidInputError(msg)
    if len(metadata) > METADATA_MAX_KEYS:
        msg = (
            f"provider option 'metadata' has {len(metadata)} keys; the router "
            f"takes at most {METADATA_MAX_KEYS}."
        )
        raise InvalidInputError(msg)
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            msg = (
                "provider option 'metadata' must map strings to strings; "
                f"{key!r}: {value!r} does not."
            )
            raise InvalidInputError(msg)
        if len(key) > METADATA_MAX_KEY_LENGTH or len(value) > METADATA_MAX_VALUE_LENGTH:
            msg = (
                f"provider option 'metadata' entry {key[:20]!r} is too long: keys "
                f"take at most {METADATA_MAX_KEY_LENGTH} characters, values "
                f"{METADATA_MAX_VALUE_LENGTH}."
            )
            raise InvalidInputError(msg)
