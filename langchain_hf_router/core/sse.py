"""An incremental Server-Sent Events decoder (bytes in, events out).

Follows https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
closely enough for every server the router fronts: a leading byte-order mark,
`data:` with or without the space, `event:` lines, `:` comments, LF / CRLF / CR
line ends (also split across network chunks), multi-line data, and a last event
with no blank line after it. Each byte is scanned and copied a bounded number of
times, however the network cuts the stream, and one event's size is capped.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from langchain_hf_router.core.errors import BrokenStreamError

DEFAULT_MAX_EVENT_BYTES: Final = 16 * 1024 * 1024
"""The largest event accepted by default: UTF-8 bytes of its data, lines joined."""
STRAY_LIMIT: Final = 64 * 1024
"""Bytes kept of the lines that are no SSE field (see `SSEDecoder.stray`)."""

_BOM: Final = b"\xef\xbb\xbf"
_FIELDS: Final = frozenset((b"data", b"event", b"id", b"retry"))
# A line may exceed the cap by its `data: `, so that a value of exactly the cap fits.
_LINE_SLACK: Final = len(b"data: ")
# Bytes of an undecodable line handed to the error, which redacts, then cuts them.
_EXCERPT_BYTES: Final = 1200
# What the next read may begin with that is not content.
_PLAIN: Final = 0
_AT_START: Final = 1  # a byte-order mark (`_pending` holds the part of it read so far)
_AFTER_CR: Final = 2  # the LF of a CRLF whose CR ended the last read


class SSEEvent(NamedTuple):
    """One dispatched event: its `event:` name (None when unnamed) and its data."""

    event: str | None
    data: str


class SSEDecoder:
    """Pure state machine: `feed()` raw bytes, get the completed events back.

    Args:
        max_event_bytes: The largest event accepted, in UTF-8 bytes of its data
            (all its `data:` lines, joined by newlines). A larger event, or a
            line longer than that (plus its `data: `), raises `BrokenStreamError`
            as soon as that many bytes have arrived.
    """

    __slots__ = (
        "_data",
        "_event",
        "_head",
        "_line_limit",
        "_max",
        "_pending",
        "_size",
        "_stray",
    )

    def __init__(self, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> None:
        self._max = max_event_bytes
        self._line_limit = max_event_bytes + _LINE_SLACK
        self._head = _AT_START
        # The start of a line whose end has not arrived (or, after a CR that
        # ended a read, a whole line held back until the next read).
        self._pending = bytearray()
        self._data: list[str] = []
        self._size = 0  # UTF-8 bytes of "\n".join(self._data), once it has 2 lines
        self._event: str | None = None
        self._stray = bytearray()

    @property
    def stray(self) -> bytes:
        """The lines that are no SSE field, joined by LF (their first 64 KiB).

        A line whose field name is not `data`, `event`, `id` or `retry` and that
        is no comment: what a server says when it answers with something else
        than an event stream (a JSON error body, an HTML page).
        """
        return bytes(self._stray)

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Add bytes; return the events they complete."""
        if self._head:
            chunk = self._resume(chunk)
        if b"\r" in chunk:
            chunk = self._lf_only(chunk)
        lines = chunk.split(b"\n")
        last = lines.pop()
        # False on the hot path: reads of whole lines, none held, none over the cap.
        if last or self._pending or len(chunk) > self._max:
            self._carry(lines, last, len(chunk))
        events: list[SSEEvent] = []
        for raw in lines:
            if raw:
                self._field(raw)
            elif self._data:
                events.append(self._dispatch())
            else:
                # An event with no data is not given out; its name does not stick.
                self._event = None
        return events

    def flush(self) -> list[SSEEvent]:
        """End of input: dispatch what is pending (a last event with no blank line)."""
        self._head = _PLAIN
        if self._pending:
            self._field(self._take_pending(b""))
        if self._data:
            return [self._dispatch()]
        self._event = None
        return []

    def _lf_only(self, chunk: bytes) -> bytes:
        """`chunk` with LF line ends only."""
        if chunk[-1] == 0x0D:
            # The last line ends here, but an LF may start the next read:
            # hold the line back until then (as `_pending`).
            self._head = _AFTER_CR
            chunk = chunk[:-1]
        return chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

    def _resume(self, chunk: bytes) -> bytes:
        """`chunk` past what the last read left undecided at its start."""
        if self._head == _AT_START:
            head = bytes(self._pending) + chunk if self._pending else chunk
            if len(head) < len(_BOM) and _BOM.startswith(head):
                self._pending[:] = head
                return b""
            self._pending.clear()
            self._head = _PLAIN
            return head[len(_BOM) :] if head.startswith(_BOM) else head
        if not chunk:
            return chunk
        self._head = _PLAIN
        # The held line ends with the CR; an LF right after it belongs to that CR.
        return b"\n" + (chunk[1:] if chunk[0] == 0x0A else chunk)

    def _carry(self, lines: list[bytes], last: bytes, size: int) -> None:
        """Complete the held line with this read's first; hold its unended last.

        Lines are checked against the cap here, off the hot path: a read of
        `size` bytes, at most the cap, holds no complete line that passes it,
        but a line completed from held bytes or a larger read may.
        """
        if lines:
            if self._pending:
                lines[0] = self._take_pending(lines[0])
            if size > self._max:
                for line in lines:
                    self._check(line)
        if last:
            pending = self._pending
            pending += last
            if len(pending) > self._line_limit:
                raise self._too_large()

    def _take_pending(self, end: bytes) -> bytes:
        """The held start of a line, completed by `end`; nothing is held after."""
        pending = self._pending
        pending += end
        line = bytes(pending)
        pending.clear()
        if len(line) > self._max:
            self._check(line)
        return line

    def _check(self, line: bytes) -> None:
        """Refuse a data line whose value passes the cap, or any longer line."""
        if line.startswith(b"data:"):
            too_large = len(line) - (6 if line[5:6] == b" " else 5) > self._max
        else:
            too_large = len(line) > self._line_limit
        if too_large:
            raise self._too_large()

    def _too_large(self) -> BrokenStreamError:
        # The event's content is not quoted: it may be megabytes of anything.
        msg = (
            f"a stream event passed {_amount(self._max)}, the limit set by "
            "max_event_bytes; raise max_event_bytes if the server really sends "
            "events this large"
        )
        return BrokenStreamError(msg)

    def _dispatch(self) -> SSEEvent:
        event = SSEEvent(self._event, "\n".join(self._data))
        self._data = []
        self._event = None
        return event

    def _field(self, raw: bytes) -> None:
        """Take in one line that is not blank."""
        try:
            # The order of the tests is the order of the lines' frequencies.
            if raw.startswith(b"data: "):
                value = raw[6:]
            elif raw.startswith(b"event:"):
                self._event = raw[6:].strip().decode("utf-8")
                return
            elif raw.startswith(b"data:"):
                value = raw[5:]
            else:
                # Comments (":…"), `id:` and `retry:` carry nothing we use.
                if raw[0] != 0x3A and raw.partition(b":")[0] not in _FIELDS:
                    self._keep_stray(raw)
                return
            data = self._data
            if data:
                self._count(value)
            data.append(value.decode("utf-8"))
        except UnicodeDecodeError as exc:
            excerpt = raw[:_EXCERPT_BYTES].decode("utf-8", "backslashreplace")
            msg = "the stream carried bytes that are not UTF-8"
            raise BrokenStreamError(msg, excerpt=excerpt) from exc

    def _count(self, value: bytes) -> None:
        """Count one more data line of a multi-line event against the cap."""
        data = self._data
        # Counted from the second line on: nearly every event has one line.
        size = self._size if len(data) > 1 else len(data[0].encode("utf-8"))
        size += 1 + len(value)
        if size > self._max:
            raise self._too_large()
        self._size = size

    def _keep_stray(self, raw: bytes) -> None:
        kept = self._stray
        if len(kept) >= STRAY_LIMIT:
            return
        if kept:
            kept.append(0x0A)
        kept += raw[: STRAY_LIMIT - len(kept)]


def _amount(size: int) -> str:
    """`size` bytes for a person: "16 MiB (16777216 bytes)"."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{round(size / scale, 1):g} {unit} ({size} bytes)"
    return f"{size} bytes"
