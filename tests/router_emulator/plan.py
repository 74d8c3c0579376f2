"""What to put on the wire: a rendered reply, independent of the HTTP server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .script import ErrorReply, RawReply

JSON_TYPE = "application/json"
SSE_TYPE = "text/event-stream"


@dataclass(frozen=True)
class ResponsePlan:
    """A rendered HTTP reply.

    ``events`` set means a chunked body, one chunked write per element (each an
    SSE event with its framing); otherwise ``body`` goes out with a length.
    ``drop_after`` aborts a chunked body after that many writes, without the
    terminating chunk. ``hold_after`` stops after that many writes (events, or
    bytes of a ``body``; 0: before the status line) until the emulator's gate
    opens.
    """

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    events: list[bytes] | None = None
    delay_before: float = 0.0
    delay_between: float = 0.0
    drop_after: int | None = None
    hold_after: int | None = None


def merge_headers(defaults: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    """Lower-case header names; scripted headers override the defaults."""
    merged = {k.lower(): v for k, v in defaults.items()}
    merged.update({k.lower(): v for k, v in extra.items()})
    return merged


def json_plan(
    status: int,
    payload: Any,
    headers: dict[str, str] | None = None,
    *,
    delay_before: float = 0.0,
) -> ResponsePlan:
    """A JSON reply with a ``Content-Length``."""
    return ResponsePlan(
        status=status,
        headers=merge_headers({"content-type": JSON_TYPE}, headers or {}),
        body=json.dumps(payload, ensure_ascii=False).encode(),
        delay_before=delay_before,
    )


def error_plan(reply: ErrorReply) -> ResponsePlan:
    """Render an :class:`ErrorReply`."""
    if reply.body is None:
        body, ctype = b"", None
    elif isinstance(reply.body, str):
        body, ctype = reply.body.encode(), "text/plain; charset=utf-8"
    else:
        body, ctype = json.dumps(reply.body).encode(), JSON_TYPE
    defaults = {"content-type": ctype} if ctype else {}
    return ResponsePlan(
        status=reply.status,
        headers=merge_headers(defaults, reply.headers),
        body=body,
        delay_before=reply.delay_before,
    )


def raw_plan(reply: RawReply) -> ResponsePlan:
    """Render a :class:`RawReply` verbatim."""
    if reply.events is not None:
        return ResponsePlan(
            status=reply.status,
            headers=merge_headers({"content-type": SSE_TYPE}, reply.headers),
            events=[event.encode() for event in reply.events],
            delay_before=reply.delay_before,
            delay_between=reply.delay_between,
        )
    return ResponsePlan(
        status=reply.status,
        headers=merge_headers({}, reply.headers),
        body=reply.body,
        delay_before=reply.delay_before,
    )


def openai_error(
    status: int, message: str, error_type: str, code: Any = None
) -> ResponsePlan:
    """The emulator's own errors (unknown path, bad body) in OpenAI shape."""
    payload = {
        "error": {"message": message, "type": error_type, "code": code, "param": None}
    }
    return json_plan(status, payload)
