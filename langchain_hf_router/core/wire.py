"""What a wire format is: the typed unit each router API's module provides.

A format owns its request builder, its parser, its stream mapper, the reasoning
efforts it accepts and which settings it carries; `formats.py` registers them
by API name. Adding an API means one module that ends in a `WireFormat`, and one
line in that registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_hf_router.core.options import Warn
from langchain_hf_router.core.stream import StreamMapper
from langchain_hf_router.core.types import CallOptions, GenerateResult, PromptMessage


class BodyBuilder(Protocol):
    """Builds the JSON body of one request (input errors raise here)."""

    def __call__(
        self,
        prompt: list[PromptMessage],
        options: CallOptions,
        *,
        stream: bool,
        warn: Warn,
    ) -> dict[str, Any]:
        """The body; `warn(setting, message)` reports what cannot be sent."""


class ResponseParser(Protocol):
    """Reads a whole (non-streamed) answer."""

    def __call__(self, body: dict[str, Any]) -> GenerateResult:
        """The answer; a wrong shape raises `WireShapeError`."""


@dataclass(frozen=True, slots=True)
class WireFormat:
    """One router API's wire format.

    Attributes:
        api: The name callers choose it by (`api="responses"`).
        label: Its name in messages ("Responses").
        path: The endpoint below the base URL.
        build_body: Its request builder.
        parse_response: Its parser of whole answers.
        new_mapper: Makes the mapper of one stream's events.
        reasoning_efforts: The `reasoning_effort` values it accepts.
        sends: The settings (names from `options.SETTINGS`) its requests carry.
        unsent: The settings it cannot carry, each with its name in the warning;
            with `sends`, every setting (a test holds every format to that).
        chosen_for: Features for which `api="auto"` always picks it.
        preferred_for: Features for which `api="auto"` picks it unless the
            conversation already holds tool calls.
    """

    api: str
    label: str
    path: str
    build_body: BodyBuilder
    parse_response: ResponseParser
    new_mapper: Callable[[], StreamMapper]
    reasoning_efforts: frozenset[str]
    sends: frozenset[str]
    unsent: Mapping[str, str]
    chosen_for: frozenset[str] = frozenset()
    preferred_for: frozenset[str] = frozenset()
