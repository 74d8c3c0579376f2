"""The router's APIs by name: the one registry of wire formats.

Everything that picks between APIs reads this registry: `api="auto"`, the
provider's factories, the command line's `--api`, and option checking.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from langchain_hf_router.core import chat_completions, responses
from langchain_hf_router.core.errors import InvalidInputError
from langchain_hf_router.core.wire import WireFormat

FORMATS: Final[Mapping[str, WireFormat]] = MappingProxyType(
    {wire.api: wire for wire in (chat_completions.FORMAT, responses.FORMAT)}
)
"""Each wire format by its API name; the first is the default of `api="auto"`."""
AUTO: Final = "auto"
API_CHOICES: Final = (AUTO, *FORMATS)
"""What `api=` accepts."""


def wire_format(api: str) -> WireFormat:
    """The wire format named `api`.

    Raises:
        InvalidInputError: No API has that name.
    """
    wire = FORMATS.get(api)
    if wire is None:
        choices = ", ".join(map(repr, API_CHOICES))
        msg = f"Unknown API {api!r}; the choices are {choices}."
        raise InvalidInputError(msg)
    return wire


def choose(api: str, features: frozenset[str], *, tool_history: bool) -> WireFormat:
    """The format for a call: the one named, or for `"auto"` the one its features want.

    A feature in a format's `chosen_for` decides; one in `preferred_for` decides
    unless the conversation already holds tool calls (whose history the
    default format carries best); otherwise the default format.
    """
    if api != AUTO:
        return wire_format(api)
    for wire in FORMATS.values():
        if features & wire.chosen_for:
            return wire
    if not tool_history:
        for wire in FORMATS.values():
            if features & wire.preferred_for:
                return wire
    return next(iter(FORMATS.values()))


def carriers(setting: str) -> tuple[str, ...]:
    """The APIs whose requests carry `setting`."""
    return tuple(wire.api for wire in FORMATS.values() if setting in wire.sends)
