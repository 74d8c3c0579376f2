"""From response bytes to stream parts: SSE, JSON, the wire mapper, think tags.

This is the hot path of a streamed answer. It is pure (no I/O), so the sync and
async loops in `model.py` differ only in how they read bytes.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from langchain_hf_router.core.errors import BrokenStreamError
from langchain_hf_router.core.sse import SSEDecoder
from langchain_hf_router.core.think import ThinkSplitter
from langchain_hf_router.core.types import (
    ReasoningDelta,
    StreamFinish,
    StreamPart,
    TextDelta,
)

_QUOTE_LIMIT = 200


class StreamMapper(Protocol):
    """What each wire format provides to map its parsed events."""

    done: bool

    def feed(self, event: dict[str, Any]) -> list[StreamPart]:
        """Parts for one parsed event."""

    def finish(self) -> StreamFinish:
        """The closing part."""

    @property
    def complete(self) -> bool:
        """Whether the stream announced its own end."""


def _quote(data: str) -> str:
    return data if len(data) <= _QUOTE_LIMIT else data[:_QUOTE_LIMIT] + "…"


class StreamDecoder:
    """`feed(bytes)` → parts; `close()` → the last parts, ending in `StreamFinish`."""

    __slots__ = ("_mapper", "_splitter", "_sse")

    def __init__(self, mapper: StreamMapper, *, starts_inside_think: bool) -> None:
        self._mapper = mapper
        self._sse = SSEDecoder()
        self._splitter = ThinkSplitter(start_inside=starts_inside_think)

    def feed(self, chunk: bytes) -> list[StreamPart]:
        """Parts for the events these bytes complete."""
        parts: list[StreamPart] = []
        for event in self._sse.feed(chunk):
            self._event(event.data, parts)
        return parts

    def close(self) -> list[StreamPart]:
        """End of the body: flush, check that the stream finished, add the finish."""
        parts: list[StreamPart] = []
        for event in self._sse.flush():
            self._event(event.data, parts)
        if not self._mapper.complete:
            msg = (
                "the stream ended before the server said it was complete; the "
                "answer may be cut short"
            )
            raise BrokenStreamError(msg)
        parts.extend(self._split_pieces(self._splitter.flush()))
        parts.append(self._mapper.finish())
        return parts

    def _event(self, data: str, parts: list[StreamPart]) -> None:
        if data == "[DONE]":
            self._mapper.done = True
            return
        try:
            parsed = json.loads(data)
        except ValueError:
            msg = f"the stream carried an event that is not JSON: {_quote(data)!r}"
            raise BrokenStreamError(msg) from None
        if not isinstance(parsed, dict):
            msg = f"the stream carried an event that is not an object: {_quote(data)!r}"
            raise BrokenStreamError(msg)
        splitter = self._splitter
        for part in self._mapper.feed(parsed):
            cls = type(part)
            if cls is TextDelta:
                text = part.text  # type: ignore[union-attr]
                if splitter.plain(text):
                    parts.append(part)
                else:
                    parts.extend(self._split_pieces(splitter.feed(text)))
            else:
                if cls is ReasoningDelta:
                    splitter.provider_separates_reasoning()
                parts.append(part)

    @staticmethod
    def _split_pieces(pieces: list[tuple[bool, str]]) -> list[StreamPart]:
        return [
            ReasoningDelta(text) if reasoning else TextDelta(text)
            for reasoning, text in pieces
        ]
