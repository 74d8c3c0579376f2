"""Server-sent event framing, in the styles real servers use."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .script import SseStyle

KEEP_ALIVE_COMMENT = ": keep-alive"


def encode_data(payload: Any) -> str:
    """Compact JSON as the router sends it (no spaces after separators)."""
    if isinstance(payload, str):
        return payload
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def frame(
    payload: Any, *, style: SseStyle, comments: bool, event_name: str | None
) -> bytes:
    """Frame one event: ``data: <payload>`` and a blank line.

    With ``comments`` the event is preceded by a ``: keep-alive`` comment block
    and an ``event:`` line, which tolerant decoders must skip or accept.
    """
    newline = "\r\n" if style == "crlf" else "\n"
    prefix = "data:" if style == "nospace" else "data: "
    lines: list[str] = []
    if comments:
        lines += [KEEP_ALIVE_COMMENT, ""]
        if event_name is not None:
            lines.append(f"event: {event_name}")
    lines += [prefix + encode_data(payload), ""]
    return (newline.join(lines) + newline).encode()
