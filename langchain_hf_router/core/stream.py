"""From response bytes to stream parts: SSE, JSON, the wire mapper, think tags.

This is the hot path of a streamed answer. It is pure (no I/O), so the sync and
async loops in `model.py` differ only in how they read bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final, Protocol

from langchain_hf_router.core.errors import (
    BrokenStreamError,
    HuggingFaceRouterError,
    error_fields,
    in_band_error,
)
from langchain_hf_router.core.sse import DEFAULT_MAX_EVENT_BYTES, SSEDecoder, SSEEvent
from langchain_hf_router.core.think import ThinkSplitter
from langchain_hf_router.core.types import (
    GenerateResult,
    ReasoningDelta,
    ReasoningOutput,
    StreamFinish,
    StreamPart,
    TextAnnotation,
    TextDelta,
    TextOutput,
    ToolCallDelta,
)
from langchain_hf_router.core.wire_json import WireShapeError


class StreamMapper(Protocol):
    """What each wire format provides to map its parsed events."""

    def feed(self, event: dict[str, Any]) -> list[StreamPart]:
        """Parts for one parsed event."""

    def end_of_stream(self) -> None:
        """The server sent `data: [DONE]`."""

    def finish(self) -> StreamFinish:
        """The closing part."""

    @property
    def complete(self) -> bool:
        """Whether the stream announced its own end."""


ParseWhole = Callable[[dict[str, Any]], GenerateResult]
"""A wire format's parser of a whole (non-streamed) answer."""

# What a wire mapper may raise on input it did not foresee: turned into the
# package's errors at this boundary, never shown bare (see `wire_json`).
UNFORESEEN: Final = (
    WireShapeError,
    AttributeError,
    TypeError,
    KeyError,
    IndexError,
    ValueError,
    RecursionError,
)


def malformed(
    cls: type[HuggingFaceRouterError], exc: Exception, what: str, excerpt: str
) -> HuggingFaceRouterError:
    """The error for `what` (an answer, an event) that could not be read."""
    if isinstance(exc, WireShapeError):
        reason = str(exc)
    elif isinstance(exc, RecursionError):
        reason = "it is nested too deeply to read"
    else:
        reason = f"reading it failed ({type(exc).__name__}: {exc})"
    return cls(f"{what} is not what the API promises: {reason}", excerpt=excerpt)


def whole_parts(result: GenerateResult) -> list[StreamPart]:
    """A whole answer as the parts its stream would have given."""
    parts: list[StreamPart] = []
    for out in result.content:
        if isinstance(out, TextOutput):
            parts.append(TextDelta(out.text))
            parts.extend(TextAnnotation(note) for note in out.annotations)
        elif isinstance(out, ReasoningOutput):
            parts.append(ReasoningDelta(out.text))
        else:
            parts.append(out)
    parts.extend(
        ToolCallDelta(index, call.call_id, call.name, call.arguments)
        for index, call in enumerate(result.tool_calls)
    )
    parts.append(StreamFinish(result.finish_reason, result.usage, result.info))
    return parts


class StreamDecoder:
    """`feed(bytes)` → parts; `close()` → the last parts, ending in `StreamFinish`.

    Args:
        mapper: The wire format's mapper of parsed events.
        starts_inside_think: Whether the answer begins inside a `<think>` block.
        api: The API's name, for messages.
        parse_whole: Parses a whole answer, for a server that answers a stream
            request with one JSON body (an error, or an answer not streamed).
        whole_json: The response says it is JSON, not an event stream.
        max_event_bytes: The largest event (or JSON body) accepted.
    """

    __slots__ = (
        "_api",
        "_body",
        "_events",
        "_mapper",
        "_max",
        "_parse_whole",
        "_splitter",
        "_sse",
    )

    def __init__(
        self,
        mapper: StreamMapper,
        *,
        starts_inside_think: bool,
        api: str = "the",
        parse_whole: ParseWhole | None = None,
        whole_json: bool = False,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        self._mapper = mapper
        self._sse = SSEDecoder(max_event_bytes=max_event_bytes)
        self._splitter = ThinkSplitter(start_inside=starts_inside_think)
        self._api = api
        self._parse_whole = parse_whole
        self._body: bytearray | None = bytearray() if whole_json else None
        self._max = max_event_bytes
        self._events = 0

    @property
    def events(self) -> int:
        """How many events were read so far (`[DONE]` included)."""
        return self._events

    def feed(self, chunk: bytes) -> list[StreamPart]:
        """Parts for the events these bytes complete."""
        if self._body is not None:
            self._body += chunk
            if len(self._body) > self._max:
                raise self._too_large()
            return []
        parts: list[StreamPart] = []
        for event in self._sse.feed(chunk):
            self._event(event, parts)
        return parts

    def close(self) -> list[StreamPart]:
        """End of the body: flush, check that the stream finished, add the finish."""
        if self._body is not None:
            return self._whole(bytes(self._body))
        parts: list[StreamPart] = []
        for event in self._sse.flush():
            self._event(event, parts)
        if not self._mapper.complete:
            if not self._events and self._sse.stray:
                return self._whole(self._sse.stray)
            msg = (
                "the stream ended before the server said it was complete; the "
                "answer may be cut short"
            )
            raise BrokenStreamError(msg)
        parts.extend(self._split_pieces(self._splitter.flush()))
        parts.append(self._mapper.finish())
        return parts

    def _too_large(self) -> BrokenStreamError:
        msg = (
            f"the server's JSON answer passed {self._max} bytes, the limit set by "
            "max_event_bytes; raise max_event_bytes if answers really are this large"
        )
        return BrokenStreamError(msg)

    def _whole(self, data: bytes) -> list[StreamPart]:
        """A JSON body where a stream was expected: its error, or its answer."""
        text = data.decode("utf-8", "replace")
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            msg = "the server answered with something that is not an event stream"
            raise BrokenStreamError(msg, excerpt=text)
        fields = error_fields(parsed)
        if fields.message and "choices" not in parsed and "output" not in parsed:
            raise in_band_error(fields.message, fields.code, body=parsed)
        if self._parse_whole is None:
            msg = "the server answered with one JSON body instead of a stream"
            raise BrokenStreamError(msg, excerpt=text)
        try:
            return whole_parts(self._parse_whole(parsed))
        except UNFORESEEN as exc:
            what = f"a whole {self._api} answer sent instead of a stream"
            raise malformed(BrokenStreamError, exc, what, text) from None

    def _event(self, event: SSEEvent, parts: list[StreamPart]) -> None:
        data = event.data
        self._events += 1
        if data == "[DONE]":
            self._mapper.end_of_stream()
            return
        if event.event == "error":
            _raise_error_event(data)
        parsed = _parse(data, "the stream carried an event that")
        if not isinstance(parsed, dict):
            msg = "the stream carried an event that is not an object"
            raise BrokenStreamError(msg, excerpt=data)
        try:
            mapped = self._mapper.feed(parsed)
        except UNFORESEEN as exc:
            what = f"a {self._api} stream event"
            raise malformed(BrokenStreamError, exc, what, data) from None
        splitter = self._splitter
        for part in mapped:
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


def _raise_error_event(data: str) -> None:
    """An `event: error`: the server's message as an error.

    A Responses `{"type": "error", ...}` event is left to its mapper, which
    reads its fields; any other data, JSON or not, is the message itself.
    """
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        raise in_band_error(data) from None
    if isinstance(parsed, dict) and parsed.get("type") == "error":
        return
    fields = error_fields(parsed)
    raise in_band_error(fields.message or data, fields.code, body=parsed)


def _parse(data: str, what: str) -> Any:
    """JSON text parsed; an error saying `what` is not JSON otherwise."""
    try:
        return json.loads(data)
    except RecursionError:
        msg = f"{what} is nested too deeply to read"
    except ValueError:
        msg = f"{what} is not JSON"
    raise BrokenStreamError(msg, excerpt=data)
