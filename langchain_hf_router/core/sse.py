"""An incremental Server-Sent Events decoder (bytes in, events out).

Follows https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
closely enough for every server the router fronts: `data:` with or without the
space, `event:` lines, `:` comments, LF / CRLF / CR line ends (also split across
network chunks), multi-line data, and a last event with no blank line after it.
"""

from __future__ import annotations

from typing import NamedTuple

from langchain_hf_router.core.errors import BrokenStreamError


class SSEEvent(NamedTuple):
    """One dispatched event: its `event:` name (None when unnamed) and its data."""

    event: str | None
    data: str


class SSEDecoder:
    """Pure state machine: `feed()` raw bytes, get the completed events back."""

    __slots__ = ("_buffer", "_data", "_event")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []
        self._event: str | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Add bytes; return the events they complete."""
        buffer = self._buffer + chunk if self._buffer else chunk
        if b"\r" in buffer:
            # A CR at the very end may be the first half of a CRLF: keep it back.
            held = b"\r" if buffer.endswith(b"\r") else b""
            if held:
                buffer = buffer[:-1]
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + held
        lines = buffer.split(b"\n")
        self._buffer = lines.pop()
        events: list[SSEEvent] = []
        for raw in lines:
            event = self._line(raw)
            if event is not None:
                events.append(event)
        return events

    def flush(self) -> list[SSEEvent]:
        """End of input: dispatch what is pending (a last event with no blank line)."""
        events: list[SSEEvent] = []
        if self._buffer:
            event = self._line(self._buffer.rstrip(b"\r"))
            self._buffer = b""
            if event is not None:
                events.append(event)
        event = self._line(b"")
        if event is not None:
            events.append(event)
        return events

    def _line(self, raw: bytes) -> SSEEvent | None:
        if not raw:
            if not self._data:
                self._event = None
                return None
            event = SSEEvent(self._event, "\n".join(self._data))
            self._data = []
            self._event = None
            return event
        try:
            if raw.startswith(b"data:"):
                value = raw[6:] if raw[5:6] == b" " else raw[5:]
                self._data.append(value.decode("utf-8"))
            elif raw.startswith(b"event:"):
                self._event = raw[6:].strip().decode("utf-8")
        except UnicodeDecodeError as exc:
            msg = f"the stream carried bytes that are not UTF-8: {raw[:200]!r}"
            raise BrokenStreamError(msg) from exc
        # Comments (":…"), `id:`, `retry:` and unknown fields carry nothing we use.
        return None
